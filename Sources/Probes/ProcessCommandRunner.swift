#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Runs commands as real child processes with posix_spawn.
///
/// - stdin is `/dev/null`; stdout and stderr are captured through pipes.
/// - The child gets its own process group; on timeout the whole group is killed with
///   SIGKILL, so a hung `nvidia-smi` or `docker` (and anything it started) never hangs
///   rigcheck.
/// - Output beyond ``outputLimit`` bytes stops the command (``CommandError/outputTooLarge``).
public struct ProcessCommandRunner: CommandRunner {
  /// The environment every command starts from (then `Command.environment` on top).
  public var baseEnvironment: [String: String]
  /// The most bytes accepted on stdout and stderr together.
  public var outputLimit: Int

  public init(baseEnvironment: [String: String] = ProcessEnvironment.current(), outputLimit: Int = 8 << 20) {
    self.baseEnvironment = baseEnvironment
    self.outputLimit = outputLimit
  }

  public func run(_ command: Command) async throws -> CommandResult {
    let environment = baseEnvironment.merging(command.environment) { _, new in new }
    let limit = outputLimit
    return try await withCheckedThrowingContinuation { continuation in
      Platform.runOnNewThread {
        continuation.resume(with: Result { try Self.runBlocking(command, environment: environment, outputLimit: limit) })
      }
    }
  }

  /// Runs a command synchronously on the calling thread (for cleanup where no async context
  /// exists, such as a signal handler). Same rules as ``run(_:)``.
  public static func runBlocking(_ command: Command, environment: [String: String], outputLimit: Int) throws -> CommandResult {
    guard let executable = resolve(command.executable, path: environment["PATH"]) else {
      throw CommandError.notFound(executable: command.executable)
    }
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    guard makePipe(&stdoutPipe) else {
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: errno))
    }
    guard makePipe(&stderrPipe) else {
      close(stdoutPipe[0]); close(stdoutPipe[1])
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: errno))
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setpgroup(&attributes, 0)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    sigaddset(&defaultSignals, SIGPIPE)
    sigaddset(&defaultSignals, SIGINT)
    sigaddset(&defaultSignals, SIGTERM)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = ([executable] + command.arguments).map { strdup($0) } + [nil]
    let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }

    var pid: pid_t = 0
    let spawnResult = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    close(stdoutPipe[1])
    close(stderrPipe[1])
    defer {
      close(stdoutPipe[0])
      close(stderrPipe[0])
    }
    guard spawnResult == 0 else {
      if spawnResult == ENOENT { throw CommandError.notFound(executable: command.executable) }
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: spawnResult))
    }

    let deadline = monotonicSeconds() + command.timeoutSeconds
    var collected: [[UInt8]] = [[], []]
    var open = [true, true]
    let descriptors = [stdoutPipe[0], stderrPipe[0]]
    var buffer = [UInt8](repeating: 0, count: 65536)

    func killGroup() {
      kill(-pid, SIGKILL)
      kill(pid, SIGKILL)
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    while open[0] || open[1] {
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 {
        killGroup()
        throw CommandError.timedOut(command: command.description, seconds: command.timeoutSeconds)
      }
      var pollSet = (0..<2).filter { open[$0] }.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
      let ready = poll(&pollSet, nfds_t(pollSet.count), Int32(min(remaining * 1000, 1000)) + 1)
      if ready < 0 && errno != EINTR {
        killGroup()
        throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: errno))
      }
      for entry in pollSet where entry.revents != 0 {
        let index = entry.fd == descriptors[0] ? 0 : 1
        let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
        if count > 0 {
          collected[index].append(contentsOf: buffer[0..<count])
          if collected[0].count + collected[1].count > outputLimit {
            killGroup()
            throw CommandError.outputTooLarge(command: command.description, limit: outputLimit)
          }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
          open[index] = false
        }
      }
    }

    // Both pipes closed: the process has exited or closed its output; wait, within the deadline.
    var status: Int32 = 0
    while true {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid { break }
      if waited < 0 && errno != EINTR {
        throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: errno))
      }
      if monotonicSeconds() >= deadline {
        killGroup()
        throw CommandError.timedOut(command: command.description, seconds: command.timeoutSeconds)
      }
      usleep(2000)
    }
    let termination = status & 0x7f
    return CommandResult(
      exitCode: termination == 0 ? (status >> 8) & 0xff : nil,
      signal: termination == 0 ? nil : termination,
      stdout: String(decoding: collected[0], as: UTF8.self),
      stderr: String(decoding: collected[1], as: UTF8.self))
  }

  /// pipe(2) with both ends close-on-exec (dup2 into the child clears the flag there).
  static func makePipe(_ descriptors: inout [Int32]) -> Bool {
    guard pipe(&descriptors) == 0 else { return false }
    for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    return true
  }

  /// Finds an executable the way a shell would: a path as given, or a name on PATH.
  static func resolve(_ executable: String, path: String?) -> String? {
    if executable.contains("/") { return access(executable, X_OK) == 0 ? executable : nil }
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(directory)/\(executable)"
      var info = stat()
      if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
        return candidate
      }
    }
    return nil
  }

  static func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }
}

/// The process environment as a value (probes never call setenv).
public enum ProcessEnvironment {
  public static func current() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        result[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return result
  }
}
