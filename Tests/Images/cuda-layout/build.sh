#!/bin/sh
# Prepares the cuda-layout build context: real ELF shared objects with NVIDIA's SONAMEs and
# file names (their code is a stub), headers with NVIDIA's version macros, an nvcc that
# prints what nvcc 12.4.131 prints, and the real nvidia-cuda-runtime-cu12 wheel.
set -eu
here=$(dirname "$0")
context="$1/context"
tree="$context/tree"
mkdir -p "$tree/usr/local/cuda-12.4/targets/x86_64-linux/lib" "$tree/usr/local/cuda-12.4/bin" \
  "$tree/usr/include" "$tree/usr/lib/x86_64-linux-gnu"
cp "$here/Dockerfile" "$context/"
stub() { # stub FILE SONAME
  printf 'int rigcheck_stub_%s(void) { return 0; }\n' "$(echo "$2" | tr -c 'a-z0-9\n' '_')" > "$1.c"
  cc -shared -fPIC -Wl,-soname,"$2" -o "$1" "$1.c" && rm "$1.c"
}
stub "$tree/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12.4.127" libcudart.so.12
ln -sf libcudart.so.12.4.127 "$tree/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12"
ln -s targets/x86_64-linux/lib "$tree/usr/local/cuda-12.4/lib64"
stub "$tree/usr/lib/x86_64-linux-gnu/libcudnn.so.9.1.0" libcudnn.so.9
ln -sf libcudnn.so.9.1.0 "$tree/usr/lib/x86_64-linux-gnu/libcudnn.so.9"
stub "$tree/usr/lib/x86_64-linux-gnu/libnccl.so.2.21.5" libnccl.so.2
ln -sf libnccl.so.2.21.5 "$tree/usr/lib/x86_64-linux-gnu/libnccl.so.2"
cat > "$tree/usr/include/cudnn_version.h" <<'H'
/* cudnn_version.h as shipped by libcudnn9-dev-cuda-12 9.1.0.70 (version macros only) */
#ifndef CUDNN_VERSION_H_
#define CUDNN_VERSION_H_

#define CUDNN_MAJOR 9
#define CUDNN_MINOR 1
#define CUDNN_PATCHLEVEL 0

#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)

#endif /* CUDNN_VERSION_H */
H
cat > "$tree/usr/include/nccl.h" <<'H'
/* nccl.h as shipped by libnccl-dev 2.21.5 (version macros only) */
#ifndef NCCL_H_
#define NCCL_H_

#define NCCL_MAJOR 2
#define NCCL_MINOR 21
#define NCCL_PATCH 5
#define NCCL_SUFFIX ""

#define NCCL_VERSION_CODE 22105
#define NCCL_VERSION(X,Y,Z) (((X) <= 2 && (Y) <= 8) ? (X) * 1000 + (Y) * 100 + (Z) : (X) * 10000 + (Y) * 100 + (Z))

#endif
H
cat > "$tree/usr/local/cuda-12.4/bin/nvcc" <<'H'
#!/bin/sh
# What nvcc 12.4.131 prints for --version.
cat <<'V'
nvcc: NVIDIA (R) Cuda compiler driver
Copyright (c) 2005-2024 NVIDIA Corporation
Built on Thu_Mar_28_02:18:24_PDT_2024
Cuda compilation tools, release 12.4, V12.4.131
Build cuda_12.4.r12.4/compiler.34097967_0
V
H
"$here/../fetch-wheel.sh" nvidia-cuda-runtime-cu12==12.4.127 "$context"
docker build -q --network none -t "$2" "$context" >/dev/null
