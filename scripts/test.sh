#!/bin/sh
# The test command: installs what is missing, starts a Docker daemon and a one-node Slurm
# when none answers, builds the test images (cached by content; from scratch on a fresh
# machine), and runs the whole test suite. Extra arguments go to `swift test` (--filter PCI).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
scripts/start-slurm.sh
# Podman reads its settings from here (runc, cgroupfs, ulimits a sandboxed machine allows).
CONTAINERS_CONF="$PWD/Tests/Images/podman/containers.conf"
export CONTAINERS_CONF
swift test "$@"
# A short fuzzing run of every parser (scripts/fuzz.sh 60 for a longer one).
[ "$#" -eq 0 ] && scripts/fuzz.sh "${RIGCHECK_FUZZ_SECONDS:-5}"
exit 0
