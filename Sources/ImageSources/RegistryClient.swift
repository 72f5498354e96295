#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// The pull side of the Registry HTTP API v2 / OCI distribution-spec
/// (https://github.com/opencontainers/distribution-spec/blob/v1.0.1/spec.md "Pulling manifests",
/// "Pulling blobs"): `GET /v2/`, `GET /v2/NAME/manifests/REFERENCE` with an `Accept` for every
/// manifest and index type rigcheck reads, `GET /v2/NAME/blobs/DIGEST` (redirects followed; the
/// registry's `Authorization` never sent to another host).
///
/// HTTPS for every registry; plain HTTP only for loopback hosts, and only after HTTPS failed
/// there, the way Docker treats its default insecure registries (127.0.0.0/8).
final class RegistryClient {
  /// As the user wrote it (`docker.io`, `127.0.0.1:5000`).
  let host: String
  let repository: String
  let deadline: Double
  private let credentials: RegistryCredentials?
  /// Extra certificate authorities (`SSL_CERT_FILE` of the options' environment).
  private let trustedCertificates: String?
  /// `https://registry-1.docker.io` and the like, decided by ``connect()``.
  private var base: HTTPURL?
  /// Answers the registry's challenge (never printed).
  private var authorization: String?

  static let manifestTypes = [OCIMediaType.index, OCIMediaType.manifest, OCIMediaType.dockerManifestList, OCIMediaType.dockerManifest]
  /// Docker schema 1 (signed, pre-2017): no platform, no config blob; refused by name.
  static let schema1Types = ["application/vnd.docker.distribution.manifest.v1+json", "application/vnd.docker.distribution.manifest.v1+prettyjws"]
  static let maximumManifestBytes = 4 << 20
  static let maximumRedirects = 5

