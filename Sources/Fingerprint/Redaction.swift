/// Removes personal and secret data from a fingerprint before it is shared
/// (`rigcheck fingerprint --redact`, `rigcheck lock`, `rigcheck verify`).
///
/// **Complete by construction.** The fingerprint is encoded canonically and *every* string of
/// that encoding goes through the same rules: values and object keys, host and images, paths,
/// environment values, labels, notes, sources, reasons. The rules name no field of the
/// identity, so a field added to the model tomorrow is redacted without anyone remembering;
/// the only names used are `machine` (the part blanked whole), the few members of it that are
/// not machine-unique, and the one value kept verbatim (below). The result is decoded back
/// into a ``Fingerprint``: structure is intact by construction. A replacement that would break
/// decoding (a host named `present`, like an enumeration value) is undone for that one string;
/// object keys that could be field names (`rootDir`) get only the rules of shape (paths,
/// UUIDs, tokens), so no field is ever renamed.
///
/// What is replaced, in every string:
/// - the *machine part* (every string under `machine` except `pciAddress`, the join key, and
///   provenance): the hostname becomes `REDACTED-HOST`, GPU UUIDs `GPU-REDACTED-i`, serials
///   `SERIAL-REDACTED-i` (i: the GPU's position by PCI address), anything else
///   `REDACTED-<FIELD>[-i]`; each of these values is also replaced wherever else it occurs;
/// - the hostname (and an environment's `HOSTNAME`) inside any other string, case-insensitively,
///   as a whole word, i.e. not inside a longer run of letters and digits (`/data/cache-node7/x`,
///   `node7.cluster.example`, `NODE7_CACHE`): `REDACTED-HOST`;
/// - the user of a home directory (`/home/NAME`, `/Users/NAME`, `/var/home/NAME`; `/root` is
///   kept): `REDACTED-USER`, and that name (and an environment's `USER`, `LOGNAME`, …) inside
///   any other string, case-insensitively, as a whole word (`/scratch/NAME/venv`, `NAME@host`).
///   Names and hostnames shorter than 3 characters, default accounts (`ubuntu`, `ec2-user`,
///   `jovyan`, …) and words of paths (`dev`, `lib`, `cuda`, …) identify nobody and are replaced
///   in home directories only, so `/home/dev` does not turn `/dev/nvidia0` into a placeholder;
/// - `/run/user/UID`: `/run/user/REDACTED-UID`;
/// - GPU and MIG UUIDs wherever they appear (`GPU-xxxxxxxx-xxxx-…`, CDI device names,
///   `NVIDIA_VISIBLE_DEVICES`): the machine's own GPUs by position, others
///   `GPU-REDACTED-n` / `MIG-REDACTED-n` in order of appearance;
/// - token-looking values anywhere (`hf_…`, `ghp_…`, `github_pat_…`, `sk-…`, `AKIA…`, `glpat-…`,
///   `xox?-…`, `npm_…`, `pypi-…`, `AIza…`, JWTs): `REDACTED-TOKEN`; URL credentials
///   (`https://user:pass@host`): `https://REDACTED@host`;
/// - in environment variables (members whose name looks like one: `NAME_LIKE_THIS`, `PATH`):
///   the whole value of names containing TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL or
///   AUTH; and runs of 32 or more base64/hex characters (`sha256:` digests and variables
///   naming a hash or checksum excepted): `REDACTED-TOKEN`.
///
/// Kept verbatim: image references (what `rigcheck verify` inspects again) and image ids and
/// digests (`sha256:…`, `repo@sha256:…`): public identifiers needed for comparison.
///
/// Placeholders depend only on the fingerprint (positions, order of appearance in the
/// canonical encoding), so redacting the same machine twice gives byte-identical output, and
/// redacting a redacted fingerprint changes nothing. Two machines that differ only in the
/// replaced values redact to the same identity. Arrays of strings that were sorted are sorted
/// again after replacement; of map keys made equal by a replacement, the first is kept.
///
/// **The identity hash** of a redacted fingerprint is the hash of its redacted identity. It
/// equals the unredacted hash whenever the identity part held none of the replaced values
/// (the machine part is never hashed); it differs when the identity held, say, a venv under
/// `/home/NAME` or a CDI spec naming GPU UUIDs. Compare redacted with redacted (`lock` and
/// `verify` do; fleet recipes redact every node): equal environments then hash equal.
public enum Redaction {
  public static let hostnamePlaceholder = "REDACTED-HOST"
  public static let userPlaceholder = "REDACTED-USER"
  public static let uidPlaceholder = "REDACTED-UID"
  public static let tokenPlaceholder = "REDACTED-TOKEN"
  /// The one marker every placeholder carries; values containing it are never learned.
  static let marker = "REDACTED"

