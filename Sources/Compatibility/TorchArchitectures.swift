/// Can a framework built for a list of CUDA architectures run on a GPU?
///
/// Rule (torch/cuda/__init__.py, NVIDIA's compatibility notes): a cubin `sm_XY` runs on a GPU
/// of the same major with minor ≥ Y, except the integrated parts 5.3, 6.2, 7.2 and 8.7 and
/// architecture-specific `sm_XYa` cubins, which run only on exactly X.Y; PTX `compute_XY`
/// JIT-compiles for any GPU with compute capability ≥ X.Y.
public enum TorchArchitectures {
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

  /// `sm_90` → (9, 0, suffix ""); `sm_100a` → (10, 0, "a"); `compute_86` → (8, 6, "").
  public static func parse(_ entry: String) -> (kind: String, major: Int, minor: Int, suffix: String)? {
    let parts = entry.split(separator: "_", maxSplits: 1)
    guard parts.count == 2, parts[0] == "sm" || parts[0] == "compute" else { return nil }
    let digits = parts[1].prefix(while: \.isNumber)
    let suffix = String(parts[1].dropFirst(digits.count))
    guard digits.count >= 2, let minor = Int(String(digits.last!)), let major = Int(digits.dropLast()) else { return nil }
    return (String(parts[0]), major, minor, suffix)
  }

  static let integrated: Set<String> = ["5.3", "6.2", "7.2", "8.7"]

  /// The verdict for a GPU of compute capability `capability` (`9.0`).
  public static func verdict(archList: [String], capability: String) -> Verdict {
    guard let cc = NumericVersion(capability) else { return .unsupported }
    if archList.isEmpty { return .cpuOnly }
    let parsed = archList.compactMap { entry in parse(entry).map { (entry, $0) } }
    var best: (String, Int)?
    for (entry, arch) in parsed where arch.kind == "sm" && arch.major == cc.major {
      let key = "\(arch.major).\(arch.minor)"
      let exactOnly = !arch.suffix.isEmpty && arch.suffix != "f" || integrated.contains(key)
      let runs = exactOnly ? arch.minor == cc.minor : arch.minor <= cc.minor
      if runs, best == nil || arch.minor > best!.1 { best = (entry, arch.minor) }
    }
    if let best { return .native(best.0) }
    let ptx = parsed.filter { $0.1.kind == "compute" && ($0.1.major, $0.1.minor) <= (cc.major, cc.minor) }
      .max { ($0.1.major, $0.1.minor) < ($1.1.major, $1.1.minor) }
    if let ptx { return .ptx(ptx.0) }
    return .unsupported
  }
}
