#!/bin/bash
# Captures this host as a tree rigcheck reads with --root, redacted, into a tarball:
#   bash scripts/capture-host.sh [-o host-capture.tar.gz] [--no-redact]
# then, anywhere:  tar xzf host-capture.tar.gz && rigcheck doctor --root host-capture
#
# What it copies is what rigcheck's probes read (docs/node-health.md lists it): /proc (version,
# cpuinfo, meminfo, modules, this shell's mounts and cgroup, the NVIDIA driver's files), /etc
# (os-release, Docker/CDI/containers configuration), /sys (every PCI function's attributes,
# with links saved as small files holding their target, /sys/class/infiniband, cgroup
# controllers, the nvidia module's version), /dev/nvidia* names, the NVIDIA library links, the
# dpkg entries of the NVIDIA/CUDA/RDMA packages; and under captured/ the output of `dmesg`,
# `nvidia-smi -q -x`, `nvidia-smi -q`, `nvidia-smi topo -m`, `nvidia-smi nvlink -s`,
# `systemctl status nvidia-fabricmanager`, `ofed_info -s` and the NCCL/CUDA environment.
# A command that is not installed is skipped, and captured/SKIPPED.txt says so; every command
# runs under `timeout`, so a wedged driver cannot hang the capture.
#
# Redaction (unless --no-redact): the hostname (short and full) becomes REDACTED-HOST
# everywhere, GPU UUIDs become GPU-00000000-0000-4000-8000-00000000000N (N: order of first
# appearance, so files stay consistent), serial numbers zeros, MAC addresses 00:00:00:00:00:00,
# IPv4 addresses 0.0.0.0, and environment values of names with KEY/TOKEN/SECRET/PASSWORD
# REDACTED-TOKEN. Exit status: 0 when the tarball was written, 2 on bad arguments, 1 when it
# could not be written.
set -u
umask 022

OUTPUT=host-capture.tar.gz
REDACT=1
while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || { echo "capture-host.sh: -o needs a file name" >&2; exit 2; }; OUTPUT=$2; shift 2 ;;
    --no-redact) REDACT=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "capture-host.sh: unknown argument: $1 (usage: capture-host.sh [-o FILE.tar.gz] [--no-redact])" >&2; exit 2 ;;
  esac
