import Foundation
import Testing

@testable import Compatibility

/// Every case names its source; the full quotes are in reference/compute-capability-rules.md.
/// Wheel arch lists come from reference/compat-data.json (`torchArchLists.releases`), GPUs and
/// their compute capabilities from the generated PCI catalog.
enum Source {
  static let binary = "CUDA C++ Programming Guide 12.x §6.1.2 Binary Compatibility: a cubin for X.y runs only on X.z with z ≥ y"
  static let tegra = "CUDA C++ Programming Guide 12.x §6.1.2 Note: no binary compatibility between desktop and Tegra"
  static let ptx = "CUDA C++ Programming Guide 12.x §6.1.3 PTX Compatibility: PTX compiles to any greater or equal compute capability"
  static let ada = "Ada Compatibility Guide §1.2: a cubin generated for 8.6 is supported to run on 8.9"
  static let cubinFirst = "Volta Compatibility Guide §1.2 note: with cubin and PTX present the runtime uses the cubin"
  static let archSpecific = "CUDA Programming Guide 13.x §5.1.2.1: architecture-specific code runs only on the exact compute capability"
  static let family = "CUDA Programming Guide 13.x §5.1.2.3 Table 28 Family-Specific Compatibility"
  static let nvccFamily = "nvcc 13.x §4.2.9.1.14 --gpu-name: PTX for sm_XYf compiles to sm_XZ (Z ≥ Y, same family); sm_XYa only to sm_XYa"
  static let thorRename = "CUDA 13.0: Thor SM renamed sm_101 → sm_110 (cuRANDDx/nvCOMPDx release notes); torch/cuda/__init__.py:368,370 @ v2.15.0"
  static let sbsa = "torch/cuda/__init__.py:375-384 @ v2.15.0 DEVICE_REQUIREMENT_POST_JETSON_SBSA_UNIFICATION (pytorch PR #186285)"
  static let torchTable = "torch/cuda/__init__.py:352-373 @ v2.15.0 DEVICE_REQUIREMENT"
}

/// Arch lists of real wheels, read from reference/compat-data.json.
enum Wheels {
  static let releases: [String: [String: [String: String]]] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("reference/compat-data.json")
    guard let data = try? Data(contentsOf: url), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let lists = json["torchArchLists"] as? [String: Any], let releases = lists["releases"] as? [String: [String: Any]]
    else { return [:] }
    // release → CUDA tag → string fields; entries that are not wheels (a "note") drop out.
    return releases.mapValues { tags in
      tags.compactMapValues { ($0 as? [String: Any])?.compactMapValues { $0 as? String } }
    }
  }()

  /// The build of torch `release` for CUDA `tag` (`cu124`), x86_64 unless `aarch64`.
  static func build(_ release: String, _ tag: String, aarch64: Bool = false, torchVersion: String? = nil) -> TorchArchitectures.TorchBuild {
    let row = releases[release]?[tag] ?? [:]
    let list = (aarch64 ? row["aarch64"] : row["TORCH_CUDA_ARCH_LIST"]) ?? ""
    let digits = tag.dropFirst(2)
    return .init(cuda: "\(digits.dropLast()).\(digits.suffix(1))", archFlags: archFlags(list), torchVersion: torchVersion)
  }

  /// TORCH_CUDA_ARCH_LIST `7.5;8.0;12.0+PTX` → `sm_75 sm_80 sm_120 compute_120` (compat-data.json `howToRead`).
  static func archFlags(_ list: String) -> [String] {
    let entries = list.split(separator: ";").map { $0.replacing("+PTX", with: "") }
    let withPTX = list.split(separator: ";").filter { $0.hasSuffix("+PTX") }.map { $0.replacing("+PTX", with: "") }
    return entries.map { "sm_" + $0.replacing(".", with: "") } + withPTX.map { "compute_" + $0.replacing(".", with: "") }
  }
}

