import Reporting

/// The text form of a comparison: what matters first, then warnings, then a count of the
/// informational differences by area (all of them with `-v`).
public enum ComparisonText {
  public static func render(_ comparison: Comparison, color: ColorPolicy, verbose: Bool) -> String {
    let report = comparison.report
    var lines = ["rigcheck compare · \(comparison.left) ↔ \(comparison.right)", ""]
    let problems = report.items.filter { $0.severity >= .warning }
    let passed = report.items.filter { $0.severity == .ok }
    let notes = report.items.filter { $0.severity == .note && $0.id != "compare.note" }
    for item in report.items where item.id == "compare.note" { lines.append("note: \(item.message)") }
    if report.items.contains(where: { $0.id == "compare.note" }) { lines.append("") }
    if problems.isEmpty { lines.append("No difference that matters.") }
    for item in problems {
      lines.append("\(color.paint("[\(item.severity.mark)]", item.severity)) \(item.subject ?? item.id)")
      lines.append("      \(item.message)")
      if let why = item.why { lines.append("      why  \(why)") }
      for detail in item.evidence where item.id.hasPrefix("compat.") || verbose { lines.append("      •    \(detail)") }
    }
    if !passed.isEmpty { lines.append("") }
    for item in passed {
      lines.append("\(color.paint("[✓]", .ok)) \(item.id) \(item.subject ?? ""): \(item.message)")
      if verbose { for detail in item.evidence { lines.append("      •    \(detail)") } }
    }
    if !notes.isEmpty {
      lines.append("")
      if verbose {
        for item in notes { lines.append("[•] \(item.subject ?? item.id): \(item.message)") }
      } else {
        var areas: [String: Int] = [:]
        for item in notes {
          let area = (item.subject ?? item.id).split(separator: ".").prefix(2).joined(separator: ".")
          areas[String(area.split(separator: "[").first ?? Substring(area)), default: 0] += 1
        }
        let summary = areas.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        lines.append("[•] \(notes.count) informational difference\(notes.count == 1 ? "" : "s"): \(summary); -v lists them")
      }
    }
    lines.append("")
    let errors = report.count(.error)
    let warnings = report.count(.warning)
    let verdict = comparison.matters
      ? "Drift that matters: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")."
      : "Equivalent under the policy" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))." : ".")
    lines.append(color.paint(verdict, comparison.matters ? .error : (warnings > 0 ? .warning : .ok)))
    return lines.joined(separator: "\n") + "\n"
  }
}
