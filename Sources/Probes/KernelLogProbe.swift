import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Xid (GPU) and SXid (NVSwitch) events in the kernel log.
///
/// On a live host the log is `/dev/kmsg`, read without blocking: opened with `O_NONBLOCK`, one
/// record per `read(2)` until `EAGAIN` (the end of the buffer), at most ``recordLimit`` records
/// (Documentation/ABI/testing/dev-kmsg: "the reader is given EAGAIN … when no more records
/// are available"; `EPIPE` when a record was overwritten while reading, after which reading
/// goes on). Under a root that is not `/`, the captured `dmesg` output at ``capturedPath``; under
/// a root holding a running procfs (the node's `/` in a DaemonSet pod), `/dev/kmsg` as well.
///
/// The driver's line (open-gpu-kernel-modules, `nvErrorLog_va`):
/// `NVRM: Xid (PCI:0000:18:00): 79, pid=1234, name=python, GPU has fallen off the bus.`
/// Older drivers omit `PCI:`; NVSwitch lines read
/// `nvidia-nvswitch0: SXid (PCI:0000:c2:00.0): 20034, Fatal, Link 28 LTSSM Fault Up`.
enum KernelLogProbe {
  static let capturedPath = "/captured/dmesg.txt"
  static let livePath = "/dev/kmsg"
  /// The kernel's ring buffer holds at most a few hundred thousand records (log_buf_len ≤ 32 MiB).
  static let recordLimit = 500_000

  static func probe(_ context: ProbeContext) -> Observed<KernelLogReading> {
    let root = context.root
    if root.isLive { return readKmsg(path: livePath) }
    if root.hasLiveProcfs && !root.exists(capturedPath) {
      // A pod with the node's / at the root (a DaemonSet): there is one kernel log per kernel,
      // and the pod's /dev/kmsg is the node's.
      return readKmsg(path: livePath)
    }
    let text: String
    do {
      text = try root.read(capturedPath, limit: 64 << 20)
    } catch .notFound {
      return .absent(
        "not probed: the kernel log describes this machine, not the tree, and the tree has no \(capturedPath) (scripts/capture-host.sh writes it)",
        source: "file:\(capturedPath)")
    } catch {
      return .unreadable(error.description, source: "file:\(capturedPath)")
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    return .present(summarize(lines.map(String.init), truncated: false), from: "file:\(capturedPath) (dmesg)")
  }

  static func readKmsg(path: String) -> Observed<KernelLogReading> {
    let source = "file:\(path)"
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == ENOENT { return .absent("\(path) does not exist (no kernel log device; a container without /dev/kmsg)", source: source) }
      let hint = code == EPERM || code == EACCES ? " (reading the kernel log needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)" : ""
      return .unreadable("cannot open \(path): \(Platform.describe(errno: code))\(hint)", source: source)
    }
    defer { close(fd) }
    var records: [String] = []
    var buffer = [UInt8](repeating: 0, count: 8192)
    var truncated = false
    while true {
      if records.count >= recordLimit {
        truncated = true
        break
      }
      let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count > 0 {
        records.append(message(ofKmsgRecord: String(decoding: buffer[0..<count], as: UTF8.self)))
        continue
      }
      if count == 0 { break }
      let code = errno
      if code == EINTR || code == EPIPE { continue }
      if code == EAGAIN || code == EWOULDBLOCK { break }
      if records.isEmpty {
        let hint = code == EPERM || code == EACCES ? " (reading the kernel log needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)" : ""
        return .unreadable("cannot read \(path): \(Platform.describe(errno: code))\(hint)", source: source)
      }
      break
    }
    return .present(summarize(records, truncated: truncated), from: source)
  }

  /// `6,1234,5678901,-;NVRM: Xid …\n SUBSYSTEM=…` → `NVRM: Xid …`.
  static func message(ofKmsgRecord record: String) -> String {
    let firstLine = record.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    guard let semicolon = firstLine.firstIndex(of: ";") else { return String(firstLine) }
    return String(firstLine[firstLine.index(after: semicolon)...])
  }

  /// One parsed Xid or SXid line.
  struct Event: Sendable, Hashable {
    var kind: XidEventSummary.Kind
    var code: Int
    var device: String
    var text: String
  }

  /// Parses `… NVRM: Xid (PCI:0000:18:00): 79, pid=…` or `… SXid (PCI:0000:c2:00.0): 20034, …`.
  static func parse(_ line: String) -> Event? {
    guard let marker = line.firstRange(of: "Xid (") else { return nil }
    let isSXid = marker.lowerBound > line.startIndex && line[line.index(before: marker.lowerBound)] == "S"
    if !isSXid && !line[..<marker.lowerBound].hasSuffix("NVRM: ") { return nil }
    let afterParen = line[marker.upperBound...]
    guard let close = afterParen.firstRange(of: "): ") else { return nil }
    var device = String(afterParen[..<close.lowerBound])
    if device.hasPrefix("PCI:") { device.removeFirst(4) }
    let rest = afterParen[close.upperBound...]
    let digits = rest.prefix { $0.isNumber }
    guard !digits.isEmpty, let code = Int(digits) else { return nil }
    let textStart = isSXid ? line.index(marker.lowerBound, offsetBy: -1) : line.index(marker.lowerBound, offsetBy: -"NVRM: ".count)
    return Event(kind: isSXid ? .sxid : .xid, code: code, device: device.lowercased(), text: String(line[textStart...]).trimmed)
  }

  static func summarize(_ lines: [String], truncated: Bool) -> KernelLogReading {
    struct Key: Hashable { var kind: XidEventSummary.Kind; var code: Int }
    var order: [Key] = []
    var counts: [Key: Int] = [:]
    var devices: [Key: Set<String>] = [:]
    var latest: [Key: String] = [:]
    for line in lines {
      guard let event = parse(line) else { continue }
      let key = Key(kind: event.kind, code: event.code)
      if counts[key] == nil { order.append(key) }
      counts[key, default: 0] += 1
      devices[key, default: []].insert(event.device)
      latest[key] = event.text
    }
    let events = order.map { key in
      XidEventSummary(kind: key.kind, code: key.code, count: counts[key]!, devices: devices[key]!.sorted(), latest: latest[key]!)
    }.sorted { ($0.kind == .xid ? 0 : 1, $0.code) < ($1.kind == .xid ? 0 : 1, $1.code) }
    return KernelLogReading(recordsRead: lines.count, truncated: truncated, events: events)
  }
}
