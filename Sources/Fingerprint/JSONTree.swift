/// Any JSON value: fingerprints read schema-agnostically (so other schema versions can still be
/// diffed where their shapes agree), and tool output whose shape varies between versions
/// (`docker info`, daemon.json, CDI specs).
public enum JSONTree: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONTree])
  case object([String: JSONTree])

  public subscript(key: String) -> JSONTree? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// A non-empty string value; nil for anything else (tools print `""` for "unknown").
  public var nonEmptyString: String? {
    if case .string(let value) = self, !value.isEmpty { return value }
    return nil
  }

  public var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// An object's keys, sorted; empty for anything else.
  public var objectKeys: [String] {
    if case .object(let members) = self { return members.keys.sorted() }
    return []
  }

  /// An array's elements; empty for anything else.
  public var elements: [JSONTree] {
    if case .array(let values) = self { return values }
    return []
  }

  /// Parses JSON text.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONTree { try parse(Data(text.utf8)) }

  /// A scalar as text (`13.0`, `true`, `16`); nil for objects and arrays.
  public var scalarText: String? {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .number(let value):
      if value == value.rounded(), abs(value) < 1e18 { return String(Int64(value)) }
      return String(value)
    case .string(let value): return value
    case .array, .object: return nil
    }
  }

  /// Parses JSON text (RFC 8259). Nesting deeper than `maximumDepth` is refused.
  /// - Throws: ``JSONSyntaxError`` with the byte offset, line and column of the problem.
  public static func parse(_ data: Data, maximumDepth: Int = 256) throws(JSONSyntaxError) -> JSONTree {
    var parser = JSONTreeParser(bytes: Array(data), maximumDepth: maximumDepth)
    return try parser.parseDocument()
  }
}

extension JSONTree {
  /// An object's members in canonical order, keys sorted by their UTF-8 bytes: the order in
  /// which `JSONEncoder`'s `.sortedKeys` (so ``CanonicalJSON``) and ``serialized()`` write
  /// them; empty for anything else.
  public var canonicalMembers: [(key: String, value: JSONTree)] {
    guard case .object(let members) = self else { return [] }
    return members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
  }

  /// Compact JSON text in rigcheck's canonical form, byte for byte what
  /// `CanonicalJSON.encode(_:pretty: false)` writes for the same value: members in
  /// ``canonicalMembers`` order, slashes unescaped, integral numbers as integers
  /// (`25276510208`, not `2.5276510208e10`). Integers are exact below 2^53, and beyond it for
  /// every literal a parser with `exactIntegers` accepted.
  public func serialized() -> Data {
    var output: [UInt8] = []
    write(into: &output)
    return Data(output)
  }

  func write(into output: inout [UInt8]) {
    switch self {
    case .null: output += "null".utf8
    case .bool(let value): output += (value ? "true" : "false").utf8
    case .number(let value):
      if let integer = Int64(exactly: value) {
        output += String(integer).utf8
      } else if let integer = UInt64(exactly: value) {
        output += String(integer).utf8
      } else {
        output += String(value).utf8  // the shortest form that reads back the same Double
      }
    case .string(let value): JSONTree.writeString(value, into: &output)
    case .array(let elements):
      output.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        element.write(into: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object:
      output.append(UInt8(ascii: "{"))
      for (index, member) in canonicalMembers.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        JSONTree.writeString(member.key, into: &output)
        output.append(UInt8(ascii: ":"))
        member.value.write(into: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

  /// A string literal escaped as `JSONEncoder` escapes it (`\n`, `\u001f`; `/` as is).
  static func writeString(_ value: String, into output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var value = value
    value.withUTF8 { bytes in
      // Fast path: nothing to escape, the bytes go out in one copy.
      var plain = true
      for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        plain = false
        break
      }
      if plain {
        output.append(contentsOf: bytes)
        return
      }
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\")); output.append(byte)
        case 0x08: output += "\\b".utf8
        case 0x0C: output += "\\f".utf8
        case 0x0A: output += "\\n".utf8
        case 0x0D: output += "\\r".utf8
        case 0x09: output += "\\t".utf8
        case 0..<0x20:
          output += "\\u00".utf8
          output.append(hexDigit(byte >> 4))
          output.append(hexDigit(byte & 0xF))
        default: output.append(byte)
        }
      }
    }
    output.append(UInt8(ascii: "\""))
  }

  private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10 }
}

