import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// The node under a DaemonSet's `/host`, WSL2, GH200, RHEL, GPU Operator, vfio and CDI hosts:
/// the facts each derived tree must yield.
@Suite struct PlatformProbesTests {
  func fingerprint(_ root: HostRoot, runner: (any CommandRunner)? = nil) async -> Fingerprint {
    await HostFingerprints.probe(root, runner: runner)
  }

  // MARK: The node seen from a DaemonSet pod

  /// `/host/proc/self` is rigcheck in its pod; `/host/proc/1` is the node's init.
  @Test func podViewReadsTheNodesInitNotItsOwnPod() async throws {
    let tree = try FixtureHost.materialize("pod-view")
    let print = await fingerprint(tree.root)
    let host = print.identity.host
    // /host/proc/sys/kernel/hostname answers for the pod's UTS namespace; /host/etc/hostname is the node's.
    #expect(print.machine.hostname.value == "gpu-node-17")
    #expect(print.machine.hostname.source == "file:/etc/hostname")
    let shm = try #require(host.sharedMemory.value)
    // The node's /dev/shm has no size= option: tmpfs's default, half of MemTotal.
    #expect(shm.sizeBytes == 131_981_020 * 1024 / 2)
    #expect(shm.filesystem == "tmpfs")
    #expect(host.sharedMemory.source.hasPrefix("file:/proc/1/mounts,/proc/meminfo"))
    let cgroup = try #require(host.cgroup.value)
    #expect(cgroup == CgroupInfo(version: 2, inContainer: false, containerEvidence: nil, cpuLimitCores: nil, memoryLimitBytes: nil))
    #expect(host.cgroup.source == "file:/sys/fs/cgroup,/proc/1/cgroup")
    #expect(host.platform?.containerViewFacts == [])
  }

