import ArgumentParser
import Compare
import Fingerprint
import ImageSources
import Inspector

/// `rigcheck lock`: write the current fingerprint as a lock file meant to be committed.
struct LockCommand: AsyncParsableCommand {
  static let defaultPath = "rigcheck.lock"

  static let configuration = CommandConfiguration(
    commandName: "lock",
    abstract: "Write this machine's fingerprint (and images') as a lock file to commit.",
    discussion: """
      The lock file (rigcheck.lock by default) is the canonical JSON fingerprint, redacted (no hostname, GPU UUIDs or serials, user names, tokens or credentials, anywhere in it), written atomically. Commit it; `rigcheck verify` in CI captures the environment again and fails on drift that matters.

      Images may be read at rest, without starting them: --static (local engine images), or any reference with a transport (oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, docker://HOST/REPO:TAG, dir:ROOTFS) or ending .sqsh/.squashfs/.sif. The lock records how each image was read; verify reads it the same way.

      Exit codes: 0 written; 1 an image could not be inspected or the file could not be written; 2 usage error (malformed image reference, bad option).

      Examples:
        rigcheck lock --image registry.example.com/train:v3
        rigcheck lock -o env/cluster.lock
        rigcheck lock --image oci:build/layout:v3 --image train.sqsh
        rigcheck lock --static --image my/train:v3 --platform linux/arm64
      """
  )

  @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the lock file.", valueName: "file"))
  var output: String = LockCommand.defaultPath

  @Option(name: .long, help: ArgumentHelp("An image to inspect and lock too (repeatable).", valueName: "image"))
  var image: [String] = []

  @OptionGroup var probe: ProbeOptions
  @OptionGroup var inspection: InspectionOptions

  func validate() throws { try inspection.check() }

  func run() async throws {
    let probe = self.probe
    var fingerprint = await Terminal.withProgress("probing the host…") { await probe.fingerprint() }
    fingerprint.identity.images = try await inspection.inspectAll(image)
    fingerprint = try Redaction.redact(fingerprint)
    do {
      try AtomicFile.write(try CanonicalJSON.encode(fingerprint), to: output)
    } catch let error as OutputFileError {
      FileHandleOutput.standardError("rigcheck: \(error)\n")
      throw ExitCode(ExitStatus.failure)
    }
    FileHandleOutput.standardOutput("wrote \(output) (identity \(try fingerprint.identityHash()), \(fingerprint.identity.images.count) image\(fingerprint.identity.images.count == 1 ? "" : "s"))\n")
  }
}

/// `rigcheck verify`: capture now and compare with the lock file.
struct VerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Capture the environment again and compare it with the lock file.",
    discussion: """
      Reads the lock file, fingerprints this machine and re-inspects the images the lock names (those it recorded as read at rest are read at rest again, without a container), then compares lock (left) with now (right) under the policy. Exit codes: 0 equivalent (warnings only do not fail); 1 drift that matters (an error, or a warning with --strict); 2 usage or input error (missing or malformed lock, bad policy).

      Examples:
        rigcheck verify
        rigcheck verify --lock env/cluster.lock --format junit > verify.xml
      """
  )

  @Option(name: .long, help: ArgumentHelp("The lock file to verify against.", valueName: "file"))
  var lock: String = LockCommand.defaultPath

  @OptionGroup var options: ComparisonOptions
  @OptionGroup var probe: ProbeOptions
  @OptionGroup var inspection: InspectionOptions

  func validate() throws {
    try options.check()
    try inspection.check()
  }

  func run() async throws {
    let comparator = try options.comparator()
    let locked: ComparedSide
    do {
      locked = try ComparedSide.load(try InputFile.read(lock), name: lock)
    } catch let error as CompareInputError {
      throw InputFailure(message: error.description)
    }
    let references = locked.images.map(\.reference)
    // Images the lock recorded as read at rest are read at rest again (`--static IMAGE` too).
    let atRest = Set(locked.images.filter { $0.runtime == StaticInspector.runtimeName }.map(\.reference))
    let probe = self.probe
    var now = await Terminal.withProgress("probing the host…") { await probe.fingerprint() }
    now.identity.images = try await inspection.inspectAll(references, atRest: atRest)
    let current = try ComparedSide(name: "now", fingerprint: try Redaction.redact(now))
    try options.emit(comparator.compare(locked, current))
  }
}
