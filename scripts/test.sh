#!/bin/sh
# The test command: installs what is missing, starts a Docker daemon if none answers,
# and runs the whole test suite. Extra arguments go to `swift test` (e.g. --filter PCI).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/start-docker.sh
exec swift test "$@"
