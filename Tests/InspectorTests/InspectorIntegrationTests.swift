import Fingerprint
import Foundation
import Probes
import TestSupport
import Testing

@testable import Inspector

/// Inspections of the real test images (scripts/build-test-images.sh builds them; the test
/// command runs it first) through the real Docker daemon and real Podman.
@Suite(.serialized) struct InspectorIntegrationTests {
  let inspector = Inspector(environment: TestImages.environment)

  func inspect(_ name: String, runtime: InspectionRuntime? = .docker, timeout: Double = 120) async throws -> ImageFacts {
    try await inspector.inspect(InspectionRequest(reference: TestImages.reference(name), runtime: runtime, timeoutSeconds: timeout))
  }

  /// The error an inspection ends with, or nil when it succeeded.
  func failure(_ request: InspectionRequest) async -> InspectionError? {
    do {
      _ = try await inspector.inspect(request)
      return nil
    } catch {
      return error
    }
  }

  func failure(_ name: String, runtime: InspectionRuntime = .docker, timeout: Double) async -> InspectionError? {
    await failure(InspectionRequest(reference: TestImages.reference(name), runtime: runtime, timeoutSeconds: timeout))
  }

  @Test func debianWithRealPyTorch() async throws {
    let facts = try await inspect("torch")
    #expect(facts.runtime == "docker")
    #expect(facts.config.value?.id.hasPrefix("sha256:") == true)
    #expect(facts.os.value?.id == "debian")
    #expect(facts.os.value?.versionID == "12")
    #expect(facts.architecture == "x86_64")
    #expect(facts.libc.value == LibcInfo(name: "glibc", version: "2.36"))
    let python = try #require(facts.python.value)
    #expect(python.defaultInterpreter == "/usr/bin/python3")
    #expect(python.interpreters == ["/usr/bin/python3", "/usr/bin/python3.11"])
    #expect(python.version == "3.11.2")
    #expect(python.virtualenv == nil)
    #expect(python.packages.contains(Package(name: "torch", version: "1.13.0a0+gitunknown")))
    #expect(python.packages.contains(Package(name: "numpy", version: "1.24.2")))
    #expect(!python.packages.contains { $0.normalizedName == "pip" }, "Debian's python3 has no pip here")
    let torch = try #require(facts.framework("torch")?.info.value)
    #expect(torch.version == "1.13.0a0")
    #expect(torch.cuda == nil, "Debian's torch is a CPU build")
    #expect(torch.cudaAvailable == false)
    #expect(torch.cxx11ABI == true)
    #expect(facts.cuda.toolkit.isEmpty && facts.cuda.runtime.isEmpty && facts.cudnn.isEmpty && facts.nccl.isEmpty)
  }

