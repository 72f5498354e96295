/// An `http://` or `https://` URL as a registry client needs it: scheme, host, port and the
/// request target (path and query), with `Location` headers and token realms resolved against it.
struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
  var secure: Bool
  /// As written, IPv6 literals in brackets (`[::1]`).
  var host: String
  var port: Int
  /// Path and query, starting with `/`.
  var target: String

  init(secure: Bool, host: String, port: Int? = nil, target: String) {
    self.secure = secure
    self.host = host
    self.port = port ?? (secure ? 443 : 80)
    self.target = target.hasPrefix("/") ? target : "/" + target
  }

  /// `https://host[:port]/path?query`; nil for anything else (other schemes, user info, no host).
  init?(_ text: String) {
    let secure: Bool
    let rest: Substring
    if text.lowercased().hasPrefix("https://") {
      secure = true
      rest = text.dropFirst("https://".count)
    } else if text.lowercased().hasPrefix("http://") {
      secure = false
      rest = text.dropFirst("http://".count)
    } else {
      return nil
    }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    var target = String(rest[authorityEnd...].prefix { $0 != "#" })
    if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
    guard !authority.isEmpty, !authority.contains("@") else { return nil }
    guard let (host, port) = Self.splitAuthority(String(authority)) else { return nil }
    self.init(secure: secure, host: host, port: port, target: target)
  }

  /// `host`, `host:port`, `[v6]`, `[v6]:port`.
  static func splitAuthority(_ authority: String) -> (String, Int?)? {
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      let host = String(authority[...close])
      let after = authority[authority.index(after: close)...]
      if after.isEmpty { return (host, nil) }
      guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (1...65535).contains(port) else { return nil }
      return (host, port)
    }
    let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), !parts[0].isEmpty else { return nil }
    if parts.count == 1 { return (String(parts[0]), nil) }
    guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
    return (String(parts[0]), port)
  }

  /// `Host:` header value: the port only when it is not the scheme's default.
  var authority: String { port == (secure ? 443 : 80) ? host : "\(host):\(port)" }

  var description: String { "\(secure ? "https" : "http")://\(authority)\(target)" }

  /// A `Location` header (absolute, or a path on this host) resolved against this URL.
  func resolving(_ location: String) -> HTTPURL? {
    if let absolute = HTTPURL(location) { return absolute }
    if location.hasPrefix("//") { return HTTPURL((secure ? "https:" : "http:") + location) }
    guard location.hasPrefix("/") else { return nil }
    return HTTPURL(secure: secure, host: host, port: port, target: location)
  }

  /// Percent-encodes a query value (RFC 3986 unreserved characters pass).
  static func encodeQueryValue(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
      let scalar = Unicode.Scalar(byte)
      if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar) {
        out.unicodeScalars.append(scalar)
      } else {
        let hex = Array("0123456789ABCDEF")
        out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xf)])
      }
    }
    return out
  }
}