done
case "$OUTPUT" in /*) ;; *) OUTPUT=$PWD/$OUTPUT ;; esac
NAME=$(basename "$OUTPUT"); NAME=${NAME%.tar.gz}; NAME=${NAME%.tgz}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/capture-host.XXXXXX") || { echo "capture-host.sh: cannot create a temporary directory" >&2; exit 1; }
trap 'rm -rf "$WORK"' EXIT
T=$WORK/$NAME
mkdir -p "$T/captured"
SKIPPED=$T/captured/SKIPPED.txt
: > "$SKIPPED"
TIMEOUT=${CAPTURE_TIMEOUT:-20}

# copy FILE: the file's bytes at the same path under the tree (sysfs files report a size of
# 4096 whatever they hold, so they are read, not copied by size).
copy() {
  local source=$1
  [ -r "$source" ] && [ -f "$source" ] || return 0
  mkdir -p "$T$(dirname "$source")"
  head -c 4194304 "$source" > "$T$source" 2>/dev/null || rm -f "$T$source"
}

# link PATH: a symbolic link saved as a small file holding its target (HostRoot reads both).
link() {
  local path=$1 target
  target=$(readlink "$path") || return 0
  mkdir -p "$T$(dirname "$path")"
  printf '%s' "$target" > "$T$path"
}

# run NAME FILE COMMAND...: the command's output (stdout and stderr) into captured/FILE, or a
# line in SKIPPED.txt when it is not installed or fails.
run() {
  local name=$1 file=$2; shift 2
  if ! command -v "$1" > /dev/null 2>&1; then
    echo "$name: $1 is not installed" >> "$SKIPPED"
    return 0
  fi
  timeout "$TIMEOUT" "$@" > "$T/captured/$file" 2>&1
  local status=$?
  if [ $status -eq 124 ]; then
    echo "$name: did not finish within ${TIMEOUT} s (killed)" >> "$SKIPPED"
  elif [ $status -ne 0 ]; then
    echo "$name: exited with $status (output kept in captured/$file)" >> "$SKIPPED"
  fi
}

# --- /proc and /etc
for f in /proc/version /proc/cpuinfo /proc/meminfo /proc/modules /proc/sys/kernel/osrelease /proc/sys/kernel/arch \
  /proc/driver/nvidia/version /proc/driver/nvidia/params /etc/os-release /usr/lib/os-release /etc/docker/daemon.json \
  /etc/containers/containers.conf /etc/containers/storage.conf; do
  copy "$f"
done
for f in /proc/driver/nvidia/gpus/*/information /etc/cdi/* /var/run/cdi/*; do copy "$f"; done
# This shell's view of mounts and cgroups: rigcheck reads /proc/self/* in a captured tree.
mkdir -p "$T/proc/self"
cat /proc/self/mounts > "$T/proc/self/mounts" 2>/dev/null
cat /proc/self/cgroup > "$T/proc/self/cgroup" 2>/dev/null
echo REDACTED-HOST > "$T/etc/hostname"
# Container markers (empty files: only their presence is read).
for marker in /.dockerenv /run/.containerenv; do [ -e "$marker" ] && mkdir -p "$T$(dirname "$marker")" && : > "$T$marker"; done
[ $REDACT -eq 0 ] && hostname > "$T/etc/hostname" 2>/dev/null

# --- /sys: PCI functions, RDMA devices, cgroup controllers, the nvidia module
for device in /sys/bus/pci/devices/*; do
  [ -e "$device" ] || continue
  link "$device"
  real=$(readlink -f "$device")
  for attribute in vendor device class subsystem_vendor subsystem_device revision numa_node local_cpulist irq enable \
    power_state d3cold_allowed resource modalias uevent current_link_speed current_link_width max_link_speed max_link_width config; do
    copy "$real/$attribute"
  done
  [ -L "$real/driver" ] && link "$real/driver" && mkdir -p "$T/sys/bus/pci/drivers/$(basename "$(readlink "$real/driver")")" \
    && touch "$T/sys/bus/pci/drivers/$(basename "$(readlink "$real/driver")")/.keep"
done
for rdma in /sys/class/infiniband/*; do
  [ -e "$rdma" ] || continue
  name=$(basename "$rdma")
  mkdir -p "$T/sys/class/infiniband/$name"
  [ -L "$rdma/device" ] && link "$rdma/device"
  copy "$rdma/node_type"
  for port in "$rdma"/ports/*; do
    for attribute in state phys_state rate link_layer; do
      source=$port/$attribute
      [ -r "$source" ] || continue
      mkdir -p "$T/sys/class/infiniband/$name/ports/$(basename "$port")"
      cat "$source" > "$T/sys/class/infiniband/$name/ports/$(basename "$port")/$attribute" 2>/dev/null
    done
  done
done
for f in /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max /sys/module/nvidia/version \
  /sys/module/nvidia_peermem/version; do
  copy "$f"
done
# cgroup v1: the cpu and memory hierarchies' limits (at their root; the group of this shell too).
for controller in cpu memory; do
  [ -d "/sys/fs/cgroup/$controller" ] || continue
  group=$(awk -F: -v c="$controller" '{ n = split($2, list, ","); for (i = 1; i <= n; i++) if (list[i] == c) print $3 }' /proc/self/cgroup)
  for directory in "/sys/fs/cgroup/$controller" "/sys/fs/cgroup/$controller${group:-}"; do
    mkdir -p "$T$directory"
    for f in cpu.cfs_quota_us cpu.cfs_period_us memory.limit_in_bytes; do copy "$directory/$f"; done
  done
done

# --- the C library: only its version banner, the one thing rigcheck reads from libc.so.6
for directory in /lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /lib64 /usr/lib64; do
  [ -e "$directory/libc.so.6" ] || continue
  mkdir -p "$T$directory"
  grep -aoE 'GNU C Library[^[:cntrl:]]*version [0-9.]+' "$directory/libc.so.6" | head -n 1 > "$T$directory/libc.so.6"
  break
done
for loader in /lib/ld-musl-*; do [ -e "$loader" ] && mkdir -p "$T/lib" && : > "$T$loader"; done

# --- /dev: the NVIDIA nodes' names (empty files) and their /dev/char links
mkdir -p "$T/dev"
for node in /dev/nvidia* /dev/nvidia-caps/* /dev/dxg; do
  [ -e "$node" ] || continue
  mkdir -p "$T$(dirname "$node")"
  [ -d "$node" ] && { mkdir -p "$T$node"; continue; }
  : > "$T$node"
done
for char in /dev/char/*; do
  case "$(readlink "$char" 2>/dev/null)" in *nvidia*) link "$char" ;; esac
done

# --- the NVIDIA libraries' links (names only, never the libraries)
for directory in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /lib/x86_64-linux-gnu /lib64 /usr/lib/wsl/lib; do
  for library in "$directory"/libnvidia-ml.so.1 "$directory"/libcuda.so.1; do
    [ -e "$library" ] || continue
    if [ -L "$library" ]; then link "$library"; else mkdir -p "$T$directory" && : > "$T$library"; fi
  done
done
for binary in nv-fabricmanager nvidia-smi nvidia-ctk nvidia-container-runtime; do
  path=$(command -v "$binary" 2>/dev/null) || continue
  mkdir -p "$T$(dirname "$path")" && : > "$T$path"
done

# --- dpkg: the stanzas of the packages rigcheck reads (NVIDIA, CUDA, RDMA, MOFED)
if [ -r /var/lib/dpkg/status ]; then
  mkdir -p "$T/var/lib/dpkg"
  awk 'BEGIN { RS = ""; ORS = "\n\n" } /^Package: (nvidia|libnvidia|cuda|rdma-core|ibverbs|libibverbs|mlnx|ofed|libc6\n)/' \
    /var/lib/dpkg/status > "$T/var/lib/dpkg/status"
fi

# --- commands, each under a deadline
run "dmesg" dmesg.txt dmesg
if [ -s "$SKIPPED" ] && grep -q '^dmesg:' "$SKIPPED" && command -v journalctl > /dev/null 2>&1; then
  run "journalctl -k" dmesg.txt journalctl -k -b --no-pager -o short-monotonic
fi
run "nvidia-smi -q -x" nvidia-smi-q.xml nvidia-smi -q -x
run "nvidia-smi -q" nvidia-smi-q.txt nvidia-smi -q
run "nvidia-smi topo -m" nvidia-smi-topo-m.txt nvidia-smi topo -m
run "nvidia-smi nvlink -s" nvidia-smi-nvlink-s.txt nvidia-smi nvlink -s
run "systemctl status nvidia-fabricmanager" systemctl-status-nvidia-fabricmanager.txt systemctl status nvidia-fabricmanager --no-pager
run "ofed_info -s" ofed_info-s.txt ofed_info -s
# An nvidia-smi -q -x that failed is not a report: keep its message beside, not in its place.
if [ -f "$T/captured/nvidia-smi-q.xml" ] && ! grep -q '<nvidia_smi_log>' "$T/captured/nvidia-smi-q.xml"; then
  mv "$T/captured/nvidia-smi-q.xml" "$T/captured/nvidia-smi-q.xml.failed"
fi
[ -f "$T/captured/ofed_info-s.txt" ] && grep -q '^ofed_info -s:' "$SKIPPED" && rm -f "$T/captured/ofed_info-s.txt"
# The environment's NCCL/CUDA settings (rigcheck's allowlist).
env | grep -E '^(NCCL_[A-Za-z0-9_]*|CUDA_VISIBLE_DEVICES|CUDA_DEVICE_ORDER|CUDA_DEVICE_MAX_CONNECTIONS|CUDA_LAUNCH_BLOCKING|CUDA_MODULE_LOADING|NVIDIA_VISIBLE_DEVICES|NVIDIA_DRIVER_CAPABILITIES|TORCH_NCCL_ASYNC_ERROR_HANDLING|TORCH_NCCL_BLOCKING_WAIT|UCX_NET_DEVICES)=' \
  | sort > "$T/captured/environment.txt"
{
  echo "# capture-host.sh"
  echo "captured: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "redacted: $([ $REDACT -eq 1 ] && echo yes || echo no)"
} > "$T/captured/CAPTURE.txt"

# --- redaction, over every regular file of the tree
if [ $REDACT -eq 1 ]; then
  short=$(hostname -s 2>/dev/null || hostname 2>/dev/null || true)
  full=$(hostname -f 2>/dev/null || true)
  # GPU UUIDs in order of first appearance (the nvidia-smi report first, then the driver's files).
  uuids=$( { cat "$T/captured/nvidia-smi-q.xml" 2>/dev/null; cat "$T"/proc/driver/nvidia/gpus/*/information 2>/dev/null; \
    grep -rhoE 'GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' "$T" 2>/dev/null; } \
    | grep -oE 'GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' | awk '!seen[$0]++')
  script=$WORK/redact.sed
  : > "$script"
  index=0
  for uuid in $uuids; do
    index=$((index + 1))
    printf 's/%s/GPU-00000000-0000-4000-8000-%012d/g\n' "$uuid" "$index" >> "$script"
  done
  escape() { printf '%s' "$1" | sed 's/[][\.*^$/]/\\&/g'; }
  [ -n "$full" ] && [ "${#full}" -ge 3 ] && printf 's/\\b%s\\b/REDACTED-HOST/Ig\n' "$(escape "$full")" >> "$script"
  [ -n "$short" ] && [ "${#short}" -ge 3 ] && printf 's/\\b%s\\b/REDACTED-HOST/Ig\n' "$(escape "$short")" >> "$script"
  cat >> "$script" <<'SED'
