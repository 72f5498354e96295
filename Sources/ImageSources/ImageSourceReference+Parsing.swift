#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

extension ImageSourceReference {
  /// The transports that always mean "read at rest" (never start a container).
  public static let transportPrefixes = ["oci:", "oci-archive:", "docker-archive:", "docker://", "dir:"]

  /// True when `text` names an image at rest by its form alone (a transport prefix, or a
  /// `.sqsh`/`.squashfs`/`.sif` path); a plain name is an engine image and needs `--static`.
  public static func isAtRest(_ text: String) -> Bool {
    transportPrefixes.contains { text.hasPrefix($0) } || squashfsSuffixes.contains { text.hasSuffix($0) } || text.hasSuffix(".sif")
  }

  static let squashfsSuffixes = [".sqsh", ".squashfs"]

  /// Reads a reference the way skopeo writes them. `engine` is used for plain names.
  public init(parsing text: String, engine: String? = nil) throws(ImageSourceError) {
    guard !text.isEmpty, !text.hasPrefix("-"), !text.contains("\0") else {
      throw ImageSourceError(.invalidReference, "'\(text.prefix(80))' is not an image reference")
    }
    if let rest = text.dropPrefix("oci-archive:") {
      let (file, tag) = Self.splitPathAndSuffix(rest)
      self = .ociArchive(file: file, tag: tag)
    } else if let rest = text.dropPrefix("oci:") {
      let (directory, tag) = Self.splitPathAndSuffix(rest)
      self = .ociLayout(directory: directory, tag: tag)
    } else if let rest = text.dropPrefix("docker-archive:") {
      let (file, reference) = Self.splitPathAndSuffix(rest)
      self = .dockerArchive(file: file, reference: reference)
    } else if let rest = text.dropPrefix("docker://") {
      self = try Self.registryReference(rest, original: text)
    } else if let rest = text.dropPrefix("dir:") {
      guard !rest.isEmpty else { throw ImageSourceError(.invalidReference, "dir: needs a directory (dir:/path/to/rootfs)") }
      self = .directory(path: rest)
    } else if Self.squashfsSuffixes.contains(where: { text.hasSuffix($0) }) {
      self = .squashfs(file: text)
    } else if text.hasSuffix(".sif") {
      self = .sif(file: text)
    } else {
      self = .localEngine(reference: text, engine: engine)
    }
  }

  /// `PATH[:SUFFIX]` where PATH may itself contain `:`: the longest prefix that exists on disk
  /// is the path; when none exists, a suffix without `/` after the last `:` is the suffix.
  static func splitPathAndSuffix(_ text: String) -> (String, String?) {
    if access(text, F_OK) == 0 { return (text, nil) }
    var index = text.endIndex
    while let colon = text[..<index].lastIndex(of: ":") {
      let path = String(text[..<colon])
      if access(path, F_OK) == 0 { return (path, String(text[text.index(after: colon)...])) }
      index = colon
    }
    if let colon = text.lastIndex(of: ":"), !text[text.index(after: colon)...].contains("/") {
      return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
    return (text, nil)
  }

  /// `HOST/REPO[:TAG|@DIGEST]` with Docker's defaults: no registry host → docker.io, a
  /// one-part name → `library/NAME`, no tag → `latest`.
  static func registryReference(_ text: String, original: String) throws(ImageSourceError) -> ImageSourceReference {
    var remainder = text
    var reference = "latest"
    if let at = remainder.firstIndex(of: "@") {
      reference = String(remainder[remainder.index(after: at)...])
      remainder = String(remainder[..<at])
    } else if let colon = remainder.lastIndex(of: ":"), !remainder[remainder.index(after: colon)...].contains("/") {
      reference = String(remainder[remainder.index(after: colon)...])
      remainder = String(remainder[..<colon])
    }
    var parts = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    var host = "docker.io"
    if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
      host = parts.removeFirst()
    }
    if host == "docker.io" && parts.count == 1 { parts.insert("library", at: 0) }
    let repository = parts.joined(separator: "/")
    let allowedRepository: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-/".unicodeScalars.contains($0) }
    guard !repository.isEmpty, parts.allSatisfy({ !$0.isEmpty }), repository.unicodeScalars.allSatisfy(allowedRepository), !reference.isEmpty,
      reference.unicodeScalars.allSatisfy({ $0.isASCII && !" /\\".unicodeScalars.contains($0) && $0.value > 0x20 })
    else {
      throw ImageSourceError(.invalidReference, "'\(original.prefix(120))' is not a registry image reference (docker://HOST/REPOSITORY:TAG)")
    }
    return .registry(host: host, repository: repository, reference: reference)
  }
}

extension String {
  fileprivate func dropPrefix(_ prefix: String) -> String? {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
  }
}
