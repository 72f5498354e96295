/// Replaces machine-unique values with stable placeholders (`rigcheck fingerprint --redact`).
///
/// Placeholders depend only on position (GPUs are sorted by PCI address), so redacting the
/// same machine twice gives the same output, and the identity hash is unchanged: the
/// replaced values never count towards it. User names inside paths (`/home/alice/…`) are
/// replaced in the identity part too; that part of the hash does change.
public enum Redaction {
  public static let hostnamePlaceholder = "REDACTED-HOST"

  /// The fingerprint with hostname, GPU UUIDs and serials, and user names in paths replaced.
  public static func redact(_ fingerprint: Fingerprint) -> Fingerprint {
    var result = fingerprint
    if result.machine.hostname.status == .present {
      result.machine.hostname.value = hostnamePlaceholder
    }
    result.machine.gpus = result.machine.gpus.enumerated().map { index, gpu in
      GPUSerials(
        pciAddress: gpu.pciAddress,
        uuid: gpu.uuid.map { _ in "GPU-REDACTED-\(index)" },
        serial: gpu.serial.map { _ in "SERIAL-REDACTED-\(index)" })
    }
    result.generator.root = redactUserPaths(result.generator.root)
    for engine in [\HostFacts.docker, \HostFacts.podman] {
      if var server = result.identity.host[keyPath: engine].daemon.value?.server {
        server.rootDir = server.rootDir.map(redactUserPaths)
        result.identity.host[keyPath: engine].daemon.value?.server = server
      }
      if var cli = result.identity.host[keyPath: engine].cli.value {
        cli.path = redactUserPaths(cli.path)
        result.identity.host[keyPath: engine].cli.value = cli
      }
      if let endpoint = result.identity.host[keyPath: engine].daemon.value?.endpoint {
        result.identity.host[keyPath: engine].daemon.value?.endpoint = redactUserPaths(endpoint)
      }
    }
    return result
  }

  /// `/home/alice/x` → `/home/REDACTED-USER/x`; `/run/user/1000/x` → `/run/user/REDACTED-UID/x`.
  public static func redactUserPaths(_ text: String) -> String {
    var output = replaceComponent(after: "/home/", in: text, with: "REDACTED-USER")
    output = replaceComponent(after: "/Users/", in: output, with: "REDACTED-USER")
    output = replaceComponent(after: "/run/user/", in: output, with: "REDACTED-UID")
    return output
  }

  private static func replaceComponent(after prefix: String, in text: String, with placeholder: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let range = rest.firstRange(of: prefix) {
      result += rest[..<range.upperBound]
      rest = rest[range.upperBound...]
      let end = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == ":" }) ?? rest.endIndex
      if end != rest.startIndex { result += placeholder }
      rest = rest[end...]
    }
    return result + rest
  }
}
