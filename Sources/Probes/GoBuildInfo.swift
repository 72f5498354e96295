#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// The build information a Go 1.18+ linker embeds in an ELF executable's `.go.buildinfo`
/// section (what `go version -m` prints): the main package path and build settings such as
/// `-ldflags`. The Docker CLI stamps its version there (`-X …/cli/version.Version=28.2.2`),
/// so its version is a few small reads away instead of a 20 ms CLI start.
enum GoBuildInfo {
  /// The `modinfo` text of `.go.buildinfo`, or nil when the file is no 64-bit little-endian
  /// ELF Go executable with inline build info.
  static func modinfo(executable path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    func read(_ count: Int, at offset: Int) -> [UInt8]? {
      guard count > 0, count <= 1 << 20, offset >= 0 else { return nil }
      var buffer = [UInt8](repeating: 0, count: count)
      let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
      return got == count ? buffer : nil
    }
    func integer(_ bytes: [UInt8], _ at: Int, _ size: Int) -> Int {
      var value = 0
      for index in (0..<size).reversed() { value = value << 8 | Int(bytes[at + index]) }
      return value
    }
    guard let header = read(64, at: 0), header[0...3] == [0x7F, 0x45, 0x4C, 0x46], header[4] == 2, header[5] == 1 else { return nil }
    let sectionsAt = integer(header, 0x28, 8)
    let entrySize = integer(header, 0x3A, 2)
    let count = integer(header, 0x3C, 2)
    let namesIndex = integer(header, 0x3E, 2)
    guard entrySize >= 64, count > 0, count < 4096, namesIndex < count, let table = read(entrySize * count, at: sectionsAt) else { return nil }
    func section(_ index: Int) -> (name: Int, offset: Int, size: Int) {
      let base = index * entrySize
      return (integer(table, base, 4), integer(table, base + 0x18, 8), integer(table, base + 0x20, 8))
    }
    let names = section(namesIndex)
    guard let nameBytes = read(names.size, at: names.offset) else { return nil }
    for index in 0..<count {
      let entry = section(index)
      guard entry.name < nameBytes.count else { continue }
      let name = nameBytes[entry.name...].prefix { $0 != 0 }
      guard String(decoding: name, as: UTF8.self) == ".go.buildinfo" else { continue }
      guard let data = read(min(entry.size, 64 << 10), at: entry.offset) else { return nil }
      return parse(data)
    }
    return nil
  }

  /// Go 1.18+ inline format: 14-byte magic, pointer size, flags (bit 1: inline strings),
  /// padding to 32 bytes, then the Go version and the modinfo as varint-prefixed strings.
  static func parse(_ data: [UInt8]) -> String? {
    let magic: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
    guard data.count > 32, Array(data[0..<14]) == magic, data[15] & 2 != 0 else { return nil }
    var index = 32
    func string() -> String? {
      var length = 0
      var shift = 0
      while index < data.count {
        let byte = data[index]
        index += 1
        length |= Int(byte & 0x7F) << shift
        shift += 7
        if byte & 0x80 == 0 { break }
        if shift > 35 { return nil }
      }
      guard length >= 0, index + length <= data.count else { return nil }
      defer { index += length }
      return String(decoding: data[index..<(index + length)], as: UTF8.self)
    }
    guard string() != nil, let modinfo = string() else { return nil }
    return modinfo
  }

  /// The value a `-X <symbol>=<value>` linker flag gave `symbol`, from the modinfo's `-ldflags`.
  static func linkerValue(_ symbol: String, in modinfo: String) -> String? {
    guard let range = modinfo.firstRange(of: symbol + "=") else { return nil }
    let value = modinfo[range.upperBound...].prefix { $0 != "\\" && $0 != "\"" && $0 != " " && $0 != "\n" && $0 != "'" }
    return value.isEmpty ? nil : String(value)
  }

  /// The Docker CLI's version as its build stamped it.
  static func dockerCLIVersion(executable path: String) -> String? {
    modinfo(executable: path).flatMap { linkerValue("github.com/docker/cli/cli/version.Version", in: $0) }
  }
}