  /// Members of list elements (an image of `identity.images`) whose string values are public
  /// identifiers, kept verbatim: the image reference `verify` inspects again. (A label or an
  /// environment variable of the same name is redacted like any other.)
  public static let keptMembers: Set<String> = ["reference"]

  /// The fingerprint with everything personal or secret replaced (see ``Redaction``).
  /// - Throws: ``RedactionError`` if the result would not decode (never expected:
  ///   replacements that would break an enumeration's value are undone), or if the fingerprint
  ///   holds an integer beyond 2^53 that a `Double` would round (see ``JSONTree``).
  public static func redact(_ fingerprint: Fingerprint) throws -> Fingerprint {
    let encoded: Data
    do {
      encoded = try CanonicalJSON.encode(fingerprint, pretty: false)
    } catch {
      throw RedactionError(description: "cannot encode the fingerprint: \(error)")
    }
    // JSONTree holds numbers as Doubles: integers beyond 2^53 that one would round are refused
    // rather than changed. (Counts stay far below; the kernel's byte counts are multiples of a
    // page or block size, held exactly up to 2^62 and beyond.)
    var parser = JSONTreeParser(bytes: Array(encoded), maximumDepth: 1024)
    parser.exactIntegers = true
    let original: JSONTree
    do {
      original = try parser.parseDocument()
    } catch {
      throw RedactionError(description: "cannot read the encoded fingerprint: \(error)")
    }
    var redactor = Redactor(learningFrom: original)
    var replacements = redactor.replacements(in: original)
    // A replacement can only break decoding where a string is an enumeration's raw value
    // (a host named like one): undo exactly that replacement and try again.
    let decoder = JSONDecoder()
    var attempts = 0
    while true {
      do {
        _ = try decoder.decode(Fingerprint.self, from: replacements.applied(to: original).serialized())
        break
      } catch let error as DecodingError {
        attempts += 1
        guard attempts < 10_000, replacements.revert(at: error, in: original) else {
          throw RedactionError(description: "the redacted fingerprint does not decode: \(Fingerprint.describe(error))")
        }
      } catch {
        throw RedactionError(description: "the redacted fingerprint does not decode: \(error)")
      }
    }
    do {
      return try decoder.decode(Fingerprint.self, from: replacements.applied(to: original, resortingStringArrays: true).serialized())
    } catch {
      throw RedactionError(description: "the redacted fingerprint does not decode: \(Fingerprint.describe(error))")
    }
  }

  /// `/home/alice/x` → `/home/REDACTED-USER/x`; `/Users/bob` → `/Users/REDACTED-USER`;
  /// `/run/user/1000/x` → `/run/user/REDACTED-UID/x`. (One of the rules of ``redact(_:)``.)
  public static func redactUserPaths(_ text: String) -> String {
    String(decoding: TextRules.homeDirectories(Array(text.utf8)), as: UTF8.self)
  }
}

/// Why a fingerprint could not be redacted.
public struct RedactionError: Error, Sendable, CustomStringConvertible {
  public let description: String
}

// MARK: - What one fingerprint's redaction learns and replaces

/// The secrets learned from one fingerprint, and the rules applied to each of its strings.
struct Redactor {
  /// Values of the machine part and their placeholders, replaced wherever they occur.
  var machineValues: [(value: [UInt8], placeholder: [UInt8])] = []
  /// Hostnames to replace inside other strings (case-insensitive, whole words).
  var hostnames: [[UInt8]] = []
  /// User names to replace inside other strings (whole words).
  var users: [[UInt8]] = []
  /// GPU/MIG UUIDs (lower case, prefix included) → placeholder.
  var uuids: [String: String] = [:]
  var nextGPU = 0
  var nextMIG = 0

