#!/bin/sh
# Benchmark: `rigcheck inspect` of an image read from an OCI layout (oci:) and from a registry
# (docker://, the loopback registry of scripts/start-registry.sh) against the neutral yardstick,
# `skopeo copy` of the very same source to a `dir:` (skopeo reads every blob and checks its
# digest, but unpacks nothing), in one hyperfine run. rigcheck also unpacks every layer and
# reads the image's facts. MB/s are of the compressed blobs (what both read) and, for rigcheck,
# of the unpacked image (`docker image inspect .Size`).
#   benchmarks/images-at-rest-vs-skopeo.sh [IMAGE] [runs]   (default rigcheck-test/torch:current, 3)
# Disk: about 3x the image's size under $TMPDIR.
set -eu
cd "$(dirname "$0")/.."
image="${1:-rigcheck-test/torch:current}"
runs="${2:-3}"
scripts/setup.sh --tests
scripts/start-docker.sh
scripts/start-registry.sh >&2
swift build -c release --static-swift-stdlib --scratch-path .build-release --product rigcheck >&2
rigcheck="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)/rigcheck"
registry=$(sed -n 's/^OPEN=//p' "${RIGCHECK_REGISTRY_DIR:-${TMPDIR:-/tmp}/rigcheck-registry}/registry.env")
work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-bench-skopeo-XXXXXX")
trap 'rm -rf "$work"' EXIT
name=$(echo "$image" | sed 's|.*/||; s|:.*||')
pushed="$registry/rigcheck-bench/$name:current"
echo "preparing $image: skopeo copy to an OCI layout and to docker://$pushed…" >&2
skopeo copy -q "docker-daemon:$image" "oci:$work/layout:bench"
skopeo copy -q --dest-tls-verify=false "docker-daemon:$image" "docker://$pushed"
"$rigcheck" inspect "oci:$work/layout:bench" --json >/dev/null
"$rigcheck" inspect "docker://$pushed" --json >/dev/null
blobs=$(du -sb "$work/layout/blobs" | cut -f1)
unpacked=$(docker image inspect --format '{{.Size}}' "$image")
out="$work/hyperfine.json"
hyperfine --warmup 1 --runs "$runs" --export-json "$out" \
  -p true -n "rigcheck inspect oci:" "$rigcheck inspect oci:$work/layout:bench --json" \
  -p "rm -rf $work/copy-oci" -n "skopeo copy oci: dir:" "skopeo copy -q oci:$work/layout:bench dir:$work/copy-oci" \
  -p true -n "rigcheck inspect docker://" "$rigcheck inspect docker://$pushed --json" \
  -p "rm -rf $work/copy-registry" -n "skopeo copy docker:// dir:" "skopeo copy -q --src-tls-verify=false docker://$pushed dir:$work/copy-registry" >&2
echo "image $image: $blobs bytes of compressed blobs, $unpacked bytes unpacked; median of $runs runs"
python3 - "$out" "$blobs" "$unpacked" <<'PY'
import json, sys
blobs, unpacked = int(sys.argv[2]) / 1e6, int(sys.argv[3]) / 1e6
for r in json.load(open(sys.argv[1]))["results"]:
    seconds = r["median"]
    extra = f", {unpacked / seconds:6.1f} MB/s unpacked" if r["command"].startswith("rigcheck") else ""
    print(f"{r['command']:28} {seconds:7.2f} s  {blobs / seconds:6.1f} MB/s of blobs{extra}")
PY
