import Fingerprint
import Reporting

enum ContainerChecks {
  static let all = [toolkit, cdiSpecs, dockerDaemon, gpuRuntime, devCharLinks, storageDriver, diskSpace]

  static let toolkit = DoctorCheck("toolkit.installed", "The NVIDIA Container Toolkit is installed where NVIDIA GPUs and Docker are.") { host, _ in
    let facts = host.host.containerToolkit
    let dockerInstalled = host.host.docker.cli.status == .present || host.host.podman.cli.status == .present
    // GPUs passed through to VMs need no toolkit here; on WSL2 it matters only for an engine
    // inside the distribution (Docker Desktop brings its own GPU support).
    guard !host.hostNVIDIAGPUs.isEmpty || (host.nvidiaGPUs.isEmpty && host.wslGPU && dockerInstalled) else { return [] }
    let tools = [("nvidia-ctk", facts.nvidiaCTK), ("nvidia-container-runtime", facts.nvidiaContainerRuntime), ("nvidia-container-cli", facts.nvidiaContainerCLI)]
    let evidence = tools.map { name, fact in host.evidence(name, fact) { "\($0.path) \($0.version ?? "")" } }
    if let (name, fact) = tools.first(where: { $0.1.status == .present }), let tool = fact.value {
      return [ReportItem(id: "", severity: .ok, message: tool.version.map { "\(name) \($0) installed" } ?? "\(name) installed at \(tool.path)", evidence: evidence)]
    }
    return [
      ReportItem(
        id: "", severity: dockerInstalled ? .error : .warning, message: "the NVIDIA Container Toolkit is not installed",
        why: "containers cannot reach the GPU without it: docker run --gpus all fails with could not select device driver \"\" with capabilities: [[gpu]]",
        fix: "add NVIDIA's apt repository (https://nvidia.github.io/libnvidia-container), then: sudo apt install nvidia-container-toolkit && sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker",
        evidence: evidence)
    ]
  }

  static let cdiSpecs = DoctorCheck("toolkit.cdi-spec", "CDI specs pin the driver version that is loaded.") { host, _ in
    guard let specs = host.host.containerToolkit.cdiSpecs.value else { return [] }
    let driver = host.driverVersion
    return specs.compactMap { spec in
      let evidence = ["\(spec.path): kind \(spec.kind ?? "?"), devices \(spec.devices.joined(separator: ","))\(spec.uuidNamedDevices.map { " and \($0) named by GPU UUID" } ?? ""), libraries of driver \(spec.pinnedDriverVersion ?? "?") [file:\(spec.path)]"]
      if let problem = spec.problem {
        return ReportItem(
          id: "", severity: .warning, subject: spec.path, message: "CDI spec could not be read fully: \(problem)",
          why: "container engines refuse a malformed CDI spec", fix: "regenerate it: sudo nvidia-ctk cdi generate --output=\(spec.path)", evidence: evidence)
      }
      guard let pinned = spec.pinnedDriverVersion, let driver else { return nil }
      if pinned != driver {
        return ReportItem(
          id: "", severity: .error, subject: spec.path, message: "CDI spec pins driver \(pinned) libraries but driver \(driver) is loaded",
          why: "the spec was generated before a driver upgrade: containers started through CDI fail to mount libraries that no longer exist",
          fix: "sudo nvidia-ctk cdi generate --output=\(spec.path) (and enable nvidia-cdi-refresh.path so it regenerates after upgrades)",
          evidence: evidence)
      }
      return ReportItem(id: "", severity: .ok, subject: spec.path, message: "CDI spec matches driver \(driver) (\(spec.devices.count + (spec.uuidNamedDevices ?? 0)) devices)", evidence: evidence)
    }
  }

