import ArgumentParser
import Doctor
import Fingerprint
import Inspector
import Reporting

/// `rigcheck doctor`: verify a machine before training.
struct DoctorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Verify this machine for GPU training: ✓ ok, ! warning, ✗ error — each with a fix.",
    discussion: """
      Probes the host (kernel, PCI bus, NVIDIA driver and NVML, container toolkit, Docker) and turns the facts into findings: what was found, why it matters for ML work, and the exact command that fixes it. Every finding has a stable id (rigcheck doctor --list-checks).

      --image accepts images at rest too, read from their files without starting a container: --static (local engine images), or a reference with a transport (oci:, oci-archive:, docker-archive:, docker://, dir:) or ending .sqsh/.squashfs/.sif; --platform picks one platform of a multi-architecture image.

      Exit codes: 0 no errors (warnings allowed); 1 at least one error, or a warning with --strict, or an image that could not be read; 2 usage error (malformed image reference included).

      Examples:
        rigcheck doctor                          report on this machine
        rigcheck doctor --cuda 12.4              can this driver run CUDA 12.4?
        rigcheck doctor --image my/train:v3      and this image, on this host?
        rigcheck doctor --image my/train:v3 --gpus   prove a container sees the GPU
        rigcheck doctor --image oci:build/layout:v3  an image at rest (OCI layout), never started
        rigcheck doctor --static --image my/train:v3 --platform linux/arm64   read from the engine's storage
        rigcheck doctor -v                       show the evidence behind each finding
        rigcheck doctor --format junit > doctor.xml
        rigcheck doctor --format prometheus > /var/lib/node_exporter/textfile_collector/rigcheck.prom
      """
  )

  @OptionGroup var probe: ProbeOptions

  @Option(name: .long, help: ArgumentHelp("Check that the driver supports this CUDA version (e.g. 12.4).", valueName: "version"))
  var cuda: String?

  @Option(name: .long, help: ArgumentHelp("Output format: text, json, markdown, junit or prometheus.", valueName: "format"))
  var format: String = "text"

  @Flag(name: .long, help: "Count warnings as failures (exit 1).")
  var strict = false

  @Flag(name: .shortAndLong, help: "Show the evidence (facts and their sources) behind every finding.")
  var verbose = false

  @Flag(name: .long, help: "List every check with its id and exit.")
  var listChecks = false

  @Option(name: .long, help: ArgumentHelp("Also inspect this image and check it against this host (repeatable).", valueName: "image"))
  var image: [String] = []

  @OptionGroup var inspection: InspectionOptions

  func validate() throws {
    try inspection.check()
    if inspection.gpus && image.isEmpty {
      throw ValidationError("--gpus needs an --image to start with the host's GPUs")
    }
    if inspection.gpus, let first = image.first, inspection.readsAtRest(first) {
      throw ValidationError("--gpus starts \(first) with the host's GPUs: name an engine image, not one read at rest")
    }
    guard ReportFormat(rawValue: format) != nil else {
      throw ValidationError("--format \(format): expected one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    if let cuda, cuda.split(separator: ".").count < 2 || !cuda.allSatisfy({ $0.isNumber || $0 == "." }) {
      throw ValidationError("--cuda \(cuda): expected a CUDA version such as 12.4 or 13.0.2")
    }
  }

  func run() async throws {
    if listChecks {
      let width = DoctorCatalog.all.map(\.id.count).max() ?? 0
      for check in DoctorCatalog.all {
        FileHandleOutput.standardOutput(check.id + String(repeating: " ", count: width - check.id.count + 2) + check.summary + "\n")
      }
      return
    }
    let reportFormat = ReportFormat(rawValue: format) ?? .text
    let probe = self.probe
    var fingerprint = await Terminal.withProgress("probing the host (PCI, driver, NVML, Docker)…") { await probe.fingerprint() }
    var plain = inspection
    plain.gpus = false
    fingerprint.identity.images = try await plain.inspectAll(image)
    var gpuRun: GPURunOutcome?
    if inspection.gpus, let first = image.first {
      let request = inspection.request(reference: first)
      let outcome = await Terminal.withProgress("starting \(first) with the host's GPUs…") { () async -> Result<ImageFacts, InspectionError> in
        do throws(InspectionError) { return .success(try await Inspector().inspect(request)) } catch { return .failure(error) }
      }
      switch outcome {
      case .success(let facts):
        gpuRun = GPURunOutcome(image: first, error: nil, torchSeesGPU: facts.framework("torch")?.info.value?.cudaAvailable)
      case .failure(let error):
        gpuRun = GPURunOutcome(image: first, error: error.message, torchSeesGPU: nil)
      }
    }
    var report = Doctor.report(for: fingerprint, options: DoctorOptions(cuda: cuda, strict: strict, gpuRun: gpuRun))
    report.identityHash = try? fingerprint.identityHash()
    let color = ColorPolicy.automatic(isTerminal: Terminal.isTerminal(1), environment: Terminal.environment())
    let timestamp = Int(Date().timeIntervalSince1970)
    FileHandleOutput.standardOutput(ReportRenderer.render(report, format: reportFormat, color: color, verbose: verbose, timestamp: timestamp))
    if report.failed { throw ExitCode(ExitStatus.failure) }
  }
}
