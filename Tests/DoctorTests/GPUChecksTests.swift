import Doctor
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@Suite struct GPUChecksTests {
  @Test func realH200PassesTheGPUAndDriverChecks() async throws {
    let print = await HostFingerprints.probe(FixtureHost.h200)
    for id in ["gpu.present", "gpu.driver-bound", "gpu.nouveau", "gpu.pcie-link", "gpu.persistence", "gpu.memory-health", "driver.kernel-module", "driver.nvml", "driver.cuda"] {
      #expect(severity(id, in: print) == .ok, "\(id): \(findings(id, in: print).map(\.message))")
    }
    #expect(findings("gpu.mig", in: print).isEmpty)
  }

  @Test func noGPUOnThisMachine() async throws {
    let print = await HostFingerprints.probe(HostRoot())
    let items = findings("gpu.present", in: print)
    #expect(items.count == 1)
    #expect(items.first?.severity == .warning)
    #expect(items.first?.message.hasPrefix("no NVIDIA GPU on the PCI bus") == true)
    #expect(findings("driver.kernel-module", in: print).isEmpty, "no GPU, no driver complaint")
  }

  @Test func gpuWithoutDriver() async throws {
    let tree = try FixtureHost.materialize("no-driver")
    let print = await HostFingerprints.probe(tree.root)
    let bound = try #require(findings("gpu.driver-bound", in: print).first)
    #expect(bound.severity == .error)
    #expect(bound.subject == "0000:00:06.0")
    #expect(bound.fix?.contains("nvidia-driver") == true)
    #expect(severity("driver.kernel-module", in: print) == .error)
    #expect(severity("gpu.nouveau", in: print) == .ok)
  }

  @Test func nouveauHoldsTheGPU() async throws {
    let tree = try FixtureHost.materialize("nouveau-bound")
    let print = await HostFingerprints.probe(tree.root)
    let item = try #require(findings("gpu.nouveau", in: print).first)
    #expect(item.severity == .error)
    #expect(item.fix?.contains("blacklist nouveau") == true)
    #expect(severity("gpu.driver-bound", in: print) == .error)
  }

  @Test func degradedLink() async throws {
    let tree = try FixtureHost.materialize("degraded-link")
    let item = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .warning)
    #expect(item.message == "PCIe link is x8, the device supports x16")
  }

  @Test func twoGPUsAreCheckedOneByOne() async throws {
    let tree = try FixtureHost.materialize("two-gpus")
    let print = await HostFingerprints.probe(tree.root)
    #expect(findings("gpu.driver-bound", in: print).map(\.subject) == ["0000:00:06.0", "0000:00:07.0"])
    #expect(findings("gpu.present", in: print).first?.message.hasPrefix("2 NVIDIA GPUs") == true)
  }

  @Test func persistenceOffAndMIGOn() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(tree, "captured/nvidia-smi-q.xml") {
      $0.replacing("<persistence_mode>Enabled</persistence_mode>", with: "<persistence_mode>Disabled</persistence_mode>")
        .replacing("<current_mig>Disabled</current_mig>", with: "<current_mig>Enabled</current_mig>")
    }
    let print = await HostFingerprints.probe(tree.root)
    #expect(severity("gpu.persistence", in: print) == .warning)
    #expect(findings("gpu.persistence", in: print).first?.fix?.contains("nvidia-persistenced") == true)
    #expect(severity("gpu.mig", in: print) == .warning)
  }

  @Test func memoryHealth() async throws {
    let pending = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(pending, "captured/nvidia-smi-q.xml") {
      $0.replacing("<remapped_row_pending>No</remapped_row_pending>", with: "<remapped_row_pending>Yes</remapped_row_pending>")
    }
    #expect(severity("gpu.memory-health", in: await HostFingerprints.probe(pending.root)) == .warning)

    let failed = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(failed, "captured/nvidia-smi-q.xml") {
      $0.replacing("<remapped_row_failure>No</remapped_row_failure>", with: "<remapped_row_failure>Yes</remapped_row_failure>")
    }
    #expect(severity("gpu.memory-health", in: await HostFingerprints.probe(failed.root)) == .error)

    let ecc = try FixtureHost.copyOfCapture()
    try HostFingerprints.edit(ecc, "captured/nvidia-smi-q.xml") { text in
      // Only the aggregate block's DRAM counter (the second occurrence).
      guard let aggregate = text.range(of: "<aggregate>") else { return text }
      return String(text[..<aggregate.lowerBound])
        + text[aggregate.lowerBound...].replacing("<dram_uncorrectable>0</dram_uncorrectable>", with: "<dram_uncorrectable>3</dram_uncorrectable>", maxReplacements: 1)
    }
    let item = try #require(findings("gpu.memory-health", in: await HostFingerprints.probe(ecc.root)).first)
    #expect(item.severity == .warning)
    #expect(item.message == "3 uncorrectable ECC errors over the GPU's lifetime")
  }
}
