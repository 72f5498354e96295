import Fingerprint

/// The Docker Engine API over the daemon's unix socket, as the Docker SDK talks to it:
/// `GET /_ping` negotiates the API version (its `Api-Version` header, capped at the newest
/// version this client knows), then `GET /v<version>/info`: the same two requests
/// `docker info` makes, without a Go CLI to start. `/version` is not asked: no reported fact
/// comes from it, and dockerd answers it no faster than `/info` (it asks containerd and runc
/// for their versions), load that a 2-core node would feel.
enum DockerEngineAPI {
  /// The newest Engine API version whose `/info` fields this client reads (Docker 28.x).
  static let maximumAPIVersion = "1.51"
  /// The oldest the versioned paths are sent for; older daemons get unversioned paths.
  static let minimumAPIVersion = "1.24"

  /// The unix socket to ask, or nil where the CLI must answer: a `tcp://` host (TLS,
  /// `DOCKER_TLS_VERIFY`), an `ssh://` host, or a non-default context (`DOCKER_CONTEXT`, or
  /// `currentContext` in the CLI's config.json), whose endpoint only the CLI resolves.
  static func socketPath(_ context: ProbeContext) -> String? {
    let environment = context.environment
    if let host = environment["DOCKER_HOST"], !host.isEmpty {
      guard host.hasPrefix("unix://") else { return nil }
      let path = String(host.dropFirst("unix://".count))
      return path.isEmpty ? nil : path
    }
    if let name = environment["DOCKER_CONTEXT"], !name.isEmpty, name != "default" { return nil }
    let configDirectory = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/root") + "/.docker")
    if let text = try? context.root.read(configDirectory + "/config.json", limit: 1 << 20) {
      guard let config = try? JSONTree.parse(text) else { return nil }  // let the CLI report it
      if let current = config["currentContext"]?.nonEmptyString, current != "default" { return nil }
    }
    return String(ContainerEngineProbe.defaultDockerSocket.dropFirst("unix://".count))
  }

  /// What the daemon said: the negotiated version and its `/info` document.
  struct Answer: Sendable {
    var apiVersion: String?
    var info: JSONTree
  }

  static func query(socketPath: String, timeoutSeconds: Double) async throws(UnixSocketHTTPError) -> Answer {
    // One deadline (`--timeout`) for both requests, as for the one `docker info` they replace.
    let deadline = UnixSocketHTTPClient.now() + timeoutSeconds
    let client = UnixSocketHTTPClient(socketPath: socketPath, timeoutSeconds: timeoutSeconds)
    let ping = try await onThread { () throws(UnixSocketHTTPError) in try client.get("/_ping") }.get()
    let negotiated = negotiate(server: ping.headers["api-version"])
    let prefix = negotiated.map { "/v\($0)" } ?? ""
    var rest = client
    rest.timeoutSeconds = max(0.001, deadline - UnixSocketHTTPClient.now())
    let infoClient = rest
    let infoResult = await onThread { () throws(UnixSocketHTTPError) in try infoClient.get(prefix + "/info") }
    // A timeout of the second request is the whole query's: name the deadline the user gave.
    if case .failure(.timedOut(let path, _)) = infoResult { throw .timedOut(path: path, seconds: timeoutSeconds) }
    let infoResponse = try infoResult.get()
    return Answer(apiVersion: negotiated, info: try document(infoResponse, "/info"))
  }

  static func document(_ response: HTTPResponse, _ path: String) throws(UnixSocketHTTPError) -> JSONTree {
    guard response.status == 200 else {
      let message = (try? JSONTree.parse(String(decoding: response.body, as: UTF8.self)))?["message"]?.nonEmptyString
      throw .malformed("GET \(path) answered \(response.status)\(message.map { ": \($0)" } ?? "")")
    }
    do {
      return try JSONTree.parse(String(decoding: response.body, as: UTF8.self))
    } catch {
      throw .malformed("GET \(path): \(error)")
    }
  }

  /// The SDK's rule: the lower of the server's version and ours; nil (unversioned paths)
  /// when the server named none or one older than the versioned paths.
  static func negotiate(server: String?) -> String? {
    guard let server, let parsed = parse(server) else { return nil }
    if let minimum = parse(minimumAPIVersion), parsed < minimum { return nil }
    if let maximum = parse(maximumAPIVersion), parsed > maximum { return maximumAPIVersion }
    return server
  }

  static func parse(_ version: String) -> (Int, Int)? {
    let parts = version.split(separator: ".").map { Int($0) }
    guard parts.count == 2, let major = parts[0], let minor = parts[1] else { return nil }
    return (major, minor)
  }

  /// The same reasons the CLI path classifies from `docker info`'s stderr.
  static func problem(_ error: UnixSocketHTTPError, socket: String) -> EngineProblem {
    switch error {
    case .noSocket:
      EngineProblem(kind: .noSocket, message: "\(socket) does not exist: the Docker daemon is not running (or not installed).")
    case .permissionDenied:
      EngineProblem(kind: .permissionDenied, message: "permission denied while trying to connect to the Docker daemon socket at unix://\(socket)")
    case .refused:
      EngineProblem(kind: .notRunning, message: "\(socket) exists but the daemon does not answer: connection refused (a stale socket).")
    case .timedOut:
      EngineProblem(kind: .timeout, message: "the Docker daemon at unix://\(socket) did not answer: \(error)")
    default:
      EngineProblem(kind: .other, message: "the Docker daemon at unix://\(socket): \(error)")
    }
  }

  /// Runs blocking socket work on a thread of its own, off the shared pool.
  static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws(UnixSocketHTTPError) -> T) async -> Result<T, UnixSocketHTTPError> {
    await Platform.onNewThread { Result { () throws(UnixSocketHTTPError) in try work() } }
  }
}