/// Where and why JSON text is malformed.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
  public let line: Int
  public let column: Int
  public let reason: String
  public var description: String { "line \(line), column \(column): \(reason)" }
}

/// A small, strict, allocation-light JSON parser (no exceptions on the happy path).
///
/// It reads the bytes through one unsafe buffer (no bounds checks, no per-character copies):
/// strings without escapes become a `String` in one step from their bytes, integers are
/// accumulated digit by digit, and only fractions and exponents go through `Double(_:)`.
struct JSONTreeParser {
  let bytes: [UInt8]
  let maximumDepth: Int
  /// Refuse integer literals a `Double` would round (beyond 2^53, only some integers are held
  /// exactly), so that ``JSONTree/serialized()`` writes back every integer as it was read.
  var exactIntegers = false

  init(bytes: [UInt8], maximumDepth: Int) {
    self.bytes = bytes
    self.maximumDepth = maximumDepth
  }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONTree {
    let maximumDepth = maximumDepth
    let exactIntegers = exactIntegers
    return try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONTree in
      var core = JSONTreeParserCore(bytes: buffer, maximumDepth: maximumDepth, exactIntegers: exactIntegers)
      return try core.parseDocument()
    }
  }
}

/// The parser proper, over a buffer that outlives it (``JSONTreeParser/parseDocument()``).
struct JSONTreeParserCore {
  let bytes: UnsafeBufferPointer<UInt8>
  let count: Int
  let maximumDepth: Int
  let exactIntegers: Bool
  var index = 0
  var depth = 0

