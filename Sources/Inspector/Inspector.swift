import Fingerprint
import ImageSources
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Where the checks run.
public enum InspectionRuntime: String, Sendable, CaseIterable {
  case docker, podman, host
}

/// One inspection to perform.
public struct InspectionRequest: Sendable {
  /// The image reference (ignored for the host runtime).
  public var reference: String
  /// nil: Docker if it answers and has the image, else Podman.
  public var runtime: InspectionRuntime?
  /// Wall-clock limit for the container, seconds.
  public var timeoutSeconds: Double
  /// Pass the host's GPUs through (`--gpus all`, Podman: `--device nvidia.com/gpu=all`).
  public var gpus: Bool
  /// The most output accepted from the container.
  public var outputLimit: Int

  public init(reference: String, runtime: InspectionRuntime? = nil, timeoutSeconds: Double = 120, gpus: Bool = false, outputLimit: Int = 4 << 20) {
    self.reference = reference
    self.runtime = runtime
    self.timeoutSeconds = timeoutSeconds
    self.gpus = gpus
    self.outputLimit = outputLimit
  }
}

/// Runs the checks of `checks/` inside an image in one container start, and reads back
/// what the image really contains.
///
/// Containers are created (`create --rm`, named `rigcheck-<pid>-<n>-<random>`) with
/// `--network none`, `--pull never`, no extra privileges (`no-new-privileges`), the entrypoint
/// replaced by `/bin/sh`, then started attached (`start --attach`) under a wall-clock timeout
/// and an output cap; they are removed (and the removal confirmed) on success, timeout, error
/// and interruption. See ``ContainerJanitor``.
public struct Inspector: Sendable {
  public let environment: [String: String]
  let janitor: ContainerJanitor

  public init(environment: [String: String] = ProcessEnvironment.current(), janitor: ContainerJanitor = .shared) {
    self.environment = environment
    self.janitor = janitor
  }

  /// Inspects the image (or the host) and returns what it contains.
  public func inspect(_ request: InspectionRequest) async throws(InspectionError) -> ImageFacts {
    do {
      if request.runtime == .host { return try await inspectHost(request) }
      try Self.validate(reference: request.reference)
      let (engine, config, inspectOutput) = try await locate(request)
      return try await run(request, engine: engine, config: config, inspectOutput: inspectOutput)
    } catch {
      // Whatever failed after an interruption failed because of it (a killed `image inspect`
      // reads as "docker is not answering").
      throw ChildProcesses.shared.isInterrupted ? Self.interrupted(request) : error
    }
  }

  static func interrupted(_ request: InspectionRequest) -> InspectionError {
    InspectionError(.interrupted, "inspecting \(request.reference) was interrupted; its container was removed")
  }

  /// Image references as Docker accepts them; anything else is refused before any command runs.
  static func validate(reference: String) throws(InspectionError) {
    let allowed: (Unicode.Scalar) -> Bool = { scalar in
      ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "._-/:@".unicodeScalars.contains(scalar)
    }
    guard !reference.isEmpty, reference.count <= 512, !reference.hasPrefix("-"), reference.unicodeScalars.allSatisfy(allowed) else {
      let shown = InspectionParser.sanitize(Substring(reference.prefix(80)))
      throw InspectionError(.invalidReference, "'\(shown)' is not a valid image reference")
    }
  }

  private func runner(limit: Int = 1 << 20) -> ProcessCommandRunner {
    ProcessCommandRunner(baseEnvironment: environment, outputLimit: limit)
  }

