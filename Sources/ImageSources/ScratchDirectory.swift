import Fingerprint
import Synchronization

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
    let nonEmpty: (String?) -> String? = { $0.flatMap { $0.isEmpty ? nil : $0 } }
    let parent = nonEmpty(options.temporaryDirectory) ?? nonEmpty(options.environment["TMPDIR"]) ?? nonEmpty(ProcessInfo.processInfo.environment["TMPDIR"]) ?? "/tmp"
    var template = Array("\(parent)/rigcheck-\(purpose)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw ImageSourceError(.unreadable, "\(parent): cannot create a temporary directory (\(String(cString: strerror(errno))))")
    }
    path = String(cString: made)
    ScratchDirectories.register(path)
  }

  /// Removes the directory and its contents.
  func remove() {
    ScratchDirectories.unregister(path)
    Self.removeTree(path)
  }

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

/// Every scratch directory of this process not yet removed, so that an interruption (Ctrl-C,
/// SIGTERM) removes what was downloaded or unpacked before rigcheck exits: nothing is left in
/// the temporary directory, whatever way the command ends.
public enum ScratchDirectories {
  private static let live = Mutex<Set<String>>([])

  static func register(_ path: String) { _ = live.withLock { $0.insert(path) } }
  static func unregister(_ path: String) { _ = live.withLock { $0.remove(path) } }

  /// The directories still present.
  public static var paths: [String] { live.withLock { $0.sorted() } }

  /// Removes every directory still present (from the interruption's clean-up thread). An
  /// unpacking may still be writing into one until it sees the interruption (at its next
  /// entry), so each is removed again until it is gone, for at most `patience` seconds.
  public static func removeAll(patience: Double = 5) {
    let paths = live.withLock { paths in
      defer { paths.removeAll() }
      return paths
    }
    var deadline = timespec()
    clock_gettime(CLOCK_MONOTONIC, &deadline)
    let end = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9 + patience
    for path in paths {
      while true {
        ScratchDirectory.removeTree(path)
        var status = stat()
        guard lstat(path, &status) == 0 else { break }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 > end { break }
        usleep(20_000)
      }
    }
  }
}
