/// Does a PyTorch build have CUDA kernels for a GPU of a given compute capability?
///
/// Every rule below is quoted, with its source, in `reference/compute-capability-rules.md`:
/// * a cubin `sm_XY` runs on the same major with minor ≥ Y, never across the desktop↔Tegra
///   line (until CUDA 13.2 put Jetson Orin on the SBSA stack);
/// * `sm_XYa` runs only on X.Y; `sm_XYf` runs on the members of X.Y's family from X.Y on
///   (NVIDIA's "Family-Specific Compatibility" table);
/// * PTX `compute_XY` JIT-compiles for any GPU with compute capability ≥ X.Y, `compute_XYa`
///   only for X.Y, `compute_XYf` only within the family.
public enum TorchArchitectures {
  /// The verdict the compatibility report switches on.
  public enum Verdict: Sendable, Hashable {
    /// A cubin for this GPU exists.
    case native(String)
    /// No cubin, but PTX that the driver can JIT (slow first start; needs a new enough driver).
    case ptx(String)
    /// Neither: "no kernel image is available for execution on the device".
    case unsupported
    /// The build has no CUDA architectures (a CPU build).
    case cpuOnly
  }

  /// What CUDA reports when no cubin or PTX in the fatbinary fits the GPU
  /// (`cudaErrorNoKernelImageForDevice`, 209); torch raises it as
  /// `RuntimeError: CUDA error: no kernel image is available for execution on the device`.
  public static let noKernelImageError = "no kernel image is available for execution on the device"

  // MARK: - Compute capabilities and targets

  /// A compute capability `major.minor`, e.g. 8.6 or 12.1.
  public struct Capability: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(_ major: Int, _ minor: Int) {
      self.major = major
      self.minor = minor
    }

    /// Parses `8.6`, `12.1` or a bare `9` (9.0); nil for anything else.
    public init?(_ text: String) {
      guard let version = NumericVersion(text), version.components.count <= 2, version.minor < 10 else { return nil }
      self.init(version.major, version.minor)
    }

    public var description: String { "\(major).\(minor)" }
    /// The digits of the `sm_` name: 8.6 → `86`, 12.1 → `121`.
    public var digits: String { "\(major)\(minor)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
  }

