import Fingerprint

/// Turns the checks' facts (and the image's configuration) into ``ImageFacts``.
enum ImageFactsBuilder {
  static func build(reference: String, runtime: String, config: Observed<ImageConfig>, parsed: InspectionParser, scriptSource: String) -> ImageFacts {
    let environment = config.value?.environment ?? [:]
    let packages = parsed.values("python.package").compactMap(package).sorted()
    return ImageFacts(
      reference: reference, runtime: runtime, config: config,
      os: osRelease(parsed, source: scriptSource),
      architecture: parsed.value("arch"),
      libc: libc(parsed, source: scriptSource),
      python: python(parsed, packages: packages, source: scriptSource),
      condaPackages: parsed.values("conda.package").compactMap(package).sorted(),
      cuda: cuda(parsed, packages: packages, environment: environment),
      cudnn: sightings(parsed, header: "cudnn.header", library: "cudnn.library", libraryPrefix: "libcudnn.so.", pipPrefix: "nvidia-cudnn-", packages: packages, environment: environment, envNames: ["NV_CUDNN_VERSION", "CUDNN_VERSION"]),
      nccl: sightings(parsed, header: "nccl.header", library: "nccl.library", libraryPrefix: "libnccl.so.", pipPrefix: "nvidia-nccl-", packages: packages, environment: environment, envNames: ["NCCL_VERSION", "NV_LIBNCCL_PACKAGE_VERSION"]),
      frameworks: ["torch", "tensorflow", "jax"].compactMap { framework($0, parsed) },
      notes: parsed.notes,
      osPackages: osPackages(parsed))
  }

  /// `os.package` facts (`NAME==VERSION ARCH SOURCE SOURCE_VERSION`, see ``DpkgStatus``); nil
  /// without a dpkg database. A name installed for several architectures is qualified
  /// (`libc6:i386`), as dpkg spells it, so each entry's name is unique.
  static func osPackages(_ parsed: InspectionParser) -> [OSPackage]? {
    guard parsed.value(DpkgStatus.databaseKey) != nil else { return nil }
    var packages: [OSPackage] = []
    for value in parsed.values(DpkgStatus.factKey) {
      let words = value.split(separator: " ")
      guard words.count == 4, let separator = words[0].firstRange(of: "==") else { continue }
      let name = String(words[0][..<separator.lowerBound])
      let version = String(words[0][separator.upperBound...])
      guard !name.isEmpty, !version.isEmpty, !name.contains(":") else { continue }
      let source = String(words[2])
      let sourceVersion = String(words[3])
      packages.append(
        OSPackage(
          name: name, version: version, architecture: String(words[1]), sourcePackage: source == name ? nil : source,
          sourceVersion: sourceVersion == version ? nil : sourceVersion))
    }
    let counts = Dictionary(packages.map { ($0.name, 1) }, uniquingKeysWith: +)
    for index in packages.indices where counts[packages[index].name, default: 0] > 1 {
      packages[index].name += ":\(packages[index].architecture)"
    }
    // dpkg never writes one package twice; if a file does, the first paragraph counts.
    var seen = Set<String>()
    return packages.filter { seen.insert($0.name).inserted }.sorted()
  }

  static func package(_ text: String) -> Package? {
    guard let separator = text.firstRange(of: "==") else { return nil }
    let name = String(text[..<separator.lowerBound])
    let version = String(text[separator.upperBound...])
    guard !name.isEmpty, !version.isEmpty else { return nil }
    return Package(name: name, version: version)
  }

  static func osRelease(_ parsed: InspectionParser, source: String) -> Observed<OSRelease> {
    guard let id = parsed.value("os.id") else {
      return .absent("the image has no /etc/os-release", source: "\(source) os.sh")
    }
    return .present(
      OSRelease(id: id, versionID: parsed.value("os.version_id"), prettyName: parsed.value("os.pretty_name"), versionCodename: nil, idLike: []),
      from: "\(source) os.sh: /etc/os-release")
  }

