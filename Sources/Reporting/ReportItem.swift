/// How much a finding matters. Ordered: `ok` < `note` < `warning` < `error`.
public enum Severity: String, Codable, Sendable, Hashable, Comparable, CaseIterable {
  case ok, note, warning, error

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

  /// 0 ok, 1 note, 2 warning, 3 error (the Prometheus gauge value).
  public var rank: Int {
    switch self {
    case .ok: return 0
    case .note: return 1
    case .warning: return 2
    case .error: return 3
    }
  }

  /// The flutter-doctor style mark.
  public var mark: String {
    switch self {
    case .ok: return "✓"
    case .note: return "•"
    case .warning: return "!"
    case .error: return "✗"
    }
  }
}

/// One line of a report: a doctor finding, or a difference `rigcheck compare` found.
public struct ReportItem: Codable, Sendable, Hashable {
  /// A stable identifier (`docker.daemon`, `driver.cuda`); documented in the README.
  public var id: String
  public var severity: Severity
  /// What it is about, when a check reports several things (`0000:00:06.0`, a file path).
  public var subject: String?
  /// What was found, in one sentence.
  public var message: String
  /// Why it matters for ML work.
  public var why: String?
  /// The exact command or change that fixes it.
  public var fix: String?
  /// The facts behind it, with their sources (shown with `-v`).
  public var evidence: [String]

  public init(
    id: String, severity: Severity, subject: String? = nil, message: String, why: String? = nil, fix: String? = nil,
    evidence: [String] = []
  ) {
    self.id = id
    self.severity = severity
    self.subject = subject
    self.message = message
    self.why = why
    self.fix = fix
    self.evidence = evidence
  }

  /// The id with its subject, unique within a report.
  public var qualifiedName: String { subject.map { "\(id) \($0)" } ?? id }
}

/// Items plus what they are about, ready to render.
public struct Report: Codable, Sendable, Hashable {
  /// The command that produced it (`doctor`, `compare`).
  public var command: String
  /// A one-line description of what was examined.
  public var subject: String
  public var items: [ReportItem]
  /// When warnings count as failures (`--strict`).
  public var strict: Bool
  /// The identity hash (`sha256:…`) of the fingerprint the report was made from, when there is
  /// one; the Prometheus format exposes it as a label so that fleet drift is alertable.
  public var identityHash: String?

  public init(command: String, subject: String, items: [ReportItem], strict: Bool = false, identityHash: String? = nil) {
    self.command = command
    self.subject = subject
    self.items = items
    self.strict = strict
    self.identityHash = identityHash
  }

  public func count(_ severity: Severity) -> Int { items.count { $0.severity == severity } }

  /// Whether the report fails: any error, or any warning under `strict`.
  public var failed: Bool { count(.error) > 0 || (strict && count(.warning) > 0) }

  /// `found 1 error and 2 warnings (14 checks passed)`.
  public var summaryLine: String {
    let errors = count(.error)
    let warnings = count(.warning)
    let passed = count(.ok)
    if errors == 0 && warnings == 0 { return "No issues found (\(passed) passed)." }
    var parts: [String] = []
    if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
    if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
    return "Found " + parts.joined(separator: " and ") + " (\(passed) passed)" + (strict && warnings > 0 ? "; --strict counts warnings as failures." : ".")
  }
}
