import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@testable import Compare

/// Node facts are placed so that what differs between two nodes of one job is drift (Fabric
/// Manager version, topology, NCCL settings, peer-memory module) and what changes from one
/// moment to the next is not (Xid history, service state, port state, throttling).
@Suite struct NodeDriftTests {
  func fingerprint(_ host: String, environment: String? = nil) async throws -> (Fingerprint, TemporaryTree) {
    let tree = try FixtureHost.materialize(host)
    if let environment { try tree.write("root/captured/environment.txt", environment) }
    return (await HostFingerprints.probe(tree.root), tree)
  }

  @Test func readingsAreNotDrift() async throws {
    let (healthy, keep) = try await fingerprint("hgx-h200-8gpu")
    for host in ["hgx-xid", "hgx-fm-stopped", "hgx-ib-port-down", "hgx-throttling"] {
      let (other, keepOther) = try await fingerprint(host)
      #expect(try other.identityHash() == healthy.identityHash(), "\(host)")
      #expect(other.volatile.nodeHealth != healthy.volatile.nodeHealth || other.volatile.gpus != healthy.volatile.gpus, "\(host): the readings differ")
      _ = keepOther
    }
    _ = keep
  }

  @Test func nodeFactsAreDrift() async throws {
    let (healthy, keep) = try await fingerprint("hgx-h200-8gpu")
    let left = try ComparedSide(name: "healthy", fingerprint: healthy)
    let expectations = [
      "hgx-fm-wrong-version": "nodeFabric.fabricManager", "hgx-numa-mismatch": "nodeFabric.topology",
      "hgx-peermem-missing": "nvidia.loadedModules",
    ]
    for (host, path) in expectations {
      let (other, keepOther) = try await fingerprint(host)
      #expect(try other.identityHash() != healthy.identityHash(), "\(host)")
      let paths = Comparator().compare(left, try ComparedSide(name: host, fingerprint: other)).differences.map(\.path)
      #expect(paths.contains { $0.contains(path) }, "\(host): \(paths)")
      _ = keepOther
    }
    _ = keep
  }

  @Test func ncclSettingsAreDrift() async throws {
    let (one, keepOne) = try await fingerprint("hgx-h200-8gpu", environment: "NCCL_IB_HCA=mlx5_0\n")
    let (two, keepTwo) = try await fingerprint("hgx-h200-8gpu", environment: "NCCL_IB_HCA=mlx5_1\n")
    #expect(try one.identityHash() != two.identityHash())
    let paths = Comparator().compare(try ComparedSide(name: "one", fingerprint: one), try ComparedSide(name: "two", fingerprint: two)).differences.map(\.path)
    #expect(paths.contains { $0.contains("NCCL_IB_HCA") }, "\(paths)")
    _ = (keepOne, keepTwo)
  }

  /// The built-in policy (docs/node-health.md): Fabric Manager at another version is an error,
  /// GPU/NIC placement that differs a warning (an error under --strict).
  @Test func theBuiltInPolicyMakesNodeDriftCount() async throws {
    let (healthy, keep) = try await fingerprint("hgx-h200-8gpu")
    let left = try ComparedSide(name: "healthy", fingerprint: healthy)
    let (wrongVersion, keepWrong) = try await fingerprint("hgx-fm-wrong-version")
    let fabricManager = Comparator().compare(left, try ComparedSide(name: "fm", fingerprint: wrongVersion))
    #expect(fabricManager.differences.map(\.severity) == [.error])
    #expect(fabricManager.matters)
    let (moved, keepMoved) = try await fingerprint("hgx-numa-mismatch")
    let topology = Comparator().compare(left, try ComparedSide(name: "numa", fingerprint: moved))
    #expect(!topology.differences.isEmpty)
    #expect(topology.differences.allSatisfy { $0.severity == .warning })
    #expect(!topology.matters)
    #expect(Comparator(strict: true).compare(left, try ComparedSide(name: "numa", fingerprint: moved)).matters)
    _ = (keep, keepWrong, keepMoved)
  }
}
