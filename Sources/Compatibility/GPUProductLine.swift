/// The product line of a GPU, as NVIDIA's compatibility rules tell them apart.
///
/// CUDA forward compatibility "is applicable only for systems with NVIDIA Data Center GPUs,
/// select NGC Server Ready SKUs of RTX cards, [and] Jetson boards" (CUDA Compatibility guide,
/// "Forward Compatibility", docs.nvidia.com/deploy/cuda-compatibility/forward-compatibility.html);
/// a compat `libcuda` on any other GPU fails with `cudaErrorCompatNotSupportedOnDevice` (804,
/// "forward compatibility was attempted on non supported HW").
public enum GPUProductLine: String, Sendable, Hashable, Codable {
  /// Tesla / data-center parts: A100, H100, H200, B200, L4, L40S, T4, V100, …
  case dataCenter
  /// Workstation parts (Quadro, RTX A6000, RTX PRO): only "select NGC Server Ready SKUs"
  /// support forward compatibility.
  case workstation
  /// GeForce and TITAN.
  case consumer
  /// Jetson / Tegra / DRIVE integrated GPUs.
  case integrated
  /// The name and brand do not say.
  case unknown

  /// Classifies by NVML's brand (`Tesla`, `GeForce`, `NVIDIA`, …) and the product name.
  /// NVML calls Hopper and newer data-center parts plain `NVIDIA`, so the name decides then.
  public static func classify(name: String?, nvmlBrand: String?) -> GPUProductLine {
    switch nvmlBrand?.lowercased() {
    case "tesla": return .dataCenter
    case "geforce", "geforce rtx", "titan", "titan rtx": return .consumer
    case "quadro", "quadro rtx", "nvidia rtx": return .workstation
    default: break
    }
    guard let name = name?.lowercased() else { return .unknown }
    let words = Set(name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
    if name.contains("geforce") || name.contains("titan") || name.hasPrefix("nvidia cmp") { return .consumer }
    if ["jetson", "orin", "tegra", "xavier", "thor", "drive"].contains(where: words.contains) { return .integrated }
    if name.contains("quadro") || name.contains("rtx") || name.contains("ada generation") { return .workstation }
    if name.contains("tesla") { return .dataCenter }
    // T400 … T1200 are workstation boards; T4 is a data-center one.
    if words.contains(where: { $0.first == "t" && $0.dropFirst().count >= 3 && $0.dropFirst().allSatisfy(\.isNumber) }) { return .workstation }
    // Data-center model numbers: a letter family and a number (A100, H200, B200, GB200, GH200, L40S, T4, V100, …).
    let dataCenterModel = words.contains { word in
      guard let first = word.first, "abghlptv".contains(first) else { return false }
      let rest = word.drop(while: { $0.isLetter })
      return !rest.isEmpty && rest.first!.isNumber && word.prefix(while: { $0.isLetter }).count <= 2
    }
    return dataCenterModel ? .dataCenter : .unknown
  }

  /// Whether NVIDIA supports CUDA forward compatibility (the `cuda-compat` libraries) on it.
  public var supportsForwardCompatibility: Bool? {
    switch self {
    case .dataCenter, .integrated: return true
    case .consumer: return false
    case .workstation, .unknown: return nil
    }
  }

  /// Words for messages.
  public var description: String {
    switch self {
    case .dataCenter: return "a data-center GPU"
    case .workstation: return "a workstation GPU"
    case .consumer: return "a GeForce/TITAN GPU"
    case .integrated: return "an integrated (Jetson/Tegra) GPU"
    case .unknown: return "a GPU of unknown product line"
    }
  }
}
