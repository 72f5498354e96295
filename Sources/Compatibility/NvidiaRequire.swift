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
  static let zero = UInt8(ascii: "0")
  static let nine = UInt8(ascii: "9")

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
}
