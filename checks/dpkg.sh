# Debian packages (dpkg's database): one `os.package` per configured package, in the words of
# `dpkg-query -W -f '${Package}==${Version} ${Architecture} ${source:Package} ${source:Version}'`
# (a missing Source is the package itself; `Source: NAME (VERSION)` carries the source version).
# The file is read, not dpkg-query run, so an image without dpkg-query (and a static reading of
# the same file, DpkgStatus.facts in Swift) gives the same facts.
rc_status=/var/lib/dpkg/status
[ -r "$rc_status" ] || exit 0
emit os.dpkg_database "$rc_status"
command -v awk >/dev/null 2>&1 || { emit os.dpkg_error "no awk to read $rc_status"; exit 0; }
awk '
function flush() {
  # Configured packages only (dpkg(1), PACKAGE STATES): installed, or awaiting/pending triggers.
  if (name != "" && version != "" && (state == "installed" || state == "triggers-awaited" || state == "triggers-pending")) {
    if (source == "") source = name
    if (sourceVersion == "") sourceVersion = version
    if (arch == "") arch = "unknown"
    printf "rc1\tos.package\t%s==%s %s %s %s\n", name, version, arch, source, sourceVersion
  }
  name = ""; version = ""; arch = ""; source = ""; sourceVersion = ""; state = ""
}
/^[ \t]*$/ { flush(); next }
/^[ \t]/ { next }
{
  colon = index($0, ":")
  if (colon == 0) next
  field = tolower(substr($0, 1, colon - 1))
  value = substr($0, colon + 1)
  gsub(/^[ \t]+|[ \t]+$/, "", value)
  if (field == "package") name = value
  else if (field == "version") version = value
  else if (field == "architecture") arch = value
  else if (field == "status") { n = split(value, words, /[ \t]+/); state = (n == 3) ? words[3] : "" }
  else if (field == "source") {
    n = split(value, words, /[ \t]+/); source = words[1]
    if (n >= 2 && words[2] ~ /^\(.*\)$/) sourceVersion = substr(words[2], 2, length(words[2]) - 2)
  }
}
END { flush() }
' "$rc_status"
