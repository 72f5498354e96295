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
  ///
  /// Each fact goes to the part it belongs to: what defines the environment to the identity,
  /// what identifies this machine to the machine part, readings (of the moment, of the load,
  /// or of the reader) to the volatile part.
  public func fingerprint() async -> Fingerprint {
    let context = self.context
    let capturedAt = Platform.utcTimestamp()
    async let docker = ContainerEngineProbe.docker(context)
    async let podman = ContainerEngineProbe.podman(context)
    async let toolkit = ContainerToolkitProbe.probe(context)
    async let nvml = Platform.onNewThread { context.nvml.query() }
    async let pci = Platform.onNewThread {
      // libpci runs in-process: a device that stopped answering could block its sysfs reads.
      // The scan gets the commands' deadline on a thread of its own and is abandoned after it.
      PCIProbe.probe(context, deadline: context.commandTimeout)
    }
    async let local = Platform.onNewThread { LocalFacts(context) }
    async let node = NodeHealthProbe.probe(context)

    let (dockerFacts, dockerFree) = await docker
    let (podmanFacts, podmanFree) = await podman
    let nvmlQuery = await nvml
    let localFacts = await local
    let pciScan = await pci
    let (toolkitFacts, cdiUUIDs) = Self.separatingUUIDNames(await toolkit)
    let nodeHealth = await node

    let (deviceNodes, onDemandNodes) = NvidiaDriverProbe.splitOnDemand(localFacts.deviceNodes)
    let (devCharLinks, onDemandLinks) = NvidiaDriverProbe.splitOnDemand(localFacts.devCharLinks)
    let (loadedModules, onDemandModules) = Self.splitOnDemandModules(localFacts.loadedModules)
    let onDemand =
      onDemandNodes == nil && onDemandLinks == nil && onDemandModules == nil
      ? nil : NvidiaOnDemand(deviceNodes: onDemandNodes, devCharLinks: onDemandLinks, loadedModules: onDemandModules)
    let (sharedMemory, sharedMemorySize) = Self.nominalSharedMemory(localFacts.sharedMemory)

    let host = HostFacts(
      kernel: localFacts.kernel, os: localFacts.os, libc: localFacts.libc, cpu: localFacts.cpu,
      memory: localFacts.memory, sharedMemory: sharedMemory, cgroup: localFacts.cgroup,
      pci: pciScan.inventory,
      nvidia: NvidiaFacts(
        kernelModule: localFacts.nvidiaModule, loadedModules: loadedModules,
        deviceNodes: deviceNodes, devCharLinks: devCharLinks, nvml: nvmlQuery.report),
      containerToolkit: toolkitFacts, docker: dockerFacts, podman: podmanFacts, platform: localFacts.platform,
      nodeFabric: nodeHealth.facts)

    return Fingerprint(
      generator: Generator(version: toolVersion, root: context.root.path),
      identity: Identity(host: host),
      machine: MachineSpecific(hostname: localFacts.hostname, gpus: nvmlQuery.serials, cdiDevices: cdiUUIDs),
      volatile: VolatileFacts(
        capturedAt: capturedAt, memoryTotalBytes: localFacts.memoryTotal, memoryAvailableBytes: localFacts.memoryAvailable,
        sharedMemorySizeBytes: sharedMemorySize, sharedMemoryFreeBytes: localFacts.sharedMemoryFree,
        dockerRootFreeBytes: dockerFree, podmanGraphRootFreeBytes: podmanFree, pci: pciScan.readings,
        nvidiaOnDemand: onDemand, gpus: nvmlQuery.readings, nodeHealth: nodeHealth.readings))
  }

  /// Kernel modules loaded on first use: `nvidia-modprobe` loads `nvidia_uvm` when the first
  /// CUDA program runs (with `/dev/nvidia-uvm`), so an idle host may not have it yet.
  static let onDemandModules: Set<String> = ["nvidia_uvm"]

  static func splitOnDemandModules(_ fact: Observed<[String]>) -> (Observed<[String]>, onDemand: [String]?) {
    guard let modules = fact.value else { return (fact, nil) }
    var identity = fact
    identity.value = modules.filter { !onDemandModules.contains($0) }
    return (identity, modules.filter { onDemandModules.contains($0) })
  }

  /// `/dev/shm` without a `size=` option has the kernel's default size, half of MemTotal,
  /// measured with statvfs: it moves with MemTotal, so the identity holds its nominal size.
  /// A size set with `size=` is kept as set. Also returns the exact size.
  static func nominalSharedMemory(_ fact: Observed<SharedMemoryInfo>) -> (Observed<SharedMemoryInfo>, exact: UInt64?) {
    guard let exact = fact.value?.sizeBytes else { return (fact, nil) }
    guard fact.source.hasPrefix("statvfs:") else { return (fact, exact) }
    var nominal = fact
    nominal.value?.sizeBytes = NominalSize.roundedUp(exact)
    return (nominal, exact)
  }

  /// CDI device names that are GPU or MIG UUIDs are unique to the machine: the identity keeps
  /// the other names and a count, the machine part the names.
  static func separatingUUIDNames(_ facts: ContainerToolkitFacts) -> (ContainerToolkitFacts, [CDIDeviceUUIDs]) {
    guard let specs = facts.cdiSpecs.value else { return (facts, []) }
    var result = facts
    var machine: [CDIDeviceUUIDs] = []
    result.cdiSpecs.value = specs.map { spec in
      let uuids = spec.devices.filter(CDISpec.isUUIDName)
      guard !uuids.isEmpty else { return spec }
      machine.append(CDIDeviceUUIDs(path: spec.path, names: uuids.sorted()))
      var kept = spec
      kept.devices = spec.devices.filter { !CDISpec.isUUIDName($0) }
      kept.uuidNamedDevices = uuids.count
      return kept
    }
    return (result, machine.sorted { $0.path < $1.path })
  }
}

/// The facts read from files under the root, gathered in one pass.
struct LocalFacts: Sendable {
  var kernel: Observed<KernelInfo>
  var os: Observed<OSRelease>
  var libc: Observed<LibcInfo>
  var cpu: Observed<CPUInfo>
  var memory: Observed<MemoryInfo>
  var memoryTotal: UInt64?
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
    (memory, memoryTotal, memoryAvailable) = SystemProbes.memory(context)
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
