// The inspection checks, compiled into the binary (SwiftPM `.embedInCode` resources) so the
// installed tool needs no files beside it. See checks/README.md for the output protocol.

/// The scripts `rigcheck inspect` runs inside an image, in order.
public enum CheckScripts {
  /// One named check script.
  public struct Script: Sendable {
    public let name: String
    public let text: String
  }

  /// The shell checks, in the order they run (after ``prelude``).
  public static let shellChecks: [Script] = [
    Script(name: "os", text: text(PackageResources.os_sh)),
    Script(name: "python", text: text(PackageResources.python_sh)),
    Script(name: "cuda", text: text(PackageResources.cuda_sh)),
    Script(name: "cudnn-nccl", text: text(PackageResources.cudnn_nccl_sh)),
    Script(name: "frameworks", text: text(PackageResources.frameworks_sh)),
    Script(name: "dpkg", text: text(PackageResources.dpkg_sh)),
  ]

  /// Defines `emit` and `RC_PYTHON`.
  public static let prelude = text(PackageResources.prelude_sh)
  /// The Python program behind `python.sh` (passed as `RC_PYTHON_INVENTORY`).
  public static let pythonInventory = text(PackageResources.python_inventory_py)
  /// The Python program behind `frameworks.sh` (passed as `RC_FRAMEWORK_PROBE`).
  public static let frameworkProbe = text(PackageResources.framework_probe_py)

  private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
