import Foundation
import ImageSources
import Probes
import TestSupport

/// The real test image `rigcheck-test/torch-cuda:current` (PyPI torch 2.5.1+cu124 and its
/// nvidia-* wheels, built by scripts/build-test-images.sh), read in place from Docker's overlay2
/// layer directories (`docker image inspect` GraphDriver: LowerDir top first, then UpperDir).
enum TorchCUDAImage {
  static let reference = TestImages.reference("torch-cuda")
  static let sitePackages = "/opt/venv/lib/python3.11/site-packages"

  struct Unavailable: Error, CustomStringConvertible { let description: String }

  static func root() throws -> LayeredDirectoryRoot {
    let result = try ProcessCommandRunner.runBlocking(
      Command("docker", ["image", "inspect", "--format", "{{.GraphDriver.Name}} {{.GraphDriver.Data.LowerDir}} {{.GraphDriver.Data.UpperDir}}", reference], timeoutSeconds: 30),
      environment: TestImages.environment, outputLimit: 1 << 16)
    let fields = result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
    guard result.succeeded, fields.count == 3, fields[0] == "overlay2" else {
      throw Unavailable(description: "docker image inspect \(reference): \(result.stdout) \(result.stderr) (run scripts/build-test-images.sh)")
    }
    let lower = fields[1].split(separator: ":").map(String.init).reversed()
    return LayeredDirectoryRoot(layers: Array(lower) + [fields[2]])
  }

  /// What torch itself says, from the same image: `torch._C._cuda_getArchFlags()` (the
  /// CUDA_ARCH_FLAGS torch was compiled with, readable without a GPU).
  static func torchArchFlags() throws -> [String] {
    let program = "import torch; print(torch._C._cuda_getArchFlags())"
    let result = try ProcessCommandRunner.runBlocking(
      Command("docker", ["run", "--rm", "--network", "none", reference, "python3", "-W", "ignore", "-c", program], timeoutSeconds: 120),
      environment: TestImages.environment, outputLimit: 1 << 16)
    guard result.succeeded, let line = result.stdout.split(separator: "\n").last else {
      throw Unavailable(description: "torch in \(reference) did not answer: \(result.stderr)")
    }
    return line.split(separator: " ").map(String.init)
  }
}
