import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Runs commands as real child processes with posix_spawn.
///
/// - stdin is `/dev/null`; stdout and stderr are captured through pipes made close-on-exec
///   atomically (`pipe2(O_CLOEXEC)`), and every other descriptor is closed in the child
///   (`posix_spawn_file_actions_addclosefrom_np`): a child sees only 0, 1 and 2, however many
///   commands other threads start at the same moment.
/// - The child gets its own process group; on timeout the whole group is killed with
///   SIGKILL, so a hung `nvidia-smi` or `docker` (and anything it started) never hangs
///   rigcheck.
/// - Output beyond ``outputLimit`` bytes stops the command (``CommandError/outputTooLarge``).
/// - Every child is recorded in ``ChildProcesses/shared`` from the instant it is spawned until
///   it is reaped, so an interruption (SIGINT, SIGTERM, SIGHUP) can stop them all: see
///   ``ChildProcesses/interrupt(grace:)`` and ``OnInterrupt``.
///
/// Why not swift-subprocess (1.0.2)? It covers the pipes, process groups, closing
/// descriptors and output limits, but an interruption needs two things it cannot give: the
/// spawn and the record of the child's pid under one lock (so no child can start after the
/// interruption has looked, and none is missed), and reaping under that lock (so a pid is
/// never signalled after it was reaped and reused). It is also async only, while the
/// interruption's clean-up (`docker rm -f`) runs where no async context exists, and it would
/// be the package's first dependency below Probes.
public struct ProcessCommandRunner: CommandRunner {
  /// What an interruption (``ChildProcesses/interrupt(grace:)``) does to a command.
  public enum OnInterrupt: Sendable, Hashable {
    /// Its process group is killed at once, and the command throws ``CommandError/interrupted(command:)``.
    case kill
    /// It is left to finish, within the interruption's grace period, then killed: for a step
    /// whose effect must be known before cleaning up, such as `docker create` (a container
    /// the daemon creates after its client was killed would be missed by the clean-up).
    /// Its result is returned as usual.
    case finish
    /// Clean-up work (`docker rm -f`): still started after an interruption, and never stopped by one.
    case cleanUp
  }

  /// The environment every command starts from (then `Command.environment` on top).
  public var baseEnvironment: [String: String]
  /// The most bytes accepted on stdout and stderr together.
  public var outputLimit: Int
  /// What an interruption does to this runner's commands.
  public var onInterrupt: OnInterrupt

  public init(baseEnvironment: [String: String] = ProcessEnvironment.current(), outputLimit: Int = 8 << 20, onInterrupt: OnInterrupt = .kill) {
    self.baseEnvironment = baseEnvironment
    self.outputLimit = outputLimit
    self.onInterrupt = onInterrupt
  }

  public func run(_ command: Command) async throws -> CommandResult {
    let environment = baseEnvironment.merging(command.environment) { _, new in new }
    let limit = outputLimit
    let onInterrupt = onInterrupt
    return try await withCheckedThrowingContinuation { continuation in
      Platform.runOnNewThread {
        continuation.resume(
          with: Result { try Self.runBlocking(command, environment: environment, outputLimit: limit, onInterrupt: onInterrupt) })
      }
    }
  }

