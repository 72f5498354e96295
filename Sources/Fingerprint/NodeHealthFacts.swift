/// What a multi-GPU training node is built of beyond its GPUs: NVSwitches and the Fabric
/// Manager that drives them, RDMA adapters, where GPUs and NICs sit (NUMA node, PCIe switch),
/// and the NCCL/CUDA settings of the environment rigcheck runs in.
///
/// Part of the identity: two nodes of one job that differ here (a Fabric Manager at another
/// version, a NIC on the other socket, another `NCCL_IB_HCA`) behave differently, and
/// `rigcheck compare` / `fleet` show it as drift. The moment's state (Xid history, whether the
/// service runs, port state, throttling) is in ``NodeHealthReadings``.
public struct NodeFabricFacts: Codable, Sendable, Hashable {
  /// NVSwitch PCI functions (vendor 10de, class 0x0680 "other bridge"), sorted by address.
  public var nvswitches: Observed<[String]>
  /// The NVIDIA Fabric Manager installed (package or binary), with its version.
  public var fabricManager: Observed<FabricManagerInstall>
  /// InfiniBand / RoCE adapters (`/sys/class/infiniband`), the rdma-core and MOFED versions.
  public var rdma: Observed<RDMAInventory>
  /// NUMA node and PCIe bridge path of each NVIDIA GPU, NVSwitch and network adapter.
  public var topology: Observed<[PCITopologyEntry]>
  /// Allowlisted NCCL/CUDA variables of the environment rigcheck runs in, secrets redacted.
  public var ncclEnvironment: Observed<EnvironmentSettings>

  public init(
    nvswitches: Observed<[String]>, fabricManager: Observed<FabricManagerInstall>, rdma: Observed<RDMAInventory>,
    topology: Observed<[PCITopologyEntry]>, ncclEnvironment: Observed<EnvironmentSettings>
  ) {
    self.nvswitches = nvswitches
    self.fabricManager = fabricManager
    self.rdma = rdma
    self.topology = topology
    self.ncclEnvironment = ncclEnvironment
  }
}

/// The Fabric Manager as installed.
public struct FabricManagerInstall: Codable, Sendable, Hashable {
  /// `nvidia-fabricmanager-580` (dpkg), `nvidia-fabric-manager` (rpm), or nil when only the
  /// binary was found.
  public var package: String?
  /// The upstream version (`580.159.04`), without the packaging revision.
  public var version: String?
  /// The host-absolute path of `nv-fabricmanager`, when found.
  public var binary: String?

  public init(package: String?, version: String?, binary: String?) {
    self.package = package
    self.version = version
    self.binary = binary
  }
}

/// RDMA adapters and the user-space stack that drives them.
public struct RDMAInventory: Codable, Sendable, Hashable {
  /// Sorted by name.
  public var devices: [RDMADevice]
  /// The `rdma-core` package version (dpkg or rpm database), when installed.
  public var rdmaCoreVersion: String?
  /// `ofed_info -s` of Mellanox/NVIDIA OFED (`MLNX_OFED_LINUX-23.10-1.1.9.0`), when installed.
  public var mofedVersion: String?

  public init(devices: [RDMADevice], rdmaCoreVersion: String?, mofedVersion: String?) {
    self.devices = devices
    self.rdmaCoreVersion = rdmaCoreVersion
    self.mofedVersion = mofedVersion
  }
}

/// One `/sys/class/infiniband/<name>` device.
public struct RDMADevice: Codable, Sendable, Hashable {
  /// `mlx5_0`.
  public var name: String
  /// The PCI function behind it, when it has one (`0000:19:00.0`).
  public var pciAddress: String?
  /// `numa_node` of that function; nil when the platform reports none (-1).
  public var numaNode: Int?
  /// Port number → link layer (`InfiniBand`, `Ethernet` for RoCE), sorted by port.
  public var ports: [RDMAPort]

  public init(name: String, pciAddress: String?, numaNode: Int?, ports: [RDMAPort]) {
    self.name = name
    self.pciAddress = pciAddress
    self.numaNode = numaNode
    self.ports = ports
  }
}

/// A port's fixed traits; its state and rate are ``RDMAPortReading``.
public struct RDMAPort: Codable, Sendable, Hashable {
  public var port: Int
  /// `InfiniBand` or `Ethernet` (RoCE).
  public var linkLayer: String?

  public init(port: Int, linkLayer: String?) {
    self.port = port
    self.linkLayer = linkLayer
  }
}

/// Where one PCI function sits.
public struct PCITopologyEntry: Codable, Sendable, Hashable {
  public enum Role: String, Codable, Sendable, Hashable {
    case gpu, nvswitch, nic
  }

  public var address: String
  public var role: Role
  /// `numa_node`; nil when the platform reports none (-1).
  public var numaNode: Int?
  /// The PCI bridges above it, from the root port down (`0000:15:01.0`, `0000:16:00.0`, …):
  /// functions that share a bridge below the root port share a PCIe switch.
  public var bridges: [String]

  public init(address: String, role: Role, numaNode: Int?, bridges: [String]) {
    self.address = address
    self.role = role
    self.numaNode = numaNode
    self.bridges = bridges
  }
}

/// A set of environment variables. The member is named `environment` so the identity writer
/// keeps its keys as they are (``JSONTree/KeyRole/stringDictionary``).
public struct EnvironmentSettings: Codable, Sendable, Hashable {
  public var environment: [String: String]

  public init(environment: [String: String]) {
    self.environment = environment
  }

