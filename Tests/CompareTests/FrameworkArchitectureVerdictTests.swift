import Compatibility
import Fingerprint
import Probes
import Reporting
import TestSupport
import Testing

@testable import Compare

/// Compute-capability verdicts for frameworks other than a CUDA torch. The TensorFlow facts are
/// what the real PyPI tensorflow==2.18.0 reported without a GPU (recorded in
/// Tests/InspectorTests/RealCUDATorchTests.swift, RecordedFrameworkProbeTests): CUDA 12.5.1,
/// `cuda_compute_capabilities` sm_60 sm_70 sm_80 sm_89 compute_90.
@Suite struct FrameworkArchitectureVerdictTests {
  let tensorflow = FrameworkInfo(
    version: "2.18.0", cuda: "12.5.1", cudnn: "9", nccl: nil, archList: ["sm_60", "sm_70", "sm_80", "sm_89", "compute_90"], cudaAvailable: false,
    cxx11ABI: nil, loadedLibraries: [], problems: [], archSource: "build_info.cuda_compute_capabilities")

  func offer(_ derived: String?) async throws -> CompatibilityVerdicts.HostOffer {
    let tree = try derived.map(FixtureHost.materialize)
    return try #require(CompatibilityVerdicts.HostOffer((await HostFingerprints.probe(tree?.root ?? FixtureHost.h200)).identity.host))
  }

  @Test func tensorflowOnHopperAdaAndBlackwell() async throws {
    // H200 (9.0): no sm_90 cubin, compute_90 PTX JITs (CUDA guide: PTX runs on equal or higher CC).
    let hopper = CompatibilityVerdicts.computeCapabilityVerdicts(framework: "tensorflow", tensorflow, offer: try await offer(nil), subject: "tf")
    #expect(hopper.map(\.severity) == [.warning])
    #expect(hopper.first?.message.contains("tensorflow 2.18.0 has no cubin for compute capability 9.0") == true)
    #expect(hopper.first?.details.first == "arch flags: sm_60 sm_70 sm_80 sm_89 compute_90 (from build_info.cuda_compute_capabilities)")
    // RTX 4090 (8.9): the sm_89 cubin.
    let ada = CompatibilityVerdicts.computeCapabilityVerdicts(framework: "tensorflow", tensorflow, offer: try await offer("geforce-driver575"), subject: "tf")
    #expect(ada.map(\.severity) == [.ok])
    // RTX 5090 (12.0): PTX of 9.0 still JITs forward.
    let blackwell = CompatibilityVerdicts.computeCapabilityVerdicts(framework: "tensorflow", tensorflow, offer: try await offer("rtx5090"), subject: "tf")
    #expect(blackwell.map(\.severity) == [.warning])
  }

  @Test func rocmAndCPUBuilds() async throws {
    let h200 = try await offer(nil)
    var rocm = tensorflow
    rocm.version = "2.5.1+rocm6.2"
    rocm.cuda = nil
    rocm.archList = []
    rocm.hip = "6.2.41133"
    let verdict = try #require(CompatibilityVerdicts.computeCapabilityVerdicts(framework: "torch", rocm, offer: h200, subject: "x").first)
    #expect(verdict.severity == .warning)
    #expect(verdict.message == "torch 2.5.1+rocm6.2 is a ROCm build (HIP 6.2.41133): it will not use NVIDIA GPUs")
    rocm.hip = nil
    #expect(CompatibilityVerdicts.computeCapabilityVerdicts(framework: "torch", rocm, offer: h200, subject: "x").first?.message.contains("CPU-only build") == true)
    #expect(CompatibilityVerdicts.computeCapabilityVerdicts(framework: "tensorflow", rocm, offer: h200, subject: "x").isEmpty, "a CPU TensorFlow has nothing to judge")
    // A CUDA torch whose arch flags could not be read: undetermined, never "CPU-only".
    var unknown = tensorflow
    unknown.archList = []
    let undetermined = try #require(CompatibilityVerdicts.computeCapabilityVerdicts(framework: "torch", unknown, offer: h200, subject: "x").first)
    #expect(undetermined.severity == .warning)
    #expect(undetermined.message.hasPrefix("cannot tell whether"))
  }
}
