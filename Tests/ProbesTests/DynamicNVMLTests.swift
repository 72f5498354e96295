import Fingerprint
import TestSupport
import Testing

@testable import Probes
import Compatibility

@Suite struct DynamicNVMLTests {
  static let fakeSource = FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"

  /// Compiles the fake NVML into `directory/libnvidia-ml.so.1` with the real C compiler.
  func buildFakeLibrary(in tree: TemporaryTree, defines: [String] = []) async throws -> String {
    let output = tree.path + "/libnvidia-ml.so.1"
    let result = try await ProcessCommandRunner().run(
      Command("cc", ["-shared", "-fPIC", "-o", output, Self.fakeSource] + defines, timeoutSeconds: 60))
    try #require(result.succeeded, "cc failed: \(result.stderr)")
    return output
  }

  @Test func missingLibraryIsAbsentWithTheLoadersReason() {
    let query = DynamicNVML(libraryPath: "/nonexistent/libnvidia-ml.so.1").query()
    #expect(query.report.status == .absent)
    #expect(query.report.reason?.contains("/nonexistent/libnvidia-ml.so.1") == true)
    #expect(query.report.reason?.contains("No such file") == true)
    #expect(query.serials.isEmpty)
  }

  @Test func thisMachinesDefaultLookupAgreesWithTheLoader() {
    // No NVIDIA driver is installed on the CI machines: NVML must be reported absent, with
    // dlopen's own reason, and nothing else may fail.
    let query = DynamicNVML().query()
    if query.report.status == .present {
      #expect(query.report.value?.driverVersion.isEmpty == false)
    } else {
      #expect(query.report.reason?.contains("libnvidia-ml.so.1") == true)
    }
  }

  @Test func realDlopenOfAnNVMLShapedLibrary() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-fakenvml")
    let library = try await buildFakeLibrary(in: tree)
    let query = DynamicNVML(libraryPath: library).query()
    let report = try #require(query.report.value, "\(query.report.missingDescription ?? "")")
    #expect(report.driverVersion == "580.159.04")
    #expect(report.cudaDriverVersion == "13.0")
    #expect(report.gpus.count == 1)
    let gpu = try #require(report.gpus.first)
    #expect(gpu.pciAddress == "0000:00:06.0")
    #expect(gpu.name == "NVIDIA H200")
    #expect(gpu.brand == "NVIDIA")
    #expect(gpu.computeCapability == "9.0")
    #expect(gpu.memoryTotalBytes == 143771 * 1_048_576)
    #expect(gpu.persistenceMode == true)
    #expect(gpu.migMode == false)
    #expect(query.serials == [GPUSerials(pciAddress: "0000:00:06.0", uuid: "GPU-5a1e0000-0000-4000-8000-000000000001", serial: "0000000000000")])
    #expect(query.readings == [
      GPUReadings(
        pciAddress: "0000:00:06.0", temperatureCelsius: 42, memoryUsedBytes: 616 * 1_048_576, uncorrectableECCErrors: 0,
        retiredPagesPending: false, remappedRowsPending: false, remappingFailed: false, utilizationPercent: 0,
        pcieLink: GPULinkReading(currentGeneration: 5, maxGeneration: 5, currentWidth: 16, maxWidth: 16), clocksEventReasons: ["gpu_idle"])
    ])
  }

  @Test func pcieGenerationAndUtilisationAreReadings() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-fakenvml")
    let library = try await buildFakeLibrary(in: tree, defines: ["-DFAKE_LINK_GEN=1", "-DFAKE_GPU_UTIL=97"])
    let reading = try #require(DynamicNVML(libraryPath: library).query().readings.first)
    #expect(reading.utilizationPercent == 97)
    #expect(reading.pcieLink == GPULinkReading(currentGeneration: 1, maxGeneration: 5, currentWidth: 16, maxWidth: 16))
  }

  @Test func driverLibraryVersionMismatchIsExplained() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-fakenvml")
    let library = try await buildFakeLibrary(in: tree, defines: ["-DFAKE_INIT_RESULT=18"])
    let query = DynamicNVML(libraryPath: library).query()
    #expect(query.report.status == .unreadable)
    #expect(query.report.reason?.contains("Driver/library version mismatch") == true)
    #expect(query.report.reason?.contains("NVML error 18") == true)
  }

  @Test func aLibraryWithoutNVMLSymbolsIsRejected() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-notnvml")
    try tree.write("empty.c", "int unrelated(void) { return 0; }\n")
    let output = tree.path + "/libnvidia-ml.so.1"
    let built = try await ProcessCommandRunner().run(Command("cc", ["-shared", "-fPIC", "-o", output, tree.path + "/empty.c"], timeoutSeconds: 60))
    try #require(built.succeeded)
    let query = DynamicNVML(libraryPath: output).query()
    #expect(query.report.status == .absent)
    #expect(query.report.reason?.contains("nvmlInit_v2") == true)
  }

  @Test func encodings() {
    #expect(cudaVersionString(13000) == "13.0")
    #expect(cudaVersionString(12040) == "12.4")
    #expect(cudaVersionString(11080) == "11.8")
    #expect(normalizedPCIAddress("00000000:00:06.0") == "0000:00:06.0")
    #expect(normalizedPCIAddress("0000:1A:00.0") == "0000:1a:00.0")
    #expect(nvmlBrandName(2) == "Tesla")
    #expect(nvmlBrandName(14) == "NVIDIA")
    #expect(nvmlBrandName(99) == "Unknown")
  }
}

