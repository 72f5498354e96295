import CUDABinaries
import Fingerprint
import ImageSources

/// torch's GPU architectures at rest, read from the fatbinary headers of its
/// `lib/libtorch_cuda.so` (``CUDABinaryReader``): the cubins (`sm_XY`, `sm_90a`) and the PTX
/// (`compute_XY`) the library really holds. A running torch reports its build flags instead
/// (`_cuda_getArchFlags()`), which leave out the few architecture-specific (`a`) kernels a
/// wheel may carry, so the two lists can differ by those entries (docs/cuda-binaries.md).
public struct FatbinArchitectures: CUDAArchitectureScanning {
  /// The libraries of torch's package holding its CUDA kernels, the main one first.
  static let torchLibraries = ["lib/libtorch_cuda.so", "lib/libtorch_cuda_linalg.so"]

  public init() {}

  public func torchArchitectures(root: any ImageRoot, torchDirectory: String) -> (archList: [String], source: String)? {
    let path = "\(torchDirectory)/\(Self.torchLibraries[0])"
    guard let hostPath = root.hostPath(path), let reading = try? CUDABinaryReader.read(hostPath: hostPath, path: path),
      let facts = reading.facts, !facts.loadableTargets.isEmpty
    else { return nil }
    return (facts.sass + facts.ptx, "fatbin \(path)")
  }
}
