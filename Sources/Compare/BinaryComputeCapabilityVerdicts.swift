import Compatibility
import Fingerprint
import Reporting

extension CompatibilityVerdicts {
  /// Each GPU against the code in every CUDA library of the image (`ImageFacts.cudaBinaries`,
  /// read from the fatbinaries): one verdict per GPU, under the same id and severities as the
  /// framework's (`compat.compute-capability`): an error naming every library with no kernel
  /// for the GPU, a warning naming those that need the driver to JIT their PTX, else ok.
  static func binaryComputeCapabilityVerdicts(_ image: ImageFacts, offer: HostOffer, subject: String) -> [Verdict] {
    guard let binaries = image.cudaBinaries, !binaries.isEmpty else { return [] }
    let cuda = image.framework("torch")?.info.value?.cuda ?? image.cuda.bestVersion
    return offer.devices.compactMap { device in
      guard let arch = device.arch, let capability = TorchArchitectures.Capability(arch) else { return nil }
      let sm = "sm_\(capability.digits)"
      var missing: [String] = []
      var jit: [String] = []
      var native = 0
      var details: [String] = ["rules: reference/compute-capability-rules.md; targets read from each library's .nv_fatbin (docs/cuda-binaries.md)"]
      for binary in binaries {
        let targets = binary.loadableTargets.joined(separator: " ")
        guard let assessment = CUDABinaryArchitectures.assess(fileName: binary.fileName, targets: binary.loadableTargets, capability: arch, cuda: cuda) else {
          details.append("\(binary.path): not judged (\(targets.isEmpty ? "no loadable GPU code" : "kernels kept outside .nv_fatbin"))")
          continue
        }
        switch assessment.outcome {
        case .native: native += 1
        case .ptx: jit.append(binary.fileName)
        case .unsupported: missing.append(binary.fileName)
        case .cpuOnly, .undetermined: continue
        }
        details.append("\(binary.path) [\(targets)]: \(assessment.explanation)")
      }
      let label = device.label ?? "GPU"
      let severity: Severity
      let message: String
      if !missing.isEmpty {
        severity = .error
        message =
          "\(list(missing)) \(missing.count == 1 ? "has" : "have") no kernel for \(sm) (compute capability \(arch)) and no PTX the driver could JIT: "
          + "their kernels fail with \"\(TorchArchitectures.noKernelImageError)\""
      } else if !jit.isEmpty {
        severity = .warning
        message = "\(list(jit)) \(jit.count == 1 ? "has" : "have") no cubin for \(sm) (compute capability \(arch)): the driver must JIT their PTX at first use (slow first start)"
      } else if native > 0 {
        severity = .ok
        message = "all \(native) CUDA libraries of the image have kernels for \(sm) (compute capability \(arch))"
      } else {
        return nil
      }
      return Verdict(id: "compat.compute-capability", severity: severity, subject: "\(subject) · \(label)", message: message, details: details)
    }
  }

  /// "a.so, b.so and c.so".
  private static func list(_ names: [String]) -> String {
    guard names.count > 1 else { return names.first ?? "" }
    return names.dropLast().joined(separator: ", ") + " and " + names.last!
  }
}
