import ImageSources

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Reading files of an image at rest the way the checks' shell does inside the container:
/// globs, `[ -x ]`, `readlink -f`, small text files, and bounded scans of binaries.
/// Every read is capped; nothing follows a link out of the image root (``ImageRoot``).
struct ImageRootFiles: Sendable {
  let root: any ImageRoot

  /// The most bytes read of a text file (os-release, METADATA headers, version.py).
  static let textLimit = 1 << 20
  /// The most bytes scanned of one binary for a version string (libc.so.6 is ~2 MB,
  /// libpython ~25 MB).
  static let scanLimit = 96 << 20

  /// `readlink -f`: the path with every link resolved inside the image.
  func real(_ path: String) -> String? { root.resolve(path) }

  /// `[ -e ]`, links followed.
  func exists(_ path: String) -> Bool { root.resolve(path) != nil }

  /// `[ -d ]`, links followed.
  func isDirectory(_ path: String) -> Bool { root.resolve(path).flatMap { root.info($0) }?.kind == .directory }

  /// `[ -f ]`, links followed.
  func isRegularFile(_ path: String) -> Bool { root.resolve(path).flatMap { root.info($0) }?.kind == .regular }

  /// `[ -L ]`: the path itself is a symbolic link.
  func isSymlink(_ path: String) -> Bool { root.info(path)?.kind == .symlink }

  /// `[ -x ] && [ ! -d ]` as root evaluates it: a file (links followed) with any execute bit.
  func isExecutableFile(_ path: String) -> Bool {
    guard let info = root.resolve(path).flatMap({ root.info($0) }), info.kind == .regular else { return false }
    return info.permissions & 0o111 != 0
  }

  /// The names in a directory, sorted; empty when it is not one.
  func list(_ directory: String) -> [String] { root.list(directory) ?? [] }

  /// A text file's content (up to ``textLimit`` bytes, invalid UTF-8 repaired), or nil.
  func readText(_ path: String, limit: Int = textLimit) -> String? {
    guard let bytes = readBytes(path, limit: limit) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Up to `limit` bytes from the start of a regular file, or nil.
  func readBytes(_ path: String, limit: Int, offset: Int = 0) -> [UInt8]? {
    guard let host = root.hostPath(path) else { return nil }
    let descriptor = open(host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: limit)
    var total = 0
    while total < limit {
      let count = buffer.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress! + total, limit - total, off_t(offset + total)) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      total += count
    }
    return Array(buffer[..<total])
  }

  /// The distinct NUL-terminated strings in a binary for which `accept` is true, read in
  /// chunks (never the whole file at once), at most ``scanLimit`` bytes; `prefix` is a byte
  /// every wanted string starts with, to skip the rest quickly.
  func scanStrings(_ path: String, startingWith prefix: UInt8, maximumLength: Int = 200, accept: (String) -> Bool) -> Set<String> {
    guard let host = root.hostPath(path) else { return [] }
    let descriptor = open(host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    let chunk = 1 << 20
    var buffer = [UInt8](repeating: 0, count: chunk + maximumLength)
    var found: Set<String> = []
    var offset = 0
    while offset < Self.scanLimit {
      let count = buffer.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress!, chunk + maximumLength, off_t(offset)) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      // Strings that start in this chunk (the overlap lets one run past its end).
      let starts = min(count, chunk)
      var index = 0
      while index < starts {
        if buffer[index] == prefix && (index > 0 ? buffer[index - 1] == 0 : offset == 0) {
          var end = index
          while end < count && end - index < maximumLength && buffer[end] != 0 { end += 1 }
          if end < count && buffer[end] == 0 {
            let text = String(decoding: buffer[index..<end], as: UTF8.self)
            if accept(text) { found.insert(text) }
          }
          index = end
        }
        index += 1
      }
      offset += chunk
    }
    return found
  }

  /// A POSIX shell glob (`/usr/local/cuda*/lib64/libcudart.so.*`) over the image, as sh
  /// expands it: `*`, `?` and `[…]` per path component (fnmatch, a leading dot matched only
  /// explicitly), directories followed through links, results in sorted order. A pattern
  /// that matches nothing expands to nothing (the checks test `[ -f ]` on the literal word,
  /// which fails the same way).
  func glob(_ pattern: String) -> [String] {
    var paths = [""]
    for component in pattern.split(separator: "/").map(String.init) {
      let hasMeta = component.contains { "*?[".contains($0) }
      var next: [String] = []
      for base in paths {
        if hasMeta {
          for name in list(base.isEmpty ? "/" : base) where fnmatch(component, name, FNM_PERIOD) == 0 {
            next.append(base + "/" + name)
          }
        } else if root.info(base + "/" + component) != nil {
          next.append(base + "/" + component)
        }
      }
      paths = next
      if paths.isEmpty { break }
    }
    return paths.filter { !$0.isEmpty }
  }
}
