# cuDNN and NCCL: version headers and the versioned library files, every copy found.
rc_define() { sed -n "s/^#define $2 *\([0-9][0-9]*\).*/\1/p" "$1" 2>/dev/null | head -n 1; }
for rc_file in /usr/include/cudnn_version*.h /usr/include/*-linux-gnu/cudnn_version*.h \
  /usr/local/cuda*/include/cudnn_version*.h /usr/include/cudnn.h /usr/local/cuda*/include/cudnn.h; do
  [ -r "$rc_file" ] && rc_new_file "$rc_file" || continue
  rc_major=$(rc_define "$rc_file" CUDNN_MAJOR)
  [ -n "$rc_major" ] && emit cudnn.header "$rc_file: $rc_major.$(rc_define "$rc_file" CUDNN_MINOR).$(rc_define "$rc_file" CUDNN_PATCHLEVEL)"
done
for rc_file in /usr/include/nccl.h /usr/include/*-linux-gnu/nccl.h /usr/local/cuda*/include/nccl.h; do
  [ -r "$rc_file" ] && rc_new_file "$rc_file" || continue
  rc_major=$(rc_define "$rc_file" NCCL_MAJOR)
  [ -n "$rc_major" ] && emit nccl.header "$rc_file: $rc_major.$(rc_define "$rc_file" NCCL_MINOR).$(rc_define "$rc_file" NCCL_PATCH)"
done
for rc_lib in libcudnn libnccl; do
  rc_key=cudnn; [ "$rc_lib" = libnccl ] && rc_key=nccl
  for rc_file in /usr/lib/x86_64-linux-gnu/$rc_lib.so.* /usr/lib/aarch64-linux-gnu/$rc_lib.so.* /usr/lib64/$rc_lib.so.* \
    /usr/local/cuda*/lib64/$rc_lib.so.* /usr/local/cuda*/targets/*/lib/$rc_lib.so.* \
    /usr/lib/python3*/*-packages/nvidia/*/lib/$rc_lib.so.* /usr/local/lib/python3*/*-packages/nvidia/*/lib/$rc_lib.so.* \
    /opt/*/lib/python3*/site-packages/nvidia/*/lib/$rc_lib.so.*; do
    [ -f "$rc_file" ] && [ ! -L "$rc_file" ] && rc_new_file "$rc_file" && emit "$rc_key.library" "$RC_REAL"
  done
done
