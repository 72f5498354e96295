import Testing

@testable import Compatibility

// Sources cited below (file:line at the named commit; details in reference/nvidia-require-rules.md):
// - dsl.c, configure.c, common.c, driver.c, cli.h, utils.c: libnvidia-container, read in the
//   pop-os/libnvidia-container mirror at d17aa6f (upstream v1.12.1 tree). dsl.c is upstream 93fb62b
//   (2019-09-13), byte-identical in size to the newest stored upstream copy (5823754b); configure.c is
//   upstream 6c46da1 (2022-02-25), the same as the stored upstream copy e27a4a7; driver.c's brand switch
//   is upstream 6845f41 (2022-02-25, first released in v1.9.0).
// - cuda_image.go, devices.go, container_config.go, hook_config.go, main.go, auto.go:
//   NVIDIA/nvidia-container-toolkit v1.20.0 (5505e2f9) unless another tag is named.
// - Dockerfiles: gitlab.com/nvidia/container-images/cuda, read in the GitHub mirror
//   pranavmishra90/nvidia-container-images-cuda at 60a1c892.

/// The real NVIDIA_REQUIRE_CUDA strings of NVIDIA's official images (`ENV` on line 7, amd64 stage).
enum OfficialImages {
  /// dist/12.4.1/ubuntu2204/base/Dockerfile:7
  static let cuda1241 =
    "cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 brand=geforce,driver>=470,driver<471 brand=geforcertx,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 brand=quadrortx,driver>=470,driver<471 brand=titan,driver>=470,driver<471 brand=titanrtx,driver>=470,driver<471 brand=tesla,driver>=525,driver<526 brand=unknown,driver>=525,driver<526 brand=nvidia,driver>=525,driver<526 brand=nvidiartx,driver>=525,driver<526 brand=geforce,driver>=525,driver<526 brand=geforcertx,driver>=525,driver<526 brand=quadro,driver>=525,driver<526 brand=quadrortx,driver>=525,driver<526 brand=titan,driver>=525,driver<526 brand=titanrtx,driver>=525,driver<526 brand=tesla,driver>=535,driver<536 brand=unknown,driver>=535,driver<536 brand=nvidia,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 brand=geforce,driver>=535,driver<536 brand=geforcertx,driver>=535,driver<536 brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 brand=titan,driver>=535,driver<536 brand=titanrtx,driver>=535,driver<536"
  /// dist/12.8.1/ubuntu2404/base/Dockerfile:7
  static let cuda1281 =
    "cuda>=12.8 brand=unknown,driver>=470,driver<471 brand=grid,driver>=470,driver<471 brand=tesla,driver>=470,driver<471 brand=nvidia,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 brand=quadrortx,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 brand=vapps,driver>=470,driver<471 brand=vpc,driver>=470,driver<471 brand=vcs,driver>=470,driver<471 brand=vws,driver>=470,driver<471 brand=cloudgaming,driver>=470,driver<471 brand=unknown,driver>=535,driver<536 brand=grid,driver>=535,driver<536 brand=tesla,driver>=535,driver<536 brand=nvidia,driver>=535,driver<536 brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 brand=vapps,driver>=535,driver<536 brand=vpc,driver>=535,driver<536 brand=vcs,driver>=535,driver<536 brand=vws,driver>=535,driver<536 brand=cloudgaming,driver>=535,driver<536 brand=unknown,driver>=550,driver<551 brand=grid,driver>=550,driver<551 brand=tesla,driver>=550,driver<551 brand=nvidia,driver>=550,driver<551 brand=quadro,driver>=550,driver<551 brand=quadrortx,driver>=550,driver<551 brand=nvidiartx,driver>=550,driver<551 brand=vapps,driver>=550,driver<551 brand=vpc,driver>=550,driver<551 brand=vcs,driver>=550,driver<551 brand=vws,driver>=550,driver<551 brand=cloudgaming,driver>=550,driver<551 brand=unknown,driver>=560,driver<561 brand=grid,driver>=560,driver<561 brand=tesla,driver>=560,driver<561 brand=nvidia,driver>=560,driver<561 brand=quadro,driver>=560,driver<561 brand=quadrortx,driver>=560,driver<561 brand=nvidiartx,driver>=560,driver<561 brand=vapps,driver>=560,driver<561 brand=vpc,driver>=560,driver<561 brand=vcs,driver>=560,driver<561 brand=vws,driver>=560,driver<561 brand=cloudgaming,driver>=560,driver<561 brand=unknown,driver>=565,driver<566 brand=grid,driver>=565,driver<566 brand=tesla,driver>=565,driver<566 brand=nvidia,driver>=565,driver<566 brand=quadro,driver>=565,driver<566 brand=quadrortx,driver>=565,driver<566 brand=nvidiartx,driver>=565,driver<566 brand=vapps,driver>=565,driver<566 brand=vpc,driver>=565,driver<566 brand=vcs,driver>=565,driver<566 brand=vws,driver>=565,driver<566 brand=cloudgaming,driver>=565,driver<566"
  /// dist/12.9.1/ubuntu2404/base/Dockerfile:7
  static let cuda1291 =
    "cuda>=12.9 brand=unknown,driver>=535,driver<536 brand=grid,driver>=535,driver<536 brand=tesla,driver>=535,driver<536 brand=nvidia,driver>=535,driver<536 brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 brand=vapps,driver>=535,driver<536 brand=vpc,driver>=535,driver<536 brand=vcs,driver>=535,driver<536 brand=vws,driver>=535,driver<536 brand=cloudgaming,driver>=535,driver<536 brand=unknown,driver>=550,driver<551 brand=grid,driver>=550,driver<551 brand=tesla,driver>=550,driver<551 brand=nvidia,driver>=550,driver<551 brand=quadro,driver>=550,driver<551 brand=quadrortx,driver>=550,driver<551 brand=nvidiartx,driver>=550,driver<551 brand=vapps,driver>=550,driver<551 brand=vpc,driver>=550,driver<551 brand=vcs,driver>=550,driver<551 brand=vws,driver>=550,driver<551 brand=cloudgaming,driver>=550,driver<551 brand=unknown,driver>=560,driver<561 brand=grid,driver>=560,driver<561 brand=tesla,driver>=560,driver<561 brand=nvidia,driver>=560,driver<561 brand=quadro,driver>=560,driver<561 brand=quadrortx,driver>=560,driver<561 brand=nvidiartx,driver>=560,driver<561 brand=vapps,driver>=560,driver<561 brand=vpc,driver>=560,driver<561 brand=vcs,driver>=560,driver<561 brand=vws,driver>=560,driver<561 brand=cloudgaming,driver>=560,driver<561 brand=unknown,driver>=565,driver<566 brand=grid,driver>=565,driver<566 brand=tesla,driver>=565,driver<566 brand=nvidia,driver>=565,driver<566 brand=quadro,driver>=565,driver<566 brand=quadrortx,driver>=565,driver<566 brand=nvidiartx,driver>=565,driver<566 brand=vapps,driver>=565,driver<566 brand=vpc,driver>=565,driver<566 brand=vcs,driver>=565,driver<566 brand=vws,driver>=565,driver<566 brand=cloudgaming,driver>=565,driver<566 brand=unknown,driver>=570,driver<571 brand=grid,driver>=570,driver<571 brand=tesla,driver>=570,driver<571 brand=nvidia,driver>=570,driver<571 brand=quadro,driver>=570,driver<571 brand=quadrortx,driver>=570,driver<571 brand=nvidiartx,driver>=570,driver<571 brand=vapps,driver>=570,driver<571 brand=vpc,driver>=570,driver<571 brand=vcs,driver>=570,driver<571 brand=vws,driver>=570,driver<571 brand=cloudgaming,driver>=570,driver<571"
  /// dist/13.0.0/ubuntu2404/base/Dockerfile:7
  static let cuda1300 =
    "cuda>=13.0 brand=unknown,driver>=535,driver<536 brand=grid,driver>=535,driver<536 brand=tesla,driver>=535,driver<536 brand=nvidia,driver>=535,driver<536 brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 brand=vapps,driver>=535,driver<536 brand=vpc,driver>=535,driver<536 brand=vcs,driver>=535,driver<536 brand=vws,driver>=535,driver<536 brand=cloudgaming,driver>=535,driver<536 brand=unknown,driver>=550,driver<551 brand=grid,driver>=550,driver<551 brand=tesla,driver>=550,driver<551 brand=nvidia,driver>=550,driver<551 brand=quadro,driver>=550,driver<551 brand=quadrortx,driver>=550,driver<551 brand=nvidiartx,driver>=550,driver<551 brand=vapps,driver>=550,driver<551 brand=vpc,driver>=550,driver<551 brand=vcs,driver>=550,driver<551 brand=vws,driver>=550,driver<551 brand=cloudgaming,driver>=550,driver<551 brand=unknown,driver>=565,driver<566 brand=grid,driver>=565,driver<566 brand=tesla,driver>=565,driver<566 brand=nvidia,driver>=565,driver<566 brand=quadro,driver>=565,driver<566 brand=quadrortx,driver>=565,driver<566 brand=nvidiartx,driver>=565,driver<566 brand=vapps,driver>=565,driver<566 brand=vpc,driver>=565,driver<566 brand=vcs,driver>=565,driver<566 brand=vws,driver>=565,driver<566 brand=cloudgaming,driver>=565,driver<566 brand=unknown,driver>=570,driver<571 brand=grid,driver>=570,driver<571 brand=tesla,driver>=570,driver<571 brand=nvidia,driver>=570,driver<571 brand=quadro,driver>=570,driver<571 brand=quadrortx,driver>=570,driver<571 brand=nvidiartx,driver>=570,driver<571 brand=vapps,driver>=570,driver<571 brand=vpc,driver>=570,driver<571 brand=vcs,driver>=570,driver<571 brand=vws,driver>=570,driver<571 brand=cloudgaming,driver>=570,driver<571 brand=unknown,driver>=575,driver<576 brand=grid,driver>=575,driver<576 brand=tesla,driver>=575,driver<576 brand=nvidia,driver>=575,driver<576 brand=quadro,driver>=575,driver<576 brand=quadrortx,driver>=575,driver<576 brand=nvidiartx,driver>=575,driver<576 brand=vapps,driver>=575,driver<576 brand=vpc,driver>=575,driver<576 brand=vcs,driver>=575,driver<576 brand=vws,driver>=575,driver<576 brand=cloudgaming,driver>=575,driver<576"
}

