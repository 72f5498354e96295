import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// The identity hash answers "is this the same environment?": one host in two states, two
/// identical nodes, or one capture read by two machines hash the same; a changed driver, GPU
/// model, CUDA, kernel or package set does not.
@Suite struct IdentityPlacementTests {
  func fingerprint(_ root: HostRoot, pciIDs: String? = nil, nvml: (any NVMLSource)? = nil) async -> Fingerprint {
    let context = ProbeContext(
      root: root, runsCommands: false, nvml: nvml ?? DefaultNVMLSource(root: root), environment: [:], pciIDsPath: pciIDs)
    return await HostProber(context: context, toolVersion: "test").fingerprint()
  }

  // MARK: the same environment hashes the same

  /// `h200-idle`: the capture's host after a reboot, idle: link at 2.5 GT/s x16, cooler GPU,
  /// more free memory, `nvidia_uvm` not loaded yet.
  @Test func idleHostHashesLikeTheCapture() async throws {
    let captured = await fingerprint(FixtureHost.h200)
    let tree = try FixtureHost.materialize("h200-idle")
    let idle = await fingerprint(tree.root)
    #expect(try idle.identityHash() == captured.identityHash())
    #expect(try CanonicalJSON.encode(idle.identity) == CanonicalJSON.encode(captured.identity), "the identity is the same, provenance included")

    // The readings did change, and are kept.
    let address = "0000:00:06.0"
    #expect(idle.pciReadings(at: address)?.currentLinkSpeed == "2.5 GT/s PCIe")
    #expect(idle.pciReadings(at: address)?.currentLinkWidth == 16)
    #expect(captured.pciReadings(at: address)?.currentLinkSpeed == "32.0 GT/s PCIe")
    #expect(idle.identity.host.pci.value?.gpus.first?.link == PCIeLink(maxSpeed: "32.0 GT/s PCIe", maxWidth: 16))
    #expect(idle.gpuReadings(at: address)?.temperatureCelsius == 31)
    #expect(captured.gpuReadings(at: address)?.temperatureCelsius == 42)
    #expect(idle.gpuReadings(at: address)?.pcieLink == GPULinkReading(currentGeneration: 1, maxGeneration: 5, currentWidth: 16, maxWidth: 16))
    #expect(idle.gpuReadings(at: address)?.utilizationPercent == 0)
    #expect(idle.volatile.memoryAvailableBytes == 131_702_508 * 1024)
    #expect(captured.volatile.memoryAvailableBytes == 131_487_272 * 1024)
    #expect(idle.volatile.nvidiaOnDemand?.loadedModules == [])
    #expect(captured.volatile.nvidiaOnDemand?.loadedModules == ["nvidia_uvm"])
  }

  /// The same host under load: busy, hot, GPU memory in use.
  @Test func busyHostHashesLikeTheCapture() async throws {
    let base = try await fingerprint(FixtureHost.h200).identityHash()
    let tree = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(tree, "captured/nvidia-smi-q.xml") {
      $0.replacing("<gpu_util>0 %</gpu_util>", with: "<gpu_util>97 %</gpu_util>")
        .replacing("<used>0 MiB</used>\n\t\t\t<free>143156 MiB</free>", with: "<used>80112 MiB</used>\n\t\t\t<free>63044 MiB</free>")
        .replacing("<gpu_temp>42 C</gpu_temp>", with: "<gpu_temp>71 C</gpu_temp>")
    }
    let busy = await fingerprint(tree.root)
    #expect(try busy.identityHash() == base)
    let readings = try #require(busy.volatile.gpus.first)
    #expect(readings.utilizationPercent == 97)
    #expect(readings.memoryUsedBytes == 80112 * 1_048_576)
    #expect(readings.temperatureCelsius == 71)
  }

