#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The output formats every report command offers.
public enum ReportFormat: String, CaseIterable, Sendable {
  case text, json, markdown, junit, prometheus
}

/// When to colour text output.
public struct ColorPolicy: Sendable {
  public let enabled: Bool

  /// Colour only on a terminal, never when `NO_COLOR` is set (https://no-color.org) or TERM is dumb.
  public static func automatic(isTerminal: Bool, environment: [String: String]) -> ColorPolicy {
    let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    return ColorPolicy(enabled: isTerminal && !noColor && environment["TERM"] != "dumb")
  }

  public init(enabled: Bool) { self.enabled = enabled }

  /// `text` in the colour of `severity`, when colour is on.
  public func paint(_ text: String, _ severity: Severity) -> String {
    guard enabled else { return text }
    let code: String
    switch severity {
    case .ok: code = "32"
    case .note: code = "36"
    case .warning: code = "33"
    case .error: code = "31"
    }
    return "\u{1b}[\(code)m\(text)\u{1b}[0m"
  }

  public func bold(_ text: String) -> String { enabled ? "\u{1b}[1m\(text)\u{1b}[0m" : text }
}

/// Renders reports in each ``ReportFormat``.
public enum ReportRenderer {
  public static func render(_ report: Report, format: ReportFormat, color: ColorPolicy = ColorPolicy(enabled: false), verbose: Bool = false, timestamp: Int? = nil) -> String {
    switch format {
    case .text: return text(report, color: color, verbose: verbose)
    case .json: return json(report)
    case .markdown: return markdown(report)
    case .junit: return junit(report)
    case .prometheus: return prometheus(report, timestamp: timestamp)
    }
  }

  /// flutter-doctor style: `[✓] id  message`, then `why`/`fix` lines for problems.
  public static func text(_ report: Report, color: ColorPolicy, verbose: Bool) -> String {
    var lines = [color.bold("rigcheck \(report.command) · \(report.subject)"), ""]
    let width = min(28, (report.items.map { $0.qualifiedName.count }.max() ?? 0))
    for item in report.items {
      if item.severity == .ok && !verbose && report.items.count > 40 { continue }
      let name = item.qualifiedName.padding(toLength: width)
      lines.append("\(color.paint("[\(item.severity.mark)]", item.severity)) \(name)  \(item.message)")
      let indent = String(repeating: " ", count: 6)
      if item.severity >= .warning || verbose {
        if let why = item.why { lines.append("\(indent)why  \(why)") }
        if let fix = item.fix { lines.append("\(indent)fix  \(fix)") }
      }
      if verbose {
        for evidence in item.evidence { lines.append("\(indent)•    \(evidence)") }
      }
    }
    lines.append("")
    lines.append(color.paint(report.summaryLine, report.failed ? .error : (report.count(.warning) > 0 ? .warning : .ok)))
    return lines.joined(separator: "\n") + "\n"
  }

