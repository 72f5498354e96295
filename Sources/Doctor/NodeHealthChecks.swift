import Fingerprint
import Reporting

/// Multi-GPU node health before training: the kernel's Xid/SXid history, Fabric Manager and
/// NVLink on NVSwitch systems, RDMA ports and GPUDirect RDMA, GPU↔NIC NUMA placement, clock
/// throttling and the NCCL environment. A check that does not apply to the host says so, with
/// the reason, as an `ok` item: never a finding on a machine without the hardware.
enum NodeHealthChecks {
  static let all = [xid, fabricManager, nvlink, rdmaPorts, peermem, numaAffinity, throttle, ncclEnvironment]

  static func notApplicable(_ reason: String, evidence: [String] = []) -> [ReportItem] {
    [ReportItem(id: "", severity: .ok, message: "not applicable: \(reason)", evidence: evidence)]
  }

  static func notChecked(_ reason: String, evidence: [String] = []) -> [ReportItem] {
    let text = reason.hasPrefix("not probed: ") ? String(reason.dropFirst("not probed: ".count)) : reason
    return [ReportItem(id: "", severity: .ok, message: "not checked: \(text)", evidence: evidence)]
  }

  // MARK: node.xid

  static let xid = DoctorCheck("node.xid", "No GPU Xid or NVSwitch SXid errors in the kernel log since boot.") { host, _ in
    guard let readings = host.fingerprint.volatile.nodeHealth else { return [] }
    let log = readings.kernelLog
    let evidence = [host.evidence("kernel log", log) { "\($0.recordsRead) records\($0.truncated ? " (stopped at the limit)" : ""), \($0.events.count) Xid/SXid code(s)" }]
    let hasNVIDIA = !host.nvidiaGPUs.isEmpty || !(host.nodeFabric?.nvswitches.value ?? []).isEmpty
    guard let reading = log.value else {
      if !hasNVIDIA { return notApplicable("no NVIDIA GPU or NVSwitch on the PCI bus; kernel log not read (\(log.reason ?? log.status.rawValue))", evidence: evidence) }
      if log.status == .unreadable {
        return [
          ReportItem(
            id: "", severity: .note, message: "the kernel log could not be read: Xid errors not checked", why: log.reason,
            fix: "run rigcheck as root (or with CAP_SYSLOG), or: sudo dmesg | grep -E 'S?Xid'", evidence: evidence)
        ]
      }
      return notChecked(log.reason ?? "no kernel log", evidence: evidence)
    }
    guard !reading.events.isEmpty else {
      if !hasNVIDIA { return notApplicable("no NVIDIA GPU or NVSwitch on the PCI bus (\(reading.recordsRead) kernel log records, no Xid)", evidence: evidence) }
      return [ReportItem(id: "", severity: .ok, message: "no Xid or SXid in \(reading.recordsRead) kernel log records", evidence: evidence)]
    }
    return reading.events.map { event in
      let entry = event.kind == .xid ? XidCatalog.entry(event.code) : XidCatalog.switchEntry(latest: event.latest)
      let label = "\(event.kind == .xid ? "Xid" : "SXid") \(event.code)"
      let times = event.count == 1 ? "once" : "\(event.count) times"
      return ReportItem(
        id: "", severity: entry.severity, subject: label,
        message: "\(label) (\(entry.meaning)) logged \(times) by \(event.devices.joined(separator: ", ")); latest: \(event.latest)",
        why: "Xid/SXid events are the driver's record of GPU and NVSwitch faults; a job started on this node may fail the same way",
        fix: entry.action, evidence: evidence)
    }
  }

  // MARK: node.fabric-manager

