import Fingerprint
import Reporting

enum GPUChecks {
  static let all = [present, driverBound, nouveau, pcieLink, persistence, mig, memoryHealth]

  static let present = DoctorCheck("gpu.present", "An NVIDIA GPU is on the PCI bus.") { host, _ in
    let pci = host.host.pci
    let scanned = host.fingerprint.volatile.pci?.devicesScanned
    let evidence = [host.evidence("pci", pci) { (scanned.map { "\($0) devices, " } ?? "") + "\($0.gpus.count) GPU-class" }]
    guard let inventory = pci.value else {
      return [ReportItem(id: "", severity: .warning, message: "could not list PCI devices: \(pci.reason ?? "")", why: "without the PCI bus rigcheck cannot tell whether a GPU is installed", evidence: evidence)]
    }
    let gpus = host.nvidiaGPUs
    if gpus.isEmpty, let wsl = SystemChecks.wslGPUs(host) { return wsl }
    if gpus.isEmpty {
      let others = inventory.gpus.map { device in
        let names = host.fingerprint.pciReadings(at: device.address)
        return "\(device.address) \(names?.vendorName ?? device.vendorID) \(names?.deviceName ?? device.deviceID)"
      }
      return [
        ReportItem(
          id: "", severity: .warning,
          message: "no NVIDIA GPU on the PCI bus (\(scanned.map { "\($0) devices scanned" } ?? "scanned")" + (others.isEmpty ? ")" : "; other display devices: \(others.joined(separator: ", ")))"),
          why: "CUDA training and inference need an NVIDIA GPU; on this machine PyTorch will run on the CPU only",
          fix: "use a GPU instance type, or check that the GPU is passed through to this VM (lspci -d 10de:)",
          evidence: evidence)
      ]
    }
    let names = gpus.map { "\($0.address) \(host.gpuName($0))" }
    return [ReportItem(id: "", severity: .ok, message: "\(gpus.count) NVIDIA GPU\(gpus.count == 1 ? "" : "s"): \(names.joined(separator: ", "))", evidence: evidence)]
  }

  static let driverBound = DoctorCheck("gpu.driver-bound", "Every NVIDIA GPU has the nvidia kernel driver bound.") { host, _ in
    host.nvidiaGPUs.map { gpu in
      let evidence = ["\(gpu.address) driver: \(gpu.driver ?? "none") [file:/sys/bus/pci/devices/\(gpu.address)/driver]"]
      switch gpu.driver {
      case "nvidia":
        return ReportItem(id: "", severity: .ok, subject: gpu.address, message: "bound to nvidia", evidence: evidence)
      case "nouveau":
        return ReportItem(
          id: "", severity: .error, subject: gpu.address, message: "bound to nouveau, not to the NVIDIA driver",
          why: "CUDA needs NVIDIA's driver; see gpu.nouveau for how to blacklist nouveau", evidence: evidence)
      case "vfio-pci":
        return ReportItem(
          id: "", severity: .note, subject: gpu.address, message: "bound to vfio-pci: reserved for passthrough to a VM",
          why: "a GPU held by vfio-pci is not usable on this host", fix: "unbind it from vfio-pci if this host should use it",
          evidence: evidence)
      case nil:
        return ReportItem(
          id: "", severity: .error, subject: gpu.address, message: "\(host.gpuName(gpu)) has no kernel driver bound",
          why: "without the NVIDIA driver the GPU is invisible to CUDA, nvidia-smi and containers",
          fix: "install the driver: sudo apt install nvidia-driver-580-open (Ubuntu: sudo ubuntu-drivers install), then reboot",
          evidence: evidence)
      case let other?:
        return ReportItem(
          id: "", severity: .warning, subject: gpu.address, message: "bound to \(other), not nvidia",
          fix: "bind the GPU to the nvidia driver", evidence: evidence)
      }
    }
  }

