/// Compute capability and architecture by NVIDIA PCI device id.
///
/// Used where NVML cannot answer (a captured host, a GPU with no driver bound), so a
/// fingerprint still says what the GPU can run. The data is generated from the project's
/// sourced copy of the facts (`reference/compat-data.json`).
public enum GPUCatalog {
  public struct Entry: Sendable, Hashable {
    public let name: String
    public let architecture: String
    public let computeCapability: String
    /// True when the capability was inferred from the chip family, not listed by NVIDIA.
    public let inferred: Bool
  }

  /// The source string recorded next to a capability taken from this table.
  public static let source = "table:reference/compat-data.json (PCI device id → compute capability)"

  /// The entry for an NVIDIA (vendor 10de) device id, if known.
  public static func nvidia(deviceID: UInt16) -> Entry? { nvidiaEntries[deviceID] }
}