  static let dockerDaemon = DoctorCheck("docker.daemon", "Docker is installed and its daemon answers this user.") { host, _ in
    let docker = host.host.docker
    let evidence = [
      host.evidence("docker CLI", docker.cli) { "\($0.path) \($0.version ?? "")" },
      host.evidence("docker daemon", docker.daemon) { $0.reachable ? "reachable at \($0.endpoint ?? "?")" : "not reachable: \($0.problem?.message ?? "")" },
    ]
    guard docker.cli.status == .present else {
      if docker.cli.status == .absent && docker.cli.reason?.hasPrefix("not probed") != true {
        return [
          ReportItem(
            id: "", severity: .note, message: "Docker is not installed", why: "needed only to run training in containers",
            fix: "sudo apt install docker.io (or Docker CE from https://docs.docker.com/engine/install/)", evidence: evidence)
        ]
      }
      return []
    }
    guard let daemon = docker.daemon.value else {
      return [ReportItem(id: "", severity: .note, message: "Docker daemon not probed: \(docker.daemon.reason ?? "")", evidence: evidence)]
    }
    if daemon.reachable, let server = daemon.server {
      return [ReportItem(id: "", severity: .ok, message: "Docker \(server.version ?? "?") answers at \(daemon.endpoint ?? daemon.context ?? "?")", evidence: evidence)]
    }
    let problem = daemon.problem ?? EngineProblem(kind: .other, message: "unknown")
    let fix: String
    let message: String
    switch problem.kind {
    case .permissionDenied:
      message = "permission denied on the Docker socket: this user is not in the docker group"
      fix = "sudo usermod -aG docker $USER, then log out and in again (or: newgrp docker)"
    case .noSocket:
      message = "the Docker daemon is not running (no socket at \(daemon.endpoint ?? "?"))"
      fix = "sudo systemctl enable --now docker"
    case .notRunning:
      message = "the Docker daemon does not answer at \(daemon.endpoint ?? "?")"
      fix = "sudo systemctl restart docker; see journalctl -u docker for why it stopped"
    case .timeout:
      message = "the docker CLI did not answer in time"
      fix = "check the daemon: sudo systemctl status docker; journalctl -u docker"
    case .remoteUnreachable:
      message = "the remote Docker endpoint \(daemon.endpoint ?? "?") does not answer"
      fix = "check DOCKER_HOST / docker context use, and the network path to the daemon"
    case .other:
      message = "Docker does not answer: \(problem.message)"
      fix = "docker info shows the full error"
    }
    return [ReportItem(id: "", severity: .error, message: message, why: "rigcheck's container checks and your training containers need a reachable daemon", fix: fix, evidence: evidence + [problem.message])]
  }

  static let gpuRuntime = DoctorCheck("docker.gpu-runtime", "Docker can give containers GPUs: the nvidia runtime or a CDI spec.") { host, _ in
    guard !host.hostNVIDIAGPUs.isEmpty || (host.nvidiaGPUs.isEmpty && host.wslGPU), let server = host.host.docker.daemon.value?.server else { return [] }
    let config = host.host.containerToolkit.dockerDaemonConfig.value
    let specs = host.host.containerToolkit.cdiSpecs.value ?? []
    let evidence = [
      "docker runtimes: \(server.runtimes.joined(separator: ", ")) (default \(server.defaultRuntime ?? "?")) [\(host.host.docker.daemon.source)]",
      host.evidence("daemon.json", host.host.containerToolkit.dockerDaemonConfig) { "runtimes \($0.runtimes.joined(separator: ",")), cdi \($0.cdiEnabled.map { String($0) } ?? "unset")" },
      "CDI specs: \(specs.isEmpty ? "none" : specs.map(\.path).joined(separator: ", "))",
    ]
    if server.runtimes.contains("nvidia") {
      return [ReportItem(id: "", severity: .ok, message: "the nvidia runtime is registered\(server.defaultRuntime == "nvidia" ? " (default)" : "")", evidence: evidence)]
    }
    let cdiSpec = specs.first { $0.kind == "nvidia.com/gpu" }
    // The daemon's own answer decides: docker info's CDISpecDirs lists the directories it reads,
    // and an empty list (`null`) means CDI is off (Engine API SystemInfo.CDISpecDirs). Only a
    // CLI too old to report the field leaves daemon.json's features.cdi to go by.
    let cdiOn = server.cdiSpecDirs.map { !$0.isEmpty } ?? (config?.cdiEnabled == true)
    if let cdiSpec, cdiOn {
      return [ReportItem(id: "", severity: .ok, message: "GPUs are available through CDI (docker run --device nvidia.com/gpu=all)", evidence: evidence + ["CDI spec \(cdiSpec.path)"])]
    }
    if let cdiSpec {
      return [
        ReportItem(
          id: "", severity: .error, message: "Docker has no nvidia runtime and CDI is off, so the NVIDIA CDI spec \(cdiSpec.path) is not used",
          why: "docker info reports no CDI spec directories (CDISpecDirs \(server.cdiSpecDirs == nil ? "not reported" : "empty")): Docker \(server.version ?? "") does not read CDI specs, so docker run --device nvidia.com/gpu=all fails and --gpus all fails with: could not select device driver \"\" with capabilities: [[gpu]]",
          fix: "enable CDI: sudo nvidia-ctk runtime configure --runtime=docker --cdi.enabled (sets \"features\": {\"cdi\": true}; Docker 25 or newer, on by default from 28.2 unless disabled) && sudo systemctl restart docker; or register the nvidia runtime: sudo nvidia-ctk runtime configure --runtime=docker",
          evidence: evidence)
      ]
    }
    return [
      ReportItem(
        id: "", severity: .error, message: "Docker has no nvidia runtime and no NVIDIA CDI spec",
        why: "docker run --gpus all fails with: could not select device driver \"\" with capabilities: [[gpu]]",
        fix: "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker",
        evidence: evidence)
    ]
  }

