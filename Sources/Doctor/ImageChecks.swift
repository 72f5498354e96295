import Compare
import Compatibility
import Fingerprint
import Reporting

/// What `doctor --gpus` saw when it started the image with the host's GPUs.
public struct GPURunOutcome: Sendable, Hashable {
  public var image: String
  /// The inspection's error when the container could not start with GPUs.
  public var error: String?
  /// `torch.cuda.is_available()` inside the container, when torch is installed.
  public var torchSeesGPU: Bool?

  public init(image: String, error: String?, torchSeesGPU: Bool?) {
    self.image = image
    self.error = error
    self.torchSeesGPU = torchSeesGPU
  }
}

/// Checks of the images given with `doctor --image`: host ↔ image compatibility (the same
/// verdicts `rigcheck compare` gives) and the NVIDIA environment variables of the image.
enum ImageChecks {
  static let all = [cudaDriver, computeCapability, nvidiaRequire, environment, gpusEndToEnd]

  /// Each image's verdicts of one kind against this host, as findings.
  static func verdicts(_ id: String, _ host: HostView) -> [ReportItem] {
    guard let offer = CompatibilityVerdicts.HostOffer(host.host) else {
      if host.fingerprint.identity.images.isEmpty { return [] }
      return id == "compat.cuda-driver"
        ? [ReportItem(id: "", severity: .note, message: "no NVIDIA driver on this host: image compatibility not judged")] : []
    }
    return host.fingerprint.identity.images.flatMap { image in
      CompatibilityVerdicts.judge(offer, image, subject: image.reference).filter { $0.id == id }.map { verdict in
        ReportItem(
          id: "", severity: verdict.severity, subject: verdict.subject, message: verdict.message,
          why: verdict.severity >= .warning ? why(id) : nil, fix: verdict.severity >= .warning ? fix(id, image: image, verdict: verdict) : nil,
          evidence: verdict.details)
      }
    }
  }

  static func why(_ id: String) -> String {
    switch id {
    case "compat.cuda-driver": return "CUDA programs in the image fail with \"CUDA driver version is insufficient for CUDA runtime version\" (or lose features under minor-version compatibility)"
    case "compat.compute-capability": return "PyTorch's kernels must be compiled for the GPU's architecture (or carry PTX the driver can JIT)"
    default: return "the NVIDIA container toolkit checks these before starting the container and refuses it"
    }
  }

  static func fix(_ id: String, image: ImageFacts, verdict: Verdict) -> String {
    switch id {
    case "compat.cuda-driver": return "upgrade the host driver (see driver.cuda with --cuda), or use an image built for an older CUDA"
    case "compat.compute-capability" where verdict.message.contains("no kernel for sm_") || verdict.message.contains("no cubin for sm_"):
      return "install builds of the named packages compiled for this GPU (their sm_XY, or PTX of an older compute_XY the driver can JIT); for NVIDIA's own nvidia-* wheels, versions from a CUDA release that supports this GPU (Blackwell needs CUDA 12.8 or newer)"
    case "compat.compute-capability":
      return "install a PyTorch build compiled for this GPU's compute capability (Blackwell, 10.x/12.x, needs torch ≥ 2.7 built with CUDA 12.8 or newer: pip install torch --index-url https://download.pytorch.org/whl/cu128), or build with TORCH_CUDA_ARCH_LIST set"
    default: return "upgrade the host driver, or set NVIDIA_DISABLE_REQUIRE=true in the image only if you know the driver works (it skips every check)"
    }
  }

  static let cudaDriver = DoctorCheck("image.cuda-driver", "With --image: the host driver runs the image's CUDA.") { host, _ in verdicts("compat.cuda-driver", host) }
  static let computeCapability = DoctorCheck("image.compute-capability", "With --image: the image's PyTorch has kernels for each GPU.") { host, _ in verdicts("compat.compute-capability", host) }
  static let nvidiaRequire = DoctorCheck("image.nvidia-require", "With --image: the image's NVIDIA_REQUIRE_* hold on this host (every alternative explained).") { host, _ in verdicts("compat.nvidia-require", host) }

