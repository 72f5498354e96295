import Fingerprint

/// Runs every host probe concurrently and assembles a ``Fingerprint``.
///
/// Each probe returns an ``Observed`` value rather than throwing, so one failing probe
/// (an unreadable file, a hung command, a missing library) never hides the others.
public struct HostProber: Sendable {
  public let context: ProbeContext
  /// Recorded in the fingerprint's generator block.
  public let toolVersion: String

  public init(context: ProbeContext, toolVersion: String) {
    self.context = context
    self.toolVersion = toolVersion
  }

  /// Probes the host and returns its fingerprint.
  public func fingerprint() async -> Fingerprint {
    let context = self.context
    let capturedAt = Platform.utcTimestamp()
    async let docker = ContainerEngineProbe.docker(context)
    async let podman = ContainerEngineProbe.podman(context)
    async let toolkit = ContainerToolkitProbe.probe(context)
    async let nvml = Self.detached { context.nvml.query() }
    async let pci = Self.detached { PCIProbe.probe(context) }
    async let local = Self.detached { LocalFacts(context) }

    let (dockerFacts, dockerFree) = await docker
    let (podmanFacts, podmanFree) = await podman
    let nvmlQuery = await nvml
    let localFacts = await local

    let host = HostFacts(
      kernel: localFacts.kernel, os: localFacts.os, libc: localFacts.libc, cpu: localFacts.cpu,
      memory: localFacts.memory, sharedMemory: localFacts.sharedMemory, cgroup: localFacts.cgroup,
      pci: await pci,
      nvidia: NvidiaFacts(
        kernelModule: localFacts.nvidiaModule, loadedModules: localFacts.loadedModules,
        deviceNodes: localFacts.deviceNodes, devCharLinks: localFacts.devCharLinks, nvml: nvmlQuery.report),
      containerToolkit: await toolkit, docker: dockerFacts, podman: podmanFacts, platform: localFacts.platform)

    return Fingerprint(
      generator: Generator(version: toolVersion, root: context.root.path),
      identity: Identity(host: host),
      machine: MachineSpecific(hostname: localFacts.hostname, gpus: nvmlQuery.serials),
      volatile: VolatileFacts(
        capturedAt: capturedAt, memoryAvailableBytes: localFacts.memoryAvailable,
        sharedMemoryFreeBytes: localFacts.sharedMemoryFree, dockerRootFreeBytes: dockerFree,
        podmanGraphRootFreeBytes: podmanFree, gpus: nvmlQuery.readings))
  }

  /// Runs blocking work (file reads, libpci, NVML) off the cooperative pool.
  static func detached<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      Platform.runOnNewThread { continuation.resume(returning: work()) }
    }
  }
}

/// The facts read from files under the root, gathered in one pass.
struct LocalFacts: Sendable {
  var kernel: Observed<KernelInfo>
  var os: Observed<OSRelease>
  var libc: Observed<LibcInfo>
  var cpu: Observed<CPUInfo>
  var memory: Observed<MemoryInfo>
  var memoryAvailable: UInt64?
  var sharedMemory: Observed<SharedMemoryInfo>
  var sharedMemoryFree: UInt64?
  var cgroup: Observed<CgroupInfo>
  var hostname: Observed<String>
  var nvidiaModule: Observed<NvidiaKernelModule>
  var loadedModules: Observed<[String]>
  var deviceNodes: Observed<[String]>
  var devCharLinks: Observed<[String]>
  var platform: PlatformFacts

  init(_ context: ProbeContext) {
    kernel = SystemProbes.kernel(context)
    os = SystemProbes.osRelease(context)
    libc = SystemProbes.libc(context)
    cpu = SystemProbes.cpu(context)
    (memory, memoryAvailable) = SystemProbes.memory(context)
    (sharedMemory, sharedMemoryFree) = SystemProbes.sharedMemory(context)
    cgroup = CgroupProbe.probe(context)
    hostname = SystemProbes.hostname(context)
    nvidiaModule = NvidiaDriverProbe.kernelModule(context)
    loadedModules = NvidiaDriverProbe.loadedModules(context)
    deviceNodes = NvidiaDriverProbe.deviceNodes(context)
    devCharLinks = NvidiaDriverProbe.devCharLinks(context)
    platform = PlatformProbe.probe(context, kernel: kernel, cgroup: cgroup, sharedMemory: sharedMemory)
  }
}
