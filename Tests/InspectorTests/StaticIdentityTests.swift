import Fingerprint
import Foundation
import ImageSources
import Probes
import TestSupport
import Testing

@testable import Inspector

/// The key property of static inspection: for each real test image, the facts read from its
/// files at rest (its `docker export` with the configuration `docker image inspect` states) are
/// the facts the running inspection (the checks inside a container) reports — identical,
/// except for the fields that only a running process can know, listed in
/// ``StaticIdentityTests/erasingRunningOnlyFacts(_:)`` and docs/images-at-rest.md.
@Suite(.serialized) struct StaticIdentityTests {
  let running = Inspector(environment: TestImages.environment)

  /// The facts that differ by nature ("static inspection"):
  /// - `runtime` (`docker` / `static`), every `Observed` source and reason, `notes` (provenance);
  /// - per framework: `cudaAvailable` (asks the driver), `cxx11ABI` (`torch._C` attribute),
  ///   `loadedLibraries` (/proc/self/maps of the import), `archSource`, `problems`, and for a CUDA
  ///   build `archList` (torch's compiled-in flags; from the fatbin scanner once installed);
  /// - the toolkit sighting from `nvcc --version` (nvcc must run).
  static func erasingRunningOnlyFacts(_ original: ImageFacts) -> ImageFacts {
    // Provenance first (AllSourcesIdentityTests.erasingProvenance), keeping the reference.
    var facts = AllSourcesIdentityTests.erasingProvenance(original)
    facts.reference = original.reference
    facts.runtime = "-"
    facts.cuda.toolkit.removeAll { $0.source.hasSuffix("nvcc --version") }
    facts.frameworks = facts.frameworks.map { framework in
      var framework = framework
      if var info = framework.info.value {
        info.cudaAvailable = nil
        info.cxx11ABI = nil
        info.loadedLibraries = []
        info.archSource = nil
        info.problems = []
        if info.cuda != nil { info.archList = [] }
        framework.info.value = info
      }
      return framework
    }
    return facts
  }

  func bothWays(_ name: String) async throws -> (running: ImageFacts, resting: ImageFacts) {
    let runningFacts = try await running.inspect(InspectionRequest(reference: TestImages.reference(name), runtime: .docker))
    let image = try ImageExports.atRest(name)
    defer { image.close() }
    return (runningFacts, StaticInspector().inspect(image, reference: TestImages.reference(name)))
  }

  @Test(arguments: ["busybox", "debian-base", "torch", "cuda-layout", "cuda13-compat", "venv-nopip"])
  func sameFactsAsTheRunningInspection(image name: String) async throws {
    let (runningFacts, resting) = try await bothWays(name)
    #expect(resting.runtime == "static")
    let expected = Self.erasingRunningOnlyFacts(runningFacts)
    let actual = Self.erasingRunningOnlyFacts(resting)
    // Field by field first, for a readable failure; then the whole value.
    #expect(actual.config == expected.config)
    #expect(actual.os == expected.os)
    #expect(actual.architecture == expected.architecture)
    #expect(actual.libc == expected.libc)
    #expect(actual.python == expected.python)
    #expect(actual.condaPackages == expected.condaPackages)
    #expect(actual.cuda == expected.cuda)
    #expect(actual.cudnn == expected.cudnn)
    #expect(actual.nccl == expected.nccl)
    #expect(actual.frameworks == expected.frameworks)
    #expect(actual == expected)
  }

