/// The GPU code one shared library carries, read from its fatbinaries' headers: what the CUDA
/// runtime can load on a GPU, whatever torch or the package says about itself.
public struct CUDABinaryFacts: Codable, Sendable, Hashable, Comparable {
  /// The file, as a path inside the image (`/opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so`).
  public var path: String
  /// SASS (cubins) in `.nv_fatbin`, the section the CUDA runtime registers: `sm_80`, `sm_90a`,
  /// sorted by compute capability.
  public var sass: [String]
  /// PTX in `.nv_fatbin` (`compute_90`), which the driver can JIT for newer GPUs.
  public var ptx: [String]
  /// Targets found only in `__nv_relfatbin`, the pre-linked relocatable device code kept for
  /// further device linking (NCCL keeps its `compute_90` PTX there); the runtime does not load
  /// it. Nil when the library has none.
  public var relocatable: [String]?

  public init(path: String, sass: [String], ptx: [String], relocatable: [String]? = nil) {
    self.path = path
    self.sass = sass
    self.ptx = ptx
    self.relocatable = relocatable
  }

  /// The targets the runtime can load, SASS then PTX (the form of torch's arch flags).
  public var loadableTargets: [String] { sass + ptx }

  /// The file name (`libtorch_cuda.so`).
  public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.path < rhs.path }
}
