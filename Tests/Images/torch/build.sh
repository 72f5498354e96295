#!/bin/sh
set -eu
docker build -q --network host -t "$2" "$(dirname "$0")" >/dev/null
