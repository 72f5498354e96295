#!/bin/sh
# Benchmark: `rigcheck inspect IMAGE` (every check, one container start) against the floor
# `docker run --rm --network none IMAGE python3 -c 'import torch'` on the torch test image,
# in the same run. Target: ratio <= 1.3.
#   benchmarks/inspect-vs-docker-run.sh [runs]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-10}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
command -v hyperfine >/dev/null 2>&1 || { as_root=""; [ "$(id -u)" -eq 0 ] || as_root=sudo; $as_root apt-get install -y -qq hyperfine >/dev/null; }
swift build -c release --static-swift-stdlib --product rigcheck >&2
image=rigcheck-test/torch:current
out="${TMPDIR:-/tmp}/rigcheck-bench-inspect.json"
hyperfine --warmup 2 --runs "$runs" --export-json "$out" \
  -n inspect ".build/release/rigcheck inspect $image --runtime docker --json" \
  -n floor "docker run --rm --network none $image python3 -c 'import torch'" >&2
python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
inspect, floor = results["inspect"], results["floor"]
print(f"rigcheck inspect: {inspect['mean']*1000:.0f} ms ± {inspect['stddev']*1000:.0f}")
print(f"docker run … import torch: {floor['mean']*1000:.0f} ms ± {floor['stddev']*1000:.0f}")
ratio = inspect["mean"] / floor["mean"]
print(f"ratio: {ratio:.2f} (target <= 1.3): {'PASS' if ratio <= 1.3 else 'MISS'}")
PY