  /// Names and the database version belong to the machine that reads the tree: another
  /// pci.ids (here a copy of this machine's `/usr/share/misc/pci.ids` edited at test time: a
  /// newer `Version:`, the vendor renamed, the H200's device id added), or none at all, does
  /// not change the hash.
  @Test func pciIDsOfTheReaderDoNotMoveTheHash() async throws {
    let system = "/usr/share/misc/pci.ids"
    let original = try String(contentsOfFile: system, encoding: .utf8)
    let version = try #require(PCIProbe.pciIDsVersion(HostRoot(), path: system))
    #expect(original.contains("10de  NVIDIA Corporation\n"))
    let edited = original
      .replacing("#\tVersion: \(version)\n", with: "#\tVersion: 2099.12.31\n", maxReplacements: 1)
      .replacing("10de  NVIDIA Corporation\n", with: "10de  NVIDIA Corp. (renamed)\n\t2335  GH100 [H200 SXM 141GB]\n", maxReplacements: 1)
    let tree = try TemporaryTree(prefix: "rigcheck-pciids")
    try tree.write("pci.ids", edited)

    let withSystem = await fingerprint(FixtureHost.h200, pciIDs: system)
    let withEdited = await fingerprint(FixtureHost.h200, pciIDs: tree.path + "/pci.ids")
    let withNone = await fingerprint(FixtureHost.h200, pciIDs: tree.path + "/no-such-pci.ids")
    #expect(try withEdited.identityHash() == withSystem.identityHash())
    #expect(try withNone.identityHash() == withSystem.identityHash())

    // The names differ, and say which database they came from.
    #expect(withSystem.volatile.pci?.database?.version == version)
    #expect(withEdited.volatile.pci?.database == PCIDatabase(path: tree.path + "/pci.ids", version: "2099.12.31"))
    #expect(withNone.volatile.pci?.database == nil)
    let address = "0000:00:06.0"
    #expect(withSystem.pciReadings(at: address)?.vendorName == "NVIDIA Corporation")
    #expect(withEdited.pciReadings(at: address)?.vendorName == "NVIDIA Corp. (renamed)")
    #expect(withEdited.pciReadings(at: address)?.deviceName == "GH100 [H200 SXM 141GB]")
    #expect(withNone.pciReadings(at: address)?.vendorName == nil)
    #expect(withNone.volatile.pci?.devicesScanned == 7)
  }

  /// One capture read from two places: no identity value names the tree's location (the
  /// generator block does); where a reason does (NVML not probed), it is provenance, not hashed.
  @Test func aCaptureReadFromAnotherPlaceHashesTheSame() async throws {
    let first = try FixtureHost.materialize("cdi-only")
    let second = try FixtureHost.materialize("cdi-only")
    for tree in [first, second] { try FileManager.default.removeItem(atPath: tree.rootPath + "/captured/nvidia-smi-q.xml") }
    let one = await fingerprint(first.root)
    let other = await fingerprint(second.root)
    #expect(one.generator.root == first.rootPath)
    #expect(one.generator.root != other.generator.root)
    #expect(one.identity.host.nvidia.nvml.reason?.contains(first.rootPath) == true, "the reason says which tree was read")
    #expect(one.identity.host.containerToolkit.nvidiaCTK.value?.versionProblem?.contains("captured tree") == true)
    let encoder = JSONEncoder()
    encoder.userInfo[CanonicalJSON.omitsProvenance] = true
    let values = String(decoding: try encoder.encode(one.identity), as: UTF8.self)
    #expect(!values.contains(first.rootPath), "no identity value names the tree's location")
    #expect(!values.contains("\"source\""))
    #expect(try one.identityHash() == other.identityHash())
  }