/// GPUs by PCI device id (pci.ids @ c1c12547, 2026.08.22) with their catalog compute capability.
enum GPU {
  static func capability(_ id: UInt16) -> String { GPUCatalog.nvidia(deviceID: id)?.computeCapability ?? "?" }
  static let h200: UInt16 = 0x2335, l4: UInt16 = 0x27b8, rtx4090: UInt16 = 0x2684, b200: UInt16 = 0x2901, gb200: UInt16 = 0x2941
  static let b300: UInt16 = 0x3182, rtx5090: UInt16 = 0x2b85, rtxPro6000: UInt16 = 0x2bb1, gb10: UInt16 = 0x2e12, thor: UInt16 = 0x2b00
}

struct ArchCase: CustomTestStringConvertible, Sendable {
  let what: String
  let build: TorchArchitectures.TorchBuild
  let capability: String
  let expected: String
  let source: String
  var testDescription: String { "\(what) → \(expected)" }

  init(_ what: String, _ build: TorchArchitectures.TorchBuild, on capability: String, _ expected: String, _ source: String) {
    self.what = what
    self.build = build
    self.capability = capability
    self.expected = expected
    self.source = source
  }

  /// A list whose CUDA version is `cuda`.
  init(_ flags: [String], cuda: String = "12.8", on capability: String, _ expected: String, _ source: String) {
    self.init("\(flags.joined(separator: " ")) (CUDA \(cuda))", .init(cuda: cuda, archFlags: flags), on: capability, expected, source)
  }
}

func describe(_ outcome: TorchArchitectures.Assessment.Outcome) -> String {
  switch outcome {
  case .native(let target): "native \(target)"
  case .ptx(let target): "ptx \(target)"
  case .unsupported: "unsupported"
  case .cpuOnly: "cpuOnly"
  case .undetermined: "undetermined"
  }
}

@Suite struct TorchArchitecturesTests {
  static let wheelCases: [ArchCase] = [
    ArchCase("2.5 cu124 on RTX 5090", Wheels.build("2.5", "cu124"), on: GPU.capability(GPU.rtx5090), "unsupported", Source.binary),
    ArchCase("2.5 cu124 on H200", Wheels.build("2.5", "cu124"), on: GPU.capability(GPU.h200), "native sm_90", Source.binary),
    ArchCase("2.5 cu124 on L4", Wheels.build("2.5", "cu124"), on: GPU.capability(GPU.l4), "native sm_86", Source.ada),
    ArchCase("2.5 cu124 on RTX 4090", Wheels.build("2.5", "cu124"), on: GPU.capability(GPU.rtx4090), "native sm_86", Source.ada),
    ArchCase("2.5 cu124 on B200", Wheels.build("2.5", "cu124"), on: GPU.capability(GPU.b200), "unsupported", Source.binary),
    ArchCase("2.5 cu124 on Jetson Orin", Wheels.build("2.5", "cu124"), on: "8.7", "unsupported", Source.tegra),
    ArchCase("2.5 cu118 on Tesla K80", Wheels.build("2.5", "cu118"), on: "3.7", "native sm_37", Source.binary),
    ArchCase("2.6 cu126 on GTX 1080", Wheels.build("2.6", "cu126"), on: "6.1", "native sm_60", Source.binary),
    ArchCase("2.7 cu128 on RTX 5090", Wheels.build("2.7", "cu128"), on: GPU.capability(GPU.rtx5090), "native sm_120", Source.cubinFirst),
    ArchCase("2.7 cu128 on RTX PRO 6000", Wheels.build("2.7", "cu128"), on: GPU.capability(GPU.rtxPro6000), "native sm_120", Source.binary),
    ArchCase("2.7 cu128 on B200", Wheels.build("2.7", "cu128"), on: GPU.capability(GPU.b200), "native sm_100", Source.binary),
    ArchCase("2.7 cu128 on GB200", Wheels.build("2.7", "cu128"), on: GPU.capability(GPU.gb200), "native sm_100", Source.binary),
    ArchCase("2.7 cu128 on B300", Wheels.build("2.7", "cu128"), on: GPU.capability(GPU.b300), "native sm_100", Source.binary + "; " + Source.torchTable),
    ArchCase("2.7 cu128 on V100", Wheels.build("2.7", "cu128"), on: "7.0", "unsupported", Source.binary + "; " + Source.ptx),
    ArchCase("2.8 cu128 on V100", Wheels.build("2.8", "cu128"), on: "7.0", "native sm_70", Source.binary),
    ArchCase("2.10 cu128 on GB10", Wheels.build("2.10", "cu128"), on: GPU.capability(GPU.gb10), "native sm_120", Source.binary + "; " + Source.torchTable),
    ArchCase("2.11 cu130 (no PTX, observed) on RTX 5090", Wheels.build("2.11", "cu130"), on: GPU.capability(GPU.rtx5090), "native sm_120", Source.binary),
    ArchCase("2.11 cu130 on H200", Wheels.build("2.11", "cu130"), on: GPU.capability(GPU.h200), "native sm_90", Source.binary),
    ArchCase("2.11 cu130 on GTX 1080", Wheels.build("2.11", "cu130"), on: "6.1", "unsupported", Source.binary),
    ArchCase("2.9 cu130 aarch64 on Jetson Thor", Wheels.build("2.9", "cu130", aarch64: true), on: GPU.capability(GPU.thor), "native sm_110", Source.binary),
    ArchCase("2.9 cu130 aarch64 on Jetson Orin", Wheels.build("2.9", "cu130", aarch64: true), on: "8.7", "unsupported", Source.tegra + "; " + Source.torchTable),
    ArchCase("2.12 cu132 aarch64 on Jetson Orin", Wheels.build("2.12", "cu132", aarch64: true), on: "8.7", "native sm_80", Source.sbsa),
    ArchCase("2.12 cu132 aarch64 on GB10", Wheels.build("2.12", "cu132", aarch64: true), on: GPU.capability(GPU.gb10), "native sm_120", Source.family),
    ArchCase("2.12 cu130 (12.0+PTX) on a future 13.0 GPU", Wheels.build("2.12", "cu130"), on: "13.0", "ptx compute_120", Source.ptx),
  ]

