# Shared by every check: one fact per line, `rc1<TAB>key<TAB>value`.
emit() {
  _value=$(printf '%s' "$2" | tr '\t\r\n' '   ' 2>/dev/null) || _value=$2
  printf 'rc1\t%s\t%s\n' "$1" "$_value"
}
# The image's own python3, if any.
RC_PYTHON=$(command -v python3 2>/dev/null)
