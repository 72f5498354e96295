import CLibSSL

/// SHA-256 of a stream, fed piece by piece (OpenSSL's EVP digest: blobs are hashed while they
/// are downloaded or read, never held whole), checked against an OCI digest `sha256:<64 hex>`.
final class BlobDigester {
  private let context: OpaquePointer

  init() {
    context = EVP_MD_CTX_new()
    EVP_DigestInit_ex(context, EVP_sha256(), nil)
  }

  deinit { EVP_MD_CTX_free(context) }

  func update(_ bytes: UnsafeRawBufferPointer) {
    if let base = bytes.baseAddress, !bytes.isEmpty { EVP_DigestUpdate(context, base, bytes.count) }
  }

  /// `sha256:` and 64 lower-case hex digits.
  func finish() -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    EVP_DigestFinal_ex(context, &digest, &length)
    let hex = Array("0123456789abcdef".utf8)
    var text: [UInt8] = Array("sha256:".utf8)
    for byte in digest.prefix(Int(length)) {
      text.append(hex[Int(byte >> 4)])
      text.append(hex[Int(byte & 0xf)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  static func digest(of bytes: [UInt8]) -> String {
    let digester = BlobDigester()
    bytes.withUnsafeBytes { digester.update($0) }
    return digester.finish()
  }

  /// Whether `digest` is one rigcheck can verify and store under `blobs/sha256/`: the algorithm
  /// `sha256` and exactly 64 lower-case hex digits (image-spec descriptor.md "Digests";
  /// anything else could name a path outside the layout).
  static func isVerifiable(_ digest: String) -> Bool {
    guard digest.hasPrefix("sha256:") else { return false }
    let hex = digest.dropFirst("sha256:".count)
    return hex.count == 64 && hex.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
  }
}
