import Fingerprint
import Foundation
import TestSupport
import Testing

/// Injected faults, each with the one clear message a user gets.
@Suite(.serialized) struct FaultTests {
  @Test func fullDiskLeavesNoPartialFile() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-full")
    let mountPoint = tree.path + "/small"
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    let mounted = try Binary.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", mountPoint])
    try #require(mounted.status == 0, "needs root to mount a tiny tmpfs: \(mounted.stderr)")
    defer { _ = try? Binary.runTool("/bin/umount", [mountPoint]) }
    try "previous lock".write(toFile: mountPoint + "/host.json", atomically: false, encoding: .utf8)
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "-o", mountPoint + "/host.json"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("rigcheck: cannot write \(mountPoint)/host.json: No space left on device; the file was left unchanged"))
    #expect(try String(contentsOfFile: mountPoint + "/host.json", encoding: .utf8) == "previous lock")
    #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint) == ["host.json"], "no temporary file left")
  }

  @Test func permissionDeniedProcFileIsUnreadableWithTheReason() throws {
    let tree = try FixtureHost.copyOfCapture()
    chmod(tree.rootPath + "/proc/meminfo", 0o000)
    // Root reads anything: run the real binary as nobody, as a user would.
    chmod(tree.path, 0o755)
    let result = try Binary.runTool("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Binary.path, "fingerprint", "--root", tree.rootPath, "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    #expect(fingerprint.identity.host.memory.status == .unreadable)
    #expect(fingerprint.identity.host.memory.reason == "cannot read /proc/meminfo: Permission denied")
    #expect(fingerprint.identity.host.os.status == .present, "one failing probe never hides the others")
  }

  @Test func sigtermDuringInspectionRemovesTheContainer() async throws {
    let (process, _) = try await TestImages.startHangingInspection(binary: Binary.path)
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    #expect(process.terminationStatus == 143)
    #expect(try TestImages.leftoverContainers(pid: process.processIdentifier) == [])
  }

  @Test func containerKilledMidRun() async throws {
    let stderr = Pipe()
    let (process, name) = try await TestImages.startHangingInspection(binary: Binary.path, stderr: stderr)
    // The container is named at `create` and only then started: `docker kill` of a container
    // not yet running fails ("is not running"), so retry until it kills the running one.
    var killed = false
    for _ in 0..<200 where !killed {
      killed = try Binary.runTool("/usr/local/bin/docker", ["kill", name]).status == 0
      if !killed { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(killed, "docker kill \(name) never succeeded")
    let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    #expect(message.hasPrefix("rigcheck: the checks did not run in \(TestImages.reference("hostile-hang"))"))
    #expect(try TestImages.leftoverContainers(pid: process.processIdentifier) == [])
  }

  @Test func secretsInTheEnvironmentAreNeverCaptured() throws {
    let result = try Binary.run(
      ["inspect", "--runtime", "host", "--json"],
      environment: ["AWS_SECRET_ACCESS_KEY": "AKIA-very-secret", "HF_TOKEN": "hf_secret", "CUDA_VERSION": "12.4.1", "NVIDIA_API_KEY": "nvapi-secret"])
    #expect(result.status == 0)
    #expect(!result.stdout.contains("very-secret"))
    #expect(!result.stdout.contains("hf_secret"))
    #expect(!result.stdout.contains("nvapi-secret"))
    #expect(result.stdout.contains("\"CUDA_VERSION\" : \"12.4.1\""))
  }
}

/// Garbage in every argument and input file: exit 2 (or 1 for a command that ran), one line,
/// never a Swift runtime trap or a stack trace.
@Suite struct BadInputTests {
  static let garbage: [[String]] = [
    ["fingerprint", "--root", ""],
    ["fingerprint", "--root", "/etc/passwd"],
    ["fingerprint", "--timeout", "-1"],
    ["fingerprint", "--timeout", "NaN"],
    ["fingerprint", "--timeout", "1e309"],
    ["fingerprint", "--pci-ids", "/nonexistent"],
    ["doctor", "--cuda", "12.4.x"],
    ["doctor", "--cuda", String(repeating: "9.", count: 5000) + "9"],
    ["doctor", "--format", "\u{1b}[31mred"],
    ["inspect", "-", "--runtime", "docker"],
    ["inspect", String(repeating: "a", count: 100_000)],
    ["inspect", "ok", "--image-timeout", "0"],
    ["compare", "/dev/null", "/dev/null"],
    ["compare", "/proc/self/status", "/proc/self/status"],
    ["fleet", "/nonexistent-dir"],
    ["verify", "--lock", "/dev/zero"],
    ["nosuchcommand"],
    ["fingerprint", "\u{0}"],
  ]

  @Test(arguments: garbage)
  func garbageArguments(arguments: [String]) throws {
    let result = try Binary.run(arguments)
    #expect(result.status == 2 || result.status == 1, "\(arguments.map { String($0.prefix(40)) }): \(result.status)")
    #expect(!result.stderr.contains("Fatal error"))
    #expect(!result.stderr.contains("Stack dump"))
    #expect(!result.stderr.contains("Backtrace"))
    #expect(result.stderr.utf8.count < 4096)
  }

  @Test func garbageFiles() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-garbage")
    var bytes = [UInt8](repeating: 0, count: 1 << 20)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for index in bytes.indices {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      bytes[index] = index % 7 == 0 ? 0xFF : UInt8(truncatingIfNeeded: state >> 33)
    }
    #expect(FileManager.default.createFile(atPath: tree.path + "/binary.json", contents: Data(bytes)))
    try String(repeating: "[", count: 100_000).write(toFile: tree.path + "/deep.json", atomically: true, encoding: .utf8)
    try #"{"schemaVersion": 7, "identity": {"host": 3}}"#.write(toFile: tree.path + "/future.json", atomically: true, encoding: .utf8)
    try "rules:\n" .appending(String(repeating: "  - {match: x, rule: exact}\n", count: 20_000)).write(toFile: tree.path + "/big-policy.yaml", atomically: true, encoding: .utf8)
    try "{\"a\": \"\u{1b}[2J\"".write(toFile: tree.path + "/escape.json", atomically: true, encoding: .utf8)
    let valid = tree.path + "/valid.json"
    #expect(try Binary.run(["fingerprint", "--root", Binary.fixture, "-o", valid]).status == 0)
    let cases: [([String], Int32, String)] = [
      (["compare", tree.path + "/binary.json", valid], 2, "is not valid JSON"),
      (["compare", tree.path + "/deep.json", valid], 2, "nested deeper than 256 levels"),
      (["compare", tree.path + "/escape.json", valid], 2, "is not valid JSON"),
      (["compare", valid, valid, "--policy", tree.path + "/binary.json"], 2, "binary.json"),
      (["compare", valid, valid, "--policy", tree.path + "/big-policy.yaml"], 0, ""),
      (["verify", "--lock", tree.path + "/binary.json"], 2, "is not valid JSON"),
      (["fleet", tree.path + "/binary.json"], 1, "unreadable"),
    ]
    for (arguments, status, message) in cases {
      let result = try Binary.run(arguments)
      #expect(result.status == status, "\(arguments): \(result.stderr)\(result.stdout.prefix(300))")
      #expect(message.isEmpty || (result.stderr + result.stdout).contains(message), "\(arguments)")
      #expect(!result.stderr.contains("Fatal error"))
      #expect(!result.stderr.contains("\u{1b}["), "escape sequences from input are not echoed")
    }
    let future = try Binary.run(["compare", tree.path + "/future.json", valid])
    #expect(future.status == 0 || future.status == 1)
    #expect(future.stdout.contains("schema 7"))
  }
}
