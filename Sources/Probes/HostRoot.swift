#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif
import Fingerprint

/// Why a file under the host root could not be read.
public enum FileReadError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file does not exist.
  case notFound(path: String)
  /// The file exists, but opening or reading it failed (permission denied, I/O error, …).
  case failed(path: String, reason: String)
  /// The file is larger than the probe is willing to read.
  case tooLarge(path: String, limit: Int)

  public var description: String {
    switch self {
    case .notFound(let path): return "\(path) does not exist"
    case .failed(let path, let reason): return "cannot read \(path): \(reason)"
    case .tooLarge(let path, let limit): return "\(path) is larger than \(limit) bytes"
    }
  }
}

/// The filesystem tree the probes read: `/` on a live host, or a captured host tree.
///
/// Every probe goes through this type with host-absolute paths (`/proc/version`); it maps
/// them under ``path``. Sources recorded in the fingerprint use the host-absolute form, so
/// a capture and the live machine it came from describe their files alike.
///
/// Captured trees may store a symbolic link as a small regular file that holds the link's
/// target (copying tools flatten links that way); ``resolveLink(_:)`` accepts both forms.
public struct HostRoot: Sendable, Hashable {
  /// The directory standing for `/`.
  public let path: String

  /// The most a probe reads from one file; kernel and driver files are far smaller.
  public static let defaultReadLimit = 4 << 20

  public init(_ path: String = "/") {
    var trimmed = path
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    self.path = trimmed.isEmpty ? "/" : trimmed
  }

  /// Whether this is the running machine's own `/`, so live-only sources (NVML, commands,
  /// uname, statvfs) describe the same host as the files.
  public var isLive: Bool { path == "/" }

  /// The real path of a host-absolute path.
  public func hostPath(_ absolute: String) -> String {
    if isLive { return absolute }
    return path + (absolute.hasPrefix("/") ? absolute : "/" + absolute)
  }

  /// Reads a whole file as UTF-8 (invalid bytes repaired), at most `limit` bytes.
  public func read(_ absolute: String, limit: Int = HostRoot.defaultReadLimit) throws(FileReadError) -> String {
    let bytes = try readBytes(absolute, limit: limit)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Reads a whole file's bytes, at most `limit`.
  public func readBytes(_ absolute: String, limit: Int = HostRoot.defaultReadLimit) throws(FileReadError) -> [UInt8] {
    let real = hostPath(absolute)
    let fd = open(real, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw .notFound(path: absolute) }
      throw .failed(path: absolute, reason: Platform.describe(errno: code))
    }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw .failed(path: absolute, reason: Platform.describe(errno: errno))
      }
      if count == 0 { break }
      result.append(contentsOf: chunk[0..<count])
      if result.count > limit { throw .tooLarge(path: absolute, limit: limit) }
    }
    return result
  }

  /// Reads a one-line file and trims whitespace; nil when it is absent or unreadable.
  public func readValue(_ absolute: String) -> String? {
    guard let text = try? read(absolute, limit: 65536) else { return nil }
    let trimmed = text.trimmed
    return trimmed.isEmpty ? nil : trimmed
  }

  /// What kind of thing a path is, following symbolic links.
  public enum EntryKind: Sendable { case missing, file, directory, other }

  public func kind(of absolute: String) -> EntryKind {
    var info = stat()
    guard stat(hostPath(absolute), &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  public func exists(_ absolute: String) -> Bool { kind(of: absolute) != .missing }

  /// The names in a directory, sorted; throws when it is absent or unreadable.
  public func list(_ absolute: String) throws(FileReadError) -> [String] {
    guard let directory = opendir(hostPath(absolute)) else {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw .notFound(path: absolute) }
      throw .failed(path: absolute, reason: Platform.describe(errno: code))
    }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// The target of a symbolic link, or of a flattened link (a regular file holding a relative
  /// or absolute path). Nil when the path is neither.
  public func linkTarget(_ absolute: String) -> String? {
    let real = hostPath(absolute)
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink(real, &buffer, buffer.count - 1)
    if length > 0 {
      return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    guard kind(of: absolute) == .file, let text = readValue(absolute), !text.contains("\n"),
      text.hasPrefix("../") || text.hasPrefix("/") || text.hasPrefix("./")
    else { return nil }
    return text
  }

  /// Resolves a link (real or flattened) to a host-absolute path, lexically.
  public func resolveLink(_ absolute: String) -> String? {
    guard let target = linkTarget(absolute) else { return nil }
    if target.hasPrefix("/") { return HostRoot.normalize(target) }
    let parent = absolute.split(separator: "/").dropLast().joined(separator: "/")
    return HostRoot.normalize("/" + parent + "/" + target)
  }

  /// A `/proc/<pid>/<name>` file chosen to describe the host under this root.
  public struct ProcessFile: Sendable, Hashable {
    /// The host-absolute path (`/proc/1/mounts`).
    public var path: String
    /// The file's text.
    public var text: String
    /// Whether it is rigcheck's own view under a root that is not `/` (a live `/proc` mounted
    /// under the root, whose `/proc/self` is rigcheck's process in its container): the fact
    /// then describes that container, not the host.
    public var describesOwnContainer: Bool
  }

  /// Reads the per-process file `name` (`mounts`, `cgroup`) from the process whose view is the
  /// host's:
  /// - on `/`: `/proc/self/<name>`, rigcheck's own view (inside a container, the container it was
  ///   started in is what a live run describes);
  /// - under another root: `/proc/1/<name>`, the host's init. In a DaemonSet pod that mounts the
  ///   node's `/` at `/host`, `/host/proc` is the node's procfs, so `/host/proc/1` is the node's
  ///   init while `/host/proc/self` is rigcheck in its pod (node_exporter reads `/proc/1/mounts`
  ///   for the same reason). Failing that, `/proc/self/<name>`: in a captured tree (no `/proc/1`)
  ///   the capture's own view, otherwise rigcheck's container, and it says so;
  /// - then each of `fallbacks` (`/proc/mounts`) under the same rule.
  public func hostProcessFile(_ name: String, fallbacks: [String] = []) -> ProcessFile? {
    let own = ["/proc/self/\(name)"] + fallbacks
    if isLive {
      for path in own { if let text = try? read(path) { return ProcessFile(path: path, text: text, describesOwnContainer: false) } }
      return nil
    }
    if let text = try? read("/proc/1/\(name)") {
      return ProcessFile(path: "/proc/1/\(name)", text: text, describesOwnContainer: false)
    }
    let procfsIsLive = hasLiveProcfs
    for path in own {
      if let text = try? read(path) { return ProcessFile(path: path, text: text, describesOwnContainer: procfsIsLive) }
    }
    return nil
  }

  /// Whether this root that is not `/` holds a running procfs (the host's `/proc` mounted under
  /// it, as in a DaemonSet pod), not a captured copy: a procfs always has PID 1. Its per-reader
  /// files (`self`, the UTS-namespaced hostname) then describe rigcheck's own container.
  public var hasLiveProcfs: Bool {
    !isLive && (kind(of: "/proc/1") == .directory || Platform.isProcfs(hostPath("/proc")))
  }

  /// Removes `.` and `..` components lexically.
  static func normalize(_ path: String) -> String {
    var parts: [Substring] = []
    for component in path.split(separator: "/") {
      if component == "." { continue }
      if component == ".." { _ = parts.popLast(); continue }
      parts.append(component)
    }
    return "/" + parts.joined(separator: "/")
  }
}

