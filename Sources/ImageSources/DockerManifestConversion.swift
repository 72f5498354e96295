import Fingerprint

/// A Docker schema 2 manifest rewritten as the OCI image manifest it corresponds to, the way
/// skopeo converts it when copying to an OCI layout: the same config and layer blobs (same
/// digests), their media types mapped (image-spec media-types.md "Compatibility Matrix";
/// containers/image manifest/oci.go). OCI layout readers (skopeo/containers-image among them)
/// accept only OCI manifest and index media types in `index.json`.
enum DockerManifestConversion {
  static let mediaTypes = [
    "application/vnd.docker.container.image.v1+json": "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  ]

  static func isDockerManifest(_ mediaType: String?) -> Bool { mediaType == OCIMediaType.dockerManifest }

  /// The OCI manifest's bytes.
  static func convert(_ manifest: OCIManifest, what: String) throws(ImageSourceError) -> [UInt8] {
    var converted = manifest
    converted.mediaType = OCIMediaType.manifest
    converted.config.mediaType = manifest.config.mediaType.map { mediaTypes[$0] ?? $0 }
    converted.layers = manifest.layers.map { layer in
      var layer = layer
      layer.mediaType = layer.mediaType.map { mediaTypes[$0] ?? $0 }
      return layer
    }
    do {
      return Array(try CanonicalJSON.encode(converted, pretty: false))
    } catch {
      throw ImageSourceError(.malformed, "\(what): cannot write its OCI form (\(error))")
    }
  }
}
