/// The section headers of an ELF64 little-endian file, read with a few `pread`s: the 64-byte
/// file header, the section header table and the section-name string table.
///
/// Layout: the System V gABI, "ELF Header" and "Sections" (e_shoff at 0x28, e_shentsize at 0x3A,
/// e_shnum at 0x3C, e_shstrndx at 0x3E; Elf64_Shdr: sh_name 0, sh_type 4, sh_offset 0x18,
/// sh_size 0x20), as in glibc's elf.h `Elf64_Ehdr` / `Elf64_Shdr`.
struct ELFSectionTable {
  struct Section: Hashable {
    var name: String
    var type: UInt32
    var offset: UInt64
    var size: UInt64
  }

  static let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]  // "\x7fELF"
  static let sectionHeaderSize = 64
  /// SHT_NOBITS: occupies no bytes in the file (.bss).
  static let noBits: UInt32 = 8
  /// More sections than any real library has (libtorch_cuda.so has 40); a corrupt count would
  /// otherwise make us read megabytes of "headers".
  static let maximumSections = 65_535
  static let maximumNamesTable: UInt64 = 1 << 20

  var sections: [Section]

  /// Whether the first bytes are an ELF header at all: anything else (scripts, text files named
  /// `.so`, linker scripts like libc.so) is not a CUDA binary and not an error.
  static func isELF(_ file: PositionalFile) throws(CUDABinaryError) -> Bool {
    guard file.size >= 64 else { return false }
    return try file.read(4, at: 0, "the ELF magic") == magic
  }

  /// Reads the section table of an ELF file (``isELF(_:)`` already true).
  init(_ file: PositionalFile) throws(CUDABinaryError) {
    let header = try file.read(64, at: 0, "the ELF header")
    guard header[4] == 2 else {
      throw CUDABinaryError(.malformed, file: file.name, "ELF class \(header[4]) is not ELFCLASS64 (CUDA libraries are 64-bit)")
    }
    guard header[5] == 1 else {
      throw CUDABinaryError(.malformed, file: file.name, "ELF data encoding \(header[5]) is not little-endian")
    }
    let tableOffset = header.littleEndian(UInt64.self, at: 0x28)
    let entrySize = Int(header.littleEndian(UInt16.self, at: 0x3A))
    let count = Int(header.littleEndian(UInt16.self, at: 0x3C))
    let namesIndex = Int(header.littleEndian(UInt16.self, at: 0x3E))
    if count == 0 {
      sections = []
      return
    }
    guard entrySize == Self.sectionHeaderSize else {
      throw CUDABinaryError(.malformed, file: file.name, "e_shentsize is \(entrySize), not \(Self.sectionHeaderSize)")
    }
    guard count <= Self.maximumSections, namesIndex < count else {
      throw CUDABinaryError(.malformed, file: file.name, "e_shstrndx \(namesIndex) is not one of the \(count) sections")
    }
    let table = try file.read(count * entrySize, at: tableOffset, "the section header table")
    func field(_ index: Int) -> (name: UInt32, type: UInt32, offset: UInt64, size: UInt64) {
      let base = index * entrySize
      return (
        table.littleEndian(UInt32.self, at: base), table.littleEndian(UInt32.self, at: base + 4),
        table.littleEndian(UInt64.self, at: base + 0x18), table.littleEndian(UInt64.self, at: base + 0x20)
      )
    }
    let namesSection = field(namesIndex)
    guard namesSection.size <= Self.maximumNamesTable else {
      throw CUDABinaryError(.malformed, file: file.name, "the section name table is \(namesSection.size) bytes")
    }
    let names = try file.read(Int(namesSection.size), at: namesSection.offset, "the section name table")
    sections = (0..<count).map { index in
      let raw = field(index)
      let start = Int(clamping: raw.name)
      let name: String
      if start < names.count {
        let end = names[start...].firstIndex(of: 0) ?? names.count
        name = String(decoding: names[start..<end], as: UTF8.self)
      } else {
        name = ""
      }
      return Section(name: name, type: raw.type, offset: raw.offset, size: raw.size)
    }
  }

  func sections(named name: String) -> [Section] { sections.filter { $0.name == name && $0.type != Self.noBits } }
}
