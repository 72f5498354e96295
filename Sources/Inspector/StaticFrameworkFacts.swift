import Fingerprint

/// frameworks.sh, read from files: PyTorch's build from `torch/version.py`, cuDNN and NCCL from
/// the nvidia-* wheels it loads, TensorFlow and JAX from their distributions' metadata.
/// Whether CUDA is available and which libraries an import really loads need a running
/// interpreter: not read (notes say so, reason "static inspection").
extension StaticFactCollector {
  mutating func collectFrameworks() {
    guard let python else { return }
    for name in ["torch", "tensorflow", "jax"] {
      // importlib.util.find_spec: the first sys.path entry with the package.
      guard let directory = python.path.lazy.map({ "\($0)/\(name)" }).first(where: { files.isRegularFile("\($0)/__init__.py") }) else { continue }
      let prefix = "framework.\(name)."
      emit(prefix + "present", "yes")
      switch name {
      case "torch": collectTorch(directory, prefix: prefix)
      default: collectFromDistribution(name, directory: directory, prefix: prefix)
      }
      provenance["framework.\(name)"] = directory
    }
  }

  /// torch/version.py, generated at build time (tools/generate_torch_version.py):
  /// `__version__`, `cuda`, `hip`, `git_version` as Python literals.
  mutating func collectTorch(_ directory: String, prefix: String) {
    guard let text = files.readText("\(directory)/version.py") else {
      emit(prefix + "error", "static inspection: \(directory)/version.py is missing")
      return
    }
    let assignments = Self.pythonStringAssignments(text)
    emit(prefix + "version", assignments["__version__"].flatMap { $0 } ?? "unknown")
    let cuda = assignments["cuda"].flatMap { $0 }
    if let cuda { emit(prefix + "cuda", cuda) }
    if let hip = assignments["hip"].flatMap({ $0 }) { emit(prefix + "hip", hip) }
    if cuda != nil {
      // PyPI's CUDA builds load cuDNN and NCCL from the nvidia-cudnn-cuXX / nvidia-nccl-cuXX
      // wheels torch's metadata pins; the version they report is the wheel's major.minor.patch.
      let packages = facts.filter { $0.key == "python.package" }.compactMap { ImageFactsBuilder.package($0.value) }
      if let cudnn = packages.first(where: { $0.normalizedName.hasPrefix("nvidia-cudnn-cu") }) {
        emit(prefix + "cudnn", Self.cudnnCode(cudnn.version))
      }
      if let nccl = packages.first(where: { $0.normalizedName.hasPrefix("nvidia-nccl-cu") }) {
        emit(prefix + "nccl", nccl.version.split(separator: ".").prefix(3).joined(separator: "."))
      }
      if let architectures, let (archList, source) = architectures.torchArchitectures(root: files.root, torchDirectory: directory) {
        emit(prefix + "arch_list", archList.joined(separator: " "))
        emit(prefix + "arch_source", source)
      } else {
        notes.append("static inspection: torch's GPU architectures are compiled into libtorch_cuda.so (read by the fatbin scanner, not given to this inspection): arch list not read")
      }
    } else {
      // A CPU build has no CUDA kernels at all.
      emit(prefix + "arch_list", "")
    }
    notes.append("static inspection: torch cuda_available, cxx11_abi and the libraries it loads need a running interpreter (not read)")
  }

  /// The cuDNN version as `torch.backends.cudnn.version()` answers (the builder decodes
  /// 90100 → 9.1.0) from a wheel version `9.1.0.70`.
  static func cudnnCode(_ version: String) -> String {
    let parts = version.split(separator: ".").compactMap { Int($0) }
    guard parts.count >= 3 else { return version }
    return String(parts[0] >= 9 ? parts[0] * 10000 + parts[1] * 100 + parts[2] : parts[0] * 1000 + parts[1] * 100 + parts[2])
  }

  /// TensorFlow and JAX: the version their distribution's metadata states (what
  /// `__version__` says for PyPI's wheels).
  mutating func collectFromDistribution(_ name: String, directory: String, prefix: String) {
    let packages = facts.filter { $0.key == "python.package" }.compactMap { ImageFactsBuilder.package($0.value) }
    if let package = packages.first(where: { $0.normalizedName == name }) {
      emit(prefix + "version", package.version)
    } else {
      emit(prefix + "error", "static inspection: \(directory) has no distribution metadata to state its version")
    }
    if name == "jax" {
      for companion in ["jaxlib", "jax-cuda13-plugin", "jax-cuda13-pjrt", "jax-cuda12-plugin", "jax-cuda12-pjrt", "jax-rocm60-plugin", "jax-rocm60-pjrt"] {
        if let package = packages.first(where: { $0.normalizedName == companion }) { emit(prefix + "companion", "\(companion) \(package.version)") }
      }
    }
    notes.append("static inspection: \(name)'s CUDA build, GPU architectures and CUDA availability need a running interpreter (not read)")
  }

  /// `NAME = 'text'`, `NAME: Optional[str] = "text"`, `NAME = None` lines → NAME: text / nil.
  static func pythonStringAssignments(_ text: String) -> [String: String?] {
    var values: [String: String?] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      var name = line[..<equals].trimmed
      if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]).trimmed }
      guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), values[name] == nil else { continue }
      let value = line[line.index(after: equals)...].trimmed
      if value == "None" {
        values[name] = .some(nil)
      } else if let quote = value.first, quote == "'" || quote == "\"", value.count >= 2, value.last == quote {
        values[name] = .some(String(value.dropFirst().dropLast()))
      }
    }
    return values
  }
}
