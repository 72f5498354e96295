import Fingerprint

/// The headers of a distribution's core metadata (METADATA, PKG-INFO): RFC 822 style
/// `Name: value` lines up to the first blank line, continuation lines (leading whitespace)
/// joined, names case-insensitive, the first occurrence kept — what `email.message_from_string`
/// gives `importlib.metadata` (packaging.python.org "Core metadata specifications").
struct DistributionMetadata {
  private var headers: [String: String] = [:]

  init(_ text: String) {
    var lastName: String?
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.isEmpty { break }
      if line.first == " " || line.first == "\t" {
        if let lastName, headers[lastName] != nil, let current = headers[lastName] { headers[lastName] = current + "\n" + line }
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { break }
      let name = line[..<colon].lowercased()
      lastName = headers[name] == nil ? name : nil
      if headers[name] == nil { headers[name] = line[line.index(after: colon)...].trimmed }
    }
  }

  subscript(name: String) -> String? { headers[name.lowercased()] }
}
