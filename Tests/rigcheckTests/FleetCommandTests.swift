import Fingerprint
import Foundation
import TestSupport
import Testing

/// The Slurm path end to end: rigcheck runs on the node through srun and sbatch of the real
/// one-node Slurm the test command starts, then `rigcheck fleet` reads what they wrote.
@Suite(.serialized) struct FleetCommandTests {
  static let scripts = URL(fileURLWithPath: FixtureHost.fixturesDirectory).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scripts/slurm").path

  @Test func srunFingerprintsEveryNode() throws {
    let out = try TemporaryTree(prefix: "rigcheck-srun")
    let result = try Binary.runTool(Self.scripts + "/fingerprint-nodes.sh", [out.path + "/fp"], environment: ["RIGCHECK": Binary.path])
    #expect(result.status == 0, "\(result.stderr)")
    let node = try Binary.runTool("/bin/hostname", ["-s"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let file = out.path + "/fp/\(node).json"
    let fingerprint = try Fingerprint.decode(Data(contentsOf: URL(fileURLWithPath: file)), name: file)
    #expect(fingerprint.identity.host.kernel.status == .present)
    #expect(fingerprint.machine.hostname.value == "REDACTED-HOST", "node fingerprints are redacted")
    let fleet = try Binary.run(["fleet", out.path + "/fp"])
    #expect(fleet.status == 0, "\(fleet.stdout)")
    #expect(fleet.stdout.contains("1 nodes, 1 distinct environment"))
    #expect(fleet.stdout.contains("[=] sha256:"))
  }

  @Test func sbatchDoesTheSame() throws {
    let out = try TemporaryTree(prefix: "rigcheck-sbatch")
    let result = try Binary.runTool(
      "/usr/bin/sbatch",
      ["--wait", "--export=ALL,RIGCHECK=\(Binary.path),RIGCHECK_OUT=\(out.path)/fp,RIGCHECK_SCRIPTS=\(Self.scripts)", "--output=\(out.path)/job.out", Self.scripts + "/fingerprint-nodes.sbatch"])
    #expect(result.status == 0, "\(result.stderr)")
    let written = try FileManager.default.contentsOfDirectory(atPath: out.path + "/fp")
    #expect(written.count == 1)
    #expect(written.first?.hasSuffix(".json") == true)
  }

  @Test func fleetOfWrittenFingerprints() throws {
    let dir = try TemporaryTree(prefix: "rigcheck-fleet")
    for node in ["a", "b", "c"] {
      #expect(try Binary.run(["fingerprint", "--root", Binary.fixture, "-o", dir.path + "/node-\(node).json"]).status == 0)
    }
    var edited = try String(contentsOfFile: dir.path + "/node-a.json", encoding: .utf8)
    edited = edited.replacing("\"580.159.04\"", with: "\"535.104.05\"")
    try edited.write(toFile: dir.path + "/node-d.json", atomically: true, encoding: .utf8)
    let result = try Binary.run(["fleet", dir.path])
    #expect(result.status == 1, "a node on another driver branch (535 vs 580) is an error")
    #expect(result.stdout.contains("4 nodes, 2 distinct environments"))
    #expect(result.stdout.contains("[=] "))
    #expect(result.stdout.contains("1 node: node-d"))
    #expect(result.stdout.contains("✗ host.nvidia.kernelModule.version: downgraded: 580.159.04 → 535.104.05"))
    #expect(result.stdout.hasSuffix("Drift that matters on 1 node: node-d.\n"))
    let json = try Binary.run(["fleet", dir.path, "--format", "json"])
    let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(report?["nodeCount"] as? Int == 4)
    try "{".write(toFile: dir.path + "/broken.json", atomically: true, encoding: .utf8)
    #expect(try Binary.run(["fleet", dir.path]).status == 1)
    let empty = try TemporaryTree(prefix: "rigcheck-fleet-empty")
    let none = try Binary.run(["fleet", empty.path])
    #expect(none.status == 2)
    #expect(none.stderr.contains("no fingerprints (*.json)"))
  }
}
