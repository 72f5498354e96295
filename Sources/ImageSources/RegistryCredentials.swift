import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// A user name and password (or token) for one registry, from Docker's `config.json`. Its
/// description never shows the secret: it cannot reach output, errors or provenance by accident.
struct RegistryCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  let username: String
  let password: String

  var description: String { "credentials for \(username) (redacted)" }
  var debugDescription: String { description }

  /// The `Authorization: Basic …` value.
  var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

  /// The credentials Docker's CLI stored for `registryHost` (`docker login`): the `auths` entry
  /// of `$DOCKER_CONFIG/config.json` (else `$HOME/.docker/config.json`) whose key names that
  /// host, with or without a scheme and path (`https://index.docker.io/v1/` for Docker Hub), its
  /// `auth` field base64 of `user:password`. Credential helpers (`credsStore`, `credHelpers`)
  /// are not run: nil then, and the registry is asked anonymously.
  /// (Docker CLI: cli/config/configfile/file.go, `decodeAuth` and `ConvertToHostname`.)
  static func lookUp(registryHost: String, environment: [String: String]) throws(ImageSourceError) -> RegistryCredentials? {
    let directory = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/root") + "/.docker")
    let path = directory + "/config.json"
    guard access(path, F_OK) == 0 else { return nil }
    guard let bytes = readSmallFile(path, limit: 4 << 20) else {
      throw ImageSourceError(.unreadable, "\(path): cannot read the Docker credentials file")
    }
    let config: JSONTree
    do {
      config = try JSONTree.parse(Data(bytes))
    } catch {
      // The parser's message may quote the file's text, and the file holds secrets: say where only.
      throw ImageSourceError(.malformed, "\(path) is not valid JSON")
    }
    guard case .object(let auths)? = config["auths"] else { return nil }
    let wanted = hostKey(registryHost)
    for key in auths.keys.sorted() where hostKey(key) == wanted {
      guard let encoded = auths[key]?["auth"]?.nonEmptyString else { continue }
      guard let decoded = Data(base64Encoded: encoded), let text = String(data: decoded, encoding: .utf8),
        let colon = text.firstIndex(of: ":")
      else {
        throw ImageSourceError(.malformed, "\(path): auths[\"\(key)\"].auth is not base64 of user:password")
      }
      return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }
    return nil
  }

  /// `https://index.docker.io/v1/` → `docker.io`, `http://host:5000/x` → `host:5000`.
  static func hostKey(_ key: String) -> String {
    var text = Substring(key.lowercased())
    for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
    let host = String(text.prefix { $0 != "/" })
    return ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(host) ? "docker.io" : host
  }

  static func readSmallFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { return nil }
      if count == 0 { return bytes }
      bytes += chunk[0..<count]
      if bytes.count > limit { return nil }
    }
  }
}
