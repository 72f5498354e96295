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
    flag.hasPrefix("avx") || flag.hasPrefix("amx") || flag.hasPrefix("sse4") || flag.hasPrefix("sme")
      || ["sve", "sve2", "sve2p1", "svebf16", "svei8mm", "svef32mm", "svef64mm"].contains(flag)
      || ["fma", "f16c", "bmi2", "popcnt", "asimd", "asimdhp", "asimddp", "bf16", "i8mm", "sha_ni", "vaes", "vpclmulqdq"].contains(flag)
  }

  /// Reads `/proc/cpuinfo`: model, vendor, logical cores, ML-relevant flags.
  ///
  /// x86 names the model (`model name`) and vendor (`vendor_id`). arm64 prints neither: each
  /// block carries `CPU implementer` and `CPU part` ids (arch/arm64/kernel/cpuinfo.c), which are
  /// named as lscpu names them (``ARMCPUNames``): 0x41/0xd4f is ARM's Neoverse V2 (NVIDIA Grace).
  /// Ids missing from the table are kept as `implementer 0x…`/`part 0x…`, never left empty.
  static func cpu(_ context: ProbeContext) -> Observed<CPUInfo> {
    let text: String
    do {
      text = try context.root.read("/proc/cpuinfo")
    } catch .notFound {
      return .absent("/proc/cpuinfo does not exist", source: "file:/proc/cpuinfo")
    } catch {
      return .unreadable(error.description, source: "file:/proc/cpuinfo")
    }
    var modelName: String?
    var boardModel: String?
    var vendor: String?
    var implementer: String?
    var part: String?
    var processors = 0
    var flags = Set<String>()
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmed
      let value = line[line.index(after: colon)...].trimmed
      switch key {
      case "processor": processors += 1
      case "model name": if modelName == nil, !value.isEmpty { modelName = value }
      case "Model": if boardModel == nil, !value.isEmpty { boardModel = value }
      case "vendor_id": if vendor == nil, !value.isEmpty { vendor = value }
      case "CPU implementer": if implementer == nil { implementer = value }
      case "CPU part": if part == nil { part = value }
      case "flags", "Features":
        for flag in value.split(separator: " ") where isMLFlag(flag) { flags.insert(String(flag)) }
      default: break
      }
    }
    var model = modelName
    if let implementer {
      let named = ARMCPUNames.name(implementer: implementer, part: part)
      vendor = vendor ?? named.vendor
      model = model ?? named.model
    }
    return .present(
      CPUInfo(model: model ?? boardModel, vendor: vendor, logicalCores: processors, mlFlags: flags.sorted()),
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

  /// The `/dev/shm` mount, from the host's mount table (``HostRoot/hostProcessFile(_:fallbacks:)``:
  /// `/proc/self/mounts` on `/`, `/proc/1/mounts` under another root). Its size is the mount's
  /// `size=` option; without one, statvfs(3) of the mount when it can be measured (on `/`, or a
  /// host's tmpfs mounted under the root), else tmpfs's default of half of MemTotal (tmpfs(5)).
  /// Also returns free bytes when measured.
  static func sharedMemory(_ context: ProbeContext) -> (Observed<SharedMemoryInfo>, free: UInt64?) {
    let root = context.root
    guard let table = root.hostProcessFile("mounts", fallbacks: ["/proc/mounts"]) else {
      let looked = (root.isLive ? [] : ["/proc/1/mounts"]) + ["/proc/self/mounts", "/proc/mounts"]
      return (.absent("no mount table: \(looked.joined(separator: ", ")) are missing", source: "file:\(looked[0])"), nil)
    }
    let source = "file:\(table.path)"
    guard let mount = parseMounts(table.text).last(where: { $0.mountPoint == "/dev/shm" }) else {
      return (.absent("nothing is mounted on /dev/shm", source: source), nil)
    }
    let shmPath = root.hostPath("/dev/shm")
    let measurable = root.isLive || (!table.describesOwnContainer && Platform.isOwnTmpfsMount(shmPath))
    let measured = measurable ? Platform.filesystemSpace(shmPath) : nil
    if let sizeOption = mount.options.first(where: { $0.hasPrefix("size=") }),
      let size = parseSizeOption(String(sizeOption.dropFirst(5)))
    {
      return (.present(SharedMemoryInfo(sizeBytes: size, filesystem: mount.filesystem), from: source), measured?.free)
    }
    if let measured {
      return (.present(SharedMemoryInfo(sizeBytes: measured.total, filesystem: mount.filesystem), from: "statvfs:/dev/shm"), measured.free)
    }
    if mount.filesystem == "tmpfs", let text = try? root.read("/proc/meminfo"), let total = parseMeminfo(text)["MemTotal"] {
      // tmpfs(5): "The default, when the size option is omitted, is half of the physical RAM".
      return (.present(SharedMemoryInfo(sizeBytes: total / 2, filesystem: mount.filesystem), from: "\(source),/proc/meminfo (no size= option: tmpfs's default, half of MemTotal)"), nil)
    }
    return (.unreadable("/dev/shm is mounted without a size= option and the tree cannot be measured", source: source), nil)
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
  /// `/proc/sys/kernel/hostname` answers for the reader's UTS namespace: under a root holding a
  /// live procfs (a DaemonSet pod's `/host`) it is the pod's name, so the host's `/etc/hostname`
  /// comes first there.
  static func hostname(_ context: ProbeContext) -> Observed<String> {
    var order = ["/proc/sys/kernel/hostname", "/etc/hostname"]
    if context.root.hasLiveProcfs { order.reverse() }
    for path in order {
      if let name = context.root.readValue(path) { return .present(name, from: "file:\(path)") }
    }
    return .absent("neither /proc/sys/kernel/hostname nor /etc/hostname exists", source: "file:\(order[0])")
  }
}

/// Names of arm64 CPU implementer and part ids, as util-linux's lscpu (sys-utils/lscpu-arm.c)
/// and the kernel's arch/arm64/include/asm/cputype.h name them; only server and common cores.
enum ARMCPUNames {
  static let implementers: [Int: String] = [
    0x41: "ARM", 0x42: "Broadcom", 0x43: "Cavium", 0x46: "Fujitsu", 0x48: "HiSilicon", 0x4e: "NVIDIA", 0x50: "APM",
    0x51: "Qualcomm", 0x53: "Samsung", 0x56: "Marvell", 0x61: "Apple", 0x6d: "Microsoft", 0x70: "Phytium", 0xc0: "Ampere",
  ]

  static let parts: [Int: [Int: String]] = [
    0x41: [
      0xd03: "Cortex-A53", 0xd04: "Cortex-A35", 0xd05: "Cortex-A55", 0xd07: "Cortex-A57", 0xd08: "Cortex-A72", 0xd09: "Cortex-A73",
      0xd0a: "Cortex-A75", 0xd0b: "Cortex-A76", 0xd0c: "Neoverse N1", 0xd0d: "Cortex-A77", 0xd40: "Neoverse V1", 0xd41: "Cortex-A78",
      0xd44: "Cortex-X1", 0xd46: "Cortex-A510", 0xd47: "Cortex-A710", 0xd48: "Cortex-X2", 0xd49: "Neoverse N2", 0xd4a: "Neoverse E1",
      0xd4d: "Cortex-A715", 0xd4e: "Cortex-X3", 0xd4f: "Neoverse V2", 0xd80: "Cortex-A520", 0xd81: "Cortex-A720", 0xd82: "Cortex-X4",
      0xd84: "Neoverse V3", 0xd85: "Cortex-X925", 0xd87: "Cortex-A725", 0xd8e: "Neoverse N3",
    ],
    0x42: [0x516: "ThunderX2"],
    0x43: [0x0af: "ThunderX2-99xx", 0x0b8: "ThunderX3-T110"],
    0x46: [0x001: "A64FX"],
    0x48: [0xd01: "Kunpeng-920"],
    0x4e: [0x000: "Denver", 0x003: "Denver 2", 0x004: "Carmel"],
    0x50: [0x000: "X-Gene"],
    0xc0: [0xac3: "AmpereOne", 0xac4: "AmpereOne A", 0xac5: "AmpereOne M"],
  ]

  /// `0x41`, `0xd4f` → (`ARM`, `Neoverse V2`); unknown ids keep their hex form.
  static func name(implementer: String, part: String?) -> (vendor: String, model: String?) {
    let implementerID = hexValue(implementer)
    let partID = part.flatMap(hexValue)
    let vendor = implementerID.flatMap { implementers[$0] } ?? "implementer \(implementer)"
    guard let part else { return (vendor, nil) }
    if let implementerID, let partID, let name = parts[implementerID]?[partID] { return (vendor, name) }
    return (vendor, "\(vendor) part \(part)")
  }

  static func hexValue(_ text: String) -> Int? {
    let digits = text.lowercased().hasPrefix("0x") ? text.dropFirst(2) : Substring(text)
    return Int(digits, radix: 16)
  }
}
