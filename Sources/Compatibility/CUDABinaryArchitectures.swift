/// Does one shared library carry GPU code for a given compute capability? The same rules as
/// ``TorchArchitectures`` (a cubin runs on its own major at the same or a higher minor, `a`
/// code only on its own GPU, PTX JIT-compiles forward), applied to the targets read from the
/// library's `.nv_fatbin` rather than to what a framework says about itself.
public enum CUDABinaryArchitectures {
  /// Libraries whose kernels are not in `.nv_fatbin`, so its contents say nothing about the GPUs
  /// they run on. cuFFT 11.2 (nvidia-cufft-cu12 11.2.1.3): `.nv_fatbin` holds one 408-byte
  /// fatbinary with a lone sm_52 cubin, while its 270 MB `.data` section holds the kernels
  /// (17,608 fatbinary magic numbers); cuFFT loads those itself. Matched by file-name prefix.
  public static let kernelsOutsideFatbinSection = ["libcufft.so", "libcufftw.so"]

  /// The verdict for one library on a GPU of compute capability `capability` (`12.0`); `cuda`
  /// is the CUDA version the image was built with (for the CUDA 13.2 Jetson rule), when known.
  /// Nil when the library cannot be judged: no loadable target (only relocatable device code),
  /// kernels kept outside `.nv_fatbin`, or an unreadable capability.
  public static func assess(fileName: String, targets: [String], capability: String, cuda: String?) -> TorchArchitectures.Assessment? {
    guard !kernelsOutsideFatbinSection.contains(where: { fileName.hasPrefix($0) }) else { return nil }
    let parsed = targets.compactMap(TorchArchitectures.Target.init)
    guard !parsed.isEmpty, let device = TorchArchitectures.Capability(capability) else { return nil }
    return TorchArchitectures.judge(parsed, on: device, cuda: cuda.flatMap(NumericVersion.init))
  }
}
