import Foundation
import TestSupport
import Testing

/// scripts/capture-host.sh run on this machine (no GPU, no nvidia-smi, no Fabric Manager, no
/// MOFED): its tarball, unpacked, reads through `rigcheck fingerprint --root` and
/// `rigcheck doctor --root` like the machine itself, with what it skipped recorded and the
/// hostname, GPU UUIDs and secrets redacted.
@Suite(.serialized) struct CaptureScriptTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/capture-host.sh").path

  /// Runs the script into `tree` with a `hostname` stand-in (this machine's own name is too
  /// short to redact as a word) and NCCL settings carrying a host name, a GPU UUID and a secret.
  func capture(in tree: TemporaryTree) throws -> (directory: String, output: Binary.Result) {
    let shims = tree.path + "/shims"
    try FileManager.default.createDirectory(atPath: shims, withIntermediateDirectories: true)
    let hostname = shims + "/hostname"
    try "#!/bin/sh\ncase \"$1\" in -s) echo node-a17 ;; *) echo node-a17.cluster.example ;; esac\n".write(toFile: hostname, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hostname)
    let environment = [
      "PATH": shims + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "TMPDIR": tree.path,
      "NCCL_COMM_ID": "node-a17.cluster.example:5000", "NVIDIA_VISIBLE_DEVICES": "GPU-8c1f2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
      "NCCL_COLLNET_KEY": "s3cr3t-value", "NCCL_SOCKET_IFNAME": "eth0",
    ]
    let output = try Binary.runTool("/bin/bash", [Self.script, "-o", tree.path + "/node.tar.gz"], environment: environment)
    let untar = try Binary.runTool("/bin/tar", ["xzf", tree.path + "/node.tar.gz", "-C", tree.path])
    try #require(untar.status == 0, "\(untar.stderr)")
    return (tree.path + "/node", output)
  }

  /// A JSON value with sorted keys, to compare two documents' members.
  func canonical(_ value: Any?) throws -> String? {
    guard let value else { return nil }
    return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
  }

  @Test func roundTripsThroughFingerprintAndDoctor() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-capture-script")
    let (directory, output) = try capture(in: tree)
    #expect(output.status == 0, "\(output.stdout)\(output.stderr)")

    // Commands this machine lacks are skipped, and said so.
    let skipped = try String(contentsOfFile: directory + "/captured/SKIPPED.txt", encoding: .utf8)
    #expect(skipped.contains("nvidia-smi -q -x: nvidia-smi is not installed"))
    #expect(skipped.contains("nvidia-smi nvlink -s: nvidia-smi is not installed"))
    #expect(skipped.contains("ofed_info -s: ofed_info is not installed"))
    #expect(!FileManager.default.fileExists(atPath: directory + "/captured/nvidia-smi-q.xml"))

    let captured = try Binary.run(["fingerprint", "--root", directory, "--json"])
    #expect(captured.status == 0, "\(captured.stderr)")
    let live = try Binary.run(["fingerprint", "--json"])
    try #require(live.status == 0, "\(live.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(captured.stdout.utf8)) as? [String: Any])
    let machine = try #require(try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any])
    let treeHost = try #require((document["identity"] as? [String: Any])?["host"] as? [String: Any])
    let liveHost = try #require((machine["identity"] as? [String: Any])?["host"] as? [String: Any])
    // The facts files carry read alike from the capture and from the machine.
    for key in ["kernel", "os", "libc", "cpu", "memory", "cgroup", "pci"] {
      let fromTree = try canonical((treeHost[key] as? [String: Any])?["value"])
      #expect(fromTree != nil, "\(key) missing from the capture: \(treeHost[key] ?? "nil")")
      #expect(fromTree == (try canonical((liveHost[key] as? [String: Any])?["value"])), "\(key)")
    }
    let treeFabric = try #require(treeHost["nodeFabric"] as? [String: Any])
    let liveFabric = try #require(liveHost["nodeFabric"] as? [String: Any])
    for key in ["nvswitches", "topology"] {
      #expect(try canonical((treeFabric[key] as? [String: Any])?["value"]) == canonical((liveFabric[key] as? [String: Any])?["value"]), "\(key)")
    }
    // The kernel log travels as captured/dmesg.txt.
    let health = try #require((document["volatile"] as? [String: Any])?["nodeHealth"] as? [String: Any])
    let kernelLog = try #require(health["kernelLog"] as? [String: Any])
    #expect(kernelLog["status"] as? String == "present")
    #expect((kernelLog["source"] as? String)?.hasPrefix("file:/captured/dmesg.txt") == true)

    let doctor = try Binary.run(["doctor", "--root", directory])
    #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
    #expect(doctor.stdout.contains("[✓] node.xid"))
    #expect(doctor.stdout.contains("not applicable: no NVSwitch on the PCI bus"))
  }

  @Test func hostnameUUIDsAndSecretsAreRedacted() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-capture-script")
    let (directory, output) = try capture(in: tree)
    #expect(output.status == 0, "\(output.stderr)")
    let environment = try String(contentsOfFile: directory + "/captured/environment.txt", encoding: .utf8)
    #expect(
      environment == """
        NCCL_COLLNET_KEY=REDACTED-TOKEN
        NCCL_COMM_ID=REDACTED-HOST:5000
        NCCL_SOCKET_IFNAME=eth0
        NVIDIA_VISIBLE_DEVICES=GPU-00000000-0000-4000-8000-000000000001

        """)
    #expect(try String(contentsOfFile: directory + "/etc/hostname", encoding: .utf8) == "REDACTED-HOST\n")
    let grep = try Binary.runTool("/bin/grep", ["-rlE", "node-a17|s3cr3t-value|8c1f2d3e-4a5b", directory])
    #expect(grep.status == 1, "found in: \(grep.stdout)")

    // What rigcheck makes of it: the redacted settings, in the identity.
    let fingerprint = try Binary.run(["fingerprint", "--root", directory, "--json"])
    #expect(fingerprint.stdout.contains(#""NCCL_COMM_ID" : "REDACTED-HOST:5000""#) || fingerprint.stdout.contains(#""NCCL_COMM_ID":"REDACTED-HOST:5000""#))
  }

  @Test func badArgumentsExitTwo() throws {
    let result = try Binary.runTool("/bin/bash", [Self.script, "--bogus"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown argument: --bogus"))
  }
}
