#!/bin/sh
# busybox: Debian's static busybox and its applet links, nothing else.
set -eu
rootfs="$1/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
tar -C "$rootfs" -c . | docker import - "$2" >/dev/null
