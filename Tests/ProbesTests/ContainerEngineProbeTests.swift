import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// Runs every command through `setpriv` as the unprivileged `nobody` user, to meet the
/// Docker socket's real permission check.
struct UnprivilegedRunner: CommandRunner {
  let inner = ProcessCommandRunner()
  func run(_ command: Command) async throws -> CommandResult {
    var wrapped = command
    wrapped.executable = "setpriv"
    wrapped.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", command.executable] + command.arguments
    wrapped.environment["HOME"] = "/tmp"
    return try await inner.run(wrapped)
  }
}

/// The Docker tests use the real daemon that the test command (scripts/test.sh) starts.
@Suite(.serialized) struct ContainerEngineProbeTests {
  func liveContext(environment: [String: String] = [:], runner: (any CommandRunner)? = nil) -> ProbeContext {
    let base = ProcessEnvironment.current().merging(environment) { _, new in new }
    return ProbeContext(root: HostRoot(), runner: runner ?? ProcessCommandRunner(baseEnvironment: base), runsCommands: true, environment: base)
  }

  @Test func realDaemonAnswers() async throws {
    let independent = try await ProcessCommandRunner().run(Command("docker", ["info", "--format", "{{.ServerVersion}} {{.Driver}}"]))
    try #require(independent.succeeded, "the Docker daemon is not running: start it with scripts/test.sh (\(independent.stderr))")
    let expected = independent.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")

    let (facts, rootFree) = await ContainerEngineProbe.docker(liveContext())
    let cli = try #require(facts.cli.value)
    #expect(cli.version?.isEmpty == false)
    let daemon = try #require(facts.daemon.value)
    #expect(daemon.reachable)
    #expect(daemon.problem == nil)
    let server = try #require(daemon.server)
    #expect(server.version == String(expected[0]))
    #expect(server.storageDriver == String(expected[1]))
    #expect(server.runtimes.contains("runc"))
    #expect(server.runtimes == server.runtimes.sorted())
    #expect(server.rootDir == "/var/lib/docker")
    #expect(rootFree != nil)
  }

  @Test func socketThatDoesNotExist() async throws {
    let (facts, _) = await ContainerEngineProbe.docker(liveContext(environment: ["DOCKER_HOST": "unix:///tmp/rigcheck-no-such.sock"]))
    #expect(facts.cli.value?.version?.isEmpty == false, "the client version is known even without a daemon")
    let daemon = try #require(facts.daemon.value)
    #expect(!daemon.reachable)
    #expect(daemon.endpoint == "unix:///tmp/rigcheck-no-such.sock")
    #expect(daemon.problem?.kind == .noSocket)
    #expect(daemon.problem?.message.contains("/tmp/rigcheck-no-such.sock does not exist") == true)
  }

  @Test func staleSocketWithNoDaemon() async throws {
    let path = "/tmp/rigcheck-stale-\(UUID().uuidString.prefix(8)).sock"
    try bindUnixSocket(at: path)
    defer { unlink(path) }
    let (facts, _) = await ContainerEngineProbe.docker(liveContext(environment: ["DOCKER_HOST": "unix://\(path)"]))
    let daemon = try #require(facts.daemon.value)
    #expect(!daemon.reachable)
    #expect(daemon.problem?.kind == .notRunning)
  }

  @Test func permissionDeniedForAUserOutsideTheDockerGroup() async throws {
    // The CLI path (DOCKER_HOST tcp/ssh, named contexts); the API path's EACCES is in EngineAPITests.
    var context = liveContext(runner: UnprivilegedRunner())
    context.usesEngineAPIs = false
    let (facts, _) = await ContainerEngineProbe.docker(context)
    let daemon = try #require(facts.daemon.value)
    #expect(!daemon.reachable)
    #expect(daemon.problem?.kind == .permissionDenied, "\(daemon.problem?.message ?? "")")
  }

