#!/bin/sh
# The main job: installs what is missing, builds rigcheck (release) and runs it.
# With no arguments it runs `rigcheck doctor`; otherwise the arguments are the command,
# e.g. scripts/run.sh fingerprint --json.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product rigcheck >&2
if [ "$#" -eq 0 ]; then set -- doctor; fi
exec .build/release/rigcheck "$@"
