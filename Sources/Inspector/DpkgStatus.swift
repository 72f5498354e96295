/// Reads dpkg's database, `/var/lib/dpkg/status`, as text: the same `os.package` facts that
/// `checks/dpkg.sh` prints inside a running image, for readers that have the file but cannot
/// run anything in the image (static inspection of an image at rest).
///
/// The file is deb822 (deb822(5)): paragraphs separated by blank lines, `Field: value` lines,
/// continuation lines starting with a space or tab, field names case-insensitive. Each value is
/// `NAME==VERSION ARCH SOURCE SOURCE_VERSION`, as `dpkg-query -W -f '${Package}==${Version}
/// ${Architecture} ${source:Package} ${source:Version}'` prints it (dpkg-query(1): a missing
/// `Source` is the package itself, `Source: NAME (VERSION)` names the source version).
/// Only configured packages count: the third word of `Status` is `installed`,
/// `triggers-awaited` or `triggers-pending` (dpkg(1), PACKAGE STATES); removed packages whose
/// configuration files remain (`config-files`) and half-installed ones do not.
public enum DpkgStatus {
  /// The key every package is reported under.
  public static let factKey = "os.package"
  /// Reported first, with ``path``: the image has a dpkg database (so no packages means none).
  public static let databaseKey = "os.dpkg_database"
  /// Where dpkg keeps its database, inside the image root.
  public static let path = "/var/lib/dpkg/status"

  static let configuredStates: Set<Substring> = ["installed", "triggers-awaited", "triggers-pending"]

  /// ``databaseKey``, then one `(key, value)` per configured package, in file order: what the
  /// check script prints for the same file.
  public static func facts(statusText: String) -> [(key: String, value: String)] {
    var facts: [(key: String, value: String)] = [(databaseKey, path)]
    var fields: [String: Substring] = [:]
    func flush() {
      defer { fields.removeAll(keepingCapacity: true) }
      guard let name = fields["package"], !name.isEmpty, let version = fields["version"], !version.isEmpty,
        let status = fields["status"]
      else { return }
      let words = status.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count == 3, configuredStates.contains(words[2]) else { return }
      var source = name
      var sourceVersion = version
      if let field = fields["source"] {
        let parts = field.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if let first = parts.first { source = first }
        if parts.count >= 2, parts[1].count >= 2, parts[1].hasPrefix("("), parts[1].hasSuffix(")") {
          sourceVersion = parts[1].dropFirst().dropLast()
        }
      }
      let architecture = fields["architecture"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
      facts.append((factKey, "\(name)==\(version) \(architecture) \(source) \(sourceVersion)"))
    }
    // Split on the byte: a "\r\n" pair is one Character in Swift, and dpkg writes bare "\n".
    for bytes in statusText.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      let line = Substring(bytes)
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
        flush()
        continue
      }
      if line.first == " " || line.first == "\t" { continue }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      fields[name] = trimmed(line[line.index(after: colon)...])
    }
    flush()
    return facts
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var text = text
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return text
  }
}
