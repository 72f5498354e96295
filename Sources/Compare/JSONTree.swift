import Fingerprint

/// Any JSON value, read schema-agnostically so fingerprints of other schema versions can still
/// be diffed where their shapes agree.
public indirect enum JSONTree: Decodable, Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONTree])
  case object([String: JSONTree])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONTree].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONTree].self))
    }
  }

  public subscript(key: String) -> JSONTree? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

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
}
