import Testing

@testable import Compatibility

@Suite struct NumericVersionTests {
  @Test func ordering() throws {
    let v = { (text: String) in try #require(NumericVersion(text)) }
    #expect(try v("580.159.04") > v("580.65.06"))
    #expect(try v("13.0") == v("13"))
    #expect(try v("13.0.0") == v("13"))
    #expect(try v("12.10") > v("12.9"))
    #expect(try v("590.44.01") > v("580.159.04"))
    #expect(try v("580.159.04").major == 580)
    #expect(try v("580.159.04").description == "580.159.04")
  }

  @Test(arguments: ["", ".", "1..2", "1.a", "-1", "1.2-beta", "v1", String(repeating: "9", count: 20)])
  func rejects(text: String) {
    #expect(NumericVersion(text) == nil)
  }
}

@Suite struct CUDADriverTableTests {
  @Test func releaseLookup() throws {
    #expect(CUDADriverTable.release(for: NumericVersion("13.1")!)?.minimumLinuxDriver == "590.44.01")
    #expect(CUDADriverTable.release(for: NumericVersion("13.1.1")!)?.minimumLinuxDriver == "590.48.01")
    #expect(CUDADriverTable.release(for: NumericVersion("12.4")!)?.minimumLinuxDriver == "550.54.14")
    #expect(CUDADriverTable.release(for: NumericVersion("13.0")!)?.minimumLinuxDriver == "580.65.06")
    #expect(CUDADriverTable.release(for: NumericVersion("13.4")!)?.driverBranch == "R615")
    #expect(CUDADriverTable.release(for: NumericVersion("12.7")!) == nil, "there is no CUDA 12.7")
  }

  @Test func driverReportedCUDA() {
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("580.159.04")!) == "13.0")
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("535.104.05")!) == "12.2")
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("300.1")!) == nil)
    // Branches without a toolkit of their own still report one: nvidia-smi prints
    // "Driver Version: 565.57.01 CUDA Version: 12.7" and "430.50 … CUDA Version: 10.1"
    // (reference/compat-data.json, branchToReportedCudaVersion.observed).
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("565.57.01")!) == "12.7")
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("430.50")!) == "10.1")
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("575.57.08")!) == "12.9")
    #expect(CUDADriverTable.cudaVersion(forDriver: NumericVersion("390.116")!) == "9.1")
  }

  /// The real H200 host: driver 580.159.04.
  @Test func h200Driver() throws {
    let cuda130 = try #require(DriverCompatibility.evaluate(driver: "580.159.04", cuda: "13.0"))
    #expect(cuda130.outcome == .supported)
    let cuda131 = try #require(DriverCompatibility.evaluate(driver: "580.159.04", cuda: "13.1"))
    #expect(cuda131.outcome == .minorVersionCompatibility)
    #expect(cuda131.minimumDriver == "590.44.01")
    #expect(cuda131.explanation.contains("CUDA 13.1 GA needs driver ≥ 590.44.01"))
    let cuda124 = try #require(DriverCompatibility.evaluate(driver: "580.159.04", cuda: "12.4"))
    #expect(cuda124.outcome == .supported)
  }

  @Test func oldDrivers() throws {
    // 12.x minor-version compatibility starts at 525.60.13.
    #expect(DriverCompatibility.evaluate(driver: "525.60.13", cuda: "12.4")?.outcome == .minorVersionCompatibility)
    #expect(DriverCompatibility.evaluate(driver: "520.61.05", cuda: "12.4")?.outcome == .tooOld)
    #expect(DriverCompatibility.evaluate(driver: "535.104.05", cuda: "13.0")?.outcome == .tooOld)
    #expect(DriverCompatibility.evaluate(driver: "535.104.05", cuda: "13.0")?.explanation.contains("580.65.06") == true)
    // Before CUDA 11 there is no minor-version compatibility.
    #expect(DriverCompatibility.evaluate(driver: "418.39", cuda: "10.2")?.outcome == .tooOld)
    #expect(DriverCompatibility.evaluate(driver: "615.10", cuda: "13.4")?.outcome == .supported)
    #expect(DriverCompatibility.evaluate(driver: "580.1", cuda: "13.9")?.outcome == .minorVersionCompatibility)
    #expect(DriverCompatibility.evaluate(driver: "garbage", cuda: "13.0") == nil)
  }
}
