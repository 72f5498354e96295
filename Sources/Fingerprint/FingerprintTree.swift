/// Fingerprints read from a parsed ``JSONTree``: one parse per file serves the identity hash,
/// the decoded model and the comparison, and Foundation's `JSONDecoder` stays off that path.
extension Fingerprint {
  /// ``identityHash()`` computed from a parsed fingerprint file, without decoding it: the
  /// canonical serialization of `{"identity": …, "schemaVersion": N}` with the provenance left
  /// out exactly as the model's encoders leave it out (``JSONTree/writeOmittingProvenance(into:)``).
  /// For any file rigcheck wrote this is byte for byte what ``identityHash()`` hashes; nil when
  /// `tree` has no integral `schemaVersion` or no `identity` object.
  public static func identityHash(of tree: JSONTree) -> String? {
    identityBytes(of: tree).map { "sha256:" + SHA256.hexDigest(of: $0) }
  }

  /// The bytes ``identityHash(of:)`` hashes; nil where it is nil. `rigcheck fleet` keys a
  /// cache with them, so identical identities (most of a fleet) are hashed once.
  public static func identityBytes(of tree: JSONTree) -> [UInt8]? {
    guard case .number(let version) = tree["schemaVersion"], let schemaVersion = Int(exactly: version),
      case .object = tree["identity"], let identity = tree["identity"]
    else { return nil }
    var output: [UInt8] = []
    output.reserveCapacity(1 << 16)
    output += #"{"identity":"#.utf8
    identity.writeOmittingProvenance(into: &output)
    output += #","schemaVersion":"#.utf8
    output += String(schemaVersion).utf8
    output.append(UInt8(ascii: "}"))
    return output
  }
}

extension Fingerprint {
  /// Reads a fingerprint from a parsed file, with ``decode(_:name:)``'s checks and messages:
  /// another schema version is named as such, a field-level problem names its JSON path.
  public static func decode(_ tree: JSONTree, name: String) throws -> Fingerprint {
    let decoder = JSONTreeDecoder()
    if let fingerprint = try? decoder.decode(Fingerprint.self, from: tree), fingerprint.schemaVersion == currentSchemaVersion {
      return fingerprint
    }
    guard case .object = tree else {
      throw FingerprintDecodingError(
        description: "\(name) is not a rigcheck fingerprint: \(describe(DecodingError.typeMismatch([String: Any].self, .init(codingPath: [], debugDescription: "Expected to decode Dictionary<String, Any> but found another value instead."))))")
    }
    guard let versionValue = tree["schemaVersion"], versionValue != .null else {
      throw FingerprintDecodingError(description: "\(name) has no schemaVersion: not a rigcheck fingerprint")
    }
    guard case .number(let number) = versionValue, let version = Int(exactly: number) else {
      throw FingerprintDecodingError(description: "\(name) is not a rigcheck fingerprint: wrong type at schemaVersion: the schema version is not an integer")
    }
    guard version == currentSchemaVersion else {
      throw FingerprintDecodingError(
        description: "\(name) uses fingerprint schema \(version); this rigcheck reads schema \(currentSchemaVersion)")
    }
    do {
      return try decoder.decode(Fingerprint.self, from: tree)
    } catch {
      throw FingerprintDecodingError(description: "\(name): \(describe(error))")
    }
  }
}
