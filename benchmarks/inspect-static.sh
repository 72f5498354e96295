#!/bin/sh
# Benchmark: static inspection of the CUDA PyTorch test image (PyPI torch 2.5.1+cu124, 5.5 GB)
# against starting it: `docker run --rm --network none IMAGE python3 -c 'import torch'`, in the
# same run. Target: ratio <= 0.25.
#   benchmarks/inspect-static.sh [runs]
# The image is read at rest as `dir:` of its `docker export` (cached under
# ~/.cache/rigcheck/exports/<image id>); once the engine-storage reader lands,
# `rigcheck inspect --static rigcheck-test/torch-cuda:current` is timed as well.
set -eu
cd "$(dirname "$0")/.."
runs="${1:-10}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
command -v hyperfine >/dev/null 2>&1 || { as_root=""; [ "$(id -u)" -eq 0 ] || as_root=sudo; $as_root apt-get install -y -qq hyperfine >/dev/null; }
swift build -c release --static-swift-stdlib --product rigcheck >&2
image=rigcheck-test/torch-cuda:current
id=$(docker image inspect --format '{{.Id}}' "$image" | sed 's/^sha256://')
exports="$HOME/.cache/rigcheck/exports"
root="$exports/$id"
if [ ! -d "$root" ]; then
  echo "exporting $image once (cached by image id)…" >&2
  work="$exports/.partial-bench-$$"
  mkdir -p "$work/root"
  container=$(docker create --label org.rigcheck.test-export=1 "$image" /export-only)
  docker export "$container" | tar -x -C "$work/root"
  docker rm -f "$container" >/dev/null
  mv "$work/root" "$root" && rmdir "$work"
fi
out="${TMPDIR:-/tmp}/rigcheck-bench-inspect-static.json"
set -- -n "static dir:" ".build/release/rigcheck inspect dir:$root --json"
if .build/release/rigcheck inspect --static "$image" --json >/dev/null 2>&1; then
  set -- "$@" -n "static --static" ".build/release/rigcheck inspect --static $image --json"
else
  echo "note: --static $image is not readable by this build (engine-storage reader missing): timing dir: only" >&2
fi
# Warm page cache for both sides: the floor reads the same files from Docker's storage.
hyperfine --warmup 2 --runs "$runs" --export-json "$out" "$@" \
  -n floor "docker run --rm --network none $image python3 -c 'import torch'" >&2
python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
floor = results.pop("floor")
print(f"docker run … import torch: {floor['mean']*1000:.0f} ms ± {floor['stddev']*1000:.0f}")
for name, result in results.items():
    ratio = result["mean"] / floor["mean"]
    print(f"rigcheck inspect ({name}): {result['mean']*1000:.0f} ms ± {result['stddev']*1000:.0f}; ratio {ratio:.3f} (target <= 0.25): {'PASS' if ratio <= 0.25 else 'MISS'}")
PY