  @Test func hungDockerCLIHitsTheTimeout() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let runner = ReplayRunner([
      "docker info --format {{json .}}": .failure(.timedOut(command: "docker info", seconds: 10))
    ])
    let context = ProbeContext(root: tree.root, runner: runner, runsCommands: true, environment: [:])
    let (facts, _) = await ContainerEngineProbe.docker(context)
    #expect(facts.daemon.value?.problem?.kind == .timeout)
    #expect(facts.cli.value?.versionProblem?.contains("did not finish") == true)
  }

  @Test func replayedDaemonWithoutNvidiaRuntime() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    let commands = tree.rootPath + "/captured/commands/"
    let runner = ReplayRunner([
      "docker info --format {{json .}}": .output(try String(contentsOfFile: commands + "docker-info.json", encoding: .utf8)),
    ])
    let context = ProbeContext(root: tree.root, runner: runner, runsCommands: true, environment: [:])
    let (facts, rootFree) = await ContainerEngineProbe.docker(context)
    #expect(facts.cli.value?.path == "/usr/bin/docker")
    #expect(facts.cli.value?.version == "28.2.2")
    let server = try #require(facts.daemon.value?.server)
    #expect(server.version == "20.10.24+dfsg1")
    #expect(!server.runtimes.contains("nvidia"))
    #expect(server.defaultRuntime == "runc")
    #expect(server.cgroupDriver == "cgroupfs")
    #expect(server.rootless == false)
    #expect(rootFree == nil, "free space is only measured on a live root")
  }

  @Test func dockerNotInstalled() async {
    let context = ProbeContext(root: FixtureHost.h200, runner: ReplayRunner([:]), runsCommands: true, environment: [:])
    let (facts, _) = await ContainerEngineProbe.docker(context)
    #expect(facts.cli.status == .absent)
    #expect(facts.daemon.status == .absent)
  }

  @Test func podmanVersionAndItsConfiguration() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    try tree.write("root/usr/bin/podman", "")
    try tree.write("root/usr/bin/runc", "")
    try tree.write("root/etc/containers/storage.conf", "[storage]\ndriver = \"overlay\"\n# graphroot = \"/ignored\"\ngraphroot = \"/srv/containers\"\n")
    try tree.write("root/etc/containers/containers.conf", "[engine]\ncgroup_manager = \"cgroupfs\"\n[containers]\nruntime = \"not-this-table\"\n")
    let version = #"{"Client":{"APIVersion":"4.3.1","Version":"4.3.1","GoVersion":"go1.19.8","OsArch":"linux/amd64","Os":"linux"}}"#
    let runner = ReplayRunner(["podman version --format json": .output(version)])
    let context = ProbeContext(root: tree.root, runner: runner, runsCommands: true, environment: ["HOME": "/root"])
    let (facts, _) = await ContainerEngineProbe.podman(context)
    #expect(facts.cli.value?.version == "4.3.1")
    let server = try #require(facts.daemon.value?.server)
    #expect(server.storageDriver == "overlay")
    #expect(server.rootDir == "/srv/containers")
    #expect(server.cgroupDriver == "cgroupfs")
    #expect(server.defaultRuntime == "runc", "crun is not installed in the tree")
    #expect(facts.daemon.source.contains("/etc/containers/storage.conf"))
  }

  @Test func brokenPodman() async throws {
    let tree = try FixtureHost.materialize("docker-no-nvidia-runtime")
    try tree.write("root/usr/bin/podman", "")
    let runner = ReplayRunner(["podman version --format json": .output("", stderr: "Error: cannot re-exec process: permission denied", exit: 125)])
    let (facts, _) = await ContainerEngineProbe.podman(ProbeContext(root: tree.root, runner: runner, runsCommands: true, environment: [:]))
    #expect(facts.daemon.value?.reachable == false)
    #expect(facts.daemon.value?.problem?.kind == .permissionDenied)
  }

  @Test func realPodmanOnThisMachine() async throws {
    let (facts, _) = await ContainerEngineProbe.podman(liveContext())
    let cli = try #require(facts.cli.value, "podman is installed by the test command")
    #expect(cli.version?.isEmpty == false)
    #expect(facts.daemon.value?.reachable == true)
  }

  @Test func classification() {
    let root = HostRoot()
    #expect(ContainerEngineProbe.classifyDockerFailure(stderr: "error during connect: dial tcp 10.0.0.1:2376: i/o timeout", endpoint: "tcp://10.0.0.1:2376", root: root).kind == .remoteUnreachable)
    #expect(ContainerEngineProbe.classifyDockerFailure(stderr: "permission denied while trying to connect to the Docker daemon socket", endpoint: "unix:///var/run/docker.sock", root: root).kind == .permissionDenied)
  }

  func bindUnixSocket(at path: String) throws {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: Array(path.utf8) + [0])
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(bound == 0, "bind failed: \(String(cString: strerror(errno)))")
  }
}
