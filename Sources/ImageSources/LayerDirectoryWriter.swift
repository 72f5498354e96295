#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Creates archive entries under one directory and nowhere else.
///
/// Every path is walked from the layer directory's own descriptor with `openat(O_NOFOLLOW |
/// O_DIRECTORY)`, one component at a time, so a symbolic link written by an earlier entry (or
/// an existing one) can never redirect a later write: an entry whose parent is a link or a file
/// is refused as hostile, and a link in the final position is replaced, not followed. Nothing is
/// chowned, no device node is made, set-id bits are dropped, and every directory stays
/// owner-writable so the unpacked tree can always be removed.
final class LayerDirectoryWriter {
  private let root: Int32
  /// Names the archive in errors.
  let what: String
  /// The last parent directory opened (entries of one directory come together in a tar).
  private var cachedParent: (path: ArchiveEntryPath, descriptor: Int32)?

  init(directory: String, what: String) throws(ImageSourceError) {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw ImageSourceError(.unreadable, "cannot open the unpack directory \(directory): \(Self.errorText())")
    }
    root = descriptor
    self.what = what
  }

  deinit {
    if let cachedParent { close(cachedParent.descriptor) }
    close(root)
  }

  static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

  static func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
    (bytes + [0]).withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
  }

  // MARK: Walking

  /// Opens `path` as a directory below the root, creating missing directories when `create`.
  /// The caller closes the descriptor.
  private func openDirectory(_ path: ArchiveEntryPath, for entry: ArchiveEntryPath, create: Bool) throws(ImageSourceError) -> Int32 {
    var current = dup(root)
    guard current >= 0 else { throw ImageSourceError(.unreadable, "\(what): \(Self.errorText())") }
    for (position, component) in path.components.enumerated() {
      var next = Self.withCString(component) { openat(current, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
      if next < 0 && errno == ENOENT && create {
        let made = Self.withCString(component) { mkdirat(current, $0, 0o755) }
        if made == 0 || errno == EEXIST {
          next = Self.withCString(component) { openat(current, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        }
      }
      let code = errno
      close(current)
      guard next >= 0 else {
        let prefix = ArchiveEntryPath(components: Array(path.components.prefix(position + 1)))
        switch code {
        case ELOOP, ENOTDIR:
          throw ImageSourceError(
            .hostile, "\(what): entry '\(entry)' would be written through '\(prefix)', which is a symbolic link or a file, not a directory")
        case ENOENT:
          throw ImageSourceError(.malformed, "\(what): entry '\(entry)' refers to '\(prefix)', which the layer does not have")
        default:
          throw ImageSourceError(.unreadable, "\(what): cannot open '\(prefix)' for entry '\(entry)': \(Self.errorText(code))")
        }
      }
      current = next
    }
    return current
  }

  /// The parent directory of `entry`, created as needed; owned by the cache (do not close).
  private func parentDirectory(of entry: ArchiveEntryPath) throws(ImageSourceError) -> Int32 {
    let parent = entry.parent
    if let cachedParent, cachedParent.path == parent { return cachedParent.descriptor }
    let descriptor = try openDirectory(parent, for: entry, create: true)
    if let cachedParent { close(cachedParent.descriptor) }
    cachedParent = (parent, descriptor)
    return descriptor
  }

  /// Makes room for a new entry named `entry`: an existing file or link is removed (a later
  /// tar entry replaces an earlier one); an existing directory is kept for a directory and
  /// refused for anything else.
  private func clear(_ entry: ArchiveEntryPath, in parent: Int32, forDirectory: Bool) throws(ImageSourceError) -> Bool {
    var status = stat()
    let found = Self.withCString(entry.name) { fstatat(parent, $0, &status, AT_SYMLINK_NOFOLLOW) } == 0
    guard found else { return false }
    if (status.st_mode & S_IFMT) == S_IFDIR {
      if forDirectory { return true }
      throw ImageSourceError(.malformed, "\(what): entry '\(entry)' replaces a directory of the same layer with a non-directory")
    }
    guard Self.withCString(entry.name, { unlinkat(parent, $0, 0) }) == 0 else {
      throw ImageSourceError(.unreadable, "\(what): cannot replace '\(entry)': \(Self.errorText())")
    }
    return false
  }

  // MARK: Entries

  func makeDirectory(_ entry: ArchiveEntryPath, mode: UInt32) throws(ImageSourceError) {
    let permissions = mode_t(mode & 0o777 | 0o700)
    if entry.isRoot {
      fchmod(root, permissions)
      return
    }
    let parent = try parentDirectory(of: entry)
    if try clear(entry, in: parent, forDirectory: true) {
      _ = Self.withCString(entry.name) { fchmodat(parent, $0, permissions, 0) }
      return
    }
    guard Self.withCString(entry.name, { mkdirat(parent, $0, permissions) }) == 0 else {
      throw ImageSourceError(.unreadable, "\(what): cannot create directory '\(entry)': \(Self.errorText())")
    }
  }

  /// A new regular file, open for writing; the caller writes it and calls ``finishFile``.
  func createFile(_ entry: ArchiveEntryPath) throws(ImageSourceError) -> Int32 {
    guard !entry.isRoot else { throw ImageSourceError(.malformed, "\(what): a file entry names the layer's root directory") }
    let parent = try parentDirectory(of: entry)
    _ = try clear(entry, in: parent, forDirectory: false)
    let descriptor = Self.withCString(entry.name) { openat(parent, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
    guard descriptor >= 0 else {
      throw ImageSourceError(.unreadable, "\(what): cannot create '\(entry)': \(Self.errorText())")
    }
    return descriptor
  }

  /// Sets the file's permissions (owner-readable at least, set-id bits dropped) and closes it.
  func finishFile(_ descriptor: Int32, mode: UInt32) {
    fchmod(descriptor, mode_t(mode & 0o777 | 0o400))
    close(descriptor)
  }

  /// A symbolic link, stored as written: it is never followed here; ``LayeredDirectoryRoot``
  /// resolves it inside the image root.
  func makeSymbolicLink(_ entry: ArchiveEntryPath, target: [UInt8]) throws(ImageSourceError) {
    guard !entry.isRoot else { throw ImageSourceError(.malformed, "\(what): a link entry names the layer's root directory") }
    let parent = try parentDirectory(of: entry)
    _ = try clear(entry, in: parent, forDirectory: false)
    let made = Self.withCString(target) { target in Self.withCString(entry.name) { symlinkat(target, parent, $0) } }
    guard made == 0 else {
      throw ImageSourceError(.unreadable, "\(what): cannot create link '\(entry)': \(Self.errorText())")
    }
  }

  /// A hard link to an earlier entry of the same layer (never to anything outside it).
  func makeHardLink(_ entry: ArchiveEntryPath, to target: ArchiveEntryPath) throws(ImageSourceError) {
    guard !entry.isRoot, !target.isRoot else { throw ImageSourceError(.malformed, "\(what): hard link '\(entry)' names the root directory") }
    let targetParent = try openDirectory(target.parent, for: entry, create: false)
    defer { close(targetParent) }
    var status = stat()
    guard Self.withCString(target.name, { fstatat(targetParent, $0, &status, AT_SYMLINK_NOFOLLOW) }) == 0 else {
      throw ImageSourceError(.malformed, "\(what): hard link '\(entry)' points to '\(target)', which comes later or not at all")
    }
    guard (status.st_mode & S_IFMT) != S_IFDIR else {
      throw ImageSourceError(.malformed, "\(what): hard link '\(entry)' points to the directory '\(target)'")
    }
    if target == entry { return }
    let parent = try parentDirectory(of: entry)
    _ = try clear(entry, in: parent, forDirectory: false)
    let made = Self.withCString(target.name) { old in Self.withCString(entry.name) { linkat(targetParent, old, parent, $0, 0) } }
    guard made == 0 else {
      throw ImageSourceError(.unreadable, "\(what): cannot link '\(entry)' to '\(target)': \(Self.errorText())")
    }
  }

  /// An overlayfs-style whiteout (character device 0/0) recorded as the OCI marker
  /// `.wh.NAME`, which ``LayeredDirectoryRoot`` applies the same way, without mknod.
  func makeWhiteout(_ entry: ArchiveEntryPath) throws(ImageSourceError) {
    guard !entry.isRoot else { throw ImageSourceError(.malformed, "\(what): a whiteout names the layer's root directory") }
    let marker = ArchiveEntryPath(components: entry.parent.components + [Array(LayeredDirectoryRoot.whiteoutPrefix.utf8) + entry.name])
    let descriptor = try createFile(marker)
    finishFile(descriptor, mode: 0o600)
  }
}