/// Hosts, as libnvidia-container describes them: NVML's driver version, NVML's CUDA version
/// (driver.c:276-280), compute capability (driver.c:617,636) and brand (driver.c:543-598).
enum Hosts {
  static func gpu(_ driver: String, _ cuda: String, arch: String, nvmlBrand: String, label: String, index: Int = 6) -> NvidiaRequire.DeviceFacts {
    NvidiaRequire.DeviceFacts(
      cuda: cuda, driver: driver, arch: arch, brand: NvidiaRequire.containerBrand(nvmlBrand: nvmlBrand), label: label,
      uuid: "GPU-\(label)", pciBusID: "00000000:0\(index):00.0", migDevices: [])
  }
  /// The real host: H200, driver 580.159.04, CUDA 13.0, CC 9.0, NVML brand NVIDIA.
  static let h200 = gpu("580.159.04", "13.0", arch: "9.0", nvmlBrand: "NVIDIA", label: "H200")
  /// A GeForce RTX 4090 on the same driver.
  static let geforce580 = gpu("580.159.04", "13.0", arch: "8.9", nvmlBrand: "GeForce", label: "RTX-4090")
  /// An H100 on the R575 branch (CUDA 12.9).
  static let h100on575 = gpu("575.57.08", "12.9", arch: "9.0", nvmlBrand: "NVIDIA", label: "H100")
  /// A GeForce RTX 4090 on R575.
  static let geforce575 = gpu("575.57.08", "12.9", arch: "8.9", nvmlBrand: "GeForce", label: "RTX-4090")
  /// An A100 on the R535 LTS branch (CUDA 12.2).
  static let a100on535 = gpu("535.183.01", "12.2", arch: "8.0", nvmlBrand: "NVIDIA", label: "A100")
  /// A GeForce RTX 3090 on R535.
  static let geforce535 = gpu("535.183.01", "12.2", arch: "8.6", nvmlBrand: "GeForce", label: "RTX-3090")
  /// No visible GPU (NVIDIA_VISIBLE_DEVICES=none, or none on the host): configure.c:352-353.
  static func noDevice(on host: NvidiaRequire.DeviceFacts) -> NvidiaRequire.DeviceFacts {
    NvidiaRequire.DeviceFacts(cuda: host.cuda, driver: host.driver, arch: nil, brand: nil, label: nil)
  }
}