@Suite struct CapturedNvidiaSMITests {
  @Test func realH200Report() throws {
    let query = CapturedNvidiaSMI(root: FixtureHost.h200, path: DefaultNVMLSource.capturedReportPath).query()
    let report = try #require(query.report.value)
    #expect(report.driverVersion == "580.159.04")
    #expect(report.cudaDriverVersion == "13.0")
    let gpu = try #require(report.gpus.first)
    #expect(gpu.pciAddress == "0000:00:06.0")
    #expect(gpu.name == "NVIDIA H200")
    #expect(gpu.brand == "NVIDIA")
    #expect(gpu.memoryTotalBytes == 143771 * 1_048_576)
    #expect(gpu.persistenceMode == true)
    #expect(gpu.migMode == false)
    #expect(gpu.computeCapability == "9.0")
    #expect(gpu.computeCapabilitySource == GPUCatalog.source)
    #expect(query.serials.first?.uuid == "GPU-5a1e0000-0000-4000-8000-000000000001")
    #expect(query.readings == [
      GPUReadings(
        pciAddress: "0000:00:06.0", temperatureCelsius: 42, memoryUsedBytes: 0, uncorrectableECCErrors: 0,
        retiredPagesPending: nil, remappedRowsPending: false, remappingFailed: false, utilizationPercent: 0,
        pcieLink: GPULinkReading(currentGeneration: 5, maxGeneration: 5, currentWidth: 16, maxWidth: 16), clocksEventReasons: ["gpu_idle"])
    ])
  }

  @Test func twoGPUReport() throws {
    let tree = try FixtureHost.materialize("two-gpus")
    let query = CapturedNvidiaSMI(root: tree.root, path: DefaultNVMLSource.capturedReportPath).query()
    #expect(query.report.value?.gpus.map(\.pciAddress) == ["0000:00:06.0", "0000:00:07.0"])
    #expect(query.serials.map(\.uuid) == ["GPU-5a1e0000-0000-4000-8000-000000000001", "GPU-5a1e0000-0000-4000-8000-000000000002"])
  }

  @Test func notAnNvidiaSMIReport() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-xml")
    try tree.write("root/captured/nvidia-smi-q.xml", "<html>hello</html>")
    let query = CapturedNvidiaSMI(root: tree.root, path: DefaultNVMLSource.capturedReportPath).query()
    #expect(query.report.status == .unreadable)
    #expect(query.report.reason?.contains("driver_version") == true)
  }

  @Test func capturedTreeWithoutReportSaysWhy() throws {
    let tree = try FixtureHost.materialize("no-driver")
    let query = DefaultNVMLSource(root: tree.root).query()
    #expect(query.report.status == .absent)
    #expect(query.report.reason?.contains("describes this machine") == true)
  }

  @Test func catalogKnowsHopperAndBlackwell() {
    #expect(GPUCatalog.nvidia(deviceID: 0x2335)?.computeCapability == "9.0")
    #expect(GPUCatalog.nvidia(deviceID: 0x2330)?.architecture == "Hopper")
    #expect(GPUCatalog.nvidia(deviceID: 0x0001) == nil)
  }
}

/// NVLink state and clocks event reasons through the real dlopen/dlsym path of DynamicNVML.
@Suite struct DynamicNVMLNodeHealthTests {
  @Test func nvlinkAndThrottleFromTheLibrary() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-fakenvml")
    let library = try await DynamicNVMLTests().buildFakeLibrary(in: tree, defines: ["-DFAKE_NVLINK_ACTIVE=16", "-DFAKE_CLOCKS_EVENTS=0x48"])
    let reading = try #require(DynamicNVML(libraryPath: library).query().readings.first)
    #expect(reading.nvlink == NVLinkReading(links: 18, active: 16))
    #expect(reading.clocksEventReasons == ["hw_slowdown", "hw_thermal_slowdown"])
  }

  @Test func noNVLinkOnTheCapturedVM() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-fakenvml")
    let library = try await DynamicNVMLTests().buildFakeLibrary(in: tree)
    let reading = try #require(DynamicNVML(libraryPath: library).query().readings.first)
    #expect(reading.nvlink == nil, "NVML_ERROR_NOT_SUPPORTED on every link: no NVLink reading")
    #expect(reading.clocksEventReasons == ["gpu_idle"])
  }
}