  @Test(arguments: wheelCases)
  func realWheels(_ test: ArchCase) {
    #expect(!test.build.archFlags.isEmpty, "wheel missing from reference/compat-data.json")
    let assessment = TorchArchitectures.assess(test.build, capability: test.capability)
    #expect(describe(assessment.outcome) == test.expected, "\(test.source): \(assessment.explanation)")
  }

  static let ruleCases: [ArchCase] = [
    // Cubins: same major, minor at least the cubin's.
    ArchCase(["sm_80"], on: "8.6", "native sm_80", Source.binary),
    ArchCase(["sm_86"], on: "8.0", "unsupported", Source.binary),
    ArchCase(["sm_89"], on: "8.6", "unsupported", Source.binary),
    ArchCase(["sm_90"], on: "10.0", "unsupported", Source.binary),
    ArchCase(["sm_80", "sm_86", "sm_90"], on: "8.9", "native sm_86", Source.ada),
    ArchCase(["sm_100"], on: "12.0", "unsupported", Source.binary),
    ArchCase(["sm_120"], on: "12.1", "native sm_120", Source.binary + "; " + Source.torchTable),
    ArchCase(["sm_121"], on: "12.0", "unsupported", Source.binary),
    // Tegra: no binary compatibility either way.
    ArchCase(["sm_80"], cuda: "12.6", on: "8.7", "unsupported", Source.tegra),
    ArchCase(["sm_87"], on: "8.9", "unsupported", Source.tegra + "; " + Source.torchTable),
    ArchCase(["sm_87"], on: "8.7", "native sm_87", Source.binary),
    ArchCase(["sm_72"], on: "7.5", "unsupported", Source.tegra),
    ArchCase(["sm_70"], cuda: "12.6", on: "7.2", "unsupported", Source.tegra),
    ArchCase(["sm_60"], on: "6.2", "unsupported", Source.tegra),
    ArchCase(["sm_50"], on: "5.3", "unsupported", Source.tegra),
    ArchCase(["sm_100"], on: "10.1", "unsupported", Source.tegra + "; " + Source.torchTable),
    ArchCase(["sm_100"], on: "11.0", "unsupported", Source.binary),
    ArchCase(["sm_101"], on: "11.0", "native sm_101", Source.thorRename),
    ArchCase(["sm_110"], on: "10.1", "native sm_110", Source.thorRename),
    // CUDA 13.2 put Jetson Orin on the SBSA stack.
    ArchCase(["sm_80"], cuda: "13.2", on: "8.7", "native sm_80", Source.sbsa),
    ArchCase(["sm_86"], cuda: "13.2", on: "8.7", "native sm_86", Source.sbsa),
    ArchCase(["sm_80"], cuda: "13.0", on: "8.7", "unsupported", Source.sbsa),
    ArchCase(["sm_87"], cuda: "13.2", on: "8.9", "unsupported", Source.sbsa),
    ArchCase(["sm_60"], cuda: "13.2", on: "6.2", "unsupported", Source.sbsa),
    // PTX JIT-compiles forward, across majors and across the Tegra line.
    ArchCase(["sm_80", "compute_80"], on: "9.0", "ptx compute_80", Source.ptx),
    ArchCase(["sm_80", "compute_80"], cuda: "12.6", on: "8.7", "ptx compute_80", Source.ptx),
    ArchCase(["compute_90"], on: "8.9", "unsupported", Source.ptx),
    ArchCase(["compute_70", "compute_90"], on: "12.0", "ptx compute_90", Source.ptx),
    ArchCase(["sm_120", "compute_120"], on: "12.0", "native sm_120", Source.cubinFirst),
    // Architecture-specific `a`: exactly one compute capability, PTX included.
    ArchCase(["sm_90a"], on: "9.0", "native sm_90a", Source.archSpecific),
    ArchCase(["sm_90", "sm_90a"], on: "9.0", "native sm_90a", Source.archSpecific),
    ArchCase(["sm_100a"], on: "10.3", "unsupported", Source.archSpecific),
    ArchCase(["sm_120a"], on: "12.1", "unsupported", Source.archSpecific),
    ArchCase(["compute_90a"], on: "9.0", "ptx compute_90a", Source.nvccFamily),
    ArchCase(["compute_90a"], on: "10.0", "unsupported", Source.nvccFamily),
    ArchCase(["sm_100a", "compute_100"], on: "10.3", "ptx compute_100", Source.ptx),
    // Family-specific `f`: the later members of the family in Table 28.
    ArchCase(["sm_100f"], on: "10.0", "native sm_100f", Source.family),
    ArchCase(["sm_100f"], on: "10.3", "native sm_100f", Source.family),
    ArchCase(["sm_100f"], on: "10.7", "native sm_100f", Source.family),
    ArchCase(["sm_100f"], on: "11.0", "unsupported", Source.family),
    ArchCase(["sm_100f"], on: "12.0", "unsupported", Source.family),
    ArchCase(["sm_103f"], on: "10.0", "unsupported", Source.family),
    ArchCase(["sm_103f"], on: "10.7", "native sm_103f", Source.family),
    ArchCase(["sm_120f"], on: "12.1", "native sm_120f", Source.family),
    ArchCase(["sm_121f"], on: "12.0", "unsupported", Source.family),
    ArchCase(["sm_110f"], on: "11.0", "native sm_110f", Source.family),
    ArchCase(["compute_100f"], on: "10.3", "ptx compute_100f", Source.nvccFamily),
    ArchCase(["compute_100f"], on: "12.0", "unsupported", Source.nvccFamily),
    ArchCase(["compute_120f"], on: "12.1", "ptx compute_120f", Source.nvccFamily),
    // Builds that say nothing.
    ArchCase("CPU build", .init(cuda: nil, archFlags: []), on: "9.0", "cpuOnly", "torch.version.cuda is None"),
    ArchCase(
      "CUDA build, arch list read without a GPU", .init(cuda: "12.4", archFlags: []), on: "9.0", "undetermined",
      "torch/cuda/__init__.py:916-917 @ v2.5.1: get_arch_list() returns [] when CUDA is not available"),
    ArchCase("unreadable capability", .init(cuda: "12.4", archFlags: ["sm_90"]), on: "nine", "undetermined", "—"),
  ]