  /// One entry of torch's arch flags: a cubin (`sm_90`) or PTX (`compute_90`), optionally
  /// architecture-specific (`sm_90a`) or family-specific (`sm_100f`).
  public struct Target: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
      /// SASS for one GPU architecture (`sm_XY`).
      case cubin = "sm"
      /// The virtual ISA the driver JIT-compiles (`compute_XY`).
      case ptx = "compute"
    }

    public enum Scope: String, Sendable {
      /// No suffix: the baseline feature set.
      case baseline = ""
      /// `a`: architecture-specific, runs only on exactly this compute capability.
      case architecture = "a"
      /// `f`: family-specific, runs on the later members of this capability's family.
      case family = "f"
    }

    public let kind: Kind
    public let capability: Capability
    public let scope: Scope

    public init(_ kind: Kind, _ capability: Capability, _ scope: Scope = .baseline) {
      self.kind = kind
      self.capability = capability
      self.scope = scope
    }

    /// Parses `sm_90`, `sm_100a`, `sm_120f`, `compute_86`; nil for anything else (`gfx90a`).
    /// The last digit is the minor, the digits before it the major, as in nvcc's names.
    public init?(_ text: String) {
      let parts = text.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])) else { return nil }
      let digits = parts[1].prefix { $0.isASCII && $0.isNumber }
      guard digits.count >= 2, digits.count <= 4, let scope = Scope(rawValue: String(parts[1].dropFirst(digits.count))),
        let minor = Int(String(digits.last!)), let major = Int(digits.dropLast())
      else { return nil }
      self.init(kind, Capability(major, minor), scope)
    }

    public var description: String { "\(kind.rawValue)_\(capability.digits)\(scope.rawValue)" }
  }

  /// `sm_90` → (`sm`, 9, 0, ``); `sm_100a` → (`sm`, 10, 0, `a`); `compute_86` → (`compute`, 8, 6, ``).
  public static func parse(_ entry: String) -> (kind: String, major: Int, minor: Int, suffix: String)? {
    Target(entry).map { ($0.kind.rawValue, $0.capability.major, $0.capability.minor, $0.scope.rawValue) }
  }

  // MARK: - NVIDIA's tables

  /// Integrated (Tegra/Jetson) GPUs. There is no binary compatibility between them and desktop or
  /// server GPUs of the same major (CUDA C++ Programming Guide, "Binary Compatibility").
  static let tegra: [Capability: String] = [
    Capability(5, 3): "Jetson TX1/Nano", Capability(6, 2): "Jetson TX2", Capability(7, 2): "Jetson Xavier",
    Capability(8, 7): "Jetson Orin", Capability(10, 1): "Jetson Thor, CUDA 12 numbering", Capability(11, 0): "Jetson Thor",
  ]

  /// Tegra GPUs that run desktop (SBSA) cubins of their major when the build uses CUDA 13.2 or
  /// later (torch/cuda/__init__.py `DEVICE_REQUIREMENT_POST_JETSON_SBSA_UNIFICATION`).
  static let sbsaUnifiedTegra: Set<Capability> = [Capability(7, 2), Capability(8, 7)]
  static let sbsaUnificationCUDA = NumericVersion("13.2")!

  /// NVIDIA's GPU families in the order of "Family-Specific Compatibility" (CUDA Programming Guide
  /// 5.1.2.3, Table 28): `compute_XYf` runs on the members of X.Y's family from X.Y on.
  static let families: [[Capability]] = [
    [Capability(10, 0), Capability(10, 3), Capability(10, 7)],
    [Capability(10, 1), Capability(11, 0)],
    [Capability(12, 0), Capability(12, 1)],
  ]

  /// CUDA 13.0 renumbered Jetson Thor from 10.1 to 11.0: the same GPU under two names.
  static func isSameGPU(_ a: Capability, _ b: Capability) -> Bool {
    a == b || Set([a, b]) == [Capability(10, 1), Capability(11, 0)]
  }

  /// The members of `start`'s family from `start` on, as Table 28 lists them; nil when it does not.
  static func family(from start: Capability) -> [Capability]? {
    guard let family = families.first(where: { $0.contains(start) }) else { return nil }
    return Array(family.drop { $0 != start })
  }

  // MARK: - One target on one GPU

  /// Whether a target runs on a GPU, and why (or why not).
  struct Fit {
    let runs: Bool
    /// When it runs, the rest of a sentence after the target's name; when it does not, the
    /// reason, which targets failing alike share.
    let note: String
  }

  static let otherMajor = "other majors; a cubin runs only on its own major"
  static let newerPTX = "PTX for newer GPUs only"

  static func fit(_ target: Target, on device: Capability, cuda: NumericVersion?) -> Fit {
    let code = target.capability
    switch (target.kind, target.scope) {
    case (_, .architecture):
      if isSameGPU(code, device) { return Fit(runs: true, note: "is architecture-specific code built for exactly \(device)") }
      return Fit(runs: false, note: "architecture-specific: runs only on exactly \(code), not forward compatible")
    case (_, .family):
      let runs: Bool
      let scope: String
      if let members = family(from: code) {
        runs = members.contains { isSameGPU($0, device) }
        scope = members.map(\.description).joined(separator: ", ")
      } else {
        // Not in Table 28: assume its rule of thumb, later non-Tegra GPUs of the same major.
        runs = code.major == device.major && code.minor <= device.minor && tegra[device] == nil
        scope = "\(code.major).x from \(code) on (assumed: \(code) is not in NVIDIA's family table)"
      }
      if runs { return Fit(runs: true, note: "is family-specific code that runs on \(scope)") }
      return Fit(runs: false, note: "family-specific: runs only on \(scope)")
    case (.ptx, .baseline):
      if device >= code || isSameGPU(code, device) {
        return Fit(runs: true, note: "PTX JIT-compiles for any GPU of compute capability ≥ \(code)")
      }
      return Fit(runs: false, note: newerPTX)
    case (.cubin, .baseline):
      return cubinFit(code, on: device, cuda: cuda)
    }
  }

  static func cubinFit(_ code: Capability, on device: Capability, cuda: NumericVersion?) -> Fit {
    if isSameGPU(code, device) {
      let renamed = code == device ? "" : " (CUDA 13.0 renamed Jetson Thor's 10.1 to 11.0)"
      return Fit(runs: true, note: "cubins are built for \(device)\(renamed)")
    }
    guard code.major == device.major else { return Fit(runs: false, note: otherMajor) }
    if let part = tegra[code] {
      return Fit(runs: false, note: "Tegra code for \(code) \(part): runs only there, no desktop↔Tegra binary compatibility")
    }
    guard code.minor <= device.minor else { return Fit(runs: false, note: "for \(code) and later \(code.major).x only") }
    if let part = tegra[device] {
      if sbsaUnifiedTegra.contains(device), let cuda, cuda >= sbsaUnificationCUDA {
        return Fit(
          runs: true,
          note: "cubins run on Tegra \(device) (\(part)) because the build uses CUDA \(cuda): from CUDA 13.2 Jetson runs SBSA (desktop) binaries")
      }
      let until = sbsaUnifiedTegra.contains(device) ? " before CUDA 13.2" : ""
      return Fit(runs: false, note: "no desktop↔Tegra binary compatibility: \(device) \(part) runs only its own cubins\(until)")
    }
    return Fit(runs: true, note: "cubins run on \(device) (a cubin runs on its own major at the same or a higher minor)")
  }

  // MARK: - The verdict

  /// What a PyTorch build says about its CUDA kernels.
  public struct TorchBuild: Hashable, Sendable {
    /// `torch.version.cuda` (`12.4`); nil for CPU (and ROCm) builds.
    public var cuda: String?
    /// `torch._C._cuda_getArchFlags().split()`: the compiled `sm_`/`compute_` entries. For a CUDA
    /// build, empty means unknown: `torch.cuda.get_arch_list()` returns `[]` whenever CUDA is not
    /// available (torch ≤ 2.12), e.g. in a container started without a GPU.
    public var archFlags: [String]
    /// `torch.__version__` (`2.5.1+cu124`); only used to predict torch's own warnings.
    public var torchVersion: String?

    public init(cuda: String?, archFlags: [String], torchVersion: String? = nil) {
      self.cuda = cuda
      self.archFlags = archFlags
      self.torchVersion = torchVersion
    }
  }

  /// The verdict for one build on one GPU, with an explanation a user can act on.
  public struct Assessment: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
      /// This cubin runs on the GPU.
      case native(Target)
      /// No cubin runs, but the driver can JIT this PTX.
      case ptx(Target)
      /// Nothing runs: kernels fail with "no kernel image is available for execution on the device".
      case unsupported
      /// `torch.version.cuda` is nil: the build has no CUDA kernels.
      case cpuOnly
      /// Not enough facts: a CUDA build with no arch flags, or an unreadable compute capability.
      case undetermined
    }

    public let outcome: Outcome
    public let explanation: String

    /// The older four-way verdict; nil when undetermined.
    public var verdict: Verdict? {
      switch outcome {
      case .native(let target): .native(target.description)
      case .ptx(let target): .ptx(target.description)
      case .unsupported: .unsupported
      case .cpuOnly: .cpuOnly
      case .undetermined: nil
      }
    }
  }

  /// Judges `build` on a GPU of compute capability `capability` (`9.0`).
  public static func assess(_ build: TorchBuild, capability: String) -> Assessment {
    guard let cuda = build.cuda else {
      return Assessment(outcome: .cpuOnly, explanation: "torch.version.cuda is None: a CPU-only build with no CUDA kernels")
    }
    guard let device = Capability(capability) else {
      return Assessment(outcome: .undetermined, explanation: "'\(capability)' is not a compute capability")
    }
    let targets = build.archFlags.compactMap(Target.init)
    guard !targets.isEmpty else {
      let flags =
        build.archFlags.isEmpty
        ? "no arch flags were recorded" : "no arch flag is an sm_/compute_ entry (\(build.archFlags.joined(separator: " ")))"
      return Assessment(
        outcome: .undetermined,
        explanation:
          "a CUDA \(cuda) build, but \(flags); torch.cuda.get_arch_list() is empty whenever CUDA is unavailable, "
          + "read torch._C._cuda_getArchFlags() instead")
    }
    return judge(targets, on: device, cuda: NumericVersion(cuda))
  }

  /// The verdict for a GPU of compute capability `capability` (`9.0`) and a list of arch flags
  /// whose CUDA version is unknown (so the CUDA 13.2 Jetson rule is not applied).
  /// An empty list is a CPU build; an unreadable capability is `.unsupported`.
  public static func verdict(archList: [String], capability: String) -> Verdict {
    if archList.isEmpty { return .cpuOnly }
    guard let device = Capability(capability) else { return .unsupported }
    return judge(archList.compactMap(Target.init), on: device, cuda: nil).verdict ?? .unsupported
  }

  /// The verdict for `build` on `capability`; `.cpuOnly` for CPU builds, nil when undetermined.
  public static func verdict(build: TorchBuild, capability: String) -> Verdict? {
    assess(build, capability: capability).verdict
  }

  static func judge(_ targets: [Target], on device: Capability, cuda: NumericVersion?) -> Assessment {
    let fits = targets.map { ($0, fit($0, on: device, cuda: cuda)) }
    let cubins = fits.filter { $0.0.kind == .cubin }
    if let (best, why) = cubins.filter(\.1.runs).max(by: { preference($0.0, device) < preference($1.0, device) }) {
      return Assessment(outcome: .native(best), explanation: "\(best) \(why.note)")
    }
    let noCubin = cubins.isEmpty ? "the build has no cubins" : "no cubin runs on \(device): \(failures(cubins))"
    let runnablePTX = fits.filter { $0.0.kind == .ptx && $0.1.runs }
    if let (best, why) = runnablePTX.max(by: { preference($0.0, device) < preference($1.0, device) }) {
      return Assessment(
        outcome: .ptx(best),
        explanation: "\(noCubin); the driver must JIT \(best) at first use (\(best) \(why.note); "
          + "slow first start, and the driver must be at least as new as the CUDA that built the PTX)")
    }
    let ptx = fits.filter { $0.0.kind == .ptx }
    let noPTX = ptx.isEmpty ? "no PTX is embedded for the driver to JIT" : "no PTX fits either: \(failures(ptx))"
    return Assessment(outcome: .unsupported, explanation: "\(noCubin); \(noPTX)")
  }

  /// Orders runnable targets: the GPU's own capability first, then the closest, then `a` over `f`.
  static func preference(_ target: Target, _ device: Capability) -> (Int, Int, Int, Int) {
    let scopeRank = switch target.scope { case .baseline: 0; case .family: 1; case .architecture: 2 }
    return (isSameGPU(target.capability, device) ? 1 : 0, target.capability.major, target.capability.minor, scopeRank)
  }

  /// "sm_50 sm_60 (other majors; …); sm_80 sm_86 (no desktop↔Tegra binary compatibility: …)".
  static func failures(_ fits: [(Target, Fit)]) -> String {
    var groups: [(names: [String], note: String)] = []
    for (target, fit) in fits where !fit.runs {
      if let index = groups.firstIndex(where: { $0.note == fit.note }) {
        groups[index].names.append(target.description)
      } else {
        groups.append(([target.description], fit.note))
      }
    }
    return groups.map { "\($0.names.joined(separator: " ")) (\($0.note))" }.joined(separator: "; ")
  }
}

