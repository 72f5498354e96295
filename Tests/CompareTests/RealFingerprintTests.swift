import Compatibility
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@testable import Compare
@testable import Inspector

/// Comparisons of real fingerprints: the H200 capture, this machine, and the test images
/// inspected through the real Docker daemon.
@Suite(.serialized) struct RealFingerprintTests {
  static func inspected(_ name: String) async throws -> ImageFacts {
    try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference(name), runtime: .docker))
  }

  func thisMachine(with images: [String]) async throws -> Fingerprint {
    var print = await HostFingerprints.probeLive()
    for name in images { print.identity.images.append(try await Self.inspected(name)) }
    return print
  }

  func h200(with images: [ImageFacts] = []) async -> Fingerprint {
    var print = await HostFingerprints.probe(FixtureHost.h200)
    print.identity.images = images
    return print
  }

  @Test func twoDifferentImages() async throws {
    let torch = try ComparedSide(name: "torch.json", fingerprint: try await thisMachine(with: ["torch"]))
    let cuda = try ComparedSide(name: "cuda.json", fingerprint: try await thisMachine(with: ["cuda-layout"]))
    let comparison = Comparator().compare(torch, cuda)
    let pair = "images[\(TestImages.reference("torch")) ↔ \(TestImages.reference("cuda-layout"))]"
    let errors = comparison.differences.filter { $0.severity == .error }.map(\.path).sorted()
    #expect(errors == [
      "\(pair).frameworks[torch]", "\(pair).python.packages[nvidia-cuda-runtime-cu12]", "\(pair).python.packages[torch]",
      "\(pair).summary.cuda", "\(pair).summary.cudnn", "\(pair).summary.nccl",
    ])
    #expect(comparison.differences.first { $0.path == "\(pair).summary.cuda" }?.right == "12.4.131")
    #expect(comparison.verdicts.isEmpty, "no NVIDIA host on either side")
    #expect(comparison.matters)
    #expect(!comparison.differences.contains { $0.path.hasPrefix("host.") && $0.severity >= .warning }, "same host")
  }

  @Test func sameImageTwiceIsEquivalent() async throws {
    let first = try ComparedSide(name: "a", fingerprint: try await thisMachine(with: ["torch"]))
    let second = try ComparedSide(name: "b", fingerprint: try await thisMachine(with: ["torch"]))
    let comparison = Comparator().compare(first, second)
    #expect(!comparison.matters, "\(comparison.differences.filter { $0.severity >= .warning })")
  }

  @Test func h200AgainstACUDA124Image() async throws {
    let h200 = try ComparedSide(name: "h200.json", fingerprint: await h200())
    let here = try ComparedSide(name: "here.json", fingerprint: try await thisMachine(with: ["cuda-layout"]))
    let comparison = Comparator().compare(h200, here)
    let verdicts = Dictionary(grouping: comparison.verdicts, by: \.id)
    #expect(verdicts["compat.cuda-driver"]?.map(\.severity) == [.ok])
    #expect(verdicts["compat.cuda-driver"]?.first?.message == "driver 580.159.04 supports CUDA 12.4.131 (CUDA 12.4 Update 1 needs driver ≥ 550.54.15)")
    let require = try #require(verdicts["compat.nvidia-require"]?.first)
    #expect(require.severity == .ok)
    #expect(require.details.contains { $0.hasSuffix("satisfied by cuda>=12.4") })
    #expect(!comparison.matters, "\(comparison.report.items.filter { $0.severity == .error })")
  }

  /// "Laptop vs cluster": this GPU-less machine (a CI runner) holds the real PyPI torch 2.5.1+cu124
  /// image; the cluster node has an RTX 5090 (derived from the H200 capture). compare predicts
  /// "no kernel image" from the arch flags torch reports without a GPU.
  @Test func realCUDATorchAgainstABlackwellNode() async throws {
    let tree = try FixtureHost.materialize("rtx5090")
    let node = try ComparedSide(name: "node.json", fingerprint: await HostFingerprints.probe(tree.root))
    let runner = try ComparedSide(name: "ci.json", fingerprint: try await thisMachine(with: ["torch-cuda"]))
    let comparison = Comparator().compare(node, runner)
    let capability = try #require(comparison.verdicts.first { $0.id == "compat.compute-capability" })
    #expect(capability.severity == .error)
    #expect(capability.message.contains("no kernel image is available for execution on the device"))
    #expect(capability.details.contains("arch flags: sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90 (from _cuda_getArchFlags)"))
    // torch 2.5's own warning (torch/cuda/__init__.py _check_capability/_check_cubins), predicted.
    #expect(capability.details.contains { $0.hasPrefix("torch warns: NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation.") })
    #expect(comparison.matters)
    let hopper = Comparator().compare(try ComparedSide(name: "h200.json", fingerprint: await h200()), runner)
    #expect(hopper.verdicts.first { $0.id == "compat.compute-capability" }?.severity == .ok)
  }

  @Test func cuda131ImageOnTheH200FailsWithEveryAlternativeExplained() async throws {
    var image = try await Self.inspected("cuda-layout")
    image.config.value?.environment["CUDA_VERSION"] = "13.1.0"
    image.config.value?.environment["NVIDIA_REQUIRE_CUDA"] = "cuda>=13.1 brand=tesla,driver>=535,driver<536 brand=unknown,driver>=570,driver<571"
    image.cuda = CUDAToolkitFacts(toolkit: [VersionSighting(version: "13.1.0", source: "env CUDA_VERSION")], runtime: [])
    let side = try ComparedSide(name: "h200+cuda13.1.json", fingerprint: await h200(with: [image]))
    let comparison = Comparator().compare(side, side)
    let require = try #require(comparison.verdicts.first { $0.id == "compat.nvidia-require" })
    #expect(require.severity == .error)
    #expect(require.details.contains("  cuda>=13.1: cuda>=13.1 fails (cuda is 13.0)"))
    #expect(require.details.contains("  brand=tesla,driver>=535,driver<536: brand=tesla fails (brand is Nvidia), driver<536 fails (driver is 580.159.04)"))
    #expect(require.details.contains("  brand=unknown,driver>=570,driver<571: brand=unknown fails (brand is Nvidia), driver<571 fails (driver is 580.159.04)"))
    let driver = try #require(comparison.verdicts.first { $0.id == "compat.cuda-driver" })
    #expect(driver.severity == .warning, "13.1 on 580 runs only under minor-version compatibility")
    #expect(driver.message.contains("590.44.01"))
    #expect(comparison.matters)
  }

  @Test func torchWithoutKernelsForTheGPU() async throws {
    var image = try await Self.inspected("torch")
    var torch = try #require(image.framework("torch")?.info.value)
    torch.cuda = "12.1"
    torch.archList = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86"]
    image.frameworks = [FrameworkFacts(name: "torch", info: .present(torch, from: "test"))]
    let side = try ComparedSide(name: "x", fingerprint: await h200(with: [image]))
    let verdict = try #require(Comparator().compare(side, side).verdicts.first { $0.id == "compat.compute-capability" })
    #expect(verdict.severity == .error)
    #expect(verdict.message.contains("no kernel image is available for execution on the device"))
    #expect(verdict.subject.hasSuffix("0000:00:06.0 NVIDIA H200"))
  }

  @Test func debianCPUTorchOnTheH200() async throws {
    let side = try ComparedSide(name: "x", fingerprint: await h200(with: [try await Self.inspected("torch")]))
    let verdict = try #require(Comparator().compare(side, side).verdicts.first { $0.id == "compat.compute-capability" })
    #expect(verdict.severity == .warning)
    #expect(verdict.message.contains("CPU-only build"))
  }
}