  /// Two identical nodes: different hostnames, GPU UUIDs and serials, CDI names by UUID, and
  /// kernels that reserve slightly different amounts of memory.
  @Test func identicalNodesHashTheSame() async throws {
    let first = try FixtureHost.materialize("cdi-only")
    let second = try FixtureHost.materialize("cdi-only")
    try first.write("root/etc/hostname", "gpu-node-1\n")
    try second.write("root/etc/hostname", "gpu-node-2\n")
    let otherUUID = "GPU-9c0b0000-0000-4000-8000-00000000beef"
    for file in ["captured/nvidia-smi-q.xml", "etc/cdi/nvidia.yaml"] {
      try HostFingerprints.edit(second, file) {
        $0.replacing("GPU-5a1e0000-0000-4000-8000-000000000001", with: otherUUID).replacing("<serial>0000000000000</serial>", with: "<serial>1654021000042</serial>")
      }
    }
    try HostFingerprints.edit(second, "proc/meminfo") { $0.replacing("MemTotal:       131981020 kB", with: "MemTotal:       131612344 kB") }

    let one = await fingerprint(first.root)
    let other = await fingerprint(second.root)
    #expect(try one.identityHash() == other.identityHash())

    #expect(one.machine.hostname.value == "gpu-node-1")
    #expect(other.machine.hostname.value == "gpu-node-2")
    #expect(other.machine.gpus.first?.uuid == otherUUID)
    #expect(other.machine.gpus.first?.serial == "1654021000042")
    #expect(one.machine.cdiDevices == [CDIDeviceUUIDs(path: "/etc/cdi/nvidia.yaml", names: ["GPU-5a1e0000-0000-4000-8000-000000000001"])])
    #expect(other.machine.cdiDevices == [CDIDeviceUUIDs(path: "/etc/cdi/nvidia.yaml", names: [otherUUID])])
    let spec = try #require(one.identity.host.containerToolkit.cdiSpecs.value?.first)
    #expect(spec.devices == ["0", "all"])
    #expect(spec.uuidNamedDevices == 1)
    #expect(one.identity.host.memory.value?.nominalBytes == 128 << 30)
    #expect(other.identity.host.memory.value?.nominalBytes == 128 << 30)
    #expect(one.volatile.memoryTotalBytes == 131_981_020 * 1024)
    #expect(other.volatile.memoryTotalBytes == 131_612_344 * 1024)
  }

