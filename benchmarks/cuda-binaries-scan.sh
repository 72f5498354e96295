#!/bin/sh
# Scans the CUDA libraries of the torch-cuda test image's site-packages by their fatbinary
# headers, and reads every byte of the same shared-library files (`cat … | wc -c`: GNU wc -c
# alone would only stat them), in the same run. Needs scripts/build-test-images.sh first.
set -eu
cd "$(dirname "$0")/.."
image=rigcheck-test/torch-cuda:current
site=/opt/venv/lib/python3.11/site-packages
swift build -c release --product CUDABinariesBenchmark >/dev/null
lower=$(docker image inspect --format '{{.GraphDriver.Data.LowerDir}}' "$image")
upper=$(docker image inspect --format '{{.GraphDriver.Data.UpperDir}}' "$image")
layers="$(echo "$lower" | tr ':' '\n' | tac | tr '\n' ' ') $upper"
echo "== rigcheck fatbinary scan of $site (headers only)"
# shellcheck disable=SC2086
/usr/bin/time -f 'scan wall %e s, max RSS %M KiB' .build/release/CUDABinariesBenchmark $layers -- "$site" | tail -1
echo "== every byte of the same files"
files=$(for layer in $layers; do [ -d "$layer$site" ] && find "$layer$site" -type f \( -name '*.so' -o -name '*.so.*' \); done)
# shellcheck disable=SC2086
/usr/bin/time -f 'cat | wc -c wall %e s' sh -c 'cat "$@" | wc -c' sh $files
