import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import Probes

/// A one-shot HTTP server on a unix socket: answers each connection with `response` (or
/// holds it open without answering), for the client's framing, size and deadline rules.
final class CannedUnixServer: @unchecked Sendable {
  let path = "/tmp/rigcheck-http-\(UUID().uuidString.prefix(8)).sock"
  private let listener: Int32

  init(response: [UInt8]?, holdSeconds: Double = 0) throws {
    listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
    let descriptor = listener
    Thread.detachNewThread {
      while true {
        let connection = accept(descriptor, nil, nil)
        // Closed here, not in deinit: a number reused by the next server is never accepted on.
        guard connection >= 0 else { close(descriptor); return }
        var request = [UInt8](repeating: 0, count: 4096)
        _ = recv(connection, &request, request.count, 0)
        if let response {
          var offset = 0
          while offset < response.count {
            let sent = response[offset...].withUnsafeBytes { send(connection, $0.baseAddress!, min($0.count, 65536), Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
          }
        }
        if holdSeconds > 0 { Thread.sleep(forTimeInterval: holdSeconds) }
        close(connection)
      }
    }
  }

  deinit {
    shutdown(listener, Int32(SHUT_RDWR))
    unlink(path)
  }

  func get(_ path: String = "/info", timeout: Double = 2, limit: Int = 4 << 20) throws(UnixSocketHTTPError) -> HTTPResponse {
    try UnixSocketHTTPClient(socketPath: self.path, timeoutSeconds: timeout, maximumResponseBytes: limit).get(path)
  }
}

@Suite struct UnixSocketHTTPClientTests {
  @Test func contentLengthBody() throws {
    let server = try CannedUnixServer(response: Array("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nApi-Version: 1.41\r\n\r\n{\"a\":\"b c\"}".utf8))
    let response = try server.get()
    #expect(response.status == 200)
    #expect(response.headers["api-version"] == "1.41")
    #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":"b c"}"#)
  }

  @Test func chunkedBodyWhileTheServerKeepsTheConnectionOpen() throws {
    let body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n6;ext=1\r\n\"bcde\"\r\n1\r\n}\r\n0\r\n\r\n"
    // Held open for 5 s: the complete chunked body ends the read, not the close.
    let server = try CannedUnixServer(response: Array(body.utf8), holdSeconds: 5)
    let started = Date()
    let response = try server.get(timeout: 3)
    #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":"bcde"}"#)
    #expect(Date().timeIntervalSince(started) < 2)
  }

  @Test func bodyUntilCloseWithoutFraming() throws {
    let server = try CannedUnixServer(response: Array("HTTP/1.0 200 OK\r\n\r\nplain".utf8))
    #expect(String(decoding: try server.get().body, as: UTF8.self) == "plain")
  }

  @Test func responseLargerThanTheLimitIsAnError() throws {
    let big = [UInt8](repeating: UInt8(ascii: "x"), count: 5 << 20)
    let server = try CannedUnixServer(response: Array("HTTP/1.1 200 OK\r\nContent-Length: \(big.count)\r\n\r\n".utf8) + big)
    #expect(throws: UnixSocketHTTPError.tooLarge(limit: 4 << 20)) { try server.get() }
  }

  @Test func silentServerHitsTheDeadline() throws {
    let server = try CannedUnixServer(response: nil, holdSeconds: 5)
    let started = Date()
    #expect(throws: UnixSocketHTTPError.timedOut(path: server.path, seconds: 0.3)) { try server.get(timeout: 0.3) }
    #expect(Date().timeIntervalSince(started) < 2)
  }

  @Test func connectErrorsKeepTheirReasons() throws {
    let missing = "/tmp/rigcheck-no-such-\(UUID().uuidString.prefix(8)).sock"
    #expect(throws: UnixSocketHTTPError.noSocket(path: missing)) {
      try UnixSocketHTTPClient(socketPath: missing, timeoutSeconds: 1).get("/_ping")
    }
    // Bound but nobody listens: what a daemon that died leaves behind.
    let stale = "/tmp/rigcheck-stale-\(UUID().uuidString.prefix(8)).sock"
    try ContainerEngineProbeTests().bindUnixSocket(at: stale)
    defer { unlink(stale) }
    #expect(throws: UnixSocketHTTPError.refused(path: stale)) {
      try UnixSocketHTTPClient(socketPath: stale, timeoutSeconds: 1).get("/_ping")
    }
  }

  @Test func malformedStatusLine() throws {
    let server = try CannedUnixServer(response: Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))
    #expect(throws: UnixSocketHTTPError.self) { try server.get() }
  }
}

