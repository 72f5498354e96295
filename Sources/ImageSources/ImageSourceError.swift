/// Why an image at rest could not be read. The message names the file, image or field at fault.
public struct ImageSourceError: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The reference itself is malformed (usage error).
    case invalidReference
    /// The file, directory, tag or image does not exist.
    case notFound
    /// Unreadable: permissions, I/O errors.
    case unreadable
    /// Malformed manifest, index, config, archive or filesystem.
    case malformed
    /// A blob's content does not match its digest.
    case digestMismatch
    /// The image tried to leave its root (`../`, absolute links), or exceeded a size limit.
    case hostile
    /// No manifest for the requested platform.
    case platformNotFound
    /// A registry or engine did not answer, refused, or asked for credentials we lack.
    case unavailable
    /// An external tool (unsquashfs, docker save) failed or ran past its deadline.
    case toolFailed
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
