/// `NVIDIA_REQUIRE_*` as the NVIDIA Container Toolkit's legacy path checks it: the runtime hook
/// collects the variables (nvidia-container-toolkit `internal/config/image/cuda_image.go`) and
/// `nvidia-container-cli configure --require=EXPR` evaluates each one on every visible GPU
/// (libnvidia-container `src/cli/configure.c`, `src/cli/dsl.c`). Only the legacy mode checks
/// requirements at all (see `ContainerRuntimeMode`). Every rule, with its source file and line:
/// `reference/nvidia-require-rules.md`.
///
/// The grammar (dsl.c): a requirement is alternatives separated by single spaces, each made of
/// factors separated by commas, each `NAME OP VALUE`. Evaluation is lazy: a factor after a failed
/// one, and every alternative after the one that decides, is never parsed, so a malformed factor
/// there is not an error.
public enum NvidiaRequire {
  /// The toolkit answers `invalid expression` and the container does not start.
  public struct InvalidExpression: Error, Sendable, Hashable, CustomStringConvertible {
    public let expression: String
    /// The factor dsl.c rejected.
    public let factor: String
    public let reason: String
    public var description: String { "invalid expression \"\(expression)\": \(reason)" }
  }

  /// dsl.c's comparison operators, in the order it tries them.
  public enum Operator: String, Sendable, Hashable, CaseIterable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    /// The first operator the run of `<>=!` characters is a prefix of: dsl.c compares the run
    /// with `strncmp(run, op, strlen(run))`, so `!` alone means `!=` and `==`, `=>`, `=<` are errors.
    static func matching(run: some Collection<UInt8>) -> Operator? {
      allCases.first { run.count <= $0.rawValue.utf8.count && $0.rawValue.utf8.starts(with: run) }
    }
  }

  /// The rules configure.c registers; names match case-insensitively.
  public enum Property: String, Sendable, Hashable, CaseIterable {
    case cuda, driver, arch, brand

    init?(name: some Collection<UInt8>) {
      guard let match = Self.allCases.first(where: { asciiCaseInsensitiveEqual(Array($0.rawValue.utf8), Array(name)) }) else { return nil }
      self = match
    }
  }

  /// One `NAME OP VALUE`, as written.
  public struct Factor: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    /// The name as written (`CUDA` is `cuda`).
    public let name: String
    public let property: Property
    public let op: Operator
    public let value: String
    public var description: String { text }
  }

  /// One alternative: the text between spaces and its comma-separated factors (empty ones dropped).
  public struct Term: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let factors: [String]
    public var description: String { text }
  }

  /// dsl.c's tokenizer: `strsep` on single spaces, then on commas; empty pieces are skipped.
  /// Tabs and other whitespace are ordinary characters (they end up in a value).
  public static func terms(_ expression: String) -> [Term] {
    expression.utf8.split(separator: UInt8(ascii: " ")).map { piece in
      Term(text: String(decoding: piece, as: UTF8.self), factors: piece.split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) })
    }
  }

  /// Why one factor does not parse.
  public struct FactorSyntaxError: Error, Sendable, Hashable {
    public let reason: String
  }

  /// Splits one factor as dsl.c's `evaluate_rule` does: the name runs up to the first `<>=!`,
  /// the operator is the whole run of those characters, the value is the rest.
  public static func parseFactor(_ text: String) throws(FactorSyntaxError) -> Factor {
    let bytes = Array(text.utf8)
    let isOperator = { (byte: UInt8) in byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") }
    let nameEnd = bytes.firstIndex(where: isOperator) ?? bytes.count
    guard nameEnd > 0 else { throw FactorSyntaxError(reason: "'\(text)' has no name before its operator") }
    let valueStart = bytes[nameEnd...].firstIndex { !isOperator($0) } ?? bytes.count
    guard valueStart > nameEnd else { throw FactorSyntaxError(reason: "'\(text)' has no operator (=, !=, <, <=, >, >=)") }
    let run = bytes[nameEnd..<valueStart]
    guard let op = Operator.matching(run: run) else {
      throw FactorSyntaxError(reason: "'\(String(decoding: run, as: UTF8.self))' in '\(text)' is not an operator (=, !=, <, <=, >, >=)")
    }
    guard valueStart < bytes.count else { throw FactorSyntaxError(reason: "'\(text)' has no value after its operator") }
    let name = bytes[..<nameEnd]
    guard let property = Property(name: name) else {
      throw FactorSyntaxError(reason: "unknown name '\(String(decoding: name, as: UTF8.self))' in '\(text)' (dsl.c knows cuda, driver, arch and brand)")
    }
    return Factor(
      text: text, name: String(decoding: name, as: UTF8.self), property: property, op: op,
      value: String(decoding: bytes[valueStart...], as: UTF8.self))
  }

  /// Every factor the toolkit would reject if it reached it with a GPU visible: a linter, since
  /// the toolkit itself parses lazily (see `evaluate(_:on:)`).
  public static func lint(_ expression: String) throws(InvalidExpression) -> [[Factor]] {
    var result: [[Factor]] = []
    for term in terms(expression) {
      var factors: [Factor] = []
      for text in term.factors {
        let factor: Factor
        switch Swift.Result(catching: { () throws(FactorSyntaxError) -> Factor in try parseFactor(text) }) {
        case .success(let parsed): factor = parsed
        case .failure(let error): throw InvalidExpression(expression: expression, factor: text, reason: error.reason)
        }
        if let reason = valueProblem(factor) { throw InvalidExpression(expression: expression, factor: text, reason: reason) }
        factors.append(factor)
      }
      result.append(factors)
    }
    return result
  }

  /// What makes the factor invalid whenever it is compared with a host value.
  static func valueProblem(_ factor: Factor) -> String? {
    if factor.property == .brand {
      return factor.op == .equal || factor.op == .notEqual ? nil : "brand compares only with = or != in '\(factor.text)'"
    }
    return versionProblem(factor.value).map { "'\(factor.value)' in '\(factor.text)' \($0)" }
  }

  /// Why dsl.c may refuse this version: a character other than digits and dots, a leading dot,
  /// or a number it reads as `UINTMAX_MAX` (whether it gets that far depends on the other side).
  static func versionProblem(_ version: String) -> String? {
    let bytes = Array(version.utf8)
    if !bytes.allSatisfy({ $0 == dot || (zero...nine).contains($0) }) { return "is not a version (digits and dots only)" }
    if bytes.first == dot { return "starts with a dot" }
    if bytes.split(separator: dot).contains(where: { strtoumax(Array($0), from: 0) == nil }) { return "has a number of 2^64-1 or more" }
    return nil
  }

  // MARK: - Host facts

  /// What one GPU (or, with arch and brand nil, no GPU) offers the requirement.
  public struct DeviceFacts: Sendable, Hashable {
    /// The driver's CUDA version as NVML reports it (`13.0`); nil when unknown (the factor holds).
    public var cuda: String?
    /// The driver version (`580.159.04`); nil when unknown (the factor holds).
    public var driver: String?
    /// Compute capability (`9.0`); nil when no GPU is visible (the factor holds).
    public var arch: String?
    /// The brand as libnvidia-container names it (`containerBrand(nvmlBrand:)`); nil when no GPU is visible.
    public var brand: String?
    /// Which GPU this is, for messages.
    public var label: String?
    /// `GPU-…`, for `NVIDIA_VISIBLE_DEVICES` lists.
    public var uuid: String?
    /// PCI bus id (`00000000:06:00.0`), for `NVIDIA_VISIBLE_DEVICES` lists.
    public var pciBusID: String?
    /// The UUIDs (`MIG-…`) of its MIG devices, in index order.
    public var migDevices: [String]

    public init(cuda: String?, driver: String?, arch: String?, brand: String?, label: String?) {
      self.init(cuda: cuda, driver: driver, arch: arch, brand: brand, label: label, uuid: nil, pciBusID: nil, migDevices: [])
    }

    public init(
      cuda: String?, driver: String?, arch: String?, brand: String?, label: String?, uuid: String?, pciBusID: String?, migDevices: [String]
    ) {
      self.cuda = cuda
      self.driver = driver
      self.arch = arch
      self.brand = brand
      self.label = label
      self.uuid = uuid
      self.pciBusID = pciBusID
      self.migDevices = migDevices
    }
  }

  /// The brand libnvidia-container (≥ 1.9.0) passes to the DSL for an NVML brand, given as NVML's
  /// enum value name in nvidia-smi's spelling (`NVIDIA`, `NVIDIA RTX`, `GeForce`, …, any case) or
  /// already as the container's name (`Nvidia`).
  public static func containerBrand(nvmlBrand: String?) -> String {
    guard let nvmlBrand else { return "Unknown" }
    return brandNames[nvmlBrand.lowercased()] ?? brandNames.values.first { $0.lowercased() == nvmlBrand.lowercased() } ?? "Unknown"
  }

  private static let brandNames = [
    "quadro": "Quadro", "tesla": "Tesla", "nvs": "NVS", "grid": "GRID", "geforce": "GeForce", "titan": "TITAN",
    "nvidia virtual applications": "VApps", "nvidia virtual pc": "VPC", "nvidia virtual compute server": "VCS",
    "nvidia rtx virtual workstation": "VWS", "nvidia cloud gaming": "CloudGaming", "quadro rtx": "QuadroRTX",
    "nvidia rtx": "NvidiaRTX", "nvidia": "Nvidia", "geforce rtx": "GeForceRTX", "titan rtx": "TitanRTX",
  ]

  /// The brand libnvidia-container (≥ 1.9.0) names for an `nvmlBrandType_t` value.
  public static func containerBrand(nvmlBrandType: Int) -> String {
    let names = [
      1: "Quadro", 2: "Tesla", 3: "NVS", 4: "GRID", 5: "GeForce", 6: "TITAN", 7: "VApps", 8: "VPC", 9: "VCS", 10: "VWS",
      11: "CloudGaming", 12: "QuadroRTX", 13: "NvidiaRTX", 14: "Nvidia", 15: "GeForceRTX", 16: "TitanRTX",
    ]
    return names[nvmlBrandType] ?? "Unknown"
  }

  /// `nvmlSystemGetCudaDriverVersion`'s integer as libnvidia-container formats it: `13000` → `13.0`.
  public static func cudaVersion(nvmlCudaDriverVersion version: UInt32) -> String {
    "\(version / 1000).\(version % 100 / 10)"
  }

  // MARK: - Evaluating one expression

  public enum FactorOutcome: Sendable, Hashable {
    case holds, fails
    /// dsl.c returns -1: `invalid expression`.
    case invalid(String)
  }

  /// One factor on one device.
  public struct FactorResult: Sendable, Hashable {
    public let text: String
    public let factor: Factor?
    public let outcome: FactorOutcome
    /// The host value compared with, nil when there is none (the factor then holds).
    public let actual: String?
    /// False where the toolkit never gets to this factor; rigcheck evaluates it only to explain.
    public let reached: Bool
    public var satisfied: Bool { outcome == .holds }
  }

  /// How the toolkit leaves an alternative.
  public enum TermStatus: Sendable, Hashable {
    /// Every factor holds: the requirement is met, later alternatives are not read.
    case holds
    /// A factor failed; the toolkit moves to the next alternative.
    case fails
    /// A factor is malformed: `invalid expression`.
    case invalid
    /// Only commas: the toolkit stops here and keeps the previous alternative's result.
    case endsEvaluation
    /// After the deciding alternative.
    case notReached
  }

  /// One alternative on one device; `factors` holds every factor, reached or not.
  public struct TermResult: Sendable, Hashable {
    public let term: Term
    public let factors: [FactorResult]
    public let status: TermStatus
    /// This alternative met the requirement.
    public var satisfied: Bool { status == .holds }

    /// `brand=tesla fails (brand is Nvidia), driver<471 fails (driver is 580.159.04)`: every factor
    /// that fails, including those the toolkit does not reach.
    public var explanation: String {
      switch status {
      case .holds: return "\(term) holds"
      case .endsEvaluation: return "an alternative of commas only: the toolkit stops here with the previous alternative's result"
      case .fails, .invalid, .notReached:
        let problems = factors.compactMap { result -> String? in
          switch result.outcome {
          case .holds: return nil
          case .fails: return "\(result.text) fails (\(result.factor?.property.rawValue ?? result.text) is \(result.actual ?? "unknown"))"
          case .invalid(let reason): return "\(result.text) is invalid (\(reason))\(result.reached ? "" : ", not reached")"
          }
        }
        let text = problems.isEmpty ? "\(term) would hold" : problems.joined(separator: ", ")
        return status == .notReached ? "not reached: \(text)" : text
      }
    }
  }

  /// A requirement's result on one device.
  public enum Decision: Sendable, Hashable {
    case satisfied, unsatisfied
    case invalid(InvalidExpression)
  }

  /// One expression on one device, as `dsl_evaluate` walks it.
  public static func evaluate(_ expression: String, on device: DeviceFacts) -> (decision: Decision, terms: [TermResult]) {
    var last = true
    var decided: Decision?
    var results: [TermResult] = []
    for term in terms(expression) {
      if decided != nil {
        results.append(TermResult(term: term, factors: term.factors.map { evaluateFactor($0, on: device, reached: false) }, status: .notReached))
        continue
      }
      var factors: [FactorResult] = []
      var status = TermStatus.holds
      for text in term.factors {
        let reached = status == .holds
        let result = evaluateFactor(text, on: device, reached: reached)
        factors.append(result)
        guard reached else { continue }
        switch result.outcome {
        case .holds: last = true
        case .fails:
          last = false
          status = .fails
        case .invalid(let reason):
          status = .invalid
          decided = .invalid(InvalidExpression(expression: expression, factor: text, reason: reason))
        }
      }
      if term.factors.isEmpty {
        status = .endsEvaluation
        decided = last ? .satisfied : .unsatisfied
      } else if status == .holds {
        decided = .satisfied
      }
      results.append(TermResult(term: term, factors: factors, status: status))
    }
    return (decided ?? (last ? .satisfied : .unsatisfied), results)
  }

  /// dsl.c keeps a failing factor as `NAME OP VALUE` in a 128-byte buffer; when it does not fit,
  /// the factor is `invalid expression` instead of failing.
  static let messageBuffer = 128

  static func evaluateFactor(_ text: String, on device: DeviceFacts, reached: Bool) -> FactorResult {
    let factor: Factor
    do {
      factor = try parseFactor(text)
    } catch {
      return FactorResult(text: text, factor: nil, outcome: .invalid(error.reason), actual: nil, reached: reached)
    }
    let actual: String?
    switch factor.property {
    case .cuda: actual = device.cuda
    case .driver: actual = device.driver
    case .arch: actual = device.arch
    case .brand: actual = device.brand
    }
    guard let actual else { return FactorResult(text: text, factor: factor, outcome: .holds, actual: nil, reached: reached) }
    let holds: Bool?
    if factor.property == .brand {
      switch factor.op {
      case .equal: holds = asciiCaseInsensitiveEqual(Array(actual.utf8), Array(factor.value.utf8))
      case .notEqual: holds = !asciiCaseInsensitiveEqual(Array(actual.utf8), Array(factor.value.utf8))
      default: holds = nil
      }
    } else {
      holds = compareVersion(actual, factor.op, factor.value)
    }
    guard let holds else {
      let reason = valueProblem(factor) ?? "the host's \(factor.property.rawValue) '\(actual)' \(versionProblem(actual) ?? "cannot be compared")"
      return FactorResult(text: text, factor: factor, outcome: .invalid(reason), actual: actual, reached: reached)
    }
    if !holds, factor.name.utf8.count + factor.op.rawValue.utf8.count + factor.value.utf8.count + 2 >= messageBuffer {
      let reason = "'\(text)' fails and is too long for dsl.c's \(messageBuffer)-byte message buffer"
      return FactorResult(text: text, factor: factor, outcome: .invalid(reason), actual: actual, reached: reached)
    }
    return FactorResult(text: text, factor: factor, outcome: holds ? .holds : .fails, actual: actual, reached: reached)
  }

  /// `dsl_compare_version(host, op, required)`; nil where it returns -1. Digits and dots only,
  /// number by number (leading zeros ignored, `12..4` is `12.4`, `12.` is `12`), trailing zero
  /// numbers ignored; a leading dot or a number ≥ 2^64-1 is an error.
  public static func compareVersion(_ host: String, _ op: Operator, _ required: String) -> Bool? {
    let v1 = Array(host.utf8)
    let v2 = Array(required.utf8)
    let isVersionByte = { (byte: UInt8) in byte == dot || (zero...nine).contains(byte) }
    guard v1.allSatisfy(isVersionByte), v2.allSatisfy(isVersionByte) else { return nil }
    var i = 0
    var j = 0
    while i < v1.count && j < v2.count {
      guard let (n1, end1) = strtoumax(v1, from: i), let (n2, end2) = strtoumax(v2, from: j) else { return nil }
      if n1 != n2 {
        switch op {
        case .equal: return false
        case .notEqual: return true
        case .less, .lessOrEqual: return n1 < n2
        case .greater, .greaterOrEqual: return n1 > n2
        }
      }
      i = end1
      while i < v1.count && v1[i] == dot { i += 1 }
      j = end2
      while j < v2.count && v2[j] == dot { j += 1 }
    }
    while i < v1.count && (v1[i] == dot || v1[i] == zero) { i += 1 }
    while j < v2.count && (v2[j] == dot || v2[j] == zero) { j += 1 }
    let rest1 = i < v1.count
    let rest2 = j < v2.count
    switch op {
    case .notEqual: return rest1 || rest2
    case .equal: return !rest1 && !rest2
    case .lessOrEqual where !rest1 && !rest2, .greaterOrEqual where !rest1 && !rest2: return true
    case .less, .lessOrEqual: return !rest1 && rest2
    case .greater, .greaterOrEqual: return rest1 && !rest2
    }
  }

  private static let dot = UInt8(ascii: ".")
  private static let zero = UInt8(ascii: "0")
  private static let nine = UInt8(ascii: "9")

  /// `strtoumax` on digits: nil when there is no digit or it returns `UINTMAX_MAX`.
  static func strtoumax(_ bytes: [UInt8], from start: Int) -> (UInt64, Int)? {
    var value: UInt64 = 0
    var index = start
    var overflow = false
    while index < bytes.count, (zero...nine).contains(bytes[index]) {
      let (times, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[index] - zero))
      overflow = overflow || o1 || o2
      value = sum
      index += 1
    }
    guard index > start, !overflow, value != .max else { return nil }
    return (value, index)
  }

  /// `strcasecmp` in the C locale.
  static func asciiCaseInsensitiveEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    let lower = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte }
    return a.count == b.count && zip(a, b).allSatisfy { lower($0) == lower($1) }
  }

  // MARK: - An image's environment on a host

  /// `NVIDIA_VISIBLE_DEVICES` as the hook reads it.
  public enum VisibleDevices: Sendable, Hashable {
    /// Unset, empty or containing `void`: not a GPU container; the hook does nothing, checks nothing.
    case void
    /// The driver without GPUs: requirements are checked once with no device (`arch`, `brand` hold).
    case none
    case all
    /// Indexes, `GPU-` UUIDs, PCI bus ids, `MIG-` UUIDs or `GPU:MIG` indexes.
    case list([String])

    /// Comma-separated, trimmed, empty entries dropped; unset in a legacy image means `all`; then
    /// the first `all` or `none` wins.
    public static func requested(by environment: [String: String]) -> VisibleDevices {
      guard let value = environment["NVIDIA_VISIBLE_DEVICES"] else { return isLegacy(environment) ? .all : .void }
      let entries = value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { trimmed(String(decoding: $0, as: UTF8.self)) }
        .filter { !$0.isEmpty }
      if entries.isEmpty || entries.contains("void") { return .void }
      for entry in entries {
        if entry == "all" { return .all }
        if entry == "none" { return .none }
      }
      return .list(entries)
    }

    /// Go's strings.TrimSpace.
    static func trimmed(_ text: String) -> String {
      guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
      return String(text[first...last])
    }
  }

  /// The devices `nvidia-container-cli` evaluates requirements on.
  public enum DeviceSelection: Sendable, Hashable {
    /// Evaluated once per device (a MIG device counts as its parent GPU).
    case devices([DeviceFacts])
    /// No GPU selected (or none on the host): evaluated once with no device.
    case noDevice
    /// `device error: ID: unknown device`: the container does not start.
    case unknownDevice(String)
  }

  /// `select_devices` (common.c): `all` (any case) selects every GPU; otherwise each entry is a
  /// GPU UUID (any case), a PCI bus id, an index, a MIG UUID or `GPU:MIG` indexes, a MIG device
  /// standing for its parent GPU. With no GPU on the host nothing is selected and nothing is an
  /// error. A MIG entry on a host whose facts list no MIG devices selects every GPU (its parent is
  /// one of them).
  public static func select(_ visible: VisibleDevices, from gpus: [DeviceFacts]) -> DeviceSelection {
    guard !gpus.isEmpty else { return .noDevice }
    let entries: [String]
    switch visible {
    case .void, .none: return .noDevice
    case .all: return .devices(gpus)
    case .list(let list): entries = list
    }
    var selected: [Int] = []
    for entry in entries {
      if asciiCaseInsensitiveEqual(Array(entry.utf8), Array("all".utf8)) { return .devices(gpus) }
      if let index = gpuIndex(entry, in: gpus) {
        if !selected.contains(index) { selected.append(index) }
      } else if looksLikeMIG(entry), gpus.allSatisfy(\.migDevices.isEmpty) {
        return .devices(gpus)
      } else {
        return .unknownDevice(entry)
      }
    }
    return selected.isEmpty ? .noDevice : .devices(selected.map { gpus[$0] })
  }

  private static func gpuIndex(_ entry: String, in gpus: [DeviceFacts]) -> Int? {
    let lowered = entry.lowercased()
    if lowered.hasPrefix("gpu-"), let index = gpus.firstIndex(where: { $0.uuid?.lowercased() == lowered }) { return index }
    if let bus = pciBusID(entry), let index = gpus.firstIndex(where: { $0.pciBusID.flatMap(pciBusID) == bus }) { return index }
    if !entry.isEmpty, entry.utf8.allSatisfy({ (zero...nine).contains($0) }), let index = Int(entry), index < gpus.count { return index }
    if lowered.hasPrefix("mig-"), let index = gpus.firstIndex(where: { $0.migDevices.contains { $0.lowercased() == lowered } }) { return index }
    if let (gpu, mig) = migIndexes(entry), gpu < gpus.count, mig < gpus[gpu].migDevices.count { return gpu }
    return nil
  }

  private static func looksLikeMIG(_ entry: String) -> Bool {
    entry.lowercased().hasPrefix("mig-") || migIndexes(entry) != nil
  }

  /// `GPU:MIG` as `sscanf("%lu:%lu")` reads it (digits, anything after the second number ignored).
  private static func migIndexes(_ entry: String) -> (Int, Int)? {
    let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, let gpu = Int(parts[0]) else { return nil }
    let digits = parts[1].prefix { $0.isASCII && $0.isNumber }
    guard let mig = Int(digits) else { return nil }
    return (gpu, mig)
  }

  /// `%x:%02x:%02x` as `matches_pci_format` reads it: hex domain, bus and device (two digits at
  /// most each), anything after ignored.
  private static func pciBusID(_ text: String) -> [UInt64]? {
    var rest = Substring(text)
    var numbers: [UInt64] = []
    for limit in [Int.max, 2, 2] {
      let digits = rest.prefix { $0.isASCII && $0.isHexDigit }.prefix(limit)
      guard !digits.isEmpty, let number = UInt64(digits, radix: 16) else { return nil }
      numbers.append(number)
      rest = rest.dropFirst(digits.count)
      if numbers.count < 3 {
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst()
      }
    }
    return numbers
  }

  /// A legacy image: `CUDA_VERSION` set and `NVIDIA_REQUIRE_CUDA` unset or empty.
  public static func isLegacy(_ environment: [String: String]) -> Bool {
    !(environment["CUDA_VERSION"] ?? "").isEmpty && (environment["NVIDIA_REQUIRE_CUDA"] ?? "").isEmpty
  }

  /// The requirement a legacy image gets, `cuda>=MAJOR.MINOR`, or nil when `CUDA_VERSION` is not a
  /// semantic version as golang.org/x/mod/semver reads it after a `v` (`12`, `12.4`, `12.4.1`,
  /// `12.4.1-rc1+b`; no leading zeros, no fourth number).
  public static func legacyRequirement(cudaVersion: String) -> String? {
    var text = Substring(cudaVersion)
    if text.hasPrefix("v") { text = text.dropFirst() }
    let core = text.prefix { $0 != "-" && $0 != "+" }
    let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
    let isNumber = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { (zero...nine).contains($0) } && (part == "0" || !part.hasPrefix("0")) }
    guard (1...3).contains(numbers.count), numbers.allSatisfy(isNumber) else { return nil }
    let suffix = text.dropFirst(core.count)
    if !suffix.isEmpty {
      guard numbers.count == 3, semverSuffixIsValid(suffix) else { return nil }
    }
    guard let major = UInt32(numbers[0]), let minor = numbers.count > 1 ? UInt32(numbers[1]) : 0 else { return nil }
    return "cuda>=\(major).\(minor)"
  }

  /// `-PRERELEASE` and/or `+BUILD`: dot-separated `[0-9A-Za-z-]+`, no leading zeros in numeric prerelease parts.
  private static func semverSuffixIsValid(_ suffix: Substring) -> Bool {
    var rest = suffix
    let identifierByte = { (byte: UInt8) in
      byte == UInt8(ascii: "-") || (zero...nine).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
    let identifier = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy(identifierByte) }
    if rest.hasPrefix("-") {
      let prerelease = rest.dropFirst().prefix { $0 != "+" }
      let parts = prerelease.split(separator: ".", omittingEmptySubsequences: false)
      let badNumber = { (part: Substring) in part.count > 1 && part.hasPrefix("0") && part.utf8.allSatisfy { (zero...nine).contains($0) } }
      guard parts.allSatisfy(identifier), !parts.contains(where: badNumber) else { return false }
      rest = rest.dropFirst(1 + prerelease.count)
    }
    if rest.hasPrefix("+") {
      guard rest.dropFirst().split(separator: ".", omittingEmptySubsequences: false).allSatisfy(identifier) else { return false }
      rest = ""
    }
    return rest.isEmpty
  }

  /// Go's strconv.ParseBool truth values.
  static func parseBool(_ text: String) -> Bool? {
    switch text {
    case "1", "t", "T", "TRUE", "true", "True": return true
    case "0", "f", "F", "FALSE", "false", "False": return false
    default: return nil
    }
  }

  /// Every `NVIDIA_REQUIRE_*` but `NVIDIA_REQUIRE_JETPACK*` (empty ones included), sorted by name,
  /// and for a legacy image with a readable `CUDA_VERSION` its `cuda>=MAJOR.MINOR` last.
  public static func requirements(in environment: [String: String]) -> (requirements: [(String, String)], synthesized: Bool) {
    var found = environment.filter { $0.key.hasPrefix("NVIDIA_REQUIRE_") && !$0.key.hasPrefix("NVIDIA_REQUIRE_JETPACK") }
      .map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
    guard isLegacy(environment), let legacy = legacyRequirement(cudaVersion: environment["CUDA_VERSION"] ?? "") else { return (found, false) }
    found.append(("CUDA_VERSION", legacy))
    return (found, true)
  }

  /// One requirement on one device.
  public struct Evaluation: Sendable, Hashable {
    /// The variable, or `CUDA_VERSION` for a legacy image's synthesized requirement.
    public let variable: String
    public let expression: String
    public let device: DeviceFacts
    public let terms: [TermResult]
    public let decision: Decision
    public var satisfied: Bool { decision == .satisfied }

    /// What nvidia-container-cli prints when it stops here, nil when satisfied.
    public var toolkitError: String? {
      switch decision {
      case .satisfied: return nil
      case .invalid: return "requirement error: invalid expression"
      case .unsatisfied:
        let first = expression.utf8.split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: false).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let hint = first.hasPrefix("cuda>=") ? ", please update your driver to a newer version, or use an earlier cuda container" : ""
        return "requirement error: unsatisfied condition: \(first)\(hint)"
      }
    }
  }

  /// An image's environment on a host, as the legacy hook and nvidia-container-cli see it.
  public struct Outcome: Sendable, Hashable {
    /// `NVIDIA_DISABLE_REQUIRE` is true (Go's strconv.ParseBool): nothing is checked.
    public let disabled: Bool
    /// What `NVIDIA_VISIBLE_DEVICES` asks for; nil from `evaluate(environment:devices:)`.
    public let visibleDevices: VisibleDevices?
    /// Requirements that are `invalid expression` on some device (the container does not start).
    public let invalid: [String: InvalidExpression]
    public let evaluations: [Evaluation]
    /// A legacy image whose `CUDA_VERSION` became `cuda>=MAJOR.MINOR`.
    public let synthesizedFromCudaVersion: Bool
    /// The hook or nvidia-container-cli fails before evaluating anything (a legacy image's unreadable
    /// `CUDA_VERSION`, an unknown device, more than 32 requirements); the container does not start.
    public let setupError: String?

    /// The toolkit evaluates requirements for this container at all.
    public var checked: Bool { !disabled && visibleDevices != .void }
    /// The legacy toolkit lets the container start as far as requirements go.
    public var satisfied: Bool { !checked || (setupError == nil && invalid.isEmpty && evaluations.allSatisfy(\.satisfied)) }
  }

  /// Evaluates every requirement on each of `devices`, taken as the visible ones (no device: once
  /// with no GPU); `NVIDIA_VISIBLE_DEVICES` is not consulted.
  public static func evaluate(environment: [String: String], devices: [DeviceFacts]) -> Outcome {
    let disabled = environment["NVIDIA_DISABLE_REQUIRE"].flatMap(parseBool) ?? false
    let (requirements, synthesized) = requirements(in: environment)
    let targets = devices.isEmpty ? [DeviceFacts(cuda: nil, driver: nil, arch: nil, brand: nil, label: nil)] : devices
    let setupError = isLegacy(environment) && !synthesized ? legacyVersionError(environment) : nil
    return evaluate(requirements, on: targets, disabled: disabled, visible: nil, synthesized: synthesized, setupError: setupError)
  }

  /// The whole legacy path: `NVIDIA_VISIBLE_DEVICES` picks the GPUs among all the host's `gpus`,
  /// each requirement is evaluated on each of them (or once with no device), with the host's
  /// `driver` and NVML `cuda` (forward-compatibility libraries in the image do not change it).
  public static func evaluate(environment: [String: String], driver: String?, cuda: String?, gpus: [DeviceFacts]) -> Outcome {
    let disabled = environment["NVIDIA_DISABLE_REQUIRE"].flatMap(parseBool) ?? false
    let visible = VisibleDevices.requested(by: environment)
    let (requirements, synthesized) = requirements(in: environment)
    if visible == .void || disabled {
      return Outcome(disabled: disabled, visibleDevices: visible, invalid: [:], evaluations: [], synthesizedFromCudaVersion: synthesized, setupError: nil)
    }
    if isLegacy(environment), !synthesized {
      return Outcome(
        disabled: false, visibleDevices: visible, invalid: [:], evaluations: [], synthesizedFromCudaVersion: false,
        setupError: legacyVersionError(environment))
    }
    if requirements.count > 32 {
      return Outcome(
        disabled: false, visibleDevices: visible, invalid: [:], evaluations: [], synthesizedFromCudaVersion: synthesized,
        setupError: "input error: too many requirements (\(requirements.count); nvidia-container-cli takes 32)")
    }
    let host = { (gpu: DeviceFacts) in
      var device = gpu
      device.cuda = cuda
      device.driver = driver
      return device
    }
    let targets: [DeviceFacts]
    switch select(visible, from: gpus) {
    case .devices(let selected): targets = selected.map(host)
    case .noDevice: targets = [DeviceFacts(cuda: cuda, driver: driver, arch: nil, brand: nil, label: nil)]
    case .unknownDevice(let entry):
      return Outcome(
        disabled: false, visibleDevices: visible, invalid: [:], evaluations: [], synthesizedFromCudaVersion: synthesized,
        setupError: "device error: \(entry): unknown device")
    }
    return evaluate(requirements, on: targets, disabled: false, visible: visible, synthesized: synthesized, setupError: nil)
  }

  private static func legacyVersionError(_ environment: [String: String]) -> String {
    "failed to get requirements: invalid CUDA version \(environment["CUDA_VERSION"] ?? "")"
  }

  private static func evaluate(
    _ requirements: [(String, String)], on devices: [DeviceFacts], disabled: Bool, visible: VisibleDevices?, synthesized: Bool, setupError: String?
  ) -> Outcome {
    var invalid: [String: InvalidExpression] = [:]
    var evaluations: [Evaluation] = []
    for (variable, expression) in requirements {
      for device in devices {
        let (decision, terms) = evaluate(expression, on: device)
        if case .invalid(let error) = decision, invalid[variable] == nil { invalid[variable] = error }
        evaluations.append(Evaluation(variable: variable, expression: expression, device: device, terms: terms, decision: decision))
      }
    }
    return Outcome(
      disabled: disabled, visibleDevices: visible, invalid: invalid, evaluations: evaluations, synthesizedFromCudaVersion: synthesized,
      setupError: setupError)
  }
}
