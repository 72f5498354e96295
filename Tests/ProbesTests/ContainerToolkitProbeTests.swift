import Fingerprint
import TestSupport
import Testing

@testable import Probes

@Suite struct ContainerToolkitProbeTests {
  func context(_ root: HostRoot, runner: (any CommandRunner)? = nil) -> ProbeContext {
    ProbeContext(root: root, runner: runner, runsCommands: runner != nil, environment: [:])
  }

  @Test func realCaptureHasNoToolkit() async {
    let facts = await ContainerToolkitProbe.probe(context(FixtureHost.h200))
    #expect(facts.nvidiaCTK.status == .absent)
    #expect(facts.dockerDaemonConfig.status == .absent)
    #expect(facts.cdiSpecs.status == .absent)
  }

  @Test func dockerWithoutNvidiaRuntime() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let version = try String(contentsOfFile: tree.rootPath + "/captured/commands/nvidia-ctk-version.txt", encoding: .utf8)
    let runner = ReplayRunner(["nvidia-ctk --version": .output(version)])
    let facts = await ContainerToolkitProbe.probe(context(tree.root, runner: runner))
    #expect(facts.nvidiaCTK.value == InstalledTool(path: "/usr/bin/nvidia-ctk", version: "1.17.8"))
    #expect(facts.nvidiaCTK.source == "command:/usr/bin/nvidia-ctk --version")
    #expect(facts.nvidiaContainerCLI.status == .absent)
    let config = try #require(facts.dockerDaemonConfig.value)
    #expect(config.runtimes.isEmpty)
    #expect(!config.nvidiaRuntimeRegistered)
    #expect(!config.nvidiaIsDefault)
    #expect(config.cdiEnabled == nil)
  }

  @Test func cdiOnlyWithStaleSpec() async throws {
    let tree = try FixtureHost.materialize("cdi-only")
    let facts = await ContainerToolkitProbe.probe(context(tree.root))
    let config = try #require(facts.dockerDaemonConfig.value)
    #expect(!config.nvidiaRuntimeRegistered)
    #expect(config.cdiEnabled == true)
    let specs = try #require(facts.cdiSpecs.value)
    #expect(specs == [
      CDISpec(
        path: "/etc/cdi/nvidia.yaml", kind: "nvidia.com/gpu",
        devices: ["0", "GPU-5a1e0000-0000-4000-8000-000000000001", "all"],
        pinnedDriverVersion: "570.133.20", problem: nil)
    ])
    // Without running commands the tool is found but its version is not asked for.
    #expect(facts.nvidiaCTK.value?.version == nil)
    #expect(facts.nvidiaCTK.value?.versionProblem?.contains("captured tree") == true)
  }

  @Test func nvidiaRuntimeRegisteredAsDefault() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-daemonjson")
    try tree.write("root/etc/docker/daemon.json", """
      {"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}, "runc": {"path": "runc"}}, "features": {"cdi": false}}
      """)
    let config = try #require(ContainerToolkitProbe.dockerDaemonConfig(context(tree.root)).value)
    #expect(config == DockerDaemonConfig(runtimes: ["nvidia", "runc"], nvidiaRuntimeRegistered: true, nvidiaRuntimePath: "nvidia-container-runtime", defaultRuntime: "nvidia", cdiEnabled: false))
    #expect(config.nvidiaIsDefault)
  }

  @Test func malformedDaemonJSONNamesTheFile() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-daemonjson")
    try tree.write("root/etc/docker/daemon.json", "{\"runtimes\": {\"nvidia\": ")
    let result = ContainerToolkitProbe.dockerDaemonConfig(context(tree.root))
    #expect(result.status == .unreadable)
    #expect(result.reason?.hasPrefix("/etc/docker/daemon.json is not valid JSON") == true)
  }

  @Test func jsonCDISpecAndBrokenSpec() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cdi")
    try tree.write("root/var/run/cdi/nvidia.json", """
      {"cdiVersion":"0.6.0","kind":"nvidia.com/gpu","devices":[{"name":"all","containerEdits":{}},{"name":"0"}],
       "containerEdits":{"mounts":[{"hostPath":"/usr/lib64/libcuda.so.580.159.04"}]}}
      """)
    try tree.write("root/etc/cdi/broken.json", "{not json")
    try tree.write("root/etc/cdi/README", "not a spec")
    let specs = try #require(ContainerToolkitProbe.cdiSpecs(context(tree.root)).value)
    #expect(specs.map(\.path) == ["/etc/cdi/broken.json", "/var/run/cdi/nvidia.json"])
    #expect(specs[0].problem?.hasPrefix("not valid JSON") == true)
    #expect(specs[1].devices == ["0", "all"])
    #expect(specs[1].pinnedDriverVersion == "580.159.04")
  }

  @Test func toolThatFailsToReportItsVersion() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let runner = ReplayRunner(["nvidia-ctk --version": .output("", stderr: "segmentation fault", exit: 139)])
    let tool = await ContainerToolkitProbe.installedTool("nvidia-ctk", context(tree.root, runner: runner))
    #expect(tool.value?.version == nil)
    #expect(tool.value?.versionProblem?.contains("segmentation fault") == true)
  }

  @Test func versionNumberExtraction() {
    #expect(firstVersionNumber(in: "NVIDIA Container Toolkit CLI version 1.17.8") == "1.17.8")
    #expect(firstVersionNumber(in: "cli-version: 1.14.3") == "1.14.3")
    #expect(firstVersionNumber(in: "x86_64 has no version") == nil)
  }
}
