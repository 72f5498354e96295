import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Writes to the standard streams without Foundation's FileHandle.
enum FileHandleOutput {
  static func standardOutput(_ text: String) { write(text, to: 1) }
  static func standardError(_ text: String) { write(text, to: 2) }

  private static func write(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        return
      }
      bytes = bytes.dropFirst(written)
    }
  }
}

/// Why an output file could not be written.
struct OutputFileError: Error, CustomStringConvertible {
  let description: String
}

/// Writes files so a reader never sees a partial one: a temporary file in the same
/// directory, fsync, then rename over the target. On failure the target is untouched.
enum AtomicFile {
  static func write(_ data: Data, to path: String) throws {
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let base = path.split(separator: "/").last.map(String.init) ?? path
    var template = Array("\(directory.isEmpty ? "/" : directory)/.\(base).XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    guard descriptor >= 0 else {
      throw OutputFileError(description: "cannot write \(path): \(String(cString: strerror(errno))) (creating a temporary file in \(directory.isEmpty ? "/" : directory))")
    }
    let temporary = String(nulTerminated: template)
    var failure: String?
    let bytes = Array(data)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        failure = String(cString: strerror(errno))
        break
      }
      offset += written
    }
    if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
    fchmod(descriptor, 0o644)
    if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
    if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
      unlink(temporary)
      throw OutputFileError(description: "cannot write \(path): \(failure); the file was left unchanged")
    }
  }
}
