import Fingerprint
import Foundation
import Probes

/// Fingerprints of test hosts, probed for real through ``HostProber``.
public enum HostFingerprints {
  /// Probes `root` with an optional replaying runner and NVML source.
  public static func probe(_ root: HostRoot, runner: (any CommandRunner)? = nil, nvml: (any NVMLSource)? = nil) async -> Fingerprint {
    let context = ProbeContext(
      root: root, runner: runner, runsCommands: runner != nil, nvml: nvml ?? DefaultNVMLSource(root: root), environment: [:])
    return await HostProber(context: context, toolVersion: "test").fingerprint()
  }

  /// A replaying runner answering `docker info --format {{json .}}` with the real captured
  /// output of a daemon without the nvidia runtime, edited by `edit` (a JSON object).
  public static func dockerInfoRunner(edit: (inout [String: Any]) -> Void = { _ in }) throws -> ReplayRunner {
    let path = FixtureHost.hostsDirectory + "/docker-no-nvidia-runtime/overlay/captured/commands/docker-info.json"
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard var info = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError(description: "\(path) is not a JSON object")
    }
    edit(&info)
    let edited = String(decoding: try JSONSerialization.data(withJSONObject: info), as: UTF8.self)
    return ReplayRunner(["docker info --format {{json .}}": .output(edited)])
  }

  /// Edits a file of a materialized tree in place.
  public static func edit(_ tree: TemporaryTree, _ relative: String, _ transform: (String) -> String) throws {
    let path = tree.rootPath + "/" + relative
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try transform(text).write(toFile: path, atomically: false, encoding: .utf8)
  }
}

extension FixtureHost {
  /// The real capture, copied into a temporary tree that tests may edit.
  public static func copyOfCapture() throws -> TemporaryTree {
    let tree = try TemporaryTree(prefix: "rigcheck-capture")
    try FileManager.default.copyItem(atPath: h200Path, toPath: tree.rootPath)
    try makeWritable(tree.rootPath)
    return tree
  }
}

extension HostFingerprints {
  /// Probes this machine for real (its /proc, /sys, PCI bus, Docker daemon), with extra
  /// environment variables such as `DOCKER_HOST`.
  public static func probeLive(environment: [String: String] = [:]) async -> Fingerprint {
    let merged = ProcessEnvironment.current().merging(environment) { _, new in new }
    let context = ProbeContext(root: HostRoot(), runner: ProcessCommandRunner(baseEnvironment: merged), environment: merged)
    return await HostProber(context: context, toolVersion: "test").fingerprint()
  }
}
