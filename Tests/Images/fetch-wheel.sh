#!/bin/sh
# fetch-wheel.sh NAME==VERSION DIR: downloads one real wheel from PyPI (pip download, no deps).
set -eu
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
  --python-version 3.11 --implementation cp -d "$2" "$1" >&2