  static let nouveau = DoctorCheck("gpu.nouveau", "The open-source nouveau driver is not loaded.") { host, _ in
    let modules = host.host.nvidia.loadedModules
    let evidence = [host.evidence("modules", modules) { $0.isEmpty ? "none relevant" : $0.joined(separator: " ") }]
    let boundToNouveau = host.nvidiaGPUs.contains { $0.driver == "nouveau" }
    let loaded = modules.value?.contains("nouveau") == true
    guard loaded || boundToNouveau else {
      if host.nvidiaGPUs.isEmpty { return [] }
      return [ReportItem(id: "", severity: .ok, message: "nouveau is not loaded", evidence: evidence)]
    }
    return [
      ReportItem(
        id: "", severity: .error, message: "the nouveau driver is loaded\(boundToNouveau ? " and holds the GPU" : "")",
        why: "nouveau and the NVIDIA driver cannot both drive the GPU; NVIDIA's installer refuses to load while nouveau is active",
        fix: "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee /etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u && sudo reboot",
        evidence: evidence)
    ]
  }

  /// `32.0 GT/s PCIe` → 32.0.
  static func gigatransfers(_ text: String?) -> Double? {
    text.flatMap { Double($0.split(separator: " ").first ?? "") }
  }

  /// Transfer rates of PCIe generations 1 to 7, in GT/s.
  static let generationRates: [Double] = [2.5, 5, 8, 16, 32, 64, 128]

  /// `32.0 GT/s PCIe` → 5.
  static func generation(_ text: String?) -> Int? {
    gigatransfers(text).flatMap { generationRates.firstIndex(of: $0) }.map { $0 + 1 }
  }

  /// `Gen 5 (32.0 GT/s)`.
  static func describeGeneration(_ generation: Int) -> String {
    guard generation >= 1 && generation <= generationRates.count else { return "Gen \(generation)" }
    return "Gen \(generation) (\(generationRates[generation - 1]) GT/s)"
  }

  /// From this utilisation on, a GPU is busy: it runs in its top performance state, where the
  /// driver keeps the link at its maximum speed.
  static let busyUtilizationPercent = 50

