import Fingerprint

/// Checks a document read whole against the digest (and size) that names it.
enum DigestCheck {
  static func verify(_ bytes: [UInt8], digest: BlobDigest, size: Int64? = nil, what: String) throws(ImageSourceError) {
    if let size, bytes.count != size {
      throw ImageSourceError(.digestMismatch, "\(what): the blob has \(bytes.count) bytes, its descriptor says \(size)")
    }
    let actual = "sha256:" + SHA256.hexDigest(of: bytes)
    guard actual == digest.description else {
      throw ImageSourceError(.digestMismatch, "\(what): the blob has digest \(actual), its descriptor says \(digest)")
    }
  }
}