// MARK: - torch's own warnings

extension TorchArchitectures {
  /// The UserWarnings `torch.cuda` prints when it initialises CUDA on this GPU, in its order:
  /// `_check_capability` (rule and wording depend on the torch version; skipped when the version
  /// is unknown), then `_check_cubins`. Leading indentation is trimmed, and the install advice
  /// that follows `_check_capability`'s text is left out. Empty when torch stays silent, which
  /// does not mean its kernels run: torch ≤ 2.10 says nothing about an sm_80 build on Jetson Orin.
  public static func torchWarnings(_ build: TorchBuild, capability: String, deviceName: String, deviceIndex: Int = 0) -> [String] {
    guard let cuda = build.cuda, !build.archFlags.isEmpty, let device = Capability(capability) else { return [] }
    let targets = build.archFlags.compactMap(Target.init)
    guard targets.count == build.archFlags.count else { return [] }
    var warnings: [String] = []
    if let text = build.torchVersion, let warning = capabilityWarning(
      targets, device: device, version: PythonVersion(text), cuda: NumericVersion(cuda), name: deviceName, index: deviceIndex)
    {
      warnings.append(warning)
    }
    // _check_cubins: warns when no sm_ entry has the device's major (same text from 1.13 to 2.15).
    if !targets.contains(where: { $0.kind == .cubin && $0.capability.major == device.major }) {
      warnings.append(
        """
        \(deviceName) with CUDA capability sm_\(device.digits) is not compatible with the current PyTorch installation.
        The current PyTorch install supports CUDA capabilities \(build.archFlags.joined(separator: " ")).
        If you want to use the \(deviceName) GPU with PyTorch, please check the instructions at https://pytorch.org/get-started/locally/
        """)
    }
    return warnings
  }