@Suite struct DockerEngineAPITests {
  @Test func negotiation() {
    #expect(DockerEngineAPI.negotiate(server: "1.41") == "1.41")
    #expect(DockerEngineAPI.negotiate(server: "1.99") == DockerEngineAPI.maximumAPIVersion)
    #expect(DockerEngineAPI.negotiate(server: "1.12") == nil)
    #expect(DockerEngineAPI.negotiate(server: nil) == nil)
    #expect(DockerEngineAPI.negotiate(server: "garbage") == nil)
  }

  @Test func remoteHostsAndNamedContextsStayWithTheCLI() throws {
    func socket(_ environment: [String: String]) -> String? {
      DockerEngineAPI.socketPath(ProbeContext(root: HostRoot(), runner: ReplayRunner([:]), environment: environment))
    }
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("rigcheck-home-\(UUID().uuidString.prefix(8))").path
    #expect(socket(["HOME": home]) == "/var/run/docker.sock")
    #expect(socket(["DOCKER_HOST": "unix:///run/user/1000/docker.sock"]) == "/run/user/1000/docker.sock")
    #expect(socket(["DOCKER_HOST": "tcp://10.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"]) == nil)
    #expect(socket(["DOCKER_HOST": "ssh://user@gpu-node"]) == nil)
    #expect(socket(["DOCKER_CONTEXT": "remote", "HOME": home]) == nil)
    try FileManager.default.createDirectory(atPath: home + "/.docker", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: home) }
    try #"{"currentContext":"rootless"}"#.write(toFile: home + "/.docker/config.json", atomically: true, encoding: .utf8)
    #expect(socket(["HOME": home]) == nil, "the CLI's current context decides")
    try #"{"currentContext":"default","auths":{}}"#.write(toFile: home + "/.docker/config.json", atomically: true, encoding: .utf8)
    #expect(socket(["HOME": home]) == "/var/run/docker.sock")
  }

  @Test func dockerCLIVersionFromItsGoBuildInfo() async throws {
    let context = ProbeContext(root: HostRoot(), runsCommands: true)
    let docker = try #require(context.locateExecutable("docker"), "docker is installed by the test command")
    let printed = try await ProcessCommandRunner().run(Command(docker, ["--version"]))
    // "Docker version 28.2.2, build e6534b4"
    let expected = printed.stdout.split(separator: " ").dropFirst(2).first.map { String($0.prefix { $0 != "," }) }
    #expect(GoBuildInfo.dockerCLIVersion(executable: docker) == expected)
    #expect(GoBuildInfo.modinfo(executable: "/bin/sh") == nil, "no Go executable")
  }

  func live(api: Bool, environment: [String: String] = [:]) -> ProbeContext {
    let base = ProcessEnvironment.current().merging(environment) { _, new in new }
    var context = ProbeContext(root: HostRoot(), runsCommands: true, environment: base)
    context.usesEngineAPIs = api
    // The facts are compared, not the speed: other suites (the interruption stress test) load
    // the same daemon at the same time, so give both paths room.
    context.commandTimeout = 60
    return context
  }

  /// The API path reports exactly what `docker info` reported, field by field, on this
  /// machine's real daemon.
  @Test func apiAndCLIAgreeOnTheRealDaemon() async throws {
    let (api, apiFree) = await ContainerEngineProbe.docker(live(api: true))
    let (cli, cliFree) = await ContainerEngineProbe.docker(live(api: false))
    #expect(api.daemon.source.hasPrefix("api:unix:///var/run/docker.sock GET /v"), "\(api.daemon.source)")
    #expect(cli.daemon.source.hasPrefix("command:"))
    #expect(api.cli.value?.path == cli.cli.value?.path)
    #expect(api.cli.value?.version == cli.cli.value?.version)
    let a = try #require(api.daemon.value)
    let c = try #require(cli.daemon.value)
    #expect(a.reachable && c.reachable)
    #expect(a.endpoint == c.endpoint)
    #expect(a.context == c.context)
    let x = try #require(a.server)
    let y = try #require(c.server)
    #expect(x.version == y.version)
    #expect(x.apiVersion == y.apiVersion)
    #expect(x.storageDriver == y.storageDriver)
    #expect(x.cgroupDriver == y.cgroupDriver)
    #expect(x.cgroupVersion == y.cgroupVersion)
    #expect(x.runtimes == y.runtimes)
    #expect(x.defaultRuntime == y.defaultRuntime)
    #expect(x.rootless == y.rootless)
    #expect(x.rootDir == y.rootDir)
    #expect(x.cdiSpecDirs == y.cdiSpecDirs, "null (off) on both paths")
    #expect(x == y, "no field left out of the comparison")
    #expect((apiFree == nil) == (cliFree == nil))
  }

  @Test func apiReasonsMatchTheCLIReasons() async throws {
    let missing = "/tmp/rigcheck-no-such-\(UUID().uuidString.prefix(8)).sock"
    let stale = "/tmp/rigcheck-stale-\(UUID().uuidString.prefix(8)).sock"
    try ContainerEngineProbeTests().bindUnixSocket(at: stale)
    defer { unlink(stale) }
    for socket in [missing, stale] {
      let (api, _) = await ContainerEngineProbe.docker(live(api: true, environment: ["DOCKER_HOST": "unix://\(socket)"]))
      let (cli, _) = await ContainerEngineProbe.docker(live(api: false, environment: ["DOCKER_HOST": "unix://\(socket)"]))
      #expect(api.daemon.source.hasPrefix("api:"))
      #expect(api.daemon.value?.problem?.kind == cli.daemon.value?.problem?.kind, "\(socket)")
      #expect(api.daemon.value?.endpoint == cli.daemon.value?.endpoint)
      #expect(api.cli.value?.version == cli.cli.value?.version, "the client version is known without a daemon")
    }
  }

  @Test func silentDaemonIsATimeout() async throws {
    let server = try CannedUnixServer(response: nil, holdSeconds: 5)
    var context = live(api: true, environment: ["DOCKER_HOST": "unix://\(server.path)"])
    context.commandTimeout = 0.3
    let (facts, _) = await ContainerEngineProbe.docker(context)
    #expect(facts.daemon.value?.problem?.kind == .timeout)
  }

  /// Root passes any socket's permission check: run the built binary as nobody.
  @Test func permissionDeniedOnTheSocketForAUserOutsideTheDockerGroup() async throws {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let binary = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("rigcheck").path
    try #require(FileManager.default.isExecutableFile(atPath: binary), "build the rigcheck product (swift build --build-tests)")
    let result = try await UnprivilegedRunner().run(Command(binary, ["fingerprint", "--json"]))
    let docker = try #require(try JSONTree.parse(result.stdout)["identity"]?["host"]?["docker"])
    #expect(docker["daemon"]?["source"]?.nonEmptyString?.hasPrefix("api:") == true)
    #expect(docker["daemon"]?["value"]?["problem"]?["kind"]?.nonEmptyString == "permissionDenied", "\(docker)")
  }
}

