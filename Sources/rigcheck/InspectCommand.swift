import ArgumentParser
import Fingerprint
import ImageSources
import Inspector
import SBOM

/// `rigcheck inspect IMAGE`: what an image really contains.
struct InspectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Report the CUDA, cuDNN, NCCL, Python, PyTorch and packages an image really contains.",
    discussion: """
      Runs the checks (POSIX sh, built into rigcheck) inside the image in one container start: --rm, --network none, --pull never, no extra privileges, the entrypoint replaced, a wall-clock timeout and an output cap. The container is named rigcheck-<pid>-<n>-<random>, created, then started; it is removed on success, timeout, error, Ctrl-C, SIGTERM and SIGHUP, and rigcheck waits until the engine confirms it is gone. Missing tools (no python, no CUDA) are reported as absent, not as failures.

      Images at rest are read from their files, never started (no engine needed except for --static): --static IMAGE (the local engine's storage), oci:DIR[:TAG] (OCI layout), oci-archive:FILE[:TAG], docker-archive:FILE[:REF] (docker save), docker://HOST/REPO:TAG (a registry), dir:ROOTFS (an unpacked root filesystem), a path ending .sqsh/.squashfs (Enroot) or .sif (Apptainer). --platform os/arch[/variant] picks one platform of a multi-architecture image (default: this machine's). The facts are those of a running inspection where they are in files; what only a running process knows (whether CUDA is available, the libraries an import loads, torch's C++ ABI, nvcc --version) is left out, and a note says "static inspection".

      Exit codes: 0 inspected; 1 the image could not be inspected (not present locally, no runtime, timeout, hostile output; at rest: missing or unreadable source, malformed or hostile archive, digest mismatch, no such platform, registry or tool failure); 2 usage error (a malformed reference included); 130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (after removing the container).

      Examples:
        rigcheck inspect pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime
        rigcheck inspect my-image --json -o image.json
        rigcheck inspect --runtime host          the same checks on this machine
        rigcheck inspect my-image --gpus         also ask the framework whether it sees the GPUs
        rigcheck inspect --static my-image       read from Docker's storage, no container
        rigcheck inspect oci:build/layout:v3     an OCI image layout
        rigcheck inspect docker://registry.example.com/train:v3 --platform linux/arm64
        rigcheck inspect /shared/images/train.sqsh
        rigcheck inspect dir:/tmp/rootfs         an unpacked root filesystem (docker export)
        rigcheck inspect my-image --format cyclonedx -o sbom.cdx.json   a CycloneDX 1.6 SBOM
      """
  )

  @Argument(help: ArgumentHelp("The image to inspect (present locally, or a reference at rest). Omit with --runtime host.", valueName: "image"))
  var image: String?

  @OptionGroup var inspection: InspectionOptions

  @Flag(name: .long, help: "Print the result as canonical JSON (the same as --format json).")
  var json = false

  @Option(name: .long, help: ArgumentHelp("text, json, or cyclonedx (a CycloneDX 1.6 JSON SBOM: OS, Python and conda packages with purls, CUDA libraries, the framework builds).", valueName: "format"))
  var format: InspectFormat?

  @Option(name: .shortAndLong, help: ArgumentHelp("Also write the JSON (the SBOM with --format cyclonedx) to this file (atomically).", valueName: "file"))
  var output: String?

  /// What `inspect` prints.
  enum InspectFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, cyclonedx
  }

  var chosenFormat: InspectFormat { format ?? (json ? .json : .text) }

  func validate() throws {
    if json, let format, format != .json {
      throw ValidationError("--json and --format \(format.rawValue) contradict each other")
    }
    if inspection.runtime != "host" && image == nil {
      throw ValidationError("an image is required (or use --runtime host)")
    }
    if inspection.runtime == "host", let image, inspection.readsAtRest(image) {
      throw ValidationError("--runtime host inspects this machine, not \(image)")
    }
    if inspection.platform != nil, let image, !inspection.readsAtRest(image) {
      throw ValidationError("--platform chooses an image at rest: add --static or name a source such as oci:DIR")
    }
    try inspection.check()
  }

  func run() async throws {
    Interruption.installHandlers()
    let facts = try await inspection.inspect(image ?? "host")
    let encoded: Data
    do {
      encoded = chosenFormat == .cyclonedx ? Data(try CycloneDXBuilder.json(for: facts, toolVersion: Rigcheck.version)) : try CanonicalJSON.encode(facts)
    } catch {
      FileHandleOutput.standardError("rigcheck: cannot encode the inspection of \(facts.reference): \(error)\n")
      throw ExitCode(ExitStatus.failure)
    }
    if let output {
      do {
        try AtomicFile.write(encoded, to: output)
      } catch {
        FileHandleOutput.standardError("rigcheck: \(error)\n")
        throw ExitCode(ExitStatus.failure)
      }
    }
    FileHandleOutput.standardOutput(chosenFormat == .text ? ImageSummary.render(facts) : String(decoding: encoded, as: UTF8.self))
  }
}

