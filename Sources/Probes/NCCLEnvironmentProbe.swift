import Fingerprint

/// The NCCL/CUDA settings of the environment rigcheck runs in (``EnvironmentSettings``'s
/// allowlist, values through ``Redaction``'s environment rules). A job launched from the same
/// environment inherits them: `NCCL_IB_HCA`, `NCCL_SOCKET_IFNAME`, `NCCL_P2P_DISABLE`,
/// `CUDA_VISIBLE_DEVICES` silently change which devices and transports it uses.
///
/// Under a root that is not `/`, rigcheck's own environment describes the reader, not the tree:
/// the tree's `/captured/environment.txt` (`NAME=value` lines, written by
/// `scripts/capture-host.sh`) is read instead.
enum NCCLEnvironmentProbe {
  static let capturedPath = "/captured/environment.txt"

  static func probe(_ context: ProbeContext) -> Observed<EnvironmentSettings> {
    if context.root.isLive {
      return .present(EnvironmentSettings.allowlisted(context.environment), from: "environment (allowlisted NCCL_*, CUDA_*, NVIDIA_*)")
    }
    let text: String
    do {
      text = try context.root.read(capturedPath)
    } catch .notFound {
      return .absent(
        "not probed: rigcheck's own environment describes this machine, not the tree, and the tree has no \(capturedPath)",
        source: "file:\(capturedPath)")
    } catch {
      return .unreadable(error.description, source: "file:\(capturedPath)")
    }
    var environment: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return .present(EnvironmentSettings.allowlisted(environment), from: "file:\(capturedPath)")
  }
}
