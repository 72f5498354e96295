/// `docker://HOST/REPO:TAG`: the image pulled from a registry into a temporary OCI layout (every
/// blob verified against its digest as it arrives), then read by the `oci:` reader. An image
/// index / manifest list yields the manifest of the requested platform (`--platform`, default
/// this machine's).
enum RegistryImageSource {
  /// What was pulled: the layout on disk and what identifies the image.
  struct Pulled: Sendable {
    var layoutDirectory: String
    /// The tag written into the layout's index.json.
    var layoutTag: String
    /// The digest of the image's manifest (of the chosen platform) in the registry.
    var manifestDigest: String
    /// The manifest's digest in the layout: the same, or that of its OCI form when the registry
    /// served a Docker schema 2 manifest.
    var layoutManifestDigest: String
    /// The digest of the index / manifest list the tag pointed at, when it was one.
    var indexDigest: String?
    var config: OCIImageConfig
    var configDigest: String
    var layerCount: Int
    var bytes: Int64
  }

  static let layoutTag = "image"

  /// A tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) or a `sha256:` digest (distribution-spec "Pulling manifests").
  static func isValidReference(_ reference: String) -> Bool {
    if reference.hasPrefix("sha256:") { return BlobDigester.isVerifiable(reference) }
    guard let first = reference.unicodeScalars.first, reference.unicodeScalars.count <= 128 else { return false }
    let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    return allowed(first) && reference.unicodeScalars.allSatisfy { allowed($0) || $0 == "." || $0 == "-" }
  }

  /// Pulls into `directory` (an empty directory the caller owns and removes).
  static func pull(host: String, repository: String, reference: String, options: ImageSourceOptions, into directory: String) throws(ImageSourceError) -> Pulled {
    let name = "docker://\(host)/\(repository)\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference)"
    guard isValidReference(reference) else {
      throw ImageSourceError(.invalidReference, "\(name): '\(reference.prefix(80))' is neither a tag nor a sha256 digest")
    }
    let deadline = NetworkConnection.now() + options.timeoutSeconds
    let client = try RegistryClient(host: host, repository: repository, environment: options.environment, deadline: deadline)
    let layout = try OCILayoutWriter(directory: directory)

    var (bytes, mediaType, digest) = try client.manifest(reference)
    var indexDigest: String?
    var manifestDescriptor = OCIDescriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    let kind = try OCIDocument.decode(MediaTypeProbe.self, from: bytes, what: "\(name) (manifest)")
    if OCIMediaType.isIndex(mediaType) || OCIMediaType.isIndex(kind.mediaType) || (kind.manifests != nil && kind.config == nil) {
      let index = try OCIDocument.decode(OCIIndex.self, from: bytes, what: "\(name) (image index)")
      let platform = options.platform ?? PlatformSelection.host
      let chosen = try PlatformSelection.select(index.manifests, for: platform, in: name)
      indexDigest = digest
      (bytes, mediaType, digest) = try client.manifest(chosen.digest, expected: chosen)
      manifestDescriptor = OCIDescriptor(mediaType: chosen.mediaType ?? mediaType, digest: digest, size: Int64(bytes.count), platform: chosen.platform)
    }
    let manifest = try OCIDocument.decode(OCIManifest.self, from: bytes, what: "\(name) (manifest \(digest))")
    if manifestDescriptor.mediaType == nil { manifestDescriptor.mediaType = manifest.mediaType ?? OCIMediaType.manifest }
    if DockerManifestConversion.isDockerManifest(manifestDescriptor.mediaType) || DockerManifestConversion.isDockerManifest(manifest.mediaType) {
      // The layout gets the OCI form (same blobs); the registry's digest stays the image's identity.
      let converted = try DockerManifestConversion.convert(manifest, what: "\(name) (manifest \(digest))")
      let convertedDigest = BlobDigester.digest(of: converted)
      try layout.writeBlob(converted, digest: convertedDigest)
      manifestDescriptor = OCIDescriptor(mediaType: OCIMediaType.manifest, digest: convertedDigest, size: Int64(converted.count), platform: manifestDescriptor.platform)
    } else {
      try layout.writeBlob(bytes, digest: digest)
    }

    try client.blob(manifest.config, to: layout.blobPath(manifest.config.digest), what: "config")
    guard let configBytes = RegistryCredentials.readSmallFile(layout.blobPath(manifest.config.digest), limit: 16 << 20) else {
      throw ImageSourceError(.malformed, "\(name): config \(manifest.config.digest) is unreadable or larger than 16 MiB")
    }
    let config = try OCIDocument.decode(OCIImageConfig.self, from: configBytes, what: "\(name) (config \(manifest.config.digest))")
    if indexDigest == nil, let wanted = options.platform {
      // A single-platform image must be the platform asked for (as `docker pull --platform` checks).
      let offered = ImagePlatform(os: config.os ?? "unknown", architecture: config.architecture ?? "unknown", variant: config.variant)
      guard offered.os == wanted.os, offered.architecture == wanted.architecture, wanted.variant == nil || wanted.variant == offered.variant else {
        throw ImageSourceError(.platformNotFound, "\(name) is a single-platform image for \(offered), not \(wanted)")
      }
    }

    var total = Int64(bytes.count) + manifest.config.size
    for (position, layer) in manifest.layers.enumerated() {
      guard BlobDigester.isVerifiable(layer.digest) else {
        throw ImageSourceError(.malformed, "\(name): layer \(position + 1) has digest '\(layer.digest.prefix(80))', not sha256:<64 hex digits>")
      }
      if layout.hasBlob(layer.digest) { continue }  // the same layer twice in one image
      try client.blob(layer, to: layout.blobPath(layer.digest), what: "layer \(position + 1) of \(manifest.layers.count)")
      total += layer.size
    }
    try layout.writeIndex(manifest: manifestDescriptor, tag: layoutTag)
    return Pulled(
      layoutDirectory: directory, layoutTag: layoutTag, manifestDigest: digest, layoutManifestDigest: manifestDescriptor.digest, indexDigest: indexDigest, config: config,
      configDigest: manifest.config.digest, layerCount: manifest.layers.count, bytes: total)
  }

  /// Pulls into a temporary directory and opens it with the `oci:` reader; closing the image
  /// removes the directory.
  static func open(host: String, repository: String, reference: String, options: ImageSourceOptions) async throws(ImageSourceError) -> ImageAtRest {
    let scratch = try ScratchDirectory(purpose: "registry", options: options)
    let pulled: Pulled
    let inner: ImageAtRest
    do {
      pulled = try pull(host: host, repository: repository, reference: reference, options: options, into: scratch.path)
      inner = try await ImageSourceOpener.open(.ociLayout(directory: scratch.path, tag: pulled.layoutTag), options: options)
    } catch {
      scratch.remove()
      throw error
    }
    var config = inner.config
    let repositoryName = "\(host)/\(repository)"
    config.digests = [repositoryName + "@" + (pulled.indexDigest ?? pulled.manifestDigest)]
    let separator = reference.hasPrefix("sha256:") ? "@" : ":"
    return ImageAtRest(
      root: inner.root, config: config,
      source: "docker://\(repositoryName)\(separator)\(reference) (\(pulled.manifestDigest), \(pulled.layerCount) layers)",
      cleanup: {
        inner.close()
        scratch.remove()
      })
  }
}

/// Just enough of a manifest or index to tell which it is when the registry's Content-Type
/// does not say (`mediaType` is optional in OCI documents).
struct MediaTypeProbe: Decodable {
  var mediaType: String?
  var manifests: [OCIDescriptor]?
  var config: OCIDescriptor?
}
