import Dispatch
import Fingerprint
import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// How to start the NVML helper: the rigcheck binary re-executed as `rigcheck __probe nvml`.
///
/// NVML runs inside the process that calls it, and a wedged GPU or a stuck driver makes
/// `nvmlInit_v2` (or any later call) block forever, as `nvidia-smi` does on such a host. A
/// thread stuck in the driver cannot be stopped; a process can: the helper is run through
/// the ``CommandRunner`` like any external command, in a process group of its own that is
/// killed at the deadline.
public struct NVMLHelper: Sendable, Hashable {
  /// The program to run: this binary.
  public var executable: String
  /// The arguments that select the NVML helper.
  public var arguments: [String]

  /// The hidden subcommand of `rigcheck` that queries NVML and prints the answer as JSON.
  public static let subcommand = ["__probe", "nvml"]

  public init(executable: String, arguments: [String] = NVMLHelper.subcommand) {
    self.executable = executable
    self.arguments = arguments
  }

  /// This binary as the helper, found through `/proc/self/exe`; nil where there is no such
  /// link (no procfs). When the binary was replaced or deleted since it started, the link
  /// itself is executed: the kernel still resolves it to the running program.
  public static func currentExecutable() -> NVMLHelper? {
    let link = "/proc/self/exe"
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink(link, &buffer, buffer.count - 1)
    if length > 0 {
      let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if !path.hasSuffix(" (deleted)"), access(path, X_OK) == 0 { return NVMLHelper(executable: path) }
    }
    return access(link, X_OK) == 0 ? NVMLHelper(executable: link) : nil
  }
}

/// NVML queried under a deadline.
///
/// With a ``NVMLHelper`` the query runs in a helper child process (`rigcheck __probe nvml`),
/// started through the ``CommandRunner`` with ``timeoutSeconds``: at the deadline its process
/// group is killed and the answer is ``timedOutReason(_:)``. Without one (a program that
/// cannot re-execute itself) the library is queried in this process on a thread of its own,
/// abandoned at the deadline.
///
/// ``query()`` blocks the calling thread for at most the timeout plus ``graceSeconds``, even
/// when the runner itself does not come back (a child stuck in the kernel cannot be reaped).
/// Call it off the cooperative pool, as ``HostProber`` does.
public struct IsolatedNVML: NVMLSource {
  /// The library the dynamic loader finds when none is named.
  public static let defaultLibrary = "libnvidia-ml.so.1"
  /// How long past the timeout the caller waits for the runner to kill and reap the helper.
  public static let graceSeconds = 1.0

  /// A library path from `--nvml-library`; nil for the loader's default.
  public let libraryPath: String?
  /// The helper to run; nil queries in-process on an abandonable thread.
  public let helper: NVMLHelper?
  public let runner: any CommandRunner
  /// The deadline of the whole query, in seconds (`--timeout`).
  public let timeoutSeconds: Double

  public init(libraryPath: String? = nil, helper: NVMLHelper?, runner: any CommandRunner, timeoutSeconds: Double) {
    self.libraryPath = libraryPath
    self.helper = helper
    self.runner = runner
    self.timeoutSeconds = timeoutSeconds
  }

  /// Why a query that ran out of time has no answer.
  public static func timedOutReason(_ seconds: Double) -> String {
    "NVML did not answer within \(CommandError.format(seconds)) s: the driver may be wedged"
  }

  /// The helper's command line, with the deadline also passed to the child (it ends itself a
  /// second after it, should this process be gone and nobody kill it).
  public var command: Command? {
    guard let helper else { return nil }
    var arguments = helper.arguments
    if let libraryPath { arguments += ["--nvml-library", libraryPath] }
    arguments += ["--deadline", CommandError.format(timeoutSeconds)]
    return Command(helper.executable, arguments, timeoutSeconds: timeoutSeconds)
  }

  /// Where answers that are not NVML's own come from: the helper as a person would run it,
  /// without the binary's path or the deadline, so the identity does not depend on either.
  var source: String {
    guard helper != nil else { return "nvml:\(libraryPath ?? Self.defaultLibrary)" }
    return "command:" + (["rigcheck"] + NVMLHelper.subcommand + (libraryPath.map { ["--nvml-library", $0] } ?? [])).joined(separator: " ")
  }

  var timedOut: NVMLQuery {
    NVMLQuery(report: .unreadable(Self.timedOutReason(timeoutSeconds), source: source))
  }

  public func query() -> NVMLQuery {
    let answer = Handoff<NVMLQuery>()
    guard let command else {
      let library = libraryPath ?? Self.defaultLibrary
      return Platform.onNewThread(within: timeoutSeconds) { DynamicNVML(libraryPath: library).query() } ?? timedOut
    }
    let source = self
    // The runner's task runs on threads of its own: the shared pool may be busy (or blocked by
    // callers like this one), and the deadline must not wait for it.
    Task.detached(executorPreference: DedicatedThreadExecutor.shared) {
      do {
        answer.put(source.interpret(.success(try await source.runner.run(command))))
      } catch {
        answer.put(source.interpret(.failure(error)))
      }
    }
    return answer.take(within: timeoutSeconds + Self.graceSeconds) ?? timedOut
  }

  /// The helper's outcome as an NVML answer: its JSON, or why there is none.
  func interpret(_ outcome: Result<CommandResult, any Error>) -> NVMLQuery {
    let result: CommandResult
    switch outcome {
    case .failure(CommandError.timedOut):
      return timedOut
    case .failure(let error):
      return NVMLQuery(report: .unreadable("the NVML helper could not run: \(error)", source: source))
    case .success(let finished):
      result = finished
    }
    if result.signal == SIGALRM {
      // The helper ended itself at its own deadline: nobody killed it in time.
      return timedOut
    }
    if let signal = result.signal {
      return NVMLQuery(report: .unreadable("NVML crashed the helper process (signal \(signal)): the driver may be broken", source: source))
    }
    let lastLine = result.stderr.split(separator: "\n").last.map { String($0).trimmed } ?? ""
    guard result.exitCode == 0 else {
      return NVMLQuery(
        report: .unreadable(
          "the NVML helper exited with status \(result.exitCode ?? -1)\(lastLine.isEmpty ? "" : ": \(lastLine)")", source: source))
    }
    do {
      return try Self.decode(result.stdout)
    } catch {
      return NVMLQuery(report: .unreadable("the NVML helper printed no NVML answer: \(Fingerprint.describeJSONError(error))", source: source))
    }
  }

  /// The helper's output: the query as one line of canonical JSON.
  public static func encode(_ query: NVMLQuery) throws -> String {
    String(decoding: try CanonicalJSON.encode(query, pretty: false), as: UTF8.self) + "\n"
  }

  /// Reads the helper's output back.
  public static func decode(_ text: String) throws -> NVMLQuery {
    try JSONDecoder().decode(NVMLQuery.self, from: Data(text.utf8))
  }
}

/// Runs every job of a task on a new thread of its own, so a thread that blocks waiting for
/// the task never depends on the shared cooperative pool having a free thread.
final class DedicatedThreadExecutor: TaskExecutor {
  static let shared = DedicatedThreadExecutor()

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    Platform.runOnNewThread { job.runSynchronously(on: executor) }
  }
}