  static let environment = DoctorCheck("image.nvidia-env", "With --image: the image's NVIDIA_* variables do what they appear to.") { host, _ in
    host.fingerprint.identity.images.flatMap { image -> [ReportItem] in
      let environment = image.config.value?.environment ?? [:]
      let evidence = environment.filter { $0.key.hasPrefix("NVIDIA_") || $0.key == "CUDA_VERSION" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      var items: [ReportItem] = []
      if environment["NVIDIA_DISABLE_REQUIRES"] != nil {
        items.append(ReportItem(
          id: "", severity: .warning, subject: image.reference, message: "NVIDIA_DISABLE_REQUIRES is set, which does nothing",
          why: "the container toolkit reads NVIDIA_DISABLE_REQUIRE (singular); the plural spelling, seen in old docs, is ignored, so the requirements are still enforced",
          fix: "rename it to NVIDIA_DISABLE_REQUIRE=true (or drop it)", evidence: evidence))
      }
      if let visible = environment["NVIDIA_VISIBLE_DEVICES"], ["void", "none", ""].contains(visible.lowercased()) {
        items.append(ReportItem(
          id: "", severity: .warning, subject: image.reference, message: "NVIDIA_VISIBLE_DEVICES=\(visible): containers from this image get \(visible.lowercased() == "none" ? "the driver but no GPU" : "no GPU and no driver files")",
          why: "the toolkit reads this variable to decide which GPUs to mount", fix: "set NVIDIA_VISIBLE_DEVICES=all in the image (or pass -e NVIDIA_VISIBLE_DEVICES=all / --gpus all)",
          evidence: evidence))
      }
      if let capabilities = environment["NVIDIA_DRIVER_CAPABILITIES"] {
        let set = Set(capabilities.lowercased().split(separator: ",").map { String($0).trimmed })
        let missing = set.contains("all") ? [] : ["compute", "utility"].filter { !set.contains($0) }
        if !missing.isEmpty {
          items.append(ReportItem(
            id: "", severity: .warning, subject: image.reference, message: "NVIDIA_DRIVER_CAPABILITIES=\(capabilities) lacks \(missing.joined(separator: " and "))",
            why: "without compute the CUDA libraries (libcuda) are not mounted; without utility there is no nvidia-smi or NVML",
            fix: "set NVIDIA_DRIVER_CAPABILITIES=compute,utility (or all)", evidence: evidence))
        }
      }
      if NvidiaRequire.isLegacy(environment) {
        // configure.c / cuda_image.go: NVIDIA_REQUIRE_CUDA unset or empty plus CUDA_VERSION.
        let requirement = NvidiaRequire.legacyRequirement(cudaVersion: environment["CUDA_VERSION"] ?? "")
        items.append(ReportItem(
          id: "", severity: requirement == nil ? .warning : .note, subject: image.reference,
          message: requirement.map { "legacy image: only CUDA_VERSION is set, so the toolkit requires \($0)" }
            ?? "legacy image with CUDA_VERSION=\(environment["CUDA_VERSION"] ?? "") that the toolkit cannot read: the hook fails with \"failed to get requirements\"",
          why: "without NVIDIA_REQUIRE_CUDA the toolkit synthesizes a requirement from CUDA_VERSION and mounts all GPUs by default",
          fix: "set NVIDIA_REQUIRE_CUDA explicitly in the image", evidence: evidence))
      }
      if items.isEmpty && !evidence.isEmpty {
        items.append(ReportItem(id: "", severity: .ok, subject: image.reference, message: "NVIDIA_* variables are consistent", evidence: evidence))
      }
      return items
    }
  }

  static let gpusEndToEnd = DoctorCheck("image.gpus", "With --gpus: a container of the image really sees the GPU.") { host, options in
    guard let run = options.gpuRun else { return [] }
    if let error = run.error {
      let noRuntime = error.contains("could not select device driver")
      return [
        ReportItem(
          id: "", severity: .error, subject: run.image, message: "the container could not start with GPUs: \(error)",
          why: noRuntime ? "Docker has no nvidia runtime or CDI spec for --gpus" : "GPU containers fail the same way for training jobs",
          fix: noRuntime ? "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker" : "see docker.gpu-runtime and toolkit.* findings",
          evidence: [error])
      ]
    }
    switch run.torchSeesGPU {
    case true?: return [ReportItem(id: "", severity: .ok, subject: run.image, message: "torch.cuda.is_available() is true inside the container")]
    case false?:
      return [
        ReportItem(
          id: "", severity: .error, subject: run.image, message: "the container started with GPUs but torch.cuda.is_available() is false",
          why: "training would silently run on the CPU", fix: "compare the image's torch CUDA build with the driver (image.cuda-driver) and check NVIDIA_VISIBLE_DEVICES")
      ]
    case nil:
      return [ReportItem(id: "", severity: .ok, subject: run.image, message: "the container started with GPUs (no torch in the image to ask)")]
    }
  }
}