  /// `_check_capability` of torch/cuda/__init__.py. torch reduces every entry to its number
  /// (`sm_90a`, `compute_90` → 90) before comparing.
  static func capabilityWarning(
    _ targets: [Target], device: Capability, version: PythonVersion, cuda: NumericVersion?, name: String, index: Int
  ) -> String? {
    let codes = targets.map(\.capability)
    guard let lowest = codes.min(), let highest = codes.max() else { return nil }
    if version < PythonVersion("2.8.0.dev0") {
      // ≤ 2.7: "too old" when below the lowest entry.
      guard device < lowest else { return nil }
      return """
        Found GPU\(index) \(name) which is of cuda capability \(device).
        PyTorch no longer supports this GPU because it is too old.
        The minimum cuda capability supported by this library is \(lowest).
        """
    }
    if version < PythonVersion("2.11.0.dev0") {
      // 2.8–2.10: outside [lowest, highest], whatever the binary rules say.
      guard device < lowest || device > highest else { return nil }
      return """
        Found GPU\(index) \(name) which is of cuda capability \(device).
        Minimum and Maximum cuda capability supported by this version of PyTorch is
        (\(lowest)) - (\(highest))
        """
    }
    // 2.11+: the DEVICE_REQUIREMENT table; 2.14+ switches tables for CUDA ≥ 13.2 builds.
    let unified = version >= PythonVersion("2.14.0.dev0") && (cuda.map { $0 >= sbsaUnificationCUDA } ?? false)
    let thorSet = version >= PythonVersion("2.14.0.dev0")
    let requirements = codes.map { deviceRequirement(code: $0, unified: unified, thorSet: thorSet) }
    // A capability missing from the table counts as `_CompatInterval(start=code)`.
    let compatible = zip(codes, requirements).contains { code, requirement in
      requirement?.contains(device) ?? (device.major == code.major && device.minor >= code.minor)
    }
    guard !compatible else { return nil }
    let header = [
      "Found GPU\(index) \(name) which is of compute capability (CC) \(device).",
      "The following list shows the CCs this version of PyTorch was built for and the hardware CCs it supports:",
    ]
    let lines = zip(codes, requirements).map { code, requirement in "- \(code) which supports hardware CC \(requirement?.description ?? "None")" }
    return (header + lines).joined(separator: "\n")
  }

