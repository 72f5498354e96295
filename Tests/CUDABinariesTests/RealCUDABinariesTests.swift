import CUDABinaries
import Compatibility
import Fingerprint
import ImageSources
import Testing

/// The fatbinaries of real PyPI wheels in the torch-cuda test image, against what their makers
/// say they contain.
@Suite(.serialized) struct RealCUDABinariesTests {
  static let scan: Result<CUDABinaryScan, any Error> = Result {
    CUDABinaryScanner.scan(root: try TorchCUDAImage.root(), directories: [TorchCUDAImage.sitePackages])
  }

  func binary(_ suffix: String) throws -> CUDABinaryFacts {
    let binaries = try Self.scan.get().binaries
    return try #require(binaries.first { $0.path.hasSuffix(suffix) }, "no \(suffix) among \(binaries.map(\.path))")
  }

  /// torch 2.5.1+cu124 reports `sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90` (no `compute_`: no
  /// PTX). libtorch_cuda.so's `.nv_fatbin` holds exactly those cubins (340 fatbinaries × 7) plus
  /// one `sm_90a` cubin (an architecture-specific Hopper kernel compiled with its own flags,
  /// which the arch flags do not list), and no PTX at all.
  @Test func libtorchCUDAHoldsWhatTorchReports() throws {
    let torch = try TorchCUDAImage.torchArchFlags()
    let library = try binary("/torch/lib/libtorch_cuda.so")
    #expect(library.path == TorchCUDAImage.sitePackages + "/torch/lib/libtorch_cuda.so")
    #expect(library.sass.filter { !$0.hasSuffix("a") } == torch.filter { $0.hasPrefix("sm_") }, "fatbin \(library.sass) vs torch \(torch)")
    #expect(library.ptx == torch.filter { $0.hasPrefix("compute_") })
    #expect(library.ptx.isEmpty)
    #expect(Set(library.sass).subtracting(torch) == ["sm_90a"])
    #expect(library.relocatable == nil)
  }

  /// nvidia-nccl-cu12 2.21.5 is built by NCCL's makefiles/common.mk, which for CUDA 11.8–12.7
  /// sets NVCC_GENCODE to compute_50/sm_50, sm_60, sm_61, sm_70, sm_80, sm_90 and PTX compute_90
  /// (NVIDIA/nccl makefiles/common.mk, CUDA8_GENCODE … CUDA12_PTX). NCCL's device code is
  /// relocatable (-rdc): the device-linked `.nv_fatbin` keeps the six cubins, and the compute_90
  /// PTX stays in `__nv_relfatbin`, which the runtime does not load.
  @Test func ncclHoldsWhatItsMakefileBuilds() throws {
    let nccl = try binary("/nvidia/nccl/lib/libnccl.so.2")
    #expect(nccl.sass == ["sm_50", "sm_60", "sm_61", "sm_70", "sm_80", "sm_90"])
    #expect(nccl.ptx.isEmpty)
    #expect(nccl.relocatable == ["compute_90"])
  }

  /// cuDNN's support matrix for CUDA 12.x lists compute capabilities 5.0, 6.0, 6.1, 7.0, 7.5,
  /// 8.0, 8.6, 8.9 and 9.0 (docs.nvidia.com/deeplearning/cudnn/backend/v9.0.0/reference/support-matrix.html
  /// and …/v9.5.1/…; the stored 9.1.0 page lists no capabilities). nvidia-cudnn-cu12 9.1.0.70
  /// carries cubins for each but 8.9, which runs the sm_86 cubin (same major, higher minor),
  /// and compute_90 PTX: every documented GPU gets a native kernel under the rules.
  @Test func cudnnCoversItsDocumentedCapabilities() throws {
    let cudnn = try binary("/nvidia/cudnn/lib/libcudnn_ops.so.9")
    #expect(cudnn.sass == ["sm_50", "sm_60", "sm_61", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"])
    #expect(cudnn.ptx == ["compute_90"])
    for capability in ["5.0", "6.0", "6.1", "7.0", "7.5", "8.0", "8.6", "8.9", "9.0"] {
      let assessment = CUDABinaryArchitectures.assess(fileName: cudnn.fileName, targets: cudnn.loadableTargets, capability: capability, cuda: "12.4")
      guard case .native? = assessment?.outcome else {
        Issue.record("cuDNN on \(capability): \(String(describing: assessment))")
        continue
      }
    }
  }

  /// The whole site-packages (about 5 GB of libraries) is judged from its headers: far less
  /// than a thousandth of the bytes, every payload skipped.
  @Test func wholeEnvironmentIsReadByItsHeaders() throws {
    let scan = try Self.scan.get()
    #expect(scan.problems.isEmpty, "\(scan.problems)")
    #expect(!scan.truncated)
    #expect(scan.binaries.count >= 15)
    #expect(scan.bytesInFiles > 4_000_000_000)
    #expect(scan.bytesRead * 1000 < scan.bytesInFiles, "read \(scan.bytesRead) of \(scan.bytesInFiles) bytes")
    // Python environments are found the way the static and host inspections find them.
    let directories = CUDABinaryScanner.pythonLibraryDirectories(in: try TorchCUDAImage.root())
    #expect(directories.contains(TorchCUDAImage.sitePackages), "\(directories)")
  }
}
