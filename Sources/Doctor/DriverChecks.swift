import Compare
import Compatibility
import Fingerprint
import Reporting

enum DriverChecks {
  static let all = [kernelModule, nvml, deviceNodes, cuda]

  static let kernelModule = DoctorCheck("driver.kernel-module", "The NVIDIA kernel module is loaded.") { host, _ in
    let module = host.host.nvidia.kernelModule
    let evidence = [host.evidence("kernel module", module) { "\($0.version) (\($0.flavour.rawValue))" }]
    if let value = module.value {
      return [ReportItem(id: "", severity: .ok, message: "NVIDIA driver \(value.version) (\(value.flavour.rawValue) kernel module)", evidence: evidence)]
    }
    if host.nvidiaGPUs.isEmpty && host.wslGPU {
      return [ReportItem(id: "", severity: .ok, message: "WSL2: the NVIDIA driver runs on Windows; no Linux kernel module is needed", evidence: evidence)]
    }
    if host.hostNVIDIAGPUs.isEmpty && !host.passthroughGPUs.isEmpty {
      let count = host.passthroughGPUs.count
      return [
        ReportItem(
          id: "", severity: .note, message: "\(count == 1 ? "the NVIDIA GPU is" : "all \(count) NVIDIA GPUs are") bound to vfio-pci for passthrough: this host needs no NVIDIA driver",
          evidence: evidence + host.passthroughEvidence)
      ]
    }
    guard !host.hostNVIDIAGPUs.isEmpty else { return [] }
    if module.status == .unreadable {
      return [ReportItem(id: "", severity: .error, message: "the NVIDIA kernel module's version could not be read: \(module.reason ?? "")", evidence: evidence)]
    }
    return [
      ReportItem(
        id: "", severity: .error, message: "an NVIDIA GPU is present but the NVIDIA kernel module is not loaded",
        why: "CUDA, nvidia-smi and GPU containers all need the kernel module",
        fix: "sudo modprobe nvidia; if that fails, (re)install the driver: sudo apt install nvidia-driver-580-open && sudo reboot",
        evidence: evidence)
    ]
  }

  /// How the probes word an NVML query that ran past its deadline (`IsolatedNVML.timedOutReason`
  /// in Probes: "NVML did not answer within 3 s: the driver may be wedged").
  static let nvmlTimeoutPrefix = "NVML did not answer within"

