/// Which environment variables of an image are kept. An allowlist: credentials and anything
/// unexpected are never captured, whatever their name.
enum ImageEnvironment {
  static let keptPrefixes = ["NVIDIA_", "CUDA_", "CUDNN_", "NCCL_", "NV_", "TORCH_", "PYTORCH_", "CONDA_", "PYTHON", "TF_", "XLA_", "JAX_", "OMP_", "MKL_"]
  static let keptNames: Set<String> = ["PATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "HOME"]
  /// Even under a kept prefix, names containing these are dropped.
  static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH"]

  static func isKept(_ name: String) -> Bool {
    let upper = name.uppercased()
    if secretMarkers.contains(where: { upper.contains($0) }) { return false }
    return keptNames.contains(name) || keptPrefixes.contains { name.hasPrefix($0) }
  }

  /// `NAME=value` entries → the kept ones, with URL credentials (`://user:pass@`) masked.
  static func filter(_ entries: [String]) -> [String: String] {
    var kept: [String: String] = [:]
    for entry in entries {
      guard let equals = entry.firstIndex(of: "=") else { continue }
      let name = String(entry[..<equals])
      guard isKept(name) else { continue }
      kept[name] = maskCredentials(String(entry[entry.index(after: equals)...]))
    }
    return kept
  }

  static func maskCredentials(_ value: String) -> String {
    guard let scheme = value.firstRange(of: "://"), let at = value[scheme.upperBound...].firstIndex(of: "@") else { return value }
    let userInfo = value[scheme.upperBound..<at]
    guard !userInfo.contains("/") else { return value }
    return String(value[..<scheme.upperBound]) + "REDACTED@" + value[value.index(after: at)...]
  }
}
