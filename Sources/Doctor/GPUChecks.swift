import Fingerprint
import Reporting

enum GPUChecks {
  static let all = [present, driverBound, nouveau, pcieLink, persistence, mig, memoryHealth]

  static let present = DoctorCheck("gpu.present", "An NVIDIA GPU is on the PCI bus.") { host, _ in
    let pci = host.host.pci
    let evidence = [host.evidence("pci", pci) { "\($0.devicesScanned) devices, \($0.gpus.count) GPU-class" }]
    guard let inventory = pci.value else {
      return [ReportItem(id: "", severity: .warning, message: "could not list PCI devices: \(pci.reason ?? "")", why: "without the PCI bus rigcheck cannot tell whether a GPU is installed", evidence: evidence)]
    }
    let gpus = host.nvidiaGPUs
    if gpus.isEmpty, let wsl = SystemChecks.wslGPUs(host) { return wsl }
    if gpus.isEmpty {
      let others = inventory.gpus.map { "\($0.address) \($0.vendorName ?? $0.vendorID) \($0.deviceName ?? $0.deviceID)" }
      return [
        ReportItem(
          id: "", severity: .warning,
          message: "no NVIDIA GPU on the PCI bus (\(inventory.devicesScanned) devices scanned" + (others.isEmpty ? ")" : "; other display devices: \(others.joined(separator: ", ")))"),
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

  static let pcieLink = DoctorCheck("gpu.pcie-link", "Each GPU's PCIe link runs at its maximum width and speed.") { host, _ in
    host.nvidiaGPUs.compactMap { gpu in
      guard let link = gpu.link else { return nil }
      let evidence = ["\(gpu.address) link: current \(link.currentSpeed ?? "?") x\(link.currentWidth.map(String.init) ?? "?"), max \(link.maxSpeed ?? "?") x\(link.maxWidth.map(String.init) ?? "?") [file:/sys/bus/pci/devices/\(gpu.address)/current_link_*]"]
      if let current = link.currentWidth, let maximum = link.maxWidth, current < maximum {
        return ReportItem(
          id: "", severity: .warning, subject: gpu.address, message: "PCIe link is x\(current), the device supports x\(maximum)",
          why: "a narrower link cuts host↔GPU bandwidth (data loading, NCCL over PCIe); usual causes are a riser, a wrong slot or a badly seated card",
          fix: "reseat the card or move it to a full-width slot; check with: sudo lspci -vv -s \(gpu.address) | grep -E 'LnkCap|LnkSta'",
          evidence: evidence)
      }
      if let current = gigatransfers(link.currentSpeed), let maximum = gigatransfers(link.maxSpeed), current < maximum {
        return ReportItem(
          id: "", severity: .warning, subject: gpu.address, message: "PCIe link runs at \(link.currentSpeed ?? "?"), the device supports \(link.maxSpeed ?? "?")",
          why: "an idle GPU may lower its link speed to save power; under load a slower link means a degraded slot or riser",
          fix: "re-check while the GPU is busy: nvidia-smi -q -d PCI | grep -A3 'Link Gen'; if it stays low, reseat the card or change slot",
          evidence: evidence)
      }
      return ReportItem(id: "", severity: .ok, subject: gpu.address, message: "PCIe \(link.currentSpeed ?? "?") x\(link.currentWidth.map(String.init) ?? "?") (maximum)", evidence: evidence)
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
