import Fingerprint

/// Where NVIDIA GPUs, NVSwitches and network adapters sit: NUMA node and the PCI bridges above
/// each one (sysfs). NCCL pairs each GPU with the closest NIC; a GPU whose NICs are all on the
/// other socket crosses the CPU interconnect for every GPUDirect RDMA transfer, and two nodes
/// of one job wired differently are drift.
enum TopologyProbe {
  static func probe(_ scan: SysfsPCIFunctions) -> Observed<[PCITopologyEntry]> {
    guard let functions = scan.functions.value else {
      return scan.missing()
    }
    let entries = functions.compactMap { function -> PCITopologyEntry? in
      let role: PCITopologyEntry.Role
      if function.isNVIDIAGPU {
        role = .gpu
      } else if function.isNVSwitch {
        role = .nvswitch
      } else if function.isNetwork && !isVirtual(function) {
        role = .nic
      } else {
        return nil
      }
      return PCITopologyEntry(address: function.address, role: role, numaNode: function.numaNode, bridges: function.bridges)
    }
    return .present(entries.sorted { $0.address < $1.address }, from: "\(scan.functions.source)/*/{vendor,class,numa_node} and link targets")
  }

  /// virtio network functions (vendor 1af4) are the VM's own plumbing, not adapters NCCL uses.
  static func isVirtual(_ function: SysfsPCIFunctions.Function) -> Bool { function.vendor == "1af4" }
}