s/<serial>[^<]*<\/serial>/<serial>0000000000000<\/serial>/g
s/\(<chassis_serial_number>\)[^<]*\(<\/chassis_serial_number>\)/\1N\/A\2/g
s/\(Serial Number *: \).*/\1 0000000000000/
s/\b[0-9a-fA-F]\{2\}\(:[0-9a-fA-F]\{2\}\)\{5\}\b/00:00:00:00:00:00/g
s/\b\([0-9]\{1,3\}\.\)\{3\}[0-9]\{1,3\}\b/0.0.0.0/g
s/^\([A-Z_]*\(KEY\|TOKEN\|SECRET\|PASSWORD\|PASSWD\|CREDENTIAL\|AUTH\)[A-Z_]*\)=.*/\1=REDACTED-TOKEN/
SED
  find "$T" -type f ! -name config ! -path '*/sys/bus/pci/devices/*' -print0 | xargs -0 -r sed -i -f "$script"
fi

tar czf "$OUTPUT" -C "$WORK" "$NAME" || { echo "capture-host.sh: cannot write $OUTPUT" >&2; exit 1; }
echo "wrote $OUTPUT ($(grep -c . "$SKIPPED") command(s) skipped: see $NAME/captured/SKIPPED.txt)"
echo "read it with: tar xzf $(basename "$OUTPUT") && rigcheck doctor --root $NAME"
