import Doctor
import Fingerprint
import Probes
import Reporting
import TestSupport
import Testing

/// `driver.nvml` on a host whose NVML never answered: an error that says what to do.
@Suite struct NVMLDeadlineCheckTests {
  /// NVML as a helper whose run timed out (the runner's own error for a killed command).
  static func timedOutNVML(seconds: Double = 3) -> IsolatedNVML {
    let runner = ReplayRunner(
      ["rigcheck __probe nvml --deadline \(CommandError.format(seconds))": .failure(.timedOut(command: "rigcheck __probe nvml", seconds: seconds))])
    return IsolatedNVML(helper: NVMLHelper(executable: "/usr/bin/rigcheck"), runner: runner, timeoutSeconds: seconds)
  }

  @Test func aWedgedDriverIsAnErrorWithWhatToDo() async throws {
    let print = await HostFingerprints.probe(FixtureHost.h200, nvml: Self.timedOutNVML())
    let item = try #require(findings("driver.nvml", in: print).first)
    #expect(item.severity == .error)
    #expect(item.message == "NVML did not answer within 3 s: the driver may be wedged")
    let fix = try #require(item.fix)
    for step in ["dmesg", "NVRM|Xid", "nvidia-smi", "nvidia-smi -r", "reboot", "nvidia-bug-report.sh"] {
      #expect(fix.contains(step), "fix lacks \(step): \(fix)")
    }
    #expect(item.why?.contains("hang") == true)
    #expect(item.evidence.contains { $0.contains("command:rigcheck __probe nvml") })
    #expect(Doctor.report(for: print, options: DoctorOptions()).failed)
    // Every other fact is still there and judged.
    #expect(severity("driver.kernel-module", in: print) == .ok)
  }

  /// Without a readable kernel module a hung NVML is still an error: something hangs.
  @Test func aHangIsAnErrorEvenWithoutTheModule() async throws {
    let tree = try FixtureHost.materialize("no-driver")
    let print = await HostFingerprints.probe(tree.root, nvml: Self.timedOutNVML(seconds: 2.5))
    let item = try #require(findings("driver.nvml", in: print).first)
    #expect(item.severity == .error)
    #expect(item.message == "NVML did not answer within 2.5 s: the driver may be wedged")
    #expect(Doctor.report(for: print, options: DoctorOptions()).failed)
  }

  /// The doctor's prefix is the probe's wording.
  @Test func theDoctorReadsTheProbesWording() {
    #expect(IsolatedNVML.timedOutReason(3).hasPrefix("NVML did not answer within"))
  }
}
