// Every parser that reads untrusted or machine-written text, one at a time: the parser is
// chosen by RIGCHECK_FUZZ_TARGET; each must return or throw, never crash or hang.
import Compare
import Compatibility
import Fingerprint
import ImageSources
@_spi(Fuzzing) import Inspector
@_spi(Fuzzing) import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

enum FuzzTarget: String, CaseIterable {
  case jsonTree = "json-tree", fingerprint, policy, inspection, nvidiaRequire = "nvidia-require", osRelease = "os-release"
  case procVersion = "proc-version", nvrmVersion = "nvrm-version", meminfo, mounts, cgroupCPU = "cgroup-cpu"
  case nvidiaSMI = "nvidia-smi-xml", cdiYAML = "cdi-yaml", pythonVersion = "pep440", numericVersion = "numeric-version"
  case torchArch = "torch-arch", daemonJSON = "daemon-json", imageInspect = "image-inspect", nodeHealth = "node-health"
  case ociDocuments = "oci-documents"

  static let current: FuzzTarget = {
    guard let name = getenv("RIGCHECK_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
      fatalError("set RIGCHECK_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))")
    }
    return target
  }()
}

/// Runs one input through the chosen parser (also libFuzzer's entry point).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
  let text = String(decoding: bytes, as: UTF8.self)
  switch FuzzTarget.current {
  case .jsonTree: _ = try? JSONTree.parse(Data(bytes))
  case .fingerprint:
    if let side = try? ComparedSide.load(Data(bytes), name: "fuzz.json") { _ = Comparator().compare(side, side) }
    _ = try? Fingerprint.decode(Data(bytes), name: "fuzz.json")
  case .policy:
    if let policy = try? PolicyFile.load(text, name: "fuzz.yaml") { _ = policy.rule(for: "images[x].python.packages[torch]") }
  case .inspection: _ = InspectorParsers.inspectionOutput(text)
  case .nvidiaRequire:
    let device = NvidiaRequire.DeviceFacts(cuda: "13.0", driver: "580.159.04", arch: "9.0", brand: "Unknown", label: nil)
    _ = NvidiaRequire.evaluate(environment: ["NVIDIA_REQUIRE_CUDA": text, "CUDA_VERSION": text], devices: [device])
  case .osRelease: ProbeParsers.osRelease(text)
  case .procVersion: ProbeParsers.procVersion(text)
  case .nvrmVersion: ProbeParsers.nvrmVersion(text)
  case .meminfo: ProbeParsers.meminfo(text)
  case .mounts: ProbeParsers.mounts(text)
  case .cgroupCPU: ProbeParsers.cgroupCPU(text)
  case .nvidiaSMI: ProbeParsers.nvidiaSMIXML(text)
  case .cdiYAML: ProbeParsers.cdiSpec(text)
  case .pythonVersion:
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    if parts.count == 2 { _ = PythonVersion(parts[0]) < PythonVersion(parts[1]) } else { _ = PythonVersion(text).isValid }
  case .numericVersion:
    if let version = NumericVersion(text) {
      _ = DriverCompatibility.evaluate(driver: text, cuda: text)
      _ = CUDADriverTable.cudaVersion(forDriver: version)
    }
  case .torchArch:
    let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
    _ = TorchArchitectures.verdict(archList: (parts.first ?? "").split(separator: " ").map(String.init), capability: parts.count > 1 ? parts[1] : "9.0")
  case .daemonJSON: _ = try? JSONTree.parse(text)
  case .imageInspect: _ = InspectorParsers.imageInspect(text)
  case .nodeHealth: ProbeParsers.nodeHealth(text)
  case .ociDocuments:
    // Index, manifest and config as an image at rest hands them over: decode or throw, and a
    // decoded index goes through the platform choice.
    if let index = try? OCIDocument.decode(OCIIndex.self, from: bytes, what: "fuzz index.json") {
      _ = try? PlatformSelection.select(index.manifests, for: ImagePlatform(os: "linux", architecture: "arm64", variant: "v8"), in: "fuzz")
    }
    _ = try? OCIDocument.decode(OCIManifest.self, from: bytes, what: "fuzz manifest")
    _ = try? OCIDocument.decode(OCIImageConfig.self, from: bytes, what: "fuzz config")
    _ = try? ImageSourceReference(parsing: text)
  }
  return 0
}
