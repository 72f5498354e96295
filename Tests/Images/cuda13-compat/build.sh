#!/bin/sh
# Prepares the cuda13-compat build context: real ELF shared objects with NVIDIA's SONAMEs and file
# names (their code is a stub) for libcudart 13.0.96 and the cuda-compat-13-0 (580.95.05) libraries,
# with the symlinks the package installs.
set -eu
here=$(dirname "$0")
context="$1/context"
tree="$context/tree"
lib="$tree/usr/local/cuda-13.0/targets/x86_64-linux/lib"
compat="$tree/usr/local/cuda-13.0/compat"
mkdir -p "$lib" "$compat"
cp "$here/Dockerfile" "$context/"
stub() { # stub FILE SONAME
  printf 'int rigcheck_stub_%s(void) { return 0; }\n' "$(echo "$2" | tr -c 'a-z0-9\n' '_')" > "$1.c"
  cc -shared -fPIC -Wl,-soname,"$2" -o "$1" "$1.c" && rm "$1.c"
}
stub "$lib/libcudart.so.13.0.96" libcudart.so.13
ln -s libcudart.so.13.0.96 "$lib/libcudart.so.13"
ln -s targets/x86_64-linux/lib "$tree/usr/local/cuda-13.0/lib64"
for name in libcuda libcudadebugger libnvidia-nvvm libnvidia-ptxjitcompiler; do
  case $name in libcuda|libcudadebugger|libnvidia-ptxjitcompiler) soname=$name.so.1 ;; *) soname=$name.so.4 ;; esac
  stub "$compat/$name.so.580.95.05" "$soname"
  ln -s "$name.so.580.95.05" "$compat/$soname"
done
ln -s libcuda.so.1 "$compat/libcuda.so"
ln -s libnvidia-nvvm.so.4 "$compat/libnvidia-nvvm.so"
stub "$compat/libnvidia-gpucomp.so.580.95.05" libnvidia-gpucomp.so.580.95.05
stub "$compat/libnvidia-pkcs11-openssl3.so.580.95.05" libnvidia-pkcs11-openssl3.so.580.95.05
docker build -q --network none -t "$2" "$context" >/dev/null
