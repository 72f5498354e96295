import Fingerprint

/// Gathers the multi-GPU node facts: the identity's ``NodeFabricFacts`` and the readings'
/// ``NodeHealthReadings``. Every part reads through the context's root and runner.
///
/// The file reads (sysfs, the dpkg database, the kernel log, captured files) run on a thread of
/// their own under the commands' deadline, as libpci's scan does: a wedged device's sysfs file
/// (or a FIFO in a tree) can block `open(2)` forever, and the probe is then abandoned and
/// reported unreadable. The commands (`systemctl`, `ofed_info`) have the runner's deadline.
enum NodeHealthProbe {
  struct Result: Sendable {
    var facts: NodeFabricFacts
    var readings: NodeHealthReadings
  }

  /// Everything read from files, in one pass.
  struct FileFacts: Sendable {
    var nvswitches: Observed<[String]>
    var fabricManager: Observed<FabricManagerInstall>
    var rdma: Observed<RDMAInventory>
    var rdmaPorts: [RDMAPortReading]
    var topology: Observed<[PCITopologyEntry]>
    var ncclEnvironment: Observed<EnvironmentSettings>
    var kernelLog: Observed<KernelLogReading>

    init(_ context: ProbeContext) {
      let scan = SysfsPCIFunctions(context.root)
      let packages = PackageDatabase(context.root)
      nvswitches = FabricManagerProbe.nvswitches(scan)
      fabricManager = FabricManagerProbe.install(context, packages: packages)
      (rdma, rdmaPorts) = RDMAProbe.probe(context, packages: packages)
      topology = TopologyProbe.probe(scan)
      ncclEnvironment = NCCLEnvironmentProbe.probe(context)
      kernelLog = KernelLogProbe.probe(context)
    }

    /// Every fact unreadable: the reads did not finish within `deadline` seconds.
    init(timedOutAfter deadline: Double) {
      let reason = "sysfs or the tree's files did not answer within \(CommandError.format(deadline)) s: a PCI device may be wedged"
      nvswitches = .unreadable(reason, source: "file:\(SysfsPCIFunctions.devicesDirectory)")
      fabricManager = .unreadable(reason, source: "file:\(PackageDatabase.dpkgStatusPath)")
      rdma = .unreadable(reason, source: "file:\(RDMAProbe.classDirectory)")
      rdmaPorts = []
      topology = .unreadable(reason, source: "file:\(SysfsPCIFunctions.devicesDirectory)")
      ncclEnvironment = .unreadable(reason, source: "file:\(NCCLEnvironmentProbe.capturedPath)")
      kernelLog = .unreadable(reason, source: "file:\(KernelLogProbe.livePath)")
    }
  }

  static func probe(_ context: ProbeContext) async -> Result {
    let deadline = context.commandTimeout
    let files = await Platform.onNewThread {
      Platform.onNewThread(within: deadline) { FileFacts(context) } ?? FileFacts(timedOutAfter: deadline)
    }
    let needsService = !(files.nvswitches.value ?? []).isEmpty || files.fabricManager.value != nil
    async let service = FabricManagerProbe.service(context, needed: needsService)
    var rdma = files.rdma
    if rdma.value != nil { rdma.value?.mofedVersion = await RDMAProbe.ofedVersion(context) }
    let facts = NodeFabricFacts(
      nvswitches: files.nvswitches, fabricManager: files.fabricManager, rdma: rdma, topology: files.topology,
      ncclEnvironment: files.ncclEnvironment)
    return Result(
      facts: facts, readings: NodeHealthReadings(kernelLog: files.kernelLog, fabricManagerService: await service, rdmaPorts: files.rdmaPorts))
  }
}