  @Test(arguments: ruleCases)
  func rules(_ test: ArchCase) {
    let assessment = TorchArchitectures.assess(test.build, capability: test.capability)
    #expect(describe(assessment.outcome) == test.expected, "\(test.source): \(assessment.explanation)")
  }

  @Test func explanations() {
    let orin = TorchArchitectures.assess(Wheels.build("2.5", "cu124"), capability: "8.7")
    #expect(
      orin.explanation
        == "no cubin runs on 8.7: sm_50 sm_60 sm_70 sm_75 sm_90 (other majors; a cubin runs only on its own major); sm_80 sm_86 (no desktop↔Tegra binary compatibility: 8.7 Jetson Orin runs only its own cubins before CUDA 13.2); no PTX is embedded for the driver to JIT"
    )
    let blackwell = TorchArchitectures.assess(Wheels.build("2.5", "cu124"), capability: "12.0")
    #expect(
      blackwell.explanation
        == "no cubin runs on 12.0: sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90 (other majors; a cubin runs only on its own major); no PTX is embedded for the driver to JIT"
    )
    let ada = TorchArchitectures.assess(Wheels.build("2.5", "cu124"), capability: "8.9")
    #expect(ada.explanation == "sm_86 cubins run on 8.9 (a cubin runs on its own major at the same or a higher minor)")
    let jit = TorchArchitectures.assess(.init(cuda: "12.8", archFlags: ["sm_80", "compute_80"]), capability: "9.0")
    #expect(jit.explanation.hasPrefix("no cubin runs on 9.0: sm_80 (other majors; a cubin runs only on its own major); the driver must JIT compute_80 at first use"))
    let family = TorchArchitectures.assess(.init(cuda: "12.9", archFlags: ["sm_100f", "sm_120"]), capability: "10.3")
    #expect(family.explanation == "sm_100f is family-specific code that runs on 10.0, 10.3, 10.7")
    let sbsa = TorchArchitectures.assess(Wheels.build("2.12", "cu132", aarch64: true), capability: "8.7")
    #expect(sbsa.explanation.contains("from CUDA 13.2 Jetson runs SBSA (desktop) binaries"))
  }

  /// The four-way verdict CompatibilityVerdicts switches on, from a bare arch list.
  @Test func legacyVerdicts() {
    let cu124 = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]
    #expect(TorchArchitectures.verdict(archList: cu124, capability: "9.0") == .native("sm_90"))
    #expect(TorchArchitectures.verdict(archList: cu124, capability: "8.9") == .native("sm_86"), "sm_86 runs on 8.9")
    #expect(TorchArchitectures.verdict(archList: cu124, capability: "12.0") == .unsupported, "Blackwell needs sm_120 or PTX")
    #expect(TorchArchitectures.verdict(archList: cu124, capability: "8.7") == .unsupported, "Orin runs no desktop cubin")
    #expect(TorchArchitectures.verdict(archList: ["sm_80", "compute_80"], capability: "9.0") == .ptx("compute_80"))
    #expect(TorchArchitectures.verdict(archList: ["sm_37", "sm_50", "sm_60", "sm_70"], capability: "8.0") == .unsupported)
    #expect(TorchArchitectures.verdict(archList: ["sm_90a"], capability: "9.0") == .native("sm_90a"))
    #expect(TorchArchitectures.verdict(archList: ["sm_72"], capability: "7.5") == .unsupported, "integrated 7.2 runs only on 7.2")
    #expect(TorchArchitectures.verdict(archList: [], capability: "9.0") == .cpuOnly)
    #expect(TorchArchitectures.verdict(archList: ["sm_90"], capability: "x") == .unsupported)
    #expect(TorchArchitectures.verdict(build: .init(cuda: "12.4", archFlags: []), capability: "9.0") == nil)
    #expect(TorchArchitectures.verdict(build: .init(cuda: nil, archFlags: []), capability: "9.0") == .cpuOnly)
  }

  @Test(arguments: [
    ("sm_90", "sm", 9, 0, ""), ("sm_90a", "sm", 9, 0, "a"), ("sm_100f", "sm", 10, 0, "f"), ("sm_120", "sm", 12, 0, ""),
    ("sm_121a", "sm", 12, 1, "a"), ("compute_86", "compute", 8, 6, ""), ("compute_120f", "compute", 12, 0, "f"),
  ])
  func parsing(_ entry: String, kind: String, major: Int, minor: Int, suffix: String) throws {
    let parsed = try #require(TorchArchitectures.parse(entry))
    #expect(parsed.kind == kind && parsed.major == major && parsed.minor == minor && parsed.suffix == suffix)
    #expect(TorchArchitectures.Target(entry)?.description == entry)
  }

  @Test(arguments: ["gfx90a", "sm_", "sm_9", "sm_90x", "sm_90af", "compute_", "sm90", "SM_90", "sm_90 ", "sm_1000000"])
  func notArchFlags(_ entry: String) {
    #expect(TorchArchitectures.Target(entry) == nil)
  }

  /// The catalog has the GPUs these tests name, at NVIDIA's compute capability
  /// (developer.nvidia.com/cuda-gpus; pci.ids @ c1c12547).
  @Test(arguments: [
    (GPU.h200, "9.0"), (GPU.l4, "8.9"), (GPU.rtx4090, "8.9"), (GPU.b200, "10.0"), (GPU.gb200, "10.0"), (GPU.b300, "10.3"),
    (UInt16(0x31c2), "10.3"), (GPU.rtx5090, "12.0"), (GPU.rtxPro6000, "12.0"), (UInt16(0x2bb5), "12.0"), (GPU.gb10, "12.1"),
    (GPU.thor, "11.0"),
  ])
  func catalog(_ id: UInt16, capability: String) {
    #expect(GPUCatalog.nvidia(deviceID: id)?.computeCapability == capability)
  }
}

