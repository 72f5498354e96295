# The distribution, architecture and C library.
for rc_file in /etc/os-release /usr/lib/os-release; do
  [ -r "$rc_file" ] || continue
  while IFS='=' read -r rc_key rc_val; do
    rc_val=${rc_val#\"}; rc_val=${rc_val%\"}
    case "$rc_key" in
      ID) emit os.id "$rc_val" ;;
      VERSION_ID) emit os.version_id "$rc_val" ;;
      PRETTY_NAME) emit os.pretty_name "$rc_val" ;;
    esac
  done < "$rc_file"
  break
done
emit arch "$(uname -m 2>/dev/null)"
rc_libc=$(getconf GNU_LIBC_VERSION 2>/dev/null) && emit libc.getconf "$rc_libc"
if command -v ldd >/dev/null 2>&1; then
  emit libc.ldd "$(ldd --version 2>&1 | head -n 1)"
fi
for rc_file in /lib/ld-musl-*.so.1; do
  [ -e "$rc_file" ] && emit libc.musl "$rc_file"
done
