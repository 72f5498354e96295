import Fingerprint

/// InfiniBand and RoCE adapters for multi-node NCCL, from `/sys/class/infiniband`
/// (Documentation/ABI/stable/sysfs-class-infiniband: `ports/N/state` "4: ACTIVE",
/// `phys_state` "5: LinkUp", `rate` "400 Gb/sec (4X NDR)", `link_layer` "InfiniBand" or
/// "Ethernet"), the rdma-core package and MOFED's `ofed_info -s`.
///
/// The adapters and their link layers are identity; port state and rate are readings (a cable
/// pulled, a switch port down).
enum RDMAProbe {
  static let classDirectory = "/sys/class/infiniband"
  /// Where `scripts/capture-host.sh` keeps `ofed_info -s`.
  static let capturedOFEDPath = "/captured/ofed_info-s.txt"

  /// The adapters and their ports from sysfs, and rdma-core from `packages`; MOFED's version
  /// (a command on a live host) is added by ``ofedVersion(_:)``.
  static func probe(_ context: ProbeContext, packages: PackageDatabase) -> (Observed<RDMAInventory>, [RDMAPortReading]) {
    let root = context.root
    let source = "file:\(classDirectory)"
    let names: [String]
    do {
      names = try root.list(classDirectory)
    } catch .notFound {
      return (.absent("no RDMA device: \(classDirectory) does not exist (no InfiniBand/RoCE adapter, or its driver is not loaded)", source: source), [])
    } catch {
      return (.unreadable(error.description, source: source), [])
    }
    var devices: [RDMADevice] = []
    var readings: [RDMAPortReading] = []
    for name in names {
      let link = "\(classDirectory)/\(name)"
      let directory = root.kind(of: link) == .directory && root.linkTarget(link) == nil ? link : (root.resolveLink(link) ?? link)
      let pciDirectory = root.resolveLink(directory + "/device")
      let pciAddress = pciDirectory.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap {
        SysfsPCIFunctions.isPCIAddress($0) ? $0 : nil
      }
      let numa = pciDirectory.flatMap { root.readValue($0 + "/numa_node") }.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
      let portNumbers = ((try? root.list(directory + "/ports")) ?? []).compactMap { Int($0) }.sorted()
      var ports: [RDMAPort] = []
      for port in portNumbers {
        let portDirectory = "\(directory)/ports/\(port)"
        ports.append(RDMAPort(port: port, linkLayer: root.readValue(portDirectory + "/link_layer")))
        readings.append(
          RDMAPortReading(
            device: name, port: port, state: root.readValue(portDirectory + "/state").map(stateName),
            physicalState: root.readValue(portDirectory + "/phys_state").map(stateName), rate: root.readValue(portDirectory + "/rate")))
      }
      devices.append(RDMADevice(name: name, pciAddress: pciAddress, numaNode: numa, ports: ports))
    }
    let rdmaCore = packages.versions["rdma-core"].map(PackageDatabase.upstreamVersion)
    return (
      .present(RDMAInventory(devices: devices, rdmaCoreVersion: rdmaCore, mofedVersion: nil), from: source),
      readings.sorted { ($0.device, $0.port) < ($1.device, $1.port) }
    )
  }

  /// `4: ACTIVE` → `ACTIVE`.
  static func stateName(_ text: String) -> String {
    guard let colon = text.firstIndex(of: ":") else { return text }
    return text[text.index(after: colon)...].trimmed
  }

  /// `ofed_info -s` (`MLNX_OFED_LINUX-23.10-1.1.9.0:`), without the trailing colon; nil where
  /// MOFED is not installed (inbox rdma-core drivers).
  static func ofedVersion(_ context: ProbeContext) async -> String? {
    if !context.root.isLive {
      return await Platform.onNewThread { context.root.readValue(capturedOFEDPath).map(cleanOFED) }
    }
    guard context.runsCommands, context.locateExecutable("ofed_info") != nil else { return nil }
    guard let result = try? await context.runner.run(context.command("ofed_info", ["-s"])), result.succeeded else { return nil }
    let line = result.stdout.trimmed
    return line.isEmpty ? nil : cleanOFED(line)
  }

  static func cleanOFED(_ text: String) -> String {
    var line = text.split(separator: "\n").first.map { $0.trimmed } ?? ""
    if line.hasSuffix(":") { line.removeLast() }
    return line
  }
}
