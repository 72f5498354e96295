import Probes
import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Remembers the containers inspections create, so a timeout, an error or Ctrl-C never
/// leaves one behind.
///
/// Every container has a name chosen before anything runs (`rigcheck-<pid>-<n>-<random>`),
/// so clean-up can always find it, and it is created (`docker create`) before it is started
/// (`docker start -a`). Removal is `docker rm -f NAME` (Podman: `rm -f -t 0`), repeated until
/// the engine says there is no such container, within a deadline.
///
/// Removing a container *while* `docker create` runs does not work: Docker and Podman both
/// answer "no such container" to `rm -f` and `inspect` in the middle of a creation, then
/// finish creating it. So an interruption lets a running `create` finish (within a grace
/// period, see ``ProcessCommandRunner/OnInterrupt/finish``), after which the container
/// either exists or never will, and removes it then.
public final class ContainerJanitor: Sendable {
  /// The process-wide janitor; the CLI's signal handler calls ``interrupt(grace:)``.
  public static let shared = ContainerJanitor()

  struct Entry: Hashable, Sendable {
    let engine: String
    let environment: [String: String]
  }

  private let live = Mutex<[String: Entry]>([:])
  private let counter = Atomic<Int>(0)

  public init() {}

  /// A name no other container has: this process, a counter, and a random part (a container
  /// left by an earlier process with the same pid never collides).
  func newName() -> String {
    let count = counter.add(1, ordering: .relaxed).newValue
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return "rigcheck-\(getpid())-\(count)-\(random)"
  }

  func register(engine: String, name: String, environment: [String: String]) {
    live.withLock { $0[name] = Entry(engine: engine, environment: environment) }
  }

  /// The containers currently registered for an inspection.
  public var running: [String] { live.withLock { $0.keys.sorted() } }

  /// Force-removes one container and waits until the engine confirms it is gone, retrying
  /// within `timeout` seconds. `settle`: a `create` was killed before it answered, so the
  /// engine may still be creating the container; it must then stay absent for two seconds.
  /// Returns whether the container is known to be gone.
  @discardableResult
  func remove(engine: String, name: String, environment: [String: String], timeout: Double = 30, settle: Bool = false) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(timeout)
    var goneSince: ContinuousClock.Instant?
    var attempts = 0
    var removed = false
    while !removed {
      let now = clock.now
      let remaining = (deadline - now) / .seconds(1)
      if remaining <= 0 { break }
      switch Self.exists(engine: engine, name: name, environment: environment, timeout: min(remaining, 15)) {
      case true?:
        goneSince = nil
        // The first removal is checked at once; a stubborn one (being removed by `--rm`
        // already, or still starting) is retried at a gentler pace.
        if attempts > 0 { usleep(200_000) }
        attempts += 1
        // Podman would wait 10 s for the container to stop; it is being killed anyway.
        let arguments = engine == "podman" ? ["rm", "-f", "-t", "0", name] : ["rm", "-f", name]
        _ = try? Self.run(Command(engine, arguments, timeoutSeconds: min(remaining, 20)), environment: environment)
      case false?:
        let since = goneSince ?? now
        goneSince = since
        removed = !settle || now - since >= .seconds(2)
        if !removed { usleep(200_000) }
      case nil:
        goneSince = nil
        usleep(200_000)
      }
    }
    live.withLock { _ = $0.removeValue(forKey: name) }
    return removed
  }

  /// Whether the engine has a container of that name; nil when it cannot say.
  static func exists(engine: String, name: String, environment: [String: String], timeout: Double) -> Bool? {
    let command =
      engine == "podman"
      ? Command(engine, ["container", "exists", name], timeoutSeconds: timeout)
      : Command(engine, ["container", "inspect", "--format", "{{.Id}}", name], timeoutSeconds: timeout)
    guard let result = try? run(command, environment: environment) else { return nil }
    if result.exitCode == 0 { return true }
    if engine == "podman" { return result.exitCode == 1 ? false : nil }
    return result.stderr.lowercased().contains("no such container") ? false : nil
  }

  private static func run(_ command: Command, environment: [String: String]) throws -> CommandResult {
    try ProcessCommandRunner.runBlocking(command, environment: environment, outputLimit: 1 << 16, onInterrupt: .cleanUp)
  }

  /// What SIGINT, SIGTERM or SIGHUP does before rigcheck exits: stops every command (a running `create`
  /// gets up to `grace` seconds to finish), then removes every registered container and waits
  /// for the removals. Returns the containers that could not be confirmed removed.
  @discardableResult
  public func interrupt(grace: Double = 15) -> [String] {
    let forced = ChildProcesses.shared.interrupt(grace: grace)
    let entries = live.withLock { $0 }
    var failed: [String] = []
    for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
      if !remove(engine: entry.engine, name: name, environment: entry.environment, timeout: 30, settle: forced > 0) {
        failed.append(name)
      }
    }
    return failed
  }
}
