import Fingerprint

/// os.sh, read from files: the distribution (os-release), the architecture and the C library.
extension StaticFactCollector {
  /// Where glibc's `libc.so.6` lies on the distributions rigcheck meets (multiarch Debian and
  /// Ubuntu, lib64 Fedora/RHEL, plain /lib elsewhere).
  static let libcPatterns = [
    "/lib/*-linux-gnu*/libc.so.6", "/usr/lib/*-linux-gnu*/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6", "/lib/libc.so.6",
    "/usr/lib/libc.so.6",
  ]

  mutating func collectOS() {
    collectOSRelease()
    collectArchitecture()
    collectLibc()
  }

  /// `while IFS='=' read -r key val` over the first readable of /etc/os-release and
  /// /usr/lib/os-release: the value after the first `=`, one surrounding `"` removed; like
  /// `read`, a last line without a newline is not read.
  mutating func collectOSRelease() {
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
      guard let text = files.readText(path) else { continue }
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      lines.removeLast()  // after the last newline: nothing, or a line `read` does not return
      for line in lines {
        guard let equals = line.firstIndex(of: "=") else { continue }
        var value = line[line.index(after: equals)...]
        if value.hasPrefix("\"") { value = value.dropFirst() }
        if value.hasSuffix("\"") { value = value.dropLast() }
        switch line[..<equals] {
        case "ID": emit("os.id", String(value))
        case "VERSION_ID": emit("os.version_id", String(value))
        case "PRETTY_NAME": emit("os.pretty_name", String(value))
        default: break
        }
      }
      provenance["os"] = path
      return
    }
  }

  /// `uname -m` in a container is the kernel's machine, which for an image that runs at all is
  /// the image's architecture: read here from the image config, else from the ELF header of
  /// the image's `/bin/sh` (or its C library).
  mutating func collectArchitecture() {
    let files = self.files
    let elfMachine = ["/bin/sh", "/bin/busybox", "/usr/bin/env"].lazy.compactMap { path in
      files.readBytes(path, limit: 64).flatMap(ELFMachine.unameMachine(header:)).map { (path, $0) }
    }.first
    if let configArchitecture, let machine = ELFMachine.unameMachine(ociArchitecture: configArchitecture) {
      emit("arch", machine)
      provenance["arch"] = "image config architecture \(configArchitecture)"
      if let (path, elf) = elfMachine, elf != machine {
        notes.append("static inspection: the image config says \(configArchitecture) but \(path) is an ELF file for \(elf)")
      }
    } else if let (path, elf) = elfMachine {
      emit("arch", elf)
      provenance["arch"] = "ELF header of \(path)"
    }
  }

  /// The C library: musl's loader by name (as os.sh), glibc's version from `libc-X.Y.so`
  /// (glibc < 2.34 installs the library under that name, `libc.so.6` a link to it) or from the
  /// banner glibc compiles into libc.so.6 — csu/version.c: `"GNU C Library " PKGVERSION
  /// RELEASE " release version " VERSION` — the same version `getconf GNU_LIBC_VERSION` prints
  /// (confstr's `_CS_GNU_LIBC_VERSION` is `"glibc " VERSION`, posix/confstr.c).
  mutating func collectLibc() {
    for path in Self.libcPatterns.flatMap({ files.glob($0) }) {
      guard let real = files.real(path), files.isRegularFile(real) else { continue }
      let name = real.split(separator: "/").last.map(String.init) ?? real
      if name.hasPrefix("libc-"), name.hasSuffix(".so") {
        let version = name.dropFirst("libc-".count).dropLast(".so".count)
        if !version.isEmpty, version.allSatisfy({ $0.isNumber || $0 == "." }) {
          emit("libc.getconf", "glibc \(version)")
          provenance["libc"] = "file name \(real)"
          break
        }
      }
      let banners = files.scanStrings(real, startingWith: UInt8(ascii: "G"), maximumLength: 1000) { $0.hasPrefix("GNU C Library") }
      let versions = Set(banners.compactMap(Self.glibcReleaseVersion))
      if versions.count == 1, let version = versions.first {
        emit("libc.getconf", "glibc \(version)")
        provenance["libc"] = "version string in \(real)"
        break
      }
    }
    for path in files.glob("/lib/ld-musl-*.so.1") {
      emit("libc.musl", path)
      provenance["libc"] = provenance["libc"] ?? path
    }
  }

  /// `GNU C Library (Debian GLIBC 2.36-9+deb12u10) stable release version 2.36.` → `2.36`.
  static func glibcReleaseVersion(_ banner: String) -> String? {
    guard let marker = banner.firstRange(of: "release version ") else { return nil }
    let version = banner[marker.upperBound...].prefix { $0.isNumber || $0 == "." }
    let trimmed = version.hasSuffix(".") ? version.dropLast() : version
    return trimmed.contains(".") ? String(trimmed) : nil
  }
}
