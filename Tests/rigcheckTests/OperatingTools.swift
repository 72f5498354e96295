import Foundation
import Probes
import TestSupport

/// The real programs the packaging and operations tests drive (dpkg-deb, docker, promtool,
/// node_exporter, scontrol), each under a deadline, and where the package and deploy files are.
enum OperatingTools {
  /// The repository's top directory.
  static let repository = URL(fileURLWithPath: FixtureHost.fixturesDirectory).deletingLastPathComponent().deletingLastPathComponent().path

  /// Runs `executable` (on PATH or absolute) with a wall-clock limit; stdout and stderr collected.
  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60, directory: String? = nil) throws -> CommandResult {
    var command = Command(executable, arguments, timeoutSeconds: timeout)
    if let directory {
      // Command has no working directory: run through sh, which changes into it first.
      command = Command("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments, timeoutSeconds: timeout)
    }
    var base = TestImages.environment
    // The tools venv (check-jsonschema), as scripts/test.sh sets it.
    base["PATH"] = (ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/rigcheck/tools/bin:" + (base["PATH"] ?? "/usr/bin:/bin")
    base.merge(environment) { _, new in new }
    return try ProcessCommandRunner.runBlocking(command, environment: base, outputLimit: 16 << 20)
  }

  /// The .deb scripts/package.sh wrote for this version (the test binary's `--version`) and
  /// architecture; scripts/test.sh runs package.sh before the tests.
  static func package(_ kind: PackageKind) throws -> String {
    let version = try Binary.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let arch = try run("dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let name = kind == .deb ? "rigcheck_\(version)_\(arch).deb" : "rigcheck-\(version)-linux-\(arch).tar.gz"
    let path = repository + "/dist/" + name
    guard FileManager.default.fileExists(atPath: path) else {
      throw OperatingToolError( "\(path) does not exist: scripts/test.sh builds it with scripts/package.sh before the tests")
    }
    return path
  }

  enum PackageKind { case deb, tarball }
}

/// A tool or file the operations tests need that is missing or misbehaved.
struct OperatingToolError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
