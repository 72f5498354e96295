import Compare
import Fingerprint
import Reporting

/// One group of nodes whose fingerprints have the same identity hash.
public struct FleetGroup: Codable, Sendable, Hashable {
  /// `sha256:…` of the identity part, as `rigcheck fingerprint --hash` prints it.
  public var identityHash: String
  /// Node names (file names without `.json`), sorted.
  public var nodes: [String]
  /// Differences from the baseline (empty for the baseline's own group).
  public var differences: [Difference]
  public var verdicts: [Verdict]
  /// Whether this group is the baseline (given, or the majority).
  public var isBaseline: Bool
  /// Whether its drift matters under the policy (an error, or a warning under --strict).
  public var matters: Bool
  /// The worst of its differences and verdicts: `error`, `warning`, `note` (informational
  /// differences only) or `ok` (none; the baseline's own group).
  public var severity: Severity
}

/// A file that could not be read as a fingerprint.
public struct FleetProblem: Codable, Sendable, Hashable {
  public var file: String
  public var problem: String
}

/// The fleet's drift matrix.
public struct FleetReport: Codable, Sendable, Hashable {
  /// `golden.json`, or `majority (sha256:…)`.
  public var baseline: String
  public var nodeCount: Int
  public var groups: [FleetGroup]
  public var unreadable: [FleetProblem]
  /// Any group drifts in a way that matters (or a file could not be read).
  public var matters: Bool
}

/// Groups fingerprints by identity hash as they stream in, then compares one representative
/// per group with the baseline. Memory grows with the number of *distinct* environments (one
/// representative each) and the node names, not with the size of every fingerprint.
public struct FleetAnalyzer {
  public let comparator: Comparator
  public let baseline: (name: String, side: ComparedSide)?

  struct Group {
    var representative: ComparedSide
    var nodes: [String]
  }

  private var groups: [String: Group] = [:]
  /// Identity hashes by the canonical identity bytes they hash (one entry per distinct identity).
  private var hashes: [IdentityBytes: String] = [:]

  /// Canonical identity bytes as a dictionary key, hashed in one pass over the buffer.
  struct IdentityBytes: Hashable {
    let bytes: [UInt8]
    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
  }
  private var order: [String] = []
  private var problems: [FleetProblem] = []

  public init(comparator: Comparator, baseline: (name: String, side: ComparedSide)?) {
    self.comparator = comparator
    self.baseline = baseline
  }

  /// Adds one node's fingerprint (the file's bytes).
  ///
  /// The file is parsed once, into a ``JSONTree``; its identity hash is computed from that tree
  /// (``Fingerprint/identityHash(of:)``, the same value as ``Fingerprint/identityHash()``).
  /// Only the first node of each group is decoded further (the model is validated and the
  /// verdict inputs read, from the same tree). Files that do not parse, or are of another
  /// schema, take the model's decoder so that their error says what is wrong.
  public mutating func add(_ data: Data, node: String, file: String) {
    do {
      guard let tree = try? JSONTree.parse(data), tree["schemaVersion"] == .number(Double(Fingerprint.currentSchemaVersion)),
        let identity = Fingerprint.identityBytes(of: tree)
      else {
        // Not a fingerprint of this schema: the decoder explains why (or, should it read it
        // after all, the file is grouped as before).
        let fingerprint = try Fingerprint.decode(data, name: file)
        try add(tree: ComparedSide.load(data, name: node), hash: fingerprint.identityHash(), node: node)
        return
      }
      // SHA-256 once per distinct identity: equal bytes, equal hash.
      let hash: String
      if let known = hashes[IdentityBytes(bytes: identity)] {
        hash = known
      } else {
        hash = "sha256:" + SHA256.hexDigest(of: identity)
        hashes[IdentityBytes(bytes: identity)] = hash
      }
      if groups[hash] != nil {
        groups[hash]!.nodes.append(node)
        return
      }
      _ = try Fingerprint.decode(tree, name: file)
      try add(tree: ComparedSide.load(tree, name: node), hash: hash, node: node)
    } catch {
      problems.append(FleetProblem(file: file, problem: "\(error)"))
    }
  }

