#!/bin/sh
# Benchmark: `rigcheck compare` on two fingerprints with 5,000 Python packages each, made from
# a real fingerprint (this host + the torch test image) with 4,980 generated packages and
# controlled drift (100 upgraded, 50 removed, 50 added). Target: < 50 ms for the comparison
# (timed in process by benchmarks/CompareBenchmark); the whole command is timed too.
#   benchmarks/compare-5000-packages.sh [runs]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-30}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
command -v hyperfine >/dev/null 2>&1 || { as_root=""; [ "$(id -u)" -eq 0 ] || as_root=sudo; $as_root apt-get install -y -qq hyperfine >/dev/null; }
swift build -c release --static-swift-stdlib --product rigcheck >&2
swift build -c release --product CompareBenchmark >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-compare-XXXXXX")
.build/release/rigcheck fingerprint --image rigcheck-test/torch:current -o "$work/base.json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
base = json.load(open(f"{work}/base.json"))
python = base["identity"]["images"][0]["python"]["value"]
real = python["packages"]
generated = [{"name": f"package-{i:04d}", "version": f"1.{i % 50}.{i % 7}"} for i in range(5000 - len(real))]
left = real + generated
right = [dict(p) for p in left]
for p in right[100:200]:
    p["version"] = p["version"] + ".post1"
del right[300:350]
right += [{"name": f"added-{i}", "version": "0.1"} for i in range(50)]
for name, packages in (("left", left), ("right", right)):
    python["packages"] = sorted(packages, key=lambda p: p["name"].lower())
    json.dump(base, open(f"{work}/{name}.json", "w"))
print(f"left: {len(left)} packages, right: {len(right)} packages")
PY
hyperfine -N --warmup 3 --runs "$runs" -i --export-json "$work/result.json" \
  ".build/release/rigcheck compare $work/left.json $work/right.json --format json" >&2
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"whole command (process start, read, parse, compare, JSON out): {r['mean']*1000:.1f} ms ± {r['stddev']*1000:.1f}")
PY
.build/release/CompareBenchmark "$work/left.json" "$work/right.json" 30
rm -rf "$work"
