/// The one JSON form rigcheck writes: sorted keys, no escaped slashes, a trailing newline.
///
/// Producers sort every array they emit, so two equal environments encode to identical
/// bytes and ``Fingerprint/identityHash()`` is stable.
public enum CanonicalJSON {
  /// Set in an encoder's `userInfo` to leave provenance out: each ``Observed`` value's `source`
  /// and `reason`, and the texts that say why a value is missing or where it came from
  /// (``InstalledTool/versionProblem``, ``EngineProblem/message``,
  /// ``NVMLDevice/computeCapabilitySource``, ``ImageFacts/notes``). How, where and with which
  /// settings a fact was read is not what the environment is.
  public static let omitsProvenance = CodingUserInfoKey(rawValue: "rigcheck.omitsProvenance")!

  /// Whether `encoder` leaves provenance out.
  static func omitsProvenance(_ encoder: any Encoder) -> Bool {
    encoder.userInfo[omitsProvenance] as? Bool == true
  }

  /// Encodes `value` canonically; `pretty` adds indentation for people.
  public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
    try encode(value, pretty: pretty, omittingProvenance: false)
  }

  static func encode<T: Encodable>(_ value: T, pretty: Bool, omittingProvenance: Bool) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    if omittingProvenance { encoder.userInfo[omitsProvenance] = true }
    var data = try encoder.encode(value)
    if pretty { data.append(UInt8(ascii: "\n")) }
    return data
  }
}

/// Why a fingerprint file could not be read.
public struct FingerprintDecodingError: Error, Sendable, CustomStringConvertible {
  public let description: String
}

extension Fingerprint {
  /// The identity part, as hashed: schema version plus ``identity``.
  private struct HashedPart: Encodable {
    var schemaVersion: Int
    var identity: Identity
  }

  /// A stable digest of the identity part: `sha256:` and 64 hex digits.
  ///
  /// Machine-unique values and volatile readings are not part of it, so two identical
  /// nodes, or one node at two moments, hash the same. Neither is the provenance of each
  /// fact (``Observed/source`` and ``Observed/reason``): it says how and where rigcheck read
  /// the fact (a captured tree's location, the live NVML or a captured `nvidia-smi` report),
  /// as the generator block does, so one capture read from two places hashes the same. A
  /// fact's status (present, absent, unreadable) and value are hashed.
  public func identityHash() throws -> String {
    let bytes = try CanonicalJSON.encode(
      HashedPart(schemaVersion: schemaVersion, identity: identity), pretty: false, omittingProvenance: true)
    return "sha256:" + SHA256.hexDigest(of: bytes)
  }

  /// Reads a fingerprint. When that fails, the schema version is checked first so an
  /// incompatible file gets a clear message instead of a field-level decoding error. `name`
  /// names the file in errors.
  public static func decode(_ data: Data, name: String) throws -> Fingerprint {
    // The common case: one parse into a JSONTree, decoded without Foundation's JSONDecoder.
    // Text that is not JSON takes JSONDecoder's path below, whose messages name the problem.
    if let tree = try? JSONTree.parse(data) { return try decode(tree, name: name) }
    struct Header: Decodable { var schemaVersion: Int? }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw FingerprintDecodingError(description: "\(name) is not a rigcheck fingerprint: \(describe(error))")
    }
    guard let version = header.schemaVersion else {
      throw FingerprintDecodingError(description: "\(name) has no schemaVersion: not a rigcheck fingerprint")
    }
    guard version == currentSchemaVersion else {
      throw FingerprintDecodingError(
        description:
          "\(name) uses fingerprint schema \(version); this rigcheck reads schema \(currentSchemaVersion)")
    }
    do {
      return try JSONDecoder().decode(Fingerprint.self, from: data)
    } catch {
      throw FingerprintDecodingError(description: "\(name): \(describe(error))")
    }
  }

  /// Turns a DecodingError into one line naming the JSON path at fault.
  static func describe(_ error: any Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
      let joined = context.codingPath.map { key in
        key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
      }.joined()
      return joined.isEmpty ? "top level" : String(joined.drop(while: { $0 == "." }))
    }
    switch error {
    case DecodingError.dataCorrupted(let context):
      return "malformed JSON at \(path(context)): \(context.debugDescription)"
    case DecodingError.keyNotFound(let key, let context):
      return "missing field '\(key.stringValue)' at \(path(context))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "wrong type at \(path(context)): \(context.debugDescription)"
    default:
      return "\(error)"
    }
  }
}

extension Fingerprint {
  /// One line describing a JSON decoding error (path and problem), for messages about files.
  public static func describeJSONError(_ error: any Error) -> String { describe(error) }
}
