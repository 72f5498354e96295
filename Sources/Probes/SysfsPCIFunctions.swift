import Fingerprint

/// Every PCI function under `/sys/bus/pci/devices`, with the few sysfs attributes the node
/// health probes need: vendor, class, NUMA node, and the bridges above it.
///
/// Read from sysfs directly (not libpci, whose scan keeps GPU-class devices only): NVSwitches
/// are class 0x0680 and NICs class 0x02xx. Each `/sys/bus/pci/devices/<bdf>` is a link to the
/// function's directory under `/sys/devices`, whose path names every bridge from the root
/// port down (`/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/…/0000:18:00.0`); captured
/// trees keep the links as small files holding the target, which ``HostRoot`` resolves alike.
struct SysfsPCIFunctions: Sendable {
  struct Function: Codable, Sendable, Hashable {
    var address: String
    /// `10de` (NVIDIA), `15b3` (Mellanox/NVIDIA networking).
    var vendor: String
    /// 24-bit class, e.g. `0x068000`.
    var classCode: UInt32
    var numaNode: Int?
    var bridges: [String]
    var directory: String

    var baseClass: UInt32 { classCode >> 16 }
    var isNVIDIA: Bool { vendor == "10de" }
    /// Display (0x03) or processing accelerator (0x12) from NVIDIA.
    var isNVIDIAGPU: Bool { isNVIDIA && (baseClass == 0x03 || baseClass == 0x12) }
    /// NVIDIA's NVSwitch: class 0x0680 ("bridge: other"), as `lspci` lists it on HGX boards.
    var isNVSwitch: Bool { isNVIDIA && classCode >> 8 == 0x0680 }
    /// Network (0x02xx: Ethernet 0x0200, InfiniBand 0x0207).
    var isNetwork: Bool { baseClass == 0x02 }
  }

  static let devicesDirectory = "/sys/bus/pci/devices"

  let functions: Observed<[Function]>

  init(_ root: HostRoot) {
    let source = "file:\(Self.devicesDirectory)"
    let names: [String]
    do {
      names = try root.list(Self.devicesDirectory)
    } catch .notFound {
      functions = .absent("\(Self.devicesDirectory) does not exist: no PCI bus is visible", source: source)
      return
    } catch {
      functions = .unreadable(error.description, source: source)
      return
    }
    functions = .present(names.compactMap { Self.function($0, root: root) }, from: source)
  }

  /// This scan's absence or failure, as a fact of another type.
  func missing<T>() -> Observed<T> {
    let reason = functions.reason ?? "no PCI functions"
    return functions.status == .absent ? .absent(reason, source: functions.source) : .unreadable(reason, source: functions.source)
  }

  static func function(_ address: String, root: HostRoot) -> Function? {
    let link = "\(devicesDirectory)/\(address)"
    let directory = root.resolveLink(link) ?? link
    guard let vendor = root.readValue(directory + "/vendor").map(hexDigits),
      let classCode = root.readValue(directory + "/class").flatMap({ UInt32(hexDigits($0), radix: 16) })
    else { return nil }
    let numa = root.readValue(directory + "/numa_node").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    return Function(
      address: address, vendor: vendor, classCode: classCode, numaNode: numa,
      bridges: bridges(of: directory, address: address), directory: directory)
  }

  /// `/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:18:00.0` → the bridge addresses
  /// `0000:15:01.0`, `0000:16:00.0` (the components shaped like a PCI address, the function
  /// itself left out).
  static func bridges(of directory: String, address: String) -> [String] {
    directory.split(separator: "/").map(String.init).filter(isPCIAddress).filter { $0 != address }
  }

  /// `dddd:bb:dd.f`.
  static func isPCIAddress(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 12, bytes[4] == UInt8(ascii: ":"), bytes[7] == UInt8(ascii: ":"), bytes[10] == UInt8(ascii: ".") else { return false }
    return bytes.enumerated().allSatisfy { index, byte in
      [4, 7, 10].contains(index) || (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 102)
    }
  }

  /// `0x10de` → `10de`.
  static func hexDigits(_ text: String) -> String {
    (text.hasPrefix("0x") ? String(text.dropFirst(2)) : text).lowercased()
  }
}
