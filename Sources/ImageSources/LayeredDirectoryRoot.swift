import CXattr

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// An image root made of layer directories on this machine, bottom layer first: one directory
/// for an unpacked rootfs (`dir:`, squashfs), several for image layers (unpacked layer tars, or
/// the engine's own overlay2 `diff` directories).
///
/// Both whiteout conventions are applied: OCI's (`.wh.NAME` hides NAME below, `.wh..wh..opq`
/// hides a directory's lower contents — image-spec layer.md "Whiteouts") and overlayfs's
/// (a character device 0/0 is a whiteout, `trusted.overlay.opaque=y` an opaque directory —
/// kernel Documentation/filesystems/overlayfs.rst "whiteouts and opaque directories").
public struct LayeredDirectoryRoot: ImageRoot {
  /// Host directories, bottom layer first.
  public let layers: [String]
  /// The most symbolic links followed for one path (Linux's MAXSYMLINKS).
  static let maximumLinks = 40
  static let whiteoutPrefix = ".wh."
  static let opaqueMarker = ".wh..wh..opq"

  /// Merged directories already worked out (shared by copies of this root).
  private let merged = MergedDirectories()

  public init(layers: [String]) {
    self.layers = layers.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 }
  }

  public init(directory: String) { self.init(layers: [directory]) }

  // MARK: Paths

  /// `/a/./b/` → ["a", "b"]; `..` is kept for the resolver.
  static func components(_ path: String) -> [String] {
    path.split(separator: "/").map(String.init).filter { $0 != "." }
  }

  static func join(_ components: [String]) -> String { "/" + components.joined(separator: "/") }

  // MARK: One layer

  private static func lstatOf(_ hostPath: String) -> stat? {
    var buffer = stat()
    return lstat(hostPath, &buffer) == 0 ? buffer : nil
  }

  private static func isOverlayWhiteout(_ status: stat) -> Bool {
    (status.st_mode & S_IFMT) == S_IFCHR && status.st_rdev == 0
  }

  private static func isOverlayOpaque(_ hostPath: String) -> Bool {
    var value: [UInt8] = [0, 0]
    let count = lgetxattr(hostPath, "trusted.overlay.opaque", &value, value.count)
    return count == 1 && value[0] == UInt8(ascii: "y")
  }

  private static func exists(_ hostPath: String) -> Bool { lstatOf(hostPath) != nil }

  /// The layer directories that make up the merged directory at a canonical path (no links,
  /// no `..`), top layer first, down to the first one that hides the layers below it (opaque);
  /// empty when the path is not a directory in the merged view. A directory's layers follow
  /// from its parent's, so each is worked out once and remembered (``MergedDirectories``).
  private func directoryLayers(_ components: [String]) -> [String] {
    if components.isEmpty { return layers.reversed() }
    let key = components.joined(separator: "/")
    if let known = merged.layers(of: key) { return known }
    let name = components[components.count - 1]
    var found: [String] = []
    for parent in directoryLayers(Array(components.dropLast())) {
      if Self.exists(parent + "/" + Self.whiteoutPrefix + name) { break }
      let hostPath = parent + "/" + name
      guard let status = Self.lstatOf(hostPath) else { continue }
      // A whiteout, or anything but a directory, hides the layers below.
      guard (status.st_mode & S_IFMT) == S_IFDIR else { break }
      found.append(hostPath)
      if Self.exists(hostPath + "/" + Self.opaqueMarker) || Self.isOverlayOpaque(hostPath) { break }
    }
    // Only directories found are remembered: a root whose layers are still being written
    // (an OCI layout during a pull) may gain directories, never lose them.
    if !found.isEmpty { merged.remember(found, for: key) }
    return found
  }

  /// The topmost layer entry of a canonical path.
  private func entry(_ components: [String]) -> (stat, String)? {
    if components.isEmpty {
      guard let top = layers.last, let status = Self.lstatOf(top) else { return nil }
      return (status, top)
    }
    let name = components[components.count - 1]
    for parent in directoryLayers(Array(components.dropLast())) {
      if Self.exists(parent + "/" + Self.whiteoutPrefix + name) { return nil }
      let hostPath = parent + "/" + name
      guard let status = Self.lstatOf(hostPath) else { continue }
      if Self.isOverlayWhiteout(status) { return nil }
      return (status, hostPath)
    }
    return nil
  }

  private static func readLink(_ hostPath: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(hostPath, &buffer, buffer.count - 1)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: Resolution inside the root

  /// Canonical components of `path`, links resolved inside the root (the last one only when
  /// `followLast`).
  func canonical(_ path: String, followLast: Bool) -> [String]? {
    var pending = Self.components(path)
    var resolved: [String] = []
    var linksFollowed = 0
    while !pending.isEmpty {
      let component = pending.removeFirst()
      if component == ".." {
        if !resolved.isEmpty { resolved.removeLast() }
        continue
      }
      let candidate = resolved + [component]
      guard let (status, hostPath) = entry(candidate) else { return nil }
      let isLast = pending.isEmpty
      if (status.st_mode & S_IFMT) == S_IFLNK && (!isLast || followLast) {
        linksFollowed += 1
        guard linksFollowed <= Self.maximumLinks, let target = Self.readLink(hostPath) else { return nil }
        if target.hasPrefix("/") { resolved = [] }
        pending = Self.components(target) + pending
        continue
      }
      if !isLast && (status.st_mode & S_IFMT) != S_IFDIR { return nil }
      resolved = candidate
    }
    return resolved
  }

  public func resolve(_ path: String) -> String? {
    canonical(path, followLast: true).map(Self.join)
  }

  public func info(_ path: String) -> ImageFileInfo? {
    guard let components = canonical(path, followLast: false), let (status, _) = entry(components) else { return nil }
    let kind: ImageFileKind
    switch status.st_mode & S_IFMT {
    case S_IFREG: kind = .regular
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symlink
    default: kind = .other
    }
    return ImageFileInfo(kind: kind, size: Int64(status.st_size), permissions: UInt32(status.st_mode & 0o7777))
  }

  public func linkTarget(_ path: String) -> String? {
    guard let components = canonical(path, followLast: false), let (status, hostPath) = entry(components),
      (status.st_mode & S_IFMT) == S_IFLNK
    else { return nil }
    return Self.readLink(hostPath)
  }

  public func hostPath(_ path: String) -> String? {
    guard let components = canonical(path, followLast: true), let (status, hostPath) = entry(components),
      (status.st_mode & S_IFMT) == S_IFREG
    else { return nil }
    return hostPath
  }

  public func list(_ directory: String) -> [String]? {
    guard let components = canonical(directory, followLast: true), let (status, _) = entry(components),
      (status.st_mode & S_IFMT) == S_IFDIR
    else { return nil }
    var names: Set<String> = []
    var hidden: Set<String> = []
    for hostPath in directoryLayers(components) {
      var opaque = false
      for name in Self.directoryNames(hostPath) {
        if name == Self.opaqueMarker {
          opaque = true
        } else if name.hasPrefix(Self.whiteoutPrefix) {
          hidden.insert(String(name.dropFirst(Self.whiteoutPrefix.count)))
        } else if !hidden.contains(name) {
          if let entryStatus = Self.lstatOf(hostPath + "/" + name), Self.isOverlayWhiteout(entryStatus) {
            hidden.insert(name)
          } else {
            names.insert(name)
          }
        }
      }
      // Names seen here hide the same names below (a file over a directory, and so on).
      hidden.formUnion(names)
      if opaque || Self.isOverlayOpaque(hostPath) { break }
    }
    return names.sorted()
  }

  static func directoryNames(_ hostPath: String) -> [String] {
    guard let handle = opendir(hostPath) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