  /// A link narrower than the device supports is a problem; a slower speed at full width is
  /// not by itself: GPUs lower their link speed when idle to save power (some, like the H200
  /// measured in Tests/Fixtures/device, stay at their maximum). Where the driver reports the
  /// link generation and utilisation (NVML, `nvidia-smi -q`), a slow link on a busy GPU is a
  /// warning and on an idle one a note; without utilisation a slow link is a note.
  static let pcieLink = DoctorCheck("gpu.pcie-link", "Each GPU's PCIe link has its full width, and its full speed when busy.") { host, _ in
    host.nvidiaGPUs.compactMap { gpu in
      let sysfs = host.fingerprint.pciReadings(at: gpu.address)
      let readings = host.fingerprint.gpuReadings(at: gpu.address)
      let nvml = readings?.pcieLink
      let currentSpeed = sysfs?.currentLinkSpeed
      let maxSpeed = gpu.link?.maxSpeed
      guard gpu.link != nil || currentSpeed != nil || sysfs?.currentLinkWidth != nil || nvml != nil else { return nil }
      let currentWidth = sysfs?.currentLinkWidth ?? nvml?.currentWidth
      let maxWidth = gpu.link?.maxWidth ?? nvml?.maxWidth
      let utilization = readings?.utilizationPercent

      var evidence = ["\(gpu.address) link: current \(currentSpeed ?? "?") x\(sysfs?.currentLinkWidth.map(String.init) ?? "?"), max \(maxSpeed ?? "?") x\(gpu.link?.maxWidth.map(String.init) ?? "?") [file:/sys/bus/pci/devices/\(gpu.address)/current_link_*, max_link_*]"]
      if nvml != nil || utilization != nil {
        var text = "\(gpu.address) driver:"
        if let nvml {
          text += " PCIe Gen \(nvml.currentGeneration.map(String.init) ?? "?") of \(nvml.maxGeneration.map(String.init) ?? "?"), x\(nvml.currentWidth.map(String.init) ?? "?") of x\(nvml.maxWidth.map(String.init) ?? "?"),"
        }
        text += " GPU utilisation \(utilization.map { "\($0) %" } ?? "?") [\(host.host.nvidia.nvml.source)]"
        evidence.append(text)
      }

      if let current = currentWidth, let maximum = maxWidth, current < maximum {
        return ReportItem(
          id: "", severity: .warning, subject: gpu.address, message: "PCIe link is x\(current), the device supports x\(maximum)",
          why: "a narrower link cuts host↔GPU bandwidth (data loading, NCCL over PCIe) whatever the load; usual causes are a riser, a wrong slot or a badly seated card",
          fix: "reseat the card or move it to a full-width slot; check with: sudo lspci -vv -s \(gpu.address) | grep -E 'LnkCap|LnkSta'",
          evidence: evidence)
      }

      let recheck = "nvidia-smi --query-gpu=pcie.link.gen.current,pcie.link.gen.max,utilization.gpu --format=csv -l 1 while a job runs"
      // The driver's generations and utilisation come from one reading: judge with them.
      if let current = nvml?.currentGeneration, let maximum = nvml?.maxGeneration {
        if current < maximum {
          if let utilization, utilization >= busyUtilizationPercent {
            return ReportItem(
              id: "", severity: .warning, subject: gpu.address,
              message: "PCIe link runs at \(describeGeneration(current)) while the GPU is \(utilization) % busy; it supports \(describeGeneration(maximum))",
              why: "a busy GPU keeps its link at full speed; a slow link under load means a degraded slot, riser or cable, or a BIOS limit, and slows data loading and NCCL over PCIe",
              fix: "re-check with: \(recheck); if it stays low, check the BIOS PCIe speed setting, reseat the card or change slot (sudo lspci -vv -s \(gpu.address) | grep -E 'LnkCap|LnkSta')",
              evidence: evidence)
          }
          let state = utilization.map { "the GPU is idle (\($0) % busy)" } ?? "the GPU's utilisation is unknown"
          return ReportItem(
            id: "", severity: .note, subject: gpu.address,
            message: "PCIe link at \(describeGeneration(current)) of \(describeGeneration(maximum)) x\(currentWidth.map(String.init) ?? "?") while \(state): normal, an idle GPU lowers its link speed to save power",
            why: "the link trains back up to full speed under load; only a slow link on a busy GPU is a problem",
            fix: utilization == nil ? "to be sure, re-check under load: \(recheck)" : nil,
            evidence: evidence)
        }
        if let deviceMaximum = generation(maxSpeed), maximum < deviceMaximum {
          return ReportItem(
            id: "", severity: .note, subject: gpu.address,
            message: "PCIe link at \(describeGeneration(current)), the most this slot allows; the GPU supports \(describeGeneration(deviceMaximum))",
            why: "the slot, a riser or the BIOS limits the link; host↔GPU bandwidth is that of \(describeGeneration(maximum))",
            evidence: evidence)
        }
        // sysfs may have been read at another moment than the driver's report.
        let speed = generation(currentSpeed) == current ? currentSpeed ?? describeGeneration(current) : describeGeneration(current)
        return ReportItem(
          id: "", severity: .ok, subject: gpu.address, message: "PCIe \(speed) x\(currentWidth.map(String.init) ?? "?") (maximum)", evidence: evidence)
      }

      if let current = gigatransfers(currentSpeed), let maximum = gigatransfers(maxSpeed), current < maximum {
        if let utilization, utilization >= busyUtilizationPercent {
          return ReportItem(
            id: "", severity: .warning, subject: gpu.address,
            message: "PCIe link runs at \(currentSpeed ?? "?") while the GPU is \(utilization) % busy; the device supports \(maxSpeed ?? "?")",
            why: "a busy GPU keeps its link at full speed; a slow link under load means a degraded slot, riser or cable, or a BIOS limit",
            fix: "re-check with: \(recheck); if it stays low, reseat the card or change slot",
            evidence: evidence)
        }
        return ReportItem(
          id: "", severity: .note, subject: gpu.address,
          message: "PCIe link at \(currentSpeed ?? "?") of \(maxSpeed ?? "?") x\(currentWidth.map(String.init) ?? "?")\(utilization.map { " while the GPU is idle (\($0) % busy)" } ?? ""): normal for an idle GPU, which lowers its link speed to save power",
          why: "the link trains back up to full speed under load; only a slow link on a busy GPU is a problem",
          fix: utilization == nil ? "to be sure, re-check under load: \(recheck)" : nil,
          evidence: evidence)
      }
      return ReportItem(
        id: "", severity: .ok, subject: gpu.address,
        message: "PCIe \(currentSpeed ?? "?") x\(currentWidth.map(String.init) ?? "?") (maximum)", evidence: evidence)
    }
  }

  /// Datacenter parts, where persistence mode is expected on.
  static func isDatacenter(_ device: NVMLDevice) -> Bool {
    if let brand = device.brand, ["Tesla", "NVIDIA", "NVIDIA Virtual Compute Server"].contains(brand) { return true }
    return false
  }

