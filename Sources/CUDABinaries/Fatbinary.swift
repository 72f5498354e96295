/// The headers of NVIDIA fatbinaries: a section (`.nv_fatbin`, `__nv_relfatbin`) holds one or
/// more containers, each a 16-byte header followed by entries, each entry a header followed by
/// its payload (a cubin, i.e. SASS for one `sm_XY`, or PTX for one `compute_XY`, usually
/// compressed). Only the headers are read; payloads are skipped, never decompressed.
///
/// NVIDIA publishes the container header only (`fatBinaryHeader` in the CUDA toolkit's
/// include/fatbinary.h up to CUDA 10: magic 0xBA55ED50, version 1, headerSize, fatSize = the
/// bytes after the header). The entry header is reverse-engineered; the fields used here agree
/// in two independent readers:
/// * n-eiling/cuda-fatbin-decompression, fatbin-decompress.h `struct fat_text_header`:
///   kind u16 @0, header_size u32 @4, size u64 @8 (payload bytes after the header), arch u32 @28,
///   flags u64 @40; and fatbin-decompress.c: FATBIN_FLAG_COMPRESS 0x2000;
/// * GrigoryEvko/nvopen-tools, fatbin/FORMAT_SPECIFICATION.md ("Entry Structure", "Traversal
///   Algorithm": next entry = entry + size + aligned data size; kinds 0x01 PTX, 0x02 ELF; header
///   sizes 64/80/112; ZSTD compression flag 0x8000).
/// CUDA 12.4's nvcc writes 72-byte ELF and 120-byte PTX entry headers (torch 2.5.1+cu124,
/// nvidia-nccl-cu12 2.21.5): the header size is always taken from the entry, never assumed.
enum Fatbinary {
  static let magic: UInt32 = 0xBA55_ED50
  static let containerHeaderSize = 16
  /// The bytes of an entry header this reader needs (every known header is at least this long).
  static let entryHeaderPrefix = 64
  /// No real entry header is longer; a larger value is corruption.
  static let maximumEntryHeader: UInt32 = 4096
  /// Bounds on the walk, far above real libraries (libcublasLt.so.13: 2,775 containers,
  /// 5,424 entries): a corrupt size cannot make the loop run away.
  static let maximumContainers = 1_000_000
  static let maximumEntries = 4_000_000

  /// `fat_text_header.kind`.
  enum Kind: UInt16 {
    case ptx = 1
    case elf = 2
  }

  /// Compression flags: 0x1000 and 0x2000 (NVIDIA's LZ-style codec; n-eiling's
  /// FATBIN_FLAG_COMPRESS), 0x8000 (zstd, CUDA 12.8+'s `-compress-mode`; nvopen-tools).
  static let compressionFlags: UInt64 = 0x1000 | 0x2000 | 0x8000
  /// Set on architecture-specific (`sm_90a`) entries. Not in any published layout: observed on
  /// torch 2.5.1+cu124's libtorch_cuda.so, where the one sm_90 entry with flags 0x102011 holds a
  /// cubin whose e_flags carry EF_CUDA_ACCELERATORS_V1 (0x800, LLVM's ELF.h; its 340 sibling
  /// sm_90 entries, flags 0x2011, do not) — checked once by decompressing it during development.
  static let architectureSpecificFlag: UInt64 = 0x10_0000

  /// One entry's header.
  struct Entry: Hashable {
    var kind: UInt16
    var arch: UInt32
    var flags: UInt64

    var isCompressed: Bool { flags & Fatbinary.compressionFlags != 0 }

    /// `sm_90`, `sm_90a`, `compute_90`; nil for kinds other than PTX and ELF.
    var target: String? {
      guard let known = Kind(rawValue: kind) else { return nil }
      let suffix = flags & Fatbinary.architectureSpecificFlag != 0 ? "a" : ""
      return (known == .ptx ? "compute_" : "sm_") + "\(arch)" + suffix
    }
  }

