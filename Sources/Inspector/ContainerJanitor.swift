import Probes
import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Remembers the containers inspections start, so a timeout, an error or Ctrl-C never
/// leaves one behind.
public final class ContainerJanitor: Sendable {
  /// The process-wide janitor; the CLI's signal handler empties it.
  public static let shared = ContainerJanitor()

  struct Entry: Hashable, Sendable {
    let engine: String
    let name: String
  }

  private let live = Mutex<Set<Entry>>([])

  func register(engine: String, name: String) { _ = live.withLock { $0.insert(Entry(engine: engine, name: name)) } }
  func unregister(engine: String, name: String) { _ = live.withLock { $0.remove(Entry(engine: engine, name: name)) } }

  /// The containers currently running for an inspection.
  public var running: [String] { live.withLock { $0.map(\.name).sorted() } }

  /// Force-removes one container (`docker rm -f NAME`), waiting at most `timeout` seconds.
  func remove(engine: String, name: String, environment: [String: String], timeout: Double = 20) {
    // Podman would wait 10 s for the container to stop; it is being killed anyway.
    let arguments = engine == "podman" ? ["rm", "-f", "-t", "0", name] : ["rm", "-f", name]
    _ = try? ProcessCommandRunner.runBlocking(Command(engine, arguments, timeoutSeconds: timeout), environment: environment, outputLimit: 1 << 16)
    unregister(engine: engine, name: name)
  }

  /// Removes every registered container; called on SIGINT/SIGTERM before exiting.
  public func removeAll(environment: [String: String] = ProcessEnvironment.current()) {
    for entry in live.withLock({ Array($0) }) {
      remove(engine: entry.engine, name: entry.name, environment: environment, timeout: 10)
    }
  }
}
