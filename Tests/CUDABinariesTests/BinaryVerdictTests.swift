import CUDABinaries
import Compatibility
import Fingerprint
import Probes
import Reporting
import TestSupport
import Testing

@testable import Compare

/// The compute-capability verdict per library, on the derived RTX 5090 host
/// (Tests/Fixtures/hosts/rtx5090, compute capability 12.0) and the captured H200 (9.0), with the
/// libraries really read from the torch-cuda image.
@Suite struct BinaryVerdictTests {
  func offer(_ derived: String?) async throws -> CompatibilityVerdicts.HostOffer {
    let tree = try derived.map(FixtureHost.materialize)
    return try #require(CompatibilityVerdicts.HostOffer((await HostFingerprints.probe(tree?.root ?? FixtureHost.h200)).identity.host))
  }

  func image() throws -> ImageFacts {
    let scan = CUDABinaryScanner.scan(root: try TorchCUDAImage.root(), directories: [TorchCUDAImage.sitePackages])
    var facts = ImageFacts(
      reference: TorchCUDAImage.reference, runtime: "static", config: .absent("not read", source: "test"), os: .absent("not read", source: "test"),
      architecture: "amd64", libc: .absent("not read", source: "test"), python: .absent("not read", source: "test"), condaPackages: [],
      cuda: CUDAToolkitFacts(toolkit: [], runtime: [VersionSighting(version: "12.4.127", source: "pip nvidia-cuda-runtime-cu12")]), cudnn: [], nccl: [],
      frameworks: [], notes: [])
    CUDABinaryScanner.record(scan, into: &facts)
    return facts
  }

  /// RTX 5090: libtorch_cuda.so (no sm_120 cubin, no PTX at all) and NCCL (its compute_90 PTX
  /// is only relocatable code) fail with "no kernel image is available"; cuBLAS and cuDNN carry
  /// compute_90 PTX, which the driver JIT-compiles for any GPU of compute capability ≥ 9.0
  /// (CUDA C++ Programming Guide, "Binary Compatibility"/"PTX Compatibility";
  /// reference/compute-capability-rules.md) — named in the details, not the error.
  @Test func rtx5090LacksSm120Kernels() async throws {
    let verdicts = CompatibilityVerdicts.binaryComputeCapabilityVerdicts(try image(), offer: try await offer("rtx5090"), subject: "torch-cuda")
    let verdict = try #require(verdicts.first)
    #expect(verdicts.count == 1)
    #expect(verdict.id == "compat.compute-capability")
    #expect(verdict.severity == .error)
    #expect(verdict.message.contains("libnccl.so.2"))
    #expect(verdict.message.contains("libtorch_cuda.so"))
    #expect(verdict.message.contains("libtorch_cuda_linalg.so"))
    #expect(verdict.message.contains("no kernel for sm_120 (compute capability 12.0)"))
    #expect(verdict.message.contains(TorchArchitectures.noKernelImageError))
    #expect(!verdict.message.contains("libcublas"), "\(verdict.message)")
    #expect(verdict.details.contains { $0.contains("libcublas.so.12") && $0.contains("must JIT compute_90") }, "\(verdict.details)")
    #expect(verdict.details.contains { $0.contains("libcufft.so.11: not judged (kernels kept outside .nv_fatbin)") })
  }

  /// H200: every library has sm_90 cubins (cuFFT is not judged).
  @Test func h200HasKernelsEverywhere() async throws {
    let verdicts = CompatibilityVerdicts.binaryComputeCapabilityVerdicts(try image(), offer: try await offer(nil), subject: "torch-cuda")
    let verdict = try #require(verdicts.first)
    #expect(verdict.severity == .ok, "\(verdict.message)")
    #expect(verdict.message.hasPrefix("all "))
    #expect(verdict.message.hasSuffix("have kernels for sm_90 (compute capability 9.0)"))
  }

  /// Images without scanned libraries (older fingerprints) get no binary verdict, and the
  /// field stays out of their JSON, so their identity hash does not change.
  @Test func unscannedImagesAreUnchanged() async throws {
    var facts = try image()
    facts.cudaBinaries = nil
    #expect(CompatibilityVerdicts.binaryComputeCapabilityVerdicts(facts, offer: try await offer("rtx5090"), subject: "x").isEmpty)
    let json = String(decoding: try CanonicalJSON.encode(facts), as: UTF8.self)
    #expect(!json.contains("cudaBinaries"))
  }
}
