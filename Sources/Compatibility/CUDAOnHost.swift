/// Will code built with a CUDA version run on a host's driver, and by which mechanism?
///
/// Three mechanisms, from NVIDIA's CUDA Compatibility guide (docs.nvidia.com/deploy/cuda-compatibility):
/// - the driver is at least the release's minimum (Release Notes, Table 3): full support;
/// - **forward compatibility**: the image ships the `cuda-compat` package's `libcuda.so.<driver>`
///   (`/usr/local/cuda-X.Y/compat/`) of a newer driver branch than the host's, and the container
///   toolkit puts it in front of the host's `libcuda` — which works only on data-center GPUs,
///   select RTX SKUs and Jetson; elsewhere CUDA fails with `cudaErrorCompatNotSupportedOnDevice`
///   (804), even for a CUDA version the host driver alone would have run;
/// - **minor-version compatibility** (CUDA 11+): a driver of the same CUDA major at or above the
///   major's floor runs it with a limited feature set (newer PTX will not JIT).
public enum CUDAOnHost {
  /// A GPU the container would see, for the forward-compatibility rule.
  public struct Device: Sendable, Hashable {
    public var label: String
    public var productLine: GPUProductLine

    public init(label: String, productLine: GPUProductLine) {
      self.label = label
      self.productLine = productLine
    }
  }

  public enum Outcome: Sendable, Hashable {
    /// The driver is at least the release's minimum.
    case supported
    /// Runs through the image's compat libcuda (its driver version), on GPUs that support it.
    case forwardCompatibility(compatDriver: String)
    /// The image's compat libcuda is newer than the driver, but some GPU's product line may not
    /// support forward compatibility (workstation or unknown).
    case forwardCompatibilityUncertain(compatDriver: String, devices: [String])
    /// The image's compat libcuda is newer than the driver and a GPU cannot use it (GeForce):
    /// CUDA fails with error 804 once it is loaded.
    case forwardCompatibilityUnsupported(compatDriver: String, devices: [String])
    /// Same CUDA major, driver at or above the major's floor: runs with limited features.
    case minorVersionCompatibility
    /// None of the above.
    case tooOld
    /// The table does not know this CUDA version.
    case unknown
  }

  public struct Verdict: Sendable, Hashable {
    public let outcome: Outcome
    /// The driver-only verdict (no compat libraries considered).
    public let driverVerdict: DriverCUDAVerdict

    /// Which mechanism makes it run, or why it does not, in one sentence.
    public var explanation: String {
      let driver = driverVerdict.driver
      let cuda = driverVerdict.cuda
      let minimum = driverVerdict.minimumDriver.map { "driver ≥ \($0)" } ?? "a newer driver"
      switch outcome {
      case .supported, .minorVersionCompatibility, .tooOld, .unknown:
        return driverVerdict.explanation
      case .forwardCompatibility(let compat):
        return "driver \(driver) is older than CUDA \(cuda) needs (\(minimum)), but the image ships the cuda-compat libcuda \(compat): it runs through CUDA forward compatibility on these data-center GPUs"
      case .forwardCompatibilityUncertain(let compat, let devices):
        return "driver \(driver) is older than CUDA \(cuda) needs (\(minimum)); the image ships the cuda-compat libcuda \(compat), which NVIDIA supports only on data-center GPUs and select RTX SKUs — not known for \(devices.joined(separator: ", "))"
      case .forwardCompatibilityUnsupported(let compat, let devices):
        return "driver \(driver) is older than CUDA \(cuda) needs (\(minimum)); the image's cuda-compat libcuda \(compat) does not work on \(devices.joined(separator: ", ")) (forward compatibility is for data-center GPUs): CUDA fails with error 804 \"forward compatibility was attempted on non supported HW\""
      }
    }
  }

  /// Judges `cuda` on `driver`, with the image's compat libcuda versions (`580.65.06`) and the
  /// GPUs a container would see (none known: forward compatibility is judged by the driver alone).
  public static func evaluate(driver: String, cuda: String, compatDrivers: [String] = [], devices: [Device] = []) -> Verdict? {
    guard let driverVerdict = DriverCompatibility.evaluate(driver: driver, cuda: cuda), let driverVersion = NumericVersion(driver) else { return nil }
    // The toolkit puts the image's compat libcuda in front only when its driver branch (major) is
    // newer than the host's: libnvidia-container's default `ldconfig` compat mode keeps
    // "major version above the driver's" (src/cli/compat_mode.c:82), and the CDI hook
    // `enable-cuda-compat` does the same (reference/nvidia-require-rules.md, "cuda-compat").
    let newerCompat = compatDrivers.compactMap(NumericVersion.init).filter { $0.major > driverVersion.major }.max()
    guard driverVerdict.outcome != .supported, let compat = newerCompat else {
      return Verdict(outcome: outcomeWithoutCompat(driverVerdict.outcome), driverVerdict: driverVerdict)
    }
    // The compat libcuda is a driver: it must itself support the CUDA version.
    if let needed = driverVerdict.release?.minimumDriver, compat < needed {
      return Verdict(outcome: outcomeWithoutCompat(driverVerdict.outcome), driverVerdict: driverVerdict)
    }
    let unsupported = devices.filter { $0.productLine.supportsForwardCompatibility == false }.map { "\($0.label) (\($0.productLine.description))" }
    let uncertain = devices.filter { $0.productLine.supportsForwardCompatibility == nil }.map { "\($0.label) (\($0.productLine.description))" }
    let outcome: Outcome
    if !unsupported.isEmpty {
      outcome = .forwardCompatibilityUnsupported(compatDriver: compat.text, devices: unsupported)
    } else if !uncertain.isEmpty || devices.isEmpty {
      outcome = .forwardCompatibilityUncertain(compatDriver: compat.text, devices: devices.isEmpty ? ["the host's GPUs"] : uncertain)
    } else {
      outcome = .forwardCompatibility(compatDriver: compat.text)
    }
    return Verdict(outcome: outcome, driverVerdict: driverVerdict)
  }

  static func outcomeWithoutCompat(_ outcome: DriverCUDAVerdict.Outcome) -> Outcome {
    switch outcome {
    case .supported: return .supported
    case .minorVersionCompatibility: return .minorVersionCompatibility
    case .tooOld: return .tooOld
    case .unknown: return .unknown
    }
  }
}
