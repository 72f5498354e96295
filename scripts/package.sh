#!/bin/sh
# Builds the release binary with the Swift runtime linked in (--static-swift-stdlib) and
# packages it for users who do not build Swift:
#   dist/rigcheck_<version>_<arch>.deb          /usr/bin/rigcheck, man page, completions, deploy files
#   dist/rigcheck-<version>-linux-<arch>.tar.gz  the same files, relocatable
# The version is the one the binary reports (`rigcheck --version`, Sources/rigcheck/Version.swift);
# Depends is what dpkg-shlibdeps finds in the binary, not a list written by hand.
# Environment: RIGCHECK_MAINTAINER (the .deb's Maintainer), SOURCE_DATE_EPOCH (default: the
# last commit's time, so two runs on one commit give the same files), RIGCHECK_SCRATCH
# (the release build's scratch path, default .build-release, which scripts/test.sh reuses).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
scratch=${RIGCHECK_SCRATCH:-.build-release}
maintainer=${RIGCHECK_MAINTAINER:-rigcheck developers <rigcheck@example.org>}
homepage=${RIGCHECK_HOMEPAGE:-https://github.com/rigcheck/rigcheck}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
for tool in dpkg-deb dpkg-shlibdeps strip gzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "package: $tool not found (scripts/setup.sh --tests installs it)" >&2; exit 2; }
done

log="${TMPDIR:-/tmp}/rigcheck-package-build.log"
started=$(date +%s)
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product rigcheck >"$log" 2>&1 || {
  cat "$log" >&2; echo "package: release build failed" >&2; exit 1; }
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/rigcheck"
version=$("$bin" --version)
arch=$(dpkg --print-architecture)
echo "package: built rigcheck $version ($arch) in $(($(date +%s) - started)) s" >&2

# The man page: argument-parser's own generator (the tool its generate-manual plugin runs),
# from the definitions the binary dumps with --experimental-dump-help. Built from the same
# checkout of argument-parser the binary was built with.
parser="$scratch/checkouts/swift-argument-parser"
swift build -c release --package-path "$parser" --scratch-path "$scratch/generate-manual" --product generate-manual >"$log" 2>&1 || {
  cat "$log" >&2; echo "package: building argument-parser's generate-manual failed" >&2; exit 1; }
generate_manual="$(swift build -c release --package-path "$parser" --scratch-path "$scratch/generate-manual" --show-bin-path)/generate-manual"

work=$(mktemp -d "${TMPDIR:-/tmp}/rigcheck-package-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
stage="$work/stage"  # the installed tree, relative to /usr
mkdir -p "$stage/bin" "$stage/share/man/man1" "$stage/share/bash-completion/completions" \
  "$stage/share/zsh/vendor-completions" "$stage/share/fish/vendor_completions.d" \
  "$stage/share/rigcheck" "$stage/share/doc/rigcheck"

# Debian's dh_strip does the same to executables (debhelper's dh_strip, "strip
# --remove-section=.comment --remove-section=.note"); symbols are not needed to run.
strip --remove-section=.comment --remove-section=.note -o "$stage/bin/rigcheck" "$bin"
chmod 0755 "$stage/bin/rigcheck"
manual_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
"$generate_manual" "$stage/bin/rigcheck" --date "$manual_date" --section 1 -o "$work" >/dev/null
# A blank line in roff is an empty output line that groff warns about (lintian: groff-message);
# the paragraphs of our help texts become mdoc paragraph macros instead.
sed 's/^$/.Pp/' "$work/rigcheck.1" | gzip -9n >"$stage/share/man/man1/rigcheck.1.gz"
# bash-completion sources its files: no #! line (lintian: bash-completion-with-hashbang).
"$stage/bin/rigcheck" --generate-completion-script bash | sed '1{/^#!/d}' >"$stage/share/bash-completion/completions/rigcheck"
"$stage/bin/rigcheck" --generate-completion-script zsh >"$stage/share/zsh/vendor-completions/_rigcheck"
"$stage/bin/rigcheck" --generate-completion-script fish >"$stage/share/fish/vendor_completions.d/rigcheck.fish"
for dir in prometheus slurm kubernetes github; do cp -R "deploy/$dir" "$stage/share/rigcheck/$dir"; done
chmod 0755 "$stage/share/rigcheck/slurm/"*.sh
cp packaging/copyright "$stage/share/doc/rigcheck/copyright"
gzip -9n -c README.md >"$stage/share/doc/rigcheck/README.md.gz"
cp docs/install-and-operate.md "$stage/share/doc/rigcheck/install-and-operate.md"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "rigcheck ($version) unstable; urgency=medium"
  echo
  echo "  * Built by scripts/package.sh from commit $commit."
  echo
  echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$stage/share/doc/rigcheck/changelog.gz"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f ! -perm -u+x -exec chmod 0644 {} +

# Depends: dpkg-shlibdeps reads the binary's NEEDED entries and maps each library to the package
# (and minimum version) that provides it; it wants a debian/control beside it.
mkdir -p "$work/shlibs/debian"
printf 'Source: rigcheck\n\nPackage: rigcheck\nArchitecture: any\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$stage/bin/rigcheck" 2>"$work/shlibdeps.err") || {
  cat "$work/shlibdeps.err" >&2; echo "package: dpkg-shlibdeps failed" >&2; exit 1; }
depends=${depends#shlibs:Depends=}

deb="$work/deb"
mkdir -p "$deb/DEBIAN" "$deb/usr"
cp -R "$stage/." "$deb/usr/"
# The .deb's own lintian overrides (packaging/lintian-overrides says why each is one).
mkdir -p "$deb/usr/share/lintian/overrides"
install -m 0644 packaging/lintian-overrides "$deb/usr/share/lintian/overrides/rigcheck"
installed_size=$(du -sk --apparent-size "$deb/usr" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" -e "s|@HOMEPAGE@|$homepage|" \
  packaging/control.in >"$deb/DEBIAN/control"
(cd "$deb" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$deb/DEBIAN/md5sums"
chmod 0644 "$deb/DEBIAN/control" "$deb/DEBIAN/md5sums"
find "$deb" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p dist
deb_file="dist/rigcheck_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$deb_file" >/dev/null

# The tarball: the same files under rigcheck-<version>/, laid out like /usr (bin/, share/),
# plus README and the license when the repository has one.
name="rigcheck-$version"
mkdir -p "$work/tar/$name"
cp -R "$stage/." "$work/tar/$name/"
cp README.md "$work/tar/$name/README.md"
[ -f LICENSE ] && cp LICENSE "$work/tar/$name/LICENSE"
tar_file="dist/rigcheck-$version-linux-$arch.tar.gz"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -9n >"$tar_file"

echo "package: $root/$deb_file ($(du -k "$deb_file" | cut -f1) KiB, Depends: $depends)" >&2
echo "package: $root/$tar_file ($(du -k "$tar_file" | cut -f1) KiB)" >&2
echo "package: done in $(($(date +%s) - started)) s" >&2
