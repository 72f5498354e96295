import Foundation
import TestSupport
import Testing

@testable import ImageSources

/// Checks on what the at-rest sources produce (the tools and registries themselves are in
/// TestSupport's ``AtRestTestTools``).
extension AtRestTestTools {
  /// ELF e_machine of a file (62 = x86-64, 183 = AArch64), read from its header.
  static func elfMachine(_ path: String) throws -> UInt16 {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    let header = try #require(try handle.read(upToCount: 20))
    try #require(header.count == 20 && header.prefix(4) == Data([0x7f, 0x45, 0x4c, 0x46]), "\(path) is not ELF")
    return UInt16(header[18]) | UInt16(header[19]) << 8
  }

  /// The text of a file inside an image root.
  static func read(_ root: any ImageRoot, _ path: String) throws -> String {
    let host = try #require(root.hostPath(path), "\(path) is not a regular file in the image")
    return try String(contentsOfFile: host, encoding: .utf8)
  }
}
