/// An executable found on the host, and the version it reports.
public struct InstalledTool: Codable, Sendable, Hashable {
  public var path: String
  /// The version the tool printed, or nil when asking it failed (see `versionProblem`).
  public var version: String?
  public var versionProblem: String?

  public init(path: String, version: String?, versionProblem: String? = nil) {
    self.path = path
    self.version = version
    self.versionProblem = versionProblem
  }

  private enum CodingKeys: String, CodingKey {
    case path, version, versionProblem
  }

  /// `versionProblem` is provenance (why the version is missing: a timeout, a captured tree),
  /// left out of the identity hash; whether there is a version is hashed.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(path, forKey: .path)
    try container.encodeIfPresent(version, forKey: .version)
    if !CanonicalJSON.omitsProvenance(encoder) { try container.encodeIfPresent(versionProblem, forKey: .versionProblem) }
  }
}

/// The NVIDIA Container Toolkit and how container engines are wired to it.
public struct ContainerToolkitFacts: Codable, Sendable, Hashable {
  public var nvidiaCTK: Observed<InstalledTool>
  public var nvidiaContainerCLI: Observed<InstalledTool>
  public var nvidiaContainerRuntime: Observed<InstalledTool>
  /// What `/etc/docker/daemon.json` says about runtimes and CDI.
  public var dockerDaemonConfig: Observed<DockerDaemonConfig>
  /// CDI specs in `/etc/cdi` and `/var/run/cdi`, sorted by path.
  public var cdiSpecs: Observed<[CDISpec]>

  public init(
    nvidiaCTK: Observed<InstalledTool>, nvidiaContainerCLI: Observed<InstalledTool>,
    nvidiaContainerRuntime: Observed<InstalledTool>,
    dockerDaemonConfig: Observed<DockerDaemonConfig>, cdiSpecs: Observed<[CDISpec]>
  ) {
    self.nvidiaCTK = nvidiaCTK
    self.nvidiaContainerCLI = nvidiaContainerCLI
    self.nvidiaContainerRuntime = nvidiaContainerRuntime
    self.dockerDaemonConfig = dockerDaemonConfig
    self.cdiSpecs = cdiSpecs
  }
}

/// The GPU-relevant parts of Docker's daemon.json.
public struct DockerDaemonConfig: Codable, Sendable, Hashable {
  /// Names of the runtimes the file registers, sorted.
  public var runtimes: [String]
  /// Whether a runtime named `nvidia` is registered.
  public var nvidiaRuntimeRegistered: Bool
  /// The `path` of the `nvidia` runtime, when registered.
  public var nvidiaRuntimePath: String?
  /// `default-runtime`, when set.
  public var defaultRuntime: String?
  /// `features.cdi`, when set.
  public var cdiEnabled: Bool?

  public init(
    runtimes: [String], nvidiaRuntimeRegistered: Bool, nvidiaRuntimePath: String?,
    defaultRuntime: String?, cdiEnabled: Bool?
  ) {
    self.runtimes = runtimes
    self.nvidiaRuntimeRegistered = nvidiaRuntimeRegistered
    self.nvidiaRuntimePath = nvidiaRuntimePath
    self.defaultRuntime = defaultRuntime
    self.cdiEnabled = cdiEnabled
  }

  /// Whether `nvidia` is the default runtime (every container gets GPUs without `--gpus`).
  public var nvidiaIsDefault: Bool { defaultRuntime == "nvidia" }
}

/// One Container Device Interface spec file.
public struct CDISpec: Codable, Sendable, Hashable {
  public var path: String
  /// `vendor/class`, e.g. `nvidia.com/gpu`.
  public var kind: String?
  /// Device names the spec defines (`0`, `all`, `GPU-…`), sorted. In a fingerprint, names
  /// that are GPU or MIG UUIDs are in ``MachineSpecific/cdiDevices``, counted here by
  /// ``uuidNamedDevices``.
  public var devices: [String]
  /// The driver version its library paths pin (`libcuda.so.580.159.04` → `580.159.04`);
  /// a spec pinning another version than the loaded driver is stale.
  public var pinnedDriverVersion: String?
  /// A parse problem, when the file could only be read in part.
  public var problem: String?
  /// How many device names are GPU or MIG UUIDs (moved to the machine part); nil when none.
  public var uuidNamedDevices: Int?