  /// Every entry header of one section, container after container.
  static func entries(in section: ELFSectionTable.Section, of file: PositionalFile) throws(CUDABinaryError) -> [Entry] {
    let end = section.offset &+ section.size
    guard end >= section.offset, end <= file.size else {
      throw CUDABinaryError(
        .malformed, file: file.name, "section \(section.name) (offset \(section.offset), \(section.size) bytes) lies past the end of the file (\(file.size) bytes)")
    }
    var entries: [Entry] = []
    var position = section.offset
    var containers = 0
    while position < end {
      // Containers are 8-byte aligned (`fatbinary_ALIGN_(8)`); padding between them is zeros.
      if end - position < UInt64(containerHeaderSize) {
        let rest = try file.read(Int(end - position), at: position, "the end of section \(section.name)")
        guard rest.allSatisfy({ $0 == 0 }) else {
          throw CUDABinaryError(.malformed, file: file.name, "section \(section.name) ends with \(rest.count) bytes that are not a fatbinary header")
        }
        break
      }
      let header = try file.read(containerHeaderSize, at: position, "a fatbinary header in \(section.name)")
      let magic = header.littleEndian(UInt32.self, at: 0)
      if header[0..<8].allSatisfy({ $0 == 0 }) {
        position += 8
        continue
      }
      guard magic == Self.magic else {
        throw CUDABinaryError(
          .malformed, file: file.name,
          "section \(section.name) at offset \(position): fatbinary magic 0x\(String(magic, radix: 16)) is not 0xba55ed50")
      }
      containers += 1
      guard containers <= maximumContainers else {
        throw CUDABinaryError(.malformed, file: file.name, "section \(section.name) holds more than \(maximumContainers) fatbinaries")
      }
      let headerSize = UInt64(header.littleEndian(UInt16.self, at: 6))
      let fatSize = header.littleEndian(UInt64.self, at: 8)
      guard headerSize >= UInt64(containerHeaderSize), fatSize <= end - position, headerSize <= end - position - fatSize else {
        throw CUDABinaryError(
          .malformed, file: file.name,
          "section \(section.name) at offset \(position): a fatbinary of \(headerSize) + \(fatSize) bytes overruns the section (\(end - position) bytes left)")
      }
      let containerEnd = position + headerSize + fatSize
      var entryPosition = position + headerSize
      while entryPosition < containerEnd {
        guard containerEnd - entryPosition >= UInt64(entryHeaderPrefix) else {
          throw CUDABinaryError(
            .malformed, file: file.name, "section \(section.name) at offset \(entryPosition): \(containerEnd - entryPosition) bytes left in the fatbinary, too few for an entry header")
        }
        let raw = try file.read(entryHeaderPrefix, at: entryPosition, "a fatbinary entry header in \(section.name)")
        let entryHeaderSize = raw.littleEndian(UInt32.self, at: 4)
        let payloadSize = raw.littleEndian(UInt64.self, at: 8)
        let left = containerEnd - entryPosition
        guard entryHeaderSize >= UInt32(entryHeaderPrefix), entryHeaderSize <= maximumEntryHeader, payloadSize <= left,
          UInt64(entryHeaderSize) <= left - payloadSize
        else {
          throw CUDABinaryError(
            .malformed, file: file.name,
            "section \(section.name) at offset \(entryPosition): an entry of header \(entryHeaderSize) + payload \(payloadSize) bytes does not fit its fatbinary (\(left) bytes left)")
        }
        entries.append(Entry(kind: raw.littleEndian(UInt16.self, at: 0), arch: raw.littleEndian(UInt32.self, at: 28), flags: raw.littleEndian(UInt64.self, at: 40)))
        guard entries.count <= maximumEntries else {
          throw CUDABinaryError(.malformed, file: file.name, "section \(section.name) holds more than \(maximumEntries) fatbinary entries")
        }
        entryPosition += UInt64(entryHeaderSize) + payloadSize
      }
      position = containerEnd
    }
    return entries
  }
}
