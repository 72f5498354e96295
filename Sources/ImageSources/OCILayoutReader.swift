import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Reads an OCI image layout directory (image-spec image-layout.md: `oci-layout`,
/// `index.json`, `blobs/sha256/HEX`), as skopeo (`skopeo copy … oci:DIR:TAG`), buildah,
/// `docker buildx --output type=oci` and the registry reader write it.
///
/// The image is chosen the way skopeo's `oci:` transport does: by the
/// `org.opencontainers.image.ref.name` annotation when a tag is given, else the only entry of
/// `index.json`; a nested index (multi-platform image) is resolved by ``PlatformSelection``.
/// Every blob is checked against its descriptor's digest and size.
public enum OCILayoutReader {
  /// The most bytes a manifest, index or config blob may have (they are JSON documents).
  static let documentLimit: Int64 = 16 << 20
  /// Nested indexes followed at most.
  static let maximumIndexDepth = 4

  /// Opens the image `tag` (or the only image) of the layout at `directory`, unpacked under a
  /// new temporary directory that ``ImageAtRest/close()`` removes. `source` overrides the
  /// provenance text (`oci-archive:FILE`, `docker://HOST/REPO:TAG`).
  public static func open(directory: String, tag: String?, options: ImageSourceOptions, source: String? = nil) throws(ImageSourceError) -> ImageAtRest {
    let name = "oci:\(directory)\(tag.map { ":" + $0 } ?? "")"
    let layout = OCILayout(directory: directory, name: source ?? name)
    try layout.checkLayoutFile()
    let index = try OCIDocument.decode(OCIIndex.self, from: try layout.readFile("index.json"), what: "\(layout.name): index.json")
    let entry = try chooseEntry(index, tag: tag, platform: options.platform, what: layout.name)
    var manifestDescriptor = entry
    var depth = 0
    while OCIMediaType.isIndex(manifestDescriptor.mediaType) {
      depth += 1
      guard depth <= maximumIndexDepth else { throw ImageSourceError(.malformed, "\(layout.name): image indexes nest deeper than \(maximumIndexDepth)") }
      let what = "\(layout.name): index \(manifestDescriptor.digest)"
      let nested = try OCIDocument.decode(OCIIndex.self, from: try layout.readBlob(manifestDescriptor, limit: documentLimit, what: what), what: what)
      manifestDescriptor = try PlatformSelection.select(nested.manifests, for: options.platform ?? PlatformSelection.host, in: what)
    }
    let manifestWhat = "\(layout.name): manifest \(manifestDescriptor.digest)"
    let manifest = try OCIDocument.decode(
      OCIManifest.self, from: try layout.readBlob(manifestDescriptor, limit: documentLimit, what: manifestWhat), what: manifestWhat)
    let configWhat = "\(layout.name): config \(manifest.config.digest)"
    let config = try OCIDocument.decode(
      OCIImageConfig.self, from: try layout.readBlob(manifest.config, limit: documentLimit, what: configWhat), what: configWhat)
    try ImageAssembly.checkPlatform(config, requested: options.platform, what: layout.name)
    var layers: [LayerBlob] = []
    for (position, descriptor) in manifest.layers.enumerated() {
      let what = "\(layout.name) layer \(position + 1) of \(manifest.layers.count) (\(descriptor.digest))"
      guard isImageLayer(descriptor.mediaType) else {
        throw ImageSourceError(.malformed, "\(what) has media type \(descriptor.mediaType ?? "none"), not a tar image layer")
      }
      let digest = try BlobDigest(parsing: descriptor.digest, in: what)
      layers.append(LayerBlob(path: try layout.blobPath(digest, what: what), digest: digest, size: descriptor.size, what: what))
    }
    let directory = try UnpackDirectory(options: options)
    return try ImageAssembly.assemble(
      layers: layers, config: config, configDigest: manifest.config.digest, digests: [],
      source: "\(layout.name) (manifest \(manifestDescriptor.digest), \(layers.count) layers)", directory: directory, limits: options.limits)
  }

  /// Layer media types that are tars (image-spec layer.md; Docker's rootfs.diff types).
  /// Encrypted layers (`+encrypted`) are not readable.
  static func isImageLayer(_ mediaType: String?) -> Bool {
    guard let mediaType, !mediaType.hasSuffix("+encrypted") else { return false }
    return mediaType.hasPrefix("application/vnd.oci.image.layer.") || mediaType.hasPrefix("application/vnd.docker.image.rootfs.")
  }

  /// The `index.json` entry for `tag`, or the only entry, or the one for the platform when every
  /// entry names one.
  static func chooseEntry(_ index: OCIIndex, tag: String?, platform: ImagePlatform?, what: String) throws(ImageSourceError) -> OCIDescriptor {
    let tags = index.manifests.compactMap { $0.annotations?[OCIMediaType.refNameAnnotation] }
    let candidates: [OCIDescriptor]
    if let tag {
      candidates = index.manifests.filter { $0.annotations?[OCIMediaType.refNameAnnotation] == tag }
      guard !candidates.isEmpty else {
        throw ImageSourceError(.notFound, "\(what) has no image tagged '\(tag)' (it has \(tags.isEmpty ? "no tags" : tags.joined(separator: ", ")))")
      }
    } else {
      candidates = index.manifests
      guard !candidates.isEmpty else { throw ImageSourceError(.notFound, "\(what): index.json lists no image") }
    }
    if candidates.count == 1 { return candidates[0] }
    if candidates.allSatisfy({ $0.platform != nil }) {
      return try PlatformSelection.select(candidates, for: platform ?? PlatformSelection.host, in: what)
    }
    throw ImageSourceError(
      .invalidReference,
      "\(what) holds \(candidates.count) images; name one with oci:DIR:TAG (tags: \(tags.isEmpty ? "none" : tags.joined(separator: ", ")))")
  }
}

/// One OCI layout directory's files. Paths inside it are resolved like paths inside an image
/// (``LayeredDirectoryRoot``): a symbolic link in the layout (or in an unpacked archive) cannot
/// make rigcheck read a file outside the layout directory.
struct OCILayout {
  let directory: String
  /// Names the layout in errors.
  let name: String
  private let root: LayeredDirectoryRoot

  init(directory: String, name: String) {
    self.directory = directory
    self.name = name
    root = LayeredDirectoryRoot(directory: directory)
  }

  /// The file at `relative` on this machine, links resolved inside the layout.
  func hostPath(_ relative: String, what: String) throws(ImageSourceError) -> String {
    guard let path = root.hostPath("/" + relative) else {
      throw ImageSourceError(.notFound, "\(what): \(relative) is missing (or leads outside)")
    }
    return path
  }

  func blobPath(_ digest: BlobDigest, what: String) throws(ImageSourceError) -> String {
    try hostPath("blobs/sha256/" + digest.hex, what: what)
  }

  func checkLayoutFile() throws(ImageSourceError) {
    var status = stat()
    guard stat(directory, &status) == 0 else { throw ImageSourceError(.notFound, "\(name): no such directory") }
    guard (status.st_mode & S_IFMT) == S_IFDIR else { throw ImageSourceError(.invalidReference, "\(name): \(directory) is not a directory") }
    struct LayoutFile: Decodable { var imageLayoutVersion: String }
    guard root.hostPath("/oci-layout") != nil else {
      throw ImageSourceError(.malformed, "\(name): \(directory) is not an OCI image layout (it has no oci-layout file)")
    }
    let file = try OCIDocument.decode(LayoutFile.self, from: try readFile("oci-layout"), what: "\(name): oci-layout")
    guard file.imageLayoutVersion.hasPrefix("1.") else {
      throw ImageSourceError(.malformed, "\(name): oci-layout has imageLayoutVersion \(file.imageLayoutVersion); rigcheck reads 1.x")
    }
  }

  /// A small file of the layout (oci-layout, index.json).
  func readFile(_ relative: String) throws(ImageSourceError) -> [UInt8] {
    let what = "\(name): \(relative)"
    return try SmallFile.read(try hostPath(relative, what: what), limit: OCILayoutReader.documentLimit, what: what)
  }

  /// A JSON blob, checked against its descriptor.
  func readBlob(_ descriptor: OCIDescriptor, limit: Int64, what: String) throws(ImageSourceError) -> [UInt8] {
    let digest = try BlobDigest(parsing: descriptor.digest, in: what)
    guard descriptor.size <= limit else { throw ImageSourceError(.hostile, "\(what) is \(descriptor.size) bytes, more than a document may be (\(limit))") }
    let bytes = try SmallFile.read(try blobPath(digest, what: what), limit: limit, what: what)
    try DigestCheck.verify(bytes, digest: digest, size: descriptor.size, what: what)
    return bytes
  }
}
