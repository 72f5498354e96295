#!/bin/sh
# Benchmark: `rigcheck fleet` over N fingerprints (500 packages each, ~31 KB, generated from a
# real one: the H200 capture plus the CUDA test image, with controlled drift) against Python's
# C json module reading the same files (`json.load` of every file: the floor any tool that
# reads them pays), A/B in the same run, interleaved, median of RUNS runs, with peak RSS
# (/usr/bin/time). Target: fleet <= 2x json.load, memory flat in N. With RIGCHECK_BASELINE
# (another rigcheck binary, e.g. the previous release) that binary is timed in the same runs.
#   benchmarks/fleet.sh [N…]          (default: 2000 10000; ~31 MB of disk per 1,000 nodes)
# Environment: RUNS (default 5), RIGCHECK (a built binary; default: build release),
# RIGCHECK_BASELINE (optional binary to compare with).
set -eu
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
[ "$#" -gt 0 ] || set -- 2000 10000
if [ -z "${RIGCHECK:-}" ]; then
  swift build -c release --scratch-path .build-release --product rigcheck >&2
  RIGCHECK=.build-release/release/rigcheck
fi
if ! docker image inspect rigcheck-test/cuda-layout:current >/dev/null 2>&1; then
  scripts/setup.sh --tests
  scripts/start-docker.sh
  scripts/build-test-images.sh
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-fleet-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$RIGCHECK" fingerprint --root Tests/Fixtures/hosts/h200-ubuntu2404 --image rigcheck-test/cuda-layout:current -o "$work/base.json" >/dev/null
generate() { # generate COUNT DIR
  python3 - "$work/base.json" "$1" "$2" <<'PY'
import copy, json, os, sys
base_path, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
base = json.load(open(base_path))
python = base["identity"]["images"][0]["python"]["value"]
python["packages"] = sorted(python["packages"] + [{"name": f"package-{i:03d}", "version": f"1.{i % 40}.{i % 9}"} for i in range(499)], key=lambda p: p["name"])
for index in range(count):
    node = copy.deepcopy(base) if index % 100 in (7, 31, 77) else base
    if index % 100 == 7:   # 3% older driver
        node["identity"]["host"]["nvidia"]["kernelModule"]["value"]["version"] = "580.95.05"
    elif index % 100 == 31:  # 1% a downgraded package that matters
        node["identity"]["images"][0]["python"]["value"]["packages"][0]["version"] = "12.4.99"
    elif index % 100 == 77:  # 1% a missing GPU
        node["identity"]["host"]["pci"]["value"]["gpus"] = []
    node["machine"]["hostname"] = {"status": "present", "source": "file:/proc/sys/kernel/hostname", "value": f"gpu{index:05d}"}
    with open(f"{out}/gpu{index:05d}.json", "w") as handle:
        json.dump(node, handle, separators=(",", ":"), sort_keys=True)
PY
}
timed() { # timed LABEL COMMAND…: appends "LABEL seconds KiB" to $work/times
  label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/one" "$@" >/dev/null 2>&1 || true
  echo "$label $(tail -n 1 "$work/one")" >>"$work/times"
}
for nodes in "$@"; do
  dir="$work/nodes-$nodes"
  generate "$nodes" "$dir"
  : >"$work/times"
  for _ in $(seq "$runs"); do
    timed python python3 -c 'import json,sys,glob; [json.load(open(f)) for f in glob.glob(sys.argv[1]+"/*.json")]' "$dir"
    timed rigcheck "$RIGCHECK" fleet "$dir" --format json
    [ -z "${RIGCHECK_BASELINE:-}" ] || timed baseline "$RIGCHECK_BASELINE" fleet "$dir" --format json
  done
  python3 - "$work/times" "$nodes" "$(du -sm "$dir" | cut -f1)" "$runs" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
times = {}
for label, seconds, kib in rows:
    times.setdefault(label, []).append((float(seconds), int(kib)))
med = {label: (statistics.median(s for s, _ in v), max(k for _, k in v)) for label, v in times.items()}
print(f"== {sys.argv[2]} nodes, {sys.argv[3]} MB, median of {sys.argv[4]} runs")
py = med["python"][0]
for label, (seconds, kib) in med.items():
    print(f"  {label:9s} {seconds:6.2f} s  peak RSS {kib // 1024:5d} MiB  {seconds / py:5.2f}x python json.load")
if "baseline" in med:
    print(f"  rigcheck is {med['baseline'][0] / med['rigcheck'][0]:.1f}x faster than the baseline binary")
PY
  rm -rf "$dir"
done
