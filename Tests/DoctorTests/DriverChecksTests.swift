import Doctor
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@Suite struct DriverChecksTests {
  /// CUDA 13.1 on R580: minor-version compatibility (a warning, as `compare` and `doctor --image` say).
  @Test func cuda131RunsOnTheH200OnlyUnderMinorVersionCompatibility() async throws {
    let print = await HostFingerprints.probe(FixtureHost.h200)
    let item = try #require(findings("driver.cuda", in: print, options: DoctorOptions(cuda: "13.1")).first)
    #expect(item.severity == .warning)
    #expect(item.message == "driver 580.159.04 runs CUDA 13.1 only under minor-version compatibility (full support from 590.44.01)")
    #expect(item.fix?.contains("590.44.01") == true)
    #expect(severity("driver.cuda", in: print, options: DoctorOptions(cuda: "13.0")) == .ok)
    #expect(severity("driver.cuda", in: print, options: DoctorOptions(cuda: "12.4")) == .ok)
    #expect(!Doctor.report(for: print, options: DoctorOptions(cuda: "13.1")).failed)
    #expect(Doctor.report(for: print, options: DoctorOptions(cuda: "13.1", strict: true)).failed)
  }

  /// CUDA 13.0 on R575 (the derived h200-driver575 host): below the CUDA 13 floor of 580.
  @Test func cuda130IsTooNewForR575() async throws {
    let tree = try FixtureHost.materialize("h200-driver575")
    let print = await HostFingerprints.probe(tree.root)
    let item = try #require(findings("driver.cuda", in: print, options: DoctorOptions(cuda: "13.0")).first)
    #expect(item.severity == .error)
    #expect(item.message == "driver 575.57.08 is too old for CUDA 13.0: minimum driver 580.65.06 (CUDA 13.0 GA)")
    #expect(item.fix?.contains("cuda-compat") == true)
    #expect(Doctor.report(for: print, options: DoctorOptions(cuda: "13.0")).failed)
    #expect(severity("driver.cuda", in: print, options: DoctorOptions(cuda: "12.9")) == .ok)
  }

  @Test func cudaWithoutAnyDriver() async throws {
    let tree = try FixtureHost.materialize("no-driver")
    let item = try #require(findings("driver.cuda", in: await HostFingerprints.probe(tree.root), options: DoctorOptions(cuda: "12.4")).first)
    #expect(item.severity == .error)
    #expect(item.message.contains("none is loaded"))
  }

  @Test func driverLibraryMismatchThroughARealDlopen() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-mismatch")
    let library = tree.path + "/libnvidia-ml.so.1"
    let built = try await ProcessCommandRunner().run(
      Command("cc", ["-shared", "-fPIC", "-DFAKE_INIT_RESULT=18", "-o", library, FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"], timeoutSeconds: 60))
    try #require(built.succeeded, "\(built.stderr)")
    let print = await HostFingerprints.probe(FixtureHost.h200, nvml: DynamicNVML(libraryPath: library))
    let item = try #require(findings("driver.nvml", in: print).first)
    #expect(item.severity == .error)
    #expect(item.message.hasPrefix("Driver/library version mismatch"))
    #expect(item.fix?.contains("reboot") == true)
  }

  @Test func nvmlMissingWhileTheModuleIsLoaded() async throws {
    let tree = try FixtureHost.copyOfCapture()
    // The kernel module is loaded but libnvidia-ml.so.1 is not installed.
    let print = await HostFingerprints.probe(tree.root, nvml: DynamicNVML(libraryPath: "/nonexistent/libnvidia-ml.so.1"))
    let item = try #require(findings("driver.nvml", in: print).first)
    #expect(item.severity == .warning)
    #expect(item.fix?.contains("libnvidia-compute-580") == true)
  }

  @Test func missingDeviceNodes() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/dev/nvidiactl", "")
    try tree.write("root/dev/nvidia0", "")
    // Only /dev/nvidia-uvm missing: created on first CUDA use (nvidia-modprobe), so a warning.
    let item = try #require(findings("driver.device-nodes", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .warning)
    #expect(item.message == "/dev/nvidia-uvm does not exist yet (it is created on the first CUDA call)")
    #expect(item.fix?.contains("nvidia-modprobe -u") == true)
    try tree.write("root/dev/nvidia-uvm", "")
    #expect(severity("driver.device-nodes", in: await HostFingerprints.probe(tree.root)) == .ok)
    // /dev/nvidiactl missing is an error: nothing creates it on demand for CUDA.
    let withoutControl = try FixtureHost.copyOfCapture()
    try withoutControl.write("root/dev/nvidia0", "")
    try withoutControl.write("root/dev/nvidia-uvm", "")
    let control = try #require(findings("driver.device-nodes", in: await HostFingerprints.probe(withoutControl.root)).first)
    #expect(control.severity == .error)
    #expect(control.message == "missing device nodes: /dev/nvidiactl")
  }
}

@Suite struct SystemChecksTests {
  @Test func smallSharedMemoryInAContainer() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/proc/mounts", "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n")
    try tree.write("root/.dockerenv", "")
    try tree.write("root/sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    let item = try #require(findings("system.shm", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .warning)
    #expect(item.message == "/dev/shm is only 64.0 MiB (inside a container)")
    #expect(item.fix?.contains("--ipc=host") == true)
  }

  @Test func largeSharedMemory() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/proc/mounts", "tmpfs /dev/shm tmpfs rw,nosuid,nodev,size=16g 0 0\n")
    #expect(severity("system.shm", in: await HostFingerprints.probe(tree.root)) == .ok)
  }
}