@Suite(.serialized) struct PodmanAPITests {
  @Test func versionFromThePingHeaders() {
    #expect(PodmanAPI.version(server: "Libpod/4.3.1 (linux)", apiVersion: "4.3.1")! == ("4.3.1", "4.3.1"))
    #expect(PodmanAPI.version(server: "Docker/20.10.24 (linux)", apiVersion: nil) == nil)
  }

  /// `podman system service` on a socket of its own: the API path and the CLI path agree.
  @Test func apiAndCLIAgreeOnARealService() async throws {
    let socket = "/tmp/rigcheck-podman-\(UUID().uuidString.prefix(8)).sock"
    let service = Process()
    service.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
    service.arguments = ["system", "service", "--time=0", "unix://\(socket)"]
    service.standardOutput = FileHandle.nullDevice
    service.standardError = FileHandle.nullDevice
    try service.run()
    defer {
      service.terminate()
      service.waitUntilExit()
      unlink(socket)
    }
    for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(50)) }
    let environment = ProcessEnvironment.current().merging(["CONTAINER_HOST": "unix://\(socket)"]) { _, new in new }
    var apiContext = ProbeContext(root: HostRoot(), runsCommands: true, environment: environment)
    var cliContext = apiContext
    apiContext.usesEngineAPIs = true
    cliContext.usesEngineAPIs = false
    let (api, _) = await ContainerEngineProbe.podman(apiContext)
    let (cli, _) = await ContainerEngineProbe.podman(cliContext)
    #expect(api.daemon.source.hasPrefix("api:unix://\(socket) GET /libpod/_ping"), "\(api.daemon.source)")
    #expect(cli.daemon.source.hasPrefix("command:"))
    #expect(api.cli.value?.version == cli.cli.value?.version)
    #expect(api.daemon.value?.server == cli.daemon.value?.server)
    #expect(api.daemon.value?.endpoint == cli.daemon.value?.endpoint)
  }

  @Test func staleSocketFallsBackToTheCLI() async throws {
    let stale = "/tmp/rigcheck-stale-\(UUID().uuidString.prefix(8)).sock"
    try ContainerEngineProbeTests().bindUnixSocket(at: stale)
    defer { unlink(stale) }
    var context = ProbeContext(root: HostRoot(), runsCommands: true)
    context.environment["CONTAINER_HOST"] = "unix://\(stale)"
    #expect(PodmanAPI.socketPath(context) == stale)
    if case .success = await PodmanAPI.ping(socketPath: stale, timeoutSeconds: 1) { Issue.record("a stale socket answered") }
  }
}
