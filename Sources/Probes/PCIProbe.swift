import CLibPCI
import CLibPCIGuard
import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Lists GPU-class PCI devices through libpci (pciutils) reading sysfs under the host root.
///
/// libpci reads `/sys/bus/pci/devices/*` (its `sysfs.path` parameter points under the root)
/// for ids, class, revision, subsystem and NUMA node, and names them from a pci.ids file.
/// The bound driver and the PCIe link state come from the device's sysfs directory.
///
/// What the host is (ids, class, driver, NUMA node, maximum link) goes to the identity; the
/// current link (idle GPUs train it down), the number of functions scanned, and the names
/// (they come from the reader's pci.ids, not from the host) are readings.
/// libpci is limited to its sysfs back end, so it never falls back to port I/O or
/// `/proc/bus/pci` of the machine rigcheck runs on, and its fatal-error callback is trapped.
enum PCIProbe {
  static let devicesDirectory = "/sys/bus/pci/devices"
  static let source = "libpci:sysfs /sys/bus/pci"

  /// Display controllers (0x03xx) and processing accelerators (0x12xx).
  static func isGPUClass(_ deviceClass: UInt16) -> Bool {
    let base = deviceClass >> 8
    return base == 0x03 || base == 0x12
  }

  /// The identity part of the scan and its readings (nil when the bus could not be scanned).
  struct Result: Sendable {
    var inventory: Observed<PCIInventory>
    var readings: PCIReadings?

    init(_ inventory: Observed<PCIInventory>, readings: PCIReadings? = nil) {
      self.inventory = inventory
      self.readings = readings
    }
  }

  /// The scan on a thread of its own, abandoned (and reported `unreadable`) after `deadline`
  /// seconds: libpci has no timeout, and a wedged device can block its config-space reads.
  static func probe(_ context: ProbeContext, deadline: Double) -> Result {
    Platform.onNewThread(within: deadline) { probe(context) }
      ?? Result(.unreadable("libpci did not answer within \(CommandError.format(deadline)) s: a PCI device may be wedged", source: source))
  }

  static func probe(_ context: ProbeContext) -> Result {
    let root = context.root
    let entries: [String]
    do {
      entries = try root.list(devicesDirectory)
    } catch .notFound {
      return Result(.absent("\(devicesDirectory) does not exist: no PCI bus is visible (sysfs not mounted, or not Linux)", source: source))
    } catch {
      return Result(.unreadable(error.description, source: source))
    }

    // A captured tree may hold flattened links; give libpci a directory of real links.
    var sysfsPath = root.hostPath("/sys/bus/pci")
    var shadow: ShadowSysfs?
    if entries.contains(where: { root.kind(of: "\(devicesDirectory)/\($0)") == .file }) {
      do {
        shadow = try ShadowSysfs(root: root, entries: entries, temporaryDirectory: context.environment["TMPDIR"] ?? "/tmp")
      } catch {
        return Result(.unreadable("cannot prepare the captured PCI tree for libpci: \(error)", source: source))
      }
      sysfsPath = shadow!.path
    }
    defer { shadow?.remove() }

    let database = pciDatabase(context)
    guard let access = cpci_alloc_sysfs() else {
      return Result(.unreadable("libpci could not allocate its access structure", source: source))
    }
    defer { pci_cleanup(access) }
    cpci_guard_install(access)
    _ = cpci_set_param(access, "sysfs.path", sysfsPath)
    _ = cpci_set_param(access, "hwdb.disable", "1")
    if let database { cpci_set_ids_file(access, database.path) }
    if cpci_guarded_init_and_scan(access) != 0 {
      return Result(.unreadable("libpci could not scan \(devicesDirectory): \(String(cString: cpci_guard_last_error()))", source: source))
    }

    var scanned = 0
    var gpus: [(PCIDevice, PCIDeviceReadings)] = []
    var problems: [String] = []
    let flags = Int32(PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE)
    var cursor = access.pointee.devices
    while let device = cursor {
      cursor = device.pointee.next
      scanned += 1
      let known = cpci_guarded_fill_info(device, flags)
      if known < 0 {
        problems.append(String(cString: cpci_guard_last_error()))
        continue
      }
      let fields = device.pointee
      guard isGPUClass(fields.device_class) else { continue }
      gpus.append(describe(fields, known: known, access: access, root: root, hasNames: database != nil))
    }
    if gpus.isEmpty && !problems.isEmpty {
      return Result(.unreadable("libpci could not read some devices: \(problems.joined(separator: "; "))", source: source))
    }
    gpus.sort { $0.0.address < $1.0.address }
    return Result(
      .present(PCIInventory(gpus: gpus.map(\.0)), from: source),
      readings: PCIReadings(devicesScanned: scanned, database: database, devices: gpus.map(\.1)))
  }

