/// JSON with numbers and literals kept as written and members in order: the canonical
/// encoding can be walked, rewritten string by string, and written back without losing a digit.
indirect enum RawJSON: Equatable {
  case literal([UInt8])
  case string(String)
  case array([RawJSON])
  case object([Member])

  struct Member: Equatable {
    var key: String
    var value: RawJSON
  }

  enum PathKey: Equatable {
    case key(String)
    case index(Int)
  }

  /// Calls `body` with every string (values, and object keys with `isKey`), its path, and the
  /// member that holds it.
  func forEachString(
    path: [PathKey] = [], member: String? = nil, _ body: (_ path: [PathKey], _ member: String?, _ value: String, _ isKey: Bool) -> Void
  ) {
    switch self {
    case .literal: return
    case .string(let value): body(path, member, value, false)
    case .array(let elements):
      for (index, element) in elements.enumerated() { element.forEachString(path: path + [.index(index)], member: member, body) }
    case .object(let members):
      for entry in members {
        body(path, nil, entry.key, true)
        entry.value.forEachString(path: path + [.key(entry.key)], member: entry.key, body)
      }
    }
  }

  /// Compact JSON text; a key that redaction made equal to an earlier one is dropped.
  func serialized() -> [UInt8] {
    var output: [UInt8] = []
    write(into: &output)
    return output
  }

  private func write(into output: inout [UInt8]) {
    switch self {
    case .literal(let bytes): output += bytes
    case .string(let value): RawJSON.writeString(value, into: &output)
    case .array(let elements):
      output.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        element.write(into: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      output.append(UInt8(ascii: "{"))
      var seen: Set<String> = []
      for entry in members where seen.insert(entry.key).inserted {
        if seen.count > 1 { output.append(UInt8(ascii: ",")) }
        RawJSON.writeString(entry.key, into: &output)
        output.append(UInt8(ascii: ":"))
        entry.value.write(into: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

  private static func writeString(_ value: String, into output: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    output.append(UInt8(ascii: "\""))
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        output.append(UInt8(ascii: "\\"))
        output.append(byte)
      case 0..<0x20:
        output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }

  /// Undoes the replacement a decoding error points at (`redacted` and `original` have the
  /// same shape). False when the error points at nothing that was replaced.
  static func revert(_ redacted: inout RawJSON, from original: RawJSON, at error: DecodingError) -> Bool {
    switch error {
    case .keyNotFound(let key, let context):
      guard let positions = redacted.positions(of: context.codingPath) else { return false }
      return redacted.modify(at: positions[...]) { node in
        guard case .object(var members) = node, case .object(let before) = original.node(at: positions[...]) else { return false }
        guard let index = before.indices.first(where: { before[$0].key == key.stringValue && members[$0].key != before[$0].key }) else { return false }
        members[index].key = before[index].key
        node = .object(members)
        return true
      }
    case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
      guard let positions = redacted.positions(of: context.codingPath), let before = original.node(at: positions[...]) else { return false }
      return redacted.modify(at: positions[...]) { node in
        guard node != before else { return false }
        node = before
        return true
      }
    @unknown default:
      return false
    }
  }

  /// The positions (member or element indices) a coding path names.
  func positions(of codingPath: [any CodingKey]) -> [Int]? {
    var node = self
    var positions: [Int] = []
    for key in codingPath {
      switch node {
      case .array(let elements):
        guard let index = key.intValue, elements.indices.contains(index) else { return nil }
        positions.append(index)
        node = elements[index]
      case .object(let members):
        guard let index = members.firstIndex(where: { $0.key == key.stringValue }) else { return nil }
        positions.append(index)
        node = members[index].value
      default: return nil
      }
    }
    return positions
  }

  func node(at positions: ArraySlice<Int>) -> RawJSON? {
    guard let first = positions.first else { return self }
    switch self {
    case .array(let elements): return elements.indices.contains(first) ? elements[first].node(at: positions.dropFirst()) : nil
    case .object(let members): return members.indices.contains(first) ? members[first].value.node(at: positions.dropFirst()) : nil
    default: return nil
    }
  }

  mutating func modify(at positions: ArraySlice<Int>, _ body: (inout RawJSON) -> Bool) -> Bool {
    guard let first = positions.first else { return body(&self) }
    switch self {
    case .array(var elements):
      guard elements.indices.contains(first) else { return false }
      let changed = elements[first].modify(at: positions.dropFirst(), body)
      self = .array(elements)
      return changed
    case .object(var members):
      guard members.indices.contains(first) else { return false }
      let changed = members[first].value.modify(at: positions.dropFirst(), body)
      self = .object(members)
      return changed
    default: return false
    }
  }

  /// Arrays of strings that were sorted in `original` are sorted again (a replacement can
  /// change their order; producers sort, and equal environments must stay byte-identical).
  func resortingStringArrays(sortedIn original: RawJSON) -> RawJSON {
    switch (self, original) {
    case (.array(let elements), .array(let before)):
      let children = zip(elements, before).map { $0.resortingStringArrays(sortedIn: $1) }
      let strings = children.compactMap { node -> String? in
        if case .string(let value) = node { return value }
        return nil
      }
      let originalStrings = before.compactMap { node -> String? in
        if case .string(let value) = node { return value }
        return nil
      }
      guard strings.count == children.count, originalStrings.count == before.count, children.count > 1,
        originalStrings == originalStrings.sorted(), strings != strings.sorted()
      else { return .array(children) }
      return .array(strings.sorted().map(RawJSON.string))
    case (.object(let members), .object(let before)):
      return .object(zip(members, before).map { Member(key: $0.key, value: $0.value.resortingStringArrays(sortedIn: $1.value)) })
    default:
      return self
    }
  }
}

extension JSONTreeParser {
  /// Parses a whole document into a ``RawJSON``.
  mutating func parseRawDocument() throws(JSONSyntaxError) -> RawJSON {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    skipWhitespace()
    let value = try parseRawValue()
    skipWhitespace()
    guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
    return value
  }

  mutating func parseRawValue() throws(JSONSyntaxError) -> RawJSON {
    guard index < bytes.count else { throw failure("unexpected end of input") }
    switch bytes[index] {
    case UInt8(ascii: "{"):
      try enter()
      defer { depth -= 1 }
      index += 1
      var members: [RawJSON.Member] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
        index += 1
        skipWhitespace()
        members.append(RawJSON.Member(key: key, value: try parseRawValue()))
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of input in an object") }
        if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
        if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        throw failure("expected ',' or '}' in an object")
      }
    case UInt8(ascii: "["):
      try enter()
      defer { depth -= 1 }
      index += 1
      var elements: [RawJSON] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        skipWhitespace()
        elements.append(try parseRawValue())
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of input in an array") }
        if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
        if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        throw failure("expected ',' or ']' in an array")
      }
    case UInt8(ascii: "\""):
      return .string(try parseString())
    default:
      let start = index
      _ = try parseValue()
      return .literal(Array(bytes[start..<index]))
    }
  }
}