  static let devCharLinks = DoctorCheck("docker.dev-char", "With systemd's cgroup driver, NVIDIA nodes have /dev/char links.") { host, _ in
    guard let server = host.host.docker.daemon.value?.server, server.cgroupDriver == "systemd",
      let nodes = host.fingerprint.nvidiaDeviceNodesPresent.value, !nodes.isEmpty
    else { return [] }
    let linked = Set(host.fingerprint.nvidiaDevCharLinksPresent.value ?? [])
    let missing = nodes.filter { !$0.contains("nvidia-caps") && !linked.contains($0) }
    let evidence = ["cgroup driver: systemd [\(host.host.docker.daemon.source)]", host.evidence("/dev/char links", host.fingerprint.nvidiaDevCharLinksPresent) { $0.joined(separator: " ") }]
    if missing.isEmpty {
      return [ReportItem(id: "", severity: .ok, message: "every NVIDIA device node has a /dev/char link", evidence: evidence)]
    }
    return [
      ReportItem(
        id: "", severity: .warning, message: "no /dev/char link for \(missing.joined(separator: " "))",
        why: "with the systemd cgroup driver, containers lose access to these GPUs after systemctl daemon-reload (\"Failed to initialize NVML: Unknown Error\")",
        fix: "sudo nvidia-ctk system create-dev-char-symlinks --create-all (and add a udev rule so it survives reboots)",
        evidence: evidence)
    ]
  }

  static let storageDriver = DoctorCheck("docker.storage-driver", "Docker does not use the vfs storage driver.") { host, _ in
    guard let server = host.host.docker.daemon.value?.server, let driver = server.storageDriver else { return [] }
    if driver == "vfs" {
      return [
        ReportItem(
          id: "", severity: .warning, message: "Docker uses the vfs storage driver",
          why: "vfs copies every layer in full: a 10 GB CUDA image takes several times that on disk and minutes to start",
          fix: "set \"storage-driver\": \"overlay2\" in /etc/docker/daemon.json and restart Docker (existing images must be pulled again)",
          evidence: ["storage driver: vfs [\(host.host.docker.daemon.source)]"])
      ]
    }
    return [ReportItem(id: "", severity: .ok, message: "storage driver \(driver)", evidence: ["storage driver: \(driver) [\(host.host.docker.daemon.source)]"])]
  }

  static let diskSpace = DoctorCheck("docker.disk-space", "Docker's root directory has room for ML images (5–15 GB each).") { host, options in
    guard let server = host.host.docker.daemon.value?.server, let free = host.fingerprint.volatile.dockerRootFreeBytes else { return [] }
    let root = server.rootDir ?? "Docker's root directory"
    let evidence = ["\(root): \(FingerprintSummary.formatBytes(free)) free [statvfs:\(root)]"]
    if free < options.minimumDockerFreeBytes {
      return [
        ReportItem(
          id: "", severity: .warning, subject: root, message: "only \(FingerprintSummary.formatBytes(free)) free for Docker images",
          why: "CUDA/PyTorch images are 5–15 GB each; pulls and builds fail with \"no space left on device\"",
          fix: "see what uses it: docker system df; reclaim: docker system prune (add -a to drop unused images)",
          evidence: evidence)
      ]
    }
    return [ReportItem(id: "", severity: .ok, subject: root, message: "\(FingerprintSummary.formatBytes(free)) free", evidence: evidence)]
  }
}
