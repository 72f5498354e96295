/// NVIDIA's CUDA-release → minimum-driver table, the minor-version-compatibility floors, and
/// which CUDA version each driver branch reports. Data: `CUDADriverTable+Data.swift`,
/// generated from `reference/compat-data.json` (sources in `reference/compat-facts.md` §1).
public enum CUDADriverTable {
  /// One row of the release notes' "CUDA Toolkit and Corresponding Driver Versions" table.
  public struct Release: Sendable, Hashable {
    /// The toolkit version, e.g. `12.4.1`.
    public let cuda: String
    /// NVIDIA's name for it, e.g. `CUDA 12.4 Update 1`.
    public let label: String
    /// The minimum Linux x86_64 driver, when the table gives one.
    public let minimumLinuxDriver: String?
    /// The driver branch (`R615`) where the table gives a branch instead of a version.
    public let driverBranch: String?
    /// `high`, `medium` or `unverified`, as the reference data says.
    public let confidence: String

    /// The minimum driver as a comparable version (`R615` → `615`).
    public var minimumDriver: NumericVersion? {
      if let minimumLinuxDriver { return NumericVersion(minimumLinuxDriver) }
      return driverBranch.flatMap { NumericVersion(String($0.drop(while: { !$0.isNumber }))) }
    }
  }

  /// The lowest driver that runs any toolkit of a CUDA major under minor-version compatibility.
  public struct MinorVersionFloor: Sendable, Hashable {
    public let cudaMajor: Int
    public let minimumLinuxDriver: String
  }

  /// Where these facts come from, for messages.
  public static let source =
    "NVIDIA CUDA Toolkit Release Notes, Table 3 (CUDA Toolkit and Corresponding Driver Versions); CUDA Compatibility guide"

  /// The table row for a CUDA version: an exact row, or for `X.Y` the minor's GA release,
  /// or for `X.Y.Z` without a row of its own the newest row of that minor not above it.
  public static func release(for cuda: NumericVersion) -> Release? {
    let sameMinor = releases.filter { row in
      guard let version = NumericVersion(row.cuda) else { return false }
      return version.prefix(2) == cuda.prefix(2) && row.minimumDriver != nil
    }
    guard !sameMinor.isEmpty else { return nil }
    if cuda.components.count <= 2 { return sameMinor.first }
    return sameMinor.last { NumericVersion($0.cuda)! <= cuda } ?? sameMinor.first
  }

  /// The minor-version-compatibility floor for a CUDA major (11, 12, 13), if it has one.
  public static func minorVersionFloor(major: Int) -> MinorVersionFloor? {
    minorVersionFloors.first { $0.cudaMajor == major }
  }

  /// The CUDA version a driver reports (its branch's toolkit), e.g. 580.x → `13.0`.
  public static func cudaVersion(forDriver driver: NumericVersion) -> String? {
    branchCUDAVersions.last { $0.branch <= driver.major }?.cuda
  }
}

/// Can a host driver run code built with a given CUDA toolkit?
public struct DriverCUDAVerdict: Sendable, Hashable {
  public enum Outcome: String, Sendable, Hashable, Codable {
    /// The driver is at least the release's minimum: full support.
    case supported
    /// Below the release's minimum but at least its major's floor: CUDA minor-version
    /// compatibility runs it with a limited feature set (PTX built by the newer toolkit
    /// will not JIT: cudaErrorUnsupportedPtxVersion).
    case minorVersionCompatibility
    /// Below the major's floor (or below the release minimum where no floor exists).
    case tooOld
    /// The table does not know this CUDA version.
    case unknown
  }

  public let outcome: Outcome
  public let driver: String
  public let cuda: String
  /// The release row used, if any.
  public let release: CUDADriverTable.Release?
  /// The floor for the CUDA major, if any.
  public let floor: CUDADriverTable.MinorVersionFloor?

  /// A sentence naming the versions and the minimum driver.
  public var explanation: String {
    let minimum = release.map { "\($0.label) needs driver ≥ \($0.minimumLinuxDriver ?? $0.driverBranch ?? "?")" }
    let floorText = floor.map { "CUDA \($0.cudaMajor).x runs on ≥ \($0.minimumLinuxDriver) under minor-version compatibility" }
    switch outcome {
    case .supported:
      return "driver \(driver) supports CUDA \(cuda)" + (minimum.map { " (\($0))" } ?? "")
    case .minorVersionCompatibility:
      return "driver \(driver) is older than CUDA \(cuda) needs: \(minimum ?? "?"); \(floorText ?? ""), with a limited feature set (PTX built by CUDA \(cuda) will not JIT)"
    case .tooOld:
      return "driver \(driver) is too old for CUDA \(cuda): \(minimum ?? floorText ?? "see the release notes")"
    case .unknown:
      return "CUDA \(cuda) is not in rigcheck's table of minimum drivers" + (floorText.map { "; \($0)" } ?? "")
    }
  }

  /// The driver needed for full support, when known.
  public var minimumDriver: String? { release?.minimumLinuxDriver ?? release?.driverBranch }
}

/// Evaluates a driver against a CUDA version with NVIDIA's tables.
public enum DriverCompatibility {
  /// - Returns: nil when either version is not a dotted number.
  public static func evaluate(driver: String, cuda: String) -> DriverCUDAVerdict? {
    guard let driverVersion = NumericVersion(driver), let cudaVersion = NumericVersion(cuda) else { return nil }
    let release = CUDADriverTable.release(for: cudaVersion)
    let floor = CUDADriverTable.minorVersionFloor(major: cudaVersion.major)
    let floorVersion = floor.flatMap { NumericVersion($0.minimumLinuxDriver) }
    let outcome: DriverCUDAVerdict.Outcome
    if let minimum = release?.minimumDriver {
      if driverVersion >= minimum {
        outcome = .supported
      } else if let floorVersion, driverVersion >= floorVersion {
        outcome = .minorVersionCompatibility
      } else {
        outcome = .tooOld
      }
    } else if let floorVersion {
      outcome = driverVersion >= floorVersion ? .minorVersionCompatibility : .tooOld
    } else {
      outcome = .unknown
    }
    return DriverCUDAVerdict(outcome: outcome, driver: driver, cuda: cuda, release: release, floor: floor)
  }
}