  /// One value of torch's `DEVICE_REQUIREMENT`: an interval within a major, or a set.
  struct DeviceRequirement: CustomStringConvertible {
    var start: Capability?
    var excluded: [Capability] = []
    var members: [Capability] = []

    func contains(_ device: Capability) -> Bool {
      if let start { return device.major == start.major && device.minor >= start.minor && !excluded.contains(device) }
      return members.contains(device)
    }

    /// As `_CompatInterval.__str__` / `_CompatSet.__str__` print it.
    var description: String {
      guard let start else { return "{" + members.map(\.description).joined(separator: ", ") + "}" }
      let except = excluded.isEmpty ? "" : " except {" + excluded.map(\.description).joined(separator: ", ") + "}"
      return ">=\(start),<\(start.major + 1).0\(except)"
    }
  }

  /// torch's `DEVICE_REQUIREMENT[code]` (2.11+), nil for capabilities it does not list.
  static func deviceRequirement(code: Capability, unified: Bool, thorSet: Bool) -> DeviceRequirement? {
    let thor = [Capability(10, 1), Capability(11, 0)]
    switch code.digits {
    case "50", "52": return DeviceRequirement(start: code, excluded: [Capability(5, 3)])
    case "60", "61": return DeviceRequirement(start: code, excluded: [Capability(6, 2)])
    case "70": return DeviceRequirement(start: code, excluded: unified ? [] : [Capability(7, 2)])
    case "80", "86": return DeviceRequirement(start: code, excluded: unified ? [] : [Capability(8, 7)])
    case "53", "62", "72", "87": return DeviceRequirement(members: [code])
    case "75", "89", "90", "103", "120", "121": return DeviceRequirement(start: code)
    case "100": return DeviceRequirement(start: code, excluded: [Capability(10, 1)])
    case "101": return DeviceRequirement(members: thor)
    case "110": return thorSet ? DeviceRequirement(members: thor) : DeviceRequirement(start: code)
    default: return nil
    }
  }
}
