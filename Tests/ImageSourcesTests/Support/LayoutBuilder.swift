import Fingerprint
import Foundation

@testable import ImageSources

/// Writes OCI image layouts by hand (image-spec image-layout.md), for layers a test builds
/// itself — hostile ones above all. The documents are the module's own Codable models,
/// written through the project's CanonicalJSON.
struct LayoutBuilder {
  let directory: String

  init(directory: String) throws {
    self.directory = directory
    try FileManager.default.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
    try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
  }

  /// Stores `bytes` as a blob; returns its descriptor.
  @discardableResult
  func addBlob(_ bytes: Data, mediaType: String, platform: OCIPlatform? = nil, annotations: [String: String]? = nil) throws -> OCIDescriptor {
    let hex = SHA256.hexDigest(of: bytes)
    try bytes.write(to: URL(fileURLWithPath: directory + "/blobs/sha256/" + hex))
    return OCIDescriptor(mediaType: mediaType, digest: "sha256:" + hex, size: Int64(bytes.count), platform: platform, annotations: annotations)
  }

  func addJSON<T: Encodable>(_ value: T, mediaType: String, platform: OCIPlatform? = nil) throws -> OCIDescriptor {
    try addBlob(try CanonicalJSON.encode(value, pretty: false), mediaType: mediaType, platform: platform)
  }

  /// An image of the layer files given (their media type from the file name: `.gz`, `.zst`,
  /// else plain tar); returns the manifest's descriptor (not yet in index.json).
  func addImage(layers: [String], architecture: String = "amd64", env: [String] = ["PATH=/usr/bin:/bin"]) throws -> OCIDescriptor {
    var layerDescriptors: [OCIDescriptor] = []
    for layer in layers {
      let type = layer.hasSuffix(".gz") ? "+gzip" : layer.hasSuffix(".zst") ? "+zstd" : ""
      layerDescriptors.append(
        try addBlob(try Data(contentsOf: URL(fileURLWithPath: layer)), mediaType: "application/vnd.oci.image.layer.v1.tar" + type))
    }
    let config = OCIImageConfig(
      architecture: architecture, os: "linux", variant: nil, config: .init(Env: env, Labels: ["org.example.test": "yes"]),
      rootfs: .init(type: "layers", diffIDs: []))
    let configDescriptor = try addJSON(config, mediaType: "application/vnd.oci.image.config.v1+json")
    let manifest = OCIManifest(schemaVersion: 2, mediaType: OCIMediaType.manifest, config: configDescriptor, layers: layerDescriptors)
    return try addJSON(manifest, mediaType: OCIMediaType.manifest, platform: OCIPlatform(architecture: architecture, os: "linux"))
  }

  /// Writes index.json listing `manifests`.
  func writeIndex(_ manifests: [OCIDescriptor]) throws {
    let index = OCIIndex(schemaVersion: 2, mediaType: OCIMediaType.index, manifests: manifests)
    try CanonicalJSON.encode(index, pretty: false).write(to: URL(fileURLWithPath: directory + "/index.json"))
  }

  /// A layout holding one image of `layers`, tagged `tag`.
  static func singleImage(at directory: String, layers: [String], tag: String = "test") throws -> LayoutBuilder {
    let builder = try LayoutBuilder(directory: directory)
    var manifest = try builder.addImage(layers: layers)
    manifest.annotations = [OCIMediaType.refNameAnnotation: tag]
    manifest.platform = nil
    try builder.writeIndex([manifest])
    return builder
  }
}