  /// Variables that change how NCCL and CUDA pick devices and transports: every `NCCL_*` but
  /// its logging ones, and the CUDA/NVIDIA device selectors. Everything else of the environment
  /// stays out — so is `NCCL_DEBUG=INFO`, exported to read a log, which changes no behaviour
  /// and must not change the identity hash.
  public static func isAllowlisted(_ name: String) -> Bool {
    (name.hasPrefix("NCCL_") && !loggingNames.contains(name)) || exactNames.contains(name)
  }

  /// NCCL's logging settings (docs.nvidia.com/deeplearning/nccl/user-guide/docs/troubleshooting/logging.html,
  /// "Logging Environment Variables").
  static let loggingNames: Set<String> = ["NCCL_DEBUG", "NCCL_DEBUG_SUBSYS", "NCCL_DEBUG_FILE", "NCCL_DEBUG_TIMESTAMP_FORMAT", "NCCL_DEBUG_TIMESTAMP_LEVELS"]

  static let exactNames: Set<String> = [
    "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "CUDA_DEVICE_MAX_CONNECTIONS", "CUDA_LAUNCH_BLOCKING",
    "CUDA_MODULE_LOADING", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "TORCH_NCCL_ASYNC_ERROR_HANDLING",
    "TORCH_NCCL_BLOCKING_WAIT", "UCX_NET_DEVICES",
  ]

  /// The allowlisted part of `environment`, each value through ``Redaction``'s environment
  /// rules (`NCCL_*_KEY`, tokens, URL credentials: `REDACTED-TOKEN`).
  public static func allowlisted(_ environment: [String: String]) -> EnvironmentSettings {
    var redactor = Redactor(learningFrom: .object([:]))
    var kept: [String: String] = [:]
    for (name, value) in environment where isAllowlisted(name) {
      kept[name] = redactor.redact(value: value, member: name)
    }
    return EnvironmentSettings(environment: kept)
  }
}

/// The node's health readings of the moment: never part of the identity.
public struct NodeHealthReadings: Codable, Sendable, Hashable {
  /// Xid and SXid events in the kernel log since boot (or in a captured `dmesg`).
  public var kernelLog: Observed<KernelLogReading>
  /// Whether `nvidia-fabricmanager` runs (systemd).
  public var fabricManagerService: Observed<ServiceState>
  /// State and rate of each RDMA port, sorted by device and port.
  public var rdmaPorts: [RDMAPortReading]

  public init(kernelLog: Observed<KernelLogReading>, fabricManagerService: Observed<ServiceState>, rdmaPorts: [RDMAPortReading]) {
    self.kernelLog = kernelLog
    self.fabricManagerService = fabricManagerService
    self.rdmaPorts = rdmaPorts
  }
}

/// Xid (GPU) and SXid (NVSwitch) events found in a kernel log.
public struct KernelLogReading: Codable, Sendable, Hashable {
  /// How many log records were read.
  public var recordsRead: Int
  /// Whether reading stopped at the record limit before the end of the log.
  public var truncated: Bool
  /// One entry per (kind, code), sorted by kind then code.
  public var events: [XidEventSummary]

  public init(recordsRead: Int, truncated: Bool, events: [XidEventSummary]) {
    self.recordsRead = recordsRead
    self.truncated = truncated
    self.events = events
  }
}

/// All occurrences of one Xid or SXid code.
public struct XidEventSummary: Codable, Sendable, Hashable {
  public enum Kind: String, Codable, Sendable, Hashable {
    /// `NVRM: Xid (PCI:…): N, …`, logged by the GPU driver.
    case xid
    /// `nvidia-nvswitchN: SXid (PCI:…): N, …`, logged by the NVSwitch driver.
    case sxid
  }

  public var kind: Kind
  public var code: Int
  public var count: Int
  /// The PCI devices that logged it, sorted.
  public var devices: [String]
  /// The last occurrence's log line (after the `NVRM:`/timestamp prefix).
  public var latest: String

  public init(kind: Kind, code: Int, count: Int, devices: [String], latest: String) {
    self.kind = kind
    self.code = code
    self.count = count
    self.devices = devices
    self.latest = latest
  }
}

/// A systemd service's state.
public struct ServiceState: Codable, Sendable, Hashable {
  /// `systemctl is-active`'s word: `active`, `inactive`, `failed`, `activating`, …
  public var activeState: String
  /// The `Active:` line of `systemctl status`, when that is what was read.
  public var detail: String?

  public init(activeState: String, detail: String?) {
    self.activeState = activeState
    self.detail = detail
  }

  public var isRunning: Bool { activeState == "active" }
}

/// One RDMA port's state of the moment.
public struct RDMAPortReading: Codable, Sendable, Hashable {
  public var device: String
  public var port: Int
  /// `ports/N/state` without its number: `ACTIVE`, `DOWN`, `INIT`, `ARMED`.
  public var state: String?
  /// `ports/N/phys_state` without its number: `LinkUp`, `Disabled`, `Polling`.
  public var physicalState: String?
  /// `ports/N/rate`: `400 Gb/sec (4X NDR)`.
  public var rate: String?

  public init(device: String, port: Int, state: String?, physicalState: String?, rate: String?) {
    self.device = device
    self.port = port
    self.state = state
    self.physicalState = physicalState
    self.rate = rate
  }

  public var isActive: Bool { state == "ACTIVE" }
}

/// One GPU's NVLink state of the moment.
public struct NVLinkReading: Codable, Sendable, Hashable {
  /// Links the driver reports on (active or not).
  public var links: Int
  /// Links up.
  public var active: Int

  public init(links: Int, active: Int) {
    self.links = links
    self.active = active
  }
}