  /// Finds an engine that has the image, and reads its configuration (and keeps `image
  /// inspect`'s output, which also names the image's layer directories).
  func locate(_ request: InspectionRequest) async throws(InspectionError) -> (String, ImageConfig, String) {
    let engines = request.runtime.map { [$0.rawValue] } ?? ["docker", "podman"]
    var problems: [String] = []
    for engine in engines {
      let command = Command(engine, ["image", "inspect", "--format", "{{json .}}", request.reference], timeoutSeconds: 30)
      let result: CommandResult
      do {
        result = try await runner().run(command)
      } catch let error as CommandError {
        if case .notFound = error { problems.append("\(engine) is not installed") } else { problems.append("\(engine): \(error)") }
        continue
      } catch {
        problems.append("\(engine): \(error)")
        continue
      }
      if result.succeeded, let config = Self.imageConfig(result.stdout) { return (engine, config, result.stdout) }
      let stderr = InspectionParser.sanitize(Substring(result.stderr.split(separator: "\n").first ?? ""))
      if stderr.lowercased().contains("no such image") || stderr.lowercased().contains("image not known") || stderr.contains("failed to find image") {
        problems.append("\(engine) has no image \(request.reference)")
      } else {
        problems.append("\(engine): \(stderr.isEmpty ? "image inspect failed" : stderr)")
      }
    }
    let missingEverywhere = problems.allSatisfy { $0.contains("has no image") || $0.contains("is not installed") } && problems.contains { $0.contains("has no image") }
    if missingEverywhere {
      throw InspectionError(.imageNotFound, "image \(request.reference) is not present locally (\(problems.joined(separator: "; "))); rigcheck never pulls: run docker pull \(request.reference) first")
    }
    throw InspectionError(.runtimeUnavailable, "cannot inspect \(request.reference): \(problems.joined(separator: "; "))")
  }

  /// Reads `docker image inspect --format '{{json .}}'` (Podman prints the same shape).
  static func imageConfig(_ text: String) -> ImageConfig? {
    struct Inspect: Decodable {
      struct Config: Decodable {
        var Env: [String]?
        var Labels: [String: String]?
      }
      var Id: String
      var RepoDigests: [String]?
      var Config: Config?
      var Architecture: String?
      var Os: String?
    }
    let trimmed = text.trimmed
    let data = Data((trimmed.hasPrefix("[") ? String(trimmed.dropFirst().dropLast()) : trimmed).utf8)
    guard let inspect = try? JSONDecoder().decode(Inspect.self, from: data) else { return nil }
    let labels = (inspect.Config?.Labels ?? [:]).mapValues { ImageEnvironment.maskCredentials($0) }
    return ImageConfig(
      id: inspect.Id, digests: (inspect.RepoDigests ?? []).sorted(), labels: labels,
      environment: ImageEnvironment.filter(inspect.Config?.Env ?? []), architecture: inspect.Architecture, os: inspect.Os)
  }

