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

    /// Nil when the host has no NVIDIA driver (nothing to judge).
    public init?(_ host: HostFacts) {
      guard let driver = host.nvidia.kernelModule.value?.version ?? host.nvidia.nvml.value?.driverVersion else { return nil }
      let cuda = host.nvidia.nvml.value?.cudaDriverVersion ?? NumericVersion(driver).flatMap(CUDADriverTable.cudaVersion(forDriver:))
      self.driver = driver
      self.cuda = cuda
      let nvml = host.nvidia.nvml.value?.gpus ?? []
      let gpus = host.pci.value?.gpus.filter { $0.vendorID == "10de" } ?? []
      var products: [CUDAOnHost.Device] = []
      var devices = gpus.map { gpu in
        let device = nvml.first { $0.pciAddress == gpu.address }
        let catalog = UInt16(gpu.deviceID, radix: 16).flatMap(GPUCatalog.nvidia(deviceID:))
        let name = device?.name ?? catalog?.name
        let label = "\(gpu.address) \(name ?? gpu.deviceID)"
        products.append(CUDAOnHost.Device(label: label, productLine: GPUProductLine.classify(name: name ?? gpu.deviceName, nvmlBrand: device?.brand)))
        return NvidiaRequire.DeviceFacts(
          cuda: cuda, driver: driver, arch: device?.computeCapability ?? catalog?.computeCapability,
          brand: device.map { NvidiaRequire.containerBrand(nvmlBrand: $0.brand) }, label: label)
      }
      self.products = products
      if devices.isEmpty {
        devices = [NvidiaRequire.DeviceFacts(cuda: cuda, driver: driver, arch: nil, brand: nil, label: nil)]
      }
      self.devices = devices
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
    if let torch {
      let build = TorchArchitectures.TorchBuild(cuda: torch.cuda, archFlags: torch.archList, torchVersion: torch.version)
      let flags = torch.archList.isEmpty ? "none recorded" : torch.archList.joined(separator: " ")
      for device in offer.devices {
        guard let arch = device.arch else { continue }
        let label = device.label ?? "GPU"
        let assessment = TorchArchitectures.assess(build, capability: arch)
        let details = ["arch flags: \(flags)", "rules: reference/compute-capability-rules.md"]
          + TorchArchitectures.torchWarnings(build, capability: arch, deviceName: label).map { "torch warns: \($0)" }
        let severity: Severity
        let message: String
        switch assessment.outcome {
        case .native:
          (severity, message) = (.ok, "torch \(torch.version) has kernels for compute capability \(arch): \(assessment.explanation)")
        case .ptx:
          (severity, message) = (.warning, "torch \(torch.version) has no cubin for compute capability \(arch): \(assessment.explanation)")
        case .unsupported:
          (severity, message) = (
            .error,
            "torch \(torch.version) has no kernels for compute capability \(arch): \(assessment.explanation); CUDA kernels fail with \"\(TorchArchitectures.noKernelImageError)\""
          )
        case .cpuOnly:
          (severity, message) = (.warning, "torch \(torch.version) is a CPU-only build (torch.version.cuda is None): it will not use the GPU")
        case .undetermined:
          (severity, message) = (.warning, "cannot tell whether torch \(torch.version) has kernels for compute capability \(arch): \(assessment.explanation)")
        }
        verdicts.append(Verdict(id: "compat.compute-capability", severity: severity, subject: "\(subject) · \(label)", message: message, details: details))
      }
    }
    let environment = image.config.value?.environment ?? [:]
    if environment.keys.contains(where: { $0.hasPrefix("NVIDIA_REQUIRE_") }) || environment["CUDA_VERSION"] != nil {
      verdicts.append(requireVerdict(NvidiaRequire.evaluate(environment: environment, devices: offer.devices), subject: subject))
    }
    return verdicts
  }

  /// One severity per outcome, for `compare`, `doctor --image` and `doctor --cuda` alike.
  public static func severity(_ outcome: CUDAOnHost.Outcome) -> Severity {
    switch outcome {
    case .supported, .forwardCompatibility: return .ok
    case .minorVersionCompatibility, .forwardCompatibilityUncertain, .unknown: return .warning
    case .forwardCompatibilityUnsupported, .tooOld: return .error
    }
  }

  static func requireVerdict(_ outcome: NvidiaRequire.Outcome, subject: String) -> Verdict {
    if outcome.disabled {
      return Verdict(id: "compat.nvidia-require", severity: .note, subject: subject, message: "NVIDIA_DISABLE_REQUIRE is set: the container toolkit skips the image's requirements", details: [])
    }
    if let (variable, error) = outcome.invalid.first {
      return Verdict(id: "compat.nvidia-require", severity: .error, subject: subject, message: "\(variable) is not a valid expression: the container will not start (\(error.reason))", details: [error.description])
    }
    var details: [String] = []
    if outcome.synthesizedFromCudaVersion { details.append("legacy image: NVIDIA_REQUIRE_CUDA synthesized from CUDA_VERSION") }
    var failing: [String] = []
    for evaluation in outcome.evaluations {
      let device = evaluation.device.label ?? "no visible GPU"
      if let satisfied = evaluation.terms.first(where: \.satisfied) {
        details.append("\(evaluation.variable) on \(device): satisfied by \(satisfied.term)")
      } else {
        failing.append("\(evaluation.variable) on \(device)")
        details.append("\(evaluation.variable) on \(device): every alternative fails:")
        details += evaluation.terms.map { "  \($0.term): \($0.explanation)" }
      }
    }
    if failing.isEmpty {
      return Verdict(id: "compat.nvidia-require", severity: .ok, subject: subject, message: "the image's NVIDIA_REQUIRE_* hold on this host", details: details)
    }
    return Verdict(
      id: "compat.nvidia-require", severity: .error, subject: subject,
      message: "\(failing.joined(separator: "; ")) not satisfied: the toolkit refuses to start the container (\"unsatisfied condition\")", details: details)
  }
}
