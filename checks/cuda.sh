# The CUDA toolkit: version.json (absent on recent apt installs), version.txt, nvcc, and the
# libcudart files actually present.
for rc_root in /usr/local/cuda /usr/local/cuda-[0-9]*; do
  [ -d "$rc_root" ] || continue
  rc_new_file "$rc_root" || continue
  if [ -r "$rc_root/version.json" ]; then
    rc_ver=$(sed -n '/"cuda" *:/,/}/s/.*"version" *: *"\([^"]*\)".*/\1/p' "$rc_root/version.json" 2>/dev/null | head -n 1)
    [ -n "$rc_ver" ] && emit cuda.version_json "$rc_root/version.json: $rc_ver"
  fi
  if [ -r "$rc_root/version.txt" ]; then
    emit cuda.version_txt "$rc_root/version.txt: $(head -n 1 "$rc_root/version.txt")"
  fi
done
for rc_nvcc in $(command -v nvcc 2>/dev/null) /usr/local/cuda/bin/nvcc; do
  [ -x "$rc_nvcc" ] || continue
  rc_release=$("$rc_nvcc" --version 2>/dev/null | grep -o 'release [^,]*, V[0-9.]*' | head -n 1)
  [ -n "$rc_release" ] && emit cuda.nvcc "$rc_nvcc: $rc_release"
  break
done
for rc_file in /usr/local/cuda*/lib64/libcudart.so.* /usr/local/cuda*/targets/*/lib/libcudart.so.* \
  /usr/lib/x86_64-linux-gnu/libcudart.so.* /usr/lib/aarch64-linux-gnu/libcudart.so.* /usr/lib64/libcudart.so.* \
  /usr/lib/python3*/*-packages/nvidia/cuda_runtime/lib/libcudart.so.* \
  /usr/local/lib/python3*/*-packages/nvidia/cuda_runtime/lib/libcudart.so.* \
  /opt/*/lib/python3*/site-packages/nvidia/cuda_runtime/lib/libcudart.so.*; do
  [ -f "$rc_file" ] && [ ! -L "$rc_file" ] && rc_new_file "$rc_file" && emit cuda.library "$RC_REAL"
done
# The cuda-compat package's libcuda (forward compatibility), as NVIDIA's images install it:
# /usr/local/cuda-X.Y/compat/libcuda.so.<driver version>.
for rc_file in /usr/local/cuda*/compat/libcuda.so.*; do
  [ -f "$rc_file" ] && [ ! -L "$rc_file" ] && rc_new_file "$rc_file" && emit cuda.compat "$RC_REAL"
done
