#!/bin/sh
# Installs what rigcheck needs on a Debian/Ubuntu machine, and nothing that is already there.
#   scripts/setup.sh          build and run: libpci-dev, pci.ids, libssl-dev (HTTPS to registries),
#                             libarchive-dev (image layers)
#   scripts/setup.sh --tests  also what the tests use: Docker engine, a C compiler, setpriv,
#                             real consumers of our JUnit and Prometheus output, and
#                             what the test images are built with (debootstrap, busybox, pip),
#                             skopeo and zstd (OCI layouts and archives of the test images),
#                             and kubernetes-validate, check-jsonschema, cyclonedx-python-lib and
#                             packageurl-python (PyPI) in a venv under the user's cache
# The Swift toolchain (6.2 or newer) is not a Debian package: get it from swift.org.
set -eu

want_tests=false
[ "${1:-}" = "--tests" ] && want_tests=true

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "rigcheck setup: need root to install packages (no sudo found): $*" >&2; exit 2
  fi
}

if ! command -v swift >/dev/null 2>&1; then
  echo "rigcheck setup: no Swift toolchain on PATH. Install Swift 6.2 or newer from https://www.swift.org/install/linux/ and re-run." >&2
  exit 2
fi

missing=""
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing="$missing $1"; }
need libpci-dev
need pci.ids
need pkg-config
# HTTPS to container registries (docker://) and SHA-256 of downloaded blobs.
need libssl-dev
# tar, gzip and zstd image layers.
need libarchive-dev
if $want_tests; then
  need gcc
  need util-linux
  need python3-junitparser
  need python3-prometheus-client
  need python3-pip
  need python3-venv
  need debootstrap
  need busybox-static
  need podman
  need slurm-wlm
  need munge
  # Images at rest: a local registry (docker://) with htpasswd auth, skopeo and podman to fill it,
  # squashfs (Enroot .sqsh) and SIF (Apptainer) images.
  need docker-registry
  need apache2-utils
  need skopeo
  need squashfs-tools
  need siftool
  need python3-jwt
  need python3-cryptography
  # Packaging and operations (scripts/package.sh, PackagingTests, PrometheusIntegrationTests,
  # the Slurm health check tests): dpkg-shlibdeps, strip/objdump, lintian, man, and the real
  # consumers, promtool and node_exporter, scraped with curl.
  need dpkg-dev
  need binutils
  need lintian
  need man-db
  need prometheus
  need prometheus-node-exporter
  need curl
  need zstd
  # Benchmarks (benchmarks/*.sh): hyperfine runs both sides of each comparison in one run.
  need hyperfine
  command -v dockerd >/dev/null 2>&1 || need docker.io
fi

if [ -n "$missing" ]; then
  echo "rigcheck setup: installing$missing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# kubernetes-validate checks the DaemonSet against Kubernetes' own schemas, offline. It is not a
# Debian package: PyPI, into a virtual environment of its own (scripts/test.sh puts it on PATH).
if $want_tests; then
  tools="${XDG_CACHE_HOME:-$HOME/.cache}/rigcheck/tools"
  if [ ! -x "$tools/bin/kubernetes-validate" ]; then
    echo "rigcheck setup: installing kubernetes-validate into $tools"
    python3 -m venv "$tools" && "$tools/bin/python3" -m pip install --quiet kubernetes-validate
  fi
  # The official CycloneDX JSON schemas and their strict validator (the json-validation extra
  # brings jsonschema), and the reference purl implementation: the SBOM tests use both.
  if ! "$tools/bin/python3" -c 'import cyclonedx.validation.json, jsonschema, packageurl' 2>/dev/null; then
    echo "rigcheck setup: installing cyclonedx-python-lib and packageurl-python into $tools"
    "$tools/bin/python3" -m pip install --quiet "cyclonedx-python-lib[json-validation]>=8" packageurl-python
  fi
  # check-jsonschema validates action.yml against SchemaStore's action schema, which it vendors.
  if [ ! -x "$tools/bin/check-jsonschema" ]; then
    echo "rigcheck setup: installing check-jsonschema into $tools"
    "$tools/bin/python3" -m pip install --quiet check-jsonschema
  fi
fi
