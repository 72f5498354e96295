import Doctor
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

/// The doctor on the platforms a laptop-vs-cluster user brings: no false warnings, the right ones.
@Suite struct PlatformChecksTests {
  /// Warnings and errors of a report, as `id: message`.
  func problems(_ print: Fingerprint, options: DoctorOptions = DoctorOptions()) -> [String] {
    Doctor.report(for: print, options: options).items.filter { $0.severity >= .warning }.map { "\($0.id): \($0.message)" }
  }

  // MARK: The DaemonSet's view of a node

  @Test func podViewJudgesTheNodesSharedMemory() async throws {
    let tree = try FixtureHost.materialize("pod-view")
    let print = await HostFingerprints.probe(tree.root)
    let shm = try #require(findings("system.shm", in: print).first)
    #expect(shm.severity == .ok)
    #expect(shm.message == "/dev/shm is 62.9 GiB")
    // The capture has no toolkit: the one warning a bare H200 capture has too.
    #expect(problems(print) == ["toolkit.installed: the NVIDIA Container Toolkit is not installed"])
  }

  /// Falling back to the pod's own table gives a note that says so, not a 64 MiB warning.
  @Test func podOwnSharedMemoryIsANoteNotAWarning() async throws {
    let tree = try FixtureHost.materialize("pod-view")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/proc/1/mounts")
    let print = await HostFingerprints.probe(tree.root)
    let shm = try #require(findings("system.shm", in: print).first)
    #expect(shm.severity == .note)
    #expect(shm.message == "/dev/shm of the host under \(tree.rootPath) not read: 64.0 MiB is rigcheck's own container's")
    #expect(shm.fix?.contains("deploy/kubernetes") == true)
  }

