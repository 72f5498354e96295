import Doctor
import Fingerprint
import Inspector
import Probes
import Reporting
import TestSupport
import Testing

/// `doctor --image` on the H200 capture with images inspected through the real daemon.
@Suite(.serialized) struct ImageChecksTests {
  static func inspected(_ name: String) async throws -> ImageFacts {
    try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference(name), runtime: .docker))
  }

  func h200(with images: [ImageFacts]) async -> Fingerprint {
    var print = await HostFingerprints.probe(FixtureHost.h200)
    print.identity.images = images
    return print
  }

  @Test func cuda124ImageOnTheH200() async throws {
    let print = await h200(with: [try await Self.inspected("cuda-layout")])
    #expect(severity("image.cuda-driver", in: print) == .ok)
    #expect(severity("image.nvidia-require", in: print) == .ok)
    #expect(severity("image.nvidia-env", in: print) == .ok)
    #expect(!Doctor.report(for: print, options: DoctorOptions()).items.contains { $0.id.hasPrefix("image.") && $0.severity == .error })
  }

  @Test func imageNeedingANewerDriver() async throws {
    var image = try await Self.inspected("cuda-layout")
    image.config.value?.environment["NVIDIA_REQUIRE_CUDA"] = "cuda>=13.1 brand=tesla,driver>=535,driver<536"
    image.cuda = CUDAToolkitFacts(toolkit: [VersionSighting(version: "13.1.0", source: "env CUDA_VERSION")], runtime: [])
    let print = await h200(with: [image])
    let require = try #require(findings("image.nvidia-require", in: print).first)
    #expect(require.severity == .error)
    #expect(require.evidence.contains("  cuda>=13.1: cuda>=13.1 fails (cuda is 13.0)"))
    #expect(require.evidence.contains("  brand=tesla,driver>=535,driver<536: brand=tesla fails (brand is Nvidia), driver<536 fails (driver is 580.159.04)"))
    let driver = try #require(findings("image.cuda-driver", in: print).first)
    #expect(driver.severity == .warning)
    #expect(driver.message.contains("590.44.01"))
  }

  func host(_ derived: String, with images: [ImageFacts]) async throws -> Fingerprint {
    let tree = try FixtureHost.materialize(derived)
    var print = await HostFingerprints.probe(tree.root)
    print.identity.images = images
    return print
  }

  /// A CUDA 13.0.2 image with cuda-compat-13-0 (libcuda 580.95.05) and NVIDIA's real
  /// NVIDIA_REQUIRE_CUDA: forward compatibility runs it on an H200 with R575, and both verdicts
  /// say so; on a GeForce with the same driver neither does (no brand=geforce term, error 804).
  @Test func cudaCompatImageOnR575() async throws {
    let image = try await Self.inspected("cuda13-compat")
    #expect(image.cuda.compat == [VersionSighting(version: "580.95.05", source: "/usr/local/cuda-13.0/compat/libcuda.so.580.95.05")])

    let dataCenter = try await host("h200-driver575", with: [image])
    let driver = try #require(findings("image.cuda-driver", in: dataCenter).first)
    #expect(driver.severity == .ok)
    #expect(driver.message.contains("runs through CUDA forward compatibility"))
    let require = try #require(findings("image.nvidia-require", in: dataCenter).first)
    #expect(require.severity == .ok)
    #expect(require.evidence.contains { $0.contains("satisfied by brand=nvidia,driver>=575,driver<576") }, "\(require.evidence)")

    let geForce = try await host("geforce-driver575", with: [image])
    #expect(severity("image.cuda-driver", in: geForce) == .error)
    #expect(findings("image.cuda-driver", in: geForce).first?.message.contains("error 804") == true)
    #expect(severity("image.nvidia-require", in: geForce) == .error)

    // The same image with its compat libraries deleted (a slimmed image): the toolkit still starts it
    // through the R575 alternative, but CUDA fails. Both verdicts say so; neither contradicts the other.
    var slimmed = image
    slimmed.cuda.compat = nil
    let withoutCompat = try await host("h200-driver575", with: [slimmed])
    #expect(severity("image.cuda-driver", in: withoutCompat) == .error)
    let started = try #require(findings("image.nvidia-require", in: withoutCompat).first)
    #expect(started.severity == .warning)
    #expect(started.message.contains("starts the container through the forward-compatibility alternative brand=nvidia,driver>=575,driver<576, but CUDA will not run"))

    // On the real capture (R580) the compat libraries are older than the driver: not needed.
    let current = await h200(with: [image])
    #expect(severity("image.cuda-driver", in: current) == .ok)
    #expect(findings("image.cuda-driver", in: current).first?.message.contains("driver 580.159.04 supports CUDA 13.0.2") == true)
  }

  /// The real PyPI torch 2.5.1+cu124 (arch flags sm_50 … sm_90, read without a GPU): no kernel
  /// image for an RTX 5090 (12.0), sm_90 cubins for the H200 — the issue's acceptance case.
  @Test func realCUDATorchOnBlackwellAndHopper() async throws {
    let image = try await Self.inspected("torch-cuda")
    let blackwell = try await host("rtx5090", with: [image])
    let item = try #require(findings("image.compute-capability", in: blackwell).first)
    #expect(item.severity == .error)
    #expect(item.message.contains("no kernel image is available for execution on the device"))
    #expect(item.message.contains("compute capability 12.0"))
    #expect(item.fix?.contains("cu128") == true)
    let hopper = try #require(findings("image.compute-capability", in: await h200(with: [image])).first)
    #expect(hopper.severity == .ok)
    #expect(hopper.message.contains("sm_90"))
    #expect(severity("image.cuda-driver", in: blackwell) == .ok)
  }

  /// Debian's torch 1.13 is a CPU build (torch.version.cuda is None): a warning, on any GPU.
  @Test func cpuTorchIsCalledCPUOnly() async throws {
    let item = try #require(findings("image.compute-capability", in: await h200(with: [try await Self.inspected("torch")])).first)
    #expect(item.severity == .warning)
    #expect(item.message.contains("CPU-only build"))
  }

  @Test func torchWithoutKernelsForTheH200() async throws {
    var image = try await Self.inspected("torch")
    var torch = try #require(image.framework("torch")?.info.value)
    torch.cuda = "11.3"
    torch.archList = ["sm_37", "sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86"]
    image.frameworks = [FrameworkFacts(name: "torch", info: .present(torch, from: "test"))]
    let item = try #require(findings("image.compute-capability", in: await h200(with: [image])).first)
    #expect(item.severity == .error)
    #expect(item.message.contains("no kernel image is available for execution on the device"))
  }

  @Test(arguments: [
    ("NVIDIA_DISABLE_REQUIRES", "true", "NVIDIA_DISABLE_REQUIRES is set, which does nothing"),
    ("NVIDIA_VISIBLE_DEVICES", "void", "NVIDIA_VISIBLE_DEVICES=void"),
    ("NVIDIA_VISIBLE_DEVICES", "none", "NVIDIA_VISIBLE_DEVICES=none"),
    ("NVIDIA_DRIVER_CAPABILITIES", "utility", "lacks compute"),
  ])
  func environmentMistakes(name: String, value: String, message: String) async throws {
    var image = try await Self.inspected("cuda-layout")
    image.config.value?.environment[name] = value
    let items = findings("image.nvidia-env", in: await h200(with: [image]))
    #expect(items.contains { $0.severity == .warning && $0.message.contains(message) }, "\(items.map(\.message))")
  }

  @Test func legacyImageWithOnlyCudaVersion() async throws {
    var image = try await Self.inspected("cuda-layout")
    image.config.value?.environment["NVIDIA_REQUIRE_CUDA"] = nil
    let items = findings("image.nvidia-env", in: await h200(with: [image]))
    #expect(items.first?.message == "legacy image: only CUDA_VERSION is set, so the toolkit requires cuda>=12.4")
    // An empty NVIDIA_REQUIRE_CUDA is legacy too (cuda_image.go: unset or empty).
    image.config.value?.environment["NVIDIA_REQUIRE_CUDA"] = ""
    #expect(findings("image.nvidia-env", in: await h200(with: [image])).first?.message.hasPrefix("legacy image") == true)
    // A CUDA_VERSION the hook cannot parse as a semantic version (x/mod/semver: a fourth number).
    image.config.value?.environment["CUDA_VERSION"] = "12.4.1.0"
    let broken = try #require(findings("image.nvidia-env", in: await h200(with: [image])).first)
    #expect(broken.severity == .warning)
    #expect(broken.message.contains("failed to get requirements"))
    #expect(severity("image.nvidia-require", in: await h200(with: [image])) == .error)
  }

  @Test func gpusEndToEndOnAHostWithoutTheNvidiaRuntime() async throws {
    let request = InspectionRequest(reference: TestImages.reference("busybox"), runtime: .docker, gpus: true)
    var message: String?
    do {
      _ = try await Inspector(environment: TestImages.environment).inspect(request)
    } catch {
      message = error.message
    }
    let error = try #require(message, "this machine has no GPU runtime: --gpus must fail")
    let print = await HostFingerprints.probeLive()
    let items = findings("image.gpus", in: print, options: DoctorOptions(gpuRun: GPURunOutcome(image: request.reference, error: error, torchSeesGPU: nil)))
    let item = try #require(items.first)
    #expect(item.severity == .error)
    #expect(item.message.contains(#"could not select device driver "" with capabilities: [[gpu]]"#))
    #expect(item.fix == "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker")
    // A container that failed to start with GPUs stays "created" unless rigcheck removes it
    // (other tests' busybox inspections run concurrently in this process, and are "running").
    #expect(try TestImages.leftoverContainers(image: "busybox", status: "created") == [])
  }

  @Test func gpusEndToEndOutcomes() async throws {
    let print = await HostFingerprints.probe(FixtureHost.h200)
    #expect(severity("image.gpus", in: print, options: DoctorOptions(gpuRun: GPURunOutcome(image: "x", error: nil, torchSeesGPU: true))) == .ok)
    #expect(severity("image.gpus", in: print, options: DoctorOptions(gpuRun: GPURunOutcome(image: "x", error: nil, torchSeesGPU: false))) == .error)
    #expect(findings("image.gpus", in: print).isEmpty, "only with --gpus")
  }
}
