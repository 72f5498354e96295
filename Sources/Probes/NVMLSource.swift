import Fingerprint

/// What an NVML query yields, split by the fingerprint part each value belongs to.
///
/// Codable: the NVML helper child (`rigcheck __probe nvml`) prints it as JSON.
public struct NVMLQuery: Codable, Sendable, Hashable {
  public var report: Observed<NVMLReport>
  /// UUIDs and serials (machine-specific).
  public var serials: [GPUSerials]
  /// Temperatures and memory in use (volatile).
  public var readings: [GPUReadings]

  public init(report: Observed<NVMLReport>, serials: [GPUSerials] = [], readings: [GPUReadings] = []) {
    self.report = report
    self.serials = serials
    self.readings = readings
  }
}

/// A source of NVML answers: the real library, a captured `nvidia-smi -q -x`, or a test fake.
public protocol NVMLSource: Sendable {
  func query() -> NVMLQuery
}

/// The live library on a live host; a captured `nvidia-smi -q -x` report in a captured tree.
public struct DefaultNVMLSource: NVMLSource {
  /// Where captured trees keep the XML report of `nvidia-smi -q -x`.
  public static let capturedReportPath = "/captured/nvidia-smi-q.xml"
  /// Files that exist when an NVIDIA driver is loaded: the kernel module's version file and
  /// its control node (the container toolkit mounts both into GPU containers, CDI included).
  public static let driverMarkers = ["/proc/driver/nvidia/version", "/dev/nvidiactl"]
  public let root: HostRoot
  /// How the live library is queried: under a deadline (rigcheck runs it in a helper child),
  /// and only when a driver is loaded. Nil queries it in this process, with no deadline.
  public let live: IsolatedNVML?

  public init(root: HostRoot, live: IsolatedNVML? = nil) {
    self.root = root
    self.live = live
  }

  public func query() -> NVMLQuery {
    if root.isLive {
      guard let live else { return DynamicNVML().query() }
      guard Self.driverMarkers.contains(where: root.exists) else {
        return NVMLQuery(
          report: .absent(
            "not probed: no NVIDIA driver is loaded (neither \(Self.driverMarkers.joined(separator: " nor ")) exists)",
            source: "nvml"))
      }
      return live.query()
    }
    if root.exists(Self.capturedReportPath) {
      return CapturedNvidiaSMI(root: root, path: Self.capturedReportPath).query()
    }
    return NVMLQuery(
      report: .absent(
        "not probed: the live NVML describes this machine, not the tree at \(root.path), and the tree has no \(Self.capturedReportPath)",
        source: "nvml"))
  }
}

/// NVML bus ids (`00000000:00:06.0`) in libpci's form (`0000:00:06.0`).
func normalizedPCIAddress(_ busID: String) -> String {
  let lower = busID.lowercased()
  let parts = lower.split(separator: ":", maxSplits: 1)
  guard parts.count == 2 else { return lower }
  let domain = parts[0].count > 4 ? String(parts[0].suffix(4)) : String(parts[0])
  return domain + ":" + parts[1]
}

/// NVML's `nvmlBrandType_t` names (nvml.h), as `nvidia-smi` prints them.
func nvmlBrandName(_ value: Int32) -> String {
  switch value {
  case 1: return "Quadro"
  case 2: return "Tesla"
  case 3: return "NVS"
  case 4: return "GRID"
  case 5: return "GeForce"
  case 6: return "TITAN"
  case 7: return "NVIDIA Virtual Applications"
  case 8: return "NVIDIA Virtual PC"
  case 9: return "NVIDIA Virtual Compute Server"
  case 10: return "NVIDIA RTX Virtual Workstation"
  case 11: return "NVIDIA Cloud Gaming"
  case 12: return "Quadro RTX"
  case 13: return "NVIDIA RTX"
  case 14: return "NVIDIA"
  case 15: return "GeForce RTX"
  case 16: return "TITAN RTX"
  default: return "Unknown"
  }
}

/// NVML's integer CUDA driver version (13000) as `13.0`.
func cudaVersionString(_ encoded: Int32) -> String {
  "\(encoded / 1000).\(encoded % 1000 / 10)"
}