  /// Machine-part members that are not machine-unique: the join key and provenance.
  static let machineStructuralKeys: Set<String> = ["pciAddress", "status", "source", "reason"]
  /// Default, distribution or service accounts and hostnames: they identify nobody and are too
  /// common to replace as words elsewhere (home-directory components are still replaced).
  /// Words of paths and tools that a user or host could be named after (`/home/dev`), kept
  /// everywhere else (`/dev/nvidia0`, `nvidia.com/gpu`).
  static let commonWords: Set<String> = [
    "dev", "test", "tmp", "opt", "var", "usr", "lib", "bin", "etc", "src", "app", "data", "home", "work", "lab", "demo", "gpu",
    "cuda", "python", "conda", "torch", "nvidia", "docker", "podman", "root", "user", "admin", "guest", "shared", "local",
  ]
  static let genericUsers: Set<String> = commonWords.union([
    "ubuntu", "debian", "administrator", "ec2-user", "centos", "fedora", "rocky", "almalinux", "cloud-user", "opc",
    "azureuser", "jovyan", "runner", "vscode", "codespace", "builder", "nobody", "daemon", "linuxbrew",
  ])
  static let genericHostnames: Set<String> = commonWords.union([
    "localhost", "localhost.localdomain", "localdomain", "ubuntu", "debian", "fedora", "centos", "rhel", "rocky",
    "almalinux", "archlinux", "alpine", "raspberrypi", "linux", "host", "server", "node", "computer", "workstation",
    "desktop", "laptop", "buildkitsandbox", "docker-desktop", "(none)",
  ])
  static let userVariables: Set<String> = ["USER", "LOGNAME", "USERNAME", "SUDO_USER"]
  static let hostnameVariables: Set<String> = ["HOSTNAME"]
  static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH"]
  static let hashMarkers = ["SHA", "DIGEST", "CHECKSUM", "HASH"]

  /// One step from a value of the encoded fingerprint to a member or element.
  enum Step: Hashable {
    case key(String)
    case index(Int)
  }

  /// Calls `body` with every string of `node` in canonical order (values, and object keys with
  /// `isKey`), its path, and the member that holds it.
  static func forEachString(
    in node: JSONTree, path: [Step] = [], member: String? = nil,
    _ body: (_ path: [Step], _ member: String?, _ value: String, _ isKey: Bool) -> Void
  ) {
    switch node {
    case .string(let value): body(path, member, value, false)
    case .array(let elements):
      for (index, element) in elements.enumerated() { forEachString(in: element, path: path + [.index(index)], member: member, body) }
    case .object:
      for (key, value) in node.canonicalMembers {
        body(path, nil, key, true)
        forEachString(in: value, path: path + [.key(key)], member: key, body)
      }
    case .null, .bool, .number: return
    }
  }

  init(learningFrom root: JSONTree) {
    var hostnames: [String] = []
    var users: [String] = []
    var machineGPUs = 0
    Redactor.forEachString(in: root) { path, member, value, isKey in
      users += TextRules.homeDirectoryUsers(Array(value.utf8))
      guard !isKey else { return }
      if let placeholder = Redactor.machinePlaceholder(path: path) {
        if let index = Redactor.lastIndex(path) { machineGPUs = max(machineGPUs, index + 1) }
        guard !value.isEmpty, !value.contains(Redaction.marker) else { return }
        // The hostname goes by the hostname rules (case, common names); other values as they are.
        if Redactor.leafName(path) == "hostname" {
          hostnames.append(value)
          return
        }
        machineValues.append((Array(value.utf8), Array(placeholder.utf8)))
        if TextRules.isDeviceUUID(Array(value.utf8)) { uuids[value.lowercased()] = placeholder }
        return
      }
      if let member, Redactor.isEnvironmentName(member) {
        if Redactor.userVariables.contains(member.uppercased()) { users.append(value) }
        if Redactor.hostnameVariables.contains(member.uppercased()) { hostnames.append(value) }
      }
    }
    nextGPU = machineGPUs
    // Longest first, so `node7.cluster.example` goes before `node7`.
    var hostWords: Set<String> = []
    for name in hostnames {
      let lower = name.lowercased()
      hostWords.insert(lower)
      if let dot = lower.firstIndex(of: "."), dot != lower.startIndex { hostWords.insert(String(lower[..<dot])) }
    }
    self.hostnames = hostWords.filter { $0.utf8.count >= 3 && !$0.contains(Redaction.marker.lowercased()) && !Redactor.genericHostnames.contains($0) }
      .sorted { ($0.utf8.count, $0) > ($1.utf8.count, $1) }.map { Array($0.utf8) }
    self.users = Set(users.map { $0.lowercased() }).filter { $0.utf8.count >= 3 && !$0.contains("redacted") && !Redactor.genericUsers.contains($0) }
      .sorted { ($0.utf8.count, $0) > ($1.utf8.count, $1) }.map { Array($0.utf8) }
    machineValues = machineValues.filter { $0.value.count >= 4 }.sorted { left, right in
      left.value.count != right.value.count ? left.value.count > right.value.count : left.value.lexicographicallyPrecedes(right.value)
    }
  }