  private static func describe(
    _ fields: pci_dev, known: Int32, access: UnsafeMutablePointer<pci_access>, root: HostRoot, hasNames: Bool
  ) -> (PCIDevice, PCIDeviceReadings) {
    let address = "\(hex(UInt32(fields.domain), 4)):\(hex(UInt32(fields.bus), 2)):\(hex(UInt32(fields.dev), 2)).\(hex(UInt32(fields.func), 1))"
    let hasClassExt = known & Int32(PCI_FILL_CLASS_EXT) != 0
    let hasSubsystem = known & Int32(PCI_FILL_SUBSYS) != 0 && !(fields.subsys_vendor_id == 0 && fields.subsys_id == 0)
    let hasNuma = known & Int32(PCI_FILL_NUMA_NODE) != 0 && fields.numa_node >= 0

    func lookup(_ kind: Int32, _ a: Int32, _ b: Int32 = 0, _ c: Int32 = 0, _ d: Int32 = 0) -> String? {
      guard hasNames else { return nil }
      var buffer = [CChar](repeating: 0, count: 512)
      return buffer.withUnsafeMutableBufferPointer { pointer in
        cpci_guarded_lookup(access, pointer.baseAddress, Int32(pointer.count), kind, a, b, c, d).map { String(cString: $0) }
      }
    }
    let vendor = Int32(fields.vendor_id)
    let deviceID = Int32(fields.device_id)

    let deviceDirectory = root.resolveLink("\(devicesDirectory)/\(address)") ?? "\(devicesDirectory)/\(address)"
    let driver = root.resolveLink(deviceDirectory + "/driver").map { String($0.split(separator: "/").last ?? "") }
    let link = PCIeLink(
      maxSpeed: root.readValue(deviceDirectory + "/max_link_speed"),
      maxWidth: root.readValue(deviceDirectory + "/max_link_width").flatMap { Int($0) })
    let hasLink = link.maxSpeed != nil || link.maxWidth != nil

    let device = PCIDevice(
      address: address,
      vendorID: hex(UInt32(fields.vendor_id), 4),
      deviceID: hex(UInt32(fields.device_id), 4),
      subsystemVendorID: hasSubsystem ? hex(UInt32(fields.subsys_vendor_id), 4) : nil,
      subsystemDeviceID: hasSubsystem ? hex(UInt32(fields.subsys_id), 4) : nil,
      classCode: hex(UInt32(fields.device_class), 4) + (hasClassExt ? hex(UInt32(fields.prog_if), 2) : "00"),
      revision: hasClassExt ? hex(UInt32(fields.rev_id), 2) : nil,
      driver: driver,
      numaNode: hasNuma ? Int(fields.numa_node) : nil,
      link: hasLink ? link : nil)
    let readings = PCIDeviceReadings(
      address: address,
      currentLinkSpeed: root.readValue(deviceDirectory + "/current_link_speed"),
      currentLinkWidth: root.readValue(deviceDirectory + "/current_link_width").flatMap { Int($0) },
      vendorName: lookup(cpci_lookup_vendor_kind(), vendor),
      deviceName: lookup(cpci_lookup_device_kind(), vendor, deviceID),
      subsystemName: hasSubsystem
        ? lookup(cpci_lookup_subsystem_kind(), vendor, deviceID, Int32(fields.subsys_vendor_id), Int32(fields.subsys_id)) : nil,
      className: lookup(cpci_lookup_class_kind(), Int32(fields.device_class)))
    return (device, readings)
  }

  /// The pci.ids file names come from: the one given, or the first of the usual places on
  /// this machine (names are looked up by rigcheck, whatever tree it reads).
  static func pciDatabase(_ context: ProbeContext) -> PCIDatabase? {
    let candidates = context.pciIDsPath.map { [$0] } ?? ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"]
    let live = HostRoot()
    for path in candidates where live.kind(of: path) == .file {
      return PCIDatabase(path: path, version: pciIDsVersion(live, path: path))
    }
    return nil
  }

  /// The `#\tVersion: 2023.04.10` header line of a pci.ids file.
  static func pciIDsVersion(_ root: HostRoot, path: String) -> String? {
    guard let bytes = try? root.readBytes(path, limit: 64 << 20) else { return nil }
    for line in String(decoding: bytes.prefix(4096), as: UTF8.self).split(separator: "\n") {
      let text = line.trimmed
      guard text.hasPrefix("#") else { break }
      if let range = text.firstRange(of: "Version:") { return text[range.upperBound...].trimmed }
    }
    return nil
  }

  static func hex(_ value: UInt32, _ width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// A temporary `devices/` directory of real symbolic links into a captured tree whose
/// links were saved as files, so libpci can read it as it reads a live sysfs.
struct ShadowSysfs {
  let path: String

  init(root: HostRoot, entries: [String], temporaryDirectory: String) throws {
    var template = Array("\(temporaryDirectory)/rigcheck-sysfs-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
      throw FileReadError.failed(path: temporaryDirectory, reason: Platform.describe(errno: errno))
    }
    path = String(cString: created)
    guard mkdir(path + "/devices", 0o700) == 0 else { throw FileReadError.failed(path: path, reason: Platform.describe(errno: errno)) }
    for entry in entries {
      let linkPath = "\(PCIProbe.devicesDirectory)/\(entry)"
      let target = root.resolveLink(linkPath) ?? linkPath
      guard let real = realpath(root.hostPath(target), nil) else {
        throw FileReadError.failed(path: target, reason: Platform.describe(errno: errno))
      }
      defer { free(real) }
      guard symlink(real, "\(path)/devices/\(entry)") == 0 else {
        throw FileReadError.failed(path: linkPath, reason: Platform.describe(errno: errno))
      }
    }
  }

  func remove() {
    if let names = try? HostRoot(path).list("/devices") {
      for name in names { unlink("\(path)/devices/\(name)") }
    }
    rmdir(path + "/devices")
    rmdir(path)
  }
}