  static let fabricManager = DoctorCheck("node.fabric-manager", "On NVSwitch systems, Fabric Manager is installed, running and at the driver's version.") {
    host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let switches = facts.nvswitches
    let install = facts.fabricManager
    let service = host.fingerprint.volatile.nodeHealth?.fabricManagerService
    var evidence = [
      host.evidence("NVSwitches", switches) { $0.isEmpty ? "none" : $0.joined(separator: " ") },
      host.evidence("Fabric Manager", install) { "\($0.package ?? $0.binary ?? "?") \($0.version ?? "version unknown")" },
    ]
    if let service { evidence.append(host.evidence("service", service) { $0.detail ?? $0.activeState }) }
    if let driver = host.driverVersion { evidence.append("driver: \(driver) [\(host.host.nvidia.kernelModule.value != nil ? host.host.nvidia.kernelModule.source : host.host.nvidia.nvml.source)]") }
    guard let nvswitches = switches.value else {
      return [ReportItem(id: "", severity: .note, message: "could not tell whether this is an NVSwitch system: \(switches.reason ?? "")", evidence: evidence)]
    }
    guard !nvswitches.isEmpty else {
      return notApplicable("no NVSwitch on the PCI bus; Fabric Manager is needed only on NVSwitch systems (HGX/DGX 8-GPU boards)", evidence: evidence)
    }
    let why = "on an NVSwitch system the GPUs reach each other only through switches that Fabric Manager programs; without it CUDA initialisation fails with error 802 (cudaErrorSystemNotReady, \"system not yet initialized\")"
    let branch = host.driverVersion.flatMap { $0.split(separator: ".").first.map(String.init) } ?? "<branch>"
    guard let installed = install.value else {
      return [
        ReportItem(
          id: "", severity: .error, message: "\(nvswitches.count) NVSwitch(es) but the NVIDIA Fabric Manager is not installed", why: why,
          fix: "sudo apt install nvidia-fabricmanager-\(branch)=\(host.driverVersion ?? "<driver version>")-1 && sudo systemctl enable --now nvidia-fabricmanager",
          evidence: evidence)
      ]
    }
    var items: [ReportItem] = []
    if let version = installed.version, let driver = host.driverVersion, version != driver {
      items.append(
        ReportItem(
          id: "", severity: .error, message: "Fabric Manager \(version) does not match the driver \(driver)",
          why: "Fabric Manager checks the loaded driver's version at start and aborts when they differ: the fabric stays uninitialised and CUDA fails with error 802",
          fix: "install the matching version: sudo apt install nvidia-fabricmanager-\(branch)=\(driver)-1 (hold both: sudo apt-mark hold nvidia-fabricmanager-\(branch)), then: sudo systemctl restart nvidia-fabricmanager",
          evidence: evidence))
    }
    switch service?.value {
    case let state? where !state.isRunning:
      items.append(
        ReportItem(
          id: "", severity: .error, message: "the nvidia-fabricmanager service is \(state.detail ?? state.activeState)", why: why,
          fix: "sudo systemctl enable --now nvidia-fabricmanager; if it stops again: sudo journalctl -u nvidia-fabricmanager -b (a version mismatch is the usual cause)",
          evidence: evidence))
    case nil:
      items.append(
        ReportItem(
          id: "", severity: .warning, message: "could not tell whether nvidia-fabricmanager runs: \(service?.reason ?? "not probed")",
          why: why, fix: "systemctl status nvidia-fabricmanager", evidence: evidence))
    default: break
    }
    if items.isEmpty {
      return [
        ReportItem(
          id: "", severity: .ok, message: "Fabric Manager \(installed.version ?? "") running for \(nvswitches.count) NVSwitch(es)", evidence: evidence)
      ]
    }
    return items
  }

  // MARK: node.nvlink

  /// NVLink links per GPU by PCI device id, on SXM boards: 18 for Hopper and Blackwell
  /// ("18 NVLink connections per GPU, 900 GB/s", NVIDIA HGX H100 8-GPU,
  /// https://developer.nvidia.com/blog/introducing-nvidia-hgx-h100-an-accelerated-server-platform-for-ai-and-high-performance-computing/;
  /// https://www.nvidia.com/en-us/data-center/nvlink/: fourth and fifth generation, 18 links),
  /// 12 for A100 SXM4 (third generation).
  static let expectedLinks: [String: Int] = [
    "2330": 18, "2324": 18, "2335": 18, "2901": 18, "20b0": 12, "20b2": 12,
  ]

