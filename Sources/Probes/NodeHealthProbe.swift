import Fingerprint

/// Gathers the multi-GPU node facts: the identity's ``NodeFabricFacts`` and the readings'
/// ``NodeHealthReadings``. Every part reads through the context's root and runner.
enum NodeHealthProbe {
  struct Result: Sendable {
    var facts: NodeFabricFacts
    var readings: NodeHealthReadings
  }

  static func probe(_ context: ProbeContext) async -> Result {
    let (scan, packages) = await Platform.onNewThread { (SysfsPCIFunctions(context.root), PackageDatabase(context.root)) }
    async let kernelLog = Platform.onNewThread { KernelLogProbe.probe(context) }
    async let rdma = RDMAProbe.probe(context, packages: packages)
    let nvswitches = FabricManagerProbe.nvswitches(scan)
    let install = FabricManagerProbe.install(context, packages: packages)
    let needsService = !(nvswitches.value ?? []).isEmpty || install.value != nil
    async let service = FabricManagerProbe.service(context, needed: needsService)
    let (rdmaFacts, portReadings) = await rdma
    let facts = NodeFabricFacts(
      nvswitches: nvswitches, fabricManager: install, rdma: rdmaFacts, topology: TopologyProbe.probe(scan),
      ncclEnvironment: NCCLEnvironmentProbe.probe(context))
    return Result(
      facts: facts, readings: NodeHealthReadings(kernelLog: await kernelLog, fabricManagerService: await service, rdmaPorts: portReadings))
  }
}
