import CLibSSL

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// One TCP connection, plain or TLS (OpenSSL, the peer's certificate verified against the
/// system's trust store and the host name), where every connect, write and read ends by one
/// deadline: a registry that stops answering is an error, never a hang.
///
/// The socket is non-blocking; waits are `poll` calls bounded by what is left of the deadline
/// (TLS too: `SSL_ERROR_WANT_READ`/`WANT_WRITE` wait the same way).
final class NetworkConnection {
  let host: String
  let port: Int
  /// Monotonic seconds by which everything must be done.
  let deadline: Double
  /// -1 once closed: a second close (``close()`` then `deinit`) must not close a descriptor
  /// number another connection or file has been given meanwhile.
  private var descriptor: Int32
  private var tls: OpaquePointer?
  private var context: OpaquePointer?

  /// Whether `host` is this machine's loopback (`localhost`, `127.0.0.0/8`, `::1`): the only
  /// hosts plain HTTP may be spoken to, as Docker allows for "insecure" registries by default.
  static func isLoopback(_ host: String) -> Bool {
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    if bare == "localhost" || bare == "::1" { return true }
    var address = in_addr()
    return inet_pton(AF_INET, bare, &address) == 1 && (UInt32(bigEndian: address.s_addr) >> 24) == 127
  }

  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// Connects to `host:port`; with `tls`, completes a verified TLS handshake. `trustedCertificates`
  /// (a PEM file, the caller's `SSL_CERT_FILE`) adds certificate authorities to the system's.
  init(host: String, port: Int, tls useTLS: Bool, trustedCertificates: String? = nil, deadline: Double) throws(ImageSourceError) {
    self.host = host
    self.port = port
    self.deadline = deadline
    descriptor = try Self.connectTCP(host: host, port: port, deadline: deadline)
    if useTLS {
      do {
        try handshake(trustedCertificates: trustedCertificates)
      } catch {
        close()
        throw error
      }
    }
  }

  deinit { close() }

  func close() {
    if let tls {
      SSL_free(tls)
      self.tls = nil
    }
    if let context {
      SSL_CTX_free(context)
      self.context = nil
    }
    if descriptor >= 0 { _ = Glibc.close(descriptor) }
    descriptor = -1
  }

  private var name: String { "\(host):\(port)" }

  // MARK: TCP

  private static func connectTCP(host: String, port: Int, deadline: Double) throws(ImageSourceError) -> Int32 {
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    // Name resolution has the resolver's own timeouts (resolv.conf), not ours.
    let status = getaddrinfo(bare, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw ImageSourceError(.unavailable, "\(host): cannot resolve the host name (\(String(cString: gai_strerror(status))))")
    }
    defer { freeaddrinfo(list) }
    var lastError: ImageSourceError?
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let current = entry {
      entry = current.pointee.ai_next
      let fd = socket(current.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
      guard fd >= 0 else { continue }
      if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
      if errno == EINPROGRESS {
        do {
          try wait(fd, events: Int16(POLLOUT), deadline: deadline, what: "\(host):\(port) (connect)")
          var code: Int32 = 0
          var length = socklen_t(MemoryLayout<Int32>.size)
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
          if code == 0 { return fd }
          lastError = ImageSourceError(.unavailable, "\(host):\(port): \(String(cString: strerror(code)))")
        } catch {
          lastError = error
        }
      } else {
        lastError = ImageSourceError(.unavailable, "\(host):\(port): \(String(cString: strerror(errno)))")
      }
      _ = Glibc.close(fd)
    }
    throw lastError ?? ImageSourceError(.unavailable, "\(host):\(port): no address to connect to")
  }

  private static func wait(_ fd: Int32, events: Int16, deadline: Double, what: String) throws(ImageSourceError) {
    while true {
      let remaining = deadline - now()
      guard remaining > 0 else { throw ImageSourceError(.unavailable, "\(what) did not answer in time") }
      var entry = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&entry, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
      if ready > 0 { return }
      if ready < 0 && errno != EINTR { throw ImageSourceError(.unavailable, "\(what): poll: \(String(cString: strerror(errno)))") }
    }
  }

  // MARK: TLS

  private func handshake(trustedCertificates: String?) throws(ImageSourceError) {
    guard let context = cssl_client_context() else {
      throw ImageSourceError(.unavailable, "\(name): cannot set up TLS (OpenSSL: \(Self.openSSLError()))")
    }
    self.context = context
    if let trustedCertificates, SSL_CTX_load_verify_locations(context, trustedCertificates, nil) != 1 {
      throw ImageSourceError(.unreadable, "\(trustedCertificates) (SSL_CERT_FILE): not a readable PEM certificate file")
    }
    guard let tls = SSL_new(context) else { throw ImageSourceError(.unavailable, "\(name): SSL_new failed") }
    self.tls = tls
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var address = in6_addr()
    let isAddress = inet_pton(AF_INET, bare, &address) == 1 || inet_pton(AF_INET6, bare, &address) == 1
    if !isAddress { _ = cssl_set_server_name(tls, bare) }
    guard cssl_expect_host(tls, bare, isAddress ? 1 : 0) == 1, SSL_set_fd(tls, descriptor) == 1 else {
      throw ImageSourceError(.unavailable, "\(name): cannot set up TLS (OpenSSL: \(Self.openSSLError()))")
    }
    while true {
      ERR_clear_error()
      let result = SSL_connect(tls)
      if result == 1 { return }
      let code = SSL_get_error(tls, result)
      if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
        try Self.wait(descriptor, events: Int16(code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), deadline: deadline, what: "\(name) (TLS handshake)")
        continue
      }
      let verify = SSL_get_verify_result(tls)
      let reason =
        verify != X509_V_OK
        ? "certificate not trusted: \(String(cString: X509_verify_cert_error_string(verify)))" : Self.openSSLError()
      throw ImageSourceError(.unavailable, "\(name): TLS handshake failed (\(reason))")
    }
  }