/// What torch itself prints at CUDA initialisation (torch/cuda/__init__.py `_check_capability`,
/// `_check_cubins`), checked against messages users reported.
@Suite struct TorchWarningsTests {
  @Test func rtx5090WithCUDA124Wheel() {
    // _check_cubins, torch/cuda/__init__.py:216-239 @ v2.5.1; reported in pytorch/pytorch#150733.
    let build = Wheels.build("2.5", "cu124", torchVersion: "2.5.1+cu124")
    let warnings = TorchArchitectures.torchWarnings(build, capability: "12.0", deviceName: "NVIDIA GeForce RTX 5090")
    #expect(
      warnings == [
        """
        NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation.
        The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.
        If you want to use the NVIDIA GeForce RTX 5090 GPU with PyTorch, please check the instructions at https://pytorch.org/get-started/locally/
        """
      ])
  }

  @Test func orinIsSilentBefore211ThoughNoKernelRuns() {
    // _check_cubins only compares majors (torch/cuda/__init__.py:231 @ v2.5.1), and the ≤ 2.7
    // _check_capability only warns below the lowest entry (:209).
    let build = Wheels.build("2.5", "cu124", torchVersion: "2.5.1+cu124")
    #expect(TorchArchitectures.torchWarnings(build, capability: "8.7", deviceName: "Orin").isEmpty)
    #expect(TorchArchitectures.assess(build, capability: "8.7").outcome == .unsupported)
  }

  @Test func tooOldBefore28() throws {
    // torch/cuda/__init__.py:235-265 @ v2.7.1; 2.7.0+cu128 text in turboderp-org/exllamav2#786.
    let build = Wheels.build("2.7", "cu128", torchVersion: "2.7.0+cu128")
    let warnings = TorchArchitectures.torchWarnings(build, capability: "6.1", deviceName: "NVIDIA GeForce GTX 1080")
    #expect(warnings.count == 2)
    #expect(
      warnings.first
        == """
        Found GPU0 NVIDIA GeForce GTX 1080 which is of cuda capability 6.1.
        PyTorch no longer supports this GPU because it is too old.
        The minimum cuda capability supported by this library is 7.5.
        """)
    #expect(try #require(warnings.last).hasPrefix("NVIDIA GeForce GTX 1080 with CUDA capability sm_61 is not compatible"))
  }

  @Test func minimumAndMaximumIn28To210() {
    // torch/cuda/__init__.py:246-304 @ v2.9.0; GB10 false alarm in pytorch/pytorch#172629 (2.9.1).
    let build = Wheels.build("2.9", "cu130", aarch64: true, torchVersion: "2.9.1+cu130")
    let warnings = TorchArchitectures.torchWarnings(build, capability: "12.1", deviceName: "NVIDIA GB10")
    #expect(
      warnings == [
        """
        Found GPU0 NVIDIA GB10 which is of cuda capability 12.1.
        Minimum and Maximum cuda capability supported by this version of PyTorch is
        (8.0) - (12.0)
        """
      ])
    #expect(TorchArchitectures.assess(build, capability: "12.1").outcome == .native(.init(.cubin, .init(12, 0))))
  }

  @Test func deviceRequirementFrom211() {
    // torch/cuda/__init__.py:291-312, 334-372 @ v2.11.0; the V100 text in pytorch/pytorch#182250.
    let build = Wheels.build("2.11", "cu128", torchVersion: "2.11.0+cu128")
    let warnings = TorchArchitectures.torchWarnings(build, capability: "7.0", deviceName: "Tesla V100-PCIE-32GB")
    #expect(
      warnings == [
        """
        Found GPU0 Tesla V100-PCIE-32GB which is of compute capability (CC) 7.0.
        The following list shows the CCs this version of PyTorch was built for and the hardware CCs it supports:
        - 7.5 which supports hardware CC >=7.5,<8.0
        - 8.0 which supports hardware CC >=8.0,<9.0 except {8.7}
        - 8.6 which supports hardware CC >=8.6,<9.0 except {8.7}
        - 9.0 which supports hardware CC >=9.0,<10.0
        - 10.0 which supports hardware CC >=10.0,<11.0 except {10.1}
        - 12.0 which supports hardware CC >=12.0,<13.0
        """
      ])
  }

  @Test func orinWarnsFrom211UntilCUDA132() throws {
    // 2.13: DEVICE_REQUIREMENT[80] excludes 8.7 (torch/cuda/__init__.py:309 @ v2.13.0); _check_cubins stays quiet.
    let cu130 = Wheels.build("2.13", "cu130", aarch64: true, torchVersion: "2.13.0+cu130")
    let warnings = TorchArchitectures.torchWarnings(cu130, capability: "8.7", deviceName: "Orin")
    #expect(warnings.count == 1)
    #expect(try #require(warnings.first).contains("- 8.0 which supports hardware CC >=8.0,<9.0 except {8.7}"))
    // 2.14+: CUDA ≥ 13.2 builds use DEVICE_REQUIREMENT_POST_JETSON_SBSA_UNIFICATION (:375-384 @ v2.15.0).
    let cu132 = Wheels.build("2.14", "cu132", aarch64: true, torchVersion: "2.15.0+cu132")
    #expect(TorchArchitectures.torchWarnings(cu132, capability: "8.7", deviceName: "Orin").isEmpty)
  }

  @Test func silentWithoutFacts() {
    #expect(TorchArchitectures.torchWarnings(.init(cuda: nil, archFlags: []), capability: "9.0", deviceName: "GPU").isEmpty)
    #expect(TorchArchitectures.torchWarnings(.init(cuda: "12.4", archFlags: []), capability: "9.0", deviceName: "GPU").isEmpty)
    // No torch version: only the version-independent _check_cubins.
    let unknown = TorchArchitectures.TorchBuild(cuda: "12.4", archFlags: ["sm_90"])
    #expect(TorchArchitectures.torchWarnings(unknown, capability: "8.0", deviceName: "A100").count == 1)
  }
}
