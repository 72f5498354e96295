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

  /// The same H200 idle: its link trained down to 2.5 GT/s at full width, 0 % busy. Normal, said
  /// as a note.
  @Test func idleLinkAtFullWidthIsANote() async throws {
    let tree = try FixtureHost.materialize("h200-idle")
    let item = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .note)
    #expect(item.message == "PCIe link at Gen 1 (2.5 GT/s) of Gen 5 (32.0 GT/s) x16 while the GPU is idle (0 % busy): normal, an idle GPU lowers its link speed to save power")
    #expect(item.fix == nil)
    #expect(item.evidence.contains { $0.contains("current 2.5 GT/s PCIe x16, max 32.0 GT/s PCIe x16") })
    #expect(item.evidence.contains { $0.contains("PCIe Gen 1 of 5, x16 of x16, GPU utilisation 0 %") })
  }

  /// Slow while busy: the driver keeps a busy GPU's link at full speed, so this is a warning.
  @Test func slowLinkOnABusyGPUIsAWarning() async throws {
    let tree = try FixtureHost.materialize("h200-idle")
    try HostFingerprints.edit(tree, "captured/nvidia-smi-q.xml") { $0.replacing("<gpu_util>0 %</gpu_util>", with: "<gpu_util>97 %</gpu_util>") }
    let item = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .warning)
    #expect(item.message == "PCIe link runs at Gen 1 (2.5 GT/s) while the GPU is 97 % busy; it supports Gen 5 (32.0 GT/s)")
    #expect(item.fix?.contains("nvidia-smi --query-gpu=pcie.link.gen.current,pcie.link.gen.max,utilization.gpu") == true)

    // Lightly used is not busy.
    let light = try FixtureHost.materialize("h200-idle")
    try HostFingerprints.edit(light, "captured/nvidia-smi-q.xml") { $0.replacing("<gpu_util>0 %</gpu_util>", with: "<gpu_util>12 %</gpu_util>") }
    #expect(severity("gpu.pcie-link", in: await HostFingerprints.probe(light.root)) == .note)
  }

  /// The same judgement through the live NVML path (a real dlopen of an NVML-shaped library).
  @Test func liveNVMLGenerationsAndUtilisation() async throws {
    let tree = try FixtureHost.materialize("h200-idle")
    let library = tree.path + "/libnvidia-ml.so.1"
    let source = FixtureHost.fixturesDirectory + "/fake-nvml/fake_nvml.c"
    for (defines, expected) in [(["-DFAKE_LINK_GEN=1", "-DFAKE_GPU_UTIL=97"], Severity.warning), (["-DFAKE_LINK_GEN=1"], .note), ([], .ok)] {
      let built = try await ProcessCommandRunner().run(Command("cc", ["-shared", "-fPIC", "-o", library, source] + defines, timeoutSeconds: 60))
      try #require(built.succeeded, "cc failed: \(built.stderr)")
      let print = await HostFingerprints.probe(tree.root, nvml: DynamicNVML(libraryPath: library))
      let item = try #require(findings("gpu.pcie-link", in: print).first)
      #expect(item.severity == expected, "\(defines): \(item.message)")
      if expected == .ok {
        // NVML read Gen 5 after sysfs read 2.5 GT/s: the message names what NVML saw.
        #expect(item.message == "PCIe Gen 5 (32.0 GT/s) x16 (maximum)")
      }
    }
  }

  /// Without the driver's readings (no NVML, no nvidia-smi report) a slow link at full width
  /// cannot be judged against load: a note that says how to check.
  @Test func slowLinkWithoutUtilisationIsANote() async throws {
    let tree = try FixtureHost.materialize("h200-idle")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/captured/nvidia-smi-q.xml")
    let item = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .note)
    #expect(item.message == "PCIe link at 2.5 GT/s PCIe of 32.0 GT/s PCIe x16: normal for an idle GPU, which lowers its link speed to save power")
    #expect(item.fix?.hasPrefix("to be sure, re-check under load") == true)

    // Utilisation without generations (an older report): slow and busy is still a warning.
    let busy = try FixtureHost.materialize("h200-idle")
    try HostFingerprints.edit(busy, "captured/nvidia-smi-q.xml") { text in
      guard let start = text.range(of: "<pci_gpu_link_info>"), let end = text.range(of: "</pci_gpu_link_info>") else { return text }
      return String(text[..<start.lowerBound] + text[end.upperBound...]).replacing("<gpu_util>0 %</gpu_util>", with: "<gpu_util>88 %</gpu_util>")
    }
    let warning = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(busy.root)).first)
    #expect(warning.severity == .warning)
    #expect(warning.message == "PCIe link runs at 2.5 GT/s PCIe while the GPU is 88 % busy; the device supports 32.0 GT/s PCIe")
  }

  /// A Gen 5 GPU in a Gen 4 slot: NVML's maximum is the slot's. Not a fault of the card.
  @Test func slotLimitedLinkIsANote() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/sys/devices/pci0000:00/0000:00:06.0/current_link_speed", "16.0 GT/s PCIe\n")
    try HostFingerprints.edit(tree, "captured/nvidia-smi-q.xml") {
      $0.replacing("<max_link_gen>5</max_link_gen>", with: "<max_link_gen>4</max_link_gen>")
        .replacing("<current_link_gen>5</current_link_gen>", with: "<current_link_gen>4</current_link_gen>")
        .replacing("<gpu_util>0 %</gpu_util>", with: "<gpu_util>95 %</gpu_util>")
    }
    let item = try #require(findings("gpu.pcie-link", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .note)
    #expect(item.message == "PCIe link at Gen 4 (16.0 GT/s), the most this slot allows; the GPU supports Gen 5 (32.0 GT/s)")
  }

  /// Narrower than the device supports is a warning whatever the load, idle included.
  @Test func narrowLinkIsAWarningEvenWhenIdle() async throws {
    let tree = try FixtureHost.materialize("h200-idle")
    try tree.write("root/sys/devices/pci0000:00/0000:00:06.0/current_link_width", "8\n")
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
