/// `NVIDIA_REQUIRE_*` as libnvidia-container evaluates it (src/cli/dsl.c, configure.c):
///
/// - each variable is a *requirement*; all must hold (AND); `NVIDIA_REQUIRE_JETPACK*` is ignored;
/// - a requirement is *terms* separated by spaces, any of which may hold (OR);
/// - a term is *factors* separated by commas, all of which must hold (AND);
/// - a factor is `NAME OP VALUE`, NAME ∈ cuda, driver, arch, brand (case-insensitive),
///   OP ∈ `=`, `!=`, `<`, `<=`, `>`, `>=`; versions contain digits and dots only and compare
///   numerically with trailing `.0`s ignored; `brand` takes only `=`/`!=`, case-insensitively;
/// - `NVIDIA_DISABLE_REQUIRE` (Go's strconv.ParseBool) turns every check off;
/// - an image with `CUDA_VERSION` and no `NVIDIA_REQUIRE_CUDA` gets `cuda>=MAJOR.MINOR`;
/// - evaluated once per visible GPU; with no GPU visible, `arch`/`brand` factors hold; without
///   driver information, `cuda`/`driver` factors hold.
///
/// Unlike the toolkit, which reports only the first failing term, rigcheck explains every
/// alternative.
public enum NvidiaRequire {
  /// A parse error: the toolkit answers `invalid expression` and the container does not start.
  public struct InvalidExpression: Error, Sendable, Hashable, CustomStringConvertible {
    public let expression: String
    public let reason: String
    public var description: String { "invalid expression \"\(expression)\": \(reason)" }
  }

  public enum Operator: String, Sendable, Hashable, CaseIterable {
    case lessOrEqual = "<=", greaterOrEqual = ">=", notEqual = "!=", equal = "=", less = "<", greater = ">"
  }

  public enum Property: String, Sendable, Hashable {
    case cuda, driver, arch, brand
  }

  public struct Factor: Sendable, Hashable, CustomStringConvertible {
    public let property: Property
    public let op: Operator
    public let value: String
    public var description: String { "\(property.rawValue)\(op.rawValue)\(value)" }
  }

  /// Factors that must all hold.
  public struct Term: Sendable, Hashable, CustomStringConvertible {
    public let factors: [Factor]
    public var description: String { factors.map(\.description).joined(separator: ",") }
  }

