import Fingerprint
import Foundation
import Probes
import TestSupport
import Testing

@testable import Inspector

/// PyPI's real CUDA PyTorch (`rigcheck-test/torch-cuda`: torch 2.5.1+cu124 and its nvidia-*
/// wheels, pip-installed into /opt/venv; see Tests/Images/README.md) inspected on whatever
/// machine runs the tests, usually one without a GPU. What rigcheck reports is checked against
/// what the same image answers when asked directly, plus facts that hold for any CUDA 12 build.
@Suite(.serialized) struct RealCUDATorchTests {
  static let image = "torch-cuda"
  let inspector = Inspector(environment: TestImages.environment)

  /// What python in the image says, asked with `docker run` (no GPU passed, like the
  /// inspection): torch's own answers and the versions in the nvidia wheels' METADATA.
  struct ImageAnswers: Decodable {
    var version: String
    var archFlags: String?
    var getArchList: [String]
    var cuda: String?
    var hip: String?
    var cudnn: Int?
    var nccl: [Int]
    var isAvailable: Bool
    var cxx11ABI: Bool
    var torchWheel: String
    var cudnnWheel: String
    var ncclWheel: String
    var prefix: String
  }

  static let question = """
    import json, sys, importlib.metadata as metadata
    import torch
    json.dump({
      "version": torch.__version__,
      "archFlags": torch._C._cuda_getArchFlags(),
      "getArchList": torch.cuda.get_arch_list(),
      "cuda": torch.version.cuda,
      "hip": torch.version.hip,
      "cudnn": torch.backends.cudnn.version(),
      "nccl": [int(part) for part in torch.cuda.nccl.version()[:3]],
      "isAvailable": torch.cuda.is_available(),
      "cxx11ABI": bool(torch._C._GLIBCXX_USE_CXX11_ABI),
      "torchWheel": metadata.version("torch"),
      "cudnnWheel": metadata.version("nvidia-cudnn-cu12"),
      "ncclWheel": metadata.version("nvidia-nccl-cu12"),
      "prefix": sys.prefix,
    }, sys.stdout)
    """

  static func askTheImage() throws -> ImageAnswers {
    let result = try ProcessCommandRunner.runBlocking(
      Command(
        "docker", ["run", "--rm", "--network", "none", "--pull", "never", TestImages.reference(image), "python3", "-c", question],
        timeoutSeconds: 120),
      environment: TestImages.environment, outputLimit: 1 << 20)
    guard result.succeeded else {
      throw ImageAnswerError(description: "python3 in \(TestImages.reference(image)) failed: \(result.stderr.suffix(2000))")
    }
    return try JSONDecoder().decode(ImageAnswers.self, from: Data(result.stdout.utf8))
  }

  struct ImageAnswerError: Error, CustomStringConvertible {
    var description: String
  }

  func inspect(_ name: String) async throws -> ImageFacts {
    try await inspector.inspect(InspectionRequest(reference: TestImages.reference(name), runtime: .docker, timeoutSeconds: 180))
  }