  /// The placeholder of a machine-part string at `path`, nil outside the machine part or for
  /// its structural members.
  static func machinePlaceholder(path: [Step]) -> String? {
    guard case .key("machine") = path.first else { return nil }
    let name = leafName(path)
    if machineStructuralKeys.contains(name) { return nil }
    let index = lastIndex(path)
    switch name {
    case "hostname": return Redaction.hostnamePlaceholder
    case "uuid": return "GPU-REDACTED-\(index ?? 0)"
    case "serial": return "SERIAL-REDACTED-\(index ?? 0)"
    default: return "REDACTED-\(name.uppercased())" + (index.map { "-\($0)" } ?? "")
    }
  }

  /// The innermost array position in `path`.
  static func lastIndex(_ path: [Step]) -> Int? {
    for component in path.reversed() {
      if case .index(let index) = component { return index }
    }
    return nil
  }

  /// The member a value belongs to, skipping `value` (``Observed``'s) and array positions.
  static func leafName(_ path: [Step]) -> String {
    for component in path.reversed() {
      if case .key(let key) = component, key != "value" { return key }
    }
    return ""
  }

  /// `PATH`, `CUDA_VERSION`, `http_proxy`: a name that is not a camelCase field of the model.
  static func isEnvironmentName(_ key: String) -> Bool {
    guard let first = key.utf8.first, first == UInt8(ascii: "_") || TextRules.isLetter(first) else { return false }
    guard key.utf8.allSatisfy({ TextRules.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }) else { return false }
    return key.contains("_") || !key.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
  }

  /// What redaction replaces in `root`, visiting its strings in canonical order (placeholders
  /// are numbered in order of appearance).
  mutating func replacements(in root: JSONTree) -> Replacements {
    var replacements = Replacements()
    collect(root, path: [], member: nil, into: &replacements)
    return replacements
  }

  private mutating func collect(_ node: JSONTree, path: [Step], member: String?, into replacements: inout Replacements) {
    switch node {
    case .string(let value):
      let redacted = redact(string: value, path: path, member: member)
      if !redacted.utf8.elementsEqual(value.utf8) { replacements.values[path] = redacted }
    case .array(let elements):
      for (index, element) in elements.enumerated() { collect(element, path: path + [.index(index)], member: member, into: &replacements) }
    case .object:
      for (key, value) in node.canonicalMembers {
        let redacted = redact(key: key)
        if !redacted.utf8.elementsEqual(key.utf8) { replacements.keys[path + [.key(key)]] = redacted }
        collect(value, path: path + [.key(key)], member: key, into: &replacements)
      }
    case .null, .bool, .number: return
    }
  }

  /// The string value at `path`, held by object member `member`, redacted.
  mutating func redact(string value: String, path: [Step], member: String?) -> String {
    if let placeholder = Redactor.machinePlaceholder(path: path) { return value.isEmpty ? value : placeholder }
    if let member, Redaction.keptMembers.contains(member), path.count >= 2, case .index = path[path.count - 2] { return value }
    return redact(value: value, member: member)
  }

