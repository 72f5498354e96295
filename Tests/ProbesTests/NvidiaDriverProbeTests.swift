import Fingerprint
import TestSupport
import Testing

@testable import Probes

@Suite struct NvidiaDriverProbeTests {
  func context(_ root: HostRoot) -> ProbeContext {
    ProbeContext(root: root, runsCommands: false, environment: [:])
  }

  @Test func realCaptureIsTheOpenModule580() throws {
    let module = try #require(NvidiaDriverProbe.kernelModule(context(FixtureHost.h200)).value)
    #expect(module.version == "580.159.04")
    #expect(module.flavour == .open)
    #expect(module.compiler == "gcc version 15.3.0 (GCC)")
  }

  @Test func proprietaryModuleLine() throws {
    let text = """
      NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023
      GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)
      """
    let module = try #require(NvidiaDriverProbe.parseVersionFile(text))
    #expect(module.version == "535.104.05")
    #expect(module.flavour == .proprietary)
  }

  @Test func garbageVersionFileIsUnreadable() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-nvrm")
    try tree.write("root/proc/driver/nvidia/version", "\u{1b}[31mnonsense\n")
    let result = NvidiaDriverProbe.kernelModule(context(tree.root))
    #expect(result.status == .unreadable)
    #expect(result.reason?.contains("/proc/driver/nvidia/version") == true)
  }

  @Test func loadedModulesFromRealCapture() {
    #expect(NvidiaDriverProbe.loadedModules(context(FixtureHost.h200)).value == ["nvidia", "nvidia_uvm"])
  }

  @Test func noDriverHost() throws {
    let tree = try FixtureHost.materialize("no-driver")
    let module = NvidiaDriverProbe.kernelModule(context(tree.root))
    #expect(module.status == .absent)
    #expect(module.reason?.contains("not loaded") == true)
    #expect(NvidiaDriverProbe.loadedModules(context(tree.root)).value == [])
  }

  @Test func nouveauHostListsNouveau() throws {
    let tree = try FixtureHost.materialize("nouveau-bound")
    #expect(NvidiaDriverProbe.loadedModules(context(tree.root)).value == ["nouveau"])
  }

  @Test func deviceNodes() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-dev")
    for node in ["nvidia0", "nvidiactl", "nvidia-uvm", "null", "nvidia-caps/nvidia-cap1"] {
      try tree.write("root/dev/\(node)", "")
    }
    #expect(
      NvidiaDriverProbe.deviceNodes(context(tree.root)).value
        == ["/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-uvm", "/dev/nvidia0", "/dev/nvidiactl"])
    #expect(NvidiaDriverProbe.deviceNodes(context(FixtureHost.h200)).status == .absent)
  }

  @Test func devCharLinksPointingAtNvidiaNodes() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-devchar")
    try tree.write("root/dev/nvidia0", "")
    try tree.write("root/dev/char/195:0", "../nvidia0")
    try tree.write("root/dev/char/1:3", "../null")
    #expect(NvidiaDriverProbe.devCharLinks(context(tree.root)).value == ["/dev/nvidia0"])
    #expect(NvidiaDriverProbe.devCharLinks(context(FixtureHost.h200)).status == .absent)
  }

  @Test func thisMachinesRealProcAgreesWithItsFiles() {
    let live = context(HostRoot())
    let loaded = HostRoot().exists("/proc/driver/nvidia/version")
    #expect(NvidiaDriverProbe.kernelModule(live).status == (loaded ? .present : .absent))
    let nodes = (try? HostRoot().list("/dev"))?.filter { $0.hasPrefix("nvidia") && $0 != "nvidia-caps" } ?? []
    #expect(NvidiaDriverProbe.deviceNodes(live).value?.count ?? 0 >= nodes.count)
  }
}
