/// A versioned, canonical description of an environment.
///
/// A fingerprint has three parts, kept apart so that only the first counts as drift:
/// - ``identity``: what defines the environment (kernel, driver, GPU models and their maximum
///   PCIe link, nominal memory size, runtimes, images…); hashed by ``identityHash()`` and
///   compared by `rigcheck compare`. Two identical nodes, or one node idle and busy, or one
///   capture read by two machines, hash the same;
/// - ``machine``: what identifies this box (hostname, GPU UUIDs and serials, CDI device names
///   that are GPU UUIDs); identical nodes differ here, so it is never hashed and ``Redaction``
///   can blank it;
/// - ``volatile``: readings that change with time, load or the reader (capture time, exact
///   and free memory, temperatures, utilisation, current PCIe link, free disk, device nodes
///   created on first use, pci.ids names and the reader's pci.ids version); never hashed.
public struct Fingerprint: Codable, Sendable, Hashable {
  /// The schema this library writes. Bumped on any incompatible change to the JSON.
  ///
  /// 2: current PCIe link, pci.ids names and database, devices scanned, on-demand NVIDIA
  /// nodes, links and modules moved to ``volatile``; memory is nominal (exact in volatile);
  /// CDI device names that are GPU UUIDs moved to ``machine``.
  public static let currentSchemaVersion = 2

  public var schemaVersion: Int
  /// The tool that wrote this fingerprint; not part of the identity.
  public var generator: Generator
  public var identity: Identity
  public var machine: MachineSpecific
  public var volatile: VolatileFacts

  public init(
    schemaVersion: Int = Fingerprint.currentSchemaVersion,
    generator: Generator,
    identity: Identity,
    machine: MachineSpecific,
    volatile: VolatileFacts
  ) {
    self.schemaVersion = schemaVersion
    self.generator = generator
    self.identity = identity
    self.machine = machine
    self.volatile = volatile
  }
}

/// The program that produced a fingerprint.
public struct Generator: Codable, Sendable, Hashable {
  public var name: String
  public var version: String
  /// The root directory the host probes read (`/` on a live host).
  public var root: String

  public init(name: String = "rigcheck", version: String, root: String) {
    self.name = name
    self.version = version
    self.root = root
  }
}

/// The identity part of a fingerprint: what is hashed and compared.
public struct Identity: Codable, Sendable, Hashable {
  public var host: HostFacts
  /// Images inspected with `--image`, sorted by reference.
  public var images: [ImageFacts]

  public init(host: HostFacts, images: [ImageFacts] = []) {
    self.host = host
    self.images = images
  }
}

/// Values unique to one machine, kept out of the identity hash.
public struct MachineSpecific: Codable, Sendable, Hashable {
  public var hostname: Observed<String>
  /// Per-GPU unique ids, keyed by PCI address and sorted by it.
  public var gpus: [GPUSerials]
  /// CDI device names that are GPU or MIG UUIDs (`nvidia.com/gpu=GPU-…`), per spec, sorted by
  /// path. The identity keeps the other names and how many UUID names each spec has.
  public var cdiDevices: [CDIDeviceUUIDs]

  public init(hostname: Observed<String>, gpus: [GPUSerials], cdiDevices: [CDIDeviceUUIDs] = []) {
    self.hostname = hostname
    self.gpus = gpus
    self.cdiDevices = cdiDevices
  }
}

/// The UUID-named devices of one CDI spec.
public struct CDIDeviceUUIDs: Codable, Sendable, Hashable {
  /// The spec's path, as in ``CDISpec/path``.
  public var path: String
  /// Sorted.
  public var names: [String]

  public init(path: String, names: [String]) {
    self.path = path
    self.names = names
  }
}

/// The unique ids of one GPU.
public struct GPUSerials: Codable, Sendable, Hashable {
  public var pciAddress: String
  public var uuid: String?
  public var serial: String?

  public init(pciAddress: String, uuid: String?, serial: String?) {
    self.pciAddress = pciAddress
    self.uuid = uuid
    self.serial = serial
  }
}