  private static func openSSLError() -> String {
    let code = ERR_get_error()
    guard code != 0 else { return "connection closed" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: I/O

  func write(_ bytes: [UInt8]) throws(ImageSourceError) {
    var offset = 0
    while offset < bytes.count {
      let count = bytes.count - offset
      if let tls {
        ERR_clear_error()
        let written = bytes.withUnsafeBytes { SSL_write(tls, $0.baseAddress! + offset, Int32(count)) }
        if written > 0 {
          offset += Int(written)
          continue
        }
        try waitForTLS(result: written, what: "write")
      } else {
        let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, count, Int32(MSG_NOSIGNAL)) }
        if written > 0 {
          offset += written
        } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
          try Self.wait(descriptor, events: Int16(POLLOUT), deadline: deadline, what: name)
        } else {
          throw ImageSourceError(.unavailable, "\(name): send: \(String(cString: strerror(errno)))")
        }
      }
    }
  }

  /// Reads what is there (at most `buffer.count` bytes); 0 at the end of the stream.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageSourceError) -> Int {
    while true {
      if let tls {
        ERR_clear_error()
        let count = SSL_read(tls, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if count > 0 { return Int(count) }
        let code = SSL_get_error(tls, count)
        if code == SSL_ERROR_ZERO_RETURN { return 0 }
        // A peer that closes without close_notify (common for HTTP/1.1 `Connection: close`).
        if code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 { return 0 }
        if code == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING { return 0 }
        try waitForTLS(result: count, what: "read")
      } else {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        if count >= 0 { return count }
        guard errno == EAGAIN || errno == EINTR else {
          throw ImageSourceError(.unavailable, "\(name): recv: \(String(cString: strerror(errno)))")
        }
        try Self.wait(descriptor, events: Int16(POLLIN), deadline: deadline, what: name)
      }
    }
  }

  private func waitForTLS(result: Int32, what: String) throws(ImageSourceError) {
    guard let tls else { return }
    let code = SSL_get_error(tls, result)
    switch code {
    case SSL_ERROR_WANT_READ: try Self.wait(descriptor, events: Int16(POLLIN), deadline: deadline, what: name)
    case SSL_ERROR_WANT_WRITE: try Self.wait(descriptor, events: Int16(POLLOUT), deadline: deadline, what: name)
    default: throw ImageSourceError(.unavailable, "\(name): TLS \(what) failed (\(Self.openSSLError()))")
    }
  }
}
