#!/bin/sh
# Benchmark: wall time of `rigcheck fingerprint --json` (this host: Docker and Podman included)
# against one `docker info` CLI call, and against the shell pipeline a peer runs for the same
# facts (`docker info; podman info; lspci -vmm; nvidia-smi -q`, each where installed). All in
# one hyperfine run, same machine, same moment; medians; printed as ratios.
# Target: rigcheck <= 1.0x one `docker info`.
#   benchmarks/fingerprint-vs-docker-info.sh [runs]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-30}"

command -v hyperfine >/dev/null 2>&1 || {
  as_root=""; [ "$(id -u)" -eq 0 ] || as_root=sudo
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
}
docker info >/dev/null 2>&1 || { echo "the Docker daemon does not answer: start it (scripts/test.sh)" >&2; exit 1; }

# --static-swift-stdlib: the deployed form (and the one that also runs in a container).
swift build -c release --static-swift-stdlib --scratch-path .build-release --product rigcheck >&2
binary=.build-release/release/rigcheck

peer="docker info"
for tool in "podman info" "lspci -vmm" "nvidia-smi -q"; do
  command -v "${tool%% *}" >/dev/null 2>&1 && peer="$peer; $tool"
done
echo "peer pipeline: $peer" >&2

out="${TMPDIR:-/tmp}/rigcheck-bench-docker-info.json"
hyperfine --warmup 3 --runs "$runs" --export-json "$out" \
  -n rigcheck "$binary fingerprint --json" \
  -n docker-info "docker info" \
  -n peer-pipeline "$peer" >&2

python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rig, docker, peer = results["rigcheck"], results["docker-info"], results["peer-pipeline"]
for name, r in (("rigcheck fingerprint --json", rig), ("docker info", docker), ("peer pipeline", peer)):
    print(f"{name}: median {r['median']*1000:.1f} ms (mean {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f}, {len(r['times'])} runs)")
ratio = rig["median"] / docker["median"]
print(f"rigcheck / docker info: {ratio:.2f}x (target <= 1.0x): {'PASS' if ratio <= 1.0 else 'MISS'}")
print(f"rigcheck / peer pipeline: {rig['median'] / peer['median']:.2f}x")
PY