  init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int, exactIntegers: Bool) {
    self.bytes = bytes
    self.count = bytes.count
    self.maximumDepth = maximumDepth
    self.exactIntegers = exactIntegers
  }

  @inline(__always) func byte(_ at: Int) -> UInt8 { bytes.baseAddress.unsafelyUnwrapped[at] }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONTree {
    if count >= 3, byte(0) == 0xEF, byte(1) == 0xBB, byte(2) == 0xBF { index = 3 }
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    guard index == count else { throw failure("unexpected text after the JSON value") }
    return value
  }

  func failure(_ reason: String) -> JSONSyntaxError {
    var line = 1
    var column = 1
    for byte in bytes[0..<min(index, count)] {
      if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
    }
    return JSONSyntaxError(line: line, column: column, reason: reason)
  }

  @inline(__always) mutating func skipWhitespace() {
    while index < count {
      let c = byte(index)
      guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
      index += 1
    }
  }

  mutating func parseValue() throws(JSONSyntaxError) -> JSONTree {
    guard index < count else { throw failure("unexpected end of input") }
    switch byte(index) {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw failure("unexpected character '\(Unicode.Scalar(byte(index)))'")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
    let length = word.utf8CodeUnitCount
    guard index + length <= count else { throw failure("invalid literal") }
    let expected = word.utf8Start
    for offset in 0..<length where byte(index + offset) != expected[offset] { throw failure("invalid literal") }
    index += length
  }

  mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > maximumDepth { throw failure("nested deeper than \(maximumDepth) levels") }
  }

  mutating func parseObject() throws(JSONSyntaxError) -> JSONTree {
    try enter()
    defer { depth -= 1 }
    index += 1
    skipWhitespace()
    if index < count, byte(index) == UInt8(ascii: "}") {
      index += 1
      return .object([:])
    }
    // Members are gathered first and hashed into a dictionary of the right size in one go
    // (a later duplicate key wins, as it always has).
    var pairs: [(String, JSONTree)] = []
    while true {
      skipWhitespace()
      guard index < count, byte(index) == UInt8(ascii: "\"") else { throw failure("expected a string key") }
      let key = try parseString()
      skipWhitespace()
      guard index < count, byte(index) == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
      index += 1
      skipWhitespace()
      pairs.append((key, try parseValue()))
      skipWhitespace()
      guard index < count else { throw failure("unexpected end of input in an object") }
      let c = byte(index)
      if c == UInt8(ascii: ",") { index += 1; continue }
      if c == UInt8(ascii: "}") {
        index += 1
        var members: [String: JSONTree] = [:]
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { members[key] = value }
        return .object(members)
      }
      throw failure("expected ',' or '}' in an object")
    }
  }

  mutating func parseArray() throws(JSONSyntaxError) -> JSONTree {
    try enter()
    defer { depth -= 1 }
    index += 1
    var elements: [JSONTree] = []
    skipWhitespace()
    if index < count, byte(index) == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      guard index < count else { throw failure("unexpected end of input in an array") }
      let c = byte(index)
      if c == UInt8(ascii: ",") { index += 1; continue }
      if c == UInt8(ascii: "]") { index += 1; return .array(elements) }
      throw failure("expected ',' or ']' in an array")
    }
  }

  mutating func parseString() throws(JSONSyntaxError) -> String {
    index += 1
    let start = index
    // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
    var ascii = true
    while index < count {
      let c = byte(index)
      if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
      if c >= 0x80 { ascii = false }
      index += 1
    }
    if index < count, byte(index) == UInt8(ascii: "\"") {
      defer { index += 1 }
      let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
      if ascii { return String(decoding: run, as: UTF8.self) }
      guard let text = String(validating: run, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
      return text
    }
    var scalars = Array(bytes[start..<index])
    while true {
      guard index < count else { throw failure("unterminated string") }
      let c = byte(index)
      if c == UInt8(ascii: "\"") {
        index += 1
        guard let text = String(validating: scalars, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return text
      }
      if c < 0x20 { throw failure("control character in a string") }
      if c != UInt8(ascii: "\\") {
        scalars.append(c)
        index += 1
        continue
      }
      index += 1
      guard index < count else { throw failure("unterminated escape") }
      let escape = byte(index)
      index += 1
      switch escape {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
      case UInt8(ascii: "b"): scalars.append(0x08)
      case UInt8(ascii: "f"): scalars.append(0x0C)
      case UInt8(ascii: "n"): scalars.append(0x0A)
      case UInt8(ascii: "r"): scalars.append(0x0D)
      case UInt8(ascii: "t"): scalars.append(0x09)
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code), index + 1 < count, byte(index) == UInt8(ascii: "\\"), byte(index + 1) == UInt8(ascii: "u") {
          index += 2
          let low = try hex4()
          guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid surrogate pair") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
        scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
      default: throw failure("invalid escape '\\\(Unicode.Scalar(escape))'")
      }
    }
  }

  mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard index + 4 <= count else { throw failure("short \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let c = byte(index)
      let digit: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw failure("invalid hex digit in \\u escape")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }

  @inline(__always) mutating func digits() -> Int {
    let begin = index
    while index < count, byte(index) &- UInt8(ascii: "0") < 10 { index += 1 }
    return index - begin
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> Double {
    let start = index
    let negative = byte(index) == UInt8(ascii: "-")
    if negative { index += 1 }
    let integerStart = index
    let integer = digits()
    guard integer > 0 else { throw failure("invalid number") }
    if integer > 1, byte(integerStart) == UInt8(ascii: "0") { throw failure("leading zero in a number") }
    let integerEnd = index
    var plainInteger = true
    if index < count, byte(index) == UInt8(ascii: ".") {
      index += 1
      plainInteger = false
      guard digits() > 0 else { throw failure("invalid number") }
    }
    if index < count, byte(index) == UInt8(ascii: "e") || byte(index) == UInt8(ascii: "E") {
      index += 1
      plainInteger = false
      if index < count, byte(index) == UInt8(ascii: "+") || byte(index) == UInt8(ascii: "-") { index += 1 }
      guard digits() > 0 else { throw failure("invalid exponent") }
    }
    // Fast path: an integer of at most 15 digits is exact in a Double.
    if plainInteger, integer <= 15 {
      var value: Int64 = 0
      for offset in integerStart..<integerEnd { value = value &* 10 &+ Int64(byte(offset) &- UInt8(ascii: "0")) }
      return negative ? -Double(value) : Double(value)
    }
    let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let value = Double(literal), value.isFinite else { throw failure("number out of range") }
    if exactIntegers, plainInteger, value.magnitude >= 0x1p53 {
      guard value.magnitude < 0x1p64, String(UInt64(value.magnitude)).utf8.elementsEqual(bytes[integerStart..<integerEnd]) else {
        throw failure("integer \(literal) cannot be held exactly")
      }
    }
    return value
  }
}