  private mutating func add(tree side: @autoclosure () throws -> ComparedSide, hash: String, node: String) throws {
    if groups[hash] != nil {
      groups[hash]!.nodes.append(node)
      return
    }
    groups[hash] = Group(representative: try side(), nodes: [node])
    order.append(hash)
  }

  /// Records a file that could not even be read.
  public mutating func addProblem(file: String, problem: String) {
    problems.append(FleetProblem(file: file, problem: problem))
  }

  /// Compares each group's representative with the baseline.
  public func finish() -> FleetReport {
    let majority = order.max { groups[$0]!.nodes.count < groups[$1]!.nodes.count || (groups[$0]!.nodes.count == groups[$1]!.nodes.count && $0 > $1) }
    let baselineSide = baseline?.side ?? majority.map { groups[$0]!.representative }
    let baselineName = baseline?.name ?? majority.map { "majority (\($0), \(groups[$0]!.nodes.count) nodes)" } ?? "none"
    var result: [FleetGroup] = []
    for hash in order {
      let group = groups[hash]!
      let isBaselineGroup = baseline == nil && hash == majority
      var differences: [Difference] = []
      var verdicts: [Verdict] = []
      var matters = false
      if let baselineSide, !isBaselineGroup {
        let comparison = comparator.compare(baselineSide, group.representative)
        differences = comparison.differences
        verdicts = comparison.verdicts.filter { $0.severity >= .warning }
        matters = comparison.matters
      }
      let severity = (differences.map(\.severity) + verdicts.map(\.severity)).max() ?? .ok
      result.append(
        FleetGroup(
          identityHash: hash, nodes: group.nodes.sorted(), differences: differences, verdicts: verdicts, isBaseline: isBaselineGroup, matters: matters,
          severity: severity))
    }
    // The baseline, then the worst drift first, larger groups first.
    result.sort {
      ($0.isBaseline ? 0 : 1, -$0.severity.rank, -$0.nodes.count, $0.identityHash) < ($1.isBaseline ? 0 : 1, -$1.severity.rank, -$1.nodes.count, $1.identityHash)
    }
    let nodeCount = result.reduce(0) { $0 + $1.nodes.count }
    return FleetReport(
      baseline: baselineName, nodeCount: nodeCount, groups: result, unreadable: problems.sorted { $0.file < $1.file },
      matters: result.contains(where: \.matters) || !problems.isEmpty)
  }
}

/// Text and Markdown forms of the drift matrix.
public enum FleetText {
  static func nodeList(_ nodes: [String], limit: Int = 8) -> String {
    nodes.count <= limit ? nodes.joined(separator: ", ") : nodes.prefix(limit).joined(separator: ", ") + ", … (\(nodes.count - limit) more)"
  }

  /// The group's mark: `[=]` baseline, `[✗]` drift that matters, `[!]` warnings, `[✓]` otherwise.
  static func mark(_ group: FleetGroup, color: ColorPolicy) -> String {
    if group.isBaseline { return color.paint("[=]", .ok) }
    if group.matters || group.severity == .error { return color.paint("[✗]", .error) }
    if group.severity == .warning { return color.paint("[!]", .warning) }
    return color.paint("[✓]", .ok)
  }

  static func nodes(_ count: Int) -> String { "\(count) node\(count == 1 ? "" : "s")" }

