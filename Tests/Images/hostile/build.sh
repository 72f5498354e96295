#!/bin/sh
# hostile-flood / hostile-hang: FROM scratch, a static /bin/sh built from hostile.c.
set -eu
here=$(dirname "$0")
variant=$3
mkdir -p "$1/rootfs/bin"
flag=""; [ "$variant" = flood ] && flag=-DFLOOD
cc -static -O1 $flag -o "$1/rootfs/bin/sh" "$here/hostile.c"
tar -C "$1/rootfs" -c . | docker import - "$2" >/dev/null
