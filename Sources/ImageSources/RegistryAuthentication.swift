import Fingerprint

/// A registry's `WWW-Authenticate` challenge and how to answer it: `Basic` with the stored
/// credentials, or `Bearer`: a token from the realm's token endpoint (credentials, when any,
/// sent there as Basic), per the Distribution token specification
/// (https://distribution.github.io/distribution/spec/auth/token/ "How to authenticate":
/// GET realm?service=…&scope=repository:NAME:pull, answer `{"token": …}` or `{"access_token": …}`).
struct RegistryChallenge: Sendable, Hashable {
  /// Lower-cased: `basic`, `bearer`.
  var scheme: String
  /// Parameter names lower-cased, values unquoted.
  var parameters: [String: String]

  /// The first challenge rigcheck can answer among a response's `WWW-Authenticate` headers.
  static func parse(_ headers: [String]) -> RegistryChallenge? {
    let challenges = headers.compactMap(parseOne)
    return challenges.first { $0.scheme == "bearer" } ?? challenges.first { $0.scheme == "basic" }
  }

  /// `Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"`.
  static func parseOne(_ header: String) -> RegistryChallenge? {
    let trimmed = header.trimmingSpaces()
    let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
    let scheme = trimmed[..<schemeEnd].lowercased()
    guard !scheme.isEmpty else { return nil }
    var parameters: [String: String] = [:]
    var rest = Substring(trimmed[schemeEnd...])
    while true {
      rest = rest.drop { $0 == " " || $0 == "," }
      guard let equals = rest.firstIndex(of: "=") else { break }
      let name = rest[..<equals].trimmingSpaces().lowercased()
      rest = rest[rest.index(after: equals)...]
      var value = ""
      if rest.first == "\"" {
        rest = rest.dropFirst()
        var escaped = false
        while let character = rest.first {
          rest = rest.dropFirst()
          if escaped {
            value.append(character)
            escaped = false
          } else if character == "\\" {
            escaped = true
          } else if character == "\"" {
            break
          } else {
            value.append(character)
          }
        }
      } else {
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        value = rest[..<end].trimmingSpaces()
        rest = rest[end...]
      }
      if !name.isEmpty { parameters[name] = value }
    }
    return RegistryChallenge(scheme: scheme, parameters: parameters)
  }

  /// The `Authorization` header value answering this challenge for pulls of `repository`.
  /// Credentials travel only over TLS or to loopback ( ``HTTPExchange`` refuses anything else).
  func authorization(
    repository: String, registryHost: String, credentials: RegistryCredentials?, trustedCertificates: String? = nil, deadline: Double
  ) throws(ImageSourceError) -> String {
    switch scheme {
    case "basic":
      guard let credentials else {
        throw ImageSourceError(.unavailable, "\(registryHost) asks for a user name and password, and none is stored for it (docker login \(registryHost))")
      }
      return credentials.basicAuthorization
    case "bearer":
      return "Bearer "
        + (try fetchToken(
          repository: repository, registryHost: registryHost, credentials: credentials, trustedCertificates: trustedCertificates, deadline: deadline))
    default:
      throw ImageSourceError(.unavailable, "\(registryHost) asks for '\(scheme)' authentication, which rigcheck does not speak (Basic and Bearer only)")
    }
  }

  private func fetchToken(
    repository: String, registryHost: String, credentials: RegistryCredentials?, trustedCertificates: String?, deadline: Double
  ) throws(ImageSourceError) -> String {
    guard let realmText = parameters["realm"], var realm = HTTPURL(realmText) else {
      throw ImageSourceError(.malformed, "\(registryHost): its Bearer challenge names no usable token realm")
    }
    var query: [String] = []
    if let service = parameters["service"] { query.append("service=" + HTTPURL.encodeQueryValue(service)) }
    query.append("scope=" + HTTPURL.encodeQueryValue(parameters["scope"] ?? "repository:\(repository):pull"))
    realm.target += (realm.target.contains("?") ? "&" : "?") + query.joined(separator: "&")
    var headers: [(String, String)] = [("Accept", "application/json")]
    if let credentials { headers.append(("Authorization", credentials.basicAuthorization)) }
    let exchange = try HTTPExchange(get: realm, headers: headers, trustedCertificates: trustedCertificates, deadline: deadline)
    defer { exchange.close() }
    let body = try exchange.readBody(limit: 1 << 20)
    switch exchange.head.status {
    case 200: break
    case 401, 403:
      throw ImageSourceError(
        .unavailable,
        "the token service of \(registryHost) (\(realm.authority)) refused \(credentials == nil ? "anonymous access" : "the stored credentials") to \(repository) (HTTP \(exchange.head.status))")
    default:
      throw ImageSourceError(.unavailable, "the token service of \(registryHost) (\(realm.authority)) answered HTTP \(exchange.head.status)")
    }
    guard let answer = try? JSONTree.parse(Data(body)), let token = answer["token"]?.nonEmptyString ?? answer["access_token"]?.nonEmptyString else {
      throw ImageSourceError(.malformed, "the token service of \(registryHost) (\(realm.authority)) answered no token")
    }
    return token
  }
}
