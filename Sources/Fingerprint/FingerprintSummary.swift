/// A compact, human-readable summary of a fingerprint (what `rigcheck fingerprint` prints
/// on a terminal). Missing facts show their reason, so the summary never hides a gap.
public enum FingerprintSummary {
  public static func render(_ fingerprint: Fingerprint, hash: String?) -> String {
    let host = fingerprint.identity.host
    var lines: [String] = []
    func row(_ label: String, _ text: String) {
      lines.append(label.padding(12) + text)
    }
    func describe<T>(_ fact: Observed<T>, _ format: (T) -> String) -> String {
      if let value = fact.value, fact.status == .present { return format(value) }
      return "— \(fact.status.rawValue): \(fact.reason ?? "unknown")"
    }

    row("host", describe(fingerprint.machine.hostname) { $0 } + "  (root \(fingerprint.generator.root))")
    row("os", describe(host.os) { $0.prettyName ?? "\($0.id) \($0.versionID ?? "")" })
    row("kernel", describe(host.kernel) { [$0.release, $0.architecture].compactMap { $0 }.joined(separator: " ") })
    row("libc", describe(host.libc) { "\($0.name) \($0.version)" })
    row("cpu", describe(host.cpu) { cpu in
      let flags = cpu.mlFlags.filter { $0.hasPrefix("avx512") || $0.hasPrefix("amx") || $0 == "avx2" }
      return "\(cpu.model ?? "unknown model"), \(cpu.logicalCores) logical cores" + (flags.isEmpty ? "" : " [\(flags.joined(separator: " "))]")
    })
    row("memory", describe(host.memory) { memory in
      formatBytes(memory.nominalBytes) + (fingerprint.volatile.memoryTotalBytes.map { " (MemTotal \(formatBytes($0)))" } ?? "")
    })
    row("/dev/shm", describe(host.sharedMemory) { formatBytes($0.sizeBytes) })
    row("cgroup", describe(host.cgroup) { info in
      var text = "v\(info.version)"
      if info.inContainer { text += ", in a container (\(info.containerEvidence ?? ""))" }
      if let cpu = info.cpuLimitCores { text += ", cpu limit \(cpu)" }
      if let memory = info.memoryLimitBytes { text += ", memory limit \(formatBytes(memory))" }
      return text
    })
    row("pci", describe(host.pci) { inventory in
      let readings = fingerprint.volatile.pci
      let database = readings?.database.map { "names from pci.ids \($0.version ?? "of unknown version")" } ?? "no pci.ids database"
      return (readings.map { "\($0.devicesScanned) devices scanned, " } ?? "") + "\(inventory.gpus.count) GPU-class (\(database))"
    })
    let nvmlDevices = host.nvidia.nvml.value?.gpus ?? []
    for gpu in host.pci.value?.gpus ?? [] {
      let nvml = nvmlDevices.first { $0.pciAddress == gpu.address }
      let readings = fingerprint.pciReadings(at: gpu.address)
      var text = "\(gpu.address) \(gpu.vendorID):\(gpu.deviceID) \(nvml?.name ?? readings?.deviceName ?? "unknown device")"
      text += ", driver \(gpu.driver ?? "none bound")"
      if let speed = readings?.currentLinkSpeed, let width = readings?.currentLinkWidth {
        text += ", link \(speed) x\(width)"
        if let link = gpu.link, let maxSpeed = link.maxSpeed, let maxWidth = link.maxWidth, maxSpeed != speed || maxWidth != width {
          text += " (max \(maxSpeed) x\(maxWidth))"
        }
      } else if let link = gpu.link, let maxSpeed = link.maxSpeed, let maxWidth = link.maxWidth {
        text += ", link max \(maxSpeed) x\(maxWidth)"
      }
      if let capability = nvml?.computeCapability { text += ", sm \(capability)" }
      if let memory = nvml?.memoryTotalBytes { text += ", \(formatBytes(memory))" }
      row("  gpu", text)
    }
    row("nvidia", describe(host.nvidia.kernelModule) { "driver \($0.version) (\($0.flavour.rawValue) kernel module)" })
    let onDemand = fingerprint.volatile.nvidiaOnDemand
    row("  modules", describe(host.nvidia.loadedModules) { modules in
      let all = modules + (onDemand?.loadedModules ?? [])
      return all.isEmpty ? "none loaded" : all.sorted().joined(separator: " ")
    })
    row("  nvml", describe(host.nvidia.nvml) { "driver \($0.driverVersion), CUDA \($0.cudaDriverVersion ?? "unknown"), \($0.gpus.count) GPU(s)" })
    if let fabric = host.nodeFabric {
      let switches = fabric.nvswitches.value ?? []
      if !switches.isEmpty || fabric.fabricManager.value != nil {
        row("  nvswitch", "\(switches.count) NVSwitch(es); Fabric Manager " + describe(fabric.fabricManager) { "\($0.version ?? "version unknown")" })
      }
      row("rdma", describe(fabric.rdma) { rdma in
        let names = rdma.devices.map(\.name).joined(separator: " ")
        return (names.isEmpty ? "no device" : names) + ", rdma-core \(rdma.rdmaCoreVersion ?? "not installed")" + (rdma.mofedVersion.map { ", \($0)" } ?? "")
      })
      if let names = fabric.ncclEnvironment.value?.environment.keys.sorted(), !names.isEmpty {
        row("nccl env", names.joined(separator: " "))
      }
    }
    let toolkit = host.containerToolkit
    row("toolkit", describe(toolkit.nvidiaCTK) { "nvidia-ctk \($0.version ?? "(version unknown)")" })
    row("  docker cfg", describe(toolkit.dockerDaemonConfig) { config in
      config.nvidiaRuntimeRegistered
        ? "nvidia runtime registered" + (config.nvidiaIsDefault ? " (default)" : "") + (config.cdiEnabled == true ? ", CDI on" : "")
        : "no nvidia runtime" + (config.cdiEnabled == true ? ", CDI on" : "")
    })
    row("  cdi", describe(toolkit.cdiSpecs) { specs in
      specs.isEmpty ? "no specs" : specs.map { "\($0.path) (\($0.devices.count) devices" + ($0.pinnedDriverVersion.map { ", driver \($0)" } ?? "") + ")" }.joined(separator: ", ")
    })
    for (label, engine) in [("docker", host.docker), ("podman", host.podman)] {
      var text = describe(engine.cli) { "\($0.path) \($0.version ?? "")" }
      if engine.cli.status == .present {
        text += "; " + describe(engine.daemon) { daemon in
          if let server = daemon.server {
            return "server \(server.version ?? "?"), \(server.storageDriver ?? "?") storage, cgroup \(server.cgroupDriver ?? "?") v\(server.cgroupVersion ?? "?"), runtimes \(server.runtimes.joined(separator: ","))"
          }
          return "not reachable: \(daemon.problem?.message ?? "unknown")"
        }
      }
      row(label, text)
    }
    for image in fingerprint.identity.images {
      var text = "\(image.reference) via \(image.runtime)"
      if let python = image.python.value { text += ", python \(python.version ?? "?") (\(python.packages.count) packages)" }
      if let cuda = image.cuda.bestVersion { text += ", CUDA \(cuda)" }
      for framework in image.frameworks {
        text += ", \(framework.name) " + (framework.info.value.map { $0.version + ($0.cuda.map { "+cu\($0)" } ?? "") } ?? "(import failed)")
      }
      row("image", text)
    }
    if let hash { row("identity", hash) }
    return lines.joined(separator: "\n") + "\n"
  }

  /// 137438953472 → `128.0 GiB`.
  public static func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let tenths = (value * 10).rounded() / 10
    return "\(tenths) \(units[unit])"
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
