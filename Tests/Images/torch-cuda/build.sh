#!/bin/sh
# torch-cuda: debian-base + PyPI's real CUDA PyTorch, torch 2.5.1 (+cu124), with the real
# nvidia-* wheels it depends on (cuDNN 9.1.0.70, NCCL 2.21.5, cuBLAS 12.4.5.8, CUDA runtime
# 12.4.127, …) and triton 3.1.0, installed by pip into the virtual environment /opt/venv.
#
# The wheels (about 2.9 GB) are downloaded on this machine into a cache outside the repository
# (pip checks them against requirements.txt's hashes and reuses those already there), then
# bind-mounted read-only into a container without network that installs them; the container is
# committed as the image. (This Docker's builder has no RUN --mount, and a COPY would keep the
# wheels in a layer of the image.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
wheels=${RIGCHECK_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rigcheck/wheels}
mkdir -p "$wheels"
python3 -m pip download --quiet --no-deps --require-hashes --only-binary=:all: --platform manylinux2014_x86_64 \
  --python-version 3.11 --implementation cp -d "$wheels" -r "$here/requirements.txt" >&2
container=rigcheck-build-torch-cuda-$$
trap 'docker rm -f "$container" >/dev/null 2>&1 || true' EXIT
docker run --name "$container" --network none -v "$wheels:/wheels:ro" -v "$here:/recipe:ro" \
  rigcheck-test/debian-base:current sh /recipe/install.sh >"$1/install.log" 2>&1 || {
  tail -n 20 "$1/install.log" >&2; exit 1; }
docker commit \
  --change 'ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' "$container" "$2" >/dev/null
