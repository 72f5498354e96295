import Foundation
import Probes
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `rigcheck doctor --format prometheus` as node_exporter's textfile collector serves it (Debian's
/// real prometheus-node-exporter on 127.0.0.1, scraped over HTTP), and the alert rules of
/// deploy/prometheus under Debian's real promtool.
@Suite struct PrometheusIntegrationTests {
  static let rules = OperatingTools.repository + "/deploy/prometheus"

  @Test func nodeExporterServesTheDoctorsMetrics() throws {
    let textfiles = try TemporaryTree(prefix: "rigcheck-textfile")
    let doctor = try Binary.run(["doctor", "--root", Binary.fixture, "--format", "prometheus"])
    #expect(doctor.status == 0, "\(doctor.stderr)")
    try doctor.stdout.write(toFile: textfiles.path + "/rigcheck.prom", atomically: true, encoding: .utf8)
    let hash = try Binary.run(["fingerprint", "--root", Binary.fixture, "--hash"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

    let metrics = try Self.scrape(textfileDirectory: textfiles.path)
    #expect(metrics.contains("\nnode_textfile_scrape_error 0\n"), "node_exporter read the file without an error")
    #expect(metrics.contains(#"rigcheck_doctor_check_status{check="driver.nvml",severity="ok"} 0"#))
    #expect(metrics.contains(#"rigcheck_doctor_findings{severity="error"} 0"#))
    #expect(metrics.contains("\nrigcheck_doctor_failed 0\n"))
    #expect(metrics.contains("rigcheck_fingerprint_info{identity_hash=\"\(hash)\"} 1"), "the identity hash is `rigcheck fingerprint --hash`")
    // The stale-textfile alert selects the file by this label: it must match what
    // node_exporter really exports (1.5 names the file by its full path).
    let mtime = try #require(metrics.firstMatch(of: /node_textfile_mtime_seconds\{file="([^"]+)"\}/)).1
    let ruleText = try String(contentsOfFile: Self.rules + "/rigcheck-rules.yml", encoding: .utf8)
    let selector = try #require(ruleText.firstMatch(of: /node_textfile_mtime_seconds\{file=~"([^"]+)"\}/)).1
    let pattern = "^(?:" + String(selector).replacing("\\\\", with: "\\") + ")$"  // PromQL regexes are anchored
    #expect(String(mtime).range(of: pattern, options: .regularExpression) != nil, "\(pattern) matches \(mtime)")
  }

  /// The same scrape with a file node_exporter cannot parse: the error the test above rules out.
  @Test func aMalformedTextfileIsAScrapeError() throws {
    let textfiles = try TemporaryTree(prefix: "rigcheck-textfile-bad")
    try "rigcheck_doctor_failed{check=\"unterminated} 1\n".write(toFile: textfiles.path + "/rigcheck.prom", atomically: true, encoding: .utf8)
    let metrics = try Self.scrape(textfileDirectory: textfiles.path)
    #expect(metrics.contains("\nnode_textfile_scrape_error 1\n"))
  }

  @Test func alertRulesAreValidAndPassTheirUnitTests() throws {
    let check = try OperatingTools.run("promtool", ["check", "rules", "rigcheck-rules.yml"], directory: Self.rules)
    #expect(check.succeeded, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("SUCCESS: 4 rules found"))
    let test = try OperatingTools.run("promtool", ["test", "rules", "rigcheck-rules.test.yml"], directory: Self.rules)
    #expect(test.succeeded, "\(test.stdout)\(test.stderr)")
    #expect(test.stdout.contains("SUCCESS"))
  }

  /// The unit tests can fail: with the baseline alert turned into "any hash", promtool fails.
  @Test func unitTestsCatchABrokenRule() throws {
    let copy = try TemporaryTree(prefix: "rigcheck-rules-broken")
    var rules = try String(contentsOfFile: Self.rules + "/rigcheck-rules.yml", encoding: .utf8)
    rules = rules.replacing("unless on (identity_hash)", with: "and on (identity_hash)")
    try rules.write(toFile: copy.path + "/rigcheck-rules.yml", atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: Self.rules + "/rigcheck-rules.test.yml", toPath: copy.path + "/rigcheck-rules.test.yml")
    let test = try OperatingTools.run("promtool", ["test", "rules", "rigcheck-rules.test.yml"], directory: copy.path)
    #expect(test.exitCode == 1, "\(test.stdout)")
    #expect((test.stdout + test.stderr).contains("alertname: RigcheckFingerprintLeftBaseline"))
  }

  /// Starts node_exporter with only the textfile collector on a free loopback port, fetches
  /// /metrics over HTTP (curl, under a deadline), and stops it.
  static func scrape(textfileDirectory: String) throws -> String {
    let port = try freeLoopbackPort()
    let exporter = Process()
    exporter.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-node-exporter")
    exporter.arguments = [
      "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
      "--collector.textfile.directory=\(textfileDirectory)",
    ]
    let log = Pipe()
    exporter.standardOutput = FileHandle.nullDevice
    exporter.standardError = log
    try exporter.run()
    defer {
      exporter.terminate()
      exporter.waitUntilExit()
    }
    var last = ""
    for _ in 0..<50 {
      let result = try OperatingTools.run("curl", ["--silent", "--show-error", "--fail", "--max-time", "5", "http://127.0.0.1:\(port)/metrics"], timeout: 10)
      if result.succeeded { return result.stdout }
      last = result.stderr
      guard exporter.isRunning else { break }
      usleep(100_000)
    }
    exporter.terminate()
    exporter.waitUntilExit()
    let stderr = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    throw OperatingToolError( "node_exporter on 127.0.0.1:\(port) did not answer: \(last)\n\(stderr)")
  }

  /// A TCP port on 127.0.0.1 nothing listens on now (bound to port 0, read back, released).
  static func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw OperatingToolError( "socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw OperatingToolError( "bind: errno \(errno)") }
    let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    guard named == 0 else { throw OperatingToolError( "getsockname: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
  }
}
