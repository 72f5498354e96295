#!/bin/sh
# Builds the test images of Tests/Images (see its README) and tags them
# rigcheck-test/NAME:current. Each image is cached by a hash of its recipe (and its
# parent's): an unchanged recipe reuses the image already built; a fresh machine builds all.
set -eu
cd "$(dirname "$0")/.."
images_dir=Tests/Images

recipe_hash() { # recipe_hash DIR... : hash of the recipe files
  find "$@" -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
}

build() { # build NAME RECIPE_DIR PARENT_HASH [VARIANT]
  name=$1; recipe=$2; parent=$3; variant=${4:-}
  hash=$( (recipe_hash "$images_dir/$recipe"; echo "$parent $variant") | sha256sum | cut -c1-16)
  tag="rigcheck-test/$name:$hash"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "test image $name: cached ($hash)" >&2
  else
    echo "test image $name: building ($hash)…" >&2
    work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-image-XXXXXX")
    if ! "$images_dir/$recipe/build.sh" "$work" "$tag" $variant; then
      rm -rf "$work"; echo "test image $name: build failed" >&2; exit 1
    fi
    rm -rf "$work"
  fi
  docker tag "$tag" "rigcheck-test/$name:current"
  last_hash=$hash
}

build busybox busybox ""
build debian-base debian-base ""
base=$last_hash
build torch torch "$base"
build cuda-layout cuda-layout "$base"
build cuda13-compat cuda13-compat "$base"
build torch-cuda torch-cuda "$base"
build venv-nopip venv-nopip "$base"
build debian-arm64 debian-arm64 ""
build hostile-flood hostile "" flood
build hostile-hang hostile "" hang

# Podman keeps its own image store: give it the images its tests use.
if command -v podman >/dev/null 2>&1; then
  CONTAINERS_CONF="$PWD/Tests/Images/podman/containers.conf"
  export CONTAINERS_CONF
  for name in busybox hostile-hang; do
    id=$(docker image inspect --format '{{.Id}}' "rigcheck-test/$name:current")
    if [ "$(podman image inspect --format '{{.Id}}' "rigcheck-test/$name:current" 2>/dev/null || true)" != "${id#sha256:}" ]; then
      docker save "rigcheck-test/$name:current" | podman load >/dev/null
      echo "test image $name: loaded into podman" >&2
    fi
  done
fi
