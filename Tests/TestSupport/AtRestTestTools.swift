import Foundation
import Probes

/// Real tools the at-rest tests prepare and check images with (skopeo, tar, mksquashfs,
/// siftool, docker), and the registries scripts/start-registry.sh started. Shared by the
/// ImageSources and Inspector suites; the test targets extend it with `#require`-based checks.
public enum AtRestTestTools {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
  }

  /// Runs a tool; a non-zero exit is an error carrying its stderr.
  @discardableResult
  public static func run(_ executable: String, _ arguments: [String], timeout: Double = 300, environment: [String: String]? = nil) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command(executable, arguments, timeoutSeconds: timeout), environment: environment ?? TestImages.environment, outputLimit: 64 << 20)
    guard result.succeeded else {
      throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(result.exitCode ?? -1): \(result.stderr)")
    }
    return result.stdout
  }

  /// `registry.env` of scripts/start-registry.sh (OPEN, TLS, AUTH, EXTERNAL_HOST) and its directory.
  public static func registries() throws -> (values: [String: String], directory: String) {
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
  public static func temporaryDirectory(_ purpose: String) throws -> String {
    let path = NSTemporaryDirectory() + "rigcheck-test-\(purpose)-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