  @Test func cudaBuildIsReportedAsOneWithoutAGPU() async throws {
    let answers = try Self.askTheImage()
    let facts = try await inspect(Self.image)
    let torch = try #require(facts.framework("torch")?.info.value, "torch did not import: \(String(describing: facts.framework("torch")))")

    // What the image itself says.
    #expect(torch.version == answers.version)
    #expect(torch.cuda == answers.cuda)
    let flags = try #require(answers.archFlags, "a CUDA build records its arch flags")
    #expect(torch.archList == flags.split(separator: " ").map(String.init))
    #expect(torch.archSource == "_cuda_getArchFlags")
    #expect(torch.cudnn == answers.cudnn.map { ImageFactsBuilder.decodeCudnn(String($0)) })
    #expect(torch.nccl == answers.nccl.map(String.init).joined(separator: "."))
    #expect(torch.cudaAvailable == answers.isAvailable)
    #expect(torch.cxx11ABI == answers.cxx11ABI)
    #expect(torch.hip == nil && answers.hip == nil)
    #expect(torch.problems == [])

    // Facts of any CUDA 12 build of torch 2.5, GPU or not.
    #expect(torch.version.hasPrefix("2.5.1+cu12"))
    #expect(torch.cuda?.hasPrefix("12.") == true, "torch.version.cuda: \(String(describing: torch.cuda))")
    #expect(!torch.archList.isEmpty)
    #expect(torch.archList.contains("sm_90"), "the cu124 wheels have Hopper kernels: \(torch.archList)")
    #expect(torch.archList.allSatisfy { $0.hasPrefix("sm_") || $0.hasPrefix("compute_") })
    if !answers.isAvailable {
      // The bug this image guards against: without a usable GPU get_arch_list() is empty.
      #expect(answers.getArchList == [], "get_arch_list() without a GPU")
    } else {
      #expect(answers.getArchList == torch.archList)
    }

    // cuDNN and NCCL as torch loads them equal the versions pip installed.
    let cudnnWheel = answers.cudnnWheel.split(separator: ".").prefix(3).joined(separator: ".")
    #expect(torch.cudnn == cudnnWheel, "nvidia-cudnn-cu12 \(answers.cudnnWheel)")
    #expect(torch.nccl == answers.ncclWheel, "nvidia-nccl-cu12 \(answers.ncclWheel)")
    let nvidia = "\(answers.prefix)/lib/python3.11/site-packages/nvidia"
    #expect(torch.loadedLibraries.contains("\(nvidia)/cudnn/lib/libcudnn.so.9"), "\(torch.loadedLibraries)")
    #expect(torch.loadedLibraries.contains("\(nvidia)/nccl/lib/libnccl.so.2"))
    #expect(torch.loadedLibraries.contains("\(nvidia)/cuda_runtime/lib/libcudart.so.12"))
    #expect(torch.loadedLibraries.contains { $0.hasSuffix("/torch/lib/libtorch_cuda.so") })

    // The rest of the inspection sees the same installation.
    let python = try #require(facts.python.value)
    #expect(python.virtualenv == answers.prefix)
    // PyPI's wheel says 2.5.1 in its METADATA; only torch.__version__ carries "+cu124".
    #expect(python.packages.contains(Package(name: "torch", version: answers.torchWheel)))
    #expect(answers.version.hasPrefix(answers.torchWheel + "+cu"))
    #expect(python.packages.contains(Package(name: "nvidia-cudnn-cu12", version: answers.cudnnWheel)))
    #expect(python.packages.contains(Package(name: "nvidia-nccl-cu12", version: answers.ncclWheel)))
    #expect(facts.cudnn.contains(VersionSighting(version: answers.cudnnWheel, source: "pip nvidia-cudnn-cu12")))
    #expect(facts.nccl.contains(VersionSighting(version: answers.ncclWheel, source: "pip nvidia-nccl-cu12")))
  }

  /// Debian's torch stays a CPU build: no arch flags in torch._C, get_arch_list() empty.
  @Test func debianCPUBuildStaysCPUOnly() async throws {
    let torch = try #require(try await inspect("torch").framework("torch")?.info.value)
    #expect(torch.cuda == nil)
    #expect(torch.archList == [])
    #expect(torch.archSource == "get_arch_list")
    #expect(torch.cudnn == nil && torch.nccl == nil && torch.hip == nil)
    #expect(torch.cudaAvailable == false)
    #expect(torch.problems == [])
  }
}

