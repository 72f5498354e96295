/// `NVIDIA_REQUIRE_*` of an image's environment on a host: which variables count, the legacy
/// `CUDA_VERSION` path, which GPUs `NVIDIA_VISIBLE_DEVICES` selects, and the outcome per GPU
/// (libnvidia-container `src/cli/configure.c`, the toolkit's `internal/config/image/cuda_image.go`;
/// reference/nvidia-require-rules.md §4-§5).
extension NvidiaRequire {
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
