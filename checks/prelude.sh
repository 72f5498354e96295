# Shared by every check: one fact per line, `rc1<TAB>key<TAB>value`.
emit() {
  _value=$(printf '%s' "$2" | tr '\t\r\n' '   ' 2>/dev/null) || _value=$2
  printf 'rc1\t%s\t%s\n' "$1" "$_value"
}
# The image's own python3, if any.
RC_PYTHON=$(command -v python3 2>/dev/null)
# rc_new_file PATH: true the first time a file (after resolving links) is seen; sets RC_REAL.
RC_SEEN_FILES=" "
rc_new_file() {
  RC_REAL=$(readlink -f "$1" 2>/dev/null) || RC_REAL=$1
  [ -n "$RC_REAL" ] || RC_REAL=$1
  case "$RC_SEEN_FILES" in *" $RC_REAL "*) return 1 ;; esac
  RC_SEEN_FILES="$RC_SEEN_FILES$RC_REAL "
  return 0
}
