#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif
import Fingerprint

/// Small wrappers over the C library, kept in one place.
enum Platform {
  /// `strerror(errno)` as a Swift string.
  static func describe(errno code: Int32) -> String {
    String(cString: strerror(code))
  }

  /// uname(2)'s machine field, e.g. `x86_64`.
  static func machineArchitecture() -> String? {
    var name = utsname()
    guard uname(&name) == 0 else { return nil }
    return withUnsafeBytes(of: &name.machine) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// The C library this process runs on (`glibc 2.36`), from confstr(3).
  static func runningLibc() -> LibcInfo? {
    #if canImport(Glibc)
      var buffer = [CChar](repeating: 0, count: 64)
      let length = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
      guard length > 0 else { return nil }
      let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let parts = text.split(separator: " ")
      guard parts.count == 2 else { return nil }
      return LibcInfo(name: parts[0] == "glibc" ? "glibc" : String(parts[0]), version: String(parts[1]))
    #else
      return nil
    #endif
  }

  /// Total and free bytes of the filesystem holding `path`.
  static func filesystemSpace(_ path: String) -> (total: UInt64, free: UInt64)? {
    var stats = statvfs()
    guard statvfs(path, &stats) == 0 else { return nil }
    let blockSize = UInt64(stats.f_frsize)
    return (UInt64(stats.f_blocks) * blockSize, UInt64(stats.f_bavail) * blockSize)
  }

  /// The filesystem type mounted exactly at `path` in this process's mount table
  /// (`/proc/self/mounts` of the running machine), or nil when nothing is mounted there.
  static func mountedFilesystem(at path: String) -> String? {
    guard let text = try? HostRoot().read("/proc/self/mounts") else { return nil }
    return SystemProbes.parseMounts(text).last { $0.mountPoint == path }?.filesystem
  }

  /// Whether `path` is a mounted procfs, not a copy of one.
  static func isProcfs(_ path: String) -> Bool { mountedFilesystem(at: path) == "proc" }

  /// Whether a tmpfs is mounted at `path`, so statvfs(3) of it measures that tmpfs, not the
  /// disk holding a captured tree.
  static func isOwnTmpfsMount(_ path: String) -> Bool { mountedFilesystem(at: path) == "tmpfs" }

  /// The current time as RFC 3339 UTC, seconds precision.
  static func utcTimestamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    func pad(_ value: Int32, _ width: Int = 2) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
      + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
  }

  /// Runs blocking work on a thread of its own, so a slow command or file never waits for (or
  /// starves) a shared thread pool.
  static func runOnNewThread(_ work: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
      let work: @Sendable () -> Void
      init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }
    let box = Unmanaged.passRetained(Box(work)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { argument in
      let box = Unmanaged<AnyObject>.fromOpaque(argument!).takeRetainedValue()
      (box as! Box).work()
      return nil
    }, box)
    if started == 0 {
      pthread_detach(thread)
    } else {
      // No thread available: run here rather than not at all.
      let box = Unmanaged<AnyObject>.fromOpaque(box).takeRetainedValue()
      (box as! Box).work()
    }
  }
}

/// The platform facts: whose view the mount and cgroup facts are, WSL, the driver's libraries.
enum PlatformProbe {
  static func probe(
    _ context: ProbeContext, kernel: Observed<KernelInfo>, cgroup: Observed<CgroupInfo>, sharedMemory: Observed<SharedMemoryInfo>
  ) -> PlatformFacts {
    let root = context.root
    var containerView: [String] = []
    if cgroup.status == .present, root.hostProcessFile("cgroup")?.describesOwnContainer == true { containerView.append("cgroup") }
    if sharedMemory.status == .present, root.hostProcessFile("mounts", fallbacks: ["/proc/mounts"])?.describesOwnContainer == true {
      containerView.append("sharedMemory")
    }
    let wsl = wsl(context, kernel: kernel)
    return PlatformFacts(
      containerViewFacts: containerView.sorted(), wsl: wsl,
      nvidiaLibraries: NvidiaLibraryProbe.probe(context, architecture: kernel.value?.architecture, wsl: wsl?.version == 2))
  }

  /// WSL from its kernel's release (`5.15.167.4-microsoft-standard-WSL2`; WSL1 reports
  /// `4.4.0-19041-Microsoft`), or from `/dev/dxg` beside `/usr/lib/wsl` under a custom kernel.
  static func wsl(_ context: ProbeContext, kernel: Observed<KernelInfo>) -> WSLInfo? {
    let release = kernel.value?.release ?? ""
    let device = context.root.exists("/dev/dxg") ? "/dev/dxg" : nil
    if release.lowercased().contains("microsoft") {
      let lower = release.lowercased()
      let version = lower.contains("wsl2") || lower.contains("microsoft-standard") ? 2 : 1
      return WSLInfo(version: version, gpuDevice: device, evidence: "kernel \(release)")
    }
    if let device, context.root.kind(of: NvidiaLibraryProbe.wslDriverRoot) == .directory {
      return WSLInfo(version: 2, gpuDevice: device, evidence: "\(device) and \(NvidiaLibraryProbe.wslDriverRoot) exist")
    }
    return nil
  }
}
