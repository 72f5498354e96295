#!/bin/sh
# Benchmark: `rigcheck compare` on two fingerprints with 5,000 Python packages each, made from
# a real fingerprint (this host + the torch test image) with 4,980 generated packages and
# controlled drift (100 upgraded, 50 removed, 50 added). Target: < 50 ms for the comparison
# (timed in process by benchmarks/CompareBenchmark); the whole command is timed too, median of
# [runs], and with RIGCHECK_BASELINE (another rigcheck binary) A/B in the same runs, interleaved.
#   benchmarks/compare-5000-packages.sh [runs]
# Environment: RIGCHECK (a built binary; default: build release), RIGCHECK_BASELINE (optional).
set -eu
cd "$(dirname "$0")/.."
runs="${1:-30}"
if ! docker image inspect rigcheck-test/torch:current >/dev/null 2>&1; then
  scripts/setup.sh --tests
  scripts/start-docker.sh
  scripts/build-test-images.sh
fi
if [ -z "${RIGCHECK:-}" ]; then
  swift build -c release --scratch-path .build-release --product rigcheck >&2
  RIGCHECK=.build-release/release/rigcheck
fi
swift build -c release --scratch-path .build-release --product CompareBenchmark >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-compare-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$RIGCHECK" fingerprint --image rigcheck-test/torch:current -o "$work/base.json" >/dev/null
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
python3 - "$runs" "$work" "$RIGCHECK" "${RIGCHECK_BASELINE:-}" <<'PY'
import statistics, subprocess, sys, time
runs, work, binaries = int(sys.argv[1]), sys.argv[2], {"rigcheck": sys.argv[3]}
if sys.argv[4]:
    binaries["baseline"] = sys.argv[4]
times = {label: [] for label in binaries}
for run in range(runs + 3):  # 3 warm-up runs
    for label, binary in binaries.items():
        start = time.perf_counter()
        subprocess.run([binary, "compare", f"{work}/left.json", f"{work}/right.json", "--format", "json"], stdout=subprocess.DEVNULL)
        if run >= 3:
            times[label].append(time.perf_counter() - start)
for label, samples in times.items():
    print(f"whole command, {label} (process start, read, parse, compare, JSON out): median {statistics.median(samples)*1000:.1f} ms of {runs}")
if "baseline" in times:
    print(f"rigcheck is {statistics.median(times['baseline']) / statistics.median(times['rigcheck']):.1f}x faster than the baseline binary")
PY
.build-release/release/CompareBenchmark "$work/left.json" "$work/right.json" 30