  /// `/dev/nvidia-uvm`, `/dev/nvidia-uvm-tools`, `/dev/nvidia-modeset` and `/dev/nvidia-caps/*`
  /// appear on first use; `/dev/nvidiactl` and `/dev/nvidiaN` are the driver's for its GPUs.
  @Test func nodesCreatedOnFirstUseDoNotMoveTheHash() async throws {
    let used = try FixtureHost.copyOfCapture()
    for node in ["nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "nvidia-caps/nvidia-cap1", "nvidia-caps/nvidia-cap2"] {
      try used.write("root/dev/\(node)", "")
    }
    for (link, node) in [("195:0", "nvidia0"), ("195:255", "nvidiactl"), ("508:0", "nvidia-uvm"), ("508:1", "nvidia-uvm-tools")] {
      try used.write("root/dev/char/\(link)", "../\(node)")
    }
    let fresh = try FixtureHost.copyOfCapture()
    for node in ["nvidia0", "nvidiactl"] { try fresh.write("root/dev/\(node)", "") }
    for (link, node) in [("195:0", "nvidia0"), ("195:255", "nvidiactl")] { try fresh.write("root/dev/char/\(link)", "../\(node)") }

    let afterUse = await fingerprint(used.root)
    let beforeUse = await fingerprint(fresh.root)
    #expect(try afterUse.identityHash() == beforeUse.identityHash())
    #expect(afterUse.identity.host.nvidia.deviceNodes.value == ["/dev/nvidia0", "/dev/nvidiactl"])
    #expect(afterUse.identity.host.nvidia.devCharLinks.value == ["/dev/nvidia0", "/dev/nvidiactl"])
    #expect(
      afterUse.volatile.nvidiaOnDemand?.deviceNodes
        == ["/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap2", "/dev/nvidia-modeset", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"])
    #expect(afterUse.volatile.nvidiaOnDemand?.devCharLinks == ["/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"])
    #expect(beforeUse.volatile.nvidiaOnDemand?.deviceNodes == [])
    #expect(afterUse.nvidiaDeviceNodesPresent.value?.contains("/dev/nvidia-uvm") == true, "still readable in one place")

    // A GPU's own node missing is a different environment (a container given fewer GPUs).
    let partial = try FixtureHost.copyOfCapture()
    try partial.write("root/dev/nvidiactl", "")
    #expect(try await fingerprint(partial.root).identityHash() != beforeUse.identityHash())
  }

  // MARK: a changed environment hashes differently

  @Test func driverGPUModelCUDAAndKernelChangeTheHash() async throws {
    let base = try await fingerprint(FixtureHost.h200).identityHash()
    for name in ["h200-driver575", "rtx5090"] {
      let tree = try FixtureHost.materialize(name)
      #expect(try await fingerprint(tree.root).identityHash() != base, "\(name)")
    }
    let cuda = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(cuda, "captured/nvidia-smi-q.xml") { $0.replacing("<cuda_version>13.0</cuda_version>", with: "<cuda_version>12.9</cuda_version>") }
    #expect(await fingerprint(cuda.root).identity.host.nvidia.nvml.value?.cudaDriverVersion == "12.9")
    #expect(try await fingerprint(cuda.root).identityHash() != base, "the CUDA version the driver supports")
    let kernel = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(kernel, "proc/version") { $0.replacing("6.18.44-fc-v657-gpu", with: "6.18.45-fc-v658-gpu") }
    #expect(try await fingerprint(kernel.root).identityHash() != base, "the kernel")
    let memory = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(memory, "proc/meminfo") { $0.replacing("MemTotal:       131981020 kB", with: "MemTotal:       263962040 kB") }
    #expect(try await fingerprint(memory.root).identityHash() != base, "twice the memory")
  }

  @Test func imageCUDACuDNNAndPackagesChangeTheHash() async throws {
    var print = await fingerprint(FixtureHost.h200)
    print.identity.images = [Self.torchImage()]
    let base = try print.identityHash()

    var readAgain = print
    readAgain.identity.images = [Self.torchImage()]
    #expect(try readAgain.identityHash() == base)

    var cuda = print
    cuda.identity.images[0].cuda.toolkit = [VersionSighting(version: "12.6.3", source: "/usr/local/cuda/version.json")]
    #expect(try cuda.identityHash() != base, "CUDA")

    var cudnn = print
    cudnn.identity.images[0].cudnn = [VersionSighting(version: "9.5.1", source: "pip:nvidia-cudnn-cu12")]
    #expect(try cudnn.identityHash() != base, "cuDNN")

    var upgraded = print
    upgraded.identity.images[0].python.value?.packages = [Package(name: "numpy", version: "2.1.3"), Package(name: "torch", version: "2.5.1")]
    #expect(try upgraded.identityHash() != base, "a package version")

    var added = print
    added.identity.images[0].python.value?.packages.append(Package(name: "triton", version: "3.1.0"))
    #expect(try added.identityHash() != base, "a package added")
  }

  static func torchImage() -> ImageFacts {
    ImageFacts(
      reference: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", runtime: "docker",
      config: .present(
        ImageConfig(id: "sha256:5b6a", digests: [], labels: [:], environment: ["CUDA_VERSION": "12.4.1"], architecture: "amd64", os: "linux"),
        from: "command:docker image inspect"),
      os: .present(OSRelease(id: "ubuntu", versionID: "22.04", prettyName: "Ubuntu 22.04.5 LTS", versionCodename: "jammy", idLike: ["debian"]), from: "file:/etc/os-release"),
      architecture: "x86_64", libc: .present(LibcInfo(name: "glibc", version: "2.35"), from: "command:ldd --version"),
      python: .present(
        PythonEnvironment(
          interpreters: ["/opt/conda/bin/python3"], defaultInterpreter: "/opt/conda/bin/python3", version: "3.11.10",
          executable: "/opt/conda/bin/python3", virtualenv: nil, condaPrefix: "/opt/conda",
          packages: [Package(name: "numpy", version: "2.1.3"), Package(name: "torch", version: "2.5.1+cu124")]),
        from: "command:python3"),
      condaPackages: [],
      cuda: CUDAToolkitFacts(toolkit: [VersionSighting(version: "12.4.1", source: "env:CUDA_VERSION")], runtime: []),
      cudnn: [VersionSighting(version: "9.1.0", source: "pip:nvidia-cudnn-cu12")], nccl: [],
      frameworks: [], notes: [])
  }
}
