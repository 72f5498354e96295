import Foundation
import Probes
import TestSupport
import Testing

@testable import ImageSources

/// Real tools the at-rest source tests check their results with (skopeo, tar, mksquashfs,
/// siftool, docker), and the registries scripts/start-registry.sh started.
enum AtRestTestTools {
  struct Failure: Error, CustomStringConvertible { var description: String }

  /// Runs a tool; a non-zero exit is an error carrying its stderr.
  @discardableResult
  static func run(_ executable: String, _ arguments: [String], timeout: Double = 300, environment: [String: String]? = nil) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command(executable, arguments, timeoutSeconds: timeout), environment: environment ?? TestImages.environment, outputLimit: 64 << 20)
    guard result.succeeded else {
      throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(result.exitCode ?? -1): \(result.stderr)")
    }
    return result.stdout
  }

  /// `registry.env` of scripts/start-registry.sh (OPEN, TLS, AUTH, EXTERNAL_HOST) and its directory.
  static func registries() throws -> (values: [String: String], directory: String) {
    let environment = ProcessInfo.processInfo.environment
    let directory = environment["RIGCHECK_REGISTRY_DIR"] ?? ((environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/rigcheck-registry")
    guard let text = try? String(contentsOfFile: directory + "/registry.env", encoding: .utf8) else {
      throw Failure(description: "\(directory)/registry.env is missing: run scripts/start-registry.sh (scripts/test.sh does)")
    }
    var values: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { values[parts[0]] = parts[1] }
    }
    return (values, directory)
  }

  /// A fresh temporary directory, removed by the caller.
  static func temporaryDirectory(_ purpose: String) throws -> String {
    let path = NSTemporaryDirectory() + "rigcheck-test-\(purpose)-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

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
