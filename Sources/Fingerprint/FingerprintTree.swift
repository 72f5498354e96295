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

/// The fingerprint-specific writer: which keys are provenance is knowledge of the model, so it
/// lives here rather than in the generic ``JSONTree``. It must agree with what the model's
/// encoders leave out; `OneParseTests` proves it byte for byte on every fixture host.
extension JSONTree {
  /// The canonical form of this value as `CanonicalJSON` writes the model it decodes to with
  /// provenance left out (``CanonicalJSON/omitsProvenance``), for a fingerprint's `identity`:
  /// each ``Observed`` fact's `source` and `reason` (an object with a string `status` and a
  /// `source`), `versionProblem`, `computeCapabilitySource`, an engine problem's `message`, an
  /// image's `notes`, and members that are `null` (optional fields the encoder leaves out).
  /// The string dictionaries (`labels`, `environment`, `companions`) are written as they are.
  func writeOmittingProvenance(into output: inout [UInt8]) {
    switch self {
    case .array(let elements):
      output.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        element.writeOmittingProvenance(into: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object:
      let members = canonicalMembers
      var hasStringStatus = false
      var hasSource = false
      var isEngineProblem = false
      var roles: [KeyRole] = []
      roles.reserveCapacity(members.count)
      for member in members {
        let role = KeyRole(member.key)
        roles.append(role)
        switch role {
        case .status: if case .string = member.value { hasStringStatus = true }
        case .source: hasSource = true
        case .kind: isEngineProblem = true
        default: break
        }
      }
      let isObserved = hasStringStatus && hasSource
      output.append(UInt8(ascii: "{"))
      var first = true
      for (member, role) in zip(members, roles) {
        switch role {
        case .source where isObserved, .reason where isObserved: continue
        case .message where isEngineProblem: continue
        case .alwaysProvenance: continue
        default: break
        }
        if case .null = member.value { continue }
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        JSONTree.writeString(member.key, into: &output)
        output.append(UInt8(ascii: ":"))
        if role == .stringDictionary {
          member.value.write(into: &output)
        } else {
          member.value.writeOmittingProvenance(into: &output)
        }
      }
      output.append(UInt8(ascii: "}"))
    default: write(into: &output)
    }
  }

  /// What a member's key means to ``writeOmittingProvenance(into:)``; most keys are `.other`,
  /// told apart by length and first byte before any comparison.
  enum KeyRole: Equatable {
    case other, status, source, reason, kind, message, alwaysProvenance, stringDictionary

    init(_ key: String) {
      let utf8 = key.utf8
      guard let first = utf8.first else {
        self = .other
        return
      }
      switch (utf8.count, first) {
      case (6, UInt8(ascii: "s")): self = key == "status" ? .status : key == "source" ? .source : .other
      case (6, UInt8(ascii: "r")): self = key == "reason" ? .reason : .other
      case (4, UInt8(ascii: "k")): self = key == "kind" ? .kind : .other
      case (7, UInt8(ascii: "m")): self = key == "message" ? .message : .other
      case (14, UInt8(ascii: "v")): self = key == "versionProblem" ? .alwaysProvenance : .other
      case (23, UInt8(ascii: "c")): self = key == "computeCapabilitySource" ? .alwaysProvenance : .other
      case (5, UInt8(ascii: "n")): self = key == "notes" ? .alwaysProvenance : .other
      case (6, UInt8(ascii: "l")): self = key == "labels" ? .stringDictionary : .other
      case (11, UInt8(ascii: "e")): self = key == "environment" ? .stringDictionary : .other
      case (10, UInt8(ascii: "c")): self = key == "companions" ? .stringDictionary : .other
      default: self = .other
      }
    }
  }
}
