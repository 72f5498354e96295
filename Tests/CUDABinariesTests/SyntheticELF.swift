import Foundation

/// Small ELF64 files with fatbinary sections, byte by byte, for the malformed-input tests: the
/// layouts of Sources/CUDABinaries/Fatbinary.swift and ELFSectionTable.swift, written
/// independently of the reader.
enum SyntheticELF {
  struct Entry {
    var kind: UInt16
    var arch: UInt32
    var flags: UInt64 = 0x2011
    var headerSize: UInt32 = 72
    var payload: Int = 16
    /// Overrides the payload size field (for entries that lie about it).
    var payloadSizeField: UInt64? = nil
  }

  static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }

  /// One fatbinary container: the 16-byte header, then each entry header and payload.
  static func container(_ entries: [Entry], magic: UInt32 = 0xBA55_ED50, fatSizeDelta: Int64 = 0) -> [UInt8] {
    var body: [UInt8] = []
    for entry in entries {
      var header: [UInt8] = []
      append(entry.kind, to: &header)
      append(UInt16(0x0101), to: &header)
      append(entry.headerSize, to: &header)
      append(entry.payloadSizeField ?? UInt64(entry.payload), to: &header)
      append(UInt32(entry.payload), to: &header)  // compressed size
      append(UInt32(0), to: &header)
      append(UInt16(7), to: &header)  // code version minor
      append(UInt16(1), to: &header)  // major
      append(entry.arch, to: &header)
      append(UInt32(0), to: &header)
      append(UInt32(0), to: &header)
      append(entry.flags, to: &header)
      append(UInt64(0), to: &header)
      append(UInt64(entry.payload * 2), to: &header)  // decompressed size
      header += [UInt8](repeating: 0, count: max(Int(entry.headerSize) - header.count, 0))
      body += header + [UInt8](repeating: 0xAB, count: entry.payload)
    }
    var bytes: [UInt8] = []
    append(magic, to: &bytes)
    append(UInt16(1), to: &bytes)
    append(UInt16(16), to: &bytes)
    append(UInt64(Int64(body.count) + fatSizeDelta), to: &bytes)
    return bytes + body
  }

  /// An ELF64 little-endian file with the given sections (name, contents) after the header,
  /// then the section-name table and the section header table.
  static func file(sections: [(String, [UInt8])], elfClass: UInt8 = 2, sectionSizeDelta: UInt64 = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 64)
    bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]
    bytes[4] = elfClass
    bytes[5] = 1
    bytes[6] = 1
    var names: [UInt8] = [0]
    var headers: [(name: UInt32, type: UInt32, offset: UInt64, size: UInt64)] = [(0, 0, 0, 0)]
    for (name, contents) in sections {
      let offset = UInt64(bytes.count)
      bytes += contents
      headers.append((UInt32(names.count), 1, offset, UInt64(contents.count) + sectionSizeDelta))
      names += Array(name.utf8) + [0]
    }
    let namesOffset = UInt64(bytes.count)
    headers.append((UInt32(names.count), 3, namesOffset, 0))
    names += Array(".shstrtab".utf8) + [0]
    headers[headers.count - 1].size = UInt64(names.count)
    bytes += names
    while bytes.count % 8 != 0 { bytes.append(0) }
    let tableOffset = UInt64(bytes.count)
    for header in headers {
      var raw: [UInt8] = []
      append(header.name, to: &raw)
      append(header.type, to: &raw)
      append(UInt64(2), to: &raw)  // flags: SHF_ALLOC
      append(UInt64(0), to: &raw)  // addr
      append(header.offset, to: &raw)
      append(header.size, to: &raw)
      raw += [UInt8](repeating: 0, count: 64 - raw.count)
      bytes += raw
    }
    withUnsafeBytes(of: tableOffset.littleEndian) { bytes.replaceSubrange(0x28..<0x30, with: $0) }
    withUnsafeBytes(of: UInt16(64).littleEndian) { bytes.replaceSubrange(0x3A..<0x3C, with: $0) }
    withUnsafeBytes(of: UInt16(headers.count).littleEndian) { bytes.replaceSubrange(0x3C..<0x3E, with: $0) }
    withUnsafeBytes(of: UInt16(headers.count - 1).littleEndian) { bytes.replaceSubrange(0x3E..<0x40, with: $0) }
    return bytes
  }

  /// Writes `bytes` to a new file in a fresh temporary directory; returns its path.
  static func write(_ bytes: [UInt8], name: String = "libsynthetic.so") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rigcheck-fatbin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }
}
