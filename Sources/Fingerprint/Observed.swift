/// A fact together with where it came from, or why it is missing.
///
/// rigcheck never reports a bare value: every fact says which file, library call or
/// command produced it, and a missing fact says whether it is *absent* on this host
/// (the file or device does not exist, the tool is not installed) or *unreadable*
/// (it exists but could not be read, with the reason).
public struct Observed<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
  /// Whether the fact was read, is absent, or could not be read.
  public enum Status: String, Codable, Sendable, Hashable {
    /// The value was read from `source`.
    case present
    /// The thing does not exist on this host; `reason` says what was looked for.
    case absent
    /// The thing exists (or may exist) but reading it failed; `reason` says why.
    case unreadable
  }

  public var status: Status
  /// The value, when `status` is `.present`.
  public var value: Value?
  /// Where the value came from: `file:/proc/version`, `nvml:nvmlSystemGetDriverVersion`,
  /// `command:docker info`, `libpci:sysfs`, …
  public var source: String
  /// Why the value is missing, when `status` is not `.present`.
  public var reason: String?

  public init(status: Status, value: Value?, source: String, reason: String?) {
    self.status = status
    self.value = value
    self.source = source
    self.reason = reason
  }

  /// A value that was read from `source`.
  public static func present(_ value: Value, from source: String) -> Self {
    Self(status: .present, value: value, source: source, reason: nil)
  }

  /// A fact that does not exist on this host.
  public static func absent(_ reason: String, source: String) -> Self {
    Self(status: .absent, value: nil, source: source, reason: reason)
  }

  /// A fact that could not be read.
  public static func unreadable(_ reason: String, source: String) -> Self {
    Self(status: .unreadable, value: nil, source: source, reason: reason)
  }

  private enum CodingKeys: String, CodingKey {
    case status, value, source, reason
  }

  /// Encodes as the synthesized conformance would, except that the provenance (`source`,
  /// `reason`) is left out when the encoder hashes an identity (``CanonicalJSON/omitsProvenance``).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(status, forKey: .status)
    try container.encodeIfPresent(value, forKey: .value)
    guard !CanonicalJSON.omitsProvenance(encoder) else { return }
    try container.encode(source, forKey: .source)
    try container.encodeIfPresent(reason, forKey: .reason)
  }

  /// A one-line description of why the value is missing, or nil when present.
  public var missingDescription: String? {
    guard status != .present else { return nil }
    return "\(status.rawValue): \(reason ?? "no reason given") [\(source)]"
  }
}