@Suite struct NvidiaRequireTests {
  // MARK: Versions: dsl_compare_version, dsl.c:35-79

  struct VersionCase: Sendable, CustomTestStringConvertible {
    let host: String
    let op: NvidiaRequire.Operator
    let required: String
    let expected: Bool?
    let source: String
    var testDescription: String { "\(host) \(op.rawValue) \(required) → \(expected.map(String.init) ?? "invalid") [\(source)]" }
  }

  @Test(arguments: [
    VersionCase(host: "13.0", op: .greaterOrEqual, required: "13.0", expected: true, source: "dsl.c:68-70"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: "13", expected: true, source: "dsl.c:64-65 trailing zeros skipped"),
    VersionCase(host: "13", op: .equal, required: "13.0.0", expected: true, source: "dsl.c:64-65,68-70"),
    VersionCase(host: "13.0", op: .notEqual, required: "13.0.0", expected: false, source: "dsl.c:66-67"),
    VersionCase(host: "13.0", op: .notEqual, required: "13.0.1", expected: true, source: "dsl.c:66-67"),
    VersionCase(host: "580.159.04", op: .equal, required: "580.159.4", expected: true, source: "dsl.c:47-51 strtoumax: leading zeros are numbers"),
    VersionCase(host: "580.159.04", op: .less, required: "581", expected: true, source: "dsl.c:56-57"),
    VersionCase(host: "12.9", op: .greaterOrEqual, required: "13.0", expected: false, source: "dsl.c:58-59"),
    VersionCase(host: "12.10", op: .greater, required: "12.9", expected: true, source: "dsl.c:51-59 numeric, not lexical"),
    VersionCase(host: "12..4", op: .equal, required: "12.4", expected: true, source: "dsl.c:61-62 runs of dots skipped"),
    VersionCase(host: "12.", op: .equal, required: "12", expected: true, source: "dsl.c:61-62"),
    VersionCase(host: "13.0", op: .lessOrEqual, required: "13.0.1", expected: true, source: "dsl.c:74-75"),
    VersionCase(host: "13.0.1", op: .greater, required: "13.0", expected: true, source: "dsl.c:76-77"),
    VersionCase(host: "13.0", op: .less, required: "13", expected: false, source: "dsl.c:74-75"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: "13.0a", expected: nil, source: "dsl.c:43-44 digits and dots only"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: " 13", expected: nil, source: "dsl.c:43-44"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: ".5", expected: nil, source: "dsl.c:49 no digit at a leading dot"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: "18446744073709551615", expected: nil, source: "dsl.c:49 UINTMAX_MAX"),
    VersionCase(host: "13.0", op: .greaterOrEqual, required: "1.99999999999999999999", expected: true, source: "dsl.c:51-59 decided before the overflow"),
    VersionCase(host: "1.0", op: .greaterOrEqual, required: "1.99999999999999999999", expected: nil, source: "dsl.c:49 overflow reached"),
    VersionCase(host: "9.0", op: .equal, required: "9.0.99999999999999999999", expected: false, source: "dsl.c:64-72 a remainder is never parsed"),
  ])
  func versions(_ test: VersionCase) {
    #expect(NvidiaRequire.compareVersion(test.host, test.op, test.required) == test.expected)
  }

  // MARK: Tokenizer: dsl_evaluate's strsep, dsl.c:143-148

  @Test func alternativesAreSplitOnSingleSpacesOnly() {
    // dsl.c:143-145: strsep(" "), empty pieces skipped.
    #expect(NvidiaRequire.terms("  cuda>=12.0   arch=9.0 ").map(\.text) == ["cuda>=12.0", "arch=9.0"])
    // A tab is an ordinary character: one alternative, one factor.
    #expect(NvidiaRequire.terms("cuda>=12.0\tarch=9.0").map(\.factors) == [["cuda>=12.0\tarch=9.0"]])
    // dsl.c:146-148: strsep(","), empty factors skipped; an alternative of commas keeps no factor.
    #expect(NvidiaRequire.terms("a,,b , ,").map(\.factors) == [["a", "b"], [], []])
  }

  struct FactorCase: Sendable, CustomTestStringConvertible {
    let text: String
    /// property, operator, value; nil when evaluate_rule returns -1.
    let expected: (NvidiaRequire.Property, NvidiaRequire.Operator, String)?
    let source: String
    var testDescription: String { "\(text) [\(source)]" }
  }

