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
scripts/start-registry.sh
# The .deb and tarball the packaging tests install (dist/), from a release build that the
# release build of every product below reuses (same scratch path, same flags).
scripts/package.sh
# Podman reads its settings from here (runc, cgroupfs, ulimits a sandboxed machine allows).
CONTAINERS_CONF="$PWD/Tests/Images/podman/containers.conf"
# kubernetes-validate, installed by setup.sh into a venv of its own.
PATH="${XDG_CACHE_HOME:-$HOME/.cache}/rigcheck/tools/bin:$PATH"
export CONTAINERS_CONF PATH
swift test "$@"
if [ "$#" -eq 0 ]; then
  # Every product of the package builds in release too (what only a release build refuses,
  # such as an @testable import outside the tests, fails here), without a warning from our
  # own sources. A scratch path of its own leaves the debug build alone.
  log="${TMPDIR:-/tmp}/rigcheck-release-build.log"
  started=$(date +%s)
  swift build -c release --static-swift-stdlib --scratch-path .build-release >"$log" 2>&1 || { cat "$log" >&2; echo "release build failed" >&2; exit 1; }
  if grep -E "^$PWD/(Sources|Fuzz|benchmarks|checks)/[^:]*:[0-9]+:[0-9]+: warning:" "$log" >&2; then
    echo "release build: warnings from rigcheck's sources (above)" >&2
    exit 1
  fi
  echo "release build of every product: $(($(date +%s) - started)) s" >&2
  # A short fuzzing run of every parser (scripts/fuzz.sh 60 for a longer one).
  scripts/fuzz.sh "${RIGCHECK_FUZZ_SECONDS:-5}"
fi
exit 0
