/// The status line and headers of an HTTP response (names lower-cased, repeated ones kept).
struct HTTPResponseHead: Sendable {
  var status: Int
  var headers: [(name: String, value: String)]

  func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
  func all(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }
}

/// One HTTP/1.1 `GET` on a connection of its own (`Connection: close`), the response body read
/// as a stream: Content-Length, chunked, or up to the end of the stream. Plain HTTP is refused
/// for any host but loopback; TLS verifies the peer. One deadline covers it all.
///
/// Header values passed in (`Authorization`) are sent, never logged or put into errors.
final class HTTPExchange {
  let url: HTTPURL
  private(set) var head = HTTPResponseHead(status: 0, headers: [])
  private let connection: NetworkConnection
  private var buffer: [UInt8]
  private var start = 0
  private var end = 0
  /// The most header bytes accepted (status line and headers together).
  static let maximumHeaderBytes = 256 << 10

  init(get url: HTTPURL, headers: [(String, String)], trustedCertificates: String? = nil, deadline: Double) throws(ImageSourceError) {
    guard url.secure || NetworkConnection.isLoopback(url.host) else {
      throw ImageSourceError(
        .unavailable, "refusing plain HTTP to \(url.authority): only loopback registries (localhost, 127.0.0.0/8, ::1) may be spoken to without TLS")
    }
    self.url = url
    connection = try NetworkConnection(host: url.host, port: url.port, tls: url.secure, trustedCertificates: trustedCertificates, deadline: deadline)
    buffer = [UInt8](repeating: 0, count: 64 << 10)
    var request = "GET \(url.target) HTTP/1.1\r\nHost: \(url.authority)\r\nUser-Agent: rigcheck\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    try connection.write(Array(request.utf8))
    head = try readHead()
  }

  // MARK: Buffered reading

  /// Makes sure at least one unread byte is buffered; false at the end of the stream.
  private func fill() throws(ImageSourceError) -> Bool {
    if start < end { return true }
    start = 0
    let connection = connection
    end = try buffer.withUnsafeMutableBytes { raw in Result { () throws(ImageSourceError) in try connection.read(into: raw) } }.get()
    return end > 0
  }

  private func readLine(limit: Int) throws(ImageSourceError) -> String {
    var line: [UInt8] = []
    while true {
      guard try fill() else { throw ImageSourceError(.unavailable, "\(url.authority) closed the connection mid-response") }
      let byte = buffer[start]
      start += 1
      if byte == 10 {
        if line.last == 13 { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
      }
      line.append(byte)
      guard line.count <= limit else { throw ImageSourceError(.malformed, "\(url.authority): an HTTP header line longer than \(limit) bytes") }
    }
  }

  private func readHead() throws(ImageSourceError) -> HTTPResponseHead {
    var total = 0
    let statusLine = try readLine(limit: 8192)
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
      throw ImageSourceError(.malformed, "\(url.authority) did not answer HTTP (status line '\(statusLine.prefix(80))')")
    }
    var headers: [(name: String, value: String)] = []
    while true {
      let line = try readLine(limit: Self.maximumHeaderBytes)
      total += line.count
      guard total <= Self.maximumHeaderBytes else { throw ImageSourceError(.malformed, "\(url.authority): HTTP headers too large") }
      if line.isEmpty { break }
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers.append((line[..<colon].trimmingSpaces().lowercased(), line[line.index(after: colon)...].trimmingSpaces()))
    }
    return HTTPResponseHead(status: status, headers: headers)
  }

  // MARK: Body

  /// Hands the decoded body to `sink` piece by piece; returns its length.
  @discardableResult
  func streamBody(_ sink: (UnsafeRawBufferPointer) throws(ImageSourceError) -> Void) throws(ImageSourceError) -> Int64 {
    if head.status == 204 || head.status == 304 || (100..<200).contains(head.status) { return 0 }
    if head.header("transfer-encoding")?.lowercased().contains("chunked") == true {
      var total: Int64 = 0
      while true {
        let sizeLine = try readLine(limit: 1024)
        let sizeText = sizeLine.split(separator: ";").first.map { String($0).trimmingSpaces() } ?? ""
        guard let size = Int64(sizeText, radix: 16), size >= 0 else {
          throw ImageSourceError(.malformed, "\(url.authority): bad chunk size '\(sizeText.prefix(20))'")
        }
        if size == 0 {
          while try !readLine(limit: 8192).isEmpty {}  // trailers
          return total
        }
        try copy(size, to: sink)
        total += size
        guard try readLine(limit: 2).isEmpty else { throw ImageSourceError(.malformed, "\(url.authority): chunk not followed by CRLF") }
      }
    }
    if let lengthText = head.header("content-length") {
      guard let length = Int64(lengthText), length >= 0 else {
        throw ImageSourceError(.malformed, "\(url.authority): bad Content-Length '\(lengthText.prefix(20))'")
      }
      try copy(length, to: sink)
      return length
    }
    var total: Int64 = 0
    while try fill() {
      let (from, to) = (start, end)
      try buffer.withUnsafeBytes { raw in Result { () throws(ImageSourceError) in try sink(UnsafeRawBufferPointer(rebasing: raw[from..<to])) } }.get()
      total += Int64(end - start)
      start = end
    }
    return total
  }

  private func copy(_ count: Int64, to sink: (UnsafeRawBufferPointer) throws(ImageSourceError) -> Void) throws(ImageSourceError) {
    var left = count
    while left > 0 {
      guard try fill() else {
        throw ImageSourceError(.unavailable, "\(url.authority) closed the connection with \(left) of \(count) bytes of \(url.target) unread")
      }
      let take = Int(min(Int64(end - start), left))
      let from = start
      try buffer.withUnsafeBytes { raw in Result { () throws(ImageSourceError) in try sink(UnsafeRawBufferPointer(rebasing: raw[from..<(from + take)])) } }.get()
      start += take
      left -= Int64(take)
    }
  }

  /// The whole body, refused beyond `limit` bytes.
  func readBody(limit: Int) throws(ImageSourceError) -> [UInt8] {
    var body: [UInt8] = []
    let what = "\(url.authority)\(url.target)"
    try streamBody { (piece) throws(ImageSourceError) in
      guard body.count + piece.count <= limit else { throw ImageSourceError(.hostile, "\(what): the response is larger than \(limit) bytes") }
      body.append(contentsOf: piece)
    }
    return body
  }

  func close() { connection.close() }
}

extension StringProtocol {
  func trimmingSpaces() -> String {
    let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed()
    var out = ""
    out.unicodeScalars.append(contentsOf: scalars)
    return out
  }
}