  static let nvml = DoctorCheck("driver.nvml", "NVML (libnvidia-ml) loads and matches the kernel module.") { host, _ in
    let nvml = host.host.nvidia.nvml
    let module = host.host.nvidia.kernelModule.value
    let evidence = [host.evidence("nvml", nvml) { "driver \($0.driverVersion), CUDA \($0.cudaDriverVersion ?? "?")" }]
    if let report = nvml.value {
      if let module, module.version != report.driverVersion {
        return [
          ReportItem(
            id: "", severity: .error, message: "NVML reports driver \(report.driverVersion) but the kernel module is \(module.version)",
            why: "user-space libraries and the kernel module from different driver releases fail with \"Driver/library version mismatch\"",
            fix: "reboot (or unload and reload the nvidia modules) after the driver upgrade", evidence: evidence)
        ]
      }
      return [ReportItem(id: "", severity: .ok, message: "NVML: driver \(report.driverVersion), CUDA \(report.cudaDriverVersion ?? "?"), \(report.gpus.count) GPU(s)", evidence: evidence)]
    }
    if nvml.status == .unreadable, nvml.reason?.hasPrefix(nvmlTimeoutPrefix) == true {
      // A hung NVML is an error with or without a readable kernel module: something answered
      // dlopen and then never came back.
      return [
        ReportItem(
          id: "", severity: .error, message: nvml.reason ?? nvmlTimeoutPrefix,
          why: "nvidia-smi, CUDA programs and GPU containers go through the same driver and will hang the same way: training jobs stall at start",
          fix: "look for driver errors: sudo dmesg | grep -E 'NVRM|Xid' (nvidia-smi will likely hang too); stop what uses the GPU and reset it: sudo nvidia-smi -r -i <index>, or reboot if the reset fails or hangs; if it happens again, collect sudo nvidia-bug-report.sh for NVIDIA",
          evidence: evidence)
      ]
    }
    let libraries = host.host.platform?.nvidiaLibraries.value
    guard let module else { return [] }
    if let libraries, let version = libraries.version, version != module.version {
      return [
        ReportItem(
          id: "", severity: .error, message: "the driver's libraries are \(version) but the kernel module is \(module.version)",
          why: "\(libraries.nvml) belongs to another driver release: NVML and CUDA fail with \"Driver/library version mismatch\"",
          fix: "reboot (or reload the nvidia modules) after a driver upgrade; if the module is the newer one, reinstall the matching user-space driver",
          evidence: evidence + ["libraries: \(libraries.nvml) → libnvidia-ml.so.\(version) [\(host.host.platform?.nvidiaLibraries.source ?? "")]"])
      ]
    }
    if nvml.status == .unreadable {
      let mismatch = nvml.reason?.contains("mismatch") == true
      return [
        ReportItem(
          id: "", severity: .error,
          message: mismatch ? "Driver/library version mismatch: NVML cannot talk to the loaded kernel module" : "NVML fails: \(nvml.reason ?? "")",
          why: "nvidia-smi, CUDA and the container toolkit all go through the same driver libraries",
          fix: mismatch ? "reboot (or: sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia) so the kernel module matches the installed libraries" : "check dmesg for NVRM errors and reinstall the driver",
          evidence: evidence)
      ]
    }
    let libraryEvidence = host.host.platform.map { platform in host.evidence("NVIDIA libraries", platform.nvidiaLibraries) { "\($0.nvml) (driver root \($0.driverRoot))" } }
    if nvml.reason?.hasPrefix("not probed") == true {
      guard let libraries else {
        return [ReportItem(id: "", severity: .note, message: "NVML not probed: \(nvml.reason ?? "")", evidence: evidence + [libraryEvidence].compactMap { $0 })]
      }
      let root = host.fingerprint.generator.root
      let path = root == "/" ? libraries.nvml : root + libraries.nvml
      return [
        ReportItem(
          id: "", severity: .note, message: "NVML not probed; libnvidia-ml.so.1 is at \(libraries.nvml)\(libraries.version.map { " (driver \($0))" } ?? "")",
          fix: "to load it: rigcheck … --root \(root) --nvml-library \(path) (NVML also needs the host's /dev/nvidia* device nodes)",
          evidence: evidence + [libraryEvidence].compactMap { $0 })
      ]
    }
    if let libraries, libraries.driverRoot != "/" {
      // The GPU Operator's driver container keeps the libraries out of the host's loader path.
      return [
        ReportItem(
          id: "", severity: .note, message: "NVML is in the driver root \(libraries.driverRoot), not on the loader path: \(libraries.nvml)",
          why: "the NVIDIA GPU Operator installs the driver in a container; its toolkit mounts the libraries into GPU pods, but host processes do not see them",
          fix: "rigcheck … --nvml-library \(libraries.nvml)", evidence: evidence + [libraryEvidence].compactMap { $0 })
      ]
    }
    return [
      ReportItem(
        id: "", severity: .warning, message: "the kernel module is loaded but NVML (libnvidia-ml.so.1) is not installed",
        why: "the user-space half of the driver is missing: nvidia-smi, CUDA and the container toolkit will fail",
        fix: "install the driver's user-space libraries: sudo apt install libnvidia-compute-\(module.version.split(separator: ".").first ?? "580")",
        evidence: evidence + [libraryEvidence].compactMap { $0 })
    ]
  }

