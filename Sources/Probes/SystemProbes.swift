import Fingerprint

/// Probes for the kernel, distribution, C library, CPU, memory, /dev/shm and hostname.
enum SystemProbes {
  /// Reads `/proc/sys/kernel/osrelease` and `/proc/version`; the architecture from uname(2)
  /// on a live host, `/proc/sys/kernel/arch` in a captured tree.
  static func kernel(_ context: ProbeContext) -> Observed<KernelInfo> {
    let root = context.root
    let versionText: String?
    do {
      versionText = try root.read("/proc/version")
    } catch .notFound {
      versionText = nil
    } catch {
      return .unreadable(error.description, source: "file:/proc/version")
    }
    let parsed = versionText.flatMap(parseProcVersion)
    let release = root.readValue("/proc/sys/kernel/osrelease") ?? parsed?.release
    guard let release else {
      return .absent("neither /proc/sys/kernel/osrelease nor /proc/version exists", source: "file:/proc/version")
    }
    let architecture = root.isLive ? Platform.machineArchitecture() : root.readValue("/proc/sys/kernel/arch")
    let source = root.exists("/proc/sys/kernel/osrelease") ? "file:/proc/sys/kernel/osrelease,/proc/version" : "file:/proc/version"
    return .present(KernelInfo(release: release, version: parsed?.build, architecture: architecture), from: source)
  }

  /// Splits `Linux version 6.1.0-28-amd64 (debian-kernel@…) (gcc …) #1 SMP …` into the
  /// release and the `#…` build string.
  static func parseProcVersion(_ text: String) -> (release: String, build: String?)? {
    let line = text.split(separator: "\n").first.map(String.init) ?? ""
    guard line.hasPrefix("Linux version ") else { return nil }
    let rest = line.dropFirst("Linux version ".count)
    guard let release = rest.split(separator: " ").first else { return nil }
    let build = rest.firstRange(of: " #").map { String(rest[rest.index(after: $0.lowerBound)...]).trimmed }
    return (String(release), build)
  }

