import Fingerprint

/// The NVIDIA Container Toolkit: its executables (distribution packages put them in
/// `/usr/bin`; the NVIDIA GPU Operator installs them in `/usr/local/nvidia/toolkit`), Docker's
/// runtime registration in `/etc/docker/daemon.json`, and CDI specs in `/etc/cdi` and
/// `/var/run/cdi`.
enum ContainerToolkitProbe {
  static let daemonConfigPath = "/etc/docker/daemon.json"
  static let cdiDirectories = ["/etc/cdi", "/var/run/cdi"]
  /// Where the GPU Operator's toolkit container installs the toolkit on the node.
  static let gpuOperatorToolkitDirectory = "/usr/local/nvidia/toolkit"

  static func probe(_ context: ProbeContext) async -> ContainerToolkitFacts {
    async let ctk = installedTool("nvidia-ctk", context)
    async let cli = installedTool("nvidia-container-cli", context)
    async let runtime = installedTool("nvidia-container-runtime", context)
    return ContainerToolkitFacts(
      nvidiaCTK: await ctk, nvidiaContainerCLI: await cli, nvidiaContainerRuntime: await runtime,
      dockerDaemonConfig: dockerDaemonConfig(context), cdiSpecs: cdiSpecs(context))
  }

  /// Finds `name` and asks it for `--version`; the first version number printed is kept.
  static func installedTool(_ name: String, _ context: ProbeContext) async -> Observed<InstalledTool> {
    let operatorPath = gpuOperatorToolkitDirectory + "/" + name
    guard let path = context.locateExecutable(name) ?? (context.root.kind(of: operatorPath) == .file ? operatorPath : nil) else {
      return .absent(
        "\(name) is not installed (\(context.searchDescription), nor in \(gpuOperatorToolkitDirectory))",
        source: "path:\(name)")
    }
    guard context.runsCommands else {
      return .present(InstalledTool(path: path, version: nil, versionProblem: context.commandsDisabledReason), from: "path:\(path)")
    }
    let command = context.command(path, ["--version"])
    do {
      let result = try await context.runner.run(command)
      let output = result.stdout.isEmpty ? result.stderr : result.stdout
      let version = output.split(separator: "\n").lazy.compactMap { firstVersionNumber(in: $0) }.first
      guard result.succeeded, let version else {
        let problem = "`\(command)` exited with \(result.exitCode.map(String.init) ?? "a signal"): \(firstLine(of: result.stderr + result.stdout))"
        return .present(InstalledTool(path: path, version: nil, versionProblem: problem), from: "command:\(command)")
      }
      return .present(InstalledTool(path: path, version: version), from: "command:\(command)")
    } catch {
      return .present(InstalledTool(path: path, version: nil, versionProblem: "\(error)"), from: "command:\(command)")
    }
  }

  /// Reads `/etc/docker/daemon.json`: registered runtimes, the default one, and whether it turns
  /// CDI on or off: `features.cdi`, or `cdi-spec-dirs` set to no directory (`[]` or `[""]`),
  /// which dockerd takes as CDI disabled (moby cmd/dockerd/daemon.go clears the directories and
  /// with them CDI). `cdi-spec-dirs: null` leaves dockerd's defaults.
  static func dockerDaemonConfig(_ context: ProbeContext) -> Observed<DockerDaemonConfig> {
    let source = "file:\(daemonConfigPath)"
    let text: String
    do {
      text = try context.root.read(daemonConfigPath, limit: 1 << 20)
    } catch .notFound {
      return .absent("\(daemonConfigPath) does not exist: Docker runs with its defaults (no nvidia runtime registered)", source: source)
    } catch {
      return .unreadable(error.description, source: source)
    }
    if text.trimmed.isEmpty {
      return .present(DockerDaemonConfig(runtimes: [], nvidiaRuntimeRegistered: false, nvidiaRuntimePath: nil, defaultRuntime: nil, cdiEnabled: nil), from: source)
    }
    let json: JSONTree
    do {
      json = try JSONTree.parse(text)
    } catch {
      return .unreadable("\(daemonConfigPath) is not valid JSON (\(error)); dockerd will refuse to start with it", source: source)
    }
    guard case .object = json else {
      return .unreadable("\(daemonConfigPath) is not a JSON object", source: source)
    }
    let runtimes = json["runtimes"]?.objectKeys ?? []
    return .present(
      DockerDaemonConfig(
        runtimes: runtimes, nvidiaRuntimeRegistered: runtimes.contains("nvidia"),
        nvidiaRuntimePath: json["runtimes"]?["nvidia"]?["path"]?.nonEmptyString,
        defaultRuntime: json["default-runtime"]?.nonEmptyString, cdiEnabled: cdiSetting(json)),
      from: source)
  }

  /// `false` when daemon.json disables CDI (`features.cdi: false`, or `cdi-spec-dirs` naming no
  /// directory), `true` when `features.cdi` turns it on, nil when it is silent.
  static func cdiSetting(_ json: JSONTree) -> Bool? {
    if json["features"]?["cdi"]?.bool == false { return false }
    if case .array(let directories)? = json["cdi-spec-dirs"], directories.allSatisfy({ $0.nonEmptyString == nil }) { return false }
    return json["features"]?["cdi"]?.bool
  }

