import Fingerprint

/// NVSwitches and the NVIDIA Fabric Manager that must drive them.
///
/// On NVSwitch systems (HGX/DGX 8-GPU boards) the GPUs reach each other only through the
/// switches, which `nv-fabricmanager` (service `nvidia-fabricmanager`) programs at boot. Its
/// version must equal the driver's: "the FM service checks the currently loaded kernel driver
/// stack version for compatibility, and if the loaded driver stack version is not compatible,
/// aborts the process" (NVIDIA Fabric Manager User Guide,
/// https://docs.nvidia.com/datacenter/tesla/fabric-manager-user-guide/index.html).
///
/// What is installed (package and version) is identity; whether the service runs is a reading.
enum FabricManagerProbe {
  static let serviceName = "nvidia-fabricmanager"
  static let binaryName = "nv-fabricmanager"
  /// Where `scripts/capture-host.sh` keeps `systemctl status nvidia-fabricmanager`.
  static let capturedStatusPath = "/captured/systemctl-status-nvidia-fabricmanager.txt"

  static func nvswitches(_ scan: SysfsPCIFunctions) -> Observed<[String]> {
    guard let functions = scan.functions.value else {
      return scan.missing()
    }
    return .present(functions.filter(\.isNVSwitch).map(\.address).sorted(), from: "\(scan.functions.source)/*/{vendor,class}")
  }

  /// Package names NVIDIA ships the Fabric Manager as: `nvidia-fabricmanager-580` (CUDA
  /// repository, Ubuntu's restricted pocket), `nvidia-fabricmanager` (580+ unversioned), and
  /// `cuda-drivers-fabricmanager-580` (meta package).
  static func isFabricManagerPackage(_ name: String) -> Bool {
    name == "nvidia-fabricmanager" || (name.hasPrefix("nvidia-fabricmanager-") && name.dropFirst("nvidia-fabricmanager-".count).allSatisfy(\.isNumber))
  }

  static func install(_ context: ProbeContext, packages: PackageDatabase) -> Observed<FabricManagerInstall> {
    let binary = context.locateExecutable(binaryName)
    let installed = packages.versions.filter { isFabricManagerPackage($0.key) }.sorted { $0.key < $1.key }.last
    if let (name, version) = installed {
      return .present(
        FabricManagerInstall(package: name, version: PackageDatabase.upstreamVersion(version), binary: binary),
        from: packages.source ?? "file:\(PackageDatabase.dpkgStatusPath)")
    }
    if let binary {
      return .present(FabricManagerInstall(package: nil, version: nil, binary: binary), from: "file:\(binary)")
    }
    let looked = packages.source == nil ? "no dpkg database" : "no nvidia-fabricmanager package in \(PackageDatabase.dpkgStatusPath)"
    return .absent("the NVIDIA Fabric Manager is not installed (\(looked); \(binaryName) \(context.searchDescription))", source: "file:\(PackageDatabase.dpkgStatusPath)")
  }

  /// Whether the service runs: `systemctl is-active` on a live host, the captured `systemctl
  /// status` in a tree. Not asked where nothing needs it (no NVSwitch, no Fabric Manager).
  static func service(_ context: ProbeContext, needed: Bool) async -> Observed<ServiceState> {
    guard needed else {
      return .absent("not probed: no NVSwitch and no Fabric Manager on this host", source: "command:systemctl is-active \(serviceName)")
    }
    if !context.root.isLive {
      let text: String
      do {
        text = try context.root.read(capturedStatusPath)
      } catch .notFound {
        return .absent("not probed: the tree has no \(capturedStatusPath) (scripts/capture-host.sh writes it)", source: "file:\(capturedStatusPath)")
      } catch {
        return .unreadable(error.description, source: "file:\(capturedStatusPath)")
      }
      guard let state = parseStatus(text) else {
        return .unreadable("\(capturedStatusPath) has no `Active:` line and no \"could not be found\"", source: "file:\(capturedStatusPath)")
      }
      return .present(state, from: "file:\(capturedStatusPath) (systemctl status)")
    }
    let command = context.command("systemctl", ["is-active", serviceName])
    let source = "command:\(command)"
    do {
      let result = try await context.runner.run(command)
      let word = result.stdout.trimmed.split(separator: "\n").first.map(String.init) ?? ""
      // systemctl(1): is-active prints the state and exits 0 only when active.
      guard !word.isEmpty, word.allSatisfy({ $0.isLetter || $0 == "-" }) else {
        return .unreadable("`\(command)` printed no state (exit \(result.exitCode.map(String.init) ?? "signal")): \(result.stderr.trimmed)", source: source)
      }
      return .present(ServiceState(activeState: word, detail: nil), from: source)
    } catch let error as CommandError {
      if case .notFound = error { return .absent("systemctl is not installed: no systemd to ask", source: source) }
      return .unreadable(error.description, source: source)
    } catch {
      return .unreadable("\(error)", source: source)
    }
  }

  /// `systemctl status` output → the state of its `Active:` line (`active (running) since …`
  /// → `active`); `Unit … could not be found.` → `not-found`.
  static func parseStatus(_ text: String) -> ServiceState? {
    for line in text.split(separator: "\n") {
      let trimmed = line.trimmed
      if trimmed.hasPrefix("Active:") {
        let detail = trimmed.dropFirst("Active:".count).trimmed
        guard let word = detail.split(separator: " ").first else { return nil }
        return ServiceState(activeState: String(word), detail: detail)
      }
      if trimmed.contains("could not be found") { return ServiceState(activeState: "not-found", detail: trimmed) }
    }
    return nil
  }
}
