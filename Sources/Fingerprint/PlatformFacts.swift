/// How rigcheck saw the host, and the platform traits other facts do not carry: whose view
/// the mount and cgroup facts are, WSL, and where the NVIDIA driver's user-space libraries live.
public struct PlatformFacts: Codable, Sendable, Hashable {
  /// Facts read from rigcheck's own process (`/proc/self/…`) under a root that is not `/`,
  /// because the host's view (`/proc/1/…`) could not be read: they describe the container
  /// rigcheck runs in (a DaemonSet pod), not the host under the root. Names of ``HostFacts``
  /// properties (`cgroup`, `sharedMemory`), sorted; empty when every fact is the host's.
  public var containerViewFacts: [String]
  /// Windows Subsystem for Linux, when the host is a WSL distribution.
  public var wsl: WSLInfo?
  /// NVML (`libnvidia-ml.so.1`) and the driver's other user-space libraries under the root.
  public var nvidiaLibraries: Observed<NvidiaLibraries>

  public init(containerViewFacts: [String], wsl: WSLInfo?, nvidiaLibraries: Observed<NvidiaLibraries>) {
    self.containerViewFacts = containerViewFacts
    self.wsl = wsl
    self.nvidiaLibraries = nvidiaLibraries
  }
}

/// A WSL distribution. WSL2 reaches the Windows host's GPUs through `/dev/dxg` (GPU
/// paravirtualization) and the driver libraries Windows mounts at `/usr/lib/wsl/lib`: the
/// GPUs are not on the distribution's PCI bus and no NVIDIA kernel module is loaded.
public struct WSLInfo: Codable, Sendable, Hashable {
  /// 1 or 2; only WSL2 can use GPUs.
  public var version: Int
  /// `/dev/dxg` when the paravirtualized GPU device exists.
  public var gpuDevice: String?
  /// What gave WSL away (`kernel 5.15.167.4-microsoft-standard-WSL2`, `/dev/dxg exists`).
  public var evidence: String

  public init(version: Int, gpuDevice: String?, evidence: String) {
    self.version = version
    self.gpuDevice = gpuDevice
    self.evidence = evidence
  }
}

/// Where the NVIDIA driver's user-space libraries were found.
public struct NvidiaLibraries: Codable, Sendable, Hashable {
  /// The root the driver's files live under: `/` for a driver installed on the host,
  /// `/run/nvidia/driver` for the NVIDIA GPU Operator's driver container, `/usr/lib/wsl`
  /// for the libraries Windows provides to WSL2.
  public var driverRoot: String
  /// The host-absolute directory holding them (`/usr/lib/x86_64-linux-gnu`, `/usr/lib64`, …).
  public var directory: String
  /// The host-absolute path of `libnvidia-ml.so.1` (NVML).
  public var nvml: String
  /// The host-absolute path of `libcuda.so.1`, when present.
  public var cuda: String?
  /// The driver version in the file name `libnvidia-ml.so.1` links to
  /// (`libnvidia-ml.so.580.159.04`), when it is a link.
  public var version: String?

  public init(driverRoot: String, directory: String, nvml: String, cuda: String?, version: String?) {
    self.driverRoot = driverRoot
    self.directory = directory
    self.nvml = nvml
    self.cuda = cuda
    self.version = version
  }
}
