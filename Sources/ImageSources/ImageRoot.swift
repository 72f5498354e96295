/// What one path inside an image is.
public enum ImageFileKind: Sendable, Hashable {
  case regular, directory, symlink, other
}

public struct ImageFileInfo: Sendable, Hashable {
  public var kind: ImageFileKind
  /// Bytes, for regular files.
  public var size: Int64
  /// Permission bits (`0o755`).
  public var permissions: UInt32

  public init(kind: ImageFileKind, size: Int64, permissions: UInt32) {
    self.kind = kind
    self.size = size
    self.permissions = permissions
  }
}

/// A read-only view of an image's root filesystem, wherever it lies (layer directories of the
/// engine's storage, layers unpacked into a temporary directory, an unpacked squashfs).
///
/// Paths are absolute paths inside the image (`/usr/lib/os-release`). Symbolic links are
/// resolved inside the image root: `..` stops at `/`, absolute targets restart at the image's
/// `/`, never the host's; loops end in nil. Whiteouts are applied: a deleted file is absent.
public protocol ImageRoot: Sendable {
  /// The path with every symbolic link resolved (the last one too), or nil when a component is
  /// missing or the links loop.
  func resolve(_ path: String) -> String?
  /// The path's own kind (a final symbolic link is not followed; the parents are).
  func info(_ path: String) -> ImageFileInfo?
  /// A symbolic link's target, as written.
  func linkTarget(_ path: String) -> String?
  /// The names in a directory (links followed), sorted; nil when not a directory.
  func list(_ directory: String) -> [String]?
  /// Where the regular file at `path` (links followed) lies on this machine, to open and read
  /// (with `pread`: libraries are read by their headers, never slurped).
  func hostPath(_ path: String) -> String?
}
