import ArgumentParser
import Fingerprint
import Probes


/// `rigcheck fingerprint`: capture the host's fingerprint.
struct FingerprintCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fingerprint",
    abstract: "Capture a canonical, versioned fingerprint of this host.",
    discussion: """
      Reads the kernel, OS, libc, CPU, memory, /dev/shm and cgroup limits; GPU-class PCI devices through libpci; the NVIDIA kernel module, loaded modules, /dev/nvidia* and NVML (loaded with dlopen when present); the NVIDIA Container Toolkit, Docker's daemon.json and CDI specs; and Docker and Podman (installed? daemon reachable? why not?). Every value records its source; missing values say whether they are absent or unreadable, and why.

      The identity part is hashed (--hash); machine-unique ids (hostname, GPU UUIDs) and volatile readings (time, free memory and disk, temperatures) are kept apart so they never count as drift.

      With --root DIR, a captured host tree is read instead of /; commands are not run against it (they would describe this machine) and NVML answers come from DIR/captured/nvidia-smi-q.xml when present.

      Examples:
        rigcheck fingerprint                      summary on a terminal
        rigcheck fingerprint --json -o host.json  JSON to stdout and to a file
        rigcheck fingerprint --hash               the identity digest only
        rigcheck fingerprint --redact --json      safe to paste into an issue
        rigcheck fingerprint --root /mnt/capture  a captured host tree instead of /
        rigcheck fingerprint --image my/train:v3 -o lock.json   the host plus an image
        rigcheck fingerprint --image oci-archive:train.tar --image train.sif   images at rest, never started
        rigcheck fingerprint --static --image my/train:v3       read from the engine's storage, not run

      --image accepts images at rest, read from their files without starting a container: --static (local engine images), or a reference with a transport (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], docker://HOST/REPO:TAG, dir:ROOTFS) or a path ending .sqsh/.squashfs/.sif; --platform os/arch[/variant] picks one platform of a multi-architecture image.

      Exit codes: 0 written; 1 an image could not be inspected or the output could not be written; 2 usage error (malformed image reference included).
      """
  )

  @OptionGroup var probe: ProbeOptions

  @Option(name: .long, help: ArgumentHelp("Also inspect this image and add it to the fingerprint (repeatable).", valueName: "image"))
  var image: [String] = []

  @OptionGroup var inspection: InspectionOptions

  @Flag(name: .long, help: "Print the fingerprint as canonical JSON.")
  var json = false

  @Option(name: .shortAndLong, help: ArgumentHelp("Also write the JSON fingerprint to this file (atomically).", valueName: "file"))
  var output: String?

  @Flag(name: .long, help: "Print only the identity hash (sha256 of the identity part).")
  var hash = false

  @Flag(
    name: .long,
    help: "Replace the hostname, GPU UUIDs and serials, user names, /run/user ids, tokens and credentials with stable placeholders, in every string.")
  var redact = false

  func validate() throws {
    try inspection.check()
  }

  func run() async throws {
    let probe = self.probe
    var fingerprint = await Terminal.withProgress("probing the host…") { await probe.fingerprint() }
    fingerprint.identity.images = try await inspection.inspectAll(image)
    if redact { fingerprint = try Redaction.redact(fingerprint) }
    let identityHash = try fingerprint.identityHash()
    let encoded = try CanonicalJSON.encode(fingerprint)

    if let output {
      do {
        try AtomicFile.write(encoded, to: output)
      } catch {
        FileHandleOutput.standardError("rigcheck: \(error)\n")
        throw ExitCode.failure
      }
    }
    if hash {
      FileHandleOutput.standardOutput(identityHash + "\n")
    } else if json {
      FileHandleOutput.standardOutput(String(decoding: encoded, as: UTF8.self))
    } else {
      FileHandleOutput.standardOutput(FingerprintSummary.render(fingerprint, hash: identityHash))
      if let output { FileHandleOutput.standardOutput("wrote \(output)\n") }
    }
  }
}
