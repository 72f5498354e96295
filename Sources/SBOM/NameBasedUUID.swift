import Fingerprint

/// A name-based UUID built on SHA-256: RFC 9562 §5.8 (UUIDv8) as its Appendix B.2 ("Example of
/// a UUIDv8 Value (Name-Based)") builds one — SHA-256 over the namespace UUID's 16 bytes and
/// the name, the first 128 bits kept, version nibble 8, variant bits 10. It is UUIDv5's
/// construction with SHA-256 in place of SHA-1 (the project already has SHA-256).
public enum NameBasedUUID {
  /// The UUID for `name` in `namespace` (`6ba7b810-9dad-11d1-80b4-00c04fd430c8` and so on),
  /// lower-case and hyphenated.
  public static func make(namespace: [UInt8], name: [UInt8]) -> String {
    let hex = SHA256.hexDigest(of: namespace + name)
    var bytes = stride(from: 0, to: 32, by: 2).map { offset -> UInt8 in
      let start = hex.index(hex.startIndex, offsetBy: offset)
      return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
    }
    bytes[6] = (bytes[6] & 0x0F) | 0x80
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let text = bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
      String(text.dropFirst(range.lowerBound).prefix(range.count))
    }
    return parts.joined(separator: "-")
  }

  /// The 16 bytes of a hyphenated UUID; nil when `text` is not one.
  public static func bytes(of text: String) -> [UInt8]? {
    let hex = text.filter { $0 != "-" }
    guard hex.count == 32 else { return nil }
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
      result.append(byte)
      index = next
    }
    return result
  }
}
