#!/bin/sh
# Fuzzes every parser with libFuzzer (coverage-guided, AddressSanitizer), starting from the
# real captures in Tests/Fixtures. Prints, per parser, the inputs tried and crashes found, and
# exits 1 on any crash (the crashing input is kept under the work directory).
#   scripts/fuzz.sh [seconds per parser]     (default 5: the short run CI does)
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-5}"
scripts/setup.sh
# gold cannot link the sanitized runtime here; the toolchain's lld can.
swift build --scratch-path .build-fuzz -c debug --product FuzzParsers \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld 2>&1 \
  | grep -v 'Cannot export local symbol' >&2
fuzzer=.build-fuzz/debug/FuzzParsers
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-fuzz-XXXXXX")
hosts=Tests/Fixtures/hosts
seeds=Tests/Fixtures/fuzz-seeds
capture=$hosts/h200-ubuntu2404
swift build --product rigcheck >&2
.build/debug/rigcheck fingerprint --root "$capture" -o "$work/h200.json" >/dev/null
.build/debug/rigcheck fingerprint --root "$capture" --redact -o "$work/h200-redacted.json" >/dev/null

corpus() { # corpus TARGET FILE…
  mkdir -p "$work/corpus/$1"
  target=$1; shift
  for file in "$@"; do [ -f "$file" ] && cp "$file" "$work/corpus/$target/$(echo "$file" | tr '/' '_')"; done
}
corpus json-tree "$work/h200.json" "$hosts/docker-no-nvidia-runtime/overlay/captured/commands/docker-info.json"
corpus fingerprint "$work/h200.json" "$work/h200-redacted.json"
corpus policy "$seeds"/policy/*
corpus inspection "$seeds"/inspection/*
corpus nvidia-require "$seeds"/nvidia-require/*
corpus os-release "$capture/etc/os-release"
corpus proc-version "$capture/proc/version"
corpus nvrm-version "$capture/proc/driver/nvidia/version"
corpus meminfo "$capture/proc/meminfo"
corpus mounts "$seeds"/mounts/*
corpus cgroup-cpu "$seeds"/cgroup-cpu/*
corpus nvidia-smi-xml "$capture/captured/nvidia-smi-q.xml"
corpus cdi-yaml "$hosts/cdi-only/overlay/etc/cdi/nvidia.yaml"
corpus pep440 "$seeds"/pep440/*
corpus numeric-version "$seeds"/numeric-version/*
corpus torch-arch "$seeds"/torch-arch/*
corpus daemon-json "$hosts/docker-no-nvidia-runtime/overlay/etc/docker/daemon.json"
corpus image-inspect "$hosts/docker-no-nvidia-runtime/overlay/captured/commands/docker-info.json"
corpus node-health "$hosts/hgx-xid/overlay/captured/dmesg.txt" "$hosts/hgx-fm-stopped/overlay/captured/nvidia-smi-nvlink-s.txt" \
  "$hosts/hgx-h200-8gpu/overlay/var/lib/dpkg/status" "$hosts/hgx-h200-8gpu/overlay/captured/systemctl-status-nvidia-fabricmanager.txt"
corpus oci-documents "$seeds"/oci-documents/*

failed=0
printf '%-16s %12s %8s\n' parser inputs crashes
for target in json-tree fingerprint policy inspection nvidia-require os-release proc-version nvrm-version meminfo \
  mounts cgroup-cpu nvidia-smi-xml cdi-yaml pep440 numeric-version torch-arch daemon-json image-inspect node-health oci-documents; do
  mkdir -p "$work/artifacts/$target"
  status=0
  RIGCHECK_FUZZ_TARGET=$target "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/artifacts/$target/" "$work/corpus/$target" >"$work/$target.log" 2>&1 || status=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$target.log" | tail -n 1)
  crashes=$(ls "$work/artifacts/$target" | wc -l)
  printf '%-16s %12s %8s\n' "$target" "${runs:-?}" "$crashes"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "  crash in $target: see $work/$target.log and $work/artifacts/$target" >&2
  fi
done
[ "$failed" -eq 0 ] && rm -rf "$work"
exit "$failed"
