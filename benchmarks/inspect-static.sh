#!/bin/sh
# Benchmark: `rigcheck inspect --static` of the CUDA PyTorch test image (PyPI torch 2.5.1+cu124,
# 5.5 GB; read in place from Docker's overlay2 layer directories) against starting it:
# `docker run --rm --network none IMAGE python3 -c 'import torch'`, in the same hyperfine run,
# page cache warm for both (the floor reads the same files). Target: ratio <= 0.25.
#   benchmarks/inspect-static.sh [runs]          (default 10)
# The release binary is the one scripts/package.sh and scripts/test.sh build (same flags, same
# scratch path, .build-release).
set -eu
cd "$(dirname "$0")/.."
runs="${1:-10}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
swift build -c release --static-swift-stdlib --scratch-path .build-release --product rigcheck >&2
rigcheck="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)/rigcheck"
image=rigcheck-test/torch-cuda:current
"$rigcheck" inspect --static "$image" --json >/dev/null
out="${TMPDIR:-/tmp}/rigcheck-bench-inspect-static.json"
hyperfine --warmup 2 --runs "$runs" --export-json "$out" \
  -n "rigcheck inspect --static" "$rigcheck inspect --static $image --json" \
  -n floor "docker run --rm --network none $image python3 -c 'import torch'" >&2
python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
floor = results.pop("floor")
print(f"docker run … import torch: {floor['mean']*1000:.0f} ms ± {floor['stddev']*1000:.0f} (median {floor['median']*1000:.0f})")
for name, result in results.items():
    ratio = result["mean"] / floor["mean"]
    print(f"{name}: {result['mean']*1000:.0f} ms ± {result['stddev']*1000:.0f} (median {result['median']*1000:.0f}); ratio {ratio:.3f} (target <= 0.25): {'PASS' if ratio <= 0.25 else 'MISS'}")
PY
