import Foundation
import Testing

@testable import ImageSources

/// The streaming digest that checks blobs while they are downloaded or unpacked (OpenSSL's
/// SHA-256, one implementation for registries and layers): fed in any chunking, it gives
/// coreutils' `sha256sum`.
@Suite struct BlobDigesterTests {
  @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, 200_003])
  func anyChunkingGivesSha256sum(length: Int) throws {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let file = NSTemporaryDirectory() + "rigcheck-sha-\(UUID().uuidString)"
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let expected = "sha256:" + String(try Tools.run("sha256sum", [file]).prefix(64))
    #expect(BlobDigester.digest(of: bytes) == expected)
    for chunk in [1, 7, 63, 64, 65, 4096] {
      let digester = BlobDigester()
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        bytes[offset..<end].withUnsafeBytes { digester.update($0) }
        offset = end
      }
      #expect(digester.finish() == expected, "chunks of \(chunk)")
    }
  }
}