  @Test(arguments: [
    FactorCase(text: "cuda>=12.0", expected: (.cuda, .greaterOrEqual, "12.0"), source: "dsl.c:100-112"),
    FactorCase(text: "CUDA>=12.0", expected: (.cuda, .greaterOrEqual, "12.0"), source: "dsl.c:118 strcasecmp (utils.c:147-150)"),
    FactorCase(text: "Brand=Tesla", expected: (.brand, .equal, "Tesla"), source: "dsl.c:118"),
    FactorCase(text: "driver<=580", expected: (.driver, .lessOrEqual, "580"), source: "dsl.c:26-33,105-106"),
    FactorCase(text: "cuda!12.0", expected: (.cuda, .notEqual, "12.0"), source: "dsl.c:106 strncmp(\"!\", \"!=\", 1) matches"),
    FactorCase(text: "brand=a=b", expected: (.brand, .equal, "a=b"), source: "dsl.c:103,109 the run stops at the first other character"),
    FactorCase(text: "cuda=>12", expected: nil, source: "dsl.c:105-114 no operator starts with =>"),
    FactorCase(text: "cuda==12", expected: nil, source: "dsl.c:105-114"),
    FactorCase(text: "cuda<>12", expected: nil, source: "dsl.c:105-114"),
    FactorCase(text: "cuda>=", expected: nil, source: "dsl.c:113-114 empty value"),
    FactorCase(text: ">=12", expected: nil, source: "dsl.c:100-101 empty name"),
    FactorCase(text: "cuda", expected: nil, source: "dsl.c:103-104 no operator"),
    FactorCase(text: "gpu=1", expected: nil, source: "dsl.c:117-127 unknown name; configure.c:48-53"),
    FactorCase(text: "cudaa>=12", expected: nil, source: "dsl.c:118 exact name"),
  ])
  func factors(_ test: FactorCase) {
    let parsed = try? NvidiaRequire.parseFactor(test.text)
    #expect(parsed.map { "\($0.property) \($0.op) \($0.value)" } == test.expected.map { "\($0.0) \($0.1) \($0.2)" })
  }

  @Test func lintRejectsWhatTheToolkitWouldRejectWhenReached() throws {
    #expect(try NvidiaRequire.lint(OfficialImages.cuda1241).count == 31)
    #expect(throws: NvidiaRequire.InvalidExpression.self) { try NvidiaRequire.lint("cuda>=12.4 cuda>=twelve") }
    #expect(throws: NvidiaRequire.InvalidExpression.self) { try NvidiaRequire.lint("brand>=tesla") }  // dsl.c:81-88
    #expect(throws: NvidiaRequire.InvalidExpression.self) { try NvidiaRequire.lint("arch>=.5") }  // dsl.c:49
  }

  // MARK: Laziness and the walk: dsl.c:143-158 (what is never reached is never parsed)

  struct WalkCase: Sendable, CustomTestStringConvertible {
    let expression: String
    let device: NvidiaRequire.DeviceFacts
    let expected: String
    let source: String
    var testDescription: String { "\(expression) on \(device.label ?? "no device") → \(expected) [\(source)]" }
  }

  static func describe(_ decision: NvidiaRequire.Decision) -> String {
    switch decision {
    case .satisfied: return "satisfied"
    case .unsatisfied: return "unsatisfied"
    case .invalid: return "invalid"
    }
  }

  @Test(arguments: [
    WalkCase(expression: "cuda>=12.0 garbage", device: Hosts.h200, expected: "satisfied", source: "dsl.c:156-157 stops at the first alternative that holds"),
    WalkCase(expression: "garbage cuda>=12.0", device: Hosts.h200, expected: "invalid", source: "dsl.c:149-151"),
    WalkCase(expression: "cuda>=99,garbage cuda>=12", device: Hosts.h200, expected: "satisfied", source: "dsl.c:153-154 a failed factor ends its alternative"),
    WalkCase(expression: "cuda>=12,garbage", device: Hosts.h200, expected: "invalid", source: "dsl.c:149-151"),
    WalkCase(expression: "cuda>=99 garbage", device: Hosts.h200, expected: "invalid", source: "dsl.c:143-151"),
    WalkCase(expression: "brand<tesla", device: Hosts.h200, expected: "invalid", source: "dsl.c:81-88 strings take = and != only"),
    WalkCase(expression: "brand<tesla", device: Hosts.noDevice(on: Hosts.h200), expected: "satisfied", source: "configure.c:218-219 no device: brand holds unread"),
    WalkCase(expression: "arch>=nine", device: Hosts.h200, expected: "invalid", source: "configure.c:211, dsl.c:43-44"),
    WalkCase(expression: "arch>=nine", device: Hosts.noDevice(on: Hosts.h200), expected: "satisfied", source: "configure.c:207-208"),
    WalkCase(expression: "cuda>=13.1", device: Hosts.noDevice(on: Hosts.h200), expected: "unsatisfied", source: "configure.c:185-189 the driver is still known"),
    WalkCase(expression: ", cuda>=99", device: Hosts.h200, expected: "satisfied", source: "dsl.c:136,156-157 commas only: stop with the initial true"),
    WalkCase(expression: "cuda>=99 , cuda>=12", device: Hosts.h200, expected: "unsatisfied", source: "dsl.c:156-157 commas only: stop with the previous false"),
    WalkCase(expression: "", device: Hosts.h200, expected: "satisfied", source: "dsl.c:136,159"),
    WalkCase(expression: "   ", device: Hosts.h200, expected: "satisfied", source: "dsl.c:144-145"),
    WalkCase(expression: "cuda>=12.0\tarch=9.0", device: Hosts.h200, expected: "invalid", source: "dsl.c:143 a tab is part of the value; dsl.c:43-44"),
    WalkCase(expression: "brand=nvidia", device: Hosts.h200, expected: "satisfied", source: "dsl.c:84-85 case-insensitive; driver.c:587-588 Nvidia"),
    WalkCase(expression: "brand=unknown", device: Hosts.h200, expected: "unsatisfied", source: "driver.c:587-588 (since v1.9.0 the H200 is not Unknown)"),
    WalkCase(expression: "brand!=geforce", device: Hosts.geforce580, expected: "unsatisfied", source: "dsl.c:86-87"),
    WalkCase(expression: "brand=" + String(repeating: "x", count: 119), device: Hosts.h200, expected: "unsatisfied", source: "dsl.c:121 5+1+119+2 = 127 bytes fit"),
    WalkCase(expression: "brand=" + String(repeating: "x", count: 120), device: Hosts.h200, expected: "invalid", source: "dsl.c:15,121-122 128 bytes overflow EXPR_MAX"),
    WalkCase(expression: "brand!=" + String(repeating: "x", count: 200), device: Hosts.h200, expected: "satisfied", source: "dsl.c:119 only a false factor is formatted"),
  ])
  func walk(_ test: WalkCase) {
    #expect(Self.describe(NvidiaRequire.evaluate(test.expression, on: test.device).decision) == test.expected)
  }

