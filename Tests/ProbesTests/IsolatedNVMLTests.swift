import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// NVML under a deadline: the helper child's answers, its failures, and a helper (or runner)
/// that never comes back.
@Suite struct IsolatedNVMLTests {
  static let helper = NVMLHelper(executable: "/opt/rigcheck/bin/rigcheck")
  static let answer = NVMLQuery(
    report: .present(
      NVMLReport(
        driverVersion: "580.159.04", cudaDriverVersion: "13.0",
        gpus: [
          NVMLDevice(
            pciAddress: "0000:00:06.0", name: "NVIDIA H200", brand: "NVIDIA", memoryTotalBytes: 143771 * 1_048_576,
            computeCapability: "9.0", computeCapabilitySource: nil, persistenceMode: true, migMode: false)
        ]),
      from: "nvml:libnvidia-ml.so.1"),
    serials: [GPUSerials(pciAddress: "0000:00:06.0", uuid: "GPU-5a1e0000-0000-4000-8000-000000000001", serial: "0000000000000")],
    readings: [
      GPUReadings(
        pciAddress: "0000:00:06.0", temperatureCelsius: 42, memoryUsedBytes: 616 * 1_048_576, uncorrectableECCErrors: 0,
        retiredPagesPending: false, remappedRowsPending: false, remappingFailed: nil)
    ])

  /// Queries on a thread of its own, as ``HostProber`` does (never blocking the test's pool),
  /// timing the query there: how long the caller's thread was blocked.
  func query(_ source: any NVMLSource) async -> (NVMLQuery, seconds: Double) {
    await Platform.onNewThread {
      let start = ContinuousClock.now
      let result = source.query()
      let elapsed = ContinuousClock.now - start
      return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
  }

  func replaying(_ response: Result<CommandResult, CommandError>, library: String? = nil, timeout: Double = 3) -> (IsolatedNVML, ReplayRunner) {
    let runner = ReplayRunner(
      ["rigcheck __probe nvml" + (library.map { " --nvml-library \($0)" } ?? "") + " --deadline \(CommandError.format(timeout))": response])
    return (IsolatedNVML(libraryPath: library, helper: Self.helper, runner: runner, timeoutSeconds: timeout), runner)
  }

  @Test func theHelpersCommandLineCarriesTheLibraryAndTheDeadline() {
    let source = IsolatedNVML(libraryPath: "/x/libnvidia-ml.so.1", helper: Self.helper, runner: ReplayRunner([:]), timeoutSeconds: 2.5)
    #expect(
      source.command
        == Command(
          "/opt/rigcheck/bin/rigcheck", ["__probe", "nvml", "--nvml-library", "/x/libnvidia-ml.so.1", "--deadline", "2.5"], timeoutSeconds: 2.5))
    #expect(source.source == "command:rigcheck __probe nvml --nvml-library /x/libnvidia-ml.so.1")
    #expect(IsolatedNVML(helper: nil, runner: ReplayRunner([:]), timeoutSeconds: 1).command == nil)
  }

  @Test func theHelpersJSONIsTheAnswer() async throws {
    let text = try IsolatedNVML.encode(Self.answer)
    #expect(text.hasSuffix("}\n") && !text.dropLast().contains("\n"), "one line")
    let (source, runner) = replaying(.output(text))
    let (query, _) = await query(source)
    #expect(query == Self.answer)
    #expect(runner.unexpected == [])
  }

  @Test func aTimeoutIsReportedAsAWedgedDriver() async {
    let (source, _) = replaying(.failure(.timedOut(command: "rigcheck __probe nvml", seconds: 3)))
    let (query, _) = await query(source)
    #expect(query.report.status == .unreadable)
    #expect(query.report.reason == "NVML did not answer within 3 s: the driver may be wedged")
    #expect(query.report.source == "command:rigcheck __probe nvml")
    #expect(query.serials.isEmpty && query.readings.isEmpty)
  }

  @Test func theHelpersFailuresAreUnreadableWithTheReason() async {
    let (crashed, _) = replaying(.success(CommandResult(exitCode: nil, signal: 11, stdout: "", stderr: "")))
    #expect(await query(crashed).0.report.reason == "NVML crashed the helper process (signal 11): the driver may be broken")
    let (alarm, _) = replaying(.success(CommandResult(exitCode: nil, signal: SIGALRM, stdout: "", stderr: "")))
    #expect(await query(alarm).0.report.reason?.hasPrefix("NVML did not answer within 3 s") == true)
    let (failed, _) = replaying(.output("", stderr: "warning\nError: unknown option '--deadline'\n", exit: 2))
    #expect(await query(failed).0.report.reason == "the NVML helper exited with status 2: Error: unknown option '--deadline'")
    let (garbage, _) = replaying(.output("Segmentation fault\n"))
    let garbled = await query(garbage).0.report
    #expect(garbled.status == .unreadable)
    #expect(garbled.reason?.hasPrefix("the NVML helper printed no NVML answer: malformed JSON") == true)
    let (missing, _) = replaying(.failure(.notFound(executable: "/opt/rigcheck/bin/rigcheck")))
    #expect(await query(missing).0.report.reason?.hasPrefix("the NVML helper could not run: ") == true)
  }

  /// A real child that never answers: killed with its process group at the deadline.
  @Test func aHelperThatNeverAnswersIsKilledAtTheDeadline() async throws {
    let marker = "600.\(UInt32.random(in: 100_000...999_999))"
    let helper = NVMLHelper(executable: "/bin/sh", arguments: ["-c", "sleep \(marker); echo late", "sh"])
    let source = IsolatedNVML(helper: helper, runner: ProcessCommandRunner(), timeoutSeconds: 1)
    let (query, seconds) = await query(source)
    #expect(query.report.reason == "NVML did not answer within 1 s: the driver may be wedged")
    #expect(seconds < 2.5, "took \(seconds) s")
    let left = try await ProcessCommandRunner().run(Command("pgrep", ["-f", "sleep \(marker)"], timeoutSeconds: 5))
    #expect(left.exitCode == 1, "left running: \(left.stdout)")
  }