  static let persistence = DoctorCheck("gpu.persistence", "Persistence mode is on for datacenter GPUs.") { host, _ in
    (host.host.nvidia.nvml.value?.gpus ?? []).compactMap { device in
      guard isDatacenter(device), let enabled = device.persistenceMode else { return nil }
      let evidence = ["\(device.pciAddress) persistence mode: \(enabled ? "on" : "off") [\(host.host.nvidia.nvml.source)]"]
      if enabled {
        return ReportItem(id: "", severity: .ok, subject: device.pciAddress, message: "persistence mode on", evidence: evidence)
      }
      return ReportItem(
        id: "", severity: .warning, subject: device.pciAddress, message: "persistence mode is off on a datacenter GPU (\(device.name ?? "?"))",
        why: "without it the driver tears the GPU down whenever no process uses it: every job start pays seconds of re-initialisation and ECC/clock settings are lost",
        fix: "sudo systemctl enable --now nvidia-persistenced (or: sudo nvidia-smi -pm 1)",
        evidence: evidence)
    }
  }

  static let mig = DoctorCheck("gpu.mig", "MIG (multi-instance GPU) mode is reported.") { host, _ in
    (host.host.nvidia.nvml.value?.gpus ?? []).compactMap { device in
      guard device.migMode == true else { return nil }
      return ReportItem(
        id: "", severity: .warning, subject: device.pciAddress, message: "MIG mode is enabled on \(device.name ?? "the GPU")",
        why: "with MIG on, CUDA processes see MIG instances, not the whole GPU; jobs that expect the full GPU get a slice or none",
        fix: "list instances with nvidia-smi -L; disable with sudo nvidia-smi -i \(device.pciAddress) -mig 0 (then reset the GPU) if you need the whole GPU",
        evidence: ["\(device.pciAddress) MIG: enabled [\(host.host.nvidia.nvml.source)]"])
    }
  }

  static let memoryHealth = DoctorCheck("gpu.memory-health", "No uncorrectable ECC errors, pending page retirement or row remapping.") { host, _ in
    host.fingerprint.volatile.gpus.compactMap { readings in
      let evidence = [
        "\(readings.pciAddress) uncorrectable ECC (aggregate): \(readings.uncorrectableECCErrors.map(String.init) ?? "n/a"), retired pages pending: \(readings.retiredPagesPending.map { $0 ? "yes" : "no" } ?? "n/a"), row remap pending: \(readings.remappedRowsPending.map { $0 ? "yes" : "no" } ?? "n/a"), remap failure: \(readings.remappingFailed.map { $0 ? "yes" : "no" } ?? "n/a")"
      ]
      if readings.remappingFailed == true {
        return ReportItem(
          id: "", severity: .error, subject: readings.pciAddress, message: "a memory row remapping failed",
          why: "the GPU has memory it can no longer repair; jobs will hit Xid 64/94/95 errors",
          fix: "drain the node and open an RMA with your vendor (nvidia-smi -q -d ROW_REMAPPER shows the counts)", evidence: evidence)
      }
      if readings.retiredPagesPending == true || readings.remappedRowsPending == true {
        return ReportItem(
          id: "", severity: .warning, subject: readings.pciAddress, message: "memory repairs are pending until the GPU is reset",
          why: "until then the faulty memory stays in use and can corrupt results or crash jobs",
          fix: "drain the GPU, then: sudo nvidia-smi -r -i \(readings.pciAddress) (or reboot)", evidence: evidence)
      }
      if let errors = readings.uncorrectableECCErrors, errors > 0 {
        return ReportItem(
          id: "", severity: .warning, subject: readings.pciAddress, message: "\(errors) uncorrectable ECC error\(errors == 1 ? "" : "s") over the GPU's lifetime",
          why: "uncorrectable errors kill the running CUDA context; a rising count points to failing memory",
          fix: "watch nvidia-smi -q -d ECC; if the volatile count grows, drain the node and run dcgmi diag -r 3", evidence: evidence)
      }
      guard readings.uncorrectableECCErrors != nil || readings.remappedRowsPending != nil || readings.retiredPagesPending != nil else { return nil }
      return ReportItem(id: "", severity: .ok, subject: readings.pciAddress, message: "no uncorrectable memory errors or pending repairs", evidence: evidence)
    }
  }
}