  public init(
    path: String, kind: String?, devices: [String], pinnedDriverVersion: String?, problem: String?,
    uuidNamedDevices: Int? = nil
  ) {
    self.path = path
    self.kind = kind
    self.devices = devices
    self.pinnedDriverVersion = pinnedDriverVersion
    self.problem = problem
    self.uuidNamedDevices = uuidNamedDevices
  }

  /// Whether a CDI device name is a GPU or MIG UUID (`GPU-5a1e…`, `MIG-…`): unique to one
  /// machine.
  public static func isUUIDName(_ name: String) -> Bool {
    (name.hasPrefix("GPU-") || name.hasPrefix("MIG-")) && name.count > 12
  }
}

/// A container engine (Docker or Podman): its CLI and its daemon or service.
public struct ContainerEngineFacts: Codable, Sendable, Hashable {
  public var cli: Observed<InstalledTool>
  public var daemon: Observed<EngineDaemon>

  public init(cli: Observed<InstalledTool>, daemon: Observed<EngineDaemon>) {
    self.cli = cli
    self.daemon = daemon
  }
}

/// Whether the engine answered, and if not, exactly why.
public struct EngineDaemon: Codable, Sendable, Hashable {
  /// The endpoint the CLI talks to (`unix:///var/run/docker.sock`, a `DOCKER_HOST` value).
  public var endpoint: String?
  /// The CLI context in use, when not `default`.
  public var context: String?
  public var reachable: Bool
  public var problem: EngineProblem?
  public var server: EngineServer?

  public init(
    endpoint: String?, context: String?, reachable: Bool, problem: EngineProblem?,
    server: EngineServer?
  ) {
    self.endpoint = endpoint
    self.context = context
    self.reachable = reachable
    self.problem = problem
    self.server = server
  }
}

/// Why an engine did not answer.
public struct EngineProblem: Codable, Sendable, Hashable {
  public enum Kind: String, Codable, Sendable, Hashable {
    /// The socket file does not exist (the daemon is not installed or never started).
    case noSocket
    /// The socket exists but this user may not open it (not in the `docker` group).
    case permissionDenied
    /// The socket exists but nothing accepts connections (the daemon is down).
    case notRunning
    /// The CLI did not answer within the timeout.
    case timeout
    /// A remote endpoint (`tcp://`, `ssh://`) did not answer.
    case remoteUnreachable
    /// Anything else; `message` carries the CLI's own words.
    case other
  }

  public var kind: Kind
  public var message: String

  public init(kind: Kind, message: String) {
    self.kind = kind
    self.message = message
  }

  private enum CodingKeys: String, CodingKey {
    case kind, message
  }

  /// The message is provenance (the CLI's words, with timeouts and socket paths), left out of
  /// the identity hash; the kind is hashed.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    if !CanonicalJSON.omitsProvenance(encoder) { try container.encode(message, forKey: .message) }
  }
}

/// What a reachable engine says about itself.
public struct EngineServer: Codable, Sendable, Hashable {
  public var version: String?
  public var apiVersion: String?
  public var storageDriver: String?
  /// `systemd` or `cgroupfs`.
  public var cgroupDriver: String?
  /// `1` or `2`.
  public var cgroupVersion: String?
  /// Registered runtimes, sorted (`io.containerd.runc.v2`, `nvidia`, `runc`, …).
  public var runtimes: [String]
  public var defaultRuntime: String?
  public var rootless: Bool?
  /// Docker's `DockerRootDir`, Podman's `graphRoot`.
  public var rootDir: String?
  /// CDI spec directories the engine reads, when it reports them (Docker ≥ 25).
  public var cdiSpecDirs: [String]?

  public init(
    version: String?, apiVersion: String?, storageDriver: String?, cgroupDriver: String?,
    cgroupVersion: String?, runtimes: [String], defaultRuntime: String?, rootless: Bool?,
    rootDir: String?, cdiSpecDirs: [String]?
  ) {
    self.version = version
    self.apiVersion = apiVersion
    self.storageDriver = storageDriver
    self.cgroupDriver = cgroupDriver
    self.cgroupVersion = cgroupVersion
    self.runtimes = runtimes
    self.defaultRuntime = defaultRuntime
    self.rootless = rootless
    self.rootDir = rootDir
    self.cdiSpecDirs = cdiSpecDirs
  }
}
