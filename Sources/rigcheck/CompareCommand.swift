import ArgumentParser
import Compare
import Fingerprint
import ImageSources
import Probes
import Reporting

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Options shared by `compare` and `verify`.
struct ComparisonOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("A YAML policy whose rules come before the built-in ones.", valueName: "file"))
  var policy: String?

  @Option(name: .long, help: ArgumentHelp("Output format: text, json, markdown or junit.", valueName: "format"))
  var format: String = "text"

  @Flag(name: .long, help: "Count warnings as drift that matters (exit 1).")
  var strict = false

  @Flag(name: .shortAndLong, help: "List every difference and the evidence behind each verdict.")
  var verbose = false

  func check() throws {
    guard let format = ReportFormat(rawValue: format), format != .prometheus else {
      throw ValidationError("--format \(format): expected one of text, json, markdown, junit")
    }
  }

  func comparator() throws -> Comparator {
    var policy = Policy.mlDefault
    if let path = self.policy {
      do {
        policy = try PolicyFile.load(try InputFile.readText(path), name: path)
      } catch let error as CompareInputError {
        throw InputFailure(message: error.description)
      }
    }
    return Comparator(policy: policy, strict: strict)
  }

  /// Prints the comparison and exits 1 when the drift matters.
  func emit(_ comparison: Comparison) throws {
    let color = ColorPolicy.automatic(isTerminal: Terminal.isTerminal(1), environment: Terminal.environment())
    switch ReportFormat(rawValue: format) ?? .text {
    case .text: FileHandleOutput.standardOutput(ComparisonText.render(comparison, color: color, verbose: verbose))
    case .json: FileHandleOutput.standardOutput(String(decoding: try CanonicalJSON.encode(comparison), as: UTF8.self))
    case let other: FileHandleOutput.standardOutput(ReportRenderer.render(comparison.report, format: other, color: color, verbose: verbose))
    }
    if comparison.matters { throw ExitCode(ExitStatus.failure) }
  }
}

/// A bad input file: one line on stderr, exit 2.
struct InputFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

/// Reading input files with errors that name them.
enum InputFile {
  static let limit = 256 << 20

  static func read(_ path: String) throws -> Data {
    var info = stat()
    guard stat(path, &info) == 0 else { throw InputFailure(message: "\(path): \(String(cString: strerror(errno)))") }
    guard info.st_mode & S_IFMT == S_IFREG else { throw InputFailure(message: "\(path): not a regular file") }
    guard Int(info.st_size) <= limit else { throw InputFailure(message: "\(path): larger than \(limit >> 20) MiB, not a fingerprint") }
    do {
      return Data(try HostRoot().readBytes(path, limit: limit))
    } catch {
      throw InputFailure(message: error.description)
    }
  }

  static func readText(_ path: String) throws -> String {
    let data = try read(path)
    guard let text = String(validating: data, as: UTF8.self) else { throw InputFailure(message: "\(path): not UTF-8 text") }
    return text
  }
}

/// `rigcheck compare A.json B.json`.
struct CompareCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Show how two fingerprints differ and whether it matters.",
    discussion: """
      Diffs the identity parts of two fingerprints (rigcheck fingerprint -o, with --image for images) field by field under a policy, and judges compatibility wherever one side has an NVIDIA host and either side has images: the driver against the image's CUDA, each GPU's compute capability against torch's arch list, and the image's NVIDIA_REQUIRE_* as the container toolkit evaluates it (every alternative explained).

      Errors and warnings are listed with their path, both values and the policy's reason; informational differences are counted (-v lists them). By default any Python or conda package added, removed or changed is a warning (torch, nvidia-*, cuDNN, NCCL and CUDA packages errors), and a host driver on another branch an error (another patch level a warning); --policy rules come first.

      Either side may also be an image at rest — oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], docker://HOST/REPO:TAG, dir:ROOTFS, a .sqsh/.squashfs/.sif file — read from its files without starting it and compared as this host's fingerprint with that image (the two images are compared with each other as images[A ↔ B]).

      Exit codes: 0 equivalent under the policy (warnings only do not fail); 1 drift that matters (an error, or a warning with --strict), or an image at rest that could not be read; 2 usage or input error (missing file, bad JSON, bad policy, malformed image reference).

      Examples:
        rigcheck compare laptop.json cluster.json
        rigcheck compare old.json new.json --policy rigcheck-policy.yaml --format markdown >> $GITHUB_STEP_SUMMARY
        rigcheck compare a.json b.json --format junit > compare.xml
        rigcheck compare oci:build/layout:v2 oci:build/layout:v3   two images at rest, never started
      """
  )

  @Argument(help: ArgumentHelp("The baseline fingerprint (left), or an image at rest.", valueName: "left"))
  var left: String

  @Argument(help: ArgumentHelp("The fingerprint to compare with it (right), or an image at rest.", valueName: "right"))
  var right: String

  @OptionGroup var options: ComparisonOptions

  func validate() throws { try options.check() }

  func run() async throws {
    let comparator = try options.comparator()
    var host: Fingerprint?
    var sides: [ComparedSide] = []
    for argument in [left, right] {
      if ImageSourceReference.isAtRest(argument) {
        // An image at rest: this host's fingerprint (probed once) with that image, read statically.
        if host == nil {
          let probe = try ProbeOptions.parse([])
          host = await Terminal.withProgress("probing the host…") { await probe.fingerprint() }
        }
        var fingerprint = host!
        fingerprint.identity.images = [try await InspectionOptions.parse([]).inspect(argument, atRest: true)]
        sides.append(try ComparedSide(name: argument, fingerprint: try Redaction.redact(fingerprint)))
        continue
      }
      do {
        sides.append(try ComparedSide.load(try InputFile.read(argument), name: argument))
      } catch let error as CompareInputError {
        throw InputFailure(message: error.description)
      }
    }
    try options.emit(comparator.compare(sides[0], sides[1]))
  }
}
