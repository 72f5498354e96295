/// A versioned, canonical description of an environment.
///
/// A fingerprint has three parts, kept apart so that only the first counts as drift:
/// - ``identity``: what the environment *is* (kernel, driver, GPUs, runtimes…); hashed by
///   ``identityHash()`` and compared by `rigcheck compare`;
/// - ``machine``: what is unique to one machine (hostname, GPU UUIDs and serials); identical
///   nodes differ here, so it is never hashed and ``Redaction`` can blank it;
/// - ``volatile``: what changes from minute to minute (time, free memory, temperatures,
///   free disk); never hashed.
public struct Fingerprint: Codable, Sendable, Hashable {
  /// The schema this library writes. Bumped on any incompatible change to the JSON.
  public static let currentSchemaVersion = 1

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

  public init(hostname: Observed<String>, gpus: [GPUSerials]) {
    self.hostname = hostname
    self.gpus = gpus
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

/// Values that change between two runs on an unchanged machine; never counted as drift.
public struct VolatileFacts: Codable, Sendable, Hashable {
  /// When the fingerprint was taken, RFC 3339 in UTC.
  public var capturedAt: String
  public var memoryAvailableBytes: UInt64?
  public var sharedMemoryFreeBytes: UInt64?
  public var dockerRootFreeBytes: UInt64?
  public var podmanGraphRootFreeBytes: UInt64?
  /// Per-GPU readings, sorted by PCI address.
  public var gpus: [GPUReadings]

  public init(
    capturedAt: String,
    memoryAvailableBytes: UInt64? = nil,
    sharedMemoryFreeBytes: UInt64? = nil,
    dockerRootFreeBytes: UInt64? = nil,
    podmanGraphRootFreeBytes: UInt64? = nil,
    gpus: [GPUReadings] = []
  ) {
    self.capturedAt = capturedAt
    self.memoryAvailableBytes = memoryAvailableBytes
    self.sharedMemoryFreeBytes = sharedMemoryFreeBytes
    self.dockerRootFreeBytes = dockerRootFreeBytes
    self.podmanGraphRootFreeBytes = podmanGraphRootFreeBytes
    self.gpus = gpus
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

  public init(
    pciAddress: String, temperatureCelsius: Int?, memoryUsedBytes: UInt64?, uncorrectableECCErrors: UInt64? = nil,
    retiredPagesPending: Bool? = nil, remappedRowsPending: Bool? = nil, remappingFailed: Bool? = nil
  ) {
    self.pciAddress = pciAddress
    self.temperatureCelsius = temperatureCelsius
    self.memoryUsedBytes = memoryUsedBytes
    self.uncorrectableECCErrors = uncorrectableECCErrors
    self.retiredPagesPending = retiredPagesPending
    self.remappedRowsPending = remappedRowsPending
    self.remappingFailed = remappingFailed
  }
}