  func run(_ request: InspectionRequest, engine: String, config: ImageConfig, inspectOutput: String) async throws(InspectionError) -> ImageFacts {
    let name = janitor.newName()
    var arguments = [
      "create", "--rm", "--name", name, "--network", "none", "--pull", "never", "--security-opt", "no-new-privileges",
      "--label", "org.rigcheck.inspection=1", "--label", "org.rigcheck.pid=\(getpid())", "--entrypoint", "/bin/sh",
    ]
    if request.gpus { arguments += engine == "podman" ? ["--device", "nvidia.com/gpu=all"] : ["--gpus", "all"] }
    arguments += [request.reference, "-c", InspectionScript.build()]
    let deadline = ContinuousClock.now + .seconds(request.timeoutSeconds)

    // Named and registered before anything runs, removed (and the removal confirmed) on every
    // way out. `create` is left to finish by an interruption: until it answers, a removal
    // cannot know whether the engine is still creating the container.
    janitor.register(engine: engine, name: name, environment: environment)
    var createAnswered = false
    defer { janitor.remove(engine: engine, name: name, environment: environment, settle: !createAnswered) }
    let result: CommandResult
    do {
      let create = Command(engine, arguments, timeoutSeconds: min(request.timeoutSeconds, 120))
      let created = try await ProcessCommandRunner(baseEnvironment: environment, outputLimit: 1 << 20, onInterrupt: .finish).run(create)
      createAnswered = created.signal == nil
      guard created.succeeded else {
        let stderr = InspectionParser.sanitize(Substring(created.stderr.split(separator: "\n").first ?? "")).prefix(300)
        throw InspectionError(.containerFailed, "could not create a container of \(request.reference) with \(engine): \(stderr.isEmpty ? "exit status \(created.exitCode.map(String.init) ?? "signal")" : stderr)")
      }
      let remaining = max(Double((deadline - .now) / .milliseconds(1)) / 1000, 0.001)
      result = try await runner(limit: request.outputLimit).run(Command(engine, ["start", "--attach", name], timeoutSeconds: remaining))
    } catch let error as InspectionError {
      throw ChildProcesses.shared.isInterrupted ? Self.interrupted(request) : error
    } catch let error as CommandError {
      switch error {
      case .timedOut:
        throw InspectionError(.timedOut, "inspecting \(request.reference) did not finish within \(CommandError.format(request.timeoutSeconds)) s; the container was stopped and removed")
      case .outputTooLarge(_, let limit):
        throw InspectionError(.outputTooLarge, "\(request.reference) printed more than \(limit) bytes during inspection; the container was stopped and removed")
      case .notFound:
        throw InspectionError(.runtimeUnavailable, "\(engine) is not installed")
      case .launchFailed(_, let reason):
        throw InspectionError(.containerFailed, "could not start \(engine) to inspect \(request.reference): \(reason)")
      case .interrupted:
        throw Self.interrupted(request)
      }
    } catch {
      throw InspectionError(.containerFailed, "inspecting \(request.reference): \(error)")
    }
    let parsed = InspectionParser(result.stdout)
    let ran = parsed.facts.contains { $0.key == "check.end" }
    if !ran {
      let stderr = InspectionParser.sanitize(Substring(result.stderr.split(separator: "\n").first ?? "")).prefix(300)
      let hint = result.exitCode == 127 || result.exitCode == 126 || stderr.contains("/bin/sh")
        ? "the image has no usable /bin/sh (distroless or scratch images cannot run the checks)" : "exit status \(result.exitCode.map(String.init) ?? "signal")"
      throw InspectionError(.containerFailed, "the checks did not run in \(request.reference): \(hint)\(stderr.isEmpty ? "" : ": \(stderr)")")
    }
    let source = "\(engine) run \(request.reference)"
    var facts = ImageFactsBuilder.build(
      reference: request.reference, runtime: engine,
      config: .present(config, from: "command:\(engine) image inspect \(request.reference)"), parsed: parsed, scriptSource: source)
    // The GPU code of the image's CUDA libraries, read from the engine's layer directories in
    // place (headers only) where this process may read them.
    if let root = EngineStorageSource.inPlaceRoot(inspectOutput: inspectOutput, engine: engine, reference: request.reference) {
      Self.addCUDABinaries(to: &facts, from: root)
    } else {
      facts.notes.append("CUDA libraries' GPU code not read: \(engine)'s layer directories of \(request.reference) are not readable here (rigcheck inspect --static reads them from docker save instead)")
    }
    return facts
  }

  /// Runs the same checks directly on this machine (laptops, bare-metal nodes, CI runners).
  func inspectHost(_ request: InspectionRequest) async throws(InspectionError) -> ImageFacts {
    let command = Command("/bin/sh", ["-c", InspectionScript.build()], timeoutSeconds: request.timeoutSeconds)
    let result: CommandResult
    do {
      result = try await runner(limit: request.outputLimit).run(command)
    } catch {
      throw InspectionError(.containerFailed, "running the checks on this host failed: \(error)")
    }
    let parsed = InspectionParser(result.stdout)
    let environment = ImageEnvironment.filter(self.environment.map { "\($0.key)=\($0.value)" })
    let config = ImageConfig(id: "host", digests: [], labels: [:], environment: environment, architecture: nil, os: nil)
    var facts = ImageFactsBuilder.build(
      reference: "host", runtime: "host", config: .present(config, from: "environment of rigcheck"), parsed: parsed, scriptSource: "sh (host)")
    Self.addCUDABinaries(to: &facts, from: Self.hostRoot)
    return facts
  }
}