  @Test func theFieldsThatDifferAreSaidToBeStatic() async throws {
    let (runningFacts, resting) = try await bothWays("torch")
    let runningTorch = try #require(runningFacts.framework("torch")?.info.value)
    let restingTorch = try #require(resting.framework("torch")?.info.value)
    // The running import says these; at rest they are absent, and a note says why.
    #expect(runningTorch.cudaAvailable == false && runningTorch.cxx11ABI == true)
    #expect(restingTorch.cudaAvailable == nil && restingTorch.cxx11ABI == nil && restingTorch.loadedLibraries.isEmpty)
    #expect(restingTorch.version == "1.13.0a0" && restingTorch.cuda == nil && restingTorch.archList.isEmpty)
    #expect(resting.notes.contains { $0.hasPrefix("static inspection:") && $0.contains("cuda_available") })
    #expect(resting.framework("torch")?.info.source.contains("/usr/lib/python3/dist-packages/torch") == true)
    // The patch level is read from the interpreter's own PY_VERSION string.
    #expect(resting.python.source.contains("PY_VERSION string in /usr/bin/python3.11"))
    #expect(resting.libc.source.contains("version string in /usr/lib/x86_64-linux-gnu/libc.so.6"))

    let (runningCUDA, restingCUDA) = try await bothWays("cuda-layout")
    #expect(runningCUDA.cuda.toolkit.contains(VersionSighting(version: "12.4.131", source: "/usr/local/cuda/bin/nvcc --version")))
    #expect(!restingCUDA.cuda.toolkit.contains { $0.source.contains("nvcc") })
    #expect(restingCUDA.notes.contains { $0.contains("nvcc --version not run") })
  }

  /// PyPI torch 2.5.1+cu124 in a venv (the export, 5.5 GB, is made once and cached by image id).
  @Test func realCUDATorchAtRest() async throws {
    let (runningFacts, resting) = try await bothWays("torch-cuda")
    #expect(Self.erasingRunningOnlyFacts(resting) == Self.erasingRunningOnlyFacts(runningFacts))
    let torch = try #require(resting.framework("torch")?.info.value)
    #expect(torch.version == "2.5.1+cu124")
    #expect(torch.cuda == "12.4")
    #expect(torch.cudnn == "9.1.0", "from the nvidia-cudnn-cu12 9.1.0.70 wheel, as torch.backends.cudnn.version() 90100")
    #expect(torch.nccl == "2.21.5")
    // At rest the list is read from libtorch_cuda.so's fatbinaries: every architecture torch's
    // build flags name (what the running torch reports), plus the architecture-specific
    // sm_90a kernels the wheel also carries (docs/cuda-binaries.md).
    let runningArchitectures = try #require(runningFacts.framework("torch")?.info.value?.archList)
    #expect(runningArchitectures == ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"])
    #expect(Set(torch.archList).subtracting(runningArchitectures) == ["sm_90a"])
    #expect(Set(runningArchitectures).isSubset(of: Set(torch.archList)))
    #expect(torch.archSource?.hasPrefix("fatbin ") == true && torch.archSource?.hasSuffix("/torch/lib/libtorch_cuda.so") == true)
    #expect(resting.cudaBinaries?.contains { $0.fileName == "libtorch_cuda.so" && $0.sass.contains("sm_90") } == true)
    #expect(resting.python.value?.virtualenv == "/opt/venv")
  }

  @Test func anUnpackedRootWithoutConfiguration() async throws {
    // `dir:` has files only: no environment, so PATH is Docker's default and the venv of
    // venv-nopip (on its configured PATH) is not the default python.
    let root = try ImageExports.rootfs("venv-nopip")
    let facts = try await StaticInspector().inspect("dir:\(root)")
    #expect(facts.config.status == .absent)
    #expect(facts.config.reason?.contains("no image configuration") == true)
    #expect(facts.reference == "dir:\(root)")
    #expect(facts.architecture == "x86_64", "from the ELF header of /bin/sh")
    let python = try #require(facts.python.value)
    #expect(python.defaultInterpreter == "/usr/bin/python3")
    #expect(python.version == "3.11.2")
    #expect(python.interpreters == ["/usr/bin/python3", "/usr/bin/python3.11"])
  }

  @Test func missingAndMalformedSources() async throws {
    do {
      _ = try await StaticInspector().inspect("dir:/nonexistent/rigcheck-rootfs")
      Issue.record("a missing directory was accepted")
    } catch {
      #expect(error.kind == .notFound)
      #expect(error.message.contains("/nonexistent/rigcheck-rootfs"))
    }
    do {
      _ = try await StaticInspector().inspect("dir:")
      Issue.record("an empty dir: was accepted")
    } catch {
      #expect(error.kind == .invalidReference)
    }
  }
}
