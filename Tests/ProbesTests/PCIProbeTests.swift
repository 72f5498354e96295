import Fingerprint
import TestSupport
import Testing

@testable import Probes

@Suite struct PCIProbeTests {
  func context(_ root: HostRoot) -> ProbeContext {
    ProbeContext(root: root, runsCommands: false, nvml: DefaultNVMLSource(root: root), environment: [:])
  }

  @Test func realH200CaptureThroughLibpci() throws {
    let scan = PCIProbe.probe(context(FixtureHost.h200))
    let inventory = try #require(scan.inventory.value)
    let readings = try #require(scan.readings)
    #expect(readings.devicesScanned == 7)
    #expect(inventory.gpus.count == 1)
    let gpu = try #require(inventory.gpus.first)
    #expect(gpu.address == "0000:00:06.0")
    #expect(gpu.vendorID == "10de")
    #expect(gpu.deviceID == "2335")
    #expect(gpu.subsystemVendorID == "10de")
    #expect(gpu.subsystemDeviceID == "18bf")
    #expect(gpu.classCode == "030200")
    #expect(gpu.revision == "a1")
    #expect(gpu.driver == "nvidia")
    #expect(gpu.numaNode == nil, "numa_node is -1 in the capture")
    #expect(gpu.link == PCIeLink(maxSpeed: "32.0 GT/s PCIe", maxWidth: 16))
    // The current link and the pci.ids names are readings, kept out of the identity.
    let reading = try #require(readings.devices.first)
    #expect(readings.devices.count == 1)
    #expect(reading.address == "0000:00:06.0")
    #expect(reading.currentLinkSpeed == "32.0 GT/s PCIe")
    #expect(reading.currentLinkWidth == 16)
    #expect(reading.vendorName == "NVIDIA Corporation")
    #expect(reading.className == "3D controller")
    let database = try #require(readings.database)
    #expect(database.version?.isEmpty == false)
  }

  @Test func flattenedLinksLeaveNoTemporaryTreeBehind() throws {
    let scratch = try TemporaryTree(prefix: "rigcheck-scratch")
    let probeContext = ProbeContext(root: FixtureHost.h200, runsCommands: false, environment: ["TMPDIR": scratch.path])
    #expect(PCIProbe.probe(probeContext).inventory.value?.gpus.count == 1)
    #expect(try HostRoot(scratch.path).list("/") == [])
  }

  @Test func twoGPUsAreSortedByAddress() throws {
    let tree = try FixtureHost.materialize("two-gpus")
    let scan = PCIProbe.probe(context(tree.root))
    let inventory = try #require(scan.inventory.value)
    #expect(scan.readings?.devicesScanned == 8)
    #expect(scan.readings?.devices.map(\.address) == ["0000:00:06.0", "0000:00:07.0"])
    #expect(inventory.gpus.map(\.address) == ["0000:00:06.0", "0000:00:07.0"])
    #expect(inventory.gpus.allSatisfy { $0.driver == "nvidia" && $0.deviceID == "2335" })
  }

  @Test func noDriverBoundIsReportedAsNil() throws {
    let tree = try FixtureHost.materialize("no-driver")
    let gpu = try #require(PCIProbe.probe(context(tree.root)).inventory.value?.gpus.first)
    #expect(gpu.address == "0000:00:06.0")
    #expect(gpu.driver == nil)
  }

  @Test func nouveauBoundIsNamed() throws {
    let tree = try FixtureHost.materialize("nouveau-bound")
    let gpu = try #require(PCIProbe.probe(context(tree.root)).inventory.value?.gpus.first)
    #expect(gpu.driver == "nouveau")
  }

  @Test func thisMachinesRealBusHasNoGPU() throws {
    let scan = PCIProbe.probe(context(HostRoot()))
    let result = scan.inventory
    // Every Linux machine CI runs on exposes sysfs; a VM without PCI would say absent.
    let inventory = try #require(result.value, "\(result.missingDescription ?? "")")
    #expect(scan.readings?.devicesScanned ?? 0 > 0)
    #expect(inventory.gpus.isEmpty)
    #expect(result.source == "libpci:sysfs /sys/bus/pci")
  }

  @Test func missingBusIsAbsentNotAnError() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-empty")
    try tree.write("root/etc/os-release", "ID=debian\n")
    let result = PCIProbe.probe(context(tree.root)).inventory
    #expect(result.status == .absent)
    #expect(result.reason?.contains("/sys/bus/pci/devices does not exist") == true)
  }

  @Test func libpciErrorsAreTrappedNotFatal() throws {
    // A device directory without the files libpci must read: libpci's error callback
    // would exit() the process; the guard turns it into an unreadable fact.
    let tree = try TemporaryTree(prefix: "rigcheck-brokenpci")
    try tree.write("root/sys/devices/pci0000:00/0000:00:09.0/class", "0x030200\n")
    try tree.write("root/sys/bus/pci/devices/0000:00:09.0", "../../../devices/pci0000:00/0000:00:09.0")
    let result = PCIProbe.probe(context(tree.root)).inventory
    #expect(result.status == .unreadable)
    #expect(result.reason?.contains("libpci") == true)
  }

  @Test func gpuClassFilter() {
    #expect(PCIProbe.isGPUClass(0x0300))
    #expect(PCIProbe.isGPUClass(0x0302))
    #expect(PCIProbe.isGPUClass(0x1200))
    #expect(!PCIProbe.isGPUClass(0x0200))
    #expect(!PCIProbe.isGPUClass(0x0604))
  }

  @Test func pciIDsVersionHeader() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-ids")
    try tree.write("pci.ids", "#\n#\tList of PCI ID's\n#\n#\tVersion: 2026.08.22\n#\tDate:    2026-08-22 03:15:02\n#\n10de  NVIDIA Corporation\n")
    #expect(PCIProbe.pciIDsVersion(HostRoot(tree.path), path: "/pci.ids") == "2026.08.22")
  }

  @Test func chosenPCIIDsFileNamesDevices() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-ids")
    try tree.write("pci.ids", "#\tVersion: 2099.01.01\n10de  NVIDIA Corporation\n\t2335  GH100 [H200 SXM 141GB]\n")
    var probeContext = context(FixtureHost.h200)
    probeContext.pciIDsPath = tree.path + "/pci.ids"
    let readings = try #require(PCIProbe.probe(probeContext).readings)
    #expect(readings.database == PCIDatabase(path: tree.path + "/pci.ids", version: "2099.01.01"))
    #expect(readings.devices.first?.deviceName == "GH100 [H200 SXM 141GB]")
  }
}
