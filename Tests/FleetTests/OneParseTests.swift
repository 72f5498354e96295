import Compare
import Fingerprint
import Foundation
import Probes
import TestSupport
import Testing

@testable import Inspector

/// The one-parse path (``JSONTree`` → identity hash, ``JSONTreeDecoder`` → model) must give
/// exactly what the Foundation path gives: the same identity hashes and the same model, on
/// every fixture host's real fingerprint and on the H200 capture with a real image.
@Suite(.serialized) struct OneParseTests {
  static let derivedHosts = [
    "cdi-only", "cdi-spec-dirs-null", "degraded-link", "docker-no-nvidia-runtime", "geforce-driver575", "gh200-aarch64", "gpu-operator",
    "h200-driver575", "h200-driver580-patch", "h200-idle", "no-driver", "nouveau-bound", "pod-view", "rhel-lib64", "rtx5090", "two-gpus",
    "vfio-bound", "wsl2", "hgx-h200-8gpu", "hgx-numa-mismatch", "hgx-xid",
  ]

  /// The Foundation path, as `Fingerprint.decode` and `identityHash()` were before.
  static func foundationHash(_ data: Data) throws -> String {
    try JSONDecoder().decode(Fingerprint.self, from: data).identityHash()
  }

  static func check(_ fingerprint: Fingerprint, _ label: String) throws {
    for pretty in [true, false] {
      let data = try CanonicalJSON.encode(fingerprint, pretty: pretty)
      let tree = try JSONTree.parse(data)
      let old = try Self.foundationHash(data)
      #expect(Fingerprint.identityHash(of: tree) == old, "\(label) (pretty: \(pretty))")
      #expect(try fingerprint.identityHash() == old, "\(label)")
      let viaTree = try Fingerprint.decode(tree, name: label)
      #expect(viaTree == (try JSONDecoder().decode(Fingerprint.self, from: data)), "\(label)")
      #expect(viaTree == fingerprint, "\(label)")
    }
  }

  @Test func fixtureHostsHashAndDecodeTheSame() async throws {
    try Self.check(await HostFingerprints.probe(FixtureHost.h200), "h200-ubuntu2404")
    for name in Self.derivedHosts {
      let tree = try FixtureHost.materialize(name)
      try Self.check(await HostFingerprints.probe(HostRoot(tree.rootPath)), name)
    }
    // Docker answering without the nvidia runtime: engine facts, problems and versions.
    let runner = try HostFingerprints.dockerInfoRunner()
    try Self.check(await HostFingerprints.probe(FixtureHost.h200, runner: runner), "h200 + docker info")
  }

  @Test func h200WithARealImageHashesTheSame() async throws {
    var print = await HostFingerprints.probe(FixtureHost.h200)
    print.identity.images = [try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference("cuda-layout"), runtime: .docker))]
    // Provenance-like names used as labels and environment keys are identity, not provenance.
    print.identity.images[0].config.value?.labels["message"] = "kept"
    print.identity.images[0].config.value?.labels["notes"] = "kept"
    print.identity.images[0].config.value?.environment["source"] = "kept"
    print.identity.images[0].notes = ["a note, left out of the hash"]
    try Self.check(print, "h200 + cuda-layout")
  }

  @Test func decodingErrorsNameTheSchemaAndThePath() throws {
    let other = try JSONTree.parse(#"{"schemaVersion": 999, "identity": {}}"#)
    #expect(throws: FingerprintDecodingError.self) { try Fingerprint.decode(other, name: "x.json") }
    do { _ = try Fingerprint.decode(other, name: "x.json") } catch { #expect("\(error)".contains("uses fingerprint schema 999")) }
    let none = try JSONTree.parse(#"{"identity": {}}"#)
    do { _ = try Fingerprint.decode(none, name: "x.json") } catch { #expect("\(error)".contains("has no schemaVersion")) }
    let broken = try JSONTree.parse(#"{"schemaVersion": \#(Fingerprint.currentSchemaVersion), "identity": {}}"#)
    do { _ = try Fingerprint.decode(broken, name: "x.json") } catch { #expect("\(error)".contains("missing field")) }
  }
}
