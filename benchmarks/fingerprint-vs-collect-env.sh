#!/bin/sh
# Benchmark: wall time of `rigcheck fingerprint --json` against PyTorch's own environment
# report, `python3 -m torch.utils.collect_env` (Debian's python3-torch), on the same machine
# in the same run. Target: rigcheck at least 30x faster. Prints both means and the ratio,
# and the stripped size of the release binary built with --static-swift-stdlib.
#   benchmarks/fingerprint-vs-collect-env.sh [runs]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-20}"

scripts/setup.sh
need=""
python3 -c 'import torch' 2>/dev/null || need="$need python3-torch"
command -v hyperfine >/dev/null 2>&1 || need="$need hyperfine"
if [ -n "$need" ]; then
  as_root=""; [ "$(id -u)" -eq 0 ] || as_root=sudo
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

swift build -c release --static-swift-stdlib --product rigcheck >&2
binary=.build/release/rigcheck
out="${TMPDIR:-/tmp}/rigcheck-bench.json"
# /usr/bin/python3 is Debian's, the one python3-torch installs into.
hyperfine --warmup 2 --runs "$runs" --export-json "$out" \
  -n rigcheck "$binary fingerprint --json" \
  -n collect_env "/usr/bin/python3 -m torch.utils.collect_env" >&2

python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rig, ref = results["rigcheck"], results["collect_env"]
print(f"rigcheck fingerprint --json: {rig['mean']*1000:.1f} ms ± {rig['stddev']*1000:.1f}")
print(f"python3 -m torch.utils.collect_env: {ref['mean']*1000:.1f} ms ± {ref['stddev']*1000:.1f}")
ratio = ref["mean"] / rig["mean"]
print(f"ratio: rigcheck is {ratio:.1f}x faster (target >= 30x): {'PASS' if ratio >= 30 else 'MISS'}")
PY
stripped="${TMPDIR:-/tmp}/rigcheck-stripped"
cp "$binary" "$stripped" && strip "$stripped"
echo "release binary (--static-swift-stdlib), stripped: $(stat -c %s "$stripped") bytes"
