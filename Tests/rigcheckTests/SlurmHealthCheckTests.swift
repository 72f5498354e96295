import Foundation
#if canImport(Glibc)
  import Glibc
#endif
import Probes
import TestSupport
import Testing

/// deploy/slurm's health check on the real one-node Slurm scripts/start-slurm.sh starts: a broken
/// host (a derived tree, through the script's configuration file) drains the node with the
/// failing checks as the reason, a good one leaves it idle; `scontrol show node` is the proof.
/// An extension of the serialized FleetCommandTests: those run jobs on the same node, which
/// must not be drained under them.
extension FleetCommandTests {
  static let healthCheck = OperatingTools.repository + "/deploy/slurm/rigcheck-healthcheck.sh"
  static let prolog = OperatingTools.repository + "/deploy/slurm/rigcheck-prolog.sh"

  static var node: String {
    get throws { try OperatingTools.run("hostname", ["-s"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
  }

  static func showNode() throws -> String {
    let result = try OperatingTools.run("scontrol", ["show", "node", try node])
    guard result.succeeded else { throw OperatingToolError( "scontrol show node: \(result.stderr)") }
    return result.stdout
  }

  /// Runs a deploy/slurm script with a configuration file pointing rigcheck at `root`.
  static func runHealthCheck(_ script: String, root: String, extra: String = "") throws -> (status: Int32?, stderr: String) {
    let conf = try TemporaryTree(prefix: "rigcheck-healthcheck-conf")
    try conf.write("healthcheck.conf", "RIGCHECK=\(Binary.path)\nROOT=\(root)\nTIMEOUT=60\n\(extra)")
    let result = try OperatingTools.run(script, [], environment: ["RIGCHECK_HEALTHCHECK_CONF": conf.path + "/healthcheck.conf"], timeout: 120)
    return (result.exitCode, result.stderr)
  }

  /// Leaves the node as the other tests need it: resumed, not drained.
  /// Waits (up to 30 s) until slurmctld has pinged it again (`idle`, not `idle*`).
  static func resumeNode() throws {
    let node = try node
    _ = try OperatingTools.run("scontrol", ["update", "nodename=\(node)", "state=resume"])
    for _ in 0..<60 {
      if try OperatingTools.run("sinfo", ["-h", "-n", node, "-o", "%t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "idle" { return }
      usleep(500_000)
    }
    throw OperatingToolError("\(node) did not come back to idle within 30 s after state=resume")
  }

  @Test func healthCheckDrainsABrokenNodeWithTheFailingChecks() throws {
    #expect(!(try Self.showNode()).contains("DRAIN"), "the node starts undrained")
    defer { try? Self.resumeNode() }
    let tree = try FixtureHost.materialize("nouveau-bound")
    let run = try Self.runHealthCheck(Self.healthCheck, root: tree.rootPath)
    #expect(run.status == 1, "\(run.stderr)")
    let shown = try Self.showNode()
    #expect(shown.contains(/State=[A-Z+]*DRAIN/), "\(shown)")
    // The reason names the doctor's failing check ids (scontrol adds who drained it and when).
    let reason = try #require(shown.firstMatch(of: /Reason=(.*)/)).1
    #expect(reason.hasPrefix("rigcheck: "), "\(reason)")
    #expect(reason.contains("gpu.driver-bound"), "\(reason)")
    #expect(reason.contains("gpu.nouveau"), "\(reason)")

    // Run again while drained: it keeps the node drained and does not resume it.
    let again = try Self.runHealthCheck(Self.healthCheck, root: tree.rootPath)
    #expect(again.status == 1)
    #expect(again.stderr.contains("already drained"))
    try Self.resumeNode()
    #expect(!(try Self.showNode()).contains("DRAIN"), "resumed by the test, as an administrator would")
  }

  @Test func healthCheckLeavesAGoodNodeIdle() throws {
    defer { try? Self.resumeNode() }
    let run = try Self.runHealthCheck(Self.healthCheck, root: Binary.fixture)
    #expect(run.status == 0, "\(run.stderr)")
    let shown = try Self.showNode()
    #expect(shown.contains(/State=IDLE\s/), "\(shown)")
    #expect(!shown.contains("DRAIN"))
  }

  /// The prolog fails (Slurm then requeues the job) and drains with the same reason; a strict
  /// run drains on warnings too; a drifted site lock drains through `rigcheck verify`.
  @Test func prologStrictAndLockDrainToo() throws {
    defer { try? Self.resumeNode() }
    let noDriver = try FixtureHost.materialize("no-driver")
    let prolog = try Self.runHealthCheck(Self.prolog, root: noDriver.rootPath)
    #expect(prolog.status == 1, "\(prolog.stderr)")
    let drained = try Self.showNode()
    #expect(drained.contains("Reason=rigcheck: "), "\(drained)")
    try Self.resumeNode()

    // The good capture has one warning (toolkit.installed): only --strict drains for it.
    let strict = try Self.runHealthCheck(Self.healthCheck, root: Binary.fixture, extra: "STRICT=yes\n")
    #expect(strict.status == 1, "\(strict.stderr)")
    #expect(try Self.showNode().contains(/Reason=rigcheck: .*toolkit\.installed/))
    try Self.resumeNode()

    // A lock of the good capture with another driver: verify finds drift that matters.
    let lockDir = try TemporaryTree(prefix: "rigcheck-healthcheck-lock")
    #expect(try Binary.run(["lock", "--root", Binary.fixture, "-o", lockDir.path + "/site.lock"]).status == 0)
    let lock = try String(contentsOfFile: lockDir.path + "/site.lock", encoding: .utf8).replacing("\"580.159.04\"", with: "\"535.104.05\"")
    try lock.write(toFile: lockDir.path + "/site.lock", atomically: true, encoding: .utf8)
    let verify = try Self.runHealthCheck(Self.healthCheck, root: Binary.fixture, extra: "LOCK=\(lockDir.path)/site.lock\n")
    #expect(verify.status == 1, "\(verify.stderr)")
    #expect(try Self.showNode().contains("Reason=rigcheck: verify: drift from \(lockDir.path)/site.lock"))
  }

  @Test func aBadConfigurationIsAnErrorNotADrain() throws {
    let run = try Self.runHealthCheck(Self.healthCheck, root: Binary.fixture, extra: "TIMEOUT=soon\n")
    #expect(run.status == 2)
    #expect(run.stderr.contains("TIMEOUT=soon is not a number of seconds"))
    #expect(!(try Self.showNode()).contains("DRAIN"))
  }
}