/// What checks/framework-probe.py printed for real PyPI wheels too large for a test image,
/// each pip-installed into a container without network on a machine without a GPU:
/// tensorflow 2.18.0 (a CUDA build; its nvidia-* extras not installed) on debian-base, and
/// jax 0.4.35 with jaxlib, jax-cuda12-plugin and jax-cuda12-pjrt 0.4.35 on torch-cuda (whose
/// nvidia-* wheels it loads). The lines are as printed, only shortened where marked.
@Suite struct RecordedFrameworkProbeTests {
  static func info(_ name: String, _ lines: [String]) throws -> FrameworkInfo {
    let parsed = InspectionParser(lines.map { "rc1\t" + $0 }.joined(separator: "\n") + "\n")
    return try #require(ImageFactsBuilder.framework(name, parsed)?.info.value)
  }

  @Test func tensorflowCUDABuildWithoutAGPU() throws {
    let info = try Self.info("tensorflow", [
      "framework.tensorflow.present\tyes",
      "framework.tensorflow.version\t2.18.0",
      "framework.tensorflow.build_cuda\t12.5.1",
      "framework.tensorflow.build_cudnn\t9",
      "framework.tensorflow.arch_source\tbuild_info.cuda_compute_capabilities",
      "framework.tensorflow.arch_list\tsm_60 sm_70 sm_80 sm_89 compute_90",
      "framework.tensorflow.gpus\t0",
      "framework.tensorflow.cuda_available\tno",
    ])
    #expect(info.version == "2.18.0")
    #expect(info.cuda == "12.5.1")
    #expect(info.cudnn == "9")
    #expect(info.archList == ["sm_60", "sm_70", "sm_80", "sm_89", "compute_90"])
    #expect(info.archSource == "build_info.cuda_compute_capabilities")
    #expect(info.cudaAvailable == false)
    #expect(info.hip == nil && info.companions == nil && info.problems == [])
  }

  @Test func jaxWithTheCUDA12PluginWithoutAGPU() throws {
    let nvidia = "/opt/venv/lib/python3.11/site-packages/nvidia"
    let info = try Self.info("jax", [
      "framework.jax.present\tyes",
      "framework.jax.version\t0.4.35",
      "framework.jax.companion\tjaxlib 0.4.35",
      "framework.jax.companion\tjax-cuda12-plugin 0.4.35",
      "framework.jax.companion\tjax-cuda12-pjrt 0.4.35",
      "framework.jax.backend\tcpu",
      "framework.jax.cuda_available\tno",
      "framework.jax.cuda\t12.3",
      "framework.jax.cudnn\t9.1.0",
      "framework.jax.loaded\t\(nvidia)/cuda_runtime/lib/libcudart.so.12",
      "framework.jax.loaded\t\(nvidia)/cudnn/lib/libcudnn.so.9",
      "framework.jax.loaded\t\(nvidia)/cudnn/lib/libcudnn_graph.so.9",
    ])
    #expect(info.version == "0.4.35")
    #expect(info.cuda == "12.3", "CUDART_VERSION 12030 that jax_cuda12_plugin was built against")
    #expect(info.cudnn == "9.1.0", "cudnnGetVersion() of the nvidia-cudnn-cu12 9.1.0.70 it loaded")
    #expect(info.companions == ["jaxlib": "0.4.35", "jax-cuda12-plugin": "0.4.35", "jax-cuda12-pjrt": "0.4.35"])
    #expect(info.cudaAvailable == false)
    #expect(info.archList == [] && info.archSource == nil)
    #expect(info.loadedLibraries.count == 3)
  }

  @Test func rocmBuildCarriesItsHIPVersion() throws {
    // Not recorded: ROCm wheels are not on PyPI (download.pytorch.org is not reachable here).
    // This only checks that torch.version.hip is carried and a ROCm build is no CUDA build.
    let info = try Self.info("torch", [
      "framework.torch.present\tyes",
      "framework.torch.version\t2.5.1+rocm6.2",
      "framework.torch.hip\t6.2.41133",
      "framework.torch.cuda_available\tno",
    ])
    #expect(info.cuda == nil)
    #expect(info.hip == "6.2.41133")
    #expect(info.cudaAvailable == false)
  }
}
