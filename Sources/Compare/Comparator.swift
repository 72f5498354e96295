import Compatibility
import Fingerprint
import Reporting

/// A fingerprint file read for comparison.
public struct ComparedSide: Sendable {
  public let name: String
  public let tree: JSONTree
  /// What the compatibility verdicts need, when the schema is the one this rigcheck reads:
  /// the host, and the images without their package lists (those are diffed from `tree`).
  public let host: HostFacts?
  public let images: [ImageFacts]
  public let schemaVersion: Int?
  /// Why the verdict inputs could not be decoded, when they could not.
  public let decodingProblem: String?

  /// The subset of a fingerprint the verdicts read; package lists are skipped.
  struct VerdictInputs: Decodable {
    struct Image: Decodable {
      var reference: String
      var runtime: String
      var config: Observed<ImageConfig>
      var architecture: String?
      var cuda: CUDAToolkitFacts
      var cudnn: [VersionSighting]
      var nccl: [VersionSighting]
      var frameworks: [FrameworkFacts]
    }
    struct Identity: Decodable {
      var host: HostFacts
      var images: [Image]
    }
    var identity: Identity
  }

  /// Reads `data` (the file `name`).
  /// - Throws: ``CompareInputError`` naming the file for malformed JSON or a non-fingerprint.
  public static func load(_ data: Data, name: String) throws(CompareInputError) -> ComparedSide {
    let tree: JSONTree
    do {
      tree = try JSONTree.parse(data)
    } catch {
      throw CompareInputError("\(name) is not valid JSON: \(error)")
    }
    return try load(tree, name: name)
  }

  /// A side from a file already parsed (`rigcheck fleet` parses each file once).
  /// - Throws: ``CompareInputError`` for a non-fingerprint.
  public static func load(_ tree: JSONTree, name: String) throws(CompareInputError) -> ComparedSide {
    guard case .object = tree, tree["identity"] != nil else {
      throw CompareInputError("\(name) is not a rigcheck fingerprint (no \"identity\" object)")
    }
    let version = tree["schemaVersion"]?.scalarText.flatMap { Int($0) }
    guard version == Fingerprint.currentSchemaVersion else {
      let problem = "\(name) uses fingerprint schema \(version.map(String.init) ?? "(none)"); this rigcheck reads schema \(Fingerprint.currentSchemaVersion)"
      return ComparedSide(name: name, tree: tree, host: nil, images: [], schemaVersion: version, decodingProblem: problem)
    }
    do {
      let inputs = try JSONTreeDecoder().decode(VerdictInputs.self, from: tree)
      let images = inputs.identity.images.map { image in
        ImageFacts(
          reference: image.reference, runtime: image.runtime, config: image.config, os: .absent("not read for comparison", source: "compare"),
          architecture: image.architecture, libc: .absent("not read for comparison", source: "compare"),
          python: .absent("not read for comparison", source: "compare"), condaPackages: [], cuda: image.cuda, cudnn: image.cudnn,
          nccl: image.nccl, frameworks: image.frameworks, notes: [])
      }
      return ComparedSide(name: name, tree: tree, host: inputs.identity.host, images: images, schemaVersion: version, decodingProblem: nil)
    } catch {
      return ComparedSide(name: name, tree: tree, host: nil, images: [], schemaVersion: version, decodingProblem: "\(name): \(Fingerprint.describeJSONError(error))")
    }
  }

  /// A side made from a fingerprint in memory (`rigcheck verify`).
  public init(name: String, fingerprint: Fingerprint) throws {
    self.name = name
    self.host = fingerprint.identity.host
    self.images = fingerprint.identity.images
    self.schemaVersion = fingerprint.schemaVersion
    self.decodingProblem = nil
    self.tree = try JSONTree.parse(CanonicalJSON.encode(fingerprint, pretty: false))
  }

  init(name: String, tree: JSONTree, host: HostFacts?, images: [ImageFacts], schemaVersion: Int?, decodingProblem: String?) {
    self.name = name
    self.tree = tree
    self.host = host
    self.images = images
    self.schemaVersion = schemaVersion
    self.decodingProblem = decodingProblem
  }

  var decoded: Bool { host != nil }
}

/// A problem with a compare input: exit status 2, one line naming the file.
public struct CompareInputError: Error, Sendable, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Diffs two fingerprints under a policy and judges host ↔ image compatibility.
public struct Comparator: Sendable {
  public var policy: Policy
  public var strict: Bool

  public init(policy: Policy = .mlDefault, strict: Bool = false) {
    self.policy = policy
    self.strict = strict
  }

