import Doctor
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

/// The node.* checks on this machine (no GPU, no InfiniBand), on the real H200 capture, and on
/// the 8-GPU HGX H200 node derived from it with one fault each (Tests/Fixtures/hosts/hgx-*).
@Suite struct NodeHealthChecksTests {
  static let ids = [
    "node.xid", "node.fabric-manager", "node.nvlink", "node.rdma-ports", "node.peermem", "node.numa-affinity", "node.throttle",
    "node.nccl-env",
  ]

  /// Every node.* item other than those of `except` is `ok`.
  static func expectQuiet(_ print: Fingerprint, except: Set<String> = [], _ label: String) {
    for id in ids where !except.contains(id) {
      let items = findings(id, in: print)
      #expect(!items.isEmpty, "\(label): \(id) reported nothing")
      #expect(items.allSatisfy { $0.severity == .ok }, "\(label): \(id): \(items.map { "\($0.severity) \($0.message)" })")
    }
  }

  @Test func thisMachineSaysNotApplicableForEachCheck() async throws {
    // This machine: no NVIDIA GPU, no NVSwitch, no /sys/class/infiniband; its /dev/kmsg is read.
    let print = await HostFingerprints.probe(HostRoot())
    for id in Self.ids where id != "node.nccl-env" {
      let items = findings(id, in: print)
      #expect(items.count == 1, "\(id): \(items.map(\.message))")
      #expect(items.first?.severity == .ok, "\(id): \(items.map(\.message))")
      #expect(items.first?.message.hasPrefix("not applicable: ") == true, "\(id): \(items.map(\.message))")
    }
    #expect(findings("node.xid", in: print).first?.message.contains("kernel log records, no Xid") == true)
    #expect(findings("node.rdma-ports", in: print).first?.message.contains("/sys/class/infiniband does not exist") == true)
    #expect(findings("node.fabric-manager", in: print).first?.message.contains("no NVSwitch on the PCI bus") == true)
    // The probe's environment is empty here: nothing to warn about, said so.
    #expect(findings("node.nccl-env", in: print).map(\.message) == ["no NCCL/CUDA device settings in the environment"])
  }

  @Test func realH200CaptureHasNoFindings() async throws {
    let print = await HostFingerprints.probe(FixtureHost.h200)
    Self.expectQuiet(print, "h200-ubuntu2404")
    // Captured before dmesg was part of captures: said plainly, not a finding.
    #expect(findings("node.xid", in: print).first?.message.hasPrefix("not checked: the kernel log describes this machine") == true)
    #expect(findings("node.throttle", in: print).map(\.message) == ["no hardware or thermal slowdown (gpu_idle)"])
  }

  @Test func healthyHGXNodeHasNoFindings() async throws {
    let tree = try FixtureHost.materialize("hgx-h200-8gpu")
    let print = await HostFingerprints.probe(tree.root)
    Self.expectQuiet(print, "hgx-h200-8gpu")
    #expect(findings("node.fabric-manager", in: print).map(\.message) == ["Fabric Manager 580.159.04 running for 4 NVSwitch(es)"])
    let nvlink = findings("node.nvlink", in: print)
    #expect(nvlink.count == 8)
    #expect(nvlink.allSatisfy { $0.message == "18 NVLink links active" })
    #expect(findings("node.rdma-ports", in: print).map(\.message) == ["8 RDMA port(s) ACTIVE at 400 Gb/sec (4X NDR)"])
    let affinity = try #require(findings("node.numa-affinity", in: print).first { $0.subject == "0000:18:00.0" })
    #expect(affinity.message == "NUMA node 0 with mlx5_0, mlx5_1, mlx5_2, mlx5_3; shares a PCIe switch with mlx5_0")
    #expect(findings("node.xid", in: print).map(\.message) == ["no Xid or SXid in 6 kernel log records"])
    let summary = FingerprintSummary.render(print, hash: nil)
    #expect(summary.contains("  nvswitch  4 NVSwitch(es); Fabric Manager 580.159.04\n"))
    #expect(summary.contains("rdma        mlx5_0 mlx5_1 mlx5_2 mlx5_3 mlx5_4 mlx5_5 mlx5_6 mlx5_7, rdma-core 50.0\n"))
    #expect(summary.contains("nccl env    CUDA_DEVICE_ORDER NCCL_IB_HCA NCCL_SOCKET_IFNAME\n"))
  }

  @Test func fabricManagerStopped() async throws {
    let tree = try FixtureHost.materialize("hgx-fm-stopped")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.fabric-manager", in: print)
    #expect(items.count == 1)
    #expect(items.first?.severity == .error)
    #expect(items.first?.message == "the nvidia-fabricmanager service is inactive (dead)")
    #expect(items.first?.why?.contains("error 802") == true)
    #expect(items.first?.fix?.hasPrefix("sudo systemctl enable --now nvidia-fabricmanager") == true)
    // With the fabric never programmed, every NVLink is down.
    let nvlink = findings("node.nvlink", in: print)
    #expect(nvlink.count == 8)
    #expect(nvlink.allSatisfy { $0.severity == .error && $0.message == "0 of 18 NVLink links are active" })
    Self.expectQuiet(print, except: ["node.fabric-manager", "node.nvlink"], "hgx-fm-stopped")
  }

