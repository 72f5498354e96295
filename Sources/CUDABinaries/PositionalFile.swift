#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// A file read only where asked, with `pread`: a 900 MB library is read by its headers, never
/// slurped. Counts what it reads, so a scan can prove how little that is.
final class PositionalFile {
  let descriptor: Int32
  /// The file's size when it was opened; no read goes past it.
  let size: UInt64
  /// The name errors use (the path inside the image).
  let name: String
  private(set) var bytesRead: UInt64 = 0
  private(set) var reads: Int = 0

  init(hostPath: String, name: String) throws(CUDABinaryError) {
    let descriptor = open(hostPath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
    guard descriptor >= 0 else {
      throw CUDABinaryError(.unreadable, file: name, "cannot open: \(String(cString: strerror(errno)))")
    }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
      close(descriptor)
      throw CUDABinaryError(.unreadable, file: name, "not a regular file")
    }
    // Headers are scattered through the file: read-ahead would pull in megabytes around each.
    _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_RANDOM)
    self.descriptor = descriptor
    self.size = UInt64(status.st_size)
    self.name = name
  }

  deinit { close(descriptor) }

  /// Exactly `count` bytes at `offset`; a range past the end of the file is malformed input
  /// (`what` names the structure that pointed there).
  func read(_ count: Int, at offset: UInt64, _ what: @autoclosure () -> String) throws(CUDABinaryError) -> [UInt8] {
    guard count >= 0, offset <= size, UInt64(count) <= size - offset else {
      throw CUDABinaryError(.malformed, file: name, "\(what()) at offset \(offset) (\(count) bytes) lies past the end of the file (\(size) bytes)")
    }
    var buffer = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let got = buffer.withUnsafeMutableBytes { raw in
        pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
      }
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else {
        let reason = got < 0 ? String(cString: strerror(errno)) : "the file ended early"
        throw CUDABinaryError(.unreadable, file: name, "reading \(what()) at offset \(offset): \(reason)")
      }
      reads += 1
      bytesRead += UInt64(got)
      done += got
    }
    return buffer
  }
}

/// Little-endian fields out of a header's bytes (ELF64 x86-64/aarch64 and fatbinaries are LE).
extension Array where Element == UInt8 {
  func littleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
    var value: T = 0
    for index in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(self[offset + index]) }
    return value
  }
}