/// Values that change between two runs on an unchanged machine, or with the machine that
/// reads a captured tree; never counted as drift.
public struct VolatileFacts: Codable, Sendable, Hashable {
  /// When the fingerprint was taken, RFC 3339 in UTC.
  public var capturedAt: String
  /// The exact MemTotal of /proc/meminfo. It moves with what the kernel reserves (crash
  /// kernel, firmware, page tables), so the identity holds the nominal size instead
  /// (``MemoryInfo/nominalBytes``).
  public var memoryTotalBytes: UInt64?
  public var memoryAvailableBytes: UInt64?
  /// The exact size of `/dev/shm` (see ``SharedMemoryInfo/sizeBytes``).
  public var sharedMemorySizeBytes: UInt64?
  public var sharedMemoryFreeBytes: UInt64?
  public var dockerRootFreeBytes: UInt64?
  public var podmanGraphRootFreeBytes: UInt64?
  /// What the PCI scan read besides the identity: device count, current link state, and the
  /// names the reader's pci.ids gives. Nil when the bus could not be scanned.
  public var pci: PCIReadings?
  /// NVIDIA device nodes, `/dev/char` links and kernel modules that appear on first use.
  public var nvidiaOnDemand: NvidiaOnDemand?
  /// Per-GPU readings, sorted by PCI address.
  public var gpus: [GPUReadings]
  /// Xid history, Fabric Manager service state, RDMA port states (absent in fingerprints
  /// written before it existed).
  public var nodeHealth: NodeHealthReadings?

  public init(
    capturedAt: String,
    memoryTotalBytes: UInt64? = nil,
    memoryAvailableBytes: UInt64? = nil,
    sharedMemorySizeBytes: UInt64? = nil,
    sharedMemoryFreeBytes: UInt64? = nil,
    dockerRootFreeBytes: UInt64? = nil,
    podmanGraphRootFreeBytes: UInt64? = nil,
    pci: PCIReadings? = nil,
    nvidiaOnDemand: NvidiaOnDemand? = nil,
    gpus: [GPUReadings] = [],
    nodeHealth: NodeHealthReadings? = nil
  ) {
    self.capturedAt = capturedAt
    self.memoryTotalBytes = memoryTotalBytes
    self.memoryAvailableBytes = memoryAvailableBytes
    self.sharedMemorySizeBytes = sharedMemorySizeBytes
    self.sharedMemoryFreeBytes = sharedMemoryFreeBytes
    self.dockerRootFreeBytes = dockerRootFreeBytes
    self.podmanGraphRootFreeBytes = podmanGraphRootFreeBytes
    self.pci = pci
    self.nvidiaOnDemand = nvidiaOnDemand
    self.gpus = gpus
    self.nodeHealth = nodeHealth
  }
}

/// The PCI scan's readings: what is not a fact of the environment itself.
public struct PCIReadings: Codable, Sendable, Hashable {
  /// How many PCI functions libpci found in total (GPU-class or not). NICs, NVMe drives and
  /// virtual disks attached at run time, and SR-IOV functions, count too.
  public var devicesScanned: Int
  /// The pci.ids file names were looked up in: the reader's, not the host's.
  public var database: PCIDatabase?
  /// One entry per GPU-class device of ``PCIInventory/gpus``, sorted by address.
  public var devices: [PCIDeviceReadings]

  public init(devicesScanned: Int, database: PCIDatabase?, devices: [PCIDeviceReadings]) {
    self.devicesScanned = devicesScanned
    self.database = database
    self.devices = devices
  }
}

/// One PCI device's readings.
public struct PCIDeviceReadings: Codable, Sendable, Hashable {
  /// `dddd:bb:dd.f`, as ``PCIDevice/address``.
  public var address: String
  /// sysfs `current_link_speed`, e.g. `2.5 GT/s PCIe`: idle GPUs train their link down to save
  /// power. The maximum is in the identity (``PCIeLink``).
  public var currentLinkSpeed: String?
  /// sysfs `current_link_width`.
  public var currentLinkWidth: Int?
  /// Names from the reader's pci.ids (``PCIReadings/database``); another version of the file
  /// names the same device differently.
  public var vendorName: String?
  public var deviceName: String?
  public var subsystemName: String?
  public var className: String?

  public init(
    address: String, currentLinkSpeed: String?, currentLinkWidth: Int?, vendorName: String?, deviceName: String?,
    subsystemName: String?, className: String?
  ) {
    self.address = address
    self.currentLinkSpeed = currentLinkSpeed
    self.currentLinkWidth = currentLinkWidth
    self.vendorName = vendorName
    self.deviceName = deviceName
    self.subsystemName = subsystemName
    self.className = className
  }
}

/// What the NVIDIA stack creates or loads on first use rather than at boot: `/dev/nvidia-uvm`
/// and `nvidia_uvm` when the first CUDA program runs, `/dev/nvidia-caps/*` for MIG and IMEX,
/// `/dev/nvidia-modeset`. Each list is nil when its source could not be read.
public struct NvidiaOnDemand: Codable, Sendable, Hashable {
  /// Sorted.
  public var deviceNodes: [String]?
  /// The on-demand nodes that have a `/dev/char/MAJOR:MINOR` link, sorted.
  public var devCharLinks: [String]?
  /// Sorted.
  public var loadedModules: [String]?