  public func compare(_ left: ComparedSide, _ right: ComparedSide) -> Comparison {
    var notes: [String] = []
    if left.schemaVersion != right.schemaVersion {
      notes.append("\(left.name) uses schema \(left.schemaVersion.map(String.init) ?? "?") and \(right.name) schema \(right.schemaVersion.map(String.init) ?? "?"): fields are compared where their paths agree")
    }
    for side in [left, right] where !side.decoded {
      notes.append("compatibility verdicts skipped for \(side.name): \(side.decodingProblem ?? "not decodable")")
    }
    let pair = Self.unmatchedPair(Self.imageReferences(left.tree), Self.imageReferences(right.tree))
    let label = pair.map { Self.pairLabel($0.left, $0.right) }
    let leftIdentity = Self.relabel(left.tree["identity"] ?? .null, reference: pair?.left, as: label)
    let rightIdentity = Self.relabel(right.tree["identity"] ?? .null, reference: pair?.right, as: label)
    var leftLeaves = Flattening.flatten(leftIdentity)
    var rightLeaves = Flattening.flatten(rightIdentity)
    if left.decoded && right.decoded {
      leftLeaves.merge(Self.summaryLeaves(left.images) { $0 == pair?.left ? label! : $0 }) { current, _ in current }
      rightLeaves.merge(Self.summaryLeaves(right.images) { $0 == pair?.right ? label! : $0 }) { current, _ in current }
    }

    var differences: [Difference] = []
    var reported = Set<String>()
    let leftIndex = PrefixIndex(leftLeaves.keys)
    let rightIndex = PrefixIndex(rightLeaves.keys)
    for path in Set(leftLeaves.keys).union(rightLeaves.keys) {
      let before = leftLeaves[path]
      let after = rightLeaves[path]
      if before?.value == after?.value { continue }
      var reportPath = path
      var kind: Difference.Kind
      var oldValue = before?.value
      var newValue = after?.value
      if before == nil || after == nil {
        // Present on one side only: report it once, where the two sides part.
        let (mine, other, otherLeaves) = before == nil ? (after!, leftIndex, leftLeaves) : (before!, rightIndex, rightLeaves)
        if mine.value == "[]" || mine.value == "{}", other.hasChildren(path) { continue }
        let split = Self.partingPoint(path, other: other, otherLeaves: otherLeaves)
        reportPath = split
        if mine.value.hasPrefix("<"), other.hasChildren(path) {
          // An absent or unreadable fact on this side, present on the other.
          kind = .changed
          oldValue = before == nil ? "present" : mine.value
          newValue = before == nil ? mine.value : "present"
        } else if let status = otherLeaves[split], status.value.hasPrefix("<") {
          kind = .changed
          oldValue = before == nil ? status.value : "present"
          newValue = before == nil ? "present" : status.value
        } else {
          kind = before == nil ? .added : .removed
          let value = split == path ? mine.value : "present"
          oldValue = before == nil ? nil : value
          newValue = before == nil ? value : nil
        }
      } else if before!.isPackageVersion && after!.isPackageVersion {
        let old = PythonVersion(before!.value)
        let new = PythonVersion(after!.value)
        kind = old == new ? .changed : (old < new ? .upgraded : .downgraded)
      } else if let old = NumericVersion(before!.value), let new = NumericVersion(after!.value), old != new {
        // Driver, CUDA, cuDNN versions: dotted numbers ordered numerically.
        kind = old < new ? .upgraded : .downgraded
      } else {
        kind = .changed
      }
      guard reported.insert(reportPath).inserted else { continue }
      let entry = policy.rule(for: reportPath)
      guard entry.rule != .ignore else { continue }
      differences.append(
        Difference(
          path: reportPath, kind: kind, left: oldValue, right: newValue, rule: entry.rule, pattern: entry.pattern,
          severity: Self.severity(entry.rule, kind: kind, left: oldValue, right: newValue), reason: entry.reason))
    }
    differences.sort { $0.path < $1.path }
    var verdicts: [Verdict] = []
    if left.decoded && right.decoded {
      verdicts = CompatibilityVerdicts.judge(left: (left.host, left.images), right: (right.host, right.images))
    }
    return Comparison(left: left.name, right: right.name, differences: differences, verdicts: verdicts, notes: notes, strict: strict)
  }

  /// The shortest ancestor of `path` (at a `.` or `[` boundary) that the other side lacks,
  /// or that the other side holds as a single leaf (an absent or unreadable fact).
  static func partingPoint(_ path: String, other: PrefixIndex, otherLeaves: [String: Flattening.Leaf]) -> String {
    for ancestor in PrefixIndex.ancestors(of: path) {
      if let leaf = otherLeaves[ancestor], leaf.value.hasPrefix("<"), !other.hasChildren(ancestor) { return ancestor }
      if !other.contains(ancestor) { return ancestor }
    }
    return path
  }

  /// Severity of a difference under a rule.
  static func severity(_ rule: PolicyRule, kind: Difference.Kind, left: String?, right: String?) -> Severity {
    switch rule {
    case .ignore, .informational: return .note
    case .warn: return .warning
    case .exact: return .error
    case .sameBranch:
      // Only reached for values that differ: another branch is an error, the rest a warning.
      guard let left, let right, let old = leadingVersion(left), let new = leadingVersion(right) else { return .warning }
      return old.major == new.major ? .warning : .error
    case .sameMajor, .sameMinor, .atLeast:
      guard let left, let right, let old = leadingVersion(left), let new = leadingVersion(right) else { return .error }
      switch rule {
      case .sameMajor: return old.major == new.major ? .note : .error
      case .sameMinor: return old.prefix(2) == new.prefix(2) ? .note : .error
      default: return new >= old ? .note : .error
      }
    }
  }

