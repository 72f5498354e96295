/// The image configuration as the image itself records it (OCI config / Docker config).
public struct RestingImageConfig: Sendable, Hashable {
  /// `sha256:…` of the config blob (Docker's image id), when known.
  public var id: String?
  /// `REPO@sha256:…` manifest digests, when known.
  public var digests: [String]
  /// `NAME=value` entries exactly as the config lists them; the caller filters them.
  public var environment: [String]
  public var labels: [String: String]
  public var architecture: String?
  public var os: String?
  public var variant: String?

  public init(
    id: String? = nil, digests: [String] = [], environment: [String] = [], labels: [String: String] = [:], architecture: String? = nil,
    os: String? = nil, variant: String? = nil
  ) {
    self.id = id
    self.digests = digests
    self.environment = environment
    self.labels = labels
    self.architecture = architecture
    self.os = os
    self.variant = variant
  }
}

/// An image opened at rest: a root filesystem view and its configuration. ``close()`` removes
/// whatever was unpacked for it (temporary directories); nothing is written anywhere else.
public final class ImageAtRest: Sendable {
  public let root: any ImageRoot
  public let config: RestingImageConfig
  /// How it was read, for provenance (`oci:/srv/layout:v1, 3 layers`).
  public let source: String
  private let cleanup: @Sendable () -> Void

  public init(root: any ImageRoot, config: RestingImageConfig, source: String, cleanup: @escaping @Sendable () -> Void = {}) {
    self.root = root
    self.config = config
    self.source = source
    self.cleanup = cleanup
  }

  public func close() { cleanup() }
}
