import Fingerprint
import Foundation
import TestSupport
import Testing

/// End-to-end runs of the built `rigcheck` binary.
enum Binary {
  static let path: String = {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("rigcheck").path
  }()

  static let fixture = FixtureHost.h200Path

  struct Result {
    var pid: Int32
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    try runTool(path, arguments, environment: environment)
  }

  /// Runs any program (a real consumer of rigcheck's output, say) and collects its output.
  static func runTool(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = TestImages.environment.merging(environment) { _, new in new }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(pid: process.processIdentifier, status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
  }
}

@Suite struct FingerprintCommandTests {
  @Test func jsonOfTheH200Capture() throws {
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    #expect(fingerprint.schemaVersion == Fingerprint.currentSchemaVersion)
    #expect(fingerprint.identity.host.nvidia.kernelModule.value?.version == "580.159.04")
    #expect(fingerprint.identity.host.pci.value?.gpus.first?.deviceID == "2335")
  }

  @Test func hashIsStableAndMatchesTheJSON() throws {
    let first = try Binary.run(["fingerprint", "--root", Binary.fixture, "--hash"])
    let second = try Binary.run(["fingerprint", "--root", Binary.fixture, "--hash"])
    #expect(first.status == 0)
    #expect(first.stdout == second.stdout)
    #expect(first.stdout.range(of: #"^sha256:[0-9a-f]{64}\n$"#, options: .regularExpression) != nil)
    let json = try Binary.run(["fingerprint", "--root", Binary.fixture, "--json"])
    let decoded = try Fingerprint.decode(Data(json.stdout.utf8), name: "stdout")
    #expect(try decoded.identityHash() + "\n" == first.stdout)
  }

  @Test func outputFileIsWrittenAndSummaryPrinted() throws {
    let directory = NSTemporaryDirectory() + "rigcheck-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "-o", directory + "/host.json"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("driver 580.159.04 (open kernel module)"))
    #expect(result.stdout.contains("wrote \(directory)/host.json"))
    let written = try Data(contentsOf: URL(fileURLWithPath: directory + "/host.json"))
    #expect(try Fingerprint.decode(written, name: "host.json").identity.host.os.value?.id == "ubuntu")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["host.json"], "no temporary file left")
  }

  @Test func unwritableOutputLeavesNoFileAndExitsOne() throws {
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "-o", "/nonexistent-dir/host.json"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("rigcheck: cannot write /nonexistent-dir/host.json"))
    #expect(!result.stderr.contains("Fatal error"))
    #expect(!FileManager.default.fileExists(atPath: "/nonexistent-dir/host.json"))
  }

  @Test func redactionRemovesTheUUID() throws {
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "--json", "--redact"])
    #expect(result.status == 0)
    #expect(!result.stdout.contains("GPU-5a1e0000-0000-4000-8000-000000000001"))
    #expect(result.stdout.contains("GPU-REDACTED-0"))
  }

  @Test func badRootIsAUsageError() throws {
    let result = try Binary.run(["fingerprint", "--root", "/no/such/dir"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--root /no/such/dir: no such directory"))
    #expect(result.stdout.isEmpty)
  }

  @Test func unknownOptionIsAUsageError() throws {
    let result = try Binary.run(["fingerprint", "--frobnicate"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("Unknown option '--frobnicate'"))
  }

  @Test func thisMachineReportsNoGPUAndDockersState() throws {
    let result = try Binary.run(["fingerprint", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    let host = fingerprint.identity.host
    #expect(host.pci.value?.gpus.isEmpty == true)
    #expect(host.nvidia.kernelModule.status == .absent)
    #expect(host.nvidia.nvml.status != .present)
    #expect(host.nvidia.nvml.reason?.isEmpty == false)
    let daemon = try #require(host.docker.daemon.value)
    #expect(daemon.reachable || daemon.problem != nil)
  }

  @Test func helpTeaches() throws {
    let result = try Binary.run(["fingerprint", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:"))
    #expect(result.stdout.contains("--redact"))
  }
}