  public init(deviceNodes: [String]?, devCharLinks: [String]?, loadedModules: [String]?) {
    self.deviceNodes = deviceNodes
    self.devCharLinks = devCharLinks
    self.loadedModules = loadedModules
  }
}

/// Readings of one GPU at capture time, health counters included.
public struct GPUReadings: Codable, Sendable, Hashable {
  public var pciAddress: String
  public var temperatureCelsius: Int?
  public var memoryUsedBytes: UInt64?
  /// Uncorrectable ECC errors over the GPU's lifetime (NVML's aggregate counter).
  public var uncorrectableECCErrors: UInt64?
  /// Memory pages waiting to be retired at the next driver reload (pre-Ampere GPUs).
  public var retiredPagesPending: Bool?
  /// Row remappings waiting for a GPU reset (Ampere and newer).
  public var remappedRowsPending: Bool?
  /// A row remapping failed: the GPU should be serviced.
  public var remappingFailed: Bool?
  /// GPU utilisation over the driver's last sample period, 0–100.
  public var utilizationPercent: Int?
  /// The PCIe link as the driver reports it, in generations.
  public var pcieLink: GPULinkReading?
  /// NVLink links and how many are up; nil where the GPU reports no NVLink.
  public var nvlink: NVLinkReading?
  /// Active clocks event ("throttle") reasons, NVML's names in snake case (`gpu_idle`,
  /// `hw_slowdown`, `hw_thermal_slowdown`, `hw_power_brake_slowdown`, `sw_thermal_slowdown`,
  /// `sw_power_cap`, …), sorted; nil where not reported.
  public var clocksEventReasons: [String]?

  public init(
    pciAddress: String, temperatureCelsius: Int?, memoryUsedBytes: UInt64?, uncorrectableECCErrors: UInt64? = nil,
    retiredPagesPending: Bool? = nil, remappedRowsPending: Bool? = nil, remappingFailed: Bool? = nil,
    utilizationPercent: Int? = nil, pcieLink: GPULinkReading? = nil, nvlink: NVLinkReading? = nil,
    clocksEventReasons: [String]? = nil
  ) {
    self.pciAddress = pciAddress
    self.temperatureCelsius = temperatureCelsius
    self.memoryUsedBytes = memoryUsedBytes
    self.uncorrectableECCErrors = uncorrectableECCErrors
    self.retiredPagesPending = retiredPagesPending
    self.remappedRowsPending = remappedRowsPending
    self.remappingFailed = remappingFailed
    self.utilizationPercent = utilizationPercent
    self.pcieLink = pcieLink
    self.nvlink = nvlink
    self.clocksEventReasons = clocksEventReasons
  }
}

/// NVML's view of a GPU's PCIe link (`nvidia-smi -q`: `GPU Link Info`).
public struct GPULinkReading: Codable, Sendable, Hashable {
  /// The generation the link runs at now (1: 2.5 GT/s … 5: 32 GT/s, 6: 64 GT/s).
  public var currentGeneration: Int?
  /// The highest generation this GPU and this slot can reach together.
  public var maxGeneration: Int?
  public var currentWidth: Int?
  public var maxWidth: Int?

  public init(currentGeneration: Int?, maxGeneration: Int?, currentWidth: Int?, maxWidth: Int?) {
    self.currentGeneration = currentGeneration
    self.maxGeneration = maxGeneration
    self.currentWidth = currentWidth
    self.maxWidth = maxWidth
  }
}

extension Fingerprint {
  /// The PCI readings (current link, pci.ids names) of the device at `address`.
  public func pciReadings(at address: String) -> PCIDeviceReadings? {
    volatile.pci?.devices.first { $0.address == address }
  }

  /// The NVML readings of the GPU at `address`.
  public func gpuReadings(at address: String) -> GPUReadings? {
    volatile.gpus.first { $0.pciAddress == address }
  }

  /// Every `/dev/nvidia*` node present when the fingerprint was taken: the identity's and
  /// those created on first use, sorted.
  public var nvidiaDeviceNodesPresent: Observed<[String]> {
    Self.merging(identity.host.nvidia.deviceNodes, volatile.nvidiaOnDemand?.deviceNodes)
  }

  /// Every NVIDIA node with a `/dev/char` link when the fingerprint was taken, sorted.
  public var nvidiaDevCharLinksPresent: Observed<[String]> {
    Self.merging(identity.host.nvidia.devCharLinks, volatile.nvidiaOnDemand?.devCharLinks)
  }

  private static func merging(_ fact: Observed<[String]>, _ more: [String]?) -> Observed<[String]> {
    guard var value = fact.value, let more, !more.isEmpty else { return fact }
    value = Array(Set(value).union(more)).sorted()
    var merged = fact
    merged.value = value
    return merged
  }
}
