import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Docker and Podman: is the CLI installed, does the engine answer, and if not, why.
///
/// Docker: on a live host whose endpoint is a unix socket, the Engine API (`DockerEngineAPI`);
/// otherwise (TLS, `ssh://`, a named context) one `docker info --format '{{json .}}'`, which
/// reports the client (version, context) even when no daemon answers. Either way: the
/// server's version, storage driver, cgroup driver and version, runtimes, rootless mode and
/// root directory. Podman: its API socket's `/libpod/_ping` when one is active (`PodmanAPI`),
/// else `podman version --format json`; its settings from its configuration files.
enum ContainerEngineProbe {
  static let defaultDockerSocket = "unix:///var/run/docker.sock"

  static func docker(_ context: ProbeContext) async -> (ContainerEngineFacts, rootFree: UInt64?) {
    guard let path = context.locateExecutable("docker") else {
      let reason = "docker is not installed (\(context.searchDescription))"
      return (ContainerEngineFacts(cli: .absent(reason, source: "path:docker"), daemon: .absent(reason, source: "path:docker")), nil)
    }
    guard context.runsCommands else {
      return (
        ContainerEngineFacts(
          cli: .present(InstalledTool(path: path, version: nil, versionProblem: context.commandsDisabledReason), from: "path:\(path)"),
          daemon: .absent(context.commandsDisabledReason, source: "command:docker")), nil
      )
    }
    if context.usesEngineAPIs, context.root.isLive, let socket = DockerEngineAPI.socketPath(context) {
      return await dockerFromAPI(context, executable: path, socket: socket)
    }
    let endpoint = context.environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    let contextName = context.environment["DOCKER_CONTEXT"].flatMap { $0.isEmpty || $0 == "default" ? nil : $0 }
    // One call: `docker info` reports the client (ClientInfo) even when the daemon is down.
    let infoCommand = context.command(path, ["info", "--format", "{{json .}}"])
    let result: CommandResult
    do {
      result = try await context.runner.run(infoCommand)
    } catch let error as CommandError {
      let cli: Observed<InstalledTool> = .present(InstalledTool(path: path, version: nil, versionProblem: error.description), from: "command:\(infoCommand)")
      let kind: EngineProblem.Kind = if case .timedOut = error { .timeout } else { .other }
      let daemon = EngineDaemon(endpoint: endpoint ?? defaultDockerSocket, context: contextName, reachable: false, problem: EngineProblem(kind: kind, message: error.description), server: nil)
      return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: "command:\(infoCommand)")), nil)
    } catch {
      return (ContainerEngineFacts(cli: .unreadable("\(error)", source: "command:\(infoCommand)"), daemon: .unreadable("\(error)", source: "command:\(infoCommand)")), nil)
    }

    let info = try? JSONTree.parse(result.stdout)
    let clientVersion = info?["ClientInfo"]?["Version"]?.nonEmptyString
    let cli = Observed<InstalledTool>.present(
      InstalledTool(
        path: path, version: clientVersion,
        versionProblem: clientVersion == nil ? "`\(infoCommand)` printed no client version: \(ContainerToolkitProbe.firstLine(of: result.stderr))" : nil),
      from: "command:\(infoCommand)")
    let reportedContext = info?["ClientInfo"]?["Context"]?.nonEmptyString
    let activeContext = contextName ?? reportedContext.flatMap { $0 == "default" ? nil : $0 }
    let resolvedEndpoint = endpoint ?? (activeContext == nil ? defaultDockerSocket : nil)

    guard result.succeeded, let info, info["ServerVersion"]?.nonEmptyString != nil else {
      let problem = classifyDockerFailure(stderr: result.stderr, endpoint: resolvedEndpoint, root: context.root)
      let daemon = EngineDaemon(endpoint: resolvedEndpoint, context: activeContext, reachable: false, problem: problem, server: nil)
      return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: "command:\(infoCommand)")), nil)
    }
    let server = dockerServer(info: info)
    let free = (context.root.isLive ? server.rootDir : nil).flatMap { Platform.filesystemSpace($0)?.free }
    let daemon = EngineDaemon(endpoint: resolvedEndpoint, context: activeContext, reachable: true, problem: nil, server: server)
    return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: "command:\(infoCommand)")), free)
  }

  /// The Engine API path: the daemon's own `/info` (after `/_ping`) over its unix socket, and
  /// the CLI's version from its Go build stamp (`docker --version` only when that is missing).
  static func dockerFromAPI(_ context: ProbeContext, executable path: String, socket: String) async -> (ContainerEngineFacts, rootFree: UInt64?) {
    let endpoint = "unix://" + socket
    let cli: Observed<InstalledTool>
    if let version = GoBuildInfo.dockerCLIVersion(executable: path) {
      cli = .present(InstalledTool(path: path, version: version), from: "file:\(path)#go.buildinfo")
    } else {
      let command = context.command(path, ["--version"])
      let result = try? await context.runner.run(command)
      // "Docker version 28.2.2, build e6534b4"
      let version = result.flatMap { $0.succeeded ? $0.stdout : nil }.flatMap { output in
        output.split(separator: " ").dropFirst(2).first.map { String($0.prefix { $0 != "," && $0 != "\n" }) }
      }
      cli = .present(
        InstalledTool(path: path, version: version, versionProblem: version == nil ? "`\(command)` printed no version" : nil),
        from: "command:\(command)")
    }
    do {
      let answer = try await DockerEngineAPI.query(socketPath: socket, timeoutSeconds: context.commandTimeout)
      let source = "api:\(endpoint) GET \(answer.apiVersion.map { "/v\($0)" } ?? "")/info"
      guard answer.info["ServerVersion"]?.nonEmptyString != nil else {
        let daemon = EngineDaemon(endpoint: endpoint, context: nil, reachable: false, problem: EngineProblem(kind: .other, message: "GET /info named no ServerVersion"), server: nil)
        return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: source)), nil)
      }
      let server = dockerServer(info: answer.info, fromAPI: true)
      let free = server.rootDir.flatMap { Platform.filesystemSpace($0)?.free }
      let daemon = EngineDaemon(endpoint: endpoint, context: nil, reachable: true, problem: nil, server: server)
      return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: source)), free)
    } catch {
      let daemon = EngineDaemon(endpoint: endpoint, context: nil, reachable: false, problem: DockerEngineAPI.problem(error, socket: socket), server: nil)
      return (ContainerEngineFacts(cli: cli, daemon: .present(daemon, from: "api:\(endpoint)")), nil)
    }
  }

  /// The server facts from the daemon's `/info` document, whether the CLI relayed it
  /// (`docker info --format '{{json .}}'`) or the Engine API answered it directly.
  static func dockerServer(info: JSONTree, fromAPI: Bool = false) -> EngineServer {
    let securityOptions = info["SecurityOptions"]?.elements.compactMap(\.nonEmptyString) ?? []
    // The Engine API's SystemInfo.CDISpecDirs: "An empty list indicates that CDI device
    // injection is disabled". dockerd sends `null` when CDI is off (features.cdi false, or any
    // daemon before 28.2 that did not opt in): no directories, not "not reported". A CLI older
    // than the field (Docker 25) omits the key: nil.
    // A daemon older than the field (before API 1.47) sends no key at all: it cannot inject
    // CDI devices, which is "off", exactly what a current CLI relays for it (`null`).
    let cdiField = info["CDISpecDirs"] ?? (fromAPI ? .null : nil)
    let cdiDirectories: [String]? = cdiField.map { $0.elements.compactMap(\.nonEmptyString) }
    return EngineServer(
      version: info["ServerVersion"]?.nonEmptyString, apiVersion: nil,
      storageDriver: info["Driver"]?.nonEmptyString, cgroupDriver: info["CgroupDriver"]?.nonEmptyString,
      cgroupVersion: info["CgroupVersion"]?.nonEmptyString, runtimes: info["Runtimes"]?.objectKeys ?? [],
      defaultRuntime: info["DefaultRuntime"]?.nonEmptyString,
      rootless: securityOptions.contains { $0.contains("name=rootless") },
      rootDir: info["DockerRootDir"]?.nonEmptyString, cdiSpecDirs: cdiDirectories.map { $0.sorted() })
  }

  /// Turns the CLI's complaint into one of the known reasons, checking the socket itself.
  static func classifyDockerFailure(stderr: String, endpoint: String?, root: HostRoot) -> EngineProblem {
    let message = stderr.split(separator: "\n").map { $0.trimmed }.first { !$0.isEmpty } ?? "the docker CLI printed nothing"
    let lower = stderr.lowercased()
    if lower.contains("permission denied") {
      return EngineProblem(kind: .permissionDenied, message: message)
    }
    if let endpoint, endpoint.hasPrefix("unix://") {
      let socket = String(endpoint.dropFirst("unix://".count))
      if root.isLive && !root.exists(socket) {
        return EngineProblem(kind: .noSocket, message: "\(socket) does not exist: the Docker daemon is not running (or not installed). \(message)")
      }
      if lower.contains("cannot connect") || lower.contains("connection refused") || lower.contains("is the docker daemon running") {
        return EngineProblem(kind: .notRunning, message: "\(socket) exists but the daemon does not answer. \(message)")
      }
    } else if let endpoint, endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ssh://") {
      return EngineProblem(kind: .remoteUnreachable, message: message)
    }
    if lower.contains("cannot connect") || lower.contains("is the docker daemon running") {
      return EngineProblem(kind: .notRunning, message: message)
    }
    return EngineProblem(kind: .other, message: message)
  }

  /// Podman's REST API answers when its socket is active (`PodmanAPI`). Otherwise, Podman
  /// being daemonless: `podman version --format json` (about 40 ms; `podman info` takes
  /// ten times longer) proves the CLI works, and its storage and engine settings come from
  /// the configuration files it reads, with Podman's defaults where they are silent.
  static func podman(_ context: ProbeContext) async -> (ContainerEngineFacts, rootFree: UInt64?) {
    guard let path = context.locateExecutable("podman") else {
      let reason = "podman is not installed (\(context.searchDescription))"
      return (ContainerEngineFacts(cli: .absent(reason, source: "path:podman"), daemon: .absent(reason, source: "path:podman")), nil)
    }
    guard context.runsCommands else {
      return (
        ContainerEngineFacts(
          cli: .present(InstalledTool(path: path, version: nil, versionProblem: context.commandsDisabledReason), from: "path:\(path)"),
          daemon: .absent(context.commandsDisabledReason, source: "command:podman")), nil
      )
    }
    let endpoint = context.environment["CONTAINER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    if context.usesEngineAPIs, context.root.isLive, let socket = PodmanAPI.socketPath(context),
      case .success(let answer) = await PodmanAPI.ping(socketPath: socket, timeoutSeconds: context.commandTimeout)
    {
      // A local socket is served by this installation's podman: its version is the CLI's.
      let source = "api:unix://\(socket) GET \(PodmanAPI.pingPath)"
      return podmanFacts(context, path: path, endpoint: endpoint, version: answer.version, apiVersion: answer.apiVersion, source: source)
    }
    let versionCommand = context.command(path, ["version", "--format", "json"])
    let result: CommandResult
    do {
      result = try await context.runner.run(versionCommand)
    } catch {
      let kind: EngineProblem.Kind = if case CommandError.timedOut = error { .timeout } else { .other }
      let daemon = EngineDaemon(endpoint: endpoint, context: nil, reachable: false, problem: EngineProblem(kind: kind, message: "\(error)"), server: nil)
      return (
        ContainerEngineFacts(
          cli: .present(InstalledTool(path: path, version: nil, versionProblem: "\(error)"), from: "command:\(versionCommand)"),
          daemon: .present(daemon, from: "command:\(versionCommand)")), nil
      )
    }
    let version = try? JSONTree.parse(result.stdout)
    let client = version?["Client"]
    guard result.succeeded, let clientVersion = client?["Version"]?.nonEmptyString else {
      let message = result.stderr.split(separator: "\n").first.map { $0.trimmed } ?? "podman version failed"
      let kind: EngineProblem.Kind = result.stderr.lowercased().contains("permission denied") ? .permissionDenied : .other
      let daemon = EngineDaemon(endpoint: endpoint, context: nil, reachable: false, problem: EngineProblem(kind: kind, message: message), server: nil)
      return (
        ContainerEngineFacts(
          cli: .present(InstalledTool(path: path, version: nil, versionProblem: message), from: "command:\(versionCommand)"),
          daemon: .present(daemon, from: "command:\(versionCommand)")), nil
      )
    }
    return podmanFacts(
      context, path: path, endpoint: endpoint, version: clientVersion, serverVersion: version?["Server"]?["Version"]?.nonEmptyString,
      apiVersion: version?["Server"]?["APIVersion"]?.nonEmptyString ?? client?["APIVersion"]?.nonEmptyString,
      source: "command:\(versionCommand)")
  }

  /// The engine's version (from the CLI or the API socket) with its configuration files.
  static func podmanFacts(
    _ context: ProbeContext, path: String, endpoint: String?, version clientVersion: String, serverVersion: String? = nil,
    apiVersion: String?, source: String
  ) -> (ContainerEngineFacts, rootFree: UInt64?) {
    let settings = PodmanSettings.read(context)
    let server = EngineServer(
      version: serverVersion ?? clientVersion,
      apiVersion: apiVersion,
      storageDriver: settings.storageDriver, cgroupDriver: settings.cgroupManager, cgroupVersion: settings.cgroupVersion,
      runtimes: settings.runtime.map { [$0] } ?? [], defaultRuntime: settings.runtime, rootless: settings.rootless,
      rootDir: settings.graphRoot, cdiSpecDirs: nil)
    let free = (context.root.isLive ? server.rootDir : nil).flatMap { Platform.filesystemSpace($0)?.free }
    return (
      ContainerEngineFacts(
        cli: .present(InstalledTool(path: path, version: clientVersion), from: source),
        daemon: .present(
          EngineDaemon(endpoint: endpoint, context: nil, reachable: true, problem: nil, server: server),
          from: "\(source) + file:\(settings.sources.joined(separator: ","))")),
      free
    )
  }
}

