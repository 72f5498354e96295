import Compare
import Fingerprint
import Fleet
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@testable import Inspector

/// 60 nodes made from real fingerprints (the H200 capture plus the CUDA test image inspected
/// through the real daemon) with planted drift; the analyzer must report exactly those.
@Suite(.serialized) struct FleetAnalyzerTests {
  static func baseFingerprint() async throws -> Fingerprint {
    var print = await HostFingerprints.probe(FixtureHost.h200)
    print.identity.images = [try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference("cuda-layout"), runtime: .docker))]
    return print
  }

  func data(_ fingerprint: Fingerprint) throws -> Data { try CanonicalJSON.encode(fingerprint) }

  @Test func plantedDriftIsReportedExactly() async throws {
    let base = try await Self.baseFingerprint()
    var olderDriver = base
    olderDriver.identity.host.nvidia.kernelModule.value?.version = "580.95.05"
    olderDriver.identity.host.nvidia.nvml.value?.driverVersion = "580.95.05"
    var otherRuntime = base
    otherRuntime.identity.images[0].python.value?.packages = [Package(name: "nvidia-cuda-runtime-cu12", version: "12.4.99")]
    var missingGPU = base
    missingGPU.identity.host.pci.value?.gpus = []
    var noCudnn = base
    noCudnn.identity.images[0].cudnn = []

    var analyzer = FleetAnalyzer(comparator: Comparator(), baseline: nil)
    var planted: [String: [String]] = [:]
    for index in 0..<60 {
      let node = String(format: "gpu%03d", index)
      let print: Fingerprint
      switch index {
      case 7, 19, 33: print = olderDriver; planted["driver", default: []].append(node)
      case 12, 40: print = otherRuntime; planted["runtime", default: []].append(node)
      case 25: print = missingGPU; planted["gpu", default: []].append(node)
      case 50: print = noCudnn; planted["cudnn", default: []].append(node)
      default: print = base
      }
      // Machine-specific and volatile values differ on every node and never count.
      var unique = print
      unique.machine.hostname = .present(node, from: "file:/proc/sys/kernel/hostname")
      unique.volatile.capturedAt = "2026-11-26T10:\(String(format: "%02d", index)):00Z"
      analyzer.add(try data(unique), node: node, file: "\(node).json")
    }
    analyzer.add(Data("{\"schemaVersion\": 1".utf8), node: "broken", file: "broken.json")
    let report = analyzer.finish()

    #expect(report.nodeCount == 60)
    #expect(report.groups.count == 5)
    let baseline = try #require(report.groups.first)
    #expect(baseline.isBaseline)
    #expect(baseline.nodes.count == 53)
    #expect(baseline.identityHash == (try base.identityHash()))
    func group(_ nodes: [String]) -> FleetGroup? { report.groups.first { $0.nodes == nodes } }

    let driver = try #require(group(planted["driver"]!))
    #expect(!driver.matters, "another patch level of the same branch is a warning, and 580.95.05 still runs CUDA 12.4")
    #expect(driver.severity == .warning)
    #expect(driver.differences.map(\.path) == ["host.nvidia.kernelModule.version", "host.nvidia.nvml.driverVersion"])
    #expect(driver.differences.allSatisfy { $0.severity == .warning && $0.rule == .sameBranch })
    #expect(driver.verdicts.isEmpty)

    let runtime = try #require(group(planted["runtime"]!))
    #expect(runtime.matters)
    #expect(runtime.severity == .error)
    #expect(runtime.differences.filter { $0.severity == .error }.map(\.path) == ["images[\(TestImages.reference("cuda-layout"))].python.packages[nvidia-cuda-runtime-cu12]"])
    #expect(runtime.differences.first { $0.severity == .error }?.kind == .downgraded)

    let gpu = try #require(group(planted["gpu"]!))
    #expect(!gpu.matters)
    #expect(gpu.differences.filter { $0.severity >= .warning }.map(\.path) == ["host.pci.gpus[0000:00:06.0]"])

    let cudnn = try #require(group(planted["cudnn"]!))
    #expect(cudnn.matters)
    #expect(cudnn.differences.filter { $0.severity == .error }.map(\.path) == ["images[\(TestImages.reference("cuda-layout"))].summary.cudnn"])

    #expect(report.unreadable.map(\.file) == ["broken.json"])
    #expect(report.matters)
  }

  @Test func givenBaselineAndMarkdown() async throws {
    let base = try await Self.baseFingerprint()
    var golden = base
    golden.identity.images[0].python.value?.packages = [Package(name: "nvidia-cuda-runtime-cu12", version: "12.6.77")]
    var analyzer = FleetAnalyzer(comparator: Comparator(), baseline: ("golden.json", try ComparedSide(name: "golden.json", fingerprint: golden)))
    for index in 0..<3 { analyzer.add(try data(base), node: "n\(index)", file: "n\(index).json") }
    let report = analyzer.finish()
    #expect(report.baseline == "golden.json")
    #expect(report.groups.count == 1)
    #expect(report.groups[0].matters)
    #expect(!report.groups[0].isBaseline)
    let markdown = FleetText.markdown(report)
    #expect(markdown.contains("| ❌ |"))
    #expect(markdown.contains("3: n0, n1, n2"))
  }
}

@Suite struct DaemonSetManifestTests {
  /// The manifest parses as YAML and is structurally a valid Kubernetes DaemonSet: required
  /// fields, a selector matching the template, every mount backed by a volume, host paths
  /// mounted read-only, no host PID or network, no privilege.
  @Test func daemonSetIsValidKubernetes() throws {
    let path = FixtureHost.fixturesDirectory + "/../../deploy/kubernetes/rigcheck-daemonset.yaml"
    let documents = try ManifestValidation.load(path)
    #expect(documents.map { $0["kind"] as? String } == ["Namespace", "DaemonSet"])
    let problems = ManifestValidation.problems(inDaemonSet: documents[1])
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test func theValidatorCatchesMistakes() throws {
    let broken = """
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: x}
      spec:
        selector: {matchLabels: {app: a}}
        template:
          metadata: {labels: {app: b}}
          spec:
            hostPID: true
            containers:
              - name: c
                volumeMounts: [{name: proc, mountPath: /host/proc}]
            volumes: [{name: proc, hostPath: {path: /proc}}]
      """
    let problems = ManifestValidation.problems(inDaemonSet: try ManifestValidation.parse(broken)[0])
    #expect(problems.contains("spec.selector.matchLabels does not match the template's labels"))
    #expect(problems.contains("container c has no image"))
    #expect(problems.contains("hostPath mount /host/proc of c is not readOnly"))
    #expect(problems.contains("hostPID is set"))
  }
}