  static let nvlink = DoctorCheck("node.nvlink", "Every GPU has all its NVLink links up.") { host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let readings = host.fingerprint.volatile.gpus.filter { $0.nvlink != nil }
    let hasSwitches = !(facts.nvswitches.value ?? []).isEmpty
    let source = host.host.nvidia.nvml.source
    guard !readings.isEmpty else {
      if hasSwitches {
        return [
          ReportItem(
            id: "", severity: .warning, message: "NVSwitch system, but no GPU reported its NVLink state",
            why: "without NVLink state a GPU cut off the fabric goes unnoticed until NCCL falls back to PCIe",
            fix: "nvidia-smi nvlink -s (a tree: capture it with scripts/capture-host.sh)", evidence: ["nvml: \(source)"])
        ]
      }
      return notApplicable("no GPU reports NVLink links (no NVLink bridge or NVSwitch, or NVLink disabled as in single-GPU VMs)", evidence: ["nvml: \(source)"])
    }
    return readings.map { reading in
      let link = reading.nvlink!
      let deviceID = host.nvidiaGPUs.first { $0.address == reading.pciAddress }?.deviceID
      let expected = hasSwitches ? (deviceID.flatMap { expectedLinks[$0] } ?? link.links) : link.links
      // In a tree the NVLink state comes from `nvidia-smi nvlink -s` captured beside the XML report.
      let linkSource = source.hasPrefix("file:/captured/") ? "file:/captured/nvidia-smi-nvlink-s.txt" : source
      let evidence = ["\(reading.pciAddress) NVLink: \(link.active) of \(link.links) reported links active; expected \(expected) [\(linkSource)]"]
      if link.active < expected {
        return ReportItem(
          id: "", severity: .error, subject: reading.pciAddress, message: "\(link.active) of \(expected) NVLink links are active",
          why: "an inactive link cuts this GPU's NVLink bandwidth; with no active link NCCL falls back to PCIe and collectives slow several-fold",
          fix: "nvidia-smi nvlink -s -i \(reading.pciAddress); check Fabric Manager (node.fabric-manager) and SXid errors; reset the GPUs or reboot; RMA the baseboard if links stay down",
          evidence: evidence)
      }
      return ReportItem(id: "", severity: .ok, subject: reading.pciAddress, message: "\(link.active) NVLink links active", evidence: evidence)
    }
  }

  // MARK: node.rdma-ports

  static let rdmaPorts = DoctorCheck("node.rdma-ports", "Every InfiniBand/RoCE port is ACTIVE.") { host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let rdma = facts.rdma
    let evidence = [
      host.evidence("RDMA", rdma) { inventory in
        "\(inventory.devices.map(\.name).joined(separator: " ")); rdma-core \(inventory.rdmaCoreVersion ?? "not installed"); MOFED \(inventory.mofedVersion ?? "not installed")"
      }
    ]
    guard let inventory = rdma.value else {
      if rdma.status == .absent { return notApplicable(rdma.reason ?? "no RDMA device", evidence: evidence) }
      return [ReportItem(id: "", severity: .note, message: "RDMA devices could not be read: \(rdma.reason ?? "")", evidence: evidence)]
    }
    guard !inventory.devices.isEmpty else { return notApplicable("no InfiniBand/RoCE device in /sys/class/infiniband", evidence: evidence) }
    let ports = host.fingerprint.volatile.nodeHealth?.rdmaPorts ?? []
    let down = ports.filter { !$0.isActive }
    if down.isEmpty {
      let rates = Set(ports.compactMap(\.rate)).sorted().joined(separator: ", ")
      return [ReportItem(id: "", severity: .ok, message: "\(ports.count) RDMA port(s) ACTIVE\(rates.isEmpty ? "" : " at \(rates)")", evidence: evidence)]
    }
    return down.map { port in
      ReportItem(
        id: "", severity: .error, subject: "\(port.device)/\(port.port)",
        message: "\(port.device) port \(port.port) is \(port.state ?? "in an unknown state") (physical: \(port.physicalState ?? "?"))",
        why: "NCCL spreads inter-node traffic over every HCA it is given; a port that is down fails the job at init or lowers bandwidth",
        fix: "ibstat \(port.device) \(port.port); check the cable and the switch port; for RoCE: ip link show; then: sudo systemctl restart openibd (MOFED) or reload mlx5_ib",
        evidence: evidence + ["\(port.device) port \(port.port): state \(port.state ?? "?"), phys_state \(port.physicalState ?? "?"), rate \(port.rate ?? "?") [file:/sys/class/infiniband/\(port.device)/ports/\(port.port)]"])
    }
  }

  // MARK: node.peermem

