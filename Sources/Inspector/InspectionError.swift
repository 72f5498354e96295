/// Why an image could not be inspected. Every message names the image.
public struct InspectionError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// The reference is not a valid image name (and is never passed to a runtime).
    case invalidReference
    /// No container runtime answers (or the one asked for is not installed).
    case runtimeUnavailable
    /// The image is not present locally; rigcheck never pulls.
    case imageNotFound
    /// The container did not finish within the timeout; it was removed.
    case timedOut
    /// The container printed more than the limit; it was stopped and removed.
    case outputTooLarge
    /// The container could not run the checks (no /bin/sh, runtime error).
    case containerFailed
    /// Inspection was interrupted (SIGINT, SIGTERM, SIGHUP); the container was removed.
    case interrupted
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
