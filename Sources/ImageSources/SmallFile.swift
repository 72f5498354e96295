#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Reads a whole small file (a JSON document), refusing one larger than `limit`.
enum SmallFile {
  static func read(_ path: String, limit: Int64, what: String) throws(ImageSourceError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      throw ImageSourceError(code == ENOENT ? .notFound : .unreadable, "\(what): cannot open \(path): \(String(cString: strerror(code)))")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
      throw ImageSourceError(.malformed, "\(what): \(path) is not a regular file")
    }
    guard Int64(status.st_size) <= limit else {
      throw ImageSourceError(.hostile, "\(what): \(path) is \(status.st_size) bytes, more than \(limit)")
    }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var filled = 0
    while filled < bytes.count {
      let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        throw ImageSourceError(.unreadable, "\(what): reading \(path) failed: \(count == 0 ? "file shrank" : String(cString: strerror(errno)))")
      }
      filled += count
    }
    return bytes
  }
}
