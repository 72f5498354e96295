import Doctor
import Fingerprint
import Foundation
import Probes
import Reporting
import TestSupport
import Testing

@Suite struct ContainerChecksTests {
  @Test func dockerWithoutTheNvidiaRuntime() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let commands = tree.rootPath + "/captured/commands/"
    let replay = ReplayRunner([
      "nvidia-ctk --version": .output(try String(contentsOfFile: commands + "nvidia-ctk-version.txt", encoding: .utf8)),
      "docker info --format {{json .}}": .output(try String(contentsOfFile: commands + "docker-info.json", encoding: .utf8)),
    ])
    let print = await HostFingerprints.probe(tree.root, runner: replay)
    #expect(replay.unexpected.isEmpty, "\(replay.unexpected)")
    let item = try #require(findings("docker.gpu-runtime", in: print).first)
    #expect(item.severity == .error)
    #expect(item.why?.contains(#"could not select device driver "" with capabilities: [[gpu]]"#) == true)
    #expect(item.fix == "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker")
    #expect(severity("toolkit.installed", in: print) == .ok)
    #expect(severity("docker.daemon", in: print) == .ok)
  }

  @Test func nvidiaRuntimeRegistered() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let runner = try HostFingerprints.dockerInfoRunner { info in
      var runtimes = info["Runtimes"] as? [String: Any] ?? [:]
      runtimes["nvidia"] = ["path": "nvidia-container-runtime"]
      info["Runtimes"] = runtimes
    }
    let print = await HostFingerprints.probe(tree.root, runner: runner)
    #expect(severity("docker.gpu-runtime", in: print) == .ok)
  }

  @Test func cdiOnlyHostWithAStaleSpec() async throws {
    let tree = try FixtureHost.materialize("cdi-only")
    // What a daemon with features.cdi reports (the captured 20.10 daemon says CDISpecDirs null: CDI off).
    let runner = try HostFingerprints.dockerInfoRunner { $0["CDISpecDirs"] = ["/etc/cdi", "/var/run/cdi"] }
    let print = await HostFingerprints.probe(tree.root, runner: runner)
    let stale = try #require(findings("toolkit.cdi-spec", in: print).first)
    #expect(stale.severity == .error)
    #expect(stale.message == "CDI spec pins driver 570.133.20 libraries but driver 580.159.04 is loaded")
    #expect(stale.fix?.hasPrefix("sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml") == true)
    #expect(severity("docker.gpu-runtime", in: print) == .ok, "features.cdi plus an nvidia.com/gpu spec gives GPUs through CDI")
  }

  @Test func freshCDISpec() async throws {
    let tree = try FixtureHost.materialize("cdi-only")
    try HostFingerprints.edit(tree, "etc/cdi/nvidia.yaml") { $0.replacing("570.133.20", with: "580.159.04") }
    #expect(severity("toolkit.cdi-spec", in: await HostFingerprints.probe(tree.root)) == .ok)
  }

  @Test func toolkitMissingWithDockerInstalled() async throws {
    let tree = try FixtureHost.copyOfCapture()
    try tree.write("root/usr/bin/docker", "")
    let print = await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner())
    #expect(severity("toolkit.installed", in: print) == .error)
    #expect(severity("toolkit.installed", in: await HostFingerprints.probe(FixtureHost.h200)) == .warning, "no Docker: a warning")
  }

  @Test(arguments: [
    ("permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.50/info\": dial unix /var/run/docker.sock: connect: permission denied", "permission denied on the Docker socket", "usermod -aG docker"),
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", "the Docker daemon does not answer", "systemctl restart docker"),
  ])
  func daemonProblems(stderr: String, message: String, fix: String) async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    try tree.write("root/var/run/docker.sock", "")
    let replay = ReplayRunner(["docker info --format {{json .}}": .output(#"{"ClientInfo":{"Version":"28.2.2","Context":"default"},"ServerVersion":""}"#, stderr: stderr, exit: 1)])
    let item = try #require(findings("docker.daemon", in: await HostFingerprints.probe(tree.root, runner: replay)).first)
    #expect(item.severity == .error)
    #expect(item.message.hasPrefix(message))
    #expect(item.fix?.contains(fix) == true)
  }

  @Test func realDaemonUpAndDown() async throws {
    let up = await HostFingerprints.probeLive()
    #expect(severity("docker.daemon", in: up) == .ok, "start the daemon with scripts/test.sh")
    let down = await HostFingerprints.probeLive(environment: ["DOCKER_HOST": "unix:///tmp/rigcheck-no-daemon.sock"])
    let item = try #require(findings("docker.daemon", in: down).first)
    #expect(item.severity == .error)
    #expect(item.message == "the Docker daemon is not running (no socket at unix:///tmp/rigcheck-no-daemon.sock)")
    #expect(item.fix == "sudo systemctl enable --now docker")
  }

  @Test func systemdCgroupDriverWithoutDevCharLinks() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    for node in ["nvidia0", "nvidiactl", "nvidia-uvm"] { try tree.write("root/dev/\(node)", "") }
    let runner = { try HostFingerprints.dockerInfoRunner { $0["CgroupDriver"] = "systemd" } }
    let item = try #require(findings("docker.dev-char", in: await HostFingerprints.probe(tree.root, runner: try runner())).first)
    #expect(item.severity == .warning)
    #expect(item.fix?.hasPrefix("sudo nvidia-ctk system create-dev-char-symlinks --create-all") == true)
    try tree.write("root/dev/char/195:0", "../nvidia0")
    try tree.write("root/dev/char/195:255", "../nvidiactl")
    try tree.write("root/dev/char/508:0", "../nvidia-uvm")
    #expect(severity("docker.dev-char", in: await HostFingerprints.probe(tree.root, runner: try runner())) == .ok)
    #expect(findings("docker.dev-char", in: await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner())).isEmpty, "cgroupfs: not applicable")
  }

  @Test func vfsStorageDriver() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    #expect(severity("docker.storage-driver", in: await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner { $0["Driver"] = "vfs" })) == .warning)
    #expect(severity("docker.storage-driver", in: await HostFingerprints.probe(tree.root, runner: try HostFingerprints.dockerInfoRunner())) == .ok)
  }

  @Test func littleDiskSpace() async throws {
    var print = await HostFingerprints.probeLive()
    try #require(print.identity.host.docker.daemon.value?.reachable == true, "start the daemon with scripts/test.sh")
    print.volatile.dockerRootFreeBytes = 5 << 30
    let item = try #require(findings("docker.disk-space", in: print).first)
    #expect(item.severity == .warning)
    #expect(item.fix?.contains("docker system df") == true)
    print.volatile.dockerRootFreeBytes = 200 << 30
    #expect(severity("docker.disk-space", in: print) == .ok)
  }
}
