#!/bin/sh
# debian-base: a minimal Debian 12 rootfs from debootstrap, with python3.
set -eu
rootfs="$1/rootfs"
mirror=$(sed -n 's/^deb \(http[^ ]*\) bookworm main.*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^URIs: \(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
debootstrap --variant=minbase --include=python3 bookworm "$rootfs" "$mirror" >"$1/debootstrap.log" 2>&1 || {
  tail -n 20 "$1/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$2" >/dev/null
