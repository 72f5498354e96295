/// A content digest as OCI descriptors write it (`sha256:` and 64 lower-case hex digits;
/// image-spec descriptor.md "Digests"). Only sha256 is accepted: it is what every image
/// builder writes, and a strict form means a digest can safely become a file name
/// (`blobs/sha256/HEX`).
struct BlobDigest: Hashable, CustomStringConvertible {
  let hex: String

  init(parsing text: String, in what: String) throws(ImageSourceError) {
    guard text.hasPrefix("sha256:") else {
      throw ImageSourceError(.malformed, "\(what): digest '\(text.prefix(80))' is not a sha256 digest (sha256:<64 hex digits>)")
    }
    let hex = String(text.dropFirst("sha256:".count))
    guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
      throw ImageSourceError(.malformed, "\(what): digest '\(text.prefix(80))' is not sha256:<64 lower-case hex digits>")
    }
    self.hex = hex
  }

  var description: String { "sha256:" + hex }
}
