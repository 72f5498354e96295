import Testing

@testable import Compatibility

/// The CUDA ↔ driver judgement with forward compatibility. Sources: CUDA Compatibility guide,
/// "Forward Compatibility" (docs.nvidia.com/deploy/cuda-compatibility/forward-compatibility.html:
/// "applicable only for systems with NVIDIA Data Center GPUs, select NGC Server Ready SKUs of RTX
/// cards, Jetson boards"), CUDA Runtime API error 804 cudaErrorCompatNotSupportedOnDevice, and the
/// Release Notes' Table 3 (CUDA 13.0 Update 2 ↔ 580.95.05).
@Suite struct CUDAOnHostTests {
  let h200 = CUDAOnHost.Device(label: "NVIDIA H200", productLine: GPUProductLine.classify(name: "NVIDIA H200", nvmlBrand: "NVIDIA"))
  let rtx4090 = CUDAOnHost.Device(label: "NVIDIA GeForce RTX 4090", productLine: GPUProductLine.classify(name: "NVIDIA GeForce RTX 4090", nvmlBrand: "GeForce"))
  let rtxA6000 = CUDAOnHost.Device(label: "NVIDIA RTX A6000", productLine: GPUProductLine.classify(name: "NVIDIA RTX A6000", nvmlBrand: "NVIDIA RTX"))

  @Test func dataCenterGPUOnAnOlderBranchRunsThroughTheCompatLibraries() throws {
    // nvidia/cuda:13.0.2 ships cuda-compat-13-0 = libcuda.so.580.95.05; an H200 on R575.
    let verdict = try #require(CUDAOnHost.evaluate(driver: "575.57.08", cuda: "13.0.2", compatDrivers: ["580.95.05"], devices: [h200]))
    #expect(verdict.outcome == .forwardCompatibility(compatDriver: "580.95.05"))
    #expect(verdict.driverVerdict.outcome == .tooOld, "without the compat libraries R575 cannot run CUDA 13")
    #expect(verdict.explanation.contains("forward compatibility"))
  }

  @Test func geForceOnTheSameBranchCannotUseThem() throws {
    let verdict = try #require(CUDAOnHost.evaluate(driver: "575.57.08", cuda: "13.0.2", compatDrivers: ["580.95.05"], devices: [rtx4090]))
    #expect(verdict.outcome == .forwardCompatibilityUnsupported(compatDriver: "580.95.05", devices: ["NVIDIA GeForce RTX 4090 (a GeForce/TITAN GPU)"]))
    #expect(verdict.explanation.contains("804"))
  }

  @Test func workstationGPUsAreOnlySometimesSupported() throws {
    let verdict = try #require(CUDAOnHost.evaluate(driver: "575.57.08", cuda: "13.0.2", compatDrivers: ["580.95.05"], devices: [h200, rtxA6000]))
    #expect(verdict.outcome == .forwardCompatibilityUncertain(compatDriver: "580.95.05", devices: ["NVIDIA RTX A6000 (a workstation GPU)"]))
  }

  @Test func compatLibrariesOlderThanTheDriverAreNotUsed() throws {
    // The real H200 host: /usr/local/cuda-13.0/compat/libcuda.so.580.95.05 next to driver 580.159.04
    // (Tests/Fixtures/device/h200-torch-2.11/compat-libraries.txt).
    let verdict = try #require(CUDAOnHost.evaluate(driver: "580.159.04", cuda: "13.0.2", compatDrivers: ["580.95.05"], devices: [h200]))
    #expect(verdict.outcome == .supported)
  }

  @Test func compatLibrariesOfTheSameBranchAreNotMounted() throws {
    // compat_mode.c:82 (ldconfig mode, the toolkit's default): only a compat libcuda of a newer
    // major than the driver's is used. CUDA 13.0.2 (580.95.05) on 580.65.06: minor-version compatibility.
    let verdict = try #require(CUDAOnHost.evaluate(driver: "580.65.06", cuda: "13.0.2", compatDrivers: ["580.95.05"], devices: [h200]))
    #expect(verdict.outcome == .minorVersionCompatibility)
  }