  /// Runs a command synchronously on the calling thread (for cleanup where no async context
  /// exists, such as a signal handler). Same rules as ``run(_:)``.
  public static func runBlocking(
    _ command: Command, environment: [String: String], outputLimit: Int, onInterrupt: OnInterrupt = .kill
  ) throws -> CommandResult {
    guard let executable = resolve(command.executable, path: environment["PATH"]) else {
      throw CommandError.notFound(executable: command.executable)
    }
    guard let stdoutPipe = makePipe() else {
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: errno))
    }
    guard let stderrPipe = makePipe() else {
      let error = errno
      close(stdoutPipe.read)
      close(stdoutPipe.write)
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: error))
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
    // Descriptors someone opened without O_CLOEXEC (a library, Foundation) stay with us.
    _ = LateBoundLibc.addCloseFrom?(&actions, 3)

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

    let spawned = ChildProcesses.shared.spawn(onInterrupt) { () -> (Int32, pid_t) in
      var pid: pid_t = 0
      let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
      return (result, pid)
    }
    close(stdoutPipe.write)
    close(stderrPipe.write)
    defer {
      close(stdoutPipe.read)
      close(stderrPipe.read)
    }
    guard let (spawnResult, pid) = spawned else { throw CommandError.interrupted(command: command.description) }
    guard spawnResult == 0 else {
      if spawnResult == ENOENT { throw CommandError.notFound(executable: command.executable) }
      throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: spawnResult))
    }

    let deadline = monotonicSeconds() + command.timeoutSeconds
    var collected: [[UInt8]] = [[], []]
    var open = [true, true]
    let descriptors = [stdoutPipe.read, stderrPipe.read]
    var buffer = [UInt8](repeating: 0, count: 65536)

    func killGroup() {
      kill(-pid, SIGKILL)
      kill(pid, SIGKILL)
      _ = ChildProcesses.shared.reap(pid, until: .infinity)
    }
    /// Killed by an interruption: the output is cut short and means nothing.
    func interrupted() -> Bool { onInterrupt == .kill && ChildProcesses.shared.isInterrupted }

    while open[0] || open[1] {
      if interrupted() {
        killGroup()
        throw CommandError.interrupted(command: command.description)
      }
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 {
        killGroup()
        throw CommandError.timedOut(command: command.description, seconds: command.timeoutSeconds)
      }
      var pollSet = (0..<2).filter { open[$0] }.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
      let ready = poll(&pollSet, nfds_t(pollSet.count), Int32(min(remaining * 1000, 250)) + 1)
      if ready < 0 && errno != EINTR {
        let error = errno
        killGroup()
        throw CommandError.launchFailed(command: command.description, reason: Platform.describe(errno: error))
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
    guard let status = ChildProcesses.shared.reap(pid, until: deadline) else {
      killGroup()
      throw CommandError.timedOut(command: command.description, seconds: command.timeoutSeconds)
    }
    if interrupted() { throw CommandError.interrupted(command: command.description) }
    guard status != -1 else {
      throw CommandError.launchFailed(command: command.description, reason: "its exit status was lost (reaped elsewhere)")
    }
    let termination = status & 0x7f
    return CommandResult(
      exitCode: termination == 0 ? (status >> 8) & 0xff : nil,
      signal: termination == 0 ? nil : termination,
      stdout: String(decoding: collected[0], as: UTF8.self),
      stderr: String(decoding: collected[1], as: UTF8.self))
  }

  /// A pipe with both ends close-on-exec from the start (`pipe2(O_CLOEXEC)`): no child another
  /// thread spawns meanwhile can inherit it. (`dup2` into a child clears the flag there.)
  public static func makePipe() -> (read: Int32, write: Int32)? {
    var descriptors: [Int32] = [-1, -1]
    guard LateBoundLibc.pipe2(&descriptors, O_CLOEXEC) == 0 else { return nil }
    return (descriptors[0], descriptors[1])
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

/// The child processes ``ProcessCommandRunner`` has started and not yet reaped, and the
/// process-wide interruption that stops them.
///
/// A child is recorded under the same lock as its spawn, and forgotten under the same lock as
/// its reaping; ``interrupt(grace:)`` takes that lock to refuse every later spawn (except
/// clean-up). So after an interruption no command can start, none that started is missed, and
/// no reaped (possibly reused) pid is ever signalled.
public final class ChildProcesses: Sendable {
  /// The one registry every runner uses.
  public static let shared = ChildProcesses()

  private struct State {
    var interrupted = false
    var live: [pid_t: ProcessCommandRunner.OnInterrupt] = [:]
  }

  private let state = Mutex(State())

  init() {}

  /// Whether ``interrupt(grace:)`` has been called: no command but clean-up starts any more.
  public var isInterrupted: Bool { state.withLock { $0.interrupted } }

  /// The process groups of the commands running now.
  public var running: [pid_t] { state.withLock { $0.live.keys.sorted() } }

  /// Runs `spawn` (which returns posix_spawn's result and the pid) under the lock and records
  /// the child; nil, without running it, once interrupted (clean-up excepted).
  func spawn(_ onInterrupt: ProcessCommandRunner.OnInterrupt, _ spawn: () -> (Int32, pid_t)) -> (Int32, pid_t)? {
    state.withLock { state in
      if state.interrupted && onInterrupt != .cleanUp { return nil }
      let (result, pid) = spawn()
      if result == 0 { state.live[pid] = onInterrupt }
      return (result, pid)
    }
  }

  /// Reaps `pid` once it has exited, polling until the monotonic `deadline`: its wait status;
  /// nil while it still runs at the deadline; -1 when someone else reaped it (ECHILD).
  func reap(_ pid: pid_t, until deadline: Double) -> Int32? {
    var delay: useconds_t = 500
    while true {
      // Reaped and forgotten in one step: the pid is never in `live` once it may be reused.
      let reaped: Int32? = state.withLock { state in
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        guard waited == pid || (waited < 0 && errno == ECHILD) else { return nil }
        state.live[pid] = nil
        return waited == pid ? status : -1
      }
      if let reaped { return reaped }
      if ProcessCommandRunner.monotonicSeconds() >= deadline { return nil }
      usleep(delay)
      delay = min(delay * 2, 10_000)
    }
  }

  /// Whether `pid` has exited (or was already reaped), without reaping it: its owner does.
  private func hasExited(_ pid: pid_t) -> Bool {
    state.withLock { state in
      guard state.live[pid] != nil else { return true }
      var info = siginfo_t()
      let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
      // With WNOHANG and no change, the kernel leaves si_signo zero; an exited child reports SIGCHLD.
      return (result < 0 && errno == ECHILD) || (result == 0 && info.si_signo == SIGCHLD)
    }
  }

  /// Stops everything: from now on only clean-up commands start; each running command's
  /// process group is killed with SIGKILL, except those marked ``ProcessCommandRunner/OnInterrupt/finish``,
  /// which get up to `grace` seconds to end on their own first. Returns when every one has
  /// exited, with the number of `finish` commands that had to be killed (whose effect is unknown).
  @discardableResult
  public func interrupt(grace: Double) -> Int {
    let children = state.withLock { state in
      state.interrupted = true
      return state.live.filter { $0.value != .cleanUp }
    }
    for (pid, onInterrupt) in children where onInterrupt == .kill {
      kill(-pid, SIGKILL)
      kill(pid, SIGKILL)
    }
    let graceEnds = ProcessCommandRunner.monotonicSeconds() + grace
    var waiting = Set(children.keys)
    var forced = 0
    var graceOver = false
    while !waiting.isEmpty {
      waiting = waiting.filter { !hasExited($0) }
      if !graceOver && ProcessCommandRunner.monotonicSeconds() >= graceEnds {
        graceOver = true
        for pid in waiting where children[pid] == .finish {
          forced += 1
          kill(-pid, SIGKILL)
          kill(pid, SIGKILL)
        }
      }
      if !waiting.isEmpty { usleep(2000) }
    }
    return forced
  }
}

/// glibc functions Swift's Glibc module does not declare (they need `_GNU_SOURCE`), looked
/// up once at run time.
enum LateBoundLibc {
  typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
  typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

  private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
    guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(address, to: type)
  }

  /// pipe2(2): in every glibc and musl rigcheck runs on.
  static let pipe2: Pipe2 = symbol("pipe2", as: Pipe2.self) ?? { descriptors, flags in
    // Not reached on Linux; the non-atomic fallback keeps other systems working.
    guard let descriptors, pipe(descriptors) == 0 else { return -1 }
    if flags & O_CLOEXEC != 0 {
      _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
      _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
    }
    return 0
  }

  /// posix_spawn_file_actions_addclosefrom_np: glibc 2.34 and later.
  static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
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
