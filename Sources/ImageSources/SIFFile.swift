#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// The Singularity Image Format's global header and descriptor table, read with `pread` (the
/// data objects themselves are never read here).
///
/// Layout per sylabs/sif `pkg/sif/sif.go` (`Header`, `Descriptor`, `Partition`; the same bytes
/// in v2's `header`/`rawDescriptor`/`partition`), little-endian, packed as Go's `binary.Read`
/// reads them:
/// - header (128 bytes): launch script [32], magic "SIF_MAGIC\0" [10], version [3], arch [3],
///   UUID [16], then int64 ctime, mtime, descriptors free, descriptors total, descriptors offset,
///   descriptors size, data offset, data size.
/// - descriptor (585 bytes): int32 data type, bool used, uint32 id, group id, link, int64 offset,
///   size, size with padding, ctime, mtime, uid, gid, name [128], extra [384]; for a partition
///   (data type 0x4004) extra begins int32 fs type (1 = squashfs), int32 partition type
///   (2 = primary system), arch [3].
struct SIFFile: Sendable {
  struct Descriptor: Sendable, Hashable {
    var dataType: Int32
    var id: UInt32
    var offset: Int64
    var size: Int64
    var name: String
    /// For partitions.
    var filesystemType: Int32?
    var partitionType: Int32?
    var architectureCode: String?
  }

  static let headerSize = 128
  static let descriptorSize = 585
  static let magic = Array("SIF_MAGIC".utf8)
  static let dataPartition: Int32 = 0x4004
  static let squashfsFilesystem: Int32 = 1
  static let primarySystemPartition: Int32 = 2
  /// More descriptors than any real image has (the default table holds 48).
  static let maximumDescriptors: Int64 = 4096

  /// SIF architecture codes (sif.go `HdrArch*`) → OCI architecture names.
  static let architectures = [
    "01": "386", "02": "amd64", "03": "arm", "04": "arm64", "05": "ppc64", "06": "ppc64le", "07": "mips", "08": "mipsle",
    "09": "mips64", "10": "mips64le", "11": "s390x", "12": "riscv64",
  ]

  let path: String
  let version: String
  let fileSize: Int64
  /// The used descriptors, in table order.
  let descriptors: [Descriptor]

  init(path: String) throws(ImageSourceError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw ImageSourceError(errno == ENOENT ? .notFound : .unreadable, "\(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
      throw ImageSourceError(.invalidReference, "\(path) is not a regular file (a .sif image is expected)")
    }
    fileSize = Int64(status.st_size)
    let header = try Self.read(fd, offset: 0, count: Self.headerSize, path: path, what: "the SIF global header")
    guard Array(header[32..<41]) == Self.magic else {
      throw ImageSourceError(.malformed, "\(path) is not a SIF image (no SIF_MAGIC at byte 32)")
    }
    version = String(decoding: header[42..<45].prefix { $0 != 0 }, as: UTF8.self)
    let total = Self.int64(header, 88)
    let tableOffset = Self.int64(header, 96)
    guard (0...Self.maximumDescriptors).contains(total), tableOffset >= Int64(Self.headerSize),
      tableOffset + total * Int64(Self.descriptorSize) <= fileSize
    else {
      throw ImageSourceError(.malformed, "\(path): the SIF descriptor table (\(total) entries at byte \(tableOffset)) does not fit in the file (\(fileSize) bytes)")
    }
    let table = try Self.read(fd, offset: tableOffset, count: Int(total) * Self.descriptorSize, path: path, what: "the SIF descriptor table")
    var descriptors: [Descriptor] = []
    for index in 0..<Int(total) {
      let base = index * Self.descriptorSize
      guard table[base + 4] != 0 else { continue }  // unused slot
      let dataType = Self.int32(table, base)
      let offset = Self.int64(table, base + 17)
      let size = Self.int64(table, base + 25)
      guard offset >= 0, size >= 0, offset <= fileSize, size <= fileSize - offset else {
        throw ImageSourceError(.malformed, "\(path): SIF descriptor \(index) points outside the file (offset \(offset), size \(size))")
      }
      let nameStart = base + 73
      var descriptor = Descriptor(
        dataType: dataType, id: UInt32(truncatingIfNeeded: Self.int32(table, base + 5)), offset: offset, size: size,
        name: String(decoding: table[nameStart..<(nameStart + 128)].prefix { $0 != 0 }, as: UTF8.self))
      if dataType == Self.dataPartition {
        let extra = nameStart + 128
        descriptor.filesystemType = Self.int32(table, extra)
        descriptor.partitionType = Self.int32(table, extra + 4)
        descriptor.architectureCode = String(decoding: table[(extra + 8)..<(extra + 11)].prefix { $0 != 0 }, as: UTF8.self)
      }
      descriptors.append(descriptor)
    }
    self.descriptors = descriptors
  }

  /// The primary system partition: squashfs, the root filesystem Apptainer runs.
  func primarySystemPartition() throws(ImageSourceError) -> Descriptor {
    let partitions = descriptors.filter { $0.dataType == Self.dataPartition }
    guard let primary = partitions.first(where: { $0.partitionType == Self.primarySystemPartition }) else {
      throw ImageSourceError(.malformed, "\(path): the SIF image has no primary system partition (\(partitions.count) partition(s))")
    }
    guard primary.filesystemType == Self.squashfsFilesystem else {
      let kind = primary.filesystemType == 5 ? "encrypted squashfs" : "filesystem type \(primary.filesystemType ?? 0)"
      throw ImageSourceError(.malformed, "\(path): the primary system partition is \(kind), not squashfs; rigcheck reads squashfs partitions only")
    }
    return primary
  }

  // MARK: Bytes

  private static func read(_ fd: Int32, offset: Int64, count: Int, path: String, what: String) throws(ImageSourceError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else {
        throw ImageSourceError(.malformed, "\(path): \(what) is truncated (\(done) of \(count) bytes at byte \(offset))")
      }
      done += got
    }
    return bytes
  }

  static func int64(_ bytes: [UInt8], _ at: Int) -> Int64 {
    var value: UInt64 = 0
    for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[at + index]) }
    return Int64(bitPattern: value)
  }

  static func int32(_ bytes: [UInt8], _ at: Int) -> Int32 {
    var value: UInt32 = 0
    for index in (0..<4).reversed() { value = value << 8 | UInt32(bytes[at + index]) }
    return Int32(bitPattern: value)
  }
}
