import Fingerprint

/// Reads `docker-archive:FILE[:REF]`, the output of `docker save` (and `podman save`,
/// skopeo's `docker-archive:`). Its `manifest.json` lists each image's config file and layer
/// tars, bottom first — in the legacy layout (`ID/layer.tar`, `ID.json`, written by Docker
/// up to 24) and in the OCI-layout form Docker 25+ writes (`blobs/sha256/HEX`), which the same
/// `manifest.json` describes (moby image/tarexport/save.go: `manifestItem` {Config, RepoTags,
/// Layers}). Layers are uncompressed tars and are checked against the config's
/// `rootfs.diff_ids`; the config file against the digest in its name (Docker's image id).
public enum DockerArchiveReader {
  /// One entry of manifest.json.
  struct ManifestItem: Decodable {
    var Config: String
    var RepoTags: [String]?
    var Layers: [String]
  }

  /// `reference` is `NAME:TAG` as in RepoTags, or `@N` (the N-th image, from 0; skopeo's form).
  public static func open(file: String, reference: String?, options: ImageSourceOptions) throws(ImageSourceError) -> ImageAtRest {
    let name = "docker-archive:\(file)\(reference.map { ":" + $0 } ?? "")"
    let extracted = try ArchiveExtraction.extract(file, name: name, options: options)
    defer { extracted.remove() }
    let archive = OCILayout(directory: extracted.path + "/archive", name: name)
    let items = try OCIDocument.decode([ManifestItem].self, from: try archive.readFile("manifest.json"), what: "\(name): manifest.json")
    let item = try choose(items, reference: reference, what: name)
    let configWhat = "\(name): config \(item.Config)"
    let configBytes = try SmallFile.read(
      try archive.hostPath(item.Config, what: configWhat), limit: OCILayoutReader.documentLimit, what: configWhat)
    let configDigest = "sha256:" + SHA256.hexDigest(of: configBytes)
    if let named = hexDigest(in: item.Config), "sha256:" + named != configDigest {
      throw ImageSourceError(.digestMismatch, "\(configWhat) has digest \(configDigest), its name says sha256:\(named)")
    }
    let config = try OCIDocument.decode(OCIImageConfig.self, from: configBytes, what: configWhat)
    try ImageAssembly.checkPlatform(config, requested: options.platform, what: name)
    let diffIDs = config.rootfs?.diffIDs ?? []
    guard diffIDs.count == item.Layers.count else {
      throw ImageSourceError(
        .malformed, "\(configWhat) lists \(diffIDs.count) layer digests (rootfs.diff_ids), manifest.json \(item.Layers.count) layers")
    }
    var layers: [LayerBlob] = []
    for (position, path) in item.Layers.enumerated() {
      let what = "\(name) layer \(position + 1) of \(item.Layers.count) (\(path))"
      layers.append(
        LayerBlob(path: try archive.hostPath(path, what: what), digest: try BlobDigest(parsing: diffIDs[position], in: what), size: nil, what: what))
    }
    let tags = item.RepoTags ?? []
    return try ImageAssembly.assemble(
      layers: layers, config: config, configDigest: configDigest, source: "\(name) (\(tags.first ?? configDigest), \(layers.count) layers)",
      directory: try UnpackDirectory(options: options), limits: options.limits)
  }

  static func choose(_ items: [ManifestItem], reference: String?, what: String) throws(ImageSourceError) -> ManifestItem {
    let tags = items.flatMap { $0.RepoTags ?? [] }
    guard let reference else {
      guard items.count == 1 else {
        throw ImageSourceError(
          .invalidReference,
          "\(what) holds \(items.count) images; name one with docker-archive:FILE:NAME:TAG or :@N (tags: \(tags.isEmpty ? "none" : tags.joined(separator: ", ")))")
      }
      return items[0]
    }
    if reference.hasPrefix("@"), let index = Int(reference.dropFirst()) {
      guard items.indices.contains(index) else { throw ImageSourceError(.notFound, "\(what) has \(items.count) images; there is no @\(index)") }
      return items[index]
    }
    let wanted = normalized(reference)
    guard let item = items.first(where: { ($0.RepoTags ?? []).contains { normalized($0) == wanted } }) else {
      throw ImageSourceError(.notFound, "\(what) has no image tagged \(reference) (it has \(tags.isEmpty ? "no tags" : tags.joined(separator: ", ")))")
    }
    return item
  }

  /// A name as Docker normalises it (distribution/reference normalize.go `ParseNormalizedNamed`):
  /// no registry host → `docker.io/`, a one-part Docker Hub name → `library/NAME`, no tag →
  /// `:latest`. `docker save` writes short names, skopeo full ones; both mean the same image.
  static func normalized(_ name: String) -> String {
    var parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if parts.count == 1 || !(parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost") {
      parts.insert("docker.io", at: 0)
    }
    if parts[0] == "docker.io" && parts.count == 2 { parts.insert("library", at: 1) }
    if let last = parts.last, !last.contains(":") && !last.contains("@") { parts[parts.count - 1] = last + ":latest" }
    return parts.joined(separator: "/")
  }

  /// The 64-hex digest a config file is named by (`HEX.json`, `blobs/sha256/HEX`), if any.
  static func hexDigest(in path: String) -> String? {
    var name = Substring(path.split(separator: "/").last ?? "")
    if name.hasSuffix(".json") { name = name.dropLast(5) }
    guard name.utf8.count == 64, name.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
    return String(name)
  }
}