  /// `{command, subject, strict, failed, summary: {ok, note, warning, error}, items: [...]}`.
  public static func json(_ report: Report) -> String {
    struct Document: Encodable {
      var command: String
      var subject: String
      var strict: Bool
      var failed: Bool
      var summary: [String: Int]
      var items: [ReportItem]
    }
    let document = Document(
      command: report.command, subject: report.subject, strict: report.strict, failed: report.failed,
      summary: Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, report.count($0)) }),
      items: report.items)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// A GitHub-flavoured Markdown table, problems first, for PR comments and step summaries.
  public static func markdown(_ report: Report) -> String {
    func cell(_ text: String) -> String {
      text.replacing("|", with: "\\|").replacing("\n", with: "<br>")
    }
    let icons: [Severity: String] = [.ok: "✅", .note: "ℹ️", .warning: "⚠️", .error: "❌"]
    var lines = ["### rigcheck \(report.command): \(cell(report.subject))", "", "**\(report.summaryLine)**", ""]
    lines.append("| | check | finding | fix |")
    lines.append("|---|---|---|---|")
    let ordered = report.items.enumerated().sorted { ($0.element.severity.rank, -$0.offset) > ($1.element.severity.rank, -$1.offset) }
    for (_, item) in ordered {
      let fix = item.fix.map { "`\(cell($0))`" } ?? ""
      let finding = cell(item.message) + (item.why.map { "<br><sub>\(cell($0))</sub>" } ?? "")
      lines.append("| \(icons[item.severity]!) | `\(cell(item.qualifiedName))` | \(finding) | \(fix) |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// JUnit XML: one test case per item; errors (and warnings under --strict) are failures.
  public static func junit(_ report: Report) -> String {
    let failures = report.items.filter { $0.severity == .error || (report.strict && $0.severity == .warning) }.count
    var lines = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      "<testsuites name=\"rigcheck\" tests=\"\(report.items.count)\" failures=\"\(failures)\" errors=\"0\">",
      "  <testsuite name=\"rigcheck \(xml(report.command))\" tests=\"\(report.items.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">",
    ]
    for item in report.items {
      let classname = "rigcheck.\(report.command).\(item.id.split(separator: ".").first ?? "")"
      let open = "    <testcase classname=\"\(xml(classname))\" name=\"\(xml(item.qualifiedName))\""
      let body = [item.message, item.why.map { "why: \($0)" }, item.fix.map { "fix: \($0)" }]
        .compactMap { $0 } + item.evidence.map { "evidence: \($0)" }
      if item.severity == .error || (report.strict && item.severity == .warning) {
        lines.append(open + ">")
        lines.append("      <failure message=\"\(xml(item.message))\" type=\"\(item.severity.rawValue)\">\(xml(body.joined(separator: "\n")))</failure>")
        lines.append("    </testcase>")
      } else if item.severity == .warning || item.severity == .note {
        lines.append(open + ">")
        lines.append("      <system-out>\(xml("\(item.severity.rawValue): " + body.joined(separator: "\n")))</system-out>")
        lines.append("    </testcase>")
      } else {
        lines.append(open + "/>")
      }
    }
    lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// node_exporter textfile-collector format: one gauge per check (its worst severity),
  /// counts by severity, the fingerprint's identity hash as an info metric, and the run time.
  public static func prometheus(_ report: Report, timestamp: Int?) -> String {
    let prefix = "rigcheck_\(report.command)"
    var worst: [String: Severity] = [:]
    for item in report.items { worst[item.id] = max(worst[item.id] ?? .ok, item.severity) }
    var lines = [
      "# HELP \(prefix)_check_status Worst result of each rigcheck \(report.command) check: 0 ok, 1 note, 2 warning, 3 error.",
      "# TYPE \(prefix)_check_status gauge",
    ]
    for (id, severity) in worst.sorted(by: { $0.key < $1.key }) {
      lines.append("\(prefix)_check_status{check=\"\(label(id))\",severity=\"\(severity.rawValue)\"} \(severity.rank)")
    }
    lines.append("# HELP \(prefix)_findings Number of findings by severity.")
    lines.append("# TYPE \(prefix)_findings gauge")
    for severity in Severity.allCases {
      lines.append("\(prefix)_findings{severity=\"\(severity.rawValue)\"} \(report.count(severity))")
    }
    lines.append("# HELP \(prefix)_failed 1 when the run failed (an error, or a warning under --strict).")
    lines.append("# TYPE \(prefix)_failed gauge")
    lines.append("\(prefix)_failed \(report.failed ? 1 : 0)")
    if let identityHash = report.identityHash {
      // An info metric (value 1, the data in a label), the convention of node_exporter's
      // node_uname_info: alert rules compare the label across the fleet
      // (deploy/prometheus/rigcheck-rules.yml, RigcheckFingerprintLeftBaseline).
      lines.append("# HELP rigcheck_fingerprint_info Identity hash of this machine's fingerprint (rigcheck fingerprint --hash); always 1.")
      lines.append("# TYPE rigcheck_fingerprint_info gauge")
      lines.append("rigcheck_fingerprint_info{identity_hash=\"\(label(identityHash))\"} 1")
    }
    if let timestamp {
      lines.append("# HELP \(prefix)_last_run_timestamp_seconds When rigcheck \(report.command) last ran (Unix time).")
      lines.append("# TYPE \(prefix)_last_run_timestamp_seconds gauge")
      lines.append("\(prefix)_last_run_timestamp_seconds \(timestamp)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
  static func xml(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Escapes a Prometheus label value (backslash, quote, newline).
  static func label(_ text: String) -> String {
    text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
  }
}

extension String {
  fileprivate func padding(toLength length: Int) -> String {
    count >= length ? self : self + String(repeating: " ", count: length - count)
  }
}
