import Compatibility
import Fingerprint
import Reporting

/// Host ↔ image verdicts: the host driver against the image's CUDA, each GPU's compute
/// capability against the framework's arch list, and the image's `NVIDIA_REQUIRE_*`
/// against each GPU, as libnvidia-container would evaluate it.
public enum CompatibilityVerdicts {
  /// What a host offers a container.
  public struct HostOffer: Sendable, Hashable {
    public var driver: String
    public var cuda: String?
    public var devices: [NvidiaRequire.DeviceFacts]
    /// The GPUs with their product line, for forward compatibility (empty when none is known).
    public var products: [CUDAOnHost.Device]

    /// NVML's brand for a GPU known only by its catalog name (no NVML: a captured tree without
    /// nvidia-smi output): what NVML reports for that product line.
    static func nvmlBrand(forName name: String) -> String? {
      switch GPUProductLine.classify(name: name, nvmlBrand: nil) {
      case .consumer: return name.contains("TITAN") ? "TITAN" : "GeForce"
      case .dataCenter: return name.hasPrefix("Tesla") ? "Tesla" : "NVIDIA"
      case .workstation: return name.contains("Quadro") ? "Quadro" : "NVIDIA RTX"
      case .integrated, .unknown: return nil
      }
    }

    /// Nil when the host has no NVIDIA driver (nothing to judge).
    public init?(_ host: HostFacts) {
      guard let driver = host.nvidia.kernelModule.value?.version ?? host.nvidia.nvml.value?.driverVersion else { return nil }
      let cuda = host.nvidia.nvml.value?.cudaDriverVersion ?? NumericVersion(driver).flatMap(CUDADriverTable.cudaVersion(forDriver:))
      self.driver = driver
      self.cuda = cuda
      let nvml = host.nvidia.nvml.value?.gpus ?? []
      let gpus = host.pci.value?.gpus.filter { $0.vendorID == "10de" } ?? []
      var products: [CUDAOnHost.Device] = []
      devices = gpus.map { gpu in
        let device = nvml.first { $0.pciAddress == gpu.address }
        let catalog = UInt16(gpu.deviceID, radix: 16).flatMap(GPUCatalog.nvidia(deviceID:))
        let name = device?.name ?? catalog?.name
        let label = "\(gpu.address) \(name ?? gpu.deviceID)"
        products.append(CUDAOnHost.Device(label: label, productLine: GPUProductLine.classify(name: name, nvmlBrand: device?.brand)))
        return NvidiaRequire.DeviceFacts(
          cuda: cuda, driver: driver, arch: device?.computeCapability ?? catalog?.computeCapability,
          brand: NvidiaRequire.containerBrand(nvmlBrand: device?.brand ?? catalog.map { Self.nvmlBrand(forName: $0.name) } ?? nil),
          label: label, uuid: nil, pciBusID: gpu.address, migDevices: [])
      }
      self.products = products
    }
  }

  static func judge(left: (HostFacts?, [ImageFacts]), right: (HostFacts?, [ImageFacts])) -> [Verdict] {
    var verdicts: [Verdict] = []
    var seen = Set<String>()
    let sides = [("left", left), ("right", right)]
    for (hostSide, hostSideFacts) in sides {
      guard let host = hostSideFacts.0, let offer = HostOffer(host) else { continue }
      for (imageSide, imageSideFacts) in sides {
        for image in imageSideFacts.1 {
          let key = "\(offer.hashValue) \(image.reference) \(image.config.value?.id ?? "")"
          guard seen.insert(key).inserted else { continue }
          verdicts += judge(offer, image, subject: "\(hostSide) host ↔ \(imageSide) image \(image.reference)")
        }
      }
    }
    return verdicts
  }