  static func libc(_ parsed: InspectionParser, source: String) -> Observed<LibcInfo> {
    if let getconf = parsed.value("libc.getconf") {
      let parts = getconf.split(separator: " ")
      if parts.count == 2 { return .present(LibcInfo(name: parts[0] == "glibc" ? "glibc" : String(parts[0]), version: String(parts[1])), from: "\(source) os.sh: getconf GNU_LIBC_VERSION") }
    }
    if let ldd = parsed.value("libc.ldd"), ldd.lowercased().contains("glibc") || ldd.contains("GNU libc"),
      let version = ldd.split(separator: " ").last, version.first?.isNumber == true
    {
      return .present(LibcInfo(name: "glibc", version: String(version)), from: "\(source) os.sh: ldd --version")
    }
    if let musl = parsed.value("libc.musl") {
      return .present(LibcInfo(name: "musl", version: "unknown"), from: "\(source) os.sh: \(musl)")
    }
    return .absent("no C library found (a static or distroless image)", source: "\(source) os.sh")
  }

  static func python(_ parsed: InspectionParser, packages: [Package], source: String) -> Observed<PythonEnvironment> {
    let interpreters = parsed.values("python.candidate")
    guard let defaultInterpreter = parsed.value("python.default") else {
      if interpreters.isEmpty { return .absent("no python on PATH", source: "\(source) python.sh") }
      return .present(
        PythonEnvironment(interpreters: interpreters, defaultInterpreter: nil, version: nil, executable: nil, virtualenv: nil, condaPrefix: nil, packages: []),
        from: "\(source) python.sh")
    }
    if parsed.value("python.version") == nil, let error = parsed.value("python.error") {
      return .unreadable("\(defaultInterpreter) did not run: \(error)", source: "\(source) python.sh")
    }
    return .present(
      PythonEnvironment(
        interpreters: interpreters, defaultInterpreter: defaultInterpreter, version: parsed.value("python.version"),
        executable: parsed.value("python.executable"), virtualenv: parsed.value("python.virtualenv"),
        condaPrefix: parsed.value("python.conda_prefix"), packages: packages),
      from: "\(source) python.sh: importlib.metadata")
  }

  /// `path: 12.4.1` → (path, 12.4.1).
  static func split(_ value: String) -> (source: String, version: String)? {
    guard let separator = value.lastIndex(of: ":") else { return nil }
    let version = value[value.index(after: separator)...].trimmed
    guard !version.isEmpty else { return nil }
    return (String(value[..<separator]), version)
  }

  /// `/usr/lib/libcudnn.so.9.1.0` → `9.1.0` (at least major.minor).
  static func libraryVersion(_ path: String, prefix: String) -> String? {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard name.hasPrefix(prefix) else { return nil }
    let version = String(name.dropFirst(prefix.count))
    guard version.contains("."), version.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
    return version
  }

  static func cuda(_ parsed: InspectionParser, packages: [Package], environment: [String: String]) -> CUDAToolkitFacts {
    var toolkit: [VersionSighting] = []
    for value in parsed.values("cuda.version_json") {
      if let (source, version) = split(value) { toolkit.append(VersionSighting(version: version, source: source)) }
    }
    for value in parsed.values("cuda.version_txt") {
      if let (source, text) = split(value), let version = text.split(separator: " ").last { toolkit.append(VersionSighting(version: String(version), source: source)) }
    }
    for value in parsed.values("cuda.nvcc") {
      if let (source, text) = split(value), let marker = text.firstRange(of: ", V") {
        toolkit.append(VersionSighting(version: String(text[marker.upperBound...]), source: "\(source) --version"))
      }
    }
    if let version = environment["CUDA_VERSION"] { toolkit.append(VersionSighting(version: version, source: "env CUDA_VERSION")) }
    var runtime: [VersionSighting] = parsed.values("cuda.library").compactMap { path in
      libraryVersion(path, prefix: "libcudart.so.").map { VersionSighting(version: $0, source: path) }
    }
    for package in packages where package.normalizedName.hasPrefix("nvidia-cuda-runtime") {
      runtime.append(VersionSighting(version: package.version, source: "pip \(package.name)"))
    }
    let compat = parsed.values("cuda.compat").compactMap { path in
      libraryVersion(path, prefix: "libcuda.so.").map { VersionSighting(version: $0, source: path) }
    }
    return CUDAToolkitFacts(toolkit: toolkit.sorted(), runtime: runtime.sorted(), compat: compat.isEmpty ? nil : compat.sorted())
  }

