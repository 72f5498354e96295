import Fingerprint
import Foundation
import Testing

/// The incremental hasher that checks layer digests while they stream: fed in any chunking, it
/// gives coreutils' `sha256sum` digest and the one-shot ``SHA256/hexDigest(of:)``.
@Suite struct SHA256HasherTests {
  @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, 200_003])
  func anyChunkingGivesSha256sum(length: Int) throws {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let file = NSTemporaryDirectory() + "rigcheck-sha-\(UUID().uuidString)"
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let expected = String(try Tools.run("sha256sum", [file]).prefix(64))
    #expect(SHA256.hexDigest(of: bytes) == expected)
    for chunk in [1, 7, 63, 64, 65, 4096] {
      var hasher = SHA256.Hasher()
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
        offset = end
      }
      #expect(hasher.count == UInt64(length))
      #expect(hasher.finish() == expected, "chunks of \(chunk)")
    }
  }
}
