#!/bin/sh
# Benchmark: `rigcheck fleet` over 10,000 fingerprints with 500 packages each, generated from a
# real one (the H200 capture plus the CUDA test image) with controlled drift, against the floor
# of only reading and decoding the files (benchmarks/ParseBenchmark). Reports wall time and
# peak memory, and the same for 1,000 nodes to show memory does not grow with the node count.
# Target: within 3x of the floor. Needs about 400 MB of disk under TMPDIR.
#   benchmarks/fleet-10000.sh [nodes]
set -eu
cd "$(dirname "$0")/.."
nodes="${1:-10000}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/build-test-images.sh
swift build -c release --static-swift-stdlib --product rigcheck >&2
swift build -c release --product ParseBenchmark >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-fleet-XXXXXX")
trap 'rm -rf "$work"' EXIT
.build/release/rigcheck fingerprint --root Tests/Fixtures/hosts/h200-ubuntu2404 --image rigcheck-test/cuda-layout:current -o "$work/base.json" >/dev/null
generate() { # generate COUNT DIR
  python3 - "$work/base.json" "$1" "$2" <<'PY'
import copy, json, os, sys
base_path, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
base = json.load(open(base_path))
python = base["identity"]["images"][0]["python"]["value"]
python["packages"] = sorted(python["packages"] + [{"name": f"package-{i:03d}", "version": f"1.{i % 40}.{i % 9}"} for i in range(499)], key=lambda p: p["name"])
drift = {"driver": 0.05, "package": 0.02, "gpu": 0.01}
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
measure() { # measure COUNT
  dir="$work/nodes-$1"
  generate "$1" "$dir"
  echo "== $1 nodes, $(du -sh "$dir" | cut -f1) on disk"
  .build/release/ParseBenchmark "$dir"
  /usr/bin/time -f "rigcheck fleet: %e s, peak RSS %M KiB" .build/release/rigcheck fleet "$dir" --format json >/dev/null 2>"$work/time.txt" || true
  tail -n 1 "$work/time.txt"
  rm -rf "$dir"
}
measure 1000
measure "$nodes"
