import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// A blob file read front to back in fixed-size chunks, hashed as it goes by, so its digest
/// is checked on the same single read that unpacks it. Memory: one buffer.
final class BlobStream {
  static let chunkSize = 1 << 20
  let path: String
  private let descriptor: Int32
  private let buffer: UnsafeMutableRawBufferPointer
  private let digester = BlobDigester()
  /// False when nothing will be checked against the digest (an archive file itself).
  private let hashing: Bool
  private(set) var bytesRead: Int64 = 0
  /// The first read error, if any.
  private(set) var readError: Int32?

  init(path: String, what: String, hashing: Bool = true) throws(ImageSourceError) {
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      throw ImageSourceError(code == ENOENT ? .notFound : .unreadable, "\(what): cannot open \(path): \(String(cString: strerror(code)))")
    }
    self.path = path
    self.hashing = hashing
    buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
  }

  deinit {
    buffer.deallocate()
    close(descriptor)
  }

  /// Reads the next chunk into the stream's buffer; 0 at the end, -1 on error.
  func next() -> (pointer: UnsafeRawPointer, count: Int) {
    while true {
      let count = read(descriptor, buffer.baseAddress, buffer.count)
      if count < 0 && errno == EINTR { continue }
      if count < 0 {
        readError = errno
        return (UnsafeRawPointer(buffer.baseAddress!), -1)
      }
      bytesRead += Int64(count)
      if hashing { digester.update(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count)) }
      return (UnsafeRawPointer(buffer.baseAddress!), count)
    }
  }

  /// Reads what the consumer left (tar padding after the end-of-archive blocks) and returns the
  /// digest of the whole blob (nil on a read error; meaningless when not hashing).
  func finish() -> String? {
    while true {
      let (_, count) = next()
      if count == 0 { return digester.finish() }
      if count < 0 { return nil }
    }
  }
}