  @Test func geForceBreaksEvenWhereTheDriverAloneWouldRunIt() throws {
    // A CUDA 12.8 image (cuda-compat-12-8 = 570.x) on a GeForce with R535 (CUDA 12.2): minor-version
    // compatibility would run it, but the toolkit mounts the newer-branch compat libcuda: error 804.
    let verdict = try #require(CUDAOnHost.evaluate(driver: "535.247.01", cuda: "12.8.1", compatDrivers: ["570.124.06"], devices: [rtx4090]))
    #expect(verdict.driverVerdict.outcome == .minorVersionCompatibility)
    #expect(verdict.outcome == .forwardCompatibilityUnsupported(compatDriver: "570.124.06", devices: ["NVIDIA GeForce RTX 4090 (a GeForce/TITAN GPU)"]))
  }

  @Test func compatLibrariesTooOldForTheCUDAVersionDoNotHelp() throws {
    // A CUDA 13.0 program with a 575-branch compat libcuda (CUDA 12.9's driver) on R570.
    let verdict = try #require(CUDAOnHost.evaluate(driver: "570.124.06", cuda: "13.0", compatDrivers: ["575.57.08"], devices: [h200]))
    #expect(verdict.outcome == .tooOld)
  }

  @Test func withoutCompatLibrariesTheDriverDecides() throws {
    #expect(CUDAOnHost.evaluate(driver: "580.159.04", cuda: "13.1")?.outcome == .minorVersionCompatibility)
    #expect(CUDAOnHost.evaluate(driver: "575.57.08", cuda: "13.0")?.outcome == .tooOld)
    #expect(CUDAOnHost.evaluate(driver: "580.159.04", cuda: "12.4.1")?.outcome == .supported)
    #expect(CUDAOnHost.evaluate(driver: "580.159.04", cuda: "99.0")?.outcome == .unknown)
    #expect(CUDAOnHost.evaluate(driver: "not-a-version", cuda: "13.0") == nil)
  }

  @Test func unknownGPUsMakeForwardCompatibilityUncertain() throws {
    let verdict = try #require(CUDAOnHost.evaluate(driver: "575.57.08", cuda: "13.0.2", compatDrivers: ["580.95.05"]))
    #expect(verdict.outcome == .forwardCompatibilityUncertain(compatDriver: "580.95.05", devices: ["the host's GPUs"]))
  }
}

/// Product lines from the names nvidia-smi prints (the driver's names, reference/compat-data.json)
/// and NVML's brands (nvmlBrandType_t: Hopper and newer data-center parts report NVIDIA, as the
/// H200 does in Tests/Fixtures/device/h200-torch-2.11/compat-libraries.txt).
@Suite struct GPUProductLineTests {
  @Test(arguments: [
    ("NVIDIA H200", "NVIDIA", GPUProductLine.dataCenter),
    ("NVIDIA H100 80GB HBM3", nil, .dataCenter),
    ("NVIDIA A100-SXM4-80GB", nil, .dataCenter),
    ("NVIDIA GH200 120GB", nil, .dataCenter),
    ("NVIDIA B200", nil, .dataCenter),
    ("NVIDIA L40S", nil, .dataCenter),
    ("Tesla T4", nil, .dataCenter),
    ("Tesla V100-SXM2-16GB", "Tesla", .dataCenter),
    ("NVIDIA A10G", nil, .dataCenter),
    ("NVIDIA GeForce RTX 4090", nil, .consumer),
    ("NVIDIA GeForce RTX 5090", "GeForce", .consumer),
    ("NVIDIA TITAN RTX", nil, .consumer),
    ("NVIDIA RTX A6000", nil, .workstation),
    ("NVIDIA RTX PRO 6000 Blackwell Server Edition", nil, .workstation),
    ("Quadro RTX 8000", nil, .workstation),
    ("NVIDIA T1000 8GB", nil, .workstation),
    ("Orin (nvgpu)", nil, .integrated),
    ("NVIDIA Jetson AGX Thor", nil, .integrated),
    ("NVIDIA Graphics Device", nil, .unknown),
  ] as [(String, String?, GPUProductLine)])
  func classify(name: String, brand: String?, expected: GPUProductLine) {
    #expect(GPUProductLine.classify(name: name, nvmlBrand: brand) == expected)
  }

  @Test func forwardCompatibilitySupport() {
    #expect(GPUProductLine.dataCenter.supportsForwardCompatibility == true)
    #expect(GPUProductLine.integrated.supportsForwardCompatibility == true)
    #expect(GPUProductLine.consumer.supportsForwardCompatibility == false)
    #expect(GPUProductLine.workstation.supportsForwardCompatibility == nil)
  }
}