  static let peermem = DoctorCheck("node.peermem", "GPUDirect RDMA's kernel module (nvidia_peermem) is loaded where GPUs and RDMA adapters meet.") {
    host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let modules = host.host.nvidia.loadedModules
    let evidence = [host.evidence("modules", modules) { $0.isEmpty ? "none relevant" : $0.joined(separator: " ") }]
    let hasRDMA = !(facts.rdma.value?.devices.isEmpty ?? true)
    guard hasRDMA, !host.hostNVIDIAGPUs.isEmpty else {
      return notApplicable(hasRDMA ? "no NVIDIA GPU on the PCI bus" : "no InfiniBand/RoCE device (GPUDirect RDMA needs both GPUs and RDMA adapters)", evidence: evidence)
    }
    guard let loaded = modules.value else {
      return [ReportItem(id: "", severity: .note, message: "loaded modules unknown: \(modules.reason ?? "")", evidence: evidence)]
    }
    if let module = loaded.first(where: { $0 == "nvidia_peermem" || $0 == "nv_peer_mem" }) {
      return [ReportItem(id: "", severity: .ok, message: "\(module) is loaded: GPUDirect RDMA available", evidence: evidence)]
    }
    return [
      ReportItem(
        id: "", severity: .warning, message: "GPUs and RDMA adapters, but neither nvidia_peermem nor nv_peer_mem is loaded",
        why: "without a peer-memory module the adapters cannot reach GPU memory through the peer-memory path: NCCL stages inter-node traffic through host memory unless DMA-BUF is usable (open kernel module, kernel 5.12+), cutting bandwidth",
        fix: "sudo modprobe nvidia_peermem && echo nvidia_peermem | sudo tee /etc/modules-load.d/nvidia-peermem.conf",
        evidence: evidence)
    ]
  }

  // MARK: node.numa-affinity

  static let numaAffinity = DoctorCheck("node.numa-affinity", "Each GPU has an RDMA adapter on its own NUMA node.") { host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let topology = facts.topology.value ?? []
    let gpus = topology.filter { $0.role == .gpu }
    let adapters = (facts.rdma.value?.devices ?? []).filter { $0.pciAddress != nil }
    let source = facts.topology.source
    guard !gpus.isEmpty, !adapters.isEmpty else {
      return notApplicable(gpus.isEmpty ? "no NVIDIA GPU on the PCI bus" : "no RDMA adapter with a PCI function", evidence: ["topology: \(facts.topology.value.map { "\($0.count) device(s)" } ?? facts.topology.reason ?? "") [\(source)]"])
    }
    let adapterNodes = Set(adapters.compactMap(\.numaNode))
    guard !adapterNodes.isEmpty, gpus.contains(where: { $0.numaNode != nil }) else {
      return notApplicable("the platform reports no NUMA node for the GPUs or adapters (numa_node -1: one socket, or a VM without NUMA)")
    }
    return gpus.map { gpu in
      let sameNode = adapters.filter { $0.numaNode == gpu.numaNode }
      let switchMates = adapters.filter { adapter in
        guard let entry = topology.first(where: { $0.address == adapter.pciAddress }) else { return false }
        return sharesSwitch(gpu.bridges, entry.bridges)
      }
      let evidence = [
        "\(gpu.address) NUMA \(gpu.numaNode.map(String.init) ?? "?"), bridges \(gpu.bridges.joined(separator: " > ")) [\(source)]",
        "RDMA adapters: " + adapters.map { "\($0.name) \($0.pciAddress ?? "?") NUMA \($0.numaNode.map(String.init) ?? "?")" }.joined(separator: ", "),
      ]
      if sameNode.isEmpty {
        return ReportItem(
          id: "", severity: .warning, subject: gpu.address,
          message: "GPU on NUMA node \(gpu.numaNode.map(String.init) ?? "?"), RDMA adapters only on node(s) \(adapterNodes.sorted().map(String.init).joined(separator: ", "))",
          why: "GPUDirect RDMA between a GPU and an adapter on another socket crosses the CPU interconnect: NCCL's inter-node bandwidth drops and latency rises",
          fix: "move the adapter or GPU to matching slots (see nvidia-smi topo -m), or give this GPU's ranks the closest HCA with NCCL_IB_HCA",
          evidence: evidence)
      }
      let mates = switchMates.isEmpty ? "" : "; shares a PCIe switch with \(switchMates.map(\.name).joined(separator: ", "))"
      return ReportItem(
        id: "", severity: .ok, subject: gpu.address,
        message: "NUMA node \(gpu.numaNode.map(String.init) ?? "?") with \(sameNode.map(\.name).joined(separator: ", "))\(mates)", evidence: evidence)
    }
  }

  /// Two functions share a PCIe switch when a bridge below the root port is above both.
  static func sharesSwitch(_ first: [String], _ second: [String]) -> Bool {
    Set(first.dropFirst()).intersection(second.dropFirst()).isEmpty == false
  }

  // MARK: node.throttle

