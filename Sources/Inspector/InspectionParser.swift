/// Reads the untrusted output of the checks.
///
/// Only lines of the form `rc1<TAB>key<TAB>value` count. Keys must belong to the documented
/// families and look like keys; values lose control characters (escape sequences included)
/// and are cut at ``maximumValueLength``; at most ``maximumFacts`` facts are read.
/// Everything else is counted and reported as a note, never trusted.
struct InspectionParser {
  static let maximumValueLength = 4096
  static let maximumFacts = 200_000
  static let keyFamilies = ["os.", "libc.", "python.", "conda.", "cuda.", "cudnn.", "nccl.", "framework.", "check."]
  static let singleKeys: Set<String> = ["arch"]

  struct Fact: Sendable, Hashable {
    let key: String
    let value: String
  }

  var facts: [Fact] = []
  var ignoredLines = 0
  var rejectedKeys: Set<String> = []
  var truncatedValues = 0

  init(_ output: String) {
    for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
      guard facts.count < Self.maximumFacts else {
        ignoredLines += 1
        continue
      }
      let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3, fields[0] == InspectionScript.protocolMarker else {
        ignoredLines += 1
        continue
      }
      let key = String(fields[1])
      guard Self.isValidKey(key) else {
        if rejectedKeys.count < 20 { rejectedKeys.insert(Self.sanitize(Substring(key.prefix(64)))) }
        continue
      }
      var value = Self.sanitize(fields[2])
      if value.count > Self.maximumValueLength {
        value = String(value.prefix(Self.maximumValueLength))
        truncatedValues += 1
      }
      facts.append(Fact(key: key, value: value))
    }
  }

  /// `family.name_part` of lower-case letters, digits, `.`, `_`, up to 64 characters.
  static func isValidKey(_ key: String) -> Bool {
    guard (1...64).contains(key.count),
      key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" })
    else { return false }
    return singleKeys.contains(key) || keyFamilies.contains { key.hasPrefix($0) && key.count > $0.count }
  }

  /// Drops C0/C1 control characters and DEL (so ANSI escape sequences lose their ESC and
  /// become inert text) and trims surrounding whitespace.
  static func sanitize(_ text: Substring) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      let value = scalar.value
      if value < 0x20 || value == 0x7f || (0x80...0x9f).contains(value) { continue }
      scalars.append(scalar)
    }
    var result = String(scalars)
    while result.first?.isWhitespace == true { result.removeFirst() }
    while result.last?.isWhitespace == true { result.removeLast() }
    return result
  }

  func values(_ key: String) -> [String] { facts.filter { $0.key == key }.map(\.value) }
  func value(_ key: String) -> String? { facts.first { $0.key == key }?.value }

  /// Notes about what was ignored, for the fingerprint.
  var notes: [String] {
    var notes: [String] = []
    if ignoredLines > 0 { notes.append("\(ignoredLines) output line(s) outside the protocol were ignored") }
    if !rejectedKeys.isEmpty { notes.append("unknown keys rejected: \(rejectedKeys.sorted().joined(separator: ", "))") }
    if truncatedValues > 0 { notes.append("\(truncatedValues) value(s) longer than \(Self.maximumValueLength) characters were cut") }
    return notes
  }
}
