import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// The DaemonSet in deploy/kubernetes: what it mounts, that its NVML search finds what the
/// fingerprint finds on each layout, and (when installed) kubernetes-validate's verdict.
@Suite struct DaemonSetTests {
  static let manifestPath = FixtureHost.fixturesDirectory + "/../../deploy/kubernetes/rigcheck-daemonset.yaml"

  static func manifest() throws -> String { try String(contentsOfFile: manifestPath, encoding: .utf8) }

  /// kubernetes-validate on PATH (scripts/setup.sh --tests installs it; scripts/test.sh puts it on PATH).
  static let kubernetesValidate: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map { "\($0)/kubernetes-validate" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  @Test func mountsTheNodesRootReadOnlyAndReadsItWithRoot() throws {
    let text = try Self.manifest()
    let lines = text.split(separator: "\n").map { $0.trimmed }
    let mount = try #require(lines.firstIndex(of: "- name: host-root"))
    #expect(Array(lines[mount + 1...mount + 3]) == ["mountPath: /host", "readOnly: true", "mountPropagation: HostToContainer"])
    let volume = try #require(lines.lastIndex(of: "- name: host-root"))
    #expect(Array(lines[volume + 1...volume + 3]) == ["hostPath:", "path: /", "type: Directory"])
    #expect(text.contains("set -- --root /host"))
    #expect(!text.contains("hostPID: true") && !text.contains("privileged: true"))
  }

  /// The script's search, run by /bin/sh against each derived tree standing for /host, picks
  /// the library the fingerprint reports (`platform.nvidiaLibraries`).
  @Test(arguments: ["rhel-lib64", "gpu-operator", "gh200-aarch64", "pod-view"])
  func scriptFindsTheLibraryTheFingerprintReports(_ name: String) async throws {
    let tree = try FixtureHost.materialize(name)
    let host = await HostFingerprints.probe(tree.root).identity.host
    let lines = try Self.manifest().split(separator: "\n").map { $0.trimmed }
    let start = try #require(lines.firstIndex(of: "nvml=\"\""))
    let end = try #require(lines.firstIndex { $0.hasPrefix("if [ -n \"$nvml\" ]") })
    let architecture = host.kernel.value?.architecture ?? "x86_64"
    let script = lines[start..<end].joined(separator: "\n")
      .replacing("/host", with: tree.rootPath).replacing("$(uname -m)", with: architecture) + "\nprintf '%s' \"$nvml\"\n"
    let result = try await ProcessCommandRunner().run(Command("/bin/sh", ["-c", script], timeoutSeconds: 30))
    try #require(result.succeeded, "\(result.stderr)")
    let expected = host.platform?.nvidiaLibraries.value.map { tree.rootPath + $0.nvml } ?? ""
    #expect(result.stdout == expected)
    if name != "pod-view" { #expect(!expected.isEmpty) }
  }

  @Test func kubernetesValidateAcceptsTheManifest() async throws {
    let tool = try #require(Self.kubernetesValidate, "kubernetes-validate is not on PATH: run the tests through scripts/test.sh")
    for version in ["1.29.0", "1.37.0"] {
      let result = try await ProcessCommandRunner().run(
        Command(tool, ["--strict", "-k", version, Self.manifestPath], timeoutSeconds: 120))
      #expect(result.succeeded, "\(version): \(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("passed for resource daemonset/rigcheck"))
    }
  }
}