  /// Reasons that mean the GPU is held below its clocks by heat or power delivery.
  static let slowdownReasons: [String: String] = [
    "hw_slowdown": "hardware slowdown (thermal or power-brake signal from the board)",
    "hw_thermal_slowdown": "hardware thermal slowdown (GPU or memory too hot)",
    "hw_power_brake_slowdown": "hardware power brake (the system's power supply asserted it)",
    "sw_thermal_slowdown": "software thermal slowdown (the driver lowers clocks to stay under the temperature limit)",
  ]

  static let throttle = DoctorCheck("node.throttle", "No GPU is slowed by hardware slowdown, power brake or thermal limits.") { host, _ in
    let readings = host.fingerprint.volatile.gpus.filter { $0.clocksEventReasons != nil }
    guard !readings.isEmpty else {
      return notApplicable(host.nvidiaGPUs.isEmpty ? "no NVIDIA GPU on the PCI bus" : "the driver reported no clocks event reasons")
    }
    let source = host.host.nvidia.nvml.source
    return readings.map { reading in
      let reasons = reading.clocksEventReasons ?? []
      let evidence = ["\(reading.pciAddress) clocks event reasons: \(reasons.isEmpty ? "none" : reasons.joined(separator: ", ")); temperature \(reading.temperatureCelsius.map { "\($0) °C" } ?? "?") [\(source)]"]
      let slowdowns = reasons.compactMap { slowdownReasons[$0] }
      guard slowdowns.isEmpty else {
        return ReportItem(
          id: "", severity: .warning, subject: reading.pciAddress, message: "clocks held down: \(slowdowns.joined(separator: "; "))",
          why: "a throttled GPU runs every kernel slower; in a data-parallel job the whole job waits for it",
          fix: "check cooling, fans and inlet temperature (nvidia-smi -q -d TEMPERATURE,PERFORMANCE) and the PSUs; re-check under load: nvidia-smi --query-gpu=clocks_event_reasons.active --format=csv -l 1",
          evidence: evidence)
      }
      return ReportItem(
        id: "", severity: .ok, subject: reading.pciAddress,
        message: "no hardware or thermal slowdown\(reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")", evidence: evidence)
    }
  }

  // MARK: node.nccl-env

  /// Settings that disable a transport NCCL would otherwise use.
  static let disablingSettings: [String: String] = [
    "NCCL_P2P_DISABLE": "GPU peer-to-peer (NVLink/PCIe P2P) is disabled: intra-node traffic goes through host memory",
    "NCCL_IB_DISABLE": "InfiniBand/RoCE is disabled: inter-node traffic uses TCP sockets",
    "NCCL_SHM_DISABLE": "shared-memory transport is disabled",
    "NCCL_NVLS_ENABLE": "NVLink SHARP is disabled",
  ]

  static let ncclEnvironment = DoctorCheck("node.nccl-env", "No NCCL setting in the environment disables a transport the node has.") { host, _ in
    guard let facts = host.nodeFabric else { return [] }
    let fact = facts.ncclEnvironment
    let evidence = [host.evidence("NCCL/CUDA environment", fact) { $0.environment.isEmpty ? "none set" : $0.environment.keys.sorted().map { "\($0)=\(fact.value!.environment[$0]!)" }.joined(separator: " ") }]
    guard let environment = fact.value?.environment else { return notChecked(fact.reason ?? "", evidence: evidence) }
    var items: [ReportItem] = []
    for name in environment.keys.sorted() {
      guard let meaning = disablingSettings[name], let value = environment[name] else { continue }
      let disables = name == "NCCL_NVLS_ENABLE" ? value == "0" : value != "0" && !value.isEmpty
      guard disables else { continue }
      items.append(
        ReportItem(
          id: "", severity: .warning, subject: name, message: "\(name)=\(value): \(meaning)",
          why: "a debugging setting left in the environment silently slows every job started from it",
          fix: "unset \(name) (check /etc/environment, the job script and /etc/nccl.conf)", evidence: evidence))
    }
    if items.isEmpty {
      let names = environment.keys.sorted()
      return [ReportItem(id: "", severity: .ok, message: names.isEmpty ? "no NCCL/CUDA device settings in the environment" : "set: \(names.joined(separator: ", "))", evidence: evidence)]
    }
    return items
  }
}

extension HostView {
  /// NVSwitches, Fabric Manager, RDMA, topology and NCCL settings; nil in older fingerprints.
  var nodeFabric: NodeFabricFacts? { host.nodeFabric }
}
