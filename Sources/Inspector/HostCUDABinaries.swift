import CUDABinaries
import Fingerprint
import ImageSources

/// The hook that gives inspections the GPU code of their CUDA libraries: `--runtime host` scans
/// this machine's Python environments through the same image view static inspection uses
/// (`/` as a one-layer root). A running Docker/Podman inspection gets it where the engine's
/// storage gives an ``ImageRoot`` of the image (see docs/cuda-binaries.md).
extension Inspector {
  /// Scans `root`'s Python environments (those ``CUDABinaryScanner/pythonLibraryDirectories(in:extraPrefixes:)``
  /// finds, plus the venv and conda prefix the checks reported) and records the result in `facts`.
  public static func addCUDABinaries(to facts: inout ImageFacts, from root: any ImageRoot) {
    let prefixes = [facts.python.value?.virtualenv, facts.python.value?.condaPrefix].compactMap { $0 }
    let directories = CUDABinaryScanner.pythonLibraryDirectories(in: root, extraPrefixes: prefixes)
    CUDABinaryScanner.record(CUDABinaryScanner.scan(root: root, directories: directories), into: &facts)
  }

  /// This machine's root as an image view.
  static var hostRoot: LayeredDirectoryRoot { LayeredDirectoryRoot(directory: "/") }
}
