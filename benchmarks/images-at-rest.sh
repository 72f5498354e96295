#!/bin/sh
# Benchmark: reading an image at rest — skopeo's OCI layout (gzip layers), the same layout as an
# oci-archive (a tar of it, which is what skopeo's oci-archive: is), and `docker save` output
# (docker-archive:, uncompressed layers) — against GNU tar extracting the very same files in
# the same run (`tar -xf` of each layer blob into its own directory; for an archive, `tar -xf`
# of the archive first, as the reader does). rigcheck also checks every digest; tar checks none.
# Prints seconds, MB/s of unpacked file content and peak RSS (/usr/bin/time), median of RUNS.
#   benchmarks/images-at-rest.sh [IMAGE]     (default rigcheck-test/torch:current)
# Environment: RUNS (default 3). Disk: about 4x the image's size under $TMPDIR.
set -eu
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
image="${1:-rigcheck-test/torch:current}"
swift build -c release --static-swift-stdlib --scratch-path .build-release --product ImageSourcesBenchmark >&2
bench=$PWD/.build-release/release/ImageSourcesBenchmark
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-rest-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "preparing $image: skopeo copy to an OCI layout, a tar of it, docker save…" >&2
skopeo copy -q "docker-daemon:$image" "oci:$work/layout:bench"
tar -C "$work/layout" -cf "$work/image.oci.tar" .
docker save -o "$work/saved.tar" "$image"

# The yardstick: GNU tar (it recognises gzip and zstd by itself) on the same files.
cat >"$work/tar-layers.sh" <<'SH'
# tar-layers.sh LAYOUT OUT: every layer blob of the layout's first image, bottom first
n=0
for blob in $(python3 -c '
import json, sys
layout = sys.argv[1]
digest = json.load(open(layout + "/index.json"))["manifests"][0]["digest"].split(":")[1]
for layer in json.load(open(layout + "/blobs/sha256/" + digest))["layers"]:
    print(layout + "/blobs/sha256/" + layer["digest"].split(":")[1])' "$1"); do
  mkdir -p "$2/$n" && tar -xf "$blob" -C "$2/$n" && n=$((n + 1))
done
SH
cat >"$work/tar-oci.sh" <<SH
set -e; sh "$work/tar-layers.sh" "$work/layout" "$work/x"; rm -rf "$work/x"
SH
cat >"$work/tar-oci-archive.sh" <<SH
set -e; mkdir -p "$work/a"; tar -xf "$work/image.oci.tar" -C "$work/a"
sh "$work/tar-layers.sh" "$work/a" "$work/x"; rm -rf "$work/a" "$work/x"
SH
cat >"$work/tar-docker-archive.sh" <<SH
set -e; mkdir -p "$work/a"; tar -xf "$work/saved.tar" -C "$work/a"; n=0
for layer in \$(python3 -c 'import json,sys; print("\\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$work/a/manifest.json"); do
  mkdir -p "$work/x/\$n"; tar -xf "$work/a/\$layer" -C "$work/x/\$n"; n=\$((n + 1))
done
rm -rf "$work/a" "$work/x"
SH

: >"$work/times"
timed() { # timed LABEL COMMAND…: appends "LABEL seconds KiB" to $work/times
  label=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$work/one" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  echo "$label $(tail -n 1 "$work/one")" >>"$work/times"
}
for _ in $(seq "$runs"); do
  timed "rigcheck-oci" "$bench" "oci:$work/layout:bench"
  cut -d' ' -f2 "$work/out" >"$work/bytes"
  timed "tar-oci" sh "$work/tar-oci.sh"
  timed "rigcheck-oci-archive" "$bench" "oci-archive:$work/image.oci.tar:bench"
  timed "tar-oci-archive" sh "$work/tar-oci-archive.sh"
  timed "rigcheck-docker-archive" "$bench" "docker-archive:$work/saved.tar"
  timed "tar-docker-archive" sh "$work/tar-docker-archive.sh"
done
bytes=$(cat "$work/bytes")
echo "image $image: $(du -sb "$work/layout/blobs" | cut -f1) bytes of OCI blobs, $(stat -c %s "$work/saved.tar") bytes saved, $bytes bytes of files unpacked; median of $runs runs"
python3 - "$work/times" "$bytes" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, seconds, kib = line.split()
    rows.setdefault(label, []).append((float(seconds), int(kib)))
mb = int(sys.argv[2]) / 1e6
print(f"{'reader':26} {'seconds':>8} {'MB/s':>8} {'peak RSS':>10}")
for label, values in rows.items():
    seconds = statistics.median(v[0] for v in values)
    print(f"{label:26} {seconds:8.2f} {mb / seconds:8.1f} {max(v[1] for v in values) / 1024:8.1f} MB")
PY
