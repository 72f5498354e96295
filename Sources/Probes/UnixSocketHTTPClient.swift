import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Why a request over a unix socket got no answer. The connect errors are kept apart because
/// each is a different fix: no socket (no daemon), EACCES (not in the group), ECONNREFUSED
/// (a stale socket left by a dead daemon).
enum UnixSocketHTTPError: Error, Sendable, Equatable, CustomStringConvertible {
  case noSocket(path: String)
  case permissionDenied(path: String)
  case refused(path: String)
  case timedOut(path: String, seconds: Double)
  case tooLarge(limit: Int)
  case malformed(String)
  case system(call: String, errno: Int32)

  var description: String {
    switch self {
    case .noSocket(let path): "\(path) does not exist"
    case .permissionDenied(let path): "permission denied while trying to connect to \(path)"
    case .refused(let path): "connection refused by \(path)"
    case .timedOut(let path, let seconds): "\(path) did not answer within \(seconds) s"
    case .tooLarge(let limit): "the response is larger than \(limit) bytes"
    case .malformed(let reason): "malformed HTTP response: \(reason)"
    case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
    }
  }
}

/// The answer to one request: status, headers (names lower-cased) and the decoded body.
struct HTTPResponse: Sendable {
  var status: Int
  var headers: [String: String]
  var body: [UInt8]
}

/// A minimal HTTP/1.1 client over a unix stream socket, the way the Docker and Podman SDKs
/// talk to their daemons: one `GET` per connection (`Connection: close`), a body framed by
/// Content-Length, chunked transfer encoding or the end of the stream, a bounded response
/// size, and one deadline covering connect, write and every read.
struct UnixSocketHTTPClient: Sendable {
  var socketPath: String
  var timeoutSeconds: Double
  /// Responses (headers and body) beyond this many bytes are an error, not a bigger buffer.
  var maximumResponseBytes: Int = 4 << 20

  func get(_ path: String, host: String = "localhost") throws(UnixSocketHTTPError) -> HTTPResponse {
    let deadline = Self.now() + timeoutSeconds
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
    defer { close(fd) }
    try connectSocket(fd, deadline: deadline)
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: rigcheck\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    try sendAll(fd, Array(request.utf8), deadline: deadline)
    let raw = try readAll(fd, deadline: deadline)
    return try Self.parse(raw, limit: maximumResponseBytes)
  }

  private func connectSocket(_ fd: Int32, deadline: Double) throws(UnixSocketHTTPError) {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(socketPath.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { throw .malformed("socket path longer than \(capacity - 1) bytes: \(socketPath)") }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (index, byte) in bytes.enumerated() { buffer[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    if result == 0 { return }
    switch errno {
    case ENOENT, ENOTDIR: throw .noSocket(path: socketPath)
    case EACCES, EPERM: throw .permissionDenied(path: socketPath)
    case ECONNREFUSED: throw .refused(path: socketPath)
    case EINPROGRESS, EAGAIN:
      // A unix socket whose backlog is full: wait for it like any other read or write.
      try wait(fd, events: Int16(POLLOUT), deadline: deadline)
      var code: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
      if code == ECONNREFUSED { throw .refused(path: socketPath) }
      if code != 0 { throw .system(call: "connect", errno: code) }
    case let code: throw .system(call: "connect", errno: code)
    }
  }

  private func wait(_ fd: Int32, events: Int16, deadline: Double) throws(UnixSocketHTTPError) {
    while true {
      let remaining = deadline - Self.now()
      guard remaining > 0 else { throw .timedOut(path: socketPath, seconds: timeoutSeconds) }
      var descriptor = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up)))
      if ready > 0 { return }
      if ready < 0 && errno != EINTR { throw .system(call: "poll", errno: errno) }
    }
  }

  private func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: Double) throws(UnixSocketHTTPError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
      if written > 0 {
        offset += written
      } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
        try wait(fd, events: Int16(POLLOUT), deadline: deadline)
      } else {
        throw .system(call: "send", errno: errno)
      }
    }
  }

  /// Reads until the peer closes (we asked for `Connection: close`) or the framing says the
  /// body is complete, whichever comes first; never more than the limit.
  private func readAll(_ fd: Int32, deadline: Double) throws(UnixSocketHTTPError) -> [UInt8] {
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
      if count > 0 {
        data += chunk[0..<count]
        if data.count > maximumResponseBytes { throw .tooLarge(limit: maximumResponseBytes) }
        if Self.isComplete(data) { return data }
      } else if count == 0 {
        return data
      } else if errno == EAGAIN || errno == EINTR {
        try wait(fd, events: Int16(POLLIN), deadline: deadline)
      } else {
        throw .system(call: "recv", errno: errno)
      }
    }
  }

  /// Whether `data` already holds a whole response (so a server that keeps the connection
  /// open anyway costs no extra wait).
  static func isComplete(_ data: [UInt8]) -> Bool {
    guard let head = headerEnd(data), let (_, headers) = try? parseHead(Array(data[..<head])) else { return false }
    if let length = headers["content-length"].flatMap({ Int($0) }) { return data.count - head - 4 >= length }
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
      return (try? dechunk(Array(data[(head + 4)...]))) != nil
    }
    return false
  }

  static func headerEnd(_ data: [UInt8]) -> Int? {
    guard data.count >= 4 else { return nil }
    for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
      return index
    }
    return nil
  }

  static func parseHead(_ bytes: [UInt8]) throws(UnixSocketHTTPError) -> (Int, [String: String]) {
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
    let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
      throw .malformed("status line \(lines.first.map(String.init) ?? "")")
    }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].trimmed.lowercased()] = line[line.index(after: colon)...].trimmed
    }
    return (status, headers)
  }

  /// Splits a complete response into status, headers and decoded body.
  static func parse(_ data: [UInt8], limit: Int) throws(UnixSocketHTTPError) -> HTTPResponse {
    guard let head = headerEnd(data) else { throw .malformed("no end of headers in \(data.count) bytes") }
    let (status, headers) = try parseHead(Array(data[..<head]))
    var body = Array(data[(head + 4)...])
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
      guard let decoded = try dechunk(body) else { throw .malformed("chunked body ends early") }
      body = decoded
    } else if let length = headers["content-length"].flatMap({ Int($0) }) {
      guard body.count >= length else { throw .malformed("body has \(body.count) of \(length) bytes") }
      body = Array(body[..<length])
    }
    guard body.count <= limit else { throw .tooLarge(limit: limit) }
    return HTTPResponse(status: status, headers: headers, body: body)
  }

  /// Decodes a chunked body; nil while the last (zero-size) chunk has not arrived.
  static func dechunk(_ data: [UInt8]) throws(UnixSocketHTTPError) -> [UInt8]? {
    var output: [UInt8] = []
    var index = 0
    while true {
      guard let lineEnd = (index..<max(index, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { return nil }
      let sizeText = String(decoding: data[index..<lineEnd], as: UTF8.self).split(separator: ";").first?.trimmed ?? ""
      guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("chunk size \(sizeText)") }
      let start = lineEnd + 2
      if size == 0 { return output }
      guard data.count >= start + size + 2 else { return nil }
      output += data[start..<(start + size)]
      index = start + size + 2
    }
  }

  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
