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

docker run --rm -v "$binary:/rigcheck:ro" "$image" python3 - "$runs" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1])
commands = {
    "rigcheck inspect --runtime host": ["/rigcheck", "inspect", "--runtime", "host"],
    "python3 -m torch.utils.collect_env": [sys.executable, "-m", "torch.utils.collect_env"],
}
for argv in commands.values():  # warm-up, and proof that both work here
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
times = {name: [] for name in commands}
for _ in range(runs):
    for name, argv in commands.items():  # alternate, so drift hits both alike
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times[name].append(time.perf_counter() - start)
for name, values in times.items():
    print(f"{name}: median {statistics.median(values)*1000:.1f} ms (min {min(values)*1000:.1f}, max {max(values)*1000:.1f}, {runs} runs)")
rig = statistics.median(times["rigcheck inspect --runtime host"])
ref = statistics.median(times["python3 -m torch.utils.collect_env"])
print(f"collect_env / rigcheck: rigcheck is {ref/rig:.1f}x faster (target > 1x): {'PASS' if ref > rig else 'MISS'}")
PY
