import Fingerprint

/// A package URL (purl): `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`, in the canonical form of
/// the purl specification (github.com/package-url/purl-spec, PURL-SPECIFICATION.rst: "A purl
/// is a URL", "Rules for each purl component"): the type lower case, each component
/// percent-encoded except the unreserved characters (`A-Z a-z 0-9 - . _ ~`) and `:`,
/// qualifiers sorted by key, empty ones left out. The reference implementation,
/// packageurl-python (`packageurl/__init__.py` `quote`: urllib's quote, `%3A` put back to `:`),
/// writes the same string; the tests parse and re-serialise every purl rigcheck writes with it.
public struct PackageURL: Sendable, Hashable, CustomStringConvertible {
  public let type: String
  public let namespace: String?
  public let name: String
  public let version: String?
  public let qualifiers: [String: String]

  public init(type: String, namespace: String? = nil, name: String, version: String?, qualifiers: [String: String] = [:]) {
    self.type = type.lowercased()
    self.namespace = namespace
    self.name = name
    self.version = version
    self.qualifiers = qualifiers.filter { !$0.value.isEmpty }
  }

  /// `pkg:pypi/NAME@VERSION` with the PEP 503 normalised name (the purl spec's pypi type:
  /// lower case, `_` as `-`; PEP 503 also folds `.` runs, which pip treats as the same project).
  public static func pypi(name: String, version: String) -> PackageURL {
    PackageURL(type: "pypi", name: Package.normalize(name), version: version)
  }

  /// `pkg:deb/DISTRO_ID/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID` (the purl spec's deb type;
  /// `distro` as syft and grype write it, e.g. `debian-12`, `ubuntu-22.04`).
  public static func deb(distribution: String, distroQualifier: String?, name: String, version: String, architecture: String) -> PackageURL {
    var qualifiers = ["arch": architecture]
    if let distroQualifier { qualifiers["distro"] = distroQualifier }
    return PackageURL(type: "deb", namespace: distribution.lowercased(), name: name, version: version, qualifiers: qualifiers)
  }

  /// `pkg:conda/NAME@VERSION` (channel, subdir and build are not in conda-meta's name/version).
  public static func conda(name: String, version: String) -> PackageURL {
    PackageURL(type: "conda", name: name.lowercased(), version: version)
  }

  public var description: String {
    var text = "pkg:" + type + "/"
    if let namespace, !namespace.isEmpty {
      text += namespace.split(separator: "/").map { Self.encode(String($0)) }.joined(separator: "/") + "/"
    }
    text += Self.encode(name)
    if let version, !version.isEmpty { text += "@" + Self.encode(version) }
    if !qualifiers.isEmpty {
      text += "?" + qualifiers.keys.sorted().map { "\($0.lowercased())=\(Self.encode(qualifiers[$0]!, keepingSlash: true))" }.joined(separator: "&")
    }
    return text
  }

  /// Percent-encodes UTF-8 bytes outside `A-Z a-z 0-9 - . _ ~ :` (and `/` in qualifier values).
  static func encode(_ text: String, keepingSlash: Bool = false) -> String {
    var result = ""
    for byte in text.utf8 {
      let character = Character(Unicode.Scalar(byte))
      let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || "-._~:".utf8.contains(byte)
      if unreserved || (keepingSlash && byte == UInt8(ascii: "/")) {
        result.append(character)
      } else {
        let hex = Array("0123456789ABCDEF")
        result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
      }
    }
    return result
  }
}