  init(host: String, repository: String, environment: [String: String], deadline: Double) throws(ImageSourceError) {
    self.host = host
    self.repository = repository
    self.deadline = deadline
    credentials = try RegistryCredentials.lookUp(registryHost: host, environment: environment)
    trustedCertificates = environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Docker Hub's API lives on another host than its name.
  var apiAuthority: String { host == "docker.io" ? "registry-1.docker.io" : host }

  var displayName: String { "\(host)/\(repository)" }

  // MARK: Connection

  /// `GET /v2/`: decides the scheme, and answers an authentication challenge up front.
  func connect() throws(ImageSourceError) {
    guard let (hostPart, port) = HTTPURL.splitAuthority(apiAuthority) else {
      throw ImageSourceError(.invalidReference, "'\(host)' is not a registry host")
    }
    let secure = HTTPURL(secure: true, host: hostPart, port: port ?? 443, target: "/v2/")
    do {
      try ping(secure)
      return
    } catch let httpsError {
      guard NetworkConnection.isLoopback(hostPart) else { throw httpsError }
      let plain = HTTPURL(secure: false, host: hostPart, port: port ?? 80, target: "/v2/")
      do {
        try ping(plain)
      } catch let plainError {
        throw ImageSourceError(plainError.kind, "\(plainError.message) (over HTTPS: \(httpsError.message))")
      }
    }
  }

  private func ping(_ url: HTTPURL) throws(ImageSourceError) {
    let exchange = try HTTPExchange(get: url, headers: [], trustedCertificates: trustedCertificates, deadline: deadline)
    defer { exchange.close() }
    _ = try? exchange.readBody(limit: 1 << 20)
    switch exchange.head.status {
    case 200:
      base = url
    case 401:
      base = url
      if let challenge = RegistryChallenge.parse(exchange.head.all("www-authenticate")) {
        authorization = try challenge.authorization(
          repository: repository, registryHost: host, credentials: credentials, trustedCertificates: trustedCertificates, deadline: deadline)
      }
    default:
      throw ImageSourceError(.unavailable, "\(url.authority) is not a container registry (GET /v2/ answered HTTP \(exchange.head.status))")
    }
  }

  // MARK: Requests

  /// GETs `target` (`/v2/…`) on the registry, answering one authentication challenge and
  /// following redirects; the caller reads the body and closes the exchange.
  func get(_ target: String, accept: [String]) throws(ImageSourceError) -> HTTPExchange {
    if base == nil { try connect() }
    guard let base else { throw ImageSourceError(.unavailable, "\(host): no connection") }
    var url = HTTPURL(secure: base.secure, host: base.host, port: base.port, target: target)
    var challenged = false
    var redirects = 0
    while true {
      var headers: [(String, String)] = []
      if !accept.isEmpty { headers.append(("Accept", accept.joined(separator: ", "))) }
      let sameHost = url.host == base.host && url.port == base.port
      if sameHost, let authorization { headers.append(("Authorization", authorization)) }
      let exchange = try HTTPExchange(get: url, headers: headers, trustedCertificates: trustedCertificates, deadline: deadline)
      let status = exchange.head.status
      if status == 401 && sameHost && !challenged, let challenge = RegistryChallenge.parse(exchange.head.all("www-authenticate")) {
        exchange.close()
        challenged = true
        authorization = try challenge.authorization(
          repository: repository, registryHost: host, credentials: credentials, trustedCertificates: trustedCertificates, deadline: deadline)
        continue
      }
      if [301, 302, 303, 307, 308].contains(status) {
        exchange.close()
        redirects += 1
        guard redirects <= Self.maximumRedirects, let location = exchange.head.header("location"), let next = url.resolving(location) else {
          throw ImageSourceError(.unavailable, "\(displayName): too many or unusable redirects for \(target)")
        }
        url = next
        continue
      }
      return exchange
    }
  }

  /// Why a response is not a 200, in words that name the image.
  func failure(_ exchange: HTTPExchange, what: String) -> ImageSourceError {
    let status = exchange.head.status
    let body = (try? exchange.readBody(limit: 64 << 10)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    // The registry's error document (`{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`): its codes only.
    let codes = body.split(separator: "\"").enumerated().filter { $0.offset > 0 }
      .compactMap { $0.element.allSatisfy { ($0.isUppercase && $0.isASCII) || $0 == "_" } && $0.element.count > 3 ? String($0.element) : nil }
    let detail = codes.isEmpty ? "" : " (\(Set(codes).sorted().joined(separator: ", ")))"
    switch status {
    case 404: return ImageSourceError(.notFound, "docker://\(displayName): \(what) not found\(detail)")
    case 401, 403:
      return ImageSourceError(
        .unavailable,
        "docker://\(displayName): access to \(what) denied (HTTP \(status))\(detail)\(credentials == nil ? "; no credentials are stored for \(host) (docker login \(host))" : "")")
    default: return ImageSourceError(.unavailable, "docker://\(displayName): \(what) answered HTTP \(status)\(detail)")
    }
  }

  // MARK: Manifests and blobs

  /// A manifest or index by tag or digest, with its media type and its computed digest. By
  /// digest, the bytes must hash to it.
  func manifest(_ reference: String, expected: OCIDescriptor? = nil) throws(ImageSourceError) -> (bytes: [UInt8], mediaType: String?, digest: String) {
    let exchange = try get("/v2/\(repository)/manifests/\(reference)", accept: Self.manifestTypes)
    defer { exchange.close() }
    guard exchange.head.status == 200 else { throw failure(exchange, what: "manifest \(reference)") }
    let bytes = try exchange.readBody(limit: Self.maximumManifestBytes)
    let digest = BlobDigester.digest(of: bytes)
    let wanted = expected?.digest ?? (reference.hasPrefix("sha256:") ? reference : nil)
    if let wanted, wanted != digest {
      throw ImageSourceError(.digestMismatch, "docker://\(displayName): manifest \(wanted) arrived with digest \(digest): tampered or corrupt")
    }
    if let expected, expected.size != Int64(bytes.count) {
      throw ImageSourceError(.digestMismatch, "docker://\(displayName): manifest \(expected.digest) has \(bytes.count) bytes, its descriptor says \(expected.size)")
    }
    let contentType = exchange.head.header("content-type")?.split(separator: ";").first.map { $0.trimmingSpaces() }
    if let contentType, Self.schema1Types.contains(contentType) {
      throw ImageSourceError(.malformed, "docker://\(displayName):\(reference) is a Docker schema 1 image (deprecated, no platform or config): re-push it with a current tool")
    }
    return (bytes, contentType, digest)
  }

  /// Streams blob `descriptor` into the new file `path`, hashing it on the way: a digest or
  /// size that does not match the descriptor removes the file and is an error.
  func blob(_ descriptor: OCIDescriptor, to path: String, what: String) throws(ImageSourceError) {
    guard BlobDigester.isVerifiable(descriptor.digest) else {
      throw ImageSourceError(.malformed, "docker://\(displayName): \(what) has digest '\(descriptor.digest.prefix(80))', not sha256:<64 hex digits>")
    }
    let exchange = try get("/v2/\(repository)/blobs/\(descriptor.digest)", accept: [])
    defer { exchange.close() }
    guard exchange.head.status == 200 else { throw failure(exchange, what: "\(what) \(descriptor.digest)") }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else { throw ImageSourceError(.unreadable, "\(path): \(String(cString: strerror(errno)))") }
    var closed = false
    defer { if !closed { close(fd) } }
    let digester = BlobDigester()
    var received: Int64 = 0
    let limit = descriptor.size
    let name = displayName
    do {
      try exchange.streamBody { (piece) throws(ImageSourceError) in
        received += Int64(piece.count)
        guard received <= limit else {
          throw ImageSourceError(.digestMismatch, "docker://\(name): \(what) \(descriptor.digest) is larger than its descriptor's \(limit) bytes")
        }
        digester.update(piece)
        var offset = 0
        while offset < piece.count {
          let written = Glibc.write(fd, piece.baseAddress! + offset, piece.count - offset)
          if written < 0 && errno == EINTR { continue }
          guard written > 0 else { throw ImageSourceError(.unreadable, "\(path): \(String(cString: strerror(errno)))") }
          offset += written
        }
      }
    } catch {
      unlink(path)
      throw error
    }
    closed = true
    close(fd)
    let digest = digester.finish()
    guard received == descriptor.size, digest == descriptor.digest else {
      unlink(path)
      throw ImageSourceError(
        .digestMismatch,
        "docker://\(displayName): \(what) \(descriptor.digest) arrived as \(received) bytes with digest \(digest): tampered or corrupt, not used")
    }
  }
}