  /// Lists and reads CDI specs (`*.yaml`, `*.yml`, `*.json`) in the CDI spec directories.
  static func cdiSpecs(_ context: ProbeContext) -> Observed<[CDISpec]> {
    let source = "file:" + cdiDirectories.joined(separator: ",")
    var specs: [CDISpec] = []
    var foundDirectory = false
    var problems: [String] = []
    var seenTargets = Set<String>()
    for directory in cdiDirectories {
      let names: [String]
      do {
        names = try context.root.list(directory)
      } catch .notFound {
        continue
      } catch {
        problems.append(error.description)
        continue
      }
      foundDirectory = true
      // /var/run is usually a link to /run; do not report one file twice.
      for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") {
        let path = "\(directory)/\(name)"
        guard seenTargets.insert(context.root.hostPath(path)).inserted else { continue }
        do {
          let text = try context.root.read(path, limit: 4 << 20)
          specs.append(CDISpecParser.parse(text, path: path, isJSON: name.hasSuffix(".json")))
        } catch {
          specs.append(CDISpec(path: path, kind: nil, devices: [], pinnedDriverVersion: nil, problem: error.description))
        }
      }
    }
    if !foundDirectory {
      if let problem = problems.first { return .unreadable(problem, source: source) }
      return .absent("no CDI spec directory exists (\(cdiDirectories.joined(separator: ", ")))", source: source)
    }
    return .present(specs.sorted { $0.path < $1.path }, from: source)
  }

  static func firstLine(of text: String) -> String {
    text.split(separator: "\n").first.map { $0.trimmed } ?? "no output"
  }
}

/// Reads the parts of a CDI spec rigcheck needs without a YAML library: the `kind`, the
/// device names, and the driver version pinned by library paths such as
/// `libcuda.so.580.159.04`. nvidia-ctk writes these specs in a fixed, simple layout.
enum CDISpecParser {
  static func parse(_ text: String, path: String, isJSON: Bool) -> CDISpec {
    var kind: String?
    var devices: [String] = []
    var problem: String?
    if isJSON {
      do {
        let json = try JSONTree.parse(text)
        kind = json["kind"]?.nonEmptyString
        devices = json["devices"]?.elements.compactMap { $0["name"]?.nonEmptyString } ?? []
      } catch {
        problem = "not valid JSON (\(error))"
      }
    } else {
      (kind, devices) = scanYAML(text)
      if kind == nil { problem = "no top-level `kind:` line" }
    }
    return CDISpec(path: path, kind: kind, devices: devices.sorted(), pinnedDriverVersion: pinnedDriverVersion(in: text), problem: problem)
  }

  /// `kind:` at the top level, and each item's `name:` under `devices:` (on the dash line or
  /// as one of the item's keys).
  static func scanYAML(_ text: String) -> (kind: String?, devices: [String]) {
    var kind: String?
    var devices: [String] = []
    var inDevices = false
    var itemIndent: Int?
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.trimmed.hasPrefix("#") || line.trimmed.isEmpty { continue }
      let indent = line.prefix(while: { $0 == " " }).count
      if indent == 0 && !line.hasPrefix("-") {
        inDevices = line.hasPrefix("devices:")
        if line.hasPrefix("kind:") { kind = unquote(line.dropFirst("kind:".count).trimmed) }
        continue
      }
      guard inDevices else { continue }
      let content = line.dropFirst(indent)
      if content.hasPrefix("- ") {
        // A new device item; its first key may sit on the dash line.
        if itemIndent == nil { itemIndent = indent }
        guard indent == itemIndent else { continue }
        let key = content.dropFirst(2).trimmed
        if key.hasPrefix("name:") { devices.append(unquote(key.dropFirst("name:".count).trimmed)) }
      } else if let itemIndent, indent == itemIndent + 2, content.hasPrefix("name:") {
        devices.append(unquote(content.dropFirst("name:".count).trimmed))
      }
    }
    return (kind, devices)
  }

  static func unquote(_ text: String) -> String {
    if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
      return String(text.dropFirst().dropLast())
    }
    return text
  }

  /// The most frequent version in `libcuda.so.X` / `libnvidia-ml.so.X` paths.
  static func pinnedDriverVersion(in text: String) -> String? {
    var counts: [String: Int] = [:]
    for marker in ["libcuda.so.", "libnvidia-ml.so."] {
      var rest = Substring(text)
      while let range = rest.firstRange(of: marker) {
        let version = rest[range.upperBound...].prefix(while: { $0.isNumber || $0 == "." })
        let cleaned = version.hasSuffix(".") ? version.dropLast() : version
        if cleaned.filter({ $0 == "." }).count >= 1 { counts[String(cleaned), default: 0] += 1 }
        rest = rest[range.upperBound...]
      }
    }
    return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
  }
}

/// The first `N.N[.N…]` version number in a line of text.
func firstVersionNumber(in text: Substring) -> String? {
  var index = text.startIndex
  while index < text.endIndex {
    if text[index].isNumber, index == text.startIndex || !(text[text.index(before: index)].isLetter) {
      let candidate = text[index...].prefix(while: { $0.isNumber || $0 == "." })
      let trimmed = candidate.hasSuffix(".") ? candidate.dropLast() : candidate
      if trimmed.contains(".") { return String(trimmed) }
      index = candidate.endIndex
    } else {
      index = text.index(after: index)
    }
  }
  return nil
}
