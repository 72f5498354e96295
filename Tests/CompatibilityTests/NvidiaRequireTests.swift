import Testing

@testable import Compatibility

@Suite struct NvidiaRequireTests {
  /// The real H200 host: driver 580.159.04, CUDA 13.0, compute capability 9.0, NVML brand NVIDIA.
  let h200 = NvidiaRequire.DeviceFacts(
    cuda: "13.0", driver: "580.159.04", arch: "9.0", brand: NvidiaRequire.containerBrand(nvmlBrand: "NVIDIA"), label: "0000:00:06.0")

  /// nvidia/cuda:12.4.1 images' requirement (first alternatives).
  let cuda124 = "cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 brand=unknown,driver>=535,driver<536"

  @Test func grammar() throws {
    let terms = try NvidiaRequire.parse("cuda>=12.4 brand=tesla,driver>=470,driver<471")
    #expect(terms.count == 2)
    #expect(terms[1].factors.map(\.description) == ["brand=tesla", "driver>=470", "driver<471"])
    #expect(try NvidiaRequire.parse("CUDA>=12.0")[0].factors[0].property == .cuda)
    #expect(try NvidiaRequire.parse("  cuda>=12.0   arch=9.0 ").count == 2)
  }

  @Test(arguments: ["cuda>=12.4x", "gpu=1", "brand>=tesla", "cuda", "cuda>=", "driver>=470,,driver<471", "cuda=>12"])
  func invalidExpressions(expression: String) {
    #expect(throws: NvidiaRequire.InvalidExpression.self) { try NvidiaRequire.parse(expression) }
  }

  @Test func brandMapping() {
    #expect(NvidiaRequire.containerBrand(nvmlBrand: "NVIDIA") == "Unknown")
    #expect(NvidiaRequire.containerBrand(nvmlBrand: "Tesla") == "Tesla")
    #expect(NvidiaRequire.containerBrand(nvmlBrand: "GeForce RTX") == "Unknown")
    #expect(NvidiaRequire.containerBrand(nvmlBrand: nil) == "Unknown")
  }

  @Test func h200SatisfiesCUDA124ThroughTheFirstTerm() throws {
    let outcome = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": cuda124], devices: [h200])
    #expect(outcome.satisfied)
    let evaluation = try #require(outcome.evaluations.first)
    #expect(evaluation.terms.map(\.satisfied) == [true, false, false, false])
    #expect(evaluation.terms[1].explanation == "brand=tesla fails (brand is Unknown), driver<471 fails (driver is 580.159.04)")
    #expect(evaluation.terms[2].explanation == "driver<471 fails (driver is 580.159.04)")
    #expect(evaluation.terms[3].explanation == "driver<536 fails (driver is 580.159.04)")
  }

  @Test func everyAlternativeIsExplainedWhenAllFail() throws {
    let old = NvidiaRequire.DeviceFacts(cuda: "12.2", driver: "535.104.05", arch: "8.0", brand: "Tesla", label: "GPU 0")
    let outcome = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla,driver>=470,driver<471"], devices: [old])
    #expect(!outcome.satisfied)
    let terms = try #require(outcome.evaluations.first?.terms)
    #expect(terms[0].explanation == "cuda>=12.4 fails (cuda is 12.2)")
    #expect(terms[1].explanation == "driver<471 fails (driver is 535.104.05)")
  }

  @Test func datacenterDriverBranchAlternative() {
    // A Tesla on an R470 driver that reports CUDA 11.4 meets cuda>=12.4 through the forward-compat term.
    let r470 = NvidiaRequire.DeviceFacts(cuda: "11.4", driver: "470.256.02", arch: "8.0", brand: "Tesla", label: nil)
    #expect(NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": cuda124], devices: [r470]).satisfied)
  }

  @Test func allRequirementsMustHoldAndJetpackIsIgnored() {
    let environment = ["NVIDIA_REQUIRE_CUDA": "cuda>=12.0", "NVIDIA_REQUIRE_ARCH": "arch>=10.0", "NVIDIA_REQUIRE_JETPACK": "garbage"]
    let outcome = NvidiaRequire.evaluate(environment: environment, devices: [h200])
    #expect(!outcome.satisfied)
    #expect(outcome.evaluations.map(\.variable) == ["NVIDIA_REQUIRE_ARCH", "NVIDIA_REQUIRE_CUDA"])
    #expect(outcome.invalid.isEmpty)
  }

  @Test func disableRequire() {
    let environment = ["NVIDIA_REQUIRE_CUDA": "cuda>=99.0", "NVIDIA_DISABLE_REQUIRE": "true"]
    #expect(NvidiaRequire.evaluate(environment: environment, devices: [h200]).satisfied)
    // The misspelling does nothing.
    let misspelled = ["NVIDIA_REQUIRE_CUDA": "cuda>=99.0", "NVIDIA_DISABLE_REQUIRES": "true"]
    #expect(!NvidiaRequire.evaluate(environment: misspelled, devices: [h200]).satisfied)
    #expect(!NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=99.0", "NVIDIA_DISABLE_REQUIRE": "yes"], devices: [h200]).satisfied, "not a ParseBool value")
  }

  @Test func legacyImagesGetARequirementFromCudaVersion() {
    let outcome = NvidiaRequire.evaluate(environment: ["CUDA_VERSION": "13.1.0"], devices: [h200])
    #expect(outcome.synthesizedFromCudaVersion)
    #expect(outcome.evaluations.first?.expression == "cuda>=13.1")
    #expect(!outcome.satisfied)
  }

  @Test func noVisibleGPUAndNoDriverInformation() {
    let nothing = NvidiaRequire.DeviceFacts(cuda: nil, driver: nil, arch: nil, brand: nil, label: nil)
    #expect(NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=12.4 arch=9.0,brand=tesla"], devices: [nothing]).satisfied)
  }

  @Test func invalidExpressionStopsTheContainer() {
    let outcome = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=twelve"], devices: [h200])
    #expect(!outcome.satisfied)
    #expect(outcome.invalid["NVIDIA_REQUIRE_CUDA"]?.description.contains("'twelve' is not a version") == true)
  }

  @Test func versionsIgnoreTrailingZeros() {
    let outcome = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda=13"], devices: [h200])
    #expect(outcome.satisfied)
  }
}

@Suite struct PythonVersionTests {
  @Test func ordering() {
    let ordered = ["1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0+cu124", "1.0.post1.dev0", "1.0.post1", "1.1", "2!0.1"]
    for (lower, higher) in zip(ordered, ordered.dropFirst()) {
      #expect(PythonVersion(lower) < PythonVersion(higher), "\(lower) < \(higher)")
    }
    #expect(PythonVersion("1.0") == PythonVersion("1.0.0"))
    #expect(PythonVersion("2.4.0+cu124") > PythonVersion("2.4.0+cu121"))
    #expect(PythonVersion("1.13.0a0+gitunknown") < PythonVersion("1.13.0"))
    #expect(PythonVersion("10.0") > PythonVersion("9.9"))
    #expect(!PythonVersion("not a version").isValid)
    #expect(PythonVersion("not a version") > PythonVersion("999"))
  }
}
