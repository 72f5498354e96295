import Fingerprint

/// The human summary of an inspection.
enum ImageSummary {
  static func render(_ facts: ImageFacts) -> String {
    var lines: [String] = []
    func row(_ label: String, _ text: String) { lines.append(label + String(repeating: " ", count: max(1, 12 - label.count)) + text) }
    func describe<T>(_ fact: Observed<T>, _ format: (T) -> String) -> String {
      fact.value.map(format) ?? "— \(fact.status.rawValue): \(fact.reason ?? "")"
    }
    func list(_ sightings: [VersionSighting]) -> String {
      sightings.isEmpty ? "— absent" : sightings.map { "\($0.version) (\($0.source))" }.joined(separator: ", ")
    }
    row("image", "\(facts.reference) via \(facts.runtime)" + (facts.config.value.map { "  \($0.id.prefix(19))" } ?? ""))
    row("os", describe(facts.os) { $0.prettyName ?? $0.id } + (facts.architecture.map { " \($0)" } ?? ""))
    row("libc", describe(facts.libc) { "\($0.name) \($0.version)" })
    row("python", describe(facts.python) { python in
      var text = "\(python.defaultInterpreter ?? "no python3") \(python.version ?? "")"
      if let venv = python.virtualenv { text += ", venv \(venv)" }
      if let conda = python.condaPrefix { text += ", conda \(conda)" }
      return text + ", \(python.packages.count) package\(python.packages.count == 1 ? "" : "s")"
    })
    row("cuda", "toolkit: " + list(facts.cuda.toolkit))
    row("", "runtime: " + list(facts.cuda.runtime))
    if let compat = facts.cuda.compat { row("", "compat: " + list(compat) + " (forward compatibility)") }
    row("cudnn", list(facts.cudnn))
    row("nccl", list(facts.nccl))
    for framework in facts.frameworks {
      row(framework.name, describe(framework.info) { info in
        var text = info.version
        text += ", CUDA \(info.cuda ?? "none (CPU build)")"
        if let cudnn = info.cudnn { text += ", cuDNN \(cudnn)" }
        if let nccl = info.nccl { text += ", NCCL \(nccl)" }
        if !info.archList.isEmpty { text += ", arch \(info.archList.joined(separator: " "))" }
        if let available = info.cudaAvailable { text += ", GPU visible: \(available ? "yes" : "no")" }
        if !info.loadedLibraries.isEmpty { text += "\n" + String(repeating: " ", count: 12) + "loaded: " + info.loadedLibraries.joined(separator: ", ") }
        return text
      })
    }
    if facts.frameworks.isEmpty { row("frameworks", "none installed (torch, tensorflow, jax)") }
    if let binaries = facts.cudaBinaries {
      // Libraries grouped by the GPU code they carry, so 45 libraries stay a few lines.
      let groups = Dictionary(grouping: binaries) { ($0.sass + $0.ptx).joined(separator: " ") }
      let text = binaries.isEmpty ? "none with GPU code" : groups.sorted { $0.key < $1.key }.map { targets, members in
        let names = members.map(\.fileName).sorted()
        let shown = names.count > 3 ? names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more" : names.joined(separator: ", ")
        return "\(targets.isEmpty ? "no loadable code" : targets): \(shown)"
      }.joined(separator: "\n" + String(repeating: " ", count: 12))
      row("gpu code", text)
    }
    if let packages = facts.osPackages { row("os pkgs", "\(packages.count) dpkg package\(packages.count == 1 ? "" : "s")") }
    let nvidiaEnvironment = (facts.config.value?.environment ?? [:]).filter { $0.key.hasPrefix("NVIDIA_") || $0.key == "CUDA_VERSION" }
    if !nvidiaEnvironment.isEmpty {
      let shown = nvidiaEnvironment.sorted { $0.key < $1.key }.map { name, value in
        let alternatives = value.split(separator: " ").count
        return "\(name)=" + (value.count > 80 ? "\(value.prefix(60))… (\(alternatives) alternatives)" : value)
      }
      row("env", shown.joined(separator: "\n" + String(repeating: " ", count: 12)))
    }
    for note in facts.notes { row("note", note) }
    return lines.joined(separator: "\n") + "\n"
  }
}
