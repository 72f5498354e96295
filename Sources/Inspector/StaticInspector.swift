import Fingerprint
import ImageSources

/// Inspects an image **at rest** — an OCI layout or archive, `docker save` output, a registry,
/// the engine's storage, an Enroot squashfs, a SIF, an unpacked root (``ImageSourceReference``)
/// — without starting a container: the facts the checks print in a running container, read
/// from the image's files (``StaticFactCollector``) and built by the same ``ImageFactsBuilder``.
///
/// Facts that only a running process knows (the libraries an import really loads, whether CUDA
/// is available, torch's C++ ABI flag, `nvcc --version`, torch's arch list without the fatbin
/// scanner) are absent; ``ImageFacts/notes`` lists each with the reason "static inspection".
public struct StaticInspector: Sendable {
  /// The runtime recorded in ``ImageFacts/runtime`` for static inspections.
  public static let runtimeName = "static"

  public var options: ImageSourceOptions
  /// The fatbin scanner, when one is installed.
  public var architectures: (any CUDAArchitectureScanning)?

  public init(options: ImageSourceOptions = ImageSourceOptions(), architectures: (any CUDAArchitectureScanning)? = FatbinArchitectures()) {
    self.options = options
    self.architectures = architectures
  }

  /// Opens `reference` (skopeo's transport names, a `.sqsh`/`.sif` path, or an engine image)
  /// at rest, inspects it and closes it.
  public func inspect(_ reference: String, engine: String? = nil) async throws(ImageSourceError) -> ImageFacts {
    let parsed = try ImageSourceReference(parsing: reference, engine: engine)
    let image = try await ImageSourceOpener.open(parsed, options: options)
    defer { image.close() }
    return inspect(image, reference: reference)
  }

  /// Inspects an image already opened.
  public func inspect(_ image: ImageAtRest, reference: String) -> ImageFacts {
    let config = image.config
    var environment: [String: String] = [:]
    for entry in config.environment {
      guard let equals = entry.firstIndex(of: "=") else { continue }
      environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
    }
    var collector = StaticFactCollector(root: image.root, environment: environment, configArchitecture: config.architecture, architectures: architectures)
    collector.collect()
    let source = "static \(image.source)"
    var facts = ImageFactsBuilder.build(
      reference: reference, runtime: Self.runtimeName, config: Self.imageConfig(config, source: image.source), parsed: collector.parsed, scriptSource: source)
    facts.os = Self.restated(facts.os, source: collector.provenance["os"].map { "\(source): \($0)" } ?? source)
    facts.libc = Self.restated(facts.libc, source: collector.provenance["libc"].map { "\(source): \($0)" } ?? source)
    if let interpreter = collector.python {
      let versionSource = interpreter.versionSource.map { ", version from \($0)" } ?? ""
      facts.python = Self.restated(
        facts.python, source: "\(source): \(interpreter.realExecutable), sys.path \(interpreter.path.joined(separator: ":")) read from files\(versionSource)")
    } else {
      facts.python = Self.restated(facts.python, source: source)
    }
    facts.frameworks = facts.frameworks.map { framework in
      var restated = framework
      restated.info = Self.restated(framework.info, source: collector.provenance["framework.\(framework.name)"].map { "\(source): \($0)" } ?? source)
      return restated
    }
    facts.notes = facts.notes + collector.notes
    // Every CUDA library's own GPU code, for the per-library compute-capability verdict.
    Inspector.addCUDABinaries(to: &facts, from: image.root)
    return facts
  }

  /// The same value or reason, with a source that says it was read at rest.
  static func restated<Value>(_ observed: Observed<Value>, source: String) -> Observed<Value> {
    Observed(status: observed.status, value: observed.value, source: source, reason: observed.reason)
  }

  /// The image configuration through the same allowlist and credential masking as a running
  /// inspection's `docker image inspect`; absent for an unpacked root (`dir:`), which has none.
  static func imageConfig(_ config: RestingImageConfig, source: String) -> Observed<ImageConfig> {
    if config.id == nil && config.environment.isEmpty && config.labels.isEmpty && config.architecture == nil {
      return .absent("\(source) has no image configuration (no id, environment or labels): an unpacked root filesystem", source: "static \(source)")
    }
    let labels = config.labels.mapValues { ImageEnvironment.maskCredentials($0) }
    return .present(
      ImageConfig(
        id: config.id ?? "unknown", digests: config.digests.sorted(), labels: labels, environment: ImageEnvironment.filter(config.environment),
        architecture: config.architecture, os: config.os),
      from: "static \(source): image configuration")
  }
}