  public static func render(_ report: FleetReport, color: ColorPolicy, verbose: Bool) -> String {
    var lines = ["rigcheck fleet · \(report.nodeCount) nodes, \(report.groups.count) distinct environment\(report.groups.count == 1 ? "" : "s") · baseline \(report.baseline)", ""]
    for group in report.groups {
      lines.append("\(mark(group, color: color)) \(group.identityHash.prefix(19))  \(nodes(group.nodes.count)): \(nodeList(group.nodes, limit: verbose ? Int.max : 8))")
      for verdict in group.verdicts.sorted(by: { $0.severity > $1.severity }) {
        lines.append("      \(color.paint(verdict.severity.mark, verdict.severity)) \(verdict.id): \(verdict.message)")
      }
      // Errors, then warnings, each with its values and the policy's reason; notes with -v.
      let shown = group.differences.filter { $0.severity >= .warning || verbose }.enumerated()
        .sorted { ($0.element.severity.rank, -$0.offset) > ($1.element.severity.rank, -$1.offset) }.map(\.element)
      for difference in shown {
        lines.append("      \(color.paint(difference.severity.mark, difference.severity)) \(difference.path): \(describe(difference))")
        if let reason = difference.reason, difference.severity >= .warning { lines.append("          why  \(reason)") }
      }
      let informational = group.differences.filter { $0.severity < .warning }.count
      if !verbose && informational > 0 { lines.append("      • \(informational) informational difference\(informational == 1 ? "" : "s") (-v lists them)") }
    }
    for problem in report.unreadable { lines.append(color.paint("[✗] unreadable \(problem.file): \(problem.problem)", .error)) }
    lines.append("")
    let failing = report.groups.filter(\.matters).flatMap(\.nodes).sorted()
    let warned = report.groups.filter { !$0.matters && $0.severity == .warning }.flatMap(\.nodes).sorted()
    let warnings = warned.isEmpty ? "" : "warnings on \(nodes(warned.count)): \(nodeList(warned, limit: verbose ? Int.max : 8))"
    if report.matters {
      var parts: [String] = []
      if !failing.isEmpty { parts.append("Drift that matters on \(nodes(failing.count)): \(nodeList(failing, limit: verbose ? Int.max : 8))") }
      if !report.unreadable.isEmpty { parts.append("\(report.unreadable.count) file\(report.unreadable.count == 1 ? "" : "s") unreadable") }
      if !warnings.isEmpty { parts.append(warnings) }
      var sentence = parts.joined(separator: "; ")
      sentence = sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
      lines.append(color.paint(sentence, .error))
    } else if !warnings.isEmpty {
      lines.append(color.paint("No drift that matters; \(warnings).", .warning))
    } else {
      lines.append(color.paint("No drift that matters.", .ok))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func describe(_ difference: Difference) -> String {
    switch difference.kind {
    case .added: return "only on the node: \(difference.right ?? "")"
    case .removed: return "only in the baseline: \(difference.left ?? "")"
    default: return "\(difference.kind.rawValue): \(difference.left ?? "") → \(difference.right ?? "")"
    }
  }

  public static func markdown(_ report: FleetReport) -> String {
    var lines = ["### rigcheck fleet: \(report.nodeCount) nodes, \(report.groups.count) environments", "", "Baseline: \(report.baseline)", ""]
    lines.append("| | identity | nodes | drift |")
    lines.append("|---|---|---|---|")
    for group in report.groups {
      let icon = group.isBaseline ? "🟰" : (group.matters || group.severity == .error ? "❌" : (group.severity == .warning ? "⚠️" : "✅"))
      let differences = group.differences.filter { $0.severity >= .warning }.enumerated()
        .sorted { ($0.element.severity.rank, -$0.offset) > ($1.element.severity.rank, -$1.offset) }.map(\.element)
      let drift = (group.verdicts.map { "\($0.severity.mark) \($0.id): \($0.message)" } + differences.map { "\($0.severity.mark) `\($0.path)` \(describe($0))" })
        .map { $0.replacing("|", with: "\\|") }.joined(separator: "<br>")
      lines.append("| \(icon) | `\(group.identityHash.prefix(19))` | \(group.nodes.count): \(nodeList(group.nodes)) | \(drift) |")
    }
    for problem in report.unreadable { lines.append("| ❌ | unreadable | `\(problem.file)` | \(problem.problem.replacing("|", with: "\\|")) |") }
    return lines.joined(separator: "\n") + "\n"
  }
}
