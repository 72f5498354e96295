import Fingerprint

/// Reads the cgroup version and the CPU and memory limits of the host's (or, on `/`, this
/// process's) control group.
///
/// Sources: `/sys/fs/cgroup/cgroup.controllers` (present on cgroup v2), the group membership
/// (``HostRoot/hostProcessFile(_:fallbacks:)``: `/proc/self/cgroup` on `/`, `/proc/1/cgroup`
/// under another root, so a DaemonSet pod reading the node at `/host` describes the node, not
/// its own pod), `cpu.max` and `memory.max` (v2) or `cpu.cfs_quota_us`, `cpu.cfs_period_us` and
/// `memory.limit_in_bytes` (v1) of that group. Container evidence: `/.dockerenv`,
/// `/run/.containerenv`, `KUBERNETES_SERVICE_HOST` (on `/`), or a container-shaped cgroup path.
enum CgroupProbe {
  static func probe(_ context: ProbeContext) -> Observed<CgroupInfo> {
    let root = context.root
    let version: Int
    if root.exists("/sys/fs/cgroup/cgroup.controllers") {
      version = 2
    } else if root.kind(of: "/sys/fs/cgroup/memory") == .directory || root.kind(of: "/sys/fs/cgroup/cpu") == .directory {
      version = 1
    } else {
      return .absent("/sys/fs/cgroup holds neither cgroup v2 nor v1 controllers", source: "file:/sys/fs/cgroup")
    }
    let file = root.hostProcessFile("cgroup")
    let membership = file?.text ?? ""
    let evidence = containerEvidence(context, membership: membership)

    /// A group's directory under a hierarchy, or the hierarchy's root when the path cannot be
    /// followed: outside the reader's cgroup namespace (`/../../init.scope`) or not mounted here.
    func directory(_ hierarchy: String, _ group: String) -> String {
      guard group != "/", !group.split(separator: "/").contains(".."), root.kind(of: hierarchy + group) == .directory else { return hierarchy }
      return hierarchy + group
    }
    var cpuCores: String?
    var memoryLimit: UInt64?
    if version == 2 {
      let base = directory("/sys/fs/cgroup", groupPath(membership, controller: nil))
      cpuCores = root.readValue(base + "/cpu.max").flatMap(parseCPUMax)
      memoryLimit = root.readValue(base + "/memory.max").flatMap(parseLimit)
    } else {
      let cpu = directory("/sys/fs/cgroup/cpu", groupPath(membership, controller: "cpu"))
      let quota = root.readValue(cpu + "/cpu.cfs_quota_us").flatMap { Int64($0) }
      let period = root.readValue(cpu + "/cpu.cfs_period_us").flatMap { Int64($0) }
      if let quota, let period, quota > 0, period > 0 { cpuCores = formatCores(quota: quota, period: period) }
      let memory = directory("/sys/fs/cgroup/memory", groupPath(membership, controller: "memory"))
      memoryLimit = root.readValue(memory + "/memory.limit_in_bytes").flatMap(parseLimit)
    }
    return .present(
      CgroupInfo(
        version: version, inContainer: evidence != nil, containerEvidence: evidence, cpuLimitCores: cpuCores,
        memoryLimitBytes: memoryLimit),
      from: "file:/sys/fs/cgroup,\(file?.path ?? (root.isLive ? "/proc/self/cgroup" : "/proc/1/cgroup"))")
  }

  /// The group path from a `/proc/<pid>/cgroup` file: the `0::/…` line on v2, the line naming
  /// `controller` on v1 (`4:cpu,cpuacct:/…`); `/` when there is none.
  static func groupPath(_ membership: String, controller: String?) -> String {
    for line in membership.split(separator: "\n") {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3 else { continue }
      if let controller {
        if fields[1].split(separator: ",").contains(Substring(controller)) { return String(fields[2]) }
      } else if fields[0] == "0" && fields[1].isEmpty {
        return String(fields[2])
      }
    }
    return "/"
  }

  /// The v2 group path (`0::/user.slice/…`); kept for the fuzzer's entry point.
  static func ownGroupPath(_ membership: String, version: Int) -> String {
    version == 2 ? groupPath(membership, controller: nil) : "/"
  }

  static func containerEvidence(_ context: ProbeContext, membership: String) -> String? {
    if context.root.exists("/.dockerenv") { return "/.dockerenv exists" }
    if context.root.exists("/run/.containerenv") { return "/run/.containerenv exists" }
    if context.root.isLive, context.environment["KUBERNETES_SERVICE_HOST"] != nil { return "KUBERNETES_SERVICE_HOST is set" }
    for marker in ["/docker/", "/docker-", "/kubepods", "/libpod-", "/lxc/"] where membership.contains(marker) {
      return "cgroup path contains \(marker)"
    }
    return nil
  }

  /// `max 100000` → nil (unlimited); `150000 100000` → `1.5`.
  static func parseCPUMax(_ text: String) -> String? {
    let fields = text.split(separator: " ")
    guard fields.count == 2, let quota = Int64(fields[0]), let period = Int64(fields[1]), quota > 0, period > 0 else { return nil }
    return formatCores(quota: quota, period: period)
  }

  static func formatCores(quota: Int64, period: Int64) -> String {
    // Quotas come from files: multiply without overflowing (found by fuzzing).
    let (scaled, overflow) = quota.multipliedReportingOverflow(by: 100)
    let hundredths = overflow ? Int64(min(Double(quota) / Double(period) * 100, 9e17)) : (scaled + period / 2) / period
    let whole = hundredths / 100
    let fraction = hundredths % 100
    if fraction == 0 { return String(whole) }
    let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0\(fraction)" : String(fraction))
    return "\(whole).\(digits)"
  }

  /// `max` or a v1 "unlimited" sentinel (≥ 2^62) → nil; otherwise the byte count.
  static func parseLimit(_ text: String) -> UInt64? {
    guard let value = UInt64(text), value < (1 << 62) else { return nil }
    return value
  }
}