  /// The version number a value starts with (`2.21.5-1` → 2.21.5, `12.4` → 12.4).
  static func leadingVersion(_ text: String) -> NumericVersion? {
    var digits = text.prefix { $0.isNumber || $0 == "." }
    while digits.hasSuffix(".") { digits = digits.dropLast() }
    return NumericVersion(String(digits))
  }

  /// The references of a fingerprint's images.
  static func imageReferences(_ tree: JSONTree) -> [String] {
    (tree["identity"]?["images"]?.elements ?? []).compactMap { $0["reference"]?.scalarText }
  }

  /// When each side holds exactly one image not on the other side, those two are compared
  /// with each other (two builds of an image under different tags).
  static func unmatchedPair(_ left: [String], _ right: [String]) -> (left: String, right: String)? {
    let leftOnly = left.filter { !right.contains($0) }
    let rightOnly = right.filter { !left.contains($0) }
    guard leftOnly.count == 1, rightOnly.count == 1 else { return nil }
    return (leftOnly[0], rightOnly[0])
  }

  /// The identity with the image `reference` renamed to `label` (the paired key `A ↔ B`).
  static func relabel(_ identity: JSONTree, reference: String?, as label: String?) -> JSONTree {
    guard let reference, let label, case .object(var members) = identity, case .array(var images)? = members["images"] else {
      return identity
    }
    for index in images.indices where images[index]["reference"]?.scalarText == reference {
      if case .object(var image) = images[index] {
        image["reference"] = .string(label)
        images[index] = .object(image)
      }
    }
    members["images"] = .array(images)
    return .object(members)
  }

  static func pairLabel(_ left: String, _ right: String) -> String { "\(left) ↔ \(right)" }

  /// Derived per-image leaves the policy judges directly: the CUDA version the image states
  /// (torch's CUDA build, else the toolkit/runtime), and the sets of cuDNN and NCCL versions
  /// wherever their copies live.
  static func summaryLeaves(_ images: [ImageFacts], key: (String) -> String) -> [String: Flattening.Leaf] {
    func versions(_ sightings: [VersionSighting]) -> String {
      Set(sightings.compactMap { leadingVersion($0.version).map { $0.prefix(3).map(String.init).joined(separator: ".") } }).sorted().joined(separator: ", ")
    }
    var leaves: [String: Flattening.Leaf] = [:]
    for image in images {
      let key = key(image.reference)
      // Always present, `none` when missing, so "CUDA on one side only" is a change of value.
      let cuda = image.framework("torch")?.info.value?.cuda ?? image.cuda.bestVersion
      leaves["images[\(key)].summary.cuda"] = Flattening.Leaf(value: cuda ?? "none", isPackageVersion: false)
      leaves["images[\(key)].summary.cudnn"] = Flattening.Leaf(value: image.cudnn.isEmpty ? "none" : versions(image.cudnn), isPackageVersion: false)
      leaves["images[\(key)].summary.nccl"] = Flattening.Leaf(value: image.nccl.isEmpty ? "none" : versions(image.nccl), isPackageVersion: false)
    }
    return leaves
  }
}

/// Which paths (and path prefixes) a side has: its leaf paths sorted, searched by prefix.
struct PrefixIndex {
  private let sorted: [String]

  init(_ paths: some Sequence<String>) {
    sorted = paths.sorted()
  }

  /// The side has this path or something under it.
  func contains(_ prefix: String) -> Bool { anyLeaf(startingWith: prefix, includingItself: true) }
  /// The side has something strictly under this path.
  func hasChildren(_ prefix: String) -> Bool { anyLeaf(startingWith: prefix, includingItself: false) }

  private func anyLeaf(startingWith prefix: String, includingItself: Bool) -> Bool {
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] < prefix { low = middle + 1 } else { high = middle }
    }
    var index = low
    while index < sorted.count, sorted[index].hasPrefix(prefix) {
      let path = sorted[index]
      if path.utf8.count == prefix.utf8.count {
        if includingItself { return true }
      } else {
        let next = path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: prefix.utf8.count)]
        if next == UInt8(ascii: ".") || next == UInt8(ascii: "[") { return true }
      }
      index += 1
    }
    return false
  }

  /// `a.b[c.d].e` → `a`, `a.b`, `a.b[c.d]`, `a.b[c.d].e` (brackets are never split).
  static func ancestors(of path: String) -> [String] {
    var result: [String] = []
    var depth = 0
    let bytes = Array(path.utf8)
    for (offset, byte) in bytes.enumerated() {
      if depth == 0 && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[")) && offset > 0 {
        result.append(String(decoding: bytes[0..<offset], as: UTF8.self))
      }
      if byte == UInt8(ascii: "[") { depth += 1 } else if byte == UInt8(ascii: "]") { depth = max(0, depth - 1) }
    }
    result.append(path)
    return result
  }
}
