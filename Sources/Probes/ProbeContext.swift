import Fingerprint

/// Everything a probe may touch, injected so tests can substitute a captured host tree,
/// replayed command output and a fake NVML.
public struct ProbeContext: Sendable {
  /// The filesystem tree standing for `/`.
  public var root: HostRoot
  /// Runs external commands (`docker`, `nvidia-ctk`, …).
  public var runner: any CommandRunner
  /// Whether commands are run at all. Off by default for a captured tree: a command would
  /// describe the machine rigcheck runs on, not the tree.
  public var runsCommands: Bool
  /// Where NVML answers come from.
  public var nvml: any NVMLSource
  /// Environment variables as a value (`PATH`, `DOCKER_HOST`, `DOCKER_CONTEXT`, …).
  public var environment: [String: String]
  /// Per-command timeout in seconds.
  public var commandTimeout: Double
  /// The pci.ids file to name devices with; nil picks the first of the usual places.
  public var pciIDsPath: String?
  /// Whether container engines are asked over their API sockets (Docker's Engine API,
  /// Podman's REST API) on a live host, rather than through their CLIs.
  public var usesEngineAPIs: Bool = true

  public init(
    root: HostRoot = HostRoot(),
    runner: (any CommandRunner)? = nil,
    runsCommands: Bool? = nil,
    nvml: (any NVMLSource)? = nil,
    environment: [String: String] = ProcessEnvironment.current(),
    commandTimeout: Double = 10,
    pciIDsPath: String? = nil
  ) {
    self.root = root
    self.runner = runner ?? ProcessCommandRunner(baseEnvironment: environment)
    self.runsCommands = runsCommands ?? root.isLive
    self.nvml = nvml ?? DefaultNVMLSource(root: root)
    self.environment = environment
    self.commandTimeout = commandTimeout
    self.pciIDsPath = pciIDsPath
  }

  /// NVML under this context's runner and timeout, queried by `helper` (this binary
  /// re-executed; nil: in-process on an abandonable thread). A `libraryPath` (`--nvml-library`)
  /// is always queried; the default library only on a live host with a driver loaded, and a
  /// captured tree still answers from its `nvidia-smi -q -x` report.
  public func deadlineNVML(helper: NVMLHelper?, libraryPath: String? = nil) -> any NVMLSource {
    let isolated = IsolatedNVML(libraryPath: libraryPath, helper: helper, runner: runner, timeoutSeconds: commandTimeout)
    return libraryPath == nil ? DefaultNVMLSource(root: root, live: isolated) : isolated
  }

  /// A command with this context's timeout.
  func command(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> Command {
    Command(executable, arguments, environment: environment, timeoutSeconds: commandTimeout)
  }

  /// Why commands are not run, for the `reason` of facts that need them.
  var commandsDisabledReason: String {
    // The tree's location is in the generator block; facts do not name it, so one capture
    // read from two places is one identity.
    "not probed: commands are not run against a captured tree; they would describe this machine"
  }

  /// The directories searched for executables: PATH on a live host, the standard ones in a tree.
  var executableSearchPath: [String] {
    let standard = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    guard root.isLive, let path = environment["PATH"] else { return standard }
    var seen = Set<String>()
    return (path.split(separator: ":").map(String.init) + standard).filter { seen.insert($0).inserted }
  }

  /// Where executables were looked for, for messages (stable across users' PATHs).
  var searchDescription: String {
    root.isLive ? "not found on PATH" : "not found in the tree's /usr/local/bin, /usr/bin, /bin, /usr/sbin, /sbin"
  }

  /// The host-absolute path of an executable named `name`, or nil.
  func locateExecutable(_ name: String) -> String? {
    for directory in executableSearchPath {
      let candidate = directory + "/" + name
      if root.kind(of: candidate) == .file { return candidate }
    }
    return nil
  }
}
