#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// A private temporary directory (mode 0700, `mkdtemp`) for what a source downloads or unpacks,
/// removed with everything in it, symbolic links never followed.
struct ScratchDirectory: Sendable {
  let path: String

  /// `PARENT/rigcheck-PURPOSE-XXXXXX`, PARENT being `options.temporaryDirectory`, else `$TMPDIR`, else /tmp.
  init(purpose: String, options: ImageSourceOptions) throws(ImageSourceError) {
    let parent = options.temporaryDirectory ?? options.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(parent)/rigcheck-\(purpose)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw ImageSourceError(.unreadable, "\(parent): cannot create a temporary directory (\(String(cString: strerror(errno))))")
    }
    path = String(cString: made)
  }

  /// Removes the directory and its contents.
  func remove() { Self.removeTree(path) }

  static func removeTree(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if fd >= 0 {
      removeContents(fd)
      close(fd)
    }
    if rmdir(path) != 0 { unlink(path) }
  }

  /// Empties the directory open at `fd`, depth first, by names relative to it (`unlinkat`):
  /// a symbolic link is removed, never followed.
  private static func removeContents(_ fd: Int32) {
    let duplicate = dup(fd)
    guard duplicate >= 0, let handle = fdopendir(duplicate) else { return }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    for name in names {
      if unlinkat(fd, name, 0) == 0 { continue }
      let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if child >= 0 {
        // A directory made read-only by an image (unpacked squashfs) must be writable to empty it.
        fchmod(child, 0o700)
        removeContents(child)
        close(child)
      }
      unlinkat(fd, name, AT_REMOVEDIR)
    }
  }
}