  @Test func nvidiaCUDALayout() async throws {
    let facts = try await inspect("cuda-layout")
    #expect(facts.cuda.toolkit == [
      VersionSighting(version: "12.4.131", source: "/usr/local/cuda/bin/nvcc --version"),
      VersionSighting(version: "12.4.1", source: "env CUDA_VERSION"),
    ])
    #expect(facts.cuda.runtime == [
      VersionSighting(version: "12.4.127", source: "/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12.4.127"),
      VersionSighting(version: "12.4.127", source: "pip nvidia-cuda-runtime-cu12"),
    ])
    #expect(facts.cudnn == [
      VersionSighting(version: "9.1.0.70", source: "env NV_CUDNN_VERSION"),
      VersionSighting(version: "9.1.0", source: "/usr/include/cudnn_version.h"),
      VersionSighting(version: "9.1.0", source: "/usr/lib/x86_64-linux-gnu/libcudnn.so.9.1.0"),
    ].sorted())
    #expect(facts.nccl.map(\.version).sorted() == ["2.21.5", "2.21.5", "2.21.5-1", "2.21.5-1"])
    let environment = try #require(facts.config.value?.environment)
    #expect(environment["CUDA_VERSION"] == "12.4.1")
    #expect(environment["NVIDIA_REQUIRE_CUDA"]?.hasPrefix("cuda>=12.4 brand=tesla,driver>=470,driver<471") == true)
    #expect(environment["NVIDIA_DRIVER_CAPABILITIES"] == "compute,utility")
    #expect(facts.python.value?.packages == [Package(name: "nvidia-cuda-runtime-cu12", version: "12.4.127")])
  }

  @Test func pipLessVirtualEnvironment() async throws {
    let python = try #require(try await inspect("venv-nopip").python.value)
    #expect(python.defaultInterpreter == "/opt/venv/bin/python3")
    #expect(python.virtualenv == "/opt/venv")
    #expect(python.executable == "/opt/venv/bin/python3")
    #expect(python.packages == [Package(name: "six", version: "1.16.0")])
  }

  @Test func busyboxOnlyImageReportsAbsenceNotFailure() async throws {
    let facts = try await inspect("busybox")
    #expect(facts.os.status == .absent)
    #expect(facts.libc.status == .absent)
    #expect(facts.python.status == .absent)
    #expect(facts.frameworks.isEmpty)
    #expect(facts.architecture == "x86_64")
    #expect(facts.notes.isEmpty)
  }

  @Test func floodingImageIsStoppedAtTheCap() async throws {
    let start = Date()
    let error = try #require(await failure("hostile-flood", timeout: 60), "the flood was accepted")
    #expect(error.kind == .outputTooLarge)
    #expect(error.message.contains(TestImages.reference("hostile-flood")))
    #expect(Date().timeIntervalSince(start) < 60, "ended by the output cap, not by the 60 s timeout")
    #expect(try TestImages.leftoverContainers(image: "hostile-flood") == [])
  }

  @Test func hangingImageHitsTheTimeout() async throws {
    let start = Date()
    let error = try #require(await failure("hostile-hang", timeout: 3), "the hang was accepted")
    #expect(error.kind == .timedOut)
    #expect(error.message == "inspecting \(TestImages.reference("hostile-hang")) did not finish within 3 s; the container was stopped and removed")
    #expect(Date().timeIntervalSince(start) < 120, "the image hangs forever: only the timeout can end it")
    #expect(try TestImages.leftoverContainers(image: "hostile-hang") == [])
  }

  @Test func unknownImageIsNeverPulled() async throws {
    let error = try #require(await failure(InspectionRequest(reference: "rigcheck-test/no-such-image:1", runtime: .docker)))
    #expect(error.kind == .imageNotFound)
    #expect(error.message.contains("rigcheck-test/no-such-image:1 is not present locally"))
  }

  @Test(arguments: ["--privileged", "a b", "img;rm -rf /", "", "x\u{1b}[31m"])
  func invalidReferencesAreRefused(reference: String) async throws {
    let error = try #require(await failure(InspectionRequest(reference: reference, runtime: .docker)), "\(reference) was accepted")
    #expect(error.kind == .invalidReference)
    #expect(!error.message.contains("\u{1b}"))
  }

  @Test func podman() async throws {
    let facts = try await inspect("busybox", runtime: .podman)
    #expect(facts.runtime == "podman")
    #expect(facts.architecture == "x86_64")
    #expect(facts.python.status == .absent)
  }

  @Test func podmanTimeoutLeavesNoContainer() async throws {
    let error = try #require(await failure("hostile-hang", runtime: .podman, timeout: 3), "the hang was accepted")
    #expect(error.kind == .timedOut)
    #expect(try TestImages.leftoverContainers(engine: "podman", image: "hostile-hang") == [])
  }

  @Test func automaticRuntimePicksDocker() async throws {
    #expect(try await inspect("busybox", runtime: nil).runtime == "docker")
  }

  @Test func hostRuntime() async throws {
    let facts = try await inspector.inspect(InspectionRequest(reference: "host", runtime: .host))
    #expect(facts.runtime == "host")
    let osRelease = try String(contentsOfFile: "/etc/os-release", encoding: .utf8)
    let id = try #require(osRelease.split(separator: "\n").first { $0.hasPrefix("ID=") }?.dropFirst(3))
    #expect(facts.os.value?.id == String(id).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    #expect(facts.python.value?.version != nil)
  }

  @Test func condaEnvironmentOnTheHost() async throws {
    let tree = try TemporaryTree(prefix: "rigcheck-conda")
    try tree.write("conda-meta/numpy-1.26.4-py311h64a7726_0.json", #"{"name": "numpy", "version": "1.26.4", "build": "py311h64a7726_0", "channel": "https://conda.anaconda.org/conda-forge"}"#)
    try tree.write("conda-meta/history", "")
    var environment = TestImages.environment
    environment["CONDA_PREFIX"] = tree.path
    let facts = try await Inspector(environment: environment).inspect(InspectionRequest(reference: "host", runtime: .host))
    #expect(facts.condaPackages == [Package(name: "numpy", version: "1.26.4")])
    #expect(facts.python.value?.condaPrefix == tree.path)
  }
}
