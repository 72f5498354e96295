import ImageSources

/// The hook through which static inspection learns the GPU architectures compiled into an
/// image's CUDA binaries. torch knows its arch list only at run time
/// (`torch._C._cuda_getArchFlags()`); at rest it is in the fatbinaries of
/// `libtorch_cuda.so`. The fatbin scanner (a separate module) implements this; until one is
/// given to ``StaticInspector``, a CUDA build's arch list is not read and a note says so.
public protocol CUDAArchitectureScanning: Sendable {
  /// torch's architectures (`sm_50 … sm_90`, `compute_90` for PTX) from the binaries under
  /// `torchDirectory` (torch's package directory in the image), and where they were read
  /// (the `archSource` recorded, e.g. `fatbin`); nil when none could be read.
  func torchArchitectures(root: any ImageRoot, torchDirectory: String) -> (archList: [String], source: String)?
}
