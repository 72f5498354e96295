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
