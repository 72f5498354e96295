#!/bin/sh
# Benchmark: `rigcheck inspect --runtime host` against PyTorch's own environment report,
# `python3 -m torch.utils.collect_env`, both run INSIDE the test image that has torch
# (rigcheck-test/torch:current; override with IMAGE=...), in one container, alternating,
# the release binary bind-mounted read-only. Medians of N runs each, printed as a ratio.
# Target: rigcheck faster than collect_env.
#   benchmarks/inspect-host-vs-collect-env.sh [runs]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-10}"
image="${IMAGE:-rigcheck-test/torch:current}"

docker image inspect "$image" >/dev/null 2>&1 || { echo "$image is missing: build the test images (scripts/test.sh)" >&2; exit 1; }
swift build -c release --static-swift-stdlib --scratch-path .build-release --product rigcheck >&2
binary="$(pwd)/.build-release/release/rigcheck"

# The image has no libpci (the binary's one run-time library beyond glibc/libstdc++): lend it
# the host's (Debian 12 both) in a directory of its own, named only for rigcheck's process.
libs="$(mktemp -d)"
trap 'rm -rf "$libs"' EXIT
ldd "$binary" | awk '/=> \// {print $3}' | grep -E 'libpci|libudev|libz' | xargs -I{} cp -L {} "$libs/"

docker run --rm -i -v "$binary:/rigcheck:ro" -v "$libs:/opt/rigcheck-libs:ro" "$image" python3 - "$runs" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1])
commands = {
    "rigcheck inspect --runtime host": ["env", "LD_LIBRARY_PATH=/opt/rigcheck-libs", "/rigcheck", "inspect", "--runtime", "host"],
    "python3 -m torch.utils.collect_env": [sys.executable, "-m", "torch.utils.collect_env"],
}
# torch 1.13's collect_env crashes at its pip step in an image without pip
# ('NoneType' object has no attribute 'splitlines', exit 1). It gathers the pip list first,
# so it then skips part of its work: its time is a lower bound, which only favours it.
# Its exit status is printed; rigcheck must succeed.
status = {}
for name, argv in commands.items():  # warm-up
    status[name] = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
assert status["rigcheck inspect --runtime host"] == 0, "rigcheck failed in the image"
times = {name: [] for name in commands}
for _ in range(runs):
    for name, argv in commands.items():  # alternate, so drift hits both alike
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
for name, values in times.items():
    print(f"{name}: median {statistics.median(values)*1000:.1f} ms (min {min(values)*1000:.1f}, max {max(values)*1000:.1f}, {runs} runs, exit {status[name]})")
rig = statistics.median(times["rigcheck inspect --runtime host"])
ref = statistics.median(times["python3 -m torch.utils.collect_env"])
print(f"collect_env / rigcheck: rigcheck is {ref/rig:.1f}x faster (target > 1x): {'PASS' if ref > rig else 'MISS'}")
PY