  /// Parses one requirement expression into its alternatives.
  public static func parse(_ expression: String) throws(InvalidExpression) -> [Term] {
    var terms: [Term] = []
    for termText in expression.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
      var factors: [Factor] = []
      for factorText in termText.split(separator: ",", omittingEmptySubsequences: false) {
        factors.append(try parseFactor(String(factorText), expression: expression))
      }
      terms.append(Term(factors: factors))
    }
    return terms
  }

  static func parseFactor(_ text: String, expression: String) throws(InvalidExpression) -> Factor {
    let nameEnd = text.firstIndex { !$0.isLetter } ?? text.endIndex
    let name = text[..<nameEnd].lowercased()
    guard let property = Property(rawValue: name) else {
      throw InvalidExpression(expression: expression, reason: "unknown property '\(text[..<nameEnd])' in '\(text)' (expected cuda, driver, arch or brand)")
    }
    let rest = text[nameEnd...]
    guard let op = Operator.allCases.first(where: { rest.hasPrefix($0.rawValue) }) else {
      throw InvalidExpression(expression: expression, reason: "no operator in '\(text)'")
    }
    let value = String(rest.dropFirst(op.rawValue.count))
    guard !value.isEmpty else { throw InvalidExpression(expression: expression, reason: "no value in '\(text)'") }
    if property == .brand {
      guard op == .equal || op == .notEqual else {
        throw InvalidExpression(expression: expression, reason: "brand takes only = or != in '\(text)'")
      }
    } else if NumericVersion(value) == nil {
      throw InvalidExpression(expression: expression, reason: "'\(value)' is not a version (digits and dots only) in '\(text)'")
    }
    return Factor(property: property, op: op, value: value)
  }

  /// What the host offers to the requirement, for one GPU.
  public struct DeviceFacts: Sendable, Hashable {
    /// The driver's CUDA version (`13.0`), nil if unknown.
    public var cuda: String?
    /// The driver version (`580.159.04`), nil if unknown.
    public var driver: String?
    /// Compute capability (`9.0`), nil when no GPU is visible.
    public var arch: String?
    /// The brand as libnvidia-container sees it; nil when no GPU is visible.
    public var brand: String?
    /// Which GPU this is, for messages.
    public var label: String?

    public init(cuda: String?, driver: String?, arch: String?, brand: String?, label: String?) {
      self.cuda = cuda
      self.driver = driver
      self.arch = arch
      self.brand = brand
      self.label = label
    }
  }

  /// NVML's brand name as libnvidia-container maps it: only Quadro, Tesla, NVS, GRID, GeForce
  /// and TITAN keep their name; everything else (NVIDIA, NVIDIA RTX, GeForce RTX, …) is `Unknown`.
  public static func containerBrand(nvmlBrand: String?) -> String {
    guard let nvmlBrand else { return "Unknown" }
    return ["Quadro", "Tesla", "NVS", "GRID", "GeForce", "TITAN"].contains(nvmlBrand) ? nvmlBrand : "Unknown"
  }

  /// One factor's outcome.
  public struct FactorResult: Sendable, Hashable {
    public let factor: Factor
    public let satisfied: Bool
    /// The host's value it was compared with, nil when unknown (the factor then holds).
    public let actual: String?
  }

  /// One alternative (term) and why it held or failed.
  public struct TermResult: Sendable, Hashable {
    public let term: Term
    public let factors: [FactorResult]
    public var satisfied: Bool { factors.allSatisfy(\.satisfied) }

    /// `brand=tesla (GPU brand is Unknown), driver>=470 holds (580.159.04), driver<471 (driver is 580.159.04)`.
    public var explanation: String {
      let failed = factors.filter { !$0.satisfied }
      if failed.isEmpty { return "\(term) holds" }
      return failed.map { result in
        "\(result.factor) fails (\(result.factor.property.rawValue) is \(result.actual ?? "unknown"))"
      }.joined(separator: ", ")
    }
  }

  /// One requirement variable evaluated against one device.
  public struct Evaluation: Sendable, Hashable {
    public let variable: String
    public let expression: String
    public let device: DeviceFacts
    public let terms: [TermResult]
    public var satisfied: Bool { terms.isEmpty || terms.contains(where: \.satisfied) }
  }

  /// The outcome for an image's environment on a host.
  public struct Outcome: Sendable, Hashable {
    /// `NVIDIA_DISABLE_REQUIRE` is set to a true value.
    public let disabled: Bool
    /// Requirements that could not be parsed (the container would not start).
    public let invalid: [String: InvalidExpression]
    public let evaluations: [Evaluation]
    /// `NVIDIA_REQUIRE_CUDA` synthesized from `CUDA_VERSION` (legacy image).
    public let synthesizedFromCudaVersion: Bool
    public var satisfied: Bool { disabled || (invalid.isEmpty && evaluations.allSatisfy(\.satisfied)) }
  }

  /// Go's strconv.ParseBool truth values.
  static func parseBool(_ text: String) -> Bool? {
    switch text {
    case "1", "t", "T", "TRUE", "true", "True": return true
    case "0", "f", "F", "FALSE", "false", "False": return false
    default: return nil
    }
  }

  /// The requirement variables an environment carries (legacy `CUDA_VERSION` included).
  public static func requirements(in environment: [String: String]) -> (requirements: [(String, String)], synthesized: Bool) {
    var found = environment.filter { $0.key.hasPrefix("NVIDIA_REQUIRE_") && !$0.key.hasPrefix("NVIDIA_REQUIRE_JETPACK") }
      .map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
    var synthesized = false
    if environment["NVIDIA_REQUIRE_CUDA"] == nil, let cudaVersion = environment["CUDA_VERSION"], let version = NumericVersion(cudaVersion) {
      found.append(("NVIDIA_REQUIRE_CUDA", "cuda>=\(version.major).\(version.minor)"))
      found.sort { $0.0 < $1.0 }
      synthesized = true
    }
    return (found, synthesized)
  }

  /// Evaluates every requirement of `environment` for each device (or once, with no device).
  public static func evaluate(environment: [String: String], devices: [DeviceFacts]) -> Outcome {
    let disabled = environment["NVIDIA_DISABLE_REQUIRE"].flatMap(parseBool) ?? false
    let (requirements, synthesized) = requirements(in: environment)
    var invalid: [String: InvalidExpression] = [:]
    var evaluations: [Evaluation] = []
    for (variable, expression) in requirements {
      let terms: [Term]
      do {
        terms = try parse(expression)
      } catch {
        invalid[variable] = error
        continue
      }
      for device in devices {
        evaluations.append(
          Evaluation(
            variable: variable, expression: expression, device: device,
            terms: terms.map { term in TermResult(term: term, factors: term.factors.map { evaluate($0, on: device) }) }))
      }
    }
    return Outcome(disabled: disabled, invalid: invalid, evaluations: evaluations, synthesizedFromCudaVersion: synthesized)
  }

  static func evaluate(_ factor: Factor, on device: DeviceFacts) -> FactorResult {
    let actual: String?
    switch factor.property {
    case .cuda: actual = device.cuda
    case .driver: actual = device.driver
    case .arch: actual = device.arch
    case .brand: actual = device.brand
    }
    guard let actual else { return FactorResult(factor: factor, satisfied: true, actual: nil) }
    if factor.property == .brand {
      let equal = actual.lowercased() == factor.value.lowercased()
      return FactorResult(factor: factor, satisfied: factor.op == .equal ? equal : !equal, actual: actual)
    }
    guard let left = NumericVersion(actual), let right = NumericVersion(factor.value) else {
      return FactorResult(factor: factor, satisfied: false, actual: actual)
    }
    let satisfied: Bool
    switch factor.op {
    case .equal: satisfied = left == right
    case .notEqual: satisfied = left != right
    case .less: satisfied = left < right
    case .lessOrEqual: satisfied = left <= right
    case .greater: satisfied = left > right
    case .greaterOrEqual: satisfied = left >= right
    }
    return FactorResult(factor: factor, satisfied: satisfied, actual: actual)
  }
}
