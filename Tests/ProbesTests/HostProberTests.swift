import Fingerprint
import TestSupport
import Testing

@testable import Probes

@Suite struct HostProberTests {
  func fingerprint(_ root: HostRoot) async -> Fingerprint {
    let context = ProbeContext(root: root, runsCommands: false, environment: [:])
    return await HostProber(context: context, toolVersion: "test").fingerprint()
  }

  /// The facts the foundation issue names for the real H200 capture.
  @Test func realH200Capture() async throws {
    let print = await fingerprint(FixtureHost.h200)
    let host = print.identity.host
    #expect(host.nvidia.kernelModule.value?.version == "580.159.04")
    #expect(host.nvidia.kernelModule.value?.flavour == .open)
    let gpu = try #require(host.pci.value?.gpus.first)
    #expect(host.pci.value?.gpus.count == 1)
    #expect("\(gpu.vendorID):\(gpu.deviceID)" == "10de:2335")
    #expect(gpu.address == "0000:00:06.0")
    #expect(gpu.driver == "nvidia")
    #expect(gpu.link == PCIeLink(maxSpeed: "32.0 GT/s PCIe", maxWidth: 16))
    #expect(print.pciReadings(at: gpu.address)?.currentLinkSpeed == "32.0 GT/s PCIe")
    #expect(print.pciReadings(at: gpu.address)?.currentLinkWidth == 16)
    #expect(host.memory.value?.nominalBytes == 128 << 30, "MemTotal 131981020 kB (125.9 GiB) is a 128 GiB machine")
    #expect(print.volatile.memoryTotalBytes == 131_981_020 * 1024)
    // nvidia_uvm is loaded by the first CUDA program: a reading, not the identity.
    #expect(host.nvidia.loadedModules.value == ["nvidia"])
    #expect(print.volatile.nvidiaOnDemand?.loadedModules == ["nvidia_uvm"])
    #expect(host.os.value?.prettyName == "Ubuntu 24.04.3 LTS")
    #expect(host.kernel.value?.release == "6.18.44-fc-v657-gpu")
    let nvml = try #require(host.nvidia.nvml.value)
    #expect(nvml.driverVersion == "580.159.04")
    #expect(nvml.cudaDriverVersion == "13.0")
    #expect(nvml.gpus.map(\.pciAddress) == host.pci.value?.gpus.map(\.address), "NVML and libpci agree on the GPU")
    #expect(print.machine.gpus.first?.uuid == "GPU-5a1e0000-0000-4000-8000-000000000001")
    #expect(print.generator.root == FixtureHost.h200Path)
    // Commands would describe this machine, so they are not run against a capture.
    #expect(host.docker.cli.status == .absent)
  }

  @Test func equalEnvironmentsEncodeIdentically() async throws {
    let first = await fingerprint(FixtureHost.h200)
    let second = await fingerprint(FixtureHost.h200)
    #expect(try CanonicalJSON.encode(first.identity) == CanonicalJSON.encode(second.identity))
    #expect(try first.identityHash() == second.identityHash())
  }

  @Test func derivedHostsChangeTheIdentity() async throws {
    let base = try await fingerprint(FixtureHost.h200).identityHash()
    for name in ["no-driver", "nouveau-bound", "two-gpus", "cdi-only", "docker-no-nvidia-runtime"] {
      let tree = try FixtureHost.materialize(name)
      let derived = await fingerprint(tree.root)
      #expect(try derived.identityHash() != base, "\(name) should not hash like the real capture")
    }
  }

  @Test func noDriverHostStillReportsEverythingElse() async throws {
    let tree = try FixtureHost.materialize("no-driver")
    let print = await fingerprint(tree.root)
    let host = print.identity.host
    #expect(host.nvidia.kernelModule.status == .absent)
    #expect(host.nvidia.nvml.status == .absent)
    #expect(host.pci.value?.gpus.first?.driver == nil)
    #expect(host.os.value?.id == "ubuntu")
    #expect(host.memory.value?.nominalBytes == 128 << 30)
  }

  @Test func thisMachine() async throws {
    let context = ProbeContext(environment: ProcessEnvironment.current())
    let print = await HostProber(context: context, toolVersion: "test").fingerprint()
    let host = print.identity.host
    #expect(host.kernel.status == .present)
    #expect(host.os.status == .present)
    #expect(host.memory.status == .present)
    #expect(host.pci.status == .present)
    // The NVML fact is either present or says why not; never silently empty.
    if host.nvidia.nvml.status != .present {
      #expect(host.nvidia.nvml.reason?.isEmpty == false)
    }
    #expect(host.docker.cli.status == .present || host.docker.cli.reason?.contains("docker is not installed") == true)
    #expect(print.volatile.capturedAt.hasSuffix("Z"))
  }
}

@Suite struct HostRootTests {
  @Test func mapsAbsolutePathsUnderTheRoot() {
    let root = HostRoot("/srv/capture/")
    #expect(root.path == "/srv/capture")
    #expect(root.hostPath("/proc/version") == "/srv/capture/proc/version")
    #expect(!root.isLive)
    #expect(HostRoot().hostPath("/proc/version") == "/proc/version")
    #expect(HostRoot("/").isLive)
  }

  @Test func flattenedAndRealLinks() throws {
    let root = FixtureHost.h200
    #expect(root.resolveLink("/sys/bus/pci/devices/0000:00:06.0") == "/sys/devices/pci0000:00/0000:00:06.0")
    #expect(root.resolveLink("/sys/devices/pci0000:00/0000:00:06.0/driver") == "/sys/bus/pci/drivers/nvidia")
    #expect(root.resolveLink("/etc/os-release") == nil, "an ordinary file is not a link")
    if let first = try HostRoot().list("/sys/bus/pci/devices").first {
      #expect(HostRoot().resolveLink("/sys/bus/pci/devices/\(first)")?.hasPrefix("/sys/devices/") == true)
    }
  }

  @Test func readErrorsAreDistinguished() throws {
    let root = FixtureHost.h200
    #expect(throws: FileReadError.notFound(path: "/nope")) { try root.read("/nope") }
    #expect(throws: FileReadError.tooLarge(path: "/proc/meminfo", limit: 10)) { try root.read("/proc/meminfo", limit: 10) }
  }

  @Test func normalization() {
    #expect(HostRoot.normalize("/sys/bus/pci/devices/../../../devices/x") == "/sys/devices/x")
    #expect(HostRoot.normalize("/a/./b/") == "/a/b")
    #expect(HostRoot.normalize("/../..") == "/")
  }
}