  /// Reads os-release(5): `/etc/os-release`, falling back to `/usr/lib/os-release`.
  static func osRelease(_ context: ProbeContext) -> Observed<OSRelease> {
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
      let text: String
      do {
        text = try context.root.read(path)
      } catch .notFound {
        continue
      } catch {
        return .unreadable(error.description, source: "file:\(path)")
      }
      let fields = parseOSRelease(text)
      return .present(
        OSRelease(
          id: fields["ID"] ?? "linux", versionID: fields["VERSION_ID"], prettyName: fields["PRETTY_NAME"],
          versionCodename: fields["VERSION_CODENAME"],
          idLike: (fields["ID_LIKE"] ?? "").split(separator: " ").map(String.init)),
        from: "file:\(path)")
    }
    return .absent("neither /etc/os-release nor /usr/lib/os-release exists", source: "file:/etc/os-release")
  }

  /// Parses `KEY=value` lines with optional single or double quotes and backslash escapes.
  static func parseOSRelease(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for rawLine in text.split(separator: "\n") {
      let line = rawLine.trimmed
      guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
      let key = String(line[..<equals])
      guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
      var value = Substring(line[line.index(after: equals)...])
      if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
        value = value.dropFirst().dropLast()
      }
      var unescaped = ""
      var escaping = false
      for character in value {
        if escaping { unescaped.append(character); escaping = false } else if character == "\\" { escaping = true } else { unescaped.append(character) }
      }
      fields[key] = unescaped
    }
    return fields
  }

  /// The C library: confstr(3) on a live host; in a captured tree, the version string inside
  /// its libc.so.6 (glibc) or the name of its musl loader.
  static func libc(_ context: ProbeContext) -> Observed<LibcInfo> {
    if context.root.isLive, let running = Platform.runningLibc() {
      return .present(running, from: "confstr:_CS_GNU_LIBC_VERSION")
    }
    let directories = ["/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    for directory in directories {
      let path = directory + "/libc.so.6"
      if context.root.kind(of: path) == .file, let bytes = try? context.root.readBytes(path, limit: 16 << 20),
        let version = glibcVersion(inLibrary: bytes)
      {
        return .present(LibcInfo(name: "glibc", version: version), from: "file:\(path)")
      }
      if let names = try? context.root.list(directory),
        let loader = names.first(where: { $0.hasPrefix("ld-musl-") })
      {
        return .present(LibcInfo(name: "musl", version: "unknown"), from: "file:\(directory)/\(loader)")
      }
    }
    return .absent("no libc.so.6 or musl loader found in the tree", source: "file:/lib")
  }

  /// Finds `release version 2.36` in glibc's banner string.
  static func glibcVersion(inLibrary bytes: [UInt8]) -> String? {
    let marker = Array("GNU C Library".utf8)
    guard let start = bytes.firstRange(of: marker) else { return nil }
    let window = bytes[start.lowerBound..<min(bytes.count, start.lowerBound + 200)]
    let text = String(decoding: window.prefix(while: { $0 != 0 }), as: UTF8.self)
    guard let range = text.firstRange(of: "version ") else { return nil }
    var version = text[range.upperBound...].prefix(while: { $0.isNumber || $0 == "." })
    while version.hasSuffix(".") { version = version.dropLast() }
    return version.isEmpty ? nil : String(version)
  }

  /// The ISA extensions that decide which ML wheels and kernels run.
  static func isMLFlag(_ flag: Substring) -> Bool {
    flag.hasPrefix("avx") || flag.hasPrefix("amx") || flag.hasPrefix("sse4") || flag.hasPrefix("sve")
      || ["fma", "f16c", "bmi2", "popcnt", "asimd", "asimdhp", "bf16", "i8mm", "sha_ni", "vaes", "vpclmulqdq"].contains(flag)
  }

  /// Reads `/proc/cpuinfo`: model, vendor, logical cores, ML-relevant flags.
  static func cpu(_ context: ProbeContext) -> Observed<CPUInfo> {
    let text: String
    do {
      text = try context.root.read("/proc/cpuinfo")
    } catch .notFound {
      return .absent("/proc/cpuinfo does not exist", source: "file:/proc/cpuinfo")
    } catch {
      return .unreadable(error.description, source: "file:/proc/cpuinfo")
    }
    var model: String?
    var vendor: String?
    var processors = 0
    var flags = Set<String>()
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmed
      let value = line[line.index(after: colon)...].trimmed
      switch key {
      case "processor": processors += 1
      case "model name", "Model": if model == nil { model = value }
      case "vendor_id", "CPU implementer": if vendor == nil { vendor = value }
      case "flags", "Features":
        for flag in value.split(separator: " ") where isMLFlag(flag) { flags.insert(String(flag)) }
      default: break
      }
    }
    return .present(
      CPUInfo(model: model, vendor: vendor, logicalCores: processors, mlFlags: flags.sorted()),
      from: "file:/proc/cpuinfo")
  }

  /// Parses `/proc/meminfo` into bytes per key.
  static func parseMeminfo(_ text: String) -> [String: UInt64] {
    var values: [String: UInt64] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
      guard parts.count >= 2, let number = UInt64(parts[1]) else { continue }
      let multiplier: UInt64 = parts.count >= 3 && parts[2] == "kB" ? 1024 : 1
      values[String(parts[0])] = number &* multiplier
    }
    return values
  }

  /// Reads `/proc/meminfo`: MemTotal's nominal size for the identity; the exact MemTotal and
  /// MemAvailable as volatile readings.
  static func memory(_ context: ProbeContext) -> (Observed<MemoryInfo>, total: UInt64?, available: UInt64?) {
    let text: String
    do {
      text = try context.root.read("/proc/meminfo")
    } catch .notFound {
      return (.absent("/proc/meminfo does not exist", source: "file:/proc/meminfo"), nil, nil)
    } catch {
      return (.unreadable(error.description, source: "file:/proc/meminfo"), nil, nil)
    }
    let values = parseMeminfo(text)
    guard let total = values["MemTotal"] else {
      return (.unreadable("/proc/meminfo has no MemTotal line", source: "file:/proc/meminfo"), nil, values["MemAvailable"])
    }
    return (.present(MemoryInfo(memTotalBytes: total), from: "file:/proc/meminfo"), total, values["MemAvailable"])
  }

  /// The `/dev/shm` mount: its `size=` option in `/proc/self/mounts` (or `/proc/mounts`), or
  /// statvfs(3) of it on a live host when the option is absent. Also returns free bytes.
  static func sharedMemory(_ context: ProbeContext) -> (Observed<SharedMemoryInfo>, free: UInt64?) {
    let root = context.root
    let mountsPath = root.exists("/proc/self/mounts") ? "/proc/self/mounts" : "/proc/mounts"
    guard let mounts = try? root.read(mountsPath) else {
      return (.absent("\(mountsPath) does not exist in the tree", source: "file:\(mountsPath)"), nil)
    }
    guard let mount = parseMounts(mounts).last(where: { $0.mountPoint == "/dev/shm" }) else {
      return (.absent("nothing is mounted on /dev/shm", source: "file:\(mountsPath)"), nil)
    }
    let live = root.isLive ? Platform.filesystemSpace("/dev/shm") : nil
    if let sizeOption = mount.options.first(where: { $0.hasPrefix("size=") }),
      let size = parseSizeOption(String(sizeOption.dropFirst(5)))
    {
      return (.present(SharedMemoryInfo(sizeBytes: size, filesystem: mount.filesystem), from: "file:\(mountsPath)"), live?.free)
    }
    if let live {
      return (.present(SharedMemoryInfo(sizeBytes: live.total, filesystem: mount.filesystem), from: "statvfs:/dev/shm"), live.free)
    }
    return (.unreadable("/dev/shm is mounted without a size= option and the tree cannot be measured", source: "file:\(mountsPath)"), nil)
  }

  struct MountEntry: Sendable {
    var device: String
    var mountPoint: String
    var filesystem: String
    var options: [String]
  }

  /// Parses /proc/mounts lines (octal escapes like `\040` decoded in mount points).
  static func parseMounts(_ text: String) -> [MountEntry] {
    text.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count >= 4 else { return nil }
      return MountEntry(
        device: String(fields[0]), mountPoint: decodeOctalEscapes(String(fields[1])),
        filesystem: String(fields[2]), options: fields[3].split(separator: ",").map(String.init))
    }
  }

  static func decodeOctalEscapes(_ text: String) -> String {
    guard text.contains("\\") else { return text }
    var bytes: [UInt8] = []
    let utf8 = Array(text.utf8)
    var index = 0
    while index < utf8.count {
      if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
        let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
      {
        bytes.append(value)
        index += 4
      } else {
        bytes.append(utf8[index])
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// tmpfs `size=` values: bytes, or with k/m/g/t suffixes (powers of 1024).
  static func parseSizeOption(_ text: String) -> UInt64? {
    guard let last = text.last else { return nil }
    let multipliers: [Character: UInt64] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30, "t": 1 << 40, "T": 1 << 40]
    if let multiplier = multipliers[last], let number = UInt64(text.dropLast()) {
      return number.multipliedReportingOverflow(by: multiplier).overflow ? nil : number * multiplier
    }
    return UInt64(text)
  }

  /// `/proc/sys/kernel/hostname` (machine-specific, never hashed).
  static func hostname(_ context: ProbeContext) -> Observed<String> {
    if let name = context.root.readValue("/proc/sys/kernel/hostname") {
      return .present(name, from: "file:/proc/sys/kernel/hostname")
    }
    if let name = context.root.readValue("/etc/hostname") {
      return .present(name, from: "file:/etc/hostname")
    }
    return .absent("neither /proc/sys/kernel/hostname nor /etc/hostname exists", source: "file:/proc/sys/kernel/hostname")
  }
}
