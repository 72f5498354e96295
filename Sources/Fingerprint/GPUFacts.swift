/// GPU-class devices on the PCI bus, read through libpci.
///
/// Only what the host is: ids, class, revision, bound driver, NUMA node and maximum link. The
/// names the reader's pci.ids gives, the current link and the number of functions scanned are
/// in ``VolatileFacts/pci``.
public struct PCIInventory: Codable, Sendable, Hashable {
  /// Display controllers (class 0x03xx) and processing accelerators (0x12xx), sorted by address.
  public var gpus: [PCIDevice]

  public init(gpus: [PCIDevice]) {
    self.gpus = gpus
  }
}

/// The pci.ids file used for names.
public struct PCIDatabase: Codable, Sendable, Hashable {
  public var path: String
  /// The `# Version:` line of the file, e.g. `2023.04.10`.
  public var version: String?

  public init(path: String, version: String?) {
    self.path = path
    self.version = version
  }
}

/// One PCI function.
public struct PCIDevice: Codable, Sendable, Hashable {
  /// `dddd:bb:dd.f`, lower case.
  public var address: String
  /// Four lower-case hex digits, e.g. `10de`.
  public var vendorID: String
  public var deviceID: String
  public var subsystemVendorID: String?
  public var subsystemDeviceID: String?
  /// Six hex digits: class, subclass, programming interface (`030200`).
  public var classCode: String
  public var revision: String?
  /// The kernel driver bound to the device (`nvidia`, `nouveau`, `vfio-pci`), nil when none.
  public var driver: String?
  /// NUMA node, nil when the platform reports none (-1).
  public var numaNode: Int?
  public var link: PCIeLink?

  public init(
    address: String, vendorID: String, deviceID: String, subsystemVendorID: String?,
    subsystemDeviceID: String?, classCode: String, revision: String?, driver: String?,
    numaNode: Int?, link: PCIeLink?
  ) {
    self.address = address
    self.vendorID = vendorID
    self.deviceID = deviceID
    self.subsystemVendorID = subsystemVendorID
    self.subsystemDeviceID = subsystemDeviceID
    self.classCode = classCode
    self.revision = revision
    self.driver = driver
    self.numaNode = numaNode
    self.link = link
  }
}

/// The most a device's PCI Express link can do, from sysfs `max_link_*`. What it runs at now
/// is a reading (``PCIDeviceReadings``): an idle GPU trains its link down.
public struct PCIeLink: Codable, Sendable, Hashable {
  /// e.g. `32.0 GT/s PCIe`.
  public var maxSpeed: String?
  public var maxWidth: Int?

  public init(maxSpeed: String?, maxWidth: Int?) {
    self.maxSpeed = maxSpeed
    self.maxWidth = maxWidth
  }
}

/// The NVIDIA driver stack.
public struct NvidiaFacts: Codable, Sendable, Hashable {
  /// The loaded kernel module, from `/proc/driver/nvidia/version`.
  public var kernelModule: Observed<NvidiaKernelModule>
  /// GPU-related kernel modules that are loaded, from `/proc/modules`, sorted; those loaded
  /// on first use (`nvidia_uvm`) are in ``NvidiaOnDemand``.
  public var loadedModules: Observed<[String]>
  /// `/dev/nvidia*` device nodes, sorted; those created on first use (`/dev/nvidia-uvm`,
  /// `/dev/nvidia-caps/*`, …) are in ``NvidiaOnDemand``.
  public var deviceNodes: Observed<[String]>
  /// The ``deviceNodes`` that have a `/dev/char/MAJOR:MINOR` link, sorted. With systemd's
  /// cgroup driver, containers lose nodes without such links after `systemctl daemon-reload`.
  public var devCharLinks: Observed<[String]>
  /// What NVML (the driver's management library) reports.
  public var nvml: Observed<NVMLReport>

