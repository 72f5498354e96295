/// Decodes `Decodable` values from a parsed ``JSONTree``, so that a file parsed once (for the
/// comparison and the identity hash) is not parsed again by Foundation's `JSONDecoder` for the
/// model. Errors are `DecodingError`s with the coding path, as `JSONDecoder` throws them, so
/// ``Fingerprint/describeJSONError(_:)`` words them the same way.
public struct JSONTreeDecoder {
  public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

  public init() {}

  public func decode<T: Decodable>(_ type: T.Type, from tree: JSONTree) throws -> T {
    try T(from: TreeDecoding(value: tree, codingPath: [], userInfo: userInfo))
  }
}

private struct TreeKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = "Index \(intValue)"
    self.intValue = intValue
  }
}

private func describeType(_ value: JSONTree) -> String {
  switch value {
  case .null: return "null"
  case .bool: return "a boolean"
  case .number: return "a number"
  case .string: return "a string"
  case .array: return "an array"
  case .object: return "an object"
  }
}

private func mismatch(_ type: Any.Type, _ value: JSONTree, _ path: [any CodingKey]) -> DecodingError {
  if case .null = value {
    return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
  }
  return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(describeType(value)) instead."))
}

private func unwrapString(_ value: JSONTree, _ path: [any CodingKey]) throws -> String {
  if case .string(let text) = value { return text }
  throw mismatch(String.self, value, path)
}

private func unwrapBool(_ value: JSONTree, _ path: [any CodingKey]) throws -> Bool {
  if case .bool(let flag) = value { return flag }
  throw mismatch(Bool.self, value, path)
}

private func unwrapDouble(_ value: JSONTree, _ path: [any CodingKey]) throws -> Double {
  if case .number(let number) = value { return number }
  throw mismatch(Double.self, value, path)
}

private func unwrapInteger<T: BinaryInteger>(_ value: JSONTree, _ path: [any CodingKey], as type: T.Type) throws -> T {
  guard case .number(let number) = value else { throw mismatch(T.self, value, path) }
  guard let integer = T(exactly: number) else {
    throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Number \(number) is not representable in Swift as \(T.self)."))
  }
  return integer
}

private struct TreeDecoding: Decoder {
  let value: JSONTree
  let codingPath: [any CodingKey]
  let sendableUserInfo: [CodingUserInfoKey: any Sendable]

  init(value: JSONTree, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
    self.value = value
    self.codingPath = codingPath
    self.sendableUserInfo = userInfo
  }

  var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else { throw mismatch([String: Any].self, value, codingPath) }
    return KeyedDecodingContainer(TreeKeyed<Key>(members: members, codingPath: codingPath, userInfo: sendableUserInfo))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = value else { throw mismatch([Any].self, value, codingPath) }
    return TreeUnkeyed(elements: elements, codingPath: codingPath, userInfo: sendableUserInfo)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { TreeSingle(value: value, codingPath: codingPath, userInfo: sendableUserInfo) }
}

private struct TreeSingle: SingleValueDecodingContainer {
  let value: JSONTree
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: any Sendable]

  func decodeNil() -> Bool { value == .null }
  func decode(_ type: Bool.Type) throws -> Bool { try unwrapBool(value, codingPath) }
  func decode(_ type: String.Type) throws -> String { try unwrapString(value, codingPath) }
  func decode(_ type: Double.Type) throws -> Double { try unwrapDouble(value, codingPath) }
  func decode(_ type: Float.Type) throws -> Float { Float(try unwrapDouble(value, codingPath)) }
  func decode(_ type: Int.Type) throws -> Int { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: UInt.Type) throws -> UInt { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try unwrapInteger(value, codingPath, as: type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try unwrapInteger(value, codingPath, as: type) }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: TreeDecoding(value: value, codingPath: codingPath, userInfo: userInfo)) }
}

private struct TreeKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [String: JSONTree]
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: any Sendable]

  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  func member(_ key: Key) throws -> JSONTree {
    guard let value = members[key.stringValue] else {
      throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
    }
    return value
  }

  func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try unwrapBool(member(key), codingPath + [key]) }
  func decode(_ type: String.Type, forKey key: Key) throws -> String { try unwrapString(member(key), codingPath + [key]) }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try unwrapDouble(member(key), codingPath + [key]) }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try unwrapDouble(member(key), codingPath + [key])) }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try unwrapInteger(member(key), codingPath + [key], as: type) }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try T(from: TreeDecoding(value: member(key), codingPath: codingPath + [key], userInfo: userInfo))
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
    try TreeDecoding(value: member(key), codingPath: codingPath + [key], userInfo: userInfo).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try TreeDecoding(value: member(key), codingPath: codingPath + [key], userInfo: userInfo).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    TreeDecoding(value: members["super"] ?? .null, codingPath: codingPath + [TreeKey(stringValue: "super")], userInfo: userInfo)
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    TreeDecoding(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key], userInfo: userInfo)
  }
}

private struct TreeUnkeyed: UnkeyedDecodingContainer {
  let elements: [JSONTree]
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: any Sendable]
  var currentIndex = 0

  init(elements: [JSONTree], codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
    self.elements = elements
    self.codingPath = codingPath
    self.userInfo = userInfo
  }

  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  mutating func next(_ type: Any.Type) throws -> (JSONTree, [any CodingKey]) {
    let path = codingPath + [TreeKey(intValue: currentIndex)]
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
    }
    defer { currentIndex += 1 }
    return (elements[currentIndex], path)
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(Any?.self, .init(codingPath: codingPath + [TreeKey(intValue: currentIndex)], debugDescription: "Unkeyed container is at end."))
    }
    if elements[currentIndex] == .null {
      currentIndex += 1
      return true
    }
    return false
  }

  mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try unwrapBool(v, p) }
  mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try unwrapString(v, p) }
  mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try unwrapDouble(v, p) }
  mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return Float(try unwrapDouble(v, p)) }
  mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(type); return try unwrapInteger(v, p, as: type) }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let (v, p) = try next(type)
    return try T(from: TreeDecoding(value: v, codingPath: p, userInfo: userInfo))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
    let (v, p) = try next([String: Any].self)
    return try TreeDecoding(value: v, codingPath: p, userInfo: userInfo).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    let (v, p) = try next([Any].self)
    return try TreeDecoding(value: v, codingPath: p, userInfo: userInfo).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder {
    let (v, p) = try next(Any.self)
    return TreeDecoding(value: v, codingPath: p, userInfo: userInfo)
  }
}