  static func sightings(
    _ parsed: InspectionParser, header: String, library: String, libraryPrefix: String, pipPrefix: String, packages: [Package],
    environment: [String: String], envNames: [String]
  ) -> [VersionSighting] {
    var found: [VersionSighting] = parsed.values(header).compactMap { value in
      split(value).map { VersionSighting(version: $0.version, source: $0.source) }
    }
    found += parsed.values(library).compactMap { path in libraryVersion(path, prefix: libraryPrefix).map { VersionSighting(version: $0, source: path) } }
    found += packages.filter { $0.normalizedName.hasPrefix(pipPrefix) }.map { VersionSighting(version: $0.version, source: "pip \($0.name)") }
    found += envNames.compactMap { name in environment[name].map { VersionSighting(version: $0, source: "env \(name)") } }
    return Array(Set(found)).sorted()
  }

  /// torch.backends.cudnn.version(): 90100 → 9.1.0 (cuDNN ≥ 9), 8902 → 8.9.2.
  static func decodeCudnn(_ text: String) -> String {
    guard let value = Int(text) else { return text }
    let (major, rest) = value >= 90000 ? (value / 10000, value % 10000) : (value / 1000, value % 1000)
    return "\(major).\(rest / 100).\(rest % 100)"
  }

  static func framework(_ name: String, _ parsed: InspectionParser) -> FrameworkFacts? {
    let prefix = "framework.\(name)."
    let source = "python3 -c 'import \(name)'"
    guard parsed.value(prefix + "present") != nil || parsed.value(prefix + "error") != nil else { return nil }
    if let error = parsed.value(prefix + "error"), parsed.value(prefix + "version") == nil {
      return FrameworkFacts(name: name, info: .unreadable("import \(name) failed: \(error)", source: source))
    }
    let problems = parsed.facts.filter { $0.key.hasPrefix(prefix) && $0.key.hasSuffix("_error") }
      .map { "\($0.key.dropFirst(prefix.count).dropLast("_error".count)): \($0.value)" }
    let cuda = parsed.value(prefix + "cuda") ?? parsed.value(prefix + "build_cuda")
    let cudnn = (parsed.value(prefix + "cudnn") ?? parsed.value(prefix + "build_cudnn")).map { name == "torch" ? decodeCudnn($0) : $0 }
    func flag(_ key: String) -> Bool? { parsed.value(prefix + key).map { $0 == "yes" } }
    // `companion` lines: "DISTRIBUTION VERSION" (JAX's jaxlib and CUDA plugin).
    var companions: [String: String] = [:]
    for line in parsed.values(prefix + "companion") {
      let parts = line.split(separator: " ", maxSplits: 1)
      if parts.count == 2 { companions[String(parts[0])] = String(parts[1]) }
    }
    return FrameworkFacts(
      name: name,
      info: .present(
        FrameworkInfo(
          version: parsed.value(prefix + "version") ?? "unknown", cuda: cuda == "None" ? nil : cuda, cudnn: cudnn, nccl: parsed.value(prefix + "nccl"),
          archList: (parsed.value(prefix + "arch_list") ?? "").split(separator: " ").map(String.init),
          cudaAvailable: flag("cuda_available"), cxx11ABI: flag("cxx11_abi"),
          loadedLibraries: Array(Set(parsed.values(prefix + "loaded"))).sorted(), problems: problems,
          archSource: parsed.value(prefix + "arch_source"), hip: parsed.value(prefix + "hip"),
          companions: companions.isEmpty ? nil : companions),
        from: source))
  }
}
