/// Everything the host probes learn about a machine's identity.
public struct HostFacts: Codable, Sendable, Hashable {
  public var kernel: Observed<KernelInfo>
  public var os: Observed<OSRelease>
  public var libc: Observed<LibcInfo>
  public var cpu: Observed<CPUInfo>
  public var memory: Observed<MemoryInfo>
  public var sharedMemory: Observed<SharedMemoryInfo>
  public var cgroup: Observed<CgroupInfo>
  public var pci: Observed<PCIInventory>
  public var nvidia: NvidiaFacts
  public var containerToolkit: ContainerToolkitFacts
  public var docker: ContainerEngineFacts
  public var podman: ContainerEngineFacts
  /// Whose view the facts are, WSL, and where the driver's libraries live (absent in
  /// fingerprints written before it existed).
  public var platform: PlatformFacts?
  /// NVSwitches, Fabric Manager, RDMA, GPU/NIC topology and NCCL settings (absent in
  /// fingerprints written before it existed).
  public var nodeFabric: NodeFabricFacts?

  public init(
    kernel: Observed<KernelInfo>, os: Observed<OSRelease>, libc: Observed<LibcInfo>,
    cpu: Observed<CPUInfo>, memory: Observed<MemoryInfo>,
    sharedMemory: Observed<SharedMemoryInfo>, cgroup: Observed<CgroupInfo>,
    pci: Observed<PCIInventory>, nvidia: NvidiaFacts,
    containerToolkit: ContainerToolkitFacts, docker: ContainerEngineFacts,
    podman: ContainerEngineFacts, platform: PlatformFacts? = nil, nodeFabric: NodeFabricFacts? = nil
  ) {
    self.kernel = kernel
    self.os = os
    self.libc = libc
    self.cpu = cpu
    self.memory = memory
    self.sharedMemory = sharedMemory
    self.cgroup = cgroup
    self.pci = pci
    self.nvidia = nvidia
    self.containerToolkit = containerToolkit
    self.docker = docker
    self.podman = podman
    self.platform = platform
    self.nodeFabric = nodeFabric
  }
}

/// The running kernel.
public struct KernelInfo: Codable, Sendable, Hashable {
  /// `uname -r`, e.g. `6.1.0-28-amd64`.
  public var release: String
  /// The build string after the release in /proc/version, when present (`#1 SMP …`).
  public var version: String?
  /// Machine architecture (`x86_64`, `aarch64`), when known.
  public var architecture: String?

  public init(release: String, version: String?, architecture: String?) {
    self.release = release
    self.version = version
    self.architecture = architecture
  }
}

/// The distribution, from os-release(5).
public struct OSRelease: Codable, Sendable, Hashable {
  public var id: String
  public var versionID: String?
  public var prettyName: String?
  public var versionCodename: String?
  public var idLike: [String]

  public init(
    id: String, versionID: String?, prettyName: String?, versionCodename: String?, idLike: [String]
  ) {
    self.id = id
    self.versionID = versionID
    self.prettyName = prettyName
    self.versionCodename = versionCodename
    self.idLike = idLike
  }
}

/// The C library ML wheels are built against (manylinux tags name a glibc version).
public struct LibcInfo: Codable, Sendable, Hashable {
  /// `glibc` or `musl`.
  public var name: String
  public var version: String

  public init(name: String, version: String) {
    self.name = name
    self.version = version
  }
}

/// The processor, as far as it decides which ML wheels and kernels run.
public struct CPUInfo: Codable, Sendable, Hashable {
  public var model: String?
  public var vendor: String?
  public var logicalCores: Int
  /// The ISA extensions ML libraries dispatch on (avx2, avx512*, amx*, fma, f16c, …), sorted.
  public var mlFlags: [String]

  public init(model: String?, vendor: String?, logicalCores: Int, mlFlags: [String]) {
    self.model = model
    self.vendor = vendor
    self.logicalCores = logicalCores
    self.mlFlags = mlFlags
  }
}

/// Installed memory, as a person would name it.
public struct MemoryInfo: Codable, Sendable, Hashable {
  /// MemTotal rounded up to its nominal size (``NominalSize``): 131981020 kB (125.9 GiB) is
  /// 128 GiB. MemTotal is what is left after the kernel's and firmware's reservations, which
  /// differ by a few MiB between identical nodes; the exact value is
  /// ``VolatileFacts/memoryTotalBytes``.
  public var nominalBytes: UInt64

  public init(nominalBytes: UInt64) {
    self.nominalBytes = nominalBytes
  }

  /// The nominal size of a MemTotal reading.
  public init(memTotalBytes: UInt64) {
    self.init(nominalBytes: NominalSize.roundedUp(memTotalBytes))
  }
}

/// Rounds a size read from a running system up to the size a person would name: the next
/// multiple of an eighth of the largest power of two not above it. 125.9 GiB → 128 GiB
/// (eighths of 64 GiB: 8 GiB steps), 2015 GiB → 2048 GiB, 1510 GiB → 1536 GiB, 188.9 GiB →
/// 192 GiB, 62.9 GiB → 64 GiB, 15.6 GiB → 16 GiB. Sizes already on that grid (64 MiB,
/// 128 GiB, 1.5 TiB) are unchanged.
///
/// A reservation only ever lowers what the kernel reports, so rounding up (not to the
/// nearest) brings identical nodes to one value as long as their reservations stay under one
/// step (at least 1/16 of the size).
public enum NominalSize {
  public static func roundedUp(_ bytes: UInt64) -> UInt64 {
    guard bytes >= 16 else { return bytes }
    let power = UInt64(63 - bytes.leadingZeroBitCount)
    let step = UInt64(1) << (power - 3)
    let (quotient, remainder) = bytes.quotientAndRemainder(dividingBy: step)
    guard remainder != 0 else { return bytes }
    let (rounded, overflow) = (quotient + 1).multipliedReportingOverflow(by: step)
    return overflow ? bytes : rounded
  }
}

/// The `/dev/shm` mount PyTorch's DataLoader workers share tensors through.
public struct SharedMemoryInfo: Codable, Sendable, Hashable {
  /// The mount's size. A size set with `size=` is kept as set; the kernel's default (half of
  /// MemTotal, measured with statvfs) is rounded up to its nominal size like
  /// ``MemoryInfo/nominalBytes``; the exact value is ``VolatileFacts/sharedMemorySizeBytes``.
  public var sizeBytes: UInt64
  public var filesystem: String

  public init(sizeBytes: UInt64, filesystem: String) {
    self.sizeBytes = sizeBytes
    self.filesystem = filesystem
  }
}

/// Control-group facts: the version in use and, inside a container, its limits.
public struct CgroupInfo: Codable, Sendable, Hashable {
  /// 1 or 2.
  public var version: Int
  /// Whether this process runs inside a container (Docker, Podman, Kubernetes, …).
  public var inContainer: Bool
  /// How the container was recognised (`/.dockerenv`, `/run/.containerenv`, cgroup path).
  public var containerEvidence: String?
  /// CPU quota in cores (`"2"`, `"1.5"`), nil when unlimited.
  public var cpuLimitCores: String?
  /// Memory limit in bytes, nil when unlimited.
  public var memoryLimitBytes: UInt64?

  public init(
    version: Int, inContainer: Bool, containerEvidence: String?, cpuLimitCores: String?,
    memoryLimitBytes: UInt64?
  ) {
    self.version = version
    self.inContainer = inContainer
    self.containerEvidence = containerEvidence
    self.cpuLimitCores = cpuLimitCores
    self.memoryLimitBytes = memoryLimitBytes
  }
}
