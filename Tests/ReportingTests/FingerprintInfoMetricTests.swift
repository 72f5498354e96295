import Foundation
import Reporting
import Testing

/// `rigcheck_fingerprint_info{identity_hash=…} 1`, the info metric the fleet-drift alert
/// (deploy/prometheus/rigcheck-rules.yml) compares across nodes, read by the real
/// prometheus_client parser (Debian's python3-prometheus-client).
@Suite struct FingerprintInfoMetricTests {
  let hash = "sha256:2c661d04a11b69ceab333c158db89d8e0198d21389af93787d0ca4a625151e55"

  /// Parsed by prometheus_client, through the same python3 runner as RenderersTests.
  func parse(_ text: String) throws -> (status: Int32, output: String) {
    try RenderersTests().python(
      """
      import sys
      from prometheus_client.parser import text_string_to_metric_families
      for family in text_string_to_metric_families(sys.stdin.read()):
          for sample in family.samples:
              print(family.type, sample.name, sorted(sample.labels.items()), sample.value)
      """, input: text)
  }

  @Test func identityHashIsALabelOfAnInfoGauge() throws {
    let report = Report(command: "doctor", subject: "node", items: [ReportItem(id: "system.os", severity: .ok, message: "ok")], identityHash: hash)
    let (status, output) = try parse(ReportRenderer.prometheus(report, timestamp: 1_800_000_000))
    #expect(status == 0, "\(output)")
    #expect(output.contains("gauge rigcheck_fingerprint_info [('identity_hash', '\(hash)')] 1.0"), "\(output)")
  }

  @Test func noHashNoInfoMetric() {
    let report = Report(command: "doctor", subject: "node", items: [])
    #expect(!ReportRenderer.prometheus(report, timestamp: nil).contains("rigcheck_fingerprint_info"))
  }
}
