#!/bin/sh
set -eu
here=$(dirname "$0")
cp -r "$here"/. "$1/context"
"$here/../fetch-wheel.sh" six==1.16.0 "$1/context"
docker build -q --network none -t "$2" "$1/context" >/dev/null
