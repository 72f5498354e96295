import Foundation
import Reporting
import Testing

@Suite struct RenderersTests {
  let report = Report(
    command: "doctor", subject: "gpu-node-1 · Ubuntu 24.04",
    items: [
      ReportItem(id: "system.os", severity: .ok, message: "Ubuntu 24.04, kernel 6.8"),
      ReportItem(id: "gpu.pcie-link", severity: .warning, subject: "0000:00:06.0", message: "PCIe link is x8, the device supports x16", why: "less bandwidth", fix: "reseat the card"),
      ReportItem(id: "driver.cuda", severity: .error, message: "driver 580 < 590.44.01 \"quoted\" & <tagged> | piped\u{1b}[31m", why: "CUDA 13.1 fails", fix: "upgrade", evidence: ["driver 580.159.04 [file:/proc/driver/nvidia/version]"]),
      ReportItem(id: "docker.daemon", severity: .note, message: "Docker is not installed"),
    ])

  /// Runs a Python snippet with Debian's python3 and returns its stdout.
  func python(_ script: String, input: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", script]
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
  }

  @Test func junitIsReadByARealJUnitConsumer() throws {
    let xml = ReportRenderer.junit(report)
    let script = """
      import sys, junitparser
      xml = junitparser.JUnitXml.fromstring(sys.stdin.read())
      for suite in xml:
          print("suite", suite.name, suite.tests, suite.failures, suite.errors)
          for case in suite:
              print("case", case.classname, case.name, "failed" if not case.is_passed and not case.is_skipped else "passed")
      """
    let (status, output) = try python(script, input: xml)
    #expect(status == 0, "\(output)")
    #expect(output.contains("suite rigcheck doctor 4 1 0"))
    #expect(output.contains("case rigcheck.doctor.driver driver.cuda failed"))
    #expect(output.contains("case rigcheck.doctor.gpu gpu.pcie-link 0000:00:06.0 passed"))
    #expect(!xml.contains("\u{1b}"), "control characters are dropped from XML")
  }

  @Test func strictJUnitFailsWarningsToo() throws {
    var strict = report
    strict.strict = true
    let (status, output) = try python(
      "import sys, junitparser\nfor s in junitparser.JUnitXml.fromstring(sys.stdin.read()): print(s.failures)", input: ReportRenderer.junit(strict))
    #expect(status == 0)
    #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
  }

  @Test func prometheusIsReadByTheRealParser() throws {
    let text = ReportRenderer.prometheus(report, timestamp: 1_800_000_000)
    let script = """
      import sys
      from prometheus_client.parser import text_string_to_metric_families
      for family in text_string_to_metric_families(sys.stdin.read()):
          for sample in family.samples:
              print(sample.name, sorted(sample.labels.items()), sample.value)
      """
    let (status, output) = try python(script, input: text)
    #expect(status == 0, "\(output)")
    #expect(output.contains("rigcheck_doctor_check_status [('check', 'driver.cuda'), ('severity', 'error')] 3.0"))
    #expect(output.contains("rigcheck_doctor_check_status [('check', 'gpu.pcie-link'), ('severity', 'warning')] 2.0"))
    #expect(output.contains("rigcheck_doctor_findings [('severity', 'error')] 1.0"))
    #expect(output.contains("rigcheck_doctor_failed [] 1.0"))
    #expect(output.contains("rigcheck_doctor_last_run_timestamp_seconds [] 1800000000.0"))
  }

  @Test func markdownPutsProblemsFirstAndEscapesPipes() {
    let markdown = ReportRenderer.markdown(report)
    let lines = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| |") }
    #expect(lines.first?.contains("driver.cuda") == true)
    #expect(lines.last?.contains("system.os") == true)
    #expect(markdown.contains("\\| piped"))
    #expect(markdown.contains("**Found 1 error and 1 warning (1 passed).**"))
  }

  @Test func textMarksAndColour() {
    let plain = ReportRenderer.text(report, color: ColorPolicy(enabled: false), verbose: false)
    #expect(plain.contains("[✗] driver.cuda"))
    #expect(plain.contains("[!] gpu.pcie-link 0000:00:06.0"))
    #expect(plain.contains("fix  upgrade"))
    #expect(!plain.contains("\u{1b}[31m["))
    #expect(!plain.contains("driver 580.159.04 [file:"), "evidence only with -v")
    let verbose = ReportRenderer.text(report, color: ColorPolicy(enabled: false), verbose: true)
    #expect(verbose.contains("driver 580.159.04 [file:/proc/driver/nvidia/version]"))
    let coloured = ReportRenderer.text(report, color: ColorPolicy(enabled: true), verbose: false)
    #expect(coloured.contains("\u{1b}[31m[✗]\u{1b}[0m"))
  }

  @Test func colourPolicy() {
    #expect(ColorPolicy.automatic(isTerminal: true, environment: [:]).enabled)
    #expect(!ColorPolicy.automatic(isTerminal: false, environment: [:]).enabled)
    #expect(!ColorPolicy.automatic(isTerminal: true, environment: ["NO_COLOR": "1"]).enabled)
    #expect(!ColorPolicy.automatic(isTerminal: true, environment: ["TERM": "dumb"]).enabled)
  }

  @Test func jsonCarriesTheSummary() throws {
    let json = try JSONSerialization.jsonObject(with: Data(ReportRenderer.json(report).utf8)) as? [String: Any]
    #expect(json?["failed"] as? Bool == true)
    #expect((json?["summary"] as? [String: Int])?["warning"] == 1)
    #expect((json?["items"] as? [[String: Any]])?.count == 4)
  }

  @Test func failureRules() {
    #expect(report.failed)
    let warningsOnly = Report(command: "doctor", subject: "x", items: [ReportItem(id: "a", severity: .warning, message: "w")])
    #expect(!warningsOnly.failed)
    #expect(Report(command: "doctor", subject: "x", items: warningsOnly.items, strict: true).failed)
  }
}