  @Test func fabricManagerAtAnotherVersion() async throws {
    let tree = try FixtureHost.materialize("hgx-fm-wrong-version")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.fabric-manager", in: print)
    #expect(items.map(\.severity) == [.error])
    #expect(items.first?.message == "Fabric Manager 580.172.08 does not match the driver 580.159.04")
    #expect(items.first?.fix?.contains("nvidia-fabricmanager-580=580.159.04-1") == true)
    Self.expectQuiet(print, except: ["node.fabric-manager"], "hgx-fm-wrong-version")
  }

  @Test func xid79And48InTheKernelLog() async throws {
    let tree = try FixtureHost.materialize("hgx-xid")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.xid", in: print)
    #expect(items.map(\.subject) == ["Xid 48", "Xid 63", "Xid 79"])
    let offTheBus = try #require(items.first { $0.subject == "Xid 79" })
    #expect(offTheBus.severity == .error)
    #expect(offTheBus.message.hasPrefix("Xid 79 (GPU has fallen off the bus) logged 2 times by 0000:98:00; latest: NVRM: Xid (PCI:0000:98:00): 79"))
    #expect(offTheBus.fix?.contains("reboot") == true)
    let doubleBit = try #require(items.first { $0.subject == "Xid 48" })
    #expect(doubleBit.severity == .error)
    #expect(doubleBit.message.contains("double-bit ECC error"))
    #expect(items.first { $0.subject == "Xid 63" }?.severity == .warning)
    Self.expectQuiet(print, except: ["node.xid"], "hgx-xid")
  }

  @Test func infiniBandPortDown() async throws {
    let tree = try FixtureHost.materialize("hgx-ib-port-down")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.rdma-ports", in: print)
    #expect(items.count == 1)
    #expect(items.first?.severity == .error)
    #expect(items.first?.subject == "mlx5_3/1")
    #expect(items.first?.message == "mlx5_3 port 1 is DOWN (physical: Disabled)")
    #expect(items.first?.fix?.hasPrefix("ibstat mlx5_3 1") == true)
    Self.expectQuiet(print, except: ["node.rdma-ports"], "hgx-ib-port-down")
  }

  @Test func peermemMissing() async throws {
    let tree = try FixtureHost.materialize("hgx-peermem-missing")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.peermem", in: print)
    #expect(items.map(\.severity) == [.warning])
    #expect(items.first?.fix?.hasPrefix("sudo modprobe nvidia_peermem") == true)
    Self.expectQuiet(print, except: ["node.peermem"], "hgx-peermem-missing")
  }

  @Test func throttlingActive() async throws {
    let tree = try FixtureHost.materialize("hgx-throttling")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.throttle", in: print).filter { $0.severity != .ok }
    #expect(items.map(\.subject) == ["0000:42:00.0"])
    #expect(items.first?.severity == .warning)
    #expect(items.first?.message.contains("hardware thermal slowdown") == true)
    #expect(items.first?.message.contains("software thermal slowdown") == true)
    #expect(print.gpuReadings(at: "0000:42:00.0")?.clocksEventReasons == ["hw_thermal_slowdown", "sw_thermal_slowdown"])
    Self.expectQuiet(print, except: ["node.throttle"], "hgx-throttling")
  }

  @Test func gpusAndAdaptersOnDifferentSockets() async throws {
    let tree = try FixtureHost.materialize("hgx-numa-mismatch")
    let print = await HostFingerprints.probe(tree.root)
    let warnings = findings("node.numa-affinity", in: print).filter { $0.severity == .warning }
    #expect(warnings.map(\.subject) == ["0000:98:00.0", "0000:ad:00.0", "0000:c2:00.0", "0000:d7:00.0"])
    #expect(warnings.first?.message == "GPU on NUMA node 1, RDMA adapters only on node(s) 0")
    Self.expectQuiet(print, except: ["node.numa-affinity"], "hgx-numa-mismatch")
  }

  @Test func settingsThatDisableATransportAreWarnings() async throws {
    let tree = try FixtureHost.materialize("hgx-h200-8gpu")
    try tree.write("root/captured/environment.txt", "NCCL_IB_DISABLE=1\nNCCL_P2P_DISABLE=0\nNCCL_DEBUG=INFO\n")
    let print = await HostFingerprints.probe(tree.root)
    let items = findings("node.nccl-env", in: print)
    #expect(items.map(\.subject) == ["NCCL_IB_DISABLE"], "NCCL_P2P_DISABLE=0 enables P2P: no finding")
    #expect(items.first?.severity == .warning)
  }

  @Test func oldFingerprintsWithoutNodeFactsGetNoNodeItems() async throws {
    var print = await HostFingerprints.probe(FixtureHost.h200)
    print.identity.host.nodeFabric = nil
    print.volatile.nodeHealth = nil
    for id in Self.ids where id != "node.throttle" {
      #expect(findings(id, in: print).isEmpty, "\(id)")
    }
  }
}
