import Fingerprint

/// Any JSON value, for reading tool output whose shape varies between versions.
enum JSONValue: Decodable, Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// Parses `text`, or throws a one-line description of what is wrong with it.
  static func parse(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
  }

  subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  var string: String? {
    if case .string(let value) = self { return value.isEmpty ? nil : value }
    return nil
  }

  var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  var objectKeys: [String] {
    if case .object(let members) = self { return members.keys.sorted() }
    return []
  }

  var array: [JSONValue] {
    if case .array(let values) = self { return values }
    return []
  }
}

/// The first `N.N[.N…]` version number in a line of text.
func firstVersionNumber(in text: Substring) -> String? {
  var index = text.startIndex
  while index < text.endIndex {
    if text[index].isNumber, index == text.startIndex || !(text[text.index(before: index)].isLetter) {
      let candidate = text[index...].prefix(while: { $0.isNumber || $0 == "." })
      let trimmed = candidate.hasSuffix(".") ? candidate.dropLast() : candidate
      if trimmed.contains(".") { return String(trimmed) }
      index = candidate.endIndex
    } else {
      index = text.index(after: index)
    }
  }
  return nil
}