  /// A string value held by object member `member`.
  mutating func redact(value: String, member: String?) -> String {
    guard let member else { return redact(text: value) }
    guard Redactor.isEnvironmentName(member), !value.isEmpty else { return redact(text: value) }
    let upper = member.uppercased()
    if Redactor.userVariables.contains(upper) { return Redaction.userPlaceholder }
    if Redactor.hostnameVariables.contains(upper) { return Redaction.hostnamePlaceholder }
    if Redactor.secretMarkers.contains(where: { upper.contains($0) }) { return Redaction.tokenPlaceholder }
    let text = redact(text: value)
    if Redactor.hashMarkers.contains(where: { upper.contains($0) }) { return text }
    return String(decoding: TextRules.longRuns(Array(text.utf8)), as: UTF8.self)
  }

  /// An object key. Keys that could be a field of the model (`rootDir`, `value`) get the rules
  /// of shape only, so that no field is ever renamed, whatever the hostname; map keys
  /// (environment names, labels: `_`, `.`, `-`, capitals) get every rule.
  mutating func redact(key: String) -> String {
    let bytes = Array(key.utf8)
    let isFieldName =
      bytes.first.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } == true && bytes.allSatisfy(TextRules.isAlphanumeric)
    return redact(text: key, words: !isFieldName)
  }

  /// Every rule that applies to any string, in order; `words`: also the learned words
  /// (machine values, hostnames, user names).
  mutating func redact(text: String, words: Bool = true) -> String {
    var bytes = Array(text.utf8)
    if TextRules.isImageIdentifier(bytes) { return text }
    for (value, placeholder) in machineValues where words {
      bytes = TextRules.replaceWord(value, with: placeholder, in: bytes, ignoringCase: false)
    }
    bytes = TextRules.rewrite(bytes) { bytes, index in deviceUUID(bytes, at: index) }
    bytes = TextRules.tokens(bytes)
    bytes = TextRules.urlCredentials(bytes)
    bytes = TextRules.homeDirectories(bytes)
    for name in hostnames where words {
      bytes = TextRules.replaceWord(name, with: Array(Redaction.hostnamePlaceholder.utf8), in: bytes, ignoringCase: true)
    }
    for name in users where words {
      bytes = TextRules.replaceWord(name, with: Array(Redaction.userPlaceholder.utf8), in: bytes, ignoringCase: true)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `GPU-<uuid>` or `MIG-<uuid>` at `index`: the machine's own GPUs keep their positions,
  /// others are numbered in order of appearance.
  mutating func deviceUUID(_ bytes: [UInt8], at index: Int) -> (length: Int, replacement: [UInt8])? {
    guard index == 0 || !TextRules.isAlphanumeric(bytes[index - 1]) else { return nil }
    let length = 4 + 36
    guard index + length <= bytes.count, TextRules.isDeviceUUID(Array(bytes[index..<(index + length)])) else { return nil }
    if index + length < bytes.count, TextRules.isAlphanumeric(bytes[index + length]) { return nil }
    let key = String(decoding: bytes[index..<(index + length)], as: UTF8.self).lowercased()
    if let known = uuids[key] { return (length, Array(known.utf8)) }
    let placeholder: String
    if key.hasPrefix("gpu-") {
      placeholder = "GPU-REDACTED-\(nextGPU)"
      nextGPU += 1
    } else {
      placeholder = "MIG-REDACTED-\(nextMIG)"
      nextMIG += 1
    }
    uuids[key] = placeholder
    return (length, Array(placeholder.utf8))
  }
}

// MARK: - The replacements in one encoded fingerprint

/// The strings redaction replaces in the encoded fingerprint, by their position in it (keys
/// as in the original): the original tree plus these is the redacted one.
struct Replacements {
  /// String values.
  var values: [[Redactor.Step]: String] = [:]
  /// Object keys, by the member's path.
  var keys: [[Redactor.Step]: String] = [:]

  /// `root` with the replacements made. Of keys made equal by a replacement, the first in
  /// canonical order is kept. `resortingStringArrays`: arrays of strings that were sorted in
  /// `root` are sorted again (a replacement can change their order; producers sort, and equal
  /// environments must stay byte-identical).
  func applied(to root: JSONTree, resortingStringArrays: Bool = false) -> JSONTree {
    apply(root, path: [], resorting: resortingStringArrays)
  }

  private func apply(_ node: JSONTree, path: [Redactor.Step], resorting: Bool) -> JSONTree {
    switch node {
    case .string(let value):
      return .string(values[path] ?? value)
    case .array(let elements):
      let children = elements.enumerated().map { index, element in apply(element, path: path + [.index(index)], resorting: resorting) }
      guard resorting, children.count > 1 else { return .array(children) }
      let strings = children.compactMap { child -> String? in
        if case .string(let value) = child { return value }
        return nil
      }
      let originals = elements.compactMap { element -> String? in
        if case .string(let value) = element { return value }
        return nil
      }
      guard strings.count == children.count, originals.count == elements.count, originals == originals.sorted(), strings != strings.sorted()
      else { return .array(children) }
      return .array(strings.sorted().map(JSONTree.string))
    case .object:
      var members: [String: JSONTree] = [:]
      for (key, value) in node.canonicalMembers {
        let path = path + [.key(key)]
        let name = keys[path] ?? key
        if members[name] == nil { members[name] = apply(value, path: path, resorting: resorting) }
      }
      return .object(members)
    case .null, .bool, .number:
      return node
    }
  }

  /// Undoes the replacement a decoding error (of ``applied(to:resortingStringArrays:)``
  /// without resorting) points at. False when the error points at nothing that was replaced.
  mutating func revert(at error: DecodingError, in root: JSONTree) -> Bool {
    switch error {
    case .keyNotFound(let key, let context):
      // A member renamed away from a field the model needs.
      guard let path = originalPath(of: context.codingPath, in: root), keys[path + [.key(key.stringValue)]] != nil else { return false }
      keys[path + [.key(key.stringValue)]] = nil
      return true
    case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
      // Everything replaced at and under the position (not the key of the member it names).
      guard let path = originalPath(of: context.codingPath, in: root) else { return false }
      let below = { (position: [Redactor.Step]) in position.starts(with: path) }
      let changed = values.keys.contains(where: below) || keys.keys.contains { $0.count > path.count && below($0) }
      values = values.filter { !below($0.key) }
      keys = keys.filter { !($0.key.count > path.count && below($0.key)) }
      return changed
    @unknown default:
      return false
    }
  }

  /// The position in `root` that a coding path of the redacted tree names (its keys as
  /// replaced; of equal ones, the first in canonical order, the one kept).
  func originalPath(of codingPath: [any CodingKey], in root: JSONTree) -> [Redactor.Step]? {
    var node = root
    var path: [Redactor.Step] = []
    for key in codingPath {
      switch node {
      case .array(let elements):
        guard let index = key.intValue, elements.indices.contains(index) else { return nil }
        path.append(.index(index))
        node = elements[index]
      case .object:
        guard let member = node.canonicalMembers.first(where: { (keys[path + [.key($0.key)]] ?? $0.key) == key.stringValue }) else { return nil }
        path.append(.key(member.key))
        node = member.value
      case .null, .bool, .number, .string:
        return nil
      }
    }
    return path
  }
}

// MARK: - Rules on the bytes of one string

enum TextRules {
  static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
  static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
  static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
  static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f")) }
  /// Bytes that continue a word: `node7` is not in `node71`, but is in `node7-scratch`,
  /// `NODE7_CACHE`, `node7.cluster`.
  static func isWordByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) }
  static func lower(_ byte: UInt8) -> UInt8 { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte }

  static func starts(_ bytes: [UInt8], at index: Int, with prefix: [UInt8], ignoringCase: Bool = false) -> Bool {
    guard index + prefix.count <= bytes.count else { return false }
    for offset in 0..<prefix.count {
      let byte = bytes[index + offset]
      if ignoringCase ? lower(byte) != lower(prefix[offset]) : byte != prefix[offset] { return false }
    }
    return true
  }

  /// Copies `bytes`, letting `match` replace a span starting at any position.
  static func rewrite(_ bytes: [UInt8], _ match: (_ bytes: [UInt8], _ index: Int) -> (length: Int, replacement: [UInt8])?) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if let (length, replacement) = match(bytes, index), length > 0 {
        output += replacement
        index += length
      } else {
        output.append(bytes[index])
        index += 1
      }
    }
    return output
  }

  /// `word` where it stands as a whole word (not inside a longer run of letters or digits).
  static func replaceWord(_ word: [UInt8], with placeholder: [UInt8], in bytes: [UInt8], ignoringCase: Bool) -> [UInt8] {
    guard !word.isEmpty, bytes.count >= word.count else { return bytes }
    return rewrite(bytes) { bytes, index in
      guard index == 0 || !isWordByte(bytes[index - 1]), starts(bytes, at: index, with: word, ignoringCase: ignoringCase) else { return nil }
      let end = index + word.count
      guard end == bytes.count || !isWordByte(bytes[end]) else { return nil }
      return (word.count, placeholder)
    }
  }

  /// `GPU-` or `MIG-` (any case) and a UUID (8-4-4-4-12 hex digits), exactly.
  static func isDeviceUUID(_ bytes: [UInt8]) -> Bool {
    guard bytes.count == 40,
      starts(bytes, at: 0, with: Array("GPU-".utf8), ignoringCase: true) || starts(bytes, at: 0, with: Array("MIG-".utf8), ignoringCase: true)
    else { return false }
    for (offset, byte) in bytes[4...].enumerated() {
      if [8, 13, 18, 23].contains(offset) { if byte != UInt8(ascii: "-") { return false } } else if !isHex(byte) { return false }
    }
    return true
  }

  /// `sha256:<hex>` image ids and `repo@sha256:<hex>` digests.
  static func isImageIdentifier(_ bytes: [UInt8]) -> Bool {
    let marker = Array("sha256:".utf8)
    guard bytes.count >= marker.count + 64 else { return false }
    let start = bytes.count - 64 - marker.count
    guard starts(bytes, at: start, with: marker), bytes[(start + marker.count)...].allSatisfy(isHex) else { return false }
    if start == 0 { return true }
    // `registry.example.com:5000/team/train@sha256:…`: the characters of a repository name.
    let repository = bytes[..<(start - 1)]
    return bytes[start - 1] == UInt8(ascii: "@") && repository.first.map(isAlphanumeric) == true
      && repository.allSatisfy { isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || "._-/:".utf8.contains($0) }
  }

  /// Prefixes of well-known credentials: the characters that may follow and how many at least.
  static let tokenShapes: [(prefix: [UInt8], allowed: @Sendable (UInt8) -> Bool, minimum: Int)] = {
    let alphanumeric: @Sendable (UInt8) -> Bool = { isAlphanumeric($0) }
    let underscored: @Sendable (UInt8) -> Bool = { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    let dashed: @Sendable (UInt8) -> Bool = { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    let upper: @Sendable (UInt8) -> Bool = { isDigit($0) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
    let jwt: @Sendable (UInt8) -> Bool = { dashed($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "=") }
    var shapes: [(String, @Sendable (UInt8) -> Bool, Int)] = [
      ("hf_", alphanumeric, 20), ("github_pat_", underscored, 20), ("sk-", dashed, 20), ("AKIA", upper, 16),
      ("ASIA", upper, 16), ("glpat-", dashed, 20), ("npm_", alphanumeric, 30), ("pypi-", dashed, 50),
      ("AIza", dashed, 30), ("eyJ", jwt, 30),
    ]
    shapes += ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map { ($0, alphanumeric, 20) }
    shapes += ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"].map { ($0, dashed, 10) }
    return shapes.map { (Array($0.0.utf8), $0.1, $0.2) }
  }()

  /// Credentials of a known shape → `REDACTED-TOKEN`.
  static func tokens(_ bytes: [UInt8]) -> [UInt8] {
    rewrite(bytes) { bytes, index in
      guard index == 0 || !isAlphanumeric(bytes[index - 1]) else { return nil }
      for shape in tokenShapes where starts(bytes, at: index, with: shape.prefix) {
        var end = index + shape.prefix.count
        while end < bytes.count, shape.allowed(bytes[end]) { end += 1 }
        while end > index + shape.prefix.count, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        if end - index - shape.prefix.count >= shape.minimum { return (end - index, Array(Redaction.tokenPlaceholder.utf8)) }
      }
      return nil
    }
  }

  /// `scheme://user:password@host` → `scheme://REDACTED@host` (digests `x@sha256:` are not
  /// credentials).
  static func urlCredentials(_ bytes: [UInt8]) -> [UInt8] {
    let separator = Array("://".utf8)
    let placeholder = Array("://REDACTED@".utf8)
    return rewrite(bytes) { bytes, index in
      guard starts(bytes, at: index, with: separator) else { return nil }
      var end = index + separator.count
      while end < bytes.count, !"/@?# \t\n\"'".utf8.contains(bytes[end]) { end += 1 }
      guard end < bytes.count, bytes[end] == UInt8(ascii: "@"), end > index + separator.count,
        !starts(bytes, at: end + 1, with: Array("sha256:".utf8))
      else { return nil }
      return (end + 1 - index, placeholder)
    }
  }

  static let homePrefixes: [(prefix: [UInt8], placeholder: [UInt8])] = [
    (Array("/home/".utf8), Array(Redaction.userPlaceholder.utf8)),
    (Array("/Users/".utf8), Array(Redaction.userPlaceholder.utf8)),
    (Array("/run/user/".utf8), Array(Redaction.uidPlaceholder.utf8)),
  ]

  /// Where the directory component after `prefix` ends.
  static func componentEnd(_ bytes: [UInt8], from start: Int) -> Int {
    var end = start
    while end < bytes.count, !"/ \t\n:;,=\"'()[]{}<>|@".utf8.contains(bytes[end]) { end += 1 }
    return end
  }

  /// `/home/NAME`, `/Users/NAME` → `REDACTED-USER`; `/run/user/UID` → `REDACTED-UID`.
  static func homeDirectories(_ bytes: [UInt8]) -> [UInt8] {
    rewrite(bytes) { bytes, index in
      for (prefix, placeholder) in homePrefixes where starts(bytes, at: index, with: prefix) {
        let start = index + prefix.count
        let end = componentEnd(bytes, from: start)
        guard end > start else { return nil }
        return (end - index, prefix + placeholder)
      }
      return nil
    }
  }

  /// The user names of `/home/NAME` and `/Users/NAME` components.
  static func homeDirectoryUsers(_ bytes: [UInt8]) -> [String] {
    var users: [String] = []
    for index in bytes.indices where bytes[index] == UInt8(ascii: "/") {
      for (prefix, placeholder) in homePrefixes.prefix(2) where starts(bytes, at: index, with: prefix) {
        let start = index + prefix.count
        let end = componentEnd(bytes, from: start)
        if end > start, Array(bytes[start..<end]) != placeholder { users.append(String(decoding: bytes[start..<end], as: UTF8.self)) }
      }
    }
    return users
  }

  /// Runs of 32 or more base64 or hex characters (an environment value's token) →
  /// `REDACTED-TOKEN`; paths (`/…`) and `sha256:` digests are not tokens.
  static func longRuns(_ bytes: [UInt8]) -> [UInt8] {
    func isRunByte(_ byte: UInt8) -> Bool {
      isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
    return rewrite(bytes) { bytes, index in
      guard index == 0 || !isRunByte(bytes[index - 1]), isRunByte(bytes[index]), bytes[index] != UInt8(ascii: "/") else { return nil }
      var end = index
      while end < bytes.count, isRunByte(bytes[end]) { end += 1 }
      while end < bytes.count, bytes[end] == UInt8(ascii: "=") { end += 1 }
      let run = bytes[index..<end]
      guard run.count >= 32, run.contains(where: isDigit), run.contains(where: isLetter) else { return nil }
      guard !run.elementsEqual(Array(Redaction.tokenPlaceholder.utf8)), !starts(Array(run), at: 0, with: Array("REDACTED".utf8)) else { return nil }
      for algorithm in ["sha256:", "sha512:", "sha384:", "sha1:", "md5:"] {
        let marker = Array(algorithm.utf8)
        if index >= marker.count, starts(bytes, at: index - marker.count, with: marker, ignoringCase: true) { return nil }
      }
      return (end - index, Array(Redaction.tokenPlaceholder.utf8))
    }
  }
}