  /// Every verdict for one host and one image.
  public static func judge(_ offer: HostOffer, _ image: ImageFacts, subject: String) -> [Verdict] {
    var verdicts: [Verdict] = []
    let torch = image.framework("torch")?.info.value
    if let cuda = torch?.cuda ?? image.cuda.bestVersion,
      let verdict = CUDAOnHost.evaluate(
        driver: offer.driver, cuda: cuda, compatDrivers: image.cuda.compat?.map(\.version) ?? [], devices: offer.products)
    {
      var details = ["image CUDA \(cuda) from \(torch?.cuda != nil ? "torch.version.cuda" : "the image's toolkit/runtime")", "table: \(CUDADriverTable.source)"]
      details += (image.cuda.compat ?? []).map { "cuda-compat libcuda \($0.version): \($0.source)" }
      verdicts.append(Verdict(id: "compat.cuda-driver", severity: severity(verdict.outcome), subject: subject, message: verdict.explanation, details: details))
    }
    for framework in ["torch", "tensorflow"] {
      guard let info = image.framework(framework)?.info.value else { continue }
      verdicts += computeCapabilityVerdicts(framework: framework, info, offer: offer, subject: subject)
    }
    verdicts += binaryComputeCapabilityVerdicts(image, offer: offer, subject: subject)
    let environment = image.config.value?.environment ?? [:]
    if environment.keys.contains(where: { $0.hasPrefix("NVIDIA_REQUIRE_") }) || environment["CUDA_VERSION"] != nil {
      // As `docker run --gpus all` starts it: Docker sets NVIDIA_VISIBLE_DEVICES=all.
      var started = environment
      started["NVIDIA_VISIBLE_DEVICES"] = "all"
      let outcome = NvidiaRequire.evaluate(environment: started, driver: offer.driver, cuda: offer.cuda, gpus: offer.devices)
      verdicts.append(requireVerdict(outcome, subject: subject, cudaDriver: verdicts.last { $0.id == "compat.cuda-driver" }))
    }
    return verdicts
  }

  /// Each GPU's compute capability against the architectures a framework was compiled for
  /// (torch's arch flags, TensorFlow's `cuda_compute_capabilities`; same `sm_XY`/`compute_XY` form).
  static func computeCapabilityVerdicts(framework: String, _ info: FrameworkInfo, offer: HostOffer, subject: String) -> [Verdict] {
    let name = "\(framework) \(info.version)"
    if framework == "tensorflow" && info.cuda == nil { return [] }  // CPU TensorFlow: nothing to judge per GPU
    let build = TorchArchitectures.TorchBuild(cuda: info.cuda, archFlags: info.archList, torchVersion: framework == "torch" ? info.version : nil)
    let flags = info.archList.isEmpty ? "none recorded" : info.archList.joined(separator: " ")
    return offer.devices.compactMap { device in
      guard let arch = device.arch else { return nil }
      let label = device.label ?? "GPU"
      let assessment = TorchArchitectures.assess(build, capability: arch)
      var details = ["arch flags: \(flags)" + (info.archSource.map { " (from \($0))" } ?? ""), "rules: reference/compute-capability-rules.md"]
      if framework == "torch" {
        // torch names the device as NVML does, without the PCI address the label starts with.
        let deviceName = label.split(separator: " ", maxSplits: 1).last.map(String.init) ?? label
        details += TorchArchitectures.torchWarnings(build, capability: arch, deviceName: deviceName).map { "torch warns: \($0)" }
      }
      let severity: Severity
      let message: String
      switch assessment.outcome {
      case .native:
        (severity, message) = (.ok, "\(name) has kernels for compute capability \(arch): \(assessment.explanation)")
      case .ptx:
        (severity, message) = (.warning, "\(name) has no cubin for compute capability \(arch): \(assessment.explanation)")
      case .unsupported:
        (severity, message) = (
          .error,
          "\(name) has no kernels for compute capability \(arch): \(assessment.explanation); CUDA kernels fail with \"\(TorchArchitectures.noKernelImageError)\""
        )
      case .cpuOnly:
        if let hip = info.hip {
          (severity, message) = (.warning, "\(name) is a ROCm build (HIP \(hip)): it will not use NVIDIA GPUs")
        } else {
          (severity, message) = (.warning, "\(name) is a CPU-only build (torch.version.cuda is None): it will not use the GPU")
        }
      case .undetermined:
        (severity, message) = (.warning, "cannot tell whether \(name) has kernels for compute capability \(arch): \(assessment.explanation)")
      }
      return Verdict(id: "compat.compute-capability", severity: severity, subject: "\(subject) · \(label)", message: message, details: details)
    }
  }

  /// One severity per outcome, for `compare`, `doctor --image` and `doctor --cuda` alike.
  public static func severity(_ outcome: CUDAOnHost.Outcome) -> Severity {
    switch outcome {
    case .supported, .forwardCompatibility: return .ok
    case .minorVersionCompatibility, .forwardCompatibilityUncertain, .unknown: return .warning
    case .forwardCompatibilityUnsupported, .tooOld: return .error
    }
  }

  /// Where requirements are checked: only the toolkit's legacy path (`docker run --gpus` under runc, or
  /// the nvidia runtime before toolkit 1.18 or in `mode = "legacy"`); CDI and jit-cdi start the
  /// container whatever they say (reference/nvidia-require-rules.md, "Which modes check requirements").
  static let enforcingModes =
    "under `docker run --gpus` (the toolkit's legacy hook checks them); CDI (`--device nvidia.com/gpu=all`) and the nvidia runtime's jit-cdi mode (toolkit ≥ 1.18) do not check them"

  static func requireVerdict(_ outcome: NvidiaRequire.Outcome, subject: String, cudaDriver: Verdict?) -> Verdict {
    func verdict(_ severity: Severity, _ message: String, _ details: [String] = []) -> Verdict {
      Verdict(id: "compat.nvidia-require", severity: severity, subject: subject, message: message, details: details + ["mode: \(enforcingModes)"])
    }
    if outcome.disabled {
      return verdict(.note, "NVIDIA_DISABLE_REQUIRE is set: the container toolkit skips the image's requirements")
    }
    if !outcome.checked {
      return verdict(.note, "NVIDIA_VISIBLE_DEVICES=void: not a GPU container, nothing is checked")
    }
    if let error = outcome.setupError {
      return verdict(.error, "the toolkit fails before checking the requirements: \(error)", [error])
    }
    if let (variable, error) = outcome.invalid.first {
      return verdict(.error, "\(variable) is not a valid expression: the container will not start \(enforcingModes.prefix(while: { $0 != ";" })) (\(error.reason))", [error.description])
    }
    var details: [String] = []
    if outcome.synthesizedFromCudaVersion { details.append("legacy image: the requirement cuda>=MAJOR.MINOR is synthesized from CUDA_VERSION") }
    var failing: [String] = []
    var forwardCompatibilityTerms: [String] = []
    for evaluation in outcome.evaluations {
      let device = evaluation.device.label ?? "no visible GPU"
      if evaluation.satisfied {
        if let holding = evaluation.terms.first(where: \.satisfied) {
          details.append("\(evaluation.variable) on \(device): satisfied by \(holding.term)")
          let properties = holding.factors.compactMap { $0.factor?.property }
          if !properties.contains(.cuda) && properties.contains(.driver) {
            forwardCompatibilityTerms.append("\(holding.term)")
          }
        } else {
          details.append("\(evaluation.variable) on \(device): satisfied")
        }
      } else {
        failing.append("\(evaluation.variable) on \(device)")
        details.append("\(evaluation.variable) on \(device): \(evaluation.toolkitError ?? "not satisfied"); every alternative:")
        details += evaluation.terms.map { "  \($0.term): \($0.explanation)" }
      }
    }
    if failing.isEmpty {
      guard let branch = forwardCompatibilityTerms.first else {
        return verdict(.ok, "the image's NVIDIA_REQUIRE_* hold on this host", details)
      }
      // A driver-branch alternative is the image's forward-compatibility declaration: the toolkit
      // starts the container, and CUDA then runs only through the image's cuda-compat libraries.
      if let cudaDriver, cudaDriver.severity == .error {
        return verdict(
          .warning,
          "the toolkit starts the container through the forward-compatibility alternative \(branch), but CUDA will not run: \(cudaDriver.message)",
          details)
      }
      return verdict(.ok, "the image's NVIDIA_REQUIRE_* hold on this host through the forward-compatibility alternative \(branch)", details)
    }
    return verdict(
      .error,
      "\(failing.joined(separator: "; ")) not satisfied: the toolkit refuses to start the container (\"unsatisfied condition\") \(enforcingModes)",
      details)
  }
}
