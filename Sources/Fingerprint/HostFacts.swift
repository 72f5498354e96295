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

  public init(
    kernel: Observed<KernelInfo>, os: Observed<OSRelease>, libc: Observed<LibcInfo>,
    cpu: Observed<CPUInfo>, memory: Observed<MemoryInfo>,
    sharedMemory: Observed<SharedMemoryInfo>, cgroup: Observed<CgroupInfo>,
    pci: Observed<PCIInventory>, nvidia: NvidiaFacts,
    containerToolkit: ContainerToolkitFacts, docker: ContainerEngineFacts,
    podman: ContainerEngineFacts, platform: PlatformFacts? = nil
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

/// Installed memory.
public struct MemoryInfo: Codable, Sendable, Hashable {
  public var totalBytes: UInt64

  public init(totalBytes: UInt64) {
    self.totalBytes = totalBytes
  }
}

/// The `/dev/shm` mount PyTorch's DataLoader workers share tensors through.
public struct SharedMemoryInfo: Codable, Sendable, Hashable {
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
