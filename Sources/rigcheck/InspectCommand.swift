import ArgumentParser
import Fingerprint
import Inspector
import SBOM

/// `rigcheck inspect IMAGE`: what an image really contains.
struct InspectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Report the CUDA, cuDNN, NCCL, Python, PyTorch and packages an image really contains.",
    discussion: """
      Runs the checks (POSIX sh, built into rigcheck) inside the image in one container start: --rm, --network none, --pull never, no extra privileges, the entrypoint replaced, a wall-clock timeout and an output cap. The container is named rigcheck-<pid>-<n>-<random>, created, then started; it is removed on success, timeout, error, Ctrl-C, SIGTERM and SIGHUP, and rigcheck waits until the engine confirms it is gone. Missing tools (no python, no CUDA) are reported as absent, not as failures.

      Exit codes: 0 inspected; 1 the image could not be inspected (not present locally, no runtime, timeout, hostile output); 2 usage error; 130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (after removing the container).

      Examples:
        rigcheck inspect pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime
        rigcheck inspect my-image --json -o image.json
        rigcheck inspect --runtime host          the same checks on this machine
        rigcheck inspect my-image --gpus         also ask the framework whether it sees the GPUs
        rigcheck inspect my-image --format cyclonedx -o sbom.cdx.json   a CycloneDX 1.6 SBOM
      """
  )

  @Argument(help: ArgumentHelp("The image to inspect (must be present locally). Omit with --runtime host.", valueName: "image"))
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
    try inspection.check()
  }

  func run() async throws {
    Interruption.installHandlers()
    let request = inspection.request(reference: image ?? "host")
    let facts: ImageFacts
    do {
      facts = try await Terminal.withProgress("inspecting \(request.reference)…") { () async -> Result<ImageFacts, InspectionError> in
        do throws(InspectionError) { return .success(try await Inspector().inspect(request)) } catch { return .failure(error) }
      }.get()
      await Interruption.waitIfInterrupted()
    } catch {
      await Interruption.waitIfInterrupted()
      FileHandleOutput.standardError("rigcheck: \(error)\n")
      throw ExitCode(error.kind == .invalidReference ? ExitStatus.usage : ExitStatus.failure)
    }
    let encoded: Data
    do {
      encoded = chosenFormat == .cyclonedx ? Data(try CycloneDXBuilder.json(for: facts, toolVersion: Rigcheck.version)) : try CanonicalJSON.encode(facts)
    } catch {
      FileHandleOutput.standardError("rigcheck: cannot encode the inspection of \(request.reference): \(error)\n")
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

/// Options shared by `inspect`, `fingerprint --image` and `doctor --image`.
struct InspectionOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("docker, podman or host (default: Docker if it has the image, else Podman).", valueName: "runtime"))
  var runtime: String?

  @Option(name: .customLong("image-timeout"), help: ArgumentHelp("Seconds the inspection container may run.", valueName: "seconds"))
  var imageTimeout: Double = 120

  @Flag(name: .long, help: "Pass the host's GPUs into the container (Docker --gpus all; Podman CDI nvidia.com/gpu=all).")
  var gpus = false

  func check() throws {
    if let runtime, InspectionRuntime(rawValue: runtime) == nil {
      throw ValidationError("--runtime \(runtime): expected docker, podman or host")
    }
    guard imageTimeout > 0, imageTimeout <= 3600 else {
      throw ValidationError("--image-timeout must be between 0 and 3600 seconds, got \(imageTimeout)")
    }
  }

  func request(reference: String) -> InspectionRequest {
    InspectionRequest(reference: reference, runtime: runtime.flatMap(InspectionRuntime.init(rawValue:)), timeoutSeconds: imageTimeout, gpus: gpus)
  }

  /// Inspects each image in turn; the first failure ends the command with its message.
  func inspectAll(_ references: [String]) async throws -> [ImageFacts] {
    guard !references.isEmpty else { return [] }
    Interruption.installHandlers()
    var results: [ImageFacts] = []
    for reference in references {
      do {
        results.append(try await Inspector().inspect(request(reference: reference)))
        await Interruption.waitIfInterrupted()
      } catch {
        await Interruption.waitIfInterrupted()
        FileHandleOutput.standardError("rigcheck: \(error)\n")
        throw ExitCode(error.kind == .invalidReference ? ExitStatus.usage : ExitStatus.failure)
      }
    }
    return results.sorted { $0.reference < $1.reference }
  }
}