  /// A runner that does not come back at all (a child stuck in the kernel cannot be reaped):
  /// the caller still gets its answer a grace second after the deadline.
  @Test func aRunnerThatNeverReturnsIsNotWaitedFor() async {
    struct StuckRunner: CommandRunner {
      func run(_ command: Command) async throws -> CommandResult {
        try await Task.sleep(for: .seconds(60))
        return CommandResult(exitCode: 0, stdout: "", stderr: "")
      }
    }
    let source = IsolatedNVML(helper: Self.helper, runner: StuckRunner(), timeoutSeconds: 1)
    let (query, seconds) = await query(source)
    #expect(query.report.reason == "NVML did not answer within 1 s: the driver may be wedged")
    #expect(seconds >= 1 && seconds < 1 + IsolatedNVML.graceSeconds + 1, "took \(seconds) s")
  }

  @Test func inProcessWithoutAHelperStillHasADeadline() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-nvml-inprocess")
    defer { withExtendedLifetime(tree) {} }
    let normal = try await FakeNVML.build(in: tree, name: "normal")
    let (answered, _) = await query(IsolatedNVML(libraryPath: normal, helper: nil, runner: ReplayRunner([:]), timeoutSeconds: 5))
    #expect(answered == DynamicNVML(libraryPath: normal).query())
    // The hung thread is abandoned (it stays blocked in the fake for the rest of the test run).
    let hung = try await FakeNVML.build(in: tree, name: "hang-all", defines: ["-DFAKE_HANG_ALL=1"])
    let (query, seconds) = await query(IsolatedNVML(libraryPath: hung, helper: nil, runner: ReplayRunner([:]), timeoutSeconds: 1))
    #expect(query.report.reason == "NVML did not answer within 1 s: the driver may be wedged")
    #expect(query.report.source == "nvml:\(hung)")
    #expect(seconds < 2, "took \(seconds) s")
  }

  @Test func noHelperIsStartedWithoutADriver() async throws {
    let runner = ReplayRunner([:])
    let isolated = IsolatedNVML(helper: Self.helper, runner: runner, timeoutSeconds: 3)
    let live = DefaultNVMLSource(root: HostRoot(), live: isolated)
    if !DefaultNVMLSource.driverMarkers.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
      let (query, _) = await query(live)
      #expect(query.report.status == .absent)
      #expect(query.report.reason == "not probed: no NVIDIA driver is loaded (neither /proc/driver/nvidia/version nor /dev/nvidiactl exists)")
      #expect(runner.commands == [])
    }
    // A captured tree answers from its nvidia-smi report, never from this machine's NVML.
    let (captured, _) = await query(DefaultNVMLSource(root: FixtureHost.h200, live: isolated))
    #expect(captured.report.value?.driverVersion == "580.159.04")
    #expect(runner.commands == [])
  }

  @Test func theContextWiresTheDefaultLibraryBehindTheDriverCheck() throws {
    let context = ProbeContext(root: FixtureHost.h200, runner: ReplayRunner([:]), runsCommands: false, environment: [:], commandTimeout: 4)
    let gated = try #require(context.deadlineNVML(helper: Self.helper) as? DefaultNVMLSource)
    #expect(gated.live?.timeoutSeconds == 4)
    #expect(gated.live?.libraryPath == nil)
    let named = try #require(context.deadlineNVML(helper: Self.helper, libraryPath: "/x/lib.so") as? IsolatedNVML)
    #expect(named.command?.arguments == ["__probe", "nvml", "--nvml-library", "/x/lib.so", "--deadline", "4"])
  }

  @Test func thisProcessCanFindItself() throws {
    let helper = try #require(NVMLHelper.currentExecutable())
    #expect(helper.executable.hasPrefix("/"))
    #expect(access(helper.executable, X_OK) == 0)
    #expect(helper.arguments == ["__probe", "nvml"])
  }

  /// The prober gets every other fact while NVML hangs.
  @Test func theProberReportsEverythingElseWhileNVMLHangs() async {
    let helper = NVMLHelper(executable: "/bin/sh", arguments: ["-c", "sleep 600.\(UInt32.random(in: 100_000...999_999))", "sh"])
    // (How long the whole probe takes is measured end to end, in a process of its own, by
    // NVMLDeadlineCommandTests: here the test process's busy pool would be timed as well.)
    let print = await HostFingerprints.probe(FixtureHost.h200, nvml: IsolatedNVML(helper: helper, runner: ProcessCommandRunner(), timeoutSeconds: 1))
    let host = print.identity.host
    #expect(host.nvidia.nvml.reason == "NVML did not answer within 1 s: the driver may be wedged")
    #expect(host.nvidia.kernelModule.value?.version == "580.159.04")
    #expect(host.pci.value?.gpus.first?.deviceID == "2335")
    #expect(host.os.status == .present)
  }
}

/// The fake libnvidia-ml.so.1, compiled with the real C compiler.
enum FakeNVML {
  static let source = FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"

  static func build(in tree: TemporaryTree, name: String, defines: [String] = []) async throws -> String {
    let directory = tree.path + "/" + name
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let output = directory + "/libnvidia-ml.so.1"
    let result = try await ProcessCommandRunner().run(Command("cc", ["-shared", "-fPIC", "-o", output, source] + defines, timeoutSeconds: 60))
    try #require(result.succeeded, "cc failed: \(result.stderr)")
    return output
  }
}
