#!/bin/sh
# debian-arm64: a minimal Debian 12 rootfs for arm64, unpacked by debootstrap's first stage
# (--foreign: nothing of the arm64 image runs on this machine), made a linux/arm64 image.
# `docker import --platform` needs a multi-platform daemon (Debian's 20.10 is not), so the
# one-layer OCI image is written here (image-spec manifest.md, config.md) and loaded with skopeo.
set -eu
work=$1
rootfs="$work/rootfs"
mirror=$(sed -n 's/^deb \(http[^ ]*\) bookworm main.*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^URIs: \(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# The second stage (which would run arm64 binaries) is never run: drop its package cache.
rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/debootstrap"

layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
blob() { # blob FILE: moves FILE into the layout, prints its sha256
  digest=$(sha256sum "$1" | cut -d' ' -f1)
  mv "$1" "$layout/blobs/sha256/$digest"
  echo "$digest"
}
size() { wc -c <"$layout/blobs/sha256/$1" | tr -d ' '; }
tar -C "$rootfs" --numeric-owner --sort=name -c . >"$work/layer.tar"
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n "$work/layer.tar"
layer=$(blob "$work/layer.tar.gz")
printf '{"architecture":"arm64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$diff_id" >"$work/config.json"
config=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config" "$(size "$config")" "$layer" "$(size "$layer")" >"$work/manifest.json"
manifest=$(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"arm64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"arm64"}}]}' \
  "$manifest" "$(size "$manifest")" >"$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
skopeo copy --quiet "oci:$layout:arm64" "docker-daemon:$2"