/// Options shared by `inspect`, `fingerprint --image`, `lock`, `verify` and `doctor --image`.
struct InspectionOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("docker, podman or host (default: Docker if it has the image, else Podman). With --static: the engine whose storage holds the image.", valueName: "runtime"))
  var runtime: String?

  @Option(name: .customLong("image-timeout"), help: ArgumentHelp("Seconds the inspection container may run (at rest: the limit for tools and registries).", valueName: "seconds"))
  var imageTimeout: Double = 120

  @Flag(name: .long, help: "Pass the host's GPUs into the container (Docker --gpus all; Podman CDI nvidia.com/gpu=all).")
  var gpus = false

  @Flag(name: .customLong("static"), help: "Read local engine images at rest, from their files: no container is started. References with a transport (oci:, oci-archive:, docker-archive:, docker://, dir:) or ending .sqsh/.squashfs/.sif are always read at rest.")
  var atRest = false

  @Option(name: .long, help: ArgumentHelp("The platform to read from a multi-architecture image at rest (default: this machine's).", valueName: "os/arch[/variant]"))
  var platform: String?

  func check() throws {
    if let runtime, InspectionRuntime(rawValue: runtime) == nil {
      throw ValidationError("--runtime \(runtime): expected docker, podman or host")
    }
    guard imageTimeout > 0, imageTimeout <= 3600 else {
      throw ValidationError("--image-timeout must be between 0 and 3600 seconds, got \(imageTimeout)")
    }
    if atRest && runtime == "host" { throw ValidationError("--static reads images at rest; --runtime host inspects this machine") }
    if atRest && gpus { throw ValidationError("--gpus starts a container; --static never does") }
    if let platform, ImagePlatform(parsing: platform) == nil {
      throw ValidationError("--platform \(platform): expected os/arch[/variant], e.g. linux/arm64")
    }
  }

  /// Whether `reference` is read at rest: `--static`, or a reference that names a source at rest.
  func readsAtRest(_ reference: String) -> Bool { atRest || ImageSourceReference.isAtRest(reference) }

  func request(reference: String) -> InspectionRequest {
    InspectionRequest(reference: reference, runtime: runtime.flatMap(InspectionRuntime.init(rawValue:)), timeoutSeconds: imageTimeout, gpus: gpus)
  }

  var staticInspector: StaticInspector {
    StaticInspector(
      options: ImageSourceOptions(platform: platform.flatMap(ImagePlatform.init(parsing:)), environment: Terminal.environment(), timeoutSeconds: imageTimeout))
  }

  /// Inspects one image, at rest or in a container; a failure ends the command with its
  /// message (exit 2 for a malformed reference, 1 otherwise).
  func inspect(_ reference: String, atRest: Bool? = nil) async throws -> ImageFacts {
    let outcome: Result<ImageFacts, any Error>
    if atRest ?? readsAtRest(reference) {
      let inspector = staticInspector
      let engine = runtime
      outcome = await Terminal.withProgress("reading \(reference) at rest…") { () async -> Result<ImageFacts, any Error> in
        do throws(ImageSourceError) { return .success(try await inspector.inspect(reference, engine: engine)) } catch { return .failure(error) }
      }
    } else {
      let request = request(reference: reference)
      outcome = await Terminal.withProgress("inspecting \(request.reference)…") { () async -> Result<ImageFacts, any Error> in
        do throws(InspectionError) { return .success(try await Inspector().inspect(request)) } catch { return .failure(error) }
      }
    }
    await Interruption.waitIfInterrupted()
    switch outcome {
    case .success(let facts):
      return facts
    case .failure(let error):
      FileHandleOutput.standardError("rigcheck: \(error)\n")
      throw ExitCode(Self.exitStatus(error))
    }
  }

  /// Usage (2) for a malformed reference, failure (1) for anything else.
  static func exitStatus(_ error: any Error) -> Int32 {
    if let error = error as? InspectionError { return error.kind == .invalidReference ? ExitStatus.usage : ExitStatus.failure }
    if let error = error as? ImageSourceError { return error.kind == .invalidReference ? ExitStatus.usage : ExitStatus.failure }
    return ExitStatus.failure
  }

  /// Inspects each image in turn (`atRest`: the references a lock file recorded as read at
  /// rest); the first failure ends the command with its message.
  func inspectAll(_ references: [String], atRest: Set<String> = []) async throws -> [ImageFacts] {
    guard !references.isEmpty else { return [] }
    Interruption.installHandlers()
    var results: [ImageFacts] = []
    for reference in references {
      results.append(try await inspect(reference, atRest: atRest.contains(reference) ? true : nil))
    }
    return results.sorted { $0.reference < $1.reference }
  }
}