  /// What a live run inside a container still hears: its own small /dev/shm is a warning.
  @Test func smallSharedMemoryOfACapturedContainerStillWarns() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/proc/mounts", "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n")
    #expect(severity("system.shm", in: await HostFingerprints.probe(tree.root)) == .warning)
  }

  // MARK: WSL2

  @Test func wsl2GPUIsRecognisedNotMissing() async throws {
    let tree = try FixtureHost.materialize("wsl2")
    let print = await HostFingerprints.probe(tree.root)
    let present = try #require(findings("gpu.present", in: print).first)
    #expect(present.severity == .ok)
    #expect(present.message == "WSL2: 1 NVIDIA GPU through /dev/dxg (GPU paravirtualization, driver 576.02 on Windows): NVIDIA GeForce RTX 4090")
    #expect(findings("driver.kernel-module", in: print).first?.severity == .ok)
    #expect(severity("driver.nvml", in: print) == .ok)
    #expect(findings("driver.device-nodes", in: print).isEmpty)
    #expect(findings("toolkit.installed", in: print).isEmpty, "no Docker engine in the distribution: Docker Desktop brings its own GPU support")
    #expect(problems(print).isEmpty, "\(problems(print))")
    #expect(severity("driver.cuda", in: print, options: DoctorOptions(cuda: "12.8")) == .ok)
  }

  @Test func wsl2WithoutDxgOrLibraries() async throws {
    let tree = try FixtureHost.materialize("wsl2")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/captured/nvidia-smi-q.xml")
    let notProbed = try #require(findings("gpu.present", in: await HostFingerprints.probe(tree.root)).first)
    #expect(notProbed.severity == .note)
    #expect(notProbed.message.hasPrefix("WSL2: GPU paravirtualization through /dev/dxg, NVML at /usr/lib/wsl/lib/libnvidia-ml.so.1"))
    try FileManager.default.removeItem(atPath: tree.rootPath + "/usr/lib/wsl/lib/libnvidia-ml.so.1")
    let noLibraries = try #require(findings("gpu.present", in: await HostFingerprints.probe(tree.root)).first)
    #expect(noLibraries.severity == .warning)
    #expect(noLibraries.fix?.contains("on Windows") == true)
    try FileManager.default.removeItem(atPath: tree.rootPath + "/dev/dxg")
    let noDevice = try #require(findings("gpu.present", in: await HostFingerprints.probe(tree.root)).first)
    #expect(noDevice.severity == .warning)
    #expect(noDevice.message == "WSL2 without /dev/dxg: the Windows host's GPUs are not exposed")
    #expect(noDevice.fix?.contains("wsl --update") == true)
  }

  // MARK: GH200 (aarch64)

  @Test func gh200HasNoFalseFindings() async throws {
    let tree = try FixtureHost.materialize("gh200-aarch64")
    let print = await HostFingerprints.probe(tree.root)
    #expect(problems(print).isEmpty, "\(problems(print))")
    #expect(findings("gpu.present", in: print).first?.message == "1 NVIDIA GPU: 0000:00:06.0 NVIDIA GH200 480GB")
    #expect(findings("toolkit.installed", in: print).first?.message == "nvidia-ctk installed at /usr/bin/nvidia-ctk")
  }

  // MARK: vfio-pci passthrough

  @Test func vfioBoundGPUNeedsNoDeviceNode() async throws {
    let tree = try FixtureHost.materialize("vfio-bound")
    let print = await HostFingerprints.probe(tree.root)
    let nodes = try #require(findings("driver.device-nodes", in: print).first)
    #expect(nodes.severity == .ok)
    #expect(nodes.message == "6 NVIDIA device nodes present; 0000:00:07.0 bound to vfio-pci needs none")
    #expect(findings("gpu.driver-bound", in: print).map(\.severity) == [.ok, .note])
    #expect(severity("driver.kernel-module", in: print) == .ok)
    #expect(problems(print) == ["toolkit.installed: the NVIDIA Container Toolkit is not installed"])
    // The host's own GPU still needs its node.
    try FileManager.default.removeItem(atPath: tree.rootPath + "/dev/nvidia0")
    let missing = try #require(findings("driver.device-nodes", in: await HostFingerprints.probe(tree.root)).first)
    #expect(missing.severity == .error)
    #expect(missing.message == "missing device nodes: /dev/nvidia0")
  }

  /// Every GPU passed through, no NVIDIA driver on the host: nothing to demand.
  @Test func allGPUsPassedThrough() async throws {
    let tree = try FixtureHost.materialize("vfio-bound")
    try tree.write("root/sys/devices/pci0000:00/0000:00:06.0/driver", "../../../bus/pci/drivers/vfio-pci")
    for path in ["proc/driver/nvidia", "sys/module/nvidia", "captured/nvidia-smi-q.xml", "dev/nvidia0", "dev/nvidiactl", "dev/nvidia-uvm", "dev/nvidia-uvm-tools", "dev/nvidia-caps"] {
      try FileManager.default.removeItem(atPath: tree.rootPath + "/" + path)
    }
    try tree.write("root/proc/modules", "vfio_pci 16384 0 - Live 0xffffffffc0e2a000\nvfio_pci_core 86016 1 vfio_pci, Live 0xffffffffc0e0f000\nvfio 61440 3 vfio_pci,vfio_pci_core, Live 0xffffffffc0df0000\n")
    let print = await HostFingerprints.probe(tree.root)
    let module = try #require(findings("driver.kernel-module", in: print).first)
    #expect(module.severity == .note)
    #expect(module.message == "all 2 NVIDIA GPUs are bound to vfio-pci for passthrough: this host needs no NVIDIA driver")
    #expect(findings("driver.device-nodes", in: print).isEmpty)
    #expect(findings("toolkit.installed", in: print).isEmpty)
    #expect(problems(print).isEmpty, "\(problems(print))")
  }

  // MARK: RHEL and GPU Operator layouts

  @Test func rhelFindsToolkitAndLibraries() async throws {
    let tree = try FixtureHost.materialize("rhel-lib64")
    let print = await HostFingerprints.probe(tree.root)
    #expect(problems(print).isEmpty, "\(problems(print))")
    #expect(findings("system.os", in: print).first?.message == "Red Hat Enterprise Linux 9.4 (Plow), kernel 5.14.0-427.13.1.el9_4.x86_64, glibc 2.34")
  }

  @Test func gpuOperatorNodeHasNoFalseFindings() async throws {
    let tree = try FixtureHost.materialize("gpu-operator")
    let print = await HostFingerprints.probe(tree.root)
    #expect(problems(print).isEmpty, "\(problems(print))")
    #expect(findings("toolkit.installed", in: print).first?.message == "nvidia-ctk installed at /usr/local/nvidia/toolkit/nvidia-ctk")
  }

  /// Under --root without a captured NVML report, the doctor names the library to load.
  @Test func gpuOperatorNVMLNotProbedNamesTheLibrary() async throws {
    let tree = try FixtureHost.materialize("gpu-operator")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/captured/nvidia-smi-q.xml")
    let item = try #require(findings("driver.nvml", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .note)
    #expect(item.message == "NVML not probed; libnvidia-ml.so.1 is at /run/nvidia/driver/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 (driver 580.159.04)")
    #expect(item.fix?.contains("--nvml-library \(tree.rootPath)/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1") == true)
  }

  /// On a GPU Operator node run live, NVML is not on the loader path: a note, not "not installed".
  @Test func gpuOperatorNVMLOffTheLoaderPath() async throws {
    let tree = try FixtureHost.materialize("gpu-operator")
    let print = await HostFingerprints.probe(tree.root, nvml: DynamicNVML(libraryPath: "/nonexistent/libnvidia-ml.so.1"))
    let item = try #require(findings("driver.nvml", in: print).first)
    #expect(item.severity == .note)
    #expect(item.message == "NVML is in the driver root /run/nvidia/driver, not on the loader path: /run/nvidia/driver/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")
  }

  /// Libraries of another release than the loaded module: the mismatch, before NVML is even loaded.
  @Test func libraryVersionMismatch() async throws {
    let tree = try FixtureHost.materialize("rhel-lib64")
    try tree.write("root/usr/lib64/libnvidia-ml.so.1", "./libnvidia-ml.so.590.44.01")
    try FileManager.default.removeItem(atPath: tree.rootPath + "/captured/nvidia-smi-q.xml")
    let item = try #require(findings("driver.nvml", in: await HostFingerprints.probe(tree.root)).first)
    #expect(item.severity == .error)
    #expect(item.message == "the driver's libraries are 590.44.01 but the kernel module is 580.159.04")
  }

  // MARK: CDI off

  /// `"CDISpecDirs": null` from docker info: CDI is off, so a CDI spec gives no GPUs.
  @Test func cdiSpecDirsNullMeansCDIOff() async throws {
    let tree = try FixtureHost.materialize("cdi-spec-dirs-null")
    let print = await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner())
    let item = try #require(findings("docker.gpu-runtime", in: print).first)
    #expect(item.severity == .error)
    #expect(item.message == "Docker has no nvidia runtime and CDI is off, so the NVIDIA CDI spec /etc/cdi/nvidia.yaml is not used")
    #expect(item.fix?.contains("--cdi.enabled") == true)
    #expect(severity("toolkit.cdi-spec", in: print) == .ok, "the spec itself is fresh")
    // The same host once the daemon reads CDI specs.
    let on = try HostFingerprints.dockerInfoRunner { $0["CDISpecDirs"] = ["/etc/cdi", "/var/run/cdi"] }
    #expect(severity("docker.gpu-runtime", in: await HostFingerprints.probe(tree.root, runner: on)) == .ok)
    // features.cdi in daemon.json does not overrule a daemon that says CDI is off.
    try tree.write("root/etc/docker/daemon.json", #"{"features": {"cdi": true}}"#)
    #expect(severity("docker.gpu-runtime", in: await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner())) == .error)
    // A CLI too old to report CDISpecDirs: daemon.json's features.cdi is all there is to go by.
    let unreported = try HostFingerprints.dockerInfoRunner { $0.removeValue(forKey: "CDISpecDirs") }
    #expect(severity("docker.gpu-runtime", in: await HostFingerprints.probe(tree.root, runner: unreported)) == .ok)
  }
}
