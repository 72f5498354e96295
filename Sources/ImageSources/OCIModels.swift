import Fingerprint

/// The OCI image-spec documents rigcheck reads (descriptor.md, image-index.md, manifest.md,
/// config.md). Docker's schema 2 manifest and manifest list have the same fields, so one model
/// reads both; fields rigcheck does not use are not decoded.
public struct OCIDescriptor: Codable, Sendable, Hashable {
  public var mediaType: String?
  public var digest: String
  public var size: Int64
  public var platform: OCIPlatform?
  public var annotations: [String: String]?

  public init(mediaType: String?, digest: String, size: Int64, platform: OCIPlatform? = nil, annotations: [String: String]? = nil) {
    self.mediaType = mediaType
    self.digest = digest
    self.size = size
    self.platform = platform
    self.annotations = annotations
  }
}

public struct OCIPlatform: Codable, Sendable, Hashable {
  public var architecture: String
  public var os: String
  public var variant: String?

  public init(architecture: String, os: String, variant: String? = nil) {
    self.architecture = architecture
    self.os = os
    self.variant = variant
  }
}

/// `index.json` of a layout, an OCI image index or a Docker manifest list.
public struct OCIIndex: Codable, Sendable, Hashable {
  public var schemaVersion: Int
  public var mediaType: String?
  public var manifests: [OCIDescriptor]
}

/// One image: its config blob and layers, bottom first.
public struct OCIManifest: Codable, Sendable, Hashable {
  public var schemaVersion: Int
  public var mediaType: String?
  public var config: OCIDescriptor
  public var layers: [OCIDescriptor]
}

/// The image config blob: platform and the runtime configuration rigcheck reports.
public struct OCIImageConfig: Codable, Sendable, Hashable {
  public struct RuntimeConfig: Codable, Sendable, Hashable {
    public var Env: [String]?
    public var Labels: [String: String]?
  }
  /// The uncompressed layer digests, bottom first (config.md "rootfs"): what a Docker
  /// archive's `layer.tar` files are checked against.
  public struct RootFS: Codable, Sendable, Hashable {
    public var type: String?
    public var diffIDs: [String]?

    enum CodingKeys: String, CodingKey {
      case type
      case diffIDs = "diff_ids"
    }
  }
  public var architecture: String?
  public var os: String?
  public var variant: String?
  public var config: RuntimeConfig?
  public var rootfs: RootFS?
}

public enum OCIMediaType {
  public static let index = "application/vnd.oci.image.index.v1+json"
  public static let manifest = "application/vnd.oci.image.manifest.v1+json"
  public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
  public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
  /// The tag annotation of an OCI layout's index.json entries.
  public static let refNameAnnotation = "org.opencontainers.image.ref.name"

  public static func isIndex(_ mediaType: String?) -> Bool { mediaType == index || mediaType == dockerManifestList }
}

extension OCIDocument {
  /// Decodes an OCI/Docker JSON document through the project's one JSON path; the error names
  /// `what` (a file or blob) and the field at fault.
  public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(ImageSourceError) -> T {
    let tree: JSONTree
    do {
      tree = try JSONTree.parse(Data(bytes))
    } catch {
      throw ImageSourceError(.malformed, "\(what) is not valid JSON: \(error)")
    }
    do {
      return try JSONTreeDecoder().decode(type, from: tree)
    } catch {
      throw ImageSourceError(.malformed, "\(what) is not a valid \(T.self): \(error)")
    }
  }
}

/// Namespace for reading OCI documents.
public enum OCIDocument {}
