import CUDABinaries
import Fingerprint
import ImageSources

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// `CUDABinariesBenchmark LAYER_DIR… -- DIRECTORY…`: scans DIRECTORY (paths inside the root made
/// of the layer directories, bottom first) and prints the libraries found, what was read and
/// how long it took. benchmarks/cuda-binaries-scan.sh compares it with `wc -c` of the same files.
let arguments = Array(CommandLine.arguments.dropFirst())
guard let separator = arguments.firstIndex(of: "--"), separator > 0 else {
  fputs("usage: CUDABinariesBenchmark LAYER_DIR… -- DIRECTORY…\n", stderr)
  exit(2)
}
let root = LayeredDirectoryRoot(layers: Array(arguments[..<separator]))
let directories = Array(arguments[(separator + 1)...])
let start = ContinuousClock.now
let scan = CUDABinaryScanner.scan(root: root, directories: directories.isEmpty ? nil : directories)
let elapsed = ContinuousClock.now - start
for binary in scan.binaries {
  print("\(binary.path)\tsass=\(binary.sass.joined(separator: ","))\tptx=\(binary.ptx.joined(separator: ","))\trelocatable=\((binary.relocatable ?? []).joined(separator: ","))")
}
for problem in scan.problems { print("problem\t\(problem)") }
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("directories\t\(scan.directories.joined(separator: " "))")
print("files\t\(scan.filesExamined)\tbytes_in_files\t\(scan.bytesInFiles)\tbytes_read\t\(scan.bytesRead)\tpreads\t\(scan.reads)\tseconds\t\(seconds)")
