import Fingerprint
import Reporting

enum SystemChecks {
  static let all = [kernelAndOS, sharedMemory]

  static let kernelAndOS = DoctorCheck("system.os", "The kernel, distribution and C library can be read.") { host, _ in
    let facts = host.host
    var parts: [String] = []
    if let os = facts.os.value { parts.append(os.prettyName ?? os.id) }
    if let kernel = facts.kernel.value { parts.append("kernel \(kernel.release)") }
    if let libc = facts.libc.value { parts.append("\(libc.name) \(libc.version)") }
    let evidence = [
      host.evidence("os", facts.os) { $0.prettyName ?? $0.id },
      host.evidence("kernel", facts.kernel) { $0.release },
      host.evidence("libc", facts.libc) { "\($0.name) \($0.version)" },
    ]
    if facts.os.status == .unreadable || facts.kernel.status == .unreadable {
      return [ReportItem(id: "", severity: .warning, message: "could not read the OS or kernel: \((facts.os.reason ?? facts.kernel.reason) ?? "")", evidence: evidence)]
    }
    return [ReportItem(id: "", severity: .ok, message: parts.isEmpty ? "no OS facts in this tree" : parts.joined(separator: ", "), evidence: evidence)]
  }

  static let sharedMemory = DoctorCheck("system.shm", "/dev/shm is large enough for PyTorch DataLoader workers.") { host, options in
    let shm = host.host.sharedMemory
    let evidence = [host.evidence("/dev/shm", shm) { FingerprintSummary.formatBytes($0.sizeBytes) }]
    guard let info = shm.value else {
      return [ReportItem(id: "", severity: .note, message: "/dev/shm size unknown: \(shm.reason ?? "")", evidence: evidence)]
    }
    let size = FingerprintSummary.formatBytes(info.sizeBytes)
    if host.host.platform?.containerViewFacts.contains("sharedMemory") == true {
      // Under --root, rigcheck's own /proc/self/mounts is its pod's, not the host's.
      return [
        ReportItem(
          id: "", severity: .note, message: "/dev/shm of the host under \(host.fingerprint.generator.root) not read: \(size) is rigcheck's own container's",
          why: "the host's mount table (/proc/1/mounts under the root) could not be read, and /proc/self/mounts describes the container rigcheck runs in",
          fix: "mount the host's / (with its /proc) at the root, as deploy/kubernetes/rigcheck-daemonset.yaml does", evidence: evidence)
      ]
    }
    if info.sizeBytes < options.minimumSharedMemoryBytes {
      let inContainer = host.host.cgroup.value?.inContainer == true
      return [
        ReportItem(
          id: "", severity: .warning, message: "/dev/shm is only \(size)\(inContainer ? " (inside a container)" : "")",
          why: "PyTorch DataLoader workers pass batches through shared memory; too little gives \"bus error\" or \"unable to write to file </torch_…>: No space left on device\"",
          fix: inContainer
            ? "restart the container with --ipc=host or --shm-size=16g (Kubernetes: mount an emptyDir with medium: Memory at /dev/shm)"
            : "sudo mount -o remount,size=16G /dev/shm",
          evidence: evidence)
      ]
    }
    return [ReportItem(id: "", severity: .ok, message: "/dev/shm is \(size)", evidence: evidence)]
  }
}

extension HostView {
  /// NVIDIA GPUs this host drives itself: not those handed to virtual machines through vfio-pci.
  var hostNVIDIAGPUs: [PCIDevice] { nvidiaGPUs.filter { $0.driver != "vfio-pci" } }

  /// NVIDIA GPUs bound to vfio-pci (passed through to virtual machines).
  var passthroughGPUs: [PCIDevice] { nvidiaGPUs.filter { $0.driver == "vfio-pci" } }

  /// WSL2 with its paravirtualized GPU device (`/dev/dxg`).
  var wslGPU: Bool { host.platform?.wsl?.version == 2 && host.platform?.wsl?.gpuDevice != nil }

  /// `0000:00:07.0 NVIDIA H200 (vfio-pci)` for evidence.
  var passthroughEvidence: [String] {
    passthroughGPUs.map { "\($0.address) \(gpuName($0)) bound to vfio-pci (passed through to a VM) [file:/sys/bus/pci/devices/\($0.address)/driver]" }
  }
}

extension SystemChecks {
  /// `gpu.present` on WSL, where GPUs are not on the PCI bus: WSL2 reaches the Windows host's
  /// GPUs through `/dev/dxg` and the libraries Windows mounts at `/usr/lib/wsl/lib`. Nil when
  /// the host is not WSL.
  static func wslGPUs(_ host: HostView) -> [ReportItem]? {
    guard let wsl = host.host.platform?.wsl else { return nil }
    let libraries = host.host.platform?.nvidiaLibraries
    let nvml = host.host.nvidia.nvml
    var evidence = [
      "WSL\(wsl.version): \(wsl.evidence)", "GPU device: \(wsl.gpuDevice ?? "no /dev/dxg")",
      host.evidence("nvml", nvml) { "driver \($0.driverVersion), \($0.gpus.count) GPU(s)" },
    ]
    if let libraries { evidence.append(host.evidence("NVIDIA libraries", libraries) { $0.nvml }) }
    if wsl.version == 1 {
      return [
        ReportItem(
          id: "", severity: .warning, message: "WSL1 cannot use GPUs",
          why: "GPU paravirtualization (/dev/dxg) exists only in WSL2", fix: "in PowerShell: wsl --set-version <distribution> 2",
          evidence: evidence)
      ]
    }
    guard let device = wsl.gpuDevice else {
      return [
        ReportItem(
          id: "", severity: .warning, message: "WSL2 without /dev/dxg: the Windows host's GPUs are not exposed",
          why: "WSL2 reaches NVIDIA GPUs only through GPU paravirtualization (/dev/dxg); CUDA in WSL will find no device",
          fix: "in PowerShell: wsl --update, then wsl --shutdown; install a current NVIDIA driver on Windows (not inside WSL)",
          evidence: evidence)
      ]
    }
    if let report = nvml.value {
      let names = report.gpus.map { $0.name ?? $0.pciAddress }
      if names.isEmpty {
        return [
          ReportItem(
            id: "", severity: .warning, message: "WSL2: NVML loads through \(device) but reports no GPU",
            why: "the Windows driver exposes no NVIDIA GPU to WSL", fix: "check the GPU in Windows (nvidia-smi in PowerShell) and update the Windows driver",
            evidence: evidence)
        ]
      }
      return [
        ReportItem(
          id: "", severity: .ok,
          message: "WSL2: \(names.count) NVIDIA GPU\(names.count == 1 ? "" : "s") through \(device) (GPU paravirtualization, driver \(report.driverVersion) on Windows): \(names.joined(separator: ", "))",
          evidence: evidence)
      ]
    }
    if let found = libraries?.value {
      return [
        ReportItem(
          id: "", severity: .note,
          message: "WSL2: GPU paravirtualization through \(device), NVML at \(found.nvml); GPUs not listed: \(nvml.reason ?? nvml.status.rawValue)",
          evidence: evidence)
      ]
    }
    return [
      ReportItem(
        id: "", severity: .warning, message: "WSL2: \(device) exists but the NVIDIA libraries are missing from /usr/lib/wsl/lib",
        why: "Windows provides libcuda and NVML to WSL2 with its NVIDIA driver; without them CUDA finds no GPU",
        fix: "install or repair the NVIDIA driver on Windows (do not install a Linux NVIDIA driver inside WSL), then: wsl --shutdown",
        evidence: evidence)
    ]
  }
}