  public init(
    kernelModule: Observed<NvidiaKernelModule>, loadedModules: Observed<[String]>,
    deviceNodes: Observed<[String]>, devCharLinks: Observed<[String]>, nvml: Observed<NVMLReport>
  ) {
    self.kernelModule = kernelModule
    self.loadedModules = loadedModules
    self.deviceNodes = deviceNodes
    self.devCharLinks = devCharLinks
    self.nvml = nvml
  }
}

/// The NVIDIA kernel module.
public struct NvidiaKernelModule: Codable, Sendable, Hashable {
  /// Which kernel module variant is loaded.
  public enum Flavour: String, Codable, Sendable, Hashable {
    /// NVIDIA's open GPU kernel modules (required on Blackwell, recommended from Turing on).
    case open
    /// The closed-source kernel module.
    case proprietary
  }

  public var version: String
  public var flavour: Flavour
  /// The compiler the module was built with, from the `GCC version:` line.
  public var compiler: String?

  public init(version: String, flavour: Flavour, compiler: String?) {
    self.version = version
    self.flavour = flavour
    self.compiler = compiler
  }
}

/// The system-level answers of NVML and one entry per GPU.
public struct NVMLReport: Codable, Sendable, Hashable {
  public var driverVersion: String
  /// The newest CUDA version the driver supports, e.g. `13.0` (NVML reports 13000).
  public var cudaDriverVersion: String?
  /// Sorted by PCI address.
  public var gpus: [NVMLDevice]

  public init(driverVersion: String, cudaDriverVersion: String?, gpus: [NVMLDevice]) {
    self.driverVersion = driverVersion
    self.cudaDriverVersion = cudaDriverVersion
    self.gpus = gpus
  }
}

/// One GPU as NVML reports it. UUID and serial live in ``MachineSpecific``.
public struct NVMLDevice: Codable, Sendable, Hashable {
  /// The PCI address in libpci's form (`0000:00:06.0`), to join with ``PCIDevice``.
  public var pciAddress: String
  public var name: String?
  /// NVML's brand name (`Tesla`, `GeForce`, `NVIDIA`, …).
  public var brand: String?
  public var memoryTotalBytes: UInt64?
  /// e.g. `9.0`.
  public var computeCapability: String?
  /// Where the compute capability came from when not from NVML (a table keyed by PCI id).
  public var computeCapabilitySource: String?
  public var persistenceMode: Bool?
  public var migMode: Bool?

  public init(
    pciAddress: String, name: String?, brand: String?, memoryTotalBytes: UInt64?,
    computeCapability: String?, computeCapabilitySource: String?, persistenceMode: Bool?,
    migMode: Bool?
  ) {
    self.pciAddress = pciAddress
    self.name = name
    self.brand = brand
    self.memoryTotalBytes = memoryTotalBytes
    self.computeCapability = computeCapability
    self.computeCapabilitySource = computeCapabilitySource
    self.persistenceMode = persistenceMode
    self.migMode = migMode
  }

  private enum CodingKeys: String, CodingKey {
    case pciAddress, name, brand, memoryTotalBytes, computeCapability, computeCapabilitySource, persistenceMode, migMode
  }

  /// `computeCapabilitySource` is provenance (it names rigcheck's own table), left out of the
  /// identity hash; the compute capability is hashed.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(pciAddress, forKey: .pciAddress)
    try container.encodeIfPresent(name, forKey: .name)
    try container.encodeIfPresent(brand, forKey: .brand)
    try container.encodeIfPresent(memoryTotalBytes, forKey: .memoryTotalBytes)
    try container.encodeIfPresent(computeCapability, forKey: .computeCapability)
    if !CanonicalJSON.omitsProvenance(encoder) { try container.encodeIfPresent(computeCapabilitySource, forKey: .computeCapabilitySource) }
    try container.encodeIfPresent(persistenceMode, forKey: .persistenceMode)
    try container.encodeIfPresent(migMode, forKey: .migMode)
  }
}