  /// Without the node's /proc/1 files, the pod's own view is used and labelled as such.
  @Test func podViewWithoutPID1SaysTheFactsAreTheContainers() async throws {
    let tree = try FixtureHost.materialize("pod-view")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/proc/1/mounts")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/proc/1/cgroup")
    try tree.write("root/proc/1/status", "Name:\tsystemd\nPid:\t1\n")
    let host = await fingerprint(tree.root).identity.host
    #expect(host.sharedMemory.value?.sizeBytes == 64 << 20)
    #expect(host.sharedMemory.source == "file:/proc/self/mounts")
    let cgroup = try #require(host.cgroup.value)
    #expect(cgroup.inContainer)
    #expect(cgroup.cpuLimitCores == "0.2")
    #expect(cgroup.memoryLimitBytes == 128 << 20)
    #expect(host.platform?.containerViewFacts == ["cgroup", "sharedMemory"])
    #expect(tree.root.hasLiveProcfs)
    #expect(!FixtureHost.h200.hasLiveProcfs && !HostRoot().hasLiveProcfs)
  }

  /// A private cgroup namespace (containerd's default on cgroup v2): the pod reads `0::/` for
  /// itself and a path above its namespace root for the node's init.
  @Test func podViewInAPrivateCgroupNamespace() async throws {
    let tree = try FixtureHost.materialize("pod-view")
    try tree.write("root/proc/self/cgroup", "0::/\n")
    try tree.write("root/proc/1/cgroup", "0::/../../../../init.scope\n")
    let cgroup = try #require(await fingerprint(tree.root).identity.host.cgroup.value)
    #expect(cgroup == CgroupInfo(version: 2, inContainer: false, containerEvidence: nil, cpuLimitCores: nil, memoryLimitBytes: nil))
  }

  /// On `/` nothing changes: /proc/self is the view asked about.
  @Test func liveRootKeepsItsOwnView() throws {
    let file = try #require(HostRoot().hostProcessFile("mounts", fallbacks: ["/proc/mounts"]))
    #expect(file.path == "/proc/self/mounts")
    #expect(!file.describesOwnContainer)
    #expect(HostRoot().hostProcessFile("cgroup")?.path == "/proc/self/cgroup")
  }

  /// A capture without /proc/1 keeps its own /proc/self or /proc/mounts: the capture's view.
  @Test func capturedTreesKeepTheCapturedView() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-captured-mounts")
    try tree.write("root/proc/mounts", "tmpfs /dev/shm tmpfs rw,size=16g 0 0\n")
    let file = try #require(tree.root.hostProcessFile("mounts", fallbacks: ["/proc/mounts"]))
    #expect(file.path == "/proc/mounts")
    #expect(!file.describesOwnContainer)
  }

  // MARK: arm64

  /// arm64 cpuinfo (a real Grace block, 72 times) names no model: implementer and part do.
  @Test func gh200CPUIsNamedFromImplementerAndPart() async throws {
    let tree = try FixtureHost.materialize("gh200-aarch64")
    let host = await fingerprint(tree.root).identity.host
    let cpu = try #require(host.cpu.value)
    #expect(cpu.model == "Neoverse V2")
    #expect(cpu.vendor == "ARM")
    #expect(cpu.logicalCores == 72)
    #expect(cpu.mlFlags == ["asimd", "asimddp", "asimdhp", "bf16", "i8mm", "sve", "sve2", "svebf16", "svei8mm"])
    #expect(host.kernel.value?.architecture == "aarch64")
    #expect(host.libc.value == LibcInfo(name: "glibc", version: "2.39"))
    #expect(host.libc.source == "file:/usr/lib/aarch64-linux-gnu/libc.so.6")
    let libraries = try #require(host.platform?.nvidiaLibraries.value)
    #expect(libraries == NvidiaLibraries(
      driverRoot: "/", directory: "/usr/lib/aarch64-linux-gnu", nvml: "/usr/lib/aarch64-linux-gnu/libnvidia-ml.so.1",
      cuda: "/usr/lib/aarch64-linux-gnu/libcuda.so.1", version: "580.159.04"))
    #expect(host.pci.value?.gpus.first?.deviceID == "2342")
    #expect(host.nvidia.nvml.value?.gpus.first?.name == "NVIDIA GH200 480GB")
  }

  @Test(arguments: [
    ("0x41", "0xd4f", "ARM", "Neoverse V2"), ("0x41", "0xd0c", "ARM", "Neoverse N1"), ("0x41", "0xd40", "ARM", "Neoverse V1"),
    ("0x41", "0xd8e", "ARM", "Neoverse N3"), ("0xc0", "0xac3", "Ampere", "AmpereOne"), ("0x48", "0xd01", "HiSilicon", "Kunpeng-920"),
    ("0x46", "0x001", "Fujitsu", "A64FX"), ("0x41", "0xfff", "ARM", "ARM part 0xfff"), ("0x99", "0x123", "implementer 0x99", "implementer 0x99 part 0x123"),
  ])
  func armIDsAreNamedOrKept(implementer: String, part: String, vendor: String, model: String) {
    let named = ARMCPUNames.name(implementer: implementer, part: part)
    #expect(named.vendor == vendor)
    #expect(named.model == model)
  }

  /// A Raspberry Pi's board `Model` line is used only when nothing names the core.
  @Test func boardModelOnlyAsALastResort() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-rpi")
    try tree.write("root/proc/cpuinfo", "processor\t: 0\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")
    let cpu = try #require(SystemProbes.cpu(ProbeContext(root: tree.root, runsCommands: false, environment: [:])).value)
    #expect(cpu.model == "Cortex-A72")
    try tree.write("root/proc/cpuinfo", "processor\t: 0\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")
    #expect(SystemProbes.cpu(ProbeContext(root: tree.root, runsCommands: false, environment: [:])).value?.model == "Raspberry Pi 4 Model B Rev 1.4")
  }

  // MARK: WSL2

  @Test func wsl2IsRecognised() async throws {
    let tree = try FixtureHost.materialize("wsl2")
    let host = await fingerprint(tree.root).identity.host
    #expect(host.platform?.wsl == WSLInfo(version: 2, gpuDevice: "/dev/dxg", evidence: "kernel 5.15.167.4-microsoft-standard-WSL2"))
    let libraries = try #require(host.platform?.nvidiaLibraries.value)
    #expect(libraries.driverRoot == "/usr/lib/wsl")
    #expect(libraries.nvml == "/usr/lib/wsl/lib/libnvidia-ml.so.1")
    #expect(libraries.cuda == "/usr/lib/wsl/lib/libcuda.so.1")
    #expect(libraries.version == nil, "WSL's libnvidia-ml.so.1 is a file, not a versioned link")
    // No NVIDIA GPU on the distribution's PCI bus, but NVML sees the Windows host's.
    #expect(host.pci.value?.gpus.map { "\($0.vendorID):\($0.deviceID) \($0.driver ?? "-")" } == ["1414:008e dxgkrnl"])
    #expect(host.nvidia.kernelModule.status == .absent)
    #expect(host.nvidia.nvml.value?.driverVersion == "576.02")
  }

  @Test func wsl1AndPlainLinux() throws {
    let wsl1 = KernelInfo(release: "4.4.0-19041-Microsoft", version: nil, architecture: "x86_64")
    let context = ProbeContext(root: FixtureHost.h200, runsCommands: false, environment: [:])
    #expect(PlatformProbe.wsl(context, kernel: .present(wsl1, from: "test"))?.version == 1)
    #expect(PlatformProbe.wsl(context, kernel: SystemProbes.kernel(context)) == nil)
  }

  // MARK: Driver libraries and the toolkit on other layouts

  @Test func rhelKeepsLibrariesInLib64() async throws {
    let tree = try FixtureHost.materialize("rhel-lib64")
    let host = await fingerprint(tree.root).identity.host
    #expect(host.os.value?.id == "rhel")
    #expect(host.libc.value == LibcInfo(name: "glibc", version: "2.34"))
    #expect(host.platform?.nvidiaLibraries.value == NvidiaLibraries(
      driverRoot: "/", directory: "/usr/lib64", nvml: "/usr/lib64/libnvidia-ml.so.1", cuda: "/usr/lib64/libcuda.so.1", version: "580.159.04"))
    #expect(host.containerToolkit.nvidiaCTK.value?.path == "/usr/bin/nvidia-ctk")
    #expect(host.containerToolkit.nvidiaContainerCLI.value?.path == "/usr/bin/nvidia-container-cli")
  }

  @Test func gpuOperatorDriverRootAndToolkit() async throws {
    let tree = try FixtureHost.materialize("gpu-operator")
    let host = await fingerprint(tree.root).identity.host
    #expect(host.platform?.nvidiaLibraries.value == NvidiaLibraries(
      driverRoot: "/run/nvidia/driver", directory: "/run/nvidia/driver/usr/lib/x86_64-linux-gnu",
      nvml: "/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
      cuda: "/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libcuda.so.1", version: "580.159.04"))
    #expect(host.containerToolkit.nvidiaCTK.value?.path == "/usr/local/nvidia/toolkit/nvidia-ctk")
    #expect(host.containerToolkit.nvidiaContainerRuntime.value?.path == "/usr/local/nvidia/toolkit/nvidia-container-runtime")
    #expect(host.containerToolkit.nvidiaContainerCLI.value?.path == "/usr/local/nvidia/toolkit/nvidia-container-cli")
  }

  /// The discovered path is the one to dlopen: a real library there loads.
  @Test func discoveredNVMLLoads() async throws {
    let tree = try FixtureHost.materialize("gpu-operator")
    let libraries = try #require(await fingerprint(tree.root).identity.host.platform?.nvidiaLibraries.value)
    let real = tree.root.hostPath(libraries.directory + "/libnvidia-ml.so.580.159.04")
    try FileManager.default.removeItem(atPath: real)
    let built = try await ProcessCommandRunner().run(
      Command("cc", ["-shared", "-fPIC", "-o", real, FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"], timeoutSeconds: 60))
    try #require(built.succeeded, "\(built.stderr)")
    try FileManager.default.removeItem(atPath: tree.root.hostPath(libraries.nvml))
    try FileManager.default.createSymbolicLink(atPath: tree.root.hostPath(libraries.nvml), withDestinationPath: "libnvidia-ml.so.580.159.04")
    #expect(DynamicNVML(libraryPath: tree.root.hostPath(libraries.nvml)).query().report.status == .present)
  }

  @Test func noLibrariesAnywhere() async throws {
    let libraries = try #require(await fingerprint(FixtureHost.h200).identity.host.platform?.nvidiaLibraries)
    #expect(libraries.status == .absent)
    #expect(libraries.reason?.contains("/run/nvidia/driver") == true)
  }

  @Test func searchOrderPrefersTheMachinesArchitectureAndWSL() {
    let arm = NvidiaLibraryProbe.searchOrder(architecture: "aarch64", wsl: false).map(\.directory)
    #expect(arm.first == "/usr/lib/aarch64-linux-gnu")
    #expect(arm.firstIndex(of: "/usr/lib64")! < arm.firstIndex(of: "/run/nvidia/driver/usr/lib/aarch64-linux-gnu")!)
    #expect(NvidiaLibraryProbe.searchOrder(architecture: "x86_64", wsl: true).first?.directory == "/usr/lib/wsl/lib")
    #expect(NvidiaLibraryProbe.searchOrder(architecture: "x86_64", wsl: false).last?.directory == "/usr/lib/wsl/lib")
  }

  // MARK: vfio

  @Test func vfioBoundGPUIsOnTheBusWithoutTheNVIDIADriver() async throws {
    let tree = try FixtureHost.materialize("vfio-bound")
    let host = await fingerprint(tree.root).identity.host
    #expect(host.pci.value?.gpus.map { "\($0.address) \($0.driver ?? "-")" } == ["0000:00:06.0 nvidia", "0000:00:07.0 vfio-pci"])
    #expect(host.nvidia.deviceNodes.value?.contains("/dev/nvidia1") == false)
    #expect(host.nvidia.nvml.value?.gpus.count == 1)
  }

  // MARK: CDI off

  /// docker info's `"CDISpecDirs": null` is "no directories" (CDI off), not "not reported".
  @Test func cdiSpecDirsNullIsEmptyNotMissing() throws {
    let info = try JSONTree.parse(#"{"ServerVersion":"27.5.1","CDISpecDirs":null}"#)
    #expect(ContainerEngineProbe.dockerServer(info: info).cdiSpecDirs == [])
    #expect(ContainerEngineProbe.dockerServer(info: try JSONTree.parse(#"{"ServerVersion":"24.0.7"}"#)).cdiSpecDirs == nil)
    let on = try JSONTree.parse(#"{"ServerVersion":"28.2.2","CDISpecDirs":["/var/run/cdi","/etc/cdi"]}"#)
    #expect(ContainerEngineProbe.dockerServer(info: on).cdiSpecDirs == ["/etc/cdi", "/var/run/cdi"])
  }

  @Test func cdiSpecDirsNullHostFacts() async throws {
    let tree = try FixtureHost.materialize("cdi-spec-dirs-null")
    let host = await fingerprint(tree.root, runner: try HostFingerprints.dockerInfoRunner()).identity.host
    #expect(host.docker.daemon.value?.server?.cdiSpecDirs == [])
    #expect(host.containerToolkit.dockerDaemonConfig.value?.cdiEnabled == nil)
    #expect(host.containerToolkit.cdiSpecs.value?.first?.pinnedDriverVersion == "580.159.04")
  }

  /// daemon.json: `cdi-spec-dirs` naming no directory disables CDI as `features.cdi: false`
  /// does; `null` keeps dockerd's defaults; a docker-info key pasted into daemon.json turns nothing on.
  @Test(arguments: [
    (#"{"features": {"cdi": true}}"#, true as Bool?), (#"{"features": {"cdi": false}}"#, false), (#"{"cdi-spec-dirs": []}"#, false),
    (#"{"cdi-spec-dirs": [""]}"#, false), (#"{"features": {"cdi": true}, "cdi-spec-dirs": [""]}"#, false),
    (#"{"cdi-spec-dirs": null}"#, nil), (#"{"cdi-spec-dirs": ["/etc/cdi"]}"#, nil), (#"{"CDISpecDirs": null}"#, nil),
  ])
  func daemonJSONCDISetting(text: String, expected: Bool?) throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cdi-setting")
    try tree.write("root/etc/docker/daemon.json", text)
    let config = try #require(ContainerToolkitProbe.dockerDaemonConfig(ProbeContext(root: tree.root, runsCommands: false, environment: [:])).value)
    #expect(config.cdiEnabled == expected)
  }

  // MARK: Every new tree differs from the capture

  @Test func derivedPlatformTreesChangeTheIdentity() async throws {
    let base = try await fingerprint(FixtureHost.h200).identityHash()
    for name in ["pod-view", "wsl2", "gh200-aarch64", "vfio-bound", "rhel-lib64", "gpu-operator", "cdi-spec-dirs-null"] {
      let tree = try FixtureHost.materialize(name)
      #expect(try await fingerprint(tree.root).identityHash() != base, "\(name) should not hash like the real capture")
    }
  }
}