  @Test func termStatusesFollowTheToolkitsWalk() {
    let terms = NvidiaRequire.evaluate("cuda>=99,garbage brand=tesla , cuda>=12 arch=1", on: Hosts.h200).terms
    #expect(terms.map(\.status) == [.fails, .fails, .endsEvaluation, .notReached, .notReached])
    #expect(terms[0].factors.map(\.reached) == [true, false])
    #expect(terms[0].explanation == "cuda>=99 fails (cuda is 13.0), garbage is invalid ('garbage' has no operator (=, !=, <, <=, >, >=)), not reached")
    #expect(terms[3].explanation == "not reached: cuda>=12 would hold")
  }

  @Test func theToolkitsMessages() throws {
    // dsl.c:159-167, configure.c:336: only the first space-separated piece is quoted.
    let unsatisfied = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=13.1 brand=tesla,driver>=535,driver<536"], devices: [Hosts.h200])
    #expect(unsatisfied.evaluations.first?.toolkitError == "requirement error: unsatisfied condition: cuda>=13.1, please update your driver to a newer version, or use an earlier cuda container")
    let arch = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_ARCH": "arch>=10.0 arch=8.0"], devices: [Hosts.h200])
    #expect(arch.evaluations.first?.toolkitError == "requirement error: unsatisfied condition: arch>=10.0")
    let invalid = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=twelve"], devices: [Hosts.h200])
    #expect(invalid.evaluations.first?.toolkitError == "requirement error: invalid expression")
    #expect(try #require(invalid.invalid["NVIDIA_REQUIRE_CUDA"]).reason.contains("'twelve' in 'cuda>=twelve' is not a version"))
    #expect(!invalid.satisfied)
  }

  // MARK: Brands and CUDA versions as libnvidia-container reads them (driver.c)

  @Test(arguments: [
    ("NVIDIA", "Nvidia"), ("Tesla", "Tesla"), ("GeForce", "GeForce"), ("Quadro", "Quadro"), ("TITAN", "TITAN"), ("NVIDIA RTX", "NvidiaRTX"),
    ("GeForce RTX", "GeForceRTX"), ("Quadro RTX", "QuadroRTX"), ("NVIDIA Virtual Compute Server", "VCS"), ("NVIDIA Cloud Gaming", "CloudGaming"),
    ("Unknown", "Unknown"), ("NVIDIA H200", "Unknown"), ("Nvidia", "Nvidia"), ("nvidia rtx", "NvidiaRTX"), ("VCS", "VCS"),
  ])
  func brands(nvml: String, container: String) {
    // driver.c:543-598 (upstream 6845f41, libnvidia-container ≥ 1.9.0)
    #expect(NvidiaRequire.containerBrand(nvmlBrand: nvml) == container)
  }

  @Test func brandsFromNVMLValues() {
    // nvml.h:609-626 values, driver.c:543-598 names
    #expect(NvidiaRequire.containerBrand(nvmlBrandType: 14) == "Nvidia")
    #expect(NvidiaRequire.containerBrand(nvmlBrandType: 2) == "Tesla")
    #expect(NvidiaRequire.containerBrand(nvmlBrandType: 0) == "Unknown")
    #expect(NvidiaRequire.containerBrand(nvmlBrandType: 17) == "Unknown")
    #expect(NvidiaRequire.containerBrand(nvmlBrand: nil) == "Unknown")
  }

  @Test(arguments: [(13000, "13.0"), (12090, "12.9"), (12020, "12.2"), (11040, "11.4")] as [(UInt32, String)])
  func cudaFromNVML(value: UInt32, text: String) {
    // driver.c:258,279-280: major = v / 1000, minor = v % 100 / 10
    #expect(NvidiaRequire.cudaVersion(nvmlCudaDriverVersion: value) == text)
  }

  // MARK: NVIDIA's official images on real and plausible hosts

  struct ImageCase: Sendable, CustomTestStringConvertible {
    let image: String
    let requirement: String
    let device: NvidiaRequire.DeviceFacts
    /// The alternative that lets the container start, nil when the toolkit refuses it.
    let decidedBy: String?
    let source: String
    var testDescription: String { "\(image) on \(device.label ?? "no GPU") \(device.driver ?? "") → \(decidedBy ?? "refused") [\(source)]" }
  }

