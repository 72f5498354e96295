/// How the NVIDIA Container Toolkit gives a container its GPUs, and whether it checks the image's
/// `NVIDIA_REQUIRE_*` on the way (nvidia-container-toolkit `internal/info/auto.go`,
/// `internal/modifier/`, `cmd/nvidia-container-runtime-hook`; see
/// `reference/nvidia-require-rules.md`). Only `legacy` refuses containers as `NvidiaRequire` says.
public enum ContainerRuntimeMode: String, Sendable, Hashable, CaseIterable {
  /// The runtime adds nvidia-container-runtime-hook, which runs `nvidia-container-cli configure
  /// --require=…`: `NvidiaRequire` applies.
  case legacy
  /// Tegra: the runtime checks requirements itself with a different evaluator (only `cuda` from
  /// `cuDriverGetVersion` and `arch` of GPU 0, semantic versions); `NvidiaRequire` does not apply.
  case csv
  /// The runtime applies CDI specs for `nvidia.com/gpu=…` devices: nothing checks requirements.
  case cdi
  /// The runtime generates CDI specs for the requested GPUs: nothing checks requirements.
  case jitCDI = "jit-cdi"

  /// Who checks `NVIDIA_REQUIRE_*` in this mode.
  public enum RequirementCheck: Sendable, Hashable {
    /// nvidia-container-cli's DSL, as `NvidiaRequire` models it.
    case libnvidiaContainer
    /// The toolkit's Go constraints (csv mode), not modeled by rigcheck.
    case toolkitConstraints
    /// Nobody: the container starts whatever the requirements say.
    case none
  }

  public var requirementCheck: RequirementCheck {
    switch self {
    case .legacy: return .libnvidiaContainer
    case .csv: return .toolkitConstraints
    case .cdi, .jitCDI: return .none
    }
  }

  /// Who hands the container to the toolkit.
  public enum Launcher: Sendable, Hashable {
    /// nvidia-container-runtime: `--runtime=nvidia`, or `nvidia` as the engine's default runtime.
    case nvidiaRuntime
    /// Docker's `--gpus` under plain runc: Docker adds nvidia-container-runtime-hook as a prestart hook.
    case dockerGPUsHook
    /// The engine applies CDI specs itself (`--device nvidia.com/gpu=all`; Docker's `--gpus` when
    /// its `nvidia.cdi` driver handles it): neither the toolkit's runtime nor its hook runs.
    case engineCDI
  }

  /// What `go-nvlib` detects: NVML (which includes WSL) or Tegra.
  public enum Platform: Sendable, Hashable {
    case nvml, tegra
  }

  /// What happens to a container.
  public enum Resolution: Sendable, Hashable {
    case mode(ContainerRuntimeMode)
    /// The hook refuses to run outside legacy mode ("invoking the NVIDIA Container Runtime Hook
    /// directly (e.g. specifying the docker --gpus flag) is not supported"): the container fails.
    case hookRejects(ContainerRuntimeMode)
    /// The toolkit is not involved.
    case engineCDI

    /// nvidia-container-cli evaluates the requirements, so a failing one stops the container.
    public var enforcesNvidiaRequire: Bool { self == .mode(.legacy) }
  }

  /// The first toolkit release whose runtime resolves `auto` to `jit-cdi` on NVML hosts (commit
  /// 6149592b); earlier ones resolve it to `legacy`.
  public static let jitCDIDefaultSince = NumericVersion("1.18.0")!

  /// The mode a container gets. `configured` is `nvidia-container-runtime.mode` in
  /// `/etc/nvidia-container-runtime/config.toml` (nil: `auto`, the default);
  /// `onlyCDIDeviceNames`: every requested device is a CDI name such as `nvidia.com/gpu=0`;
  /// `toolkitVersion` nil means a current release.
  public static func resolve(
    launcher: Launcher, configured: ContainerRuntimeMode? = nil, toolkitVersion: NumericVersion? = nil, platform: Platform = .nvml,
    onlyCDIDeviceNames: Bool = false, hookSkipsModeDetection: Bool = false
  ) -> Resolution {
    switch launcher {
    case .engineCDI:
      return .engineCDI
    case .nvidiaRuntime:
      let platformDefault: ContainerRuntimeMode = (toolkitVersion.map { $0 < jitCDIDefaultSince } ?? false) ? .legacy : .jitCDI
      return .mode(configured ?? autoMode(platform: platform, onlyCDIDeviceNames: onlyCDIDeviceNames, platformDefault: platformDefault))
    case .dockerGPUsHook:
      if hookSkipsModeDetection { return .mode(.legacy) }
      let mode = configured ?? autoMode(platform: platform, onlyCDIDeviceNames: onlyCDIDeviceNames, platformDefault: .legacy)
      return mode == .legacy ? .mode(.legacy) : .hookRejects(mode)
    }
  }

  private static func autoMode(platform: Platform, onlyCDIDeviceNames: Bool, platformDefault: ContainerRuntimeMode) -> ContainerRuntimeMode {
    if onlyCDIDeviceNames { return .cdi }
    return platform == .tegra ? .csv : platformDefault
  }
}