/// Podman's storage and engine settings from its configuration files (containers-storage.conf(5),
/// containers.conf(5)), with Podman's defaults where the files are silent.
struct PodmanSettings {
  var storageDriver: String?
  var graphRoot: String?
  var cgroupManager: String?
  var cgroupVersion: String?
  var runtime: String?
  var rootless: Bool
  var sources: [String]

  static func read(_ context: ProbeContext) -> PodmanSettings {
    let rootless = getuid() != 0
    let home = context.environment["HOME"] ?? "/root"
    var storagePaths = ["/usr/share/containers/storage.conf", "/etc/containers/storage.conf"]
    if rootless { storagePaths.append(home + "/.config/containers/storage.conf") }
    if let override = context.environment["CONTAINERS_STORAGE_CONF"] { storagePaths = [override] }
    var containersPaths = ["/usr/share/containers/containers.conf", "/etc/containers/containers.conf"]
    if rootless { containersPaths.append(home + "/.config/containers/containers.conf") }
    if let override = context.environment["CONTAINERS_CONF"] { containersPaths.append(override) }
    var settings = PodmanSettings(
      storageDriver: nil, graphRoot: rootless ? home + "/.local/share/containers/storage" : "/var/lib/containers/storage",
      cgroupManager: nil, cgroupVersion: context.root.exists("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1",
      runtime: nil, rootless: rootless, sources: [])
    for path in storagePaths {
      guard let text = try? context.root.read(path, limit: 1 << 20) else { continue }
      settings.sources.append(path)
      let values = tomlValues(text, table: "storage")
      settings.storageDriver = values["driver"] ?? settings.storageDriver
      settings.graphRoot = values["graphroot"] ?? settings.graphRoot
    }
    for path in containersPaths {
      guard let text = try? context.root.read(path, limit: 1 << 20) else { continue }
      settings.sources.append(path)
      let values = tomlValues(text, table: "engine")
      settings.cgroupManager = values["cgroup_manager"] ?? settings.cgroupManager
      settings.runtime = values["runtime"] ?? settings.runtime
    }
    settings.storageDriver = settings.storageDriver ?? "overlay"
    settings.cgroupManager = settings.cgroupManager ?? (context.root.exists("/run/systemd/system") ? "systemd" : "cgroupfs")
    // Podman picks the first OCI runtime it finds, crun before runc.
    settings.runtime = settings.runtime ?? ["crun", "runc"].first { context.locateExecutable($0) != nil }
    return settings
  }

  /// `key = "value"` lines of one `[table]` of a TOML file (enough for these settings).
  static func tomlValues(_ text: String, table: String) -> [String: String] {
    var current = ""
    var values: [String: String] = [:]
    for raw in text.split(separator: "\n") {
      let line = raw.trimmed
      if line.hasPrefix("#") || line.isEmpty { continue }
      if line.hasPrefix("[") {
        current = String(line.dropFirst().prefix { $0 != "]" })
        continue
      }
      guard current == table, let equals = line.firstIndex(of: "=") else { continue }
      let key = line[..<equals].trimmed
      var value = line[line.index(after: equals)...].trimmed
      if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
        value = String(value.dropFirst().dropLast())
      } else {
        continue
      }
      values[key] = value
    }
    return values
  }
}
