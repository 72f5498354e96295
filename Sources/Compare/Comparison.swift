import Compatibility
import Fingerprint
import Reporting

/// One field that differs between the two sides.
public struct Difference: Codable, Sendable, Hashable {
  public enum Kind: String, Codable, Sendable, Hashable {
    case changed, added, removed, upgraded, downgraded
  }

  /// `host.kernel.release`, `images[torch].python.packages[numpy]`, …
  public var path: String
  public var kind: Kind
  public var left: String?
  public var right: String?
  /// The policy rule that applied, and the pattern that chose it.
  public var rule: PolicyRule
  public var pattern: String
  public var severity: Severity
  public var reason: String?
}

/// A compatibility judgement between a host and an image.
public struct Verdict: Codable, Sendable, Hashable {
  /// `compat.cuda-driver`, `compat.compute-capability`, `compat.nvidia-require`.
  public var id: String
  public var severity: Severity
  /// `left host ↔ right image rigcheck-test/torch:current (GPU 0000:00:06.0)`.
  public var subject: String
  public var message: String
  /// Every alternative and why it failed, the table row used, …
  public var details: [String]
}

/// The result of `rigcheck compare`.
public struct Comparison: Codable, Sendable, Hashable {
  public var left: String
  public var right: String
  public var differences: [Difference]
  public var verdicts: [Verdict]
  /// Parts that could not be compared, and why (schema versions, unreadable sides).
  public var notes: [String]
  /// Warnings count as failures.
  public var strict: Bool

  /// Whether the drift matters: an error-level difference or verdict (or a warning under strict).
  public var matters: Bool { report.failed }

  /// The comparison as report items, what matters first.
  public var report: Report {
    var items = verdicts.map { ReportItem(id: $0.id, severity: $0.severity, subject: $0.subject, message: $0.message, evidence: $0.details) }
    items += differences.map { difference in
      ReportItem(
        id: "drift", severity: difference.severity, subject: difference.path,
        message: Self.describe(difference),
        why: difference.reason,
        evidence: ["rule \(difference.rule.rawValue) (pattern \(difference.pattern))"])
    }
    items += notes.map { ReportItem(id: "compare.note", severity: .note, message: $0) }
    let ordered = items.enumerated().sorted { ($0.element.severity.rank, -$0.offset) > ($1.element.severity.rank, -$1.offset) }.map(\.element)
    return Report(command: "compare", subject: "\(left) ↔ \(right)", items: ordered, strict: strict)
  }

  static func describe(_ difference: Difference) -> String {
    switch difference.kind {
    case .added: return "only on the right: \(difference.right ?? "")"
    case .removed: return "only on the left: \(difference.left ?? "")"
    case .changed, .upgraded, .downgraded:
      return "\(difference.kind.rawValue): \(difference.left ?? "") → \(difference.right ?? "")"
    }
  }
}
