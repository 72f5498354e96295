import Fingerprint
import Foundation
import TestSupport
import Testing

/// The built binary against a fake NVML that hangs: every command comes back at its deadline,
/// with the hang reported and every other fact present, and no helper child left behind.
@Suite struct NVMLDeadlineCommandTests {
  /// The fake libnvidia-ml.so.1 compiled with `defines`, in a directory of its own.
  static func fake(_ name: String, _ defines: [String] = []) throws -> (TemporaryTree, String) {
    let tree = try TemporaryTree(prefix: "rigcheck-nvml-\(name)")
    let library = tree.path + "/libnvidia-ml.so.1"
    let built = try Binary.runTool(
      "/usr/bin/cc", ["-shared", "-fPIC", "-o", library, FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"] + defines)
    try #require(built.status == 0, "cc failed: \(built.stderr)")
    return (tree, library)
  }

  /// Runs the binary and measures its wall time in seconds.
  static func timed(_ arguments: [String]) throws -> (Binary.Result, Double) {
    let start = Date()
    let result = try Binary.run(arguments)
    return (result, Date().timeIntervalSince(start))
  }

  /// No helper for `library` is still running.
  static func expectNoHelperLeft(_ library: String) throws {
    let left = try Binary.runTool("/usr/bin/pgrep", ["-f", "__probe nvml --nvml-library \(library)"])
    #expect(left.status == 1, "helper left running: \(left.stdout)")
  }

  static let wedged = "NVML did not answer within 3 s: the driver may be wedged"

  @Test func fingerprintComesBackWhenNVMLInitNeverReturns() throws {
    let (tree, library) = try Self.fake("hang-all", ["-DFAKE_HANG_ALL=1"])
    defer { withExtendedLifetime(tree) {} }
    let (result, seconds) = try Self.timed(["fingerprint", "--nvml-library", library, "--timeout", "3", "--json"])
    #expect(seconds < 3 + 2, "took \(seconds) s")
    #expect(result.status == 0, "\(result.stderr)")
    let host = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout").identity.host
    #expect(host.nvidia.nvml.status == .unreadable)
    #expect(host.nvidia.nvml.reason == Self.wedged)
    #expect(host.nvidia.nvml.source == "command:rigcheck __probe nvml --nvml-library \(library)")
    #expect(host.kernel.status == .present)
    #expect(host.os.status == .present)
    #expect(host.memory.status == .present)
    #expect(host.pci.status == .present)
    try Self.expectNoHelperLeft(library)
  }

  @Test func doctorFailsWithWhatToDoWhenADeviceQueryHangs() throws {
    let (tree, library) = try Self.fake("hang-name", ["-DFAKE_HANG_NAME=1"])
    defer { withExtendedLifetime(tree) {} }
    let (result, seconds) = try Self.timed(["doctor", "--root", Binary.fixture, "--nvml-library", library, "--timeout", "3"])
    #expect(seconds < 3 + 2, "took \(seconds) s")
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("[✗] driver.nvml"))
    #expect(result.stdout.contains(Self.wedged))
    #expect(result.stdout.contains("nvidia-bug-report.sh"))
    #expect(result.stdout.contains("[✓] driver.kernel-module"), "other facts still judged")
    try Self.expectNoHelperLeft(library)
  }

  @Test func doctorOnThisMachineFailsWhenNVMLHangs() throws {
    let (tree, library) = try Self.fake("hang-all", ["-DFAKE_HANG_ALL=1"])
    defer { withExtendedLifetime(tree) {} }
    let (result, seconds) = try Self.timed(["doctor", "--nvml-library", library, "--timeout", "3", "--format", "json"])
    #expect(seconds < 3 + 2, "took \(seconds) s")
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains(Self.wedged))
    try Self.expectNoHelperLeft(library)
  }

  @Test func aWorkingNVMLStillAnswersThroughTheHelper() throws {
    let (tree, library) = try Self.fake("normal")
    defer { withExtendedLifetime(tree) {} }
    let result = try Binary.run(["fingerprint", "--root", Binary.fixture, "--nvml-library", library, "--timeout", "10", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    let nvml = fingerprint.identity.host.nvidia.nvml
    #expect(nvml.source == "nvml:\(library)")
    let report = try #require(nvml.value, "\(nvml.missingDescription ?? "")")
    #expect(report.driverVersion == "580.159.04")
    #expect(report.cudaDriverVersion == "13.0")
    #expect(report.gpus.map(\.name) == ["NVIDIA H200"])
    #expect(report.gpus.first?.memoryTotalBytes == 143771 * 1_048_576)
    #expect(fingerprint.machine.gpus.map(\.uuid) == ["GPU-5a1e0000-0000-4000-8000-000000000001"])
    #expect(fingerprint.volatile.gpus.map(\.temperatureCelsius) == [42])
    // The helper's own answer, as the parent read it.
    let helper = try Binary.run(["__probe", "nvml", "--nvml-library", library])
    #expect(helper.status == 0, "\(helper.stderr)")
    let tree2 = try JSONSerialization.jsonObject(with: Data(helper.stdout.utf8)) as? [String: Any]
    #expect((tree2?["report"] as? [String: Any])?["status"] as? String == "present")
  }

  @Test func theHelperIsHiddenAndChecksItsArguments() throws {
    let help = try Binary.run(["--help"])
    #expect(help.status == 0)
    #expect(!help.stdout.contains("__probe"))
    let missing = try Binary.run(["__probe", "nvml", "--nvml-library", "/nonexistent/libnvidia-ml.so.1"])
    #expect(missing.status == 0)
    #expect(missing.stdout.contains(#""status":"absent""#))
    #expect(try Binary.run(["__probe", "gpu"]).status == 2)
  }

  /// Should the parent be gone, the helper ends itself a second after its deadline.
  @Test func anOrphanedHelperEndsItself() throws {
    let (tree, library) = try Self.fake("hang-all", ["-DFAKE_HANG_ALL=1"])
    defer { withExtendedLifetime(tree) {} }
    let (result, seconds) = try Self.timed(["__probe", "nvml", "--nvml-library", library, "--deadline", "1"])
    #expect(result.status == SIGALRM, "ended by SIGALRM")
    #expect(seconds < 1 + 1 + 1.5, "took \(seconds) s")
    #expect(result.stdout.isEmpty)
  }
}
