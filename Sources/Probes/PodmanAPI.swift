import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Podman's REST API, when its socket is active (`podman system service`, or the systemd
/// `podman.socket` unit). `GET /libpod/_ping` answers in about 1 ms with the engine's version
/// (`Server: Libpod/4.3.1 (linux)`, `Libpod-Api-Version`), which replaces the 20 ms
/// `podman version` (it runs `conmon --version`). The storage and engine settings still come
/// from the configuration files: the service's `/libpod/info` and compat `/info` gather host
/// statistics and take about 200 ms here, ten times the CLI they would replace. Podman is
/// daemonless, so a missing or dead socket is no problem of the engine: the caller falls
/// back to the CLI.
enum PodmanAPI {
  /// The socket to try: `CONTAINER_HOST` when it is a `unix://` URL, else the rootful
  /// `/run/podman/podman.sock` or the rootless `$XDG_RUNTIME_DIR/podman/podman.sock`; nil when
  /// none exists (or `CONTAINER_HOST` names a remote host, which the CLI reaches over ssh).
  static func socketPath(_ context: ProbeContext) -> String? {
    let candidate: String?
    if let host = context.environment["CONTAINER_HOST"], !host.isEmpty {
      candidate = host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : nil
    } else if getuid() == 0 {
      candidate = "/run/podman/podman.sock"
    } else {
      candidate = context.environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 + "/podman/podman.sock" }
    }
    guard let candidate, !candidate.isEmpty, context.root.kind(of: candidate) != .missing else { return nil }
    return candidate
  }

  static let pingPath = "/libpod/_ping"

  /// The engine's version and API version from the ping's headers, or why it did not answer.
  static func ping(socketPath: String, timeoutSeconds: Double) async -> Result<(version: String, apiVersion: String?), UnixSocketHTTPError> {
    let client = UnixSocketHTTPClient(socketPath: socketPath, timeoutSeconds: timeoutSeconds, maximumResponseBytes: 64 << 10)
    let response = await DockerEngineAPI.onThread { () throws(UnixSocketHTTPError) in try client.get(pingPath) }
    return response.flatMap { response in
      guard response.status == 200 else { return .failure(.malformed("GET \(pingPath) answered \(response.status)")) }
      return version(server: response.headers["server"], apiVersion: response.headers["libpod-api-version"])
        .map { .success($0) } ?? .failure(.malformed("GET \(pingPath): no Libpod version in the Server header"))
    }
  }

  /// `Server: Libpod/4.3.1 (linux)` → 4.3.1.
  static func version(server: String?, apiVersion: String?) -> (version: String, apiVersion: String?)? {
    guard let server, server.hasPrefix("Libpod/") else { return nil }
    let version = server.dropFirst("Libpod/".count).prefix { $0 != " " }
    guard !version.isEmpty else { return nil }
    return (String(version), apiVersion.flatMap { $0.isEmpty ? nil : $0 })
  }
}