  @Test(arguments: [
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.h200, decidedBy: "cuda>=12.4", source: "ubuntu2204/base/Dockerfile:7"),
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.geforce580, decidedBy: "cuda>=12.4", source: "ubuntu2204/base/Dockerfile:7"),
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.h100on575, decidedBy: "cuda>=12.4", source: "ubuntu2204/base/Dockerfile:7"),
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.a100on535, decidedBy: "brand=nvidia,driver>=535,driver<536", source: "ubuntu2204/base/Dockerfile:7"),
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.geforce535, decidedBy: "brand=geforce,driver>=535,driver<536", source: "ubuntu2204/base/Dockerfile:7 lists GeForce"),
    ImageCase(image: "12.4.1", requirement: OfficialImages.cuda1241, device: Hosts.noDevice(on: Hosts.a100on535), decidedBy: "brand=tesla,driver>=535,driver<536", source: "configure.c:218-219 brand holds without a GPU"),
    ImageCase(image: "12.8.1", requirement: OfficialImages.cuda1281, device: Hosts.h200, decidedBy: "cuda>=12.8", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.8.1", requirement: OfficialImages.cuda1281, device: Hosts.geforce580, decidedBy: "cuda>=12.8", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.8.1", requirement: OfficialImages.cuda1281, device: Hosts.h100on575, decidedBy: "cuda>=12.8", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.8.1", requirement: OfficialImages.cuda1281, device: Hosts.a100on535, decidedBy: "brand=nvidia,driver>=535,driver<536", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.8.1", requirement: OfficialImages.cuda1281, device: Hosts.geforce535, decidedBy: nil, source: "ubuntu2404/base/Dockerfile:7 no GeForce alternative"),
    ImageCase(image: "12.9.1", requirement: OfficialImages.cuda1291, device: Hosts.h200, decidedBy: "cuda>=12.9", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.9.1", requirement: OfficialImages.cuda1291, device: Hosts.geforce575, decidedBy: "cuda>=12.9", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.9.1", requirement: OfficialImages.cuda1291, device: Hosts.a100on535, decidedBy: "brand=nvidia,driver>=535,driver<536", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "12.9.1", requirement: OfficialImages.cuda1291, device: Hosts.geforce535, decidedBy: nil, source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.h200, decidedBy: "cuda>=13.0", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.geforce580, decidedBy: "cuda>=13.0", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.h100on575, decidedBy: "brand=nvidia,driver>=575,driver<576", source: "ubuntu2404/base/Dockerfile:7 forward-compatibility alternative"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.geforce575, decidedBy: nil, source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.a100on535, decidedBy: "brand=nvidia,driver>=535,driver<536", source: "ubuntu2404/base/Dockerfile:7"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.noDevice(on: Hosts.h100on575), decidedBy: "brand=unknown,driver>=575,driver<576", source: "configure.c:218-219"),
    ImageCase(image: "13.0.0", requirement: OfficialImages.cuda1300, device: Hosts.noDevice(on: Hosts.geforce575), decidedBy: "brand=unknown,driver>=575,driver<576", source: "configure.c:218-219 a GeForce host passes with no GPU visible"),
  ])
  func officialImages(_ test: ImageCase) {
    let (decision, terms) = NvidiaRequire.evaluate(test.requirement, on: test.device)
    #expect(decision == (test.decidedBy == nil ? .unsatisfied : .satisfied))
    #expect(terms.first(where: \.satisfied)?.term.text == test.decidedBy)
  }

  @Test func everyAlternativeIsExplainedWhenAllFail() throws {
    let outcome = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": OfficialImages.cuda1281], devices: [Hosts.geforce535])
    let evaluation = try #require(outcome.evaluations.first)
    #expect(evaluation.terms.count == 61)
    #expect(evaluation.terms.allSatisfy { $0.status == .fails })
    #expect(evaluation.terms[0].explanation == "cuda>=12.8 fails (cuda is 12.2)")
    #expect(evaluation.terms[2].explanation == "brand=grid fails (brand is GeForce), driver<471 fails (driver is 535.183.01)")
    #expect(evaluation.terms[14].explanation == "brand=grid fails (brand is GeForce)")
  }

  // MARK: Forward compatibility does not enter the check (driver.c:276-280, compat_mode.c:29)

  @Test func cudaComesFromTheHostDriverOnly() {
    // The 13.0.0 image starts on an R575 datacenter GPU only through its explicit R575 alternative;
    // an image that asks for cuda>=13.0 alone is refused there, compat libraries or not.
    let official = NvidiaRequire.evaluate(
      environment: ["NVIDIA_REQUIRE_CUDA": OfficialImages.cuda1300, "NVIDIA_VISIBLE_DEVICES": "all"], driver: "575.57.08", cuda: "12.9", gpus: [Hosts.h100on575])
    #expect(official.checked && official.satisfied)
    let bare = NvidiaRequire.evaluate(
      environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=13.0", "NVIDIA_VISIBLE_DEVICES": "all", "LD_LIBRARY_PATH": "/usr/local/cuda/compat"], driver: "575.57.08", cuda: "12.9",
      gpus: [Hosts.h100on575])
    #expect(!bare.satisfied)
    #expect(bare.evaluations.map(\.device.cuda) == ["12.9"])
  }

  // MARK: Which variables become requirements: cuda_image.go:113-146

  @Test func requirementVariables() {
    let environment = [
      "NVIDIA_REQUIRE_CUDA": "cuda>=12.0", "NVIDIA_REQUIRE_ARCH": "arch>=10.0", "NVIDIA_REQUIRE_ANYTHING": "", "NVIDIA_REQUIRE_JETPACK": "garbage",
      "NVIDIA_REQUIRE_JETPACK_L4T": "garbage", "NVIDIA_REQUIRES_X": "x", "NVIDIA_REQUIRE": "y",
    ]
    // cuda_image.go:120-124: the NVIDIA_REQUIRE_ prefix, minus anything starting NVIDIA_REQUIRE_JETPACK.
    #expect(NvidiaRequire.requirements(in: environment).requirements.map(\.0) == ["NVIDIA_REQUIRE_ANYTHING", "NVIDIA_REQUIRE_ARCH", "NVIDIA_REQUIRE_CUDA"])
    let outcome = NvidiaRequire.evaluate(environment: environment, driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(outcome.visibleDevices == .void, "no NVIDIA_VISIBLE_DEVICES, not legacy")
    #expect(!outcome.checked && outcome.satisfied, "container_config.go:180-184: not a GPU container, nothing checked")
    var visible = environment
    visible["NVIDIA_VISIBLE_DEVICES"] = "all"
    let checked = NvidiaRequire.evaluate(environment: visible, driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(checked.evaluations.map(\.satisfied) == [true, false, true])
    #expect(!checked.satisfied)
  }

  @Test(arguments: [("true", true), ("1", true), ("T", true), ("TRUE", true), ("True", true), ("yes", false), ("on", false), ("", false), ("false", false), ("tRUE", false)])
  func disableRequire(value: String, disabled: Bool) {
    // cuda_image.go:138-146: strconv.ParseBool, anything else is false.
    let environment = ["NVIDIA_REQUIRE_CUDA": "cuda>=99.0", "NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DISABLE_REQUIRE": value]
    let outcome = NvidiaRequire.evaluate(environment: environment, driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(outcome.disabled == disabled)
    #expect(outcome.satisfied == disabled)
  }

  // MARK: Legacy images: cuda_image.go:101-105,125-132,193-223 (x/mod/semver at v1.20.0)

  @Test(arguments: [
    ("12.4.1", "cuda>=12.4"), ("v12.4.1", "cuda>=12.4"), ("12", "cuda>=12.0"), ("12.4", "cuda>=12.4"), ("12.4.1-rc.1+build.5", "cuda>=12.4"),
    ("12.4.1+01", "cuda>=12.4"), ("0.9", "cuda>=0.9"),
  ])
  func legacyRequirement(cudaVersion: String, requirement: String) {
    #expect(NvidiaRequire.legacyRequirement(cudaVersion: cudaVersion) == requirement)
  }

  @Test(arguments: ["12.4.1.0", "12.04", "012.4", "12.4-rc1", "12-rc1", "vv12", "4294967296.1", "12.4.1-01", "12.4.1-", "12.4.1+", "12.4.1-r_c", " 12.4"])
  func malformedCudaVersion(cudaVersion: String) {
    #expect(NvidiaRequire.legacyRequirement(cudaVersion: cudaVersion) == nil)
    // container_config.go:204-207: the hook panics "failed to get requirements".
    let outcome = NvidiaRequire.evaluate(environment: ["CUDA_VERSION": cudaVersion], driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(outcome.setupError?.hasPrefix("failed to get requirements") == true)
    #expect(!outcome.satisfied)
  }

  @Test func legacyImage() throws {
    // No NVIDIA_VISIBLE_DEVICES in a legacy image means all GPUs (cuda_image.go:168-171).
    let outcome = NvidiaRequire.evaluate(environment: ["CUDA_VERSION": "13.1.0"], driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(outcome.visibleDevices == .all)
    #expect(outcome.synthesizedFromCudaVersion)
    #expect(outcome.evaluations.map(\.expression) == ["cuda>=13.1"])
    #expect(!outcome.satisfied)
    // An empty NVIDIA_REQUIRE_CUDA still counts as unset (cuda_image.go:104) and is itself a requirement.
    let empty = NvidiaRequire.evaluate(environment: ["CUDA_VERSION": "12.4.1", "NVIDIA_REQUIRE_CUDA": ""], driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200])
    #expect(empty.evaluations.map(\.variable) == ["NVIDIA_REQUIRE_CUDA", "CUDA_VERSION"])
    #expect(empty.satisfied)
    // A malformed CUDA_VERSION stops nothing when requirements are disabled or no GPU is requested.
    #expect(NvidiaRequire.evaluate(environment: ["CUDA_VERSION": "12.4.1.0", "NVIDIA_DISABLE_REQUIRE": "1"], driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200]).satisfied)
    #expect(NvidiaRequire.evaluate(environment: ["CUDA_VERSION": "12.4.1.0", "NVIDIA_VISIBLE_DEVICES": "void"], driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200]).satisfied)
  }

  // MARK: Which GPUs are evaluated: cuda_image.go:149-179, devices.go:36-50, configure.c:309-360, common.c:277-330

  @Test(arguments: [
    ("all", NvidiaRequire.VisibleDevices.all), ("", .void), ("void", .void), ("0,void", .void), (" , ", .void), ("none", .none),
    (" 0 , 1 ", .list(["0", "1"])), ("0,all", .all), ("none,all", .none), ("ALL", .list(["ALL"])),
  ])
  func visibleDevices(value: String, expected: NvidiaRequire.VisibleDevices) {
    #expect(NvidiaRequire.VisibleDevices.requested(by: ["NVIDIA_VISIBLE_DEVICES": value]) == expected)
  }

  static let twoGPUs = [
    NvidiaRequire.DeviceFacts(
      cuda: "13.0", driver: "580.159.04", arch: "9.0", brand: "Nvidia", label: "H200", uuid: "GPU-aaaa", pciBusID: "0000:06:00.0", migDevices: ["MIG-m0", "MIG-m1"]),
    NvidiaRequire.DeviceFacts(
      cuda: "13.0", driver: "580.159.04", arch: "8.9", brand: "GeForce", label: "RTX-4090", uuid: "GPU-bbbb", pciBusID: "0000:07:00.0", migDevices: []),
  ]

  @Test(arguments: [
    ("1", ["RTX-4090"]), ("gpu-BBBB", ["RTX-4090"]), ("0:7:0", ["RTX-4090"]), ("00000000:07:00.0", ["RTX-4090"]), ("MIG-m1", ["H200"]), ("0:1", ["H200"]),
    ("0,0", ["H200"]), ("1,ALL", ["H200", "RTX-4090"]),
  ])
  func selection(entries: String, labels: [String]) {
    let selection = NvidiaRequire.select(.list(entries.split(separator: ",").map(String.init)), from: Self.twoGPUs)
    #expect(selection == .devices(Self.twoGPUs.filter { labels.contains($0.label ?? "") }))
  }

  @Test func unknownAndAbsentDevices() {
    // common.c:322-324 unknown device; configure.c:309 nothing is selected without GPUs.
    #expect(NvidiaRequire.select(.list(["7"]), from: Self.twoGPUs) == .unknownDevice("7"))
    #expect(NvidiaRequire.select(.list(["1:0"]), from: Self.twoGPUs) == .unknownDevice("1:0"))
    #expect(NvidiaRequire.select(.list(["7"]), from: []) == .noDevice)
    #expect(NvidiaRequire.select(.all, from: []) == .noDevice)
    #expect(NvidiaRequire.select(.none, from: Self.twoGPUs) == .noDevice)
    let outcome = NvidiaRequire.evaluate(
      environment: ["NVIDIA_REQUIRE_CUDA": "cuda>=12.0", "NVIDIA_VISIBLE_DEVICES": "7"], driver: "580.159.04", cuda: "13.0", gpus: Self.twoGPUs)
    #expect(outcome.setupError == "device error: 7: unknown device")
  }

  @Test func everyVisibleGPUMustSatisfyEveryRequirement() {
    // configure.c:332-341: per GPU, per requirement.
    let environment = ["NVIDIA_REQUIRE_BRAND": "brand=nvidia"]
    let all = NvidiaRequire.evaluate(environment: environment.merging(["NVIDIA_VISIBLE_DEVICES": "all"]) { $1 }, driver: "580.159.04", cuda: "13.0", gpus: Self.twoGPUs)
    #expect(all.evaluations.map(\.satisfied) == [true, false])
    #expect(!all.satisfied)
    let first = NvidiaRequire.evaluate(environment: environment.merging(["NVIDIA_VISIBLE_DEVICES": "0"]) { $1 }, driver: "580.159.04", cuda: "13.0", gpus: Self.twoGPUs)
    #expect(first.evaluations.map(\.device.label) == ["H200"])
    #expect(first.satisfied)
    // configure.c:352-360: `none` evaluates once without a device, so arch and brand hold.
    let none = NvidiaRequire.evaluate(
      environment: ["NVIDIA_REQUIRE_X": "arch>=10.0,brand=tesla", "NVIDIA_REQUIRE_CUDA": "cuda>=13.1", "NVIDIA_VISIBLE_DEVICES": "none"], driver: "580.159.04",
      cuda: "13.0", gpus: Self.twoGPUs)
    #expect(none.evaluations.map(\.satisfied) == [false, true])
    #expect(none.evaluations.allSatisfy { $0.device.arch == nil })
  }

  @Test func moreThan32RequirementsStopTheCLI() {
    // cli.h:42 reqs[32], configure.c:93-96 "too many requirements".
    var environment = ["NVIDIA_VISIBLE_DEVICES": "all"]
    for index in 0..<33 { environment["NVIDIA_REQUIRE_\(index)"] = "cuda>=1" }
    #expect(NvidiaRequire.evaluate(environment: environment, driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200]).setupError?.contains("too many requirements") == true)
    environment["NVIDIA_REQUIRE_0"] = nil
    #expect(NvidiaRequire.evaluate(environment: environment, driver: "580.159.04", cuda: "13.0", gpus: [Hosts.h200]).satisfied)
  }
}

@Suite struct ContainerRuntimeModeTests {
  struct ModeCase: Sendable, CustomTestStringConvertible {
    let launcher: ContainerRuntimeMode.Launcher
    let configured: ContainerRuntimeMode?
    let version: String?
    let platform: ContainerRuntimeMode.Platform
    let onlyCDI: Bool
    let expected: ContainerRuntimeMode.Resolution
    let source: String
    var testDescription: String { "\(launcher) \(configured?.rawValue ?? "auto") \(version ?? "current") → \(expected) [\(source)]" }
  }

  @Test(arguments: [
    ModeCase(launcher: .nvidiaRuntime, configured: nil, version: "1.20.0", platform: .nvml, onlyCDI: false, expected: .mode(.jitCDI), source: "auto.go:87-99,129-131; runtime_factory.go:111-115"),
    ModeCase(launcher: .nvidiaRuntime, configured: nil, version: "1.18.0", platform: .nvml, onlyCDI: false, expected: .mode(.jitCDI), source: "6149592b first in v1.18.0"),
    ModeCase(launcher: .nvidiaRuntime, configured: nil, version: "1.17.8", platform: .nvml, onlyCDI: false, expected: .mode(.legacy), source: "auto.go@v1.17.8:49-51"),
    ModeCase(launcher: .nvidiaRuntime, configured: .legacy, version: "1.20.0", platform: .nvml, onlyCDI: false, expected: .mode(.legacy), source: "auto.go:112-114"),
    ModeCase(launcher: .nvidiaRuntime, configured: nil, version: nil, platform: .nvml, onlyCDI: true, expected: .mode(.cdi), source: "auto.go:120-122"),
    ModeCase(launcher: .nvidiaRuntime, configured: nil, version: nil, platform: .tegra, onlyCDI: false, expected: .mode(.csv), source: "auto.go:132-133"),
    ModeCase(launcher: .dockerGPUsHook, configured: nil, version: "1.20.0", platform: .nvml, onlyCDI: false, expected: .mode(.legacy), source: "hook_config.go:120-124 default legacy"),
    ModeCase(launcher: .dockerGPUsHook, configured: .cdi, version: "1.20.0", platform: .nvml, onlyCDI: false, expected: .hookRejects(.cdi), source: "hook_config.go:126-130; main.go:85-87"),
    ModeCase(launcher: .dockerGPUsHook, configured: nil, version: "1.20.0", platform: .nvml, onlyCDI: true, expected: .hookRejects(.cdi), source: "auto.go:120-122"),
    ModeCase(launcher: .engineCDI, configured: .legacy, version: "1.20.0", platform: .nvml, onlyCDI: true, expected: .engineCDI, source: "moby#50228; CDI spec env NVIDIA_VISIBLE_DEVICES=void"),
  ])
  func resolution(_ test: ModeCase) {
    let resolution = ContainerRuntimeMode.resolve(
      launcher: test.launcher, configured: test.configured, toolkitVersion: test.version.flatMap(NumericVersion.init), platform: test.platform,
      onlyCDIDeviceNames: test.onlyCDI)
    #expect(resolution == test.expected)
  }

  @Test func onlyLegacyEnforcesNvidiaRequire() {
    // mode.go:24-35 and csv.go:39-41: requirements are checked by the hook (legacy) and by the csv modifier only.
    #expect(ContainerRuntimeMode.allCases.filter { $0.requirementCheck == .libnvidiaContainer } == [.legacy])
    #expect(ContainerRuntimeMode.csv.requirementCheck == .toolkitConstraints)
    #expect(ContainerRuntimeMode.jitCDI.requirementCheck == .none && ContainerRuntimeMode.cdi.requirementCheck == .none)
    #expect(ContainerRuntimeMode.Resolution.mode(.legacy).enforcesNvidiaRequire)
    #expect(!ContainerRuntimeMode.Resolution.mode(.jitCDI).enforcesNvidiaRequire)
    #expect(!ContainerRuntimeMode.Resolution.hookRejects(.cdi).enforcesNvidiaRequire)
    #expect(ContainerRuntimeMode.resolve(launcher: .dockerGPUsHook, configured: .jitCDI, hookSkipsModeDetection: true) == .mode(.legacy))
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