  static let deviceNodes = DoctorCheck("driver.device-nodes", "/dev/nvidiactl, /dev/nvidia-uvm and one /dev/nvidiaN per GPU exist.") { host, _ in
    guard host.host.nvidia.kernelModule.value != nil else { return [] }
    let nodes = host.fingerprint.nvidiaDeviceNodesPresent
    let evidence = [host.evidence("device nodes", nodes) { $0.isEmpty ? "none" : $0.joined(separator: " ") }]
    guard let present = nodes.value else {
      return [ReportItem(id: "", severity: .note, message: "device nodes not checked: \(nodes.reason ?? "")", evidence: evidence)]
    }
    // GPUs bound to vfio-pci belong to virtual machines: the nvidia driver makes no /dev/nvidiaN for them.
    let passthrough = host.passthroughGPUs
    let gpuCount = host.hostNVIDIAGPUs.isEmpty && !passthrough.isEmpty ? 0 : max(host.hostNVIDIAGPUs.count, 1)
    let expected = ["/dev/nvidiactl", "/dev/nvidia-uvm"] + (0..<gpuCount).map { "/dev/nvidia\($0)" }
    let missing = expected.filter { !present.contains($0) }
    let passedThrough = passthrough.isEmpty ? "" : "; \(passthrough.map(\.address).joined(separator: ", ")) bound to vfio-pci need\(passthrough.count == 1 ? "s" : "") none"
    if missing.isEmpty {
      return [ReportItem(id: "", severity: .ok, message: "\(present.count) NVIDIA device nodes present\(passedThrough)", evidence: evidence + host.passthroughEvidence)]
    }
    if missing == ["/dev/nvidia-uvm"] {
      // libcuda (and the container toolkit) create it on first use through nvidia-modprobe, so a
      // host that has not run CUDA since boot lacks it: a warning, not a failure.
      return [
        ReportItem(
          id: "", severity: .warning, message: "/dev/nvidia-uvm does not exist yet (it is created on the first CUDA call)",
          why: "libcuda runs the setuid nvidia-modprobe to load nvidia_uvm and create the node; where nvidia-modprobe is missing or not setuid (minimal installs, unprivileged containers) cudaMalloc fails even though nvidia-smi works",
          fix: "create it now: sudo nvidia-modprobe -u -c=0 (and check that nvidia-modprobe is installed setuid root)",
          evidence: evidence + host.passthroughEvidence)
      ]
    }
    return [
      ReportItem(
        id: "", severity: .error, message: "missing device nodes: \(missing.joined(separator: " "))",
        why: "CUDA opens these nodes; without /dev/nvidia-uvm cudaMalloc fails even though nvidia-smi works",
        fix: "sudo nvidia-modprobe -u -c=0 (creates nvidia-uvm and nvidia0), or run nvidia-smi once as root",
        evidence: evidence + host.passthroughEvidence)
    ]
  }

  static let cuda = DoctorCheck("driver.cuda", "The driver is new enough for the CUDA version asked for (--cuda).") { host, options in
    guard let driver = host.driverVersion else {
      if let wanted = options.cuda {
        return [
          ReportItem(
            id: "", severity: .error, message: "CUDA \(wanted) needs an NVIDIA driver and none is loaded",
            fix: "install a driver that supports CUDA \(wanted) (see driver.kernel-module)")
        ]
      }
      return []
    }
    let reported = host.host.nvidia.nvml.value?.cudaDriverVersion
    guard let wanted = options.cuda else {
      let supported = reported ?? NumericVersion(driver).flatMap(CUDADriverTable.cudaVersion(forDriver:))
      return [ReportItem(id: "", severity: .ok, message: "driver \(driver) supports CUDA up to \(supported ?? "?") (check a version with --cuda X.Y)")]
    }
    guard let verdict = CUDAOnHost.evaluate(driver: driver, cuda: wanted) else {
      return [ReportItem(id: "", severity: .error, message: "cannot compare driver \(driver) with CUDA \(wanted)")]
    }
    let evidence = ["driver \(driver) [\(host.host.nvidia.kernelModule.source)]", "table: \(CUDADriverTable.source)"]
    let severity = CompatibilityVerdicts.severity(verdict.outcome)
    guard severity >= .warning, verdict.outcome != .unknown else {
      return [ReportItem(id: "", severity: severity, message: verdict.explanation, evidence: evidence)]
    }
    let minimum = verdict.driverVerdict.minimumDriver ?? verdict.driverVerdict.floor?.minimumLinuxDriver ?? "?"
    let upgrade = "upgrade the driver to \(minimum) or newer (sudo apt install nvidia-driver-\(minimum.split(separator: ".").first ?? "")-open)"
    if verdict.outcome == .minorVersionCompatibility {
      return [
        ReportItem(
          id: "", severity: severity, message: "driver \(driver) runs CUDA \(wanted) only under minor-version compatibility (full support from \(minimum))",
          why: "\(verdict.explanation): cudaErrorUnsupportedPtxVersion when it loads such PTX, and CUDA \(wanted)'s new driver features are missing",
          fix: "\(upgrade) for full support, or build with CUDA \(reported ?? "the driver's version")", evidence: evidence)
      ]
    }
    return [
      ReportItem(
        id: "", severity: severity, message: "driver \(driver) is too old for CUDA \(wanted): minimum driver \(minimum) (\(verdict.driverVerdict.release?.label ?? "CUDA \(wanted)"))",
        why: "CUDA \(wanted) programs fail with \"CUDA driver version is insufficient for CUDA runtime version\"",
        fix: "\(upgrade), or use a CUDA \(reported ?? "older") build (on a data-center GPU an image with the cuda-compat package also runs it)",
        evidence: evidence)
    ]
  }
}
