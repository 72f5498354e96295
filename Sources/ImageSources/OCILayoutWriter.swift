import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Writes an OCI image layout (image-spec image-layout.md): `oci-layout`, `blobs/sha256/<hex>`
/// and an `index.json` naming one manifest, so that a pulled or saved image is read by the one
/// `oci:` reader, and any OCI tool (skopeo, umoci) can read what was written.
struct OCILayoutWriter {
  let directory: String

  init(directory: String) throws(ImageSourceError) {
    self.directory = directory
    for path in [directory + "/blobs", directory + "/blobs/sha256"] where mkdir(path, 0o700) != 0 && errno != EEXIST {
      throw ImageSourceError(.unreadable, "\(path): \(String(cString: strerror(errno)))")
    }
    try write(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: directory + "/oci-layout")
  }

  /// Where blob `digest` (already checked by ``BlobDigester/isVerifiable(_:)``) is stored.
  func blobPath(_ digest: String) -> String { directory + "/blobs/sha256/" + digest.dropFirst("sha256:".count) }

  func hasBlob(_ digest: String) -> Bool { access(blobPath(digest), F_OK) == 0 }

  /// Stores bytes already verified against `digest`.
  func writeBlob(_ bytes: [UInt8], digest: String) throws(ImageSourceError) {
    try write(bytes, to: blobPath(digest))
  }

  /// `index.json` with the one manifest, tagged `tag` (`org.opencontainers.image.ref.name`).
  func writeIndex(manifest: OCIDescriptor, tag: String) throws(ImageSourceError) {
    var descriptor = manifest
    descriptor.annotations = [OCIMediaType.refNameAnnotation: tag]
    let index = OCIIndex(schemaVersion: 2, mediaType: OCIMediaType.index, manifests: [descriptor])
    do {
      try write(Array(CanonicalJSON.encode(index, pretty: false)), to: directory + "/index.json")
    } catch let error as ImageSourceError {
      throw error
    } catch {
      throw ImageSourceError(.malformed, "\(directory)/index.json: \(error)")
    }
  }

  private func write(_ bytes: [UInt8], to path: String) throws(ImageSourceError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ImageSourceError(.unreadable, "\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { throw ImageSourceError(.unreadable, "\(path): \(String(cString: strerror(errno)))") }
      offset += written
    }
  }
}
