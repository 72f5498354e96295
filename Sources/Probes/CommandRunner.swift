/// An external command, described as a value: what to run, never a shell string.
public struct Command: Sendable, Hashable, CustomStringConvertible {
  /// A bare name looked up on PATH, or an absolute path.
  public var executable: String
  public var arguments: [String]
  /// Variables set on top of the runner's environment (e.g. `DOCKER_HOST`).
  public var environment: [String: String]
  /// Wall-clock limit; the process group is killed when it passes.
  public var timeoutSeconds: Double

  public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 10) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.timeoutSeconds = timeoutSeconds
  }

  /// The command line as a person would type it (for sources and messages).
  public var description: String {
    ([executable] + arguments).map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
  }
}

/// What a finished command produced. A non-zero exit is a normal result, not an error.
public struct CommandResult: Sendable, Hashable {
  /// The exit code, or nil when a signal ended the process.
  public var exitCode: Int32?
  /// The signal that ended the process, if any.
  public var signal: Int32?
  public var stdout: String
  public var stderr: String

  public init(exitCode: Int32?, signal: Int32? = nil, stdout: String, stderr: String) {
    self.exitCode = exitCode
    self.signal = signal
    self.stdout = stdout
    self.stderr = stderr
  }

  public var succeeded: Bool { exitCode == 0 }
}

/// Why a command produced no result.
public enum CommandError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The executable is not on PATH (or not executable).
  case notFound(executable: String)
  /// The process could not be started.
  case launchFailed(command: String, reason: String)
  /// It ran past its timeout and was killed.
  case timedOut(command: String, seconds: Double)
  /// It printed more than the runner accepts and was killed.
  case outputTooLarge(command: String, limit: Int)
  /// An interruption (``ChildProcesses/interrupt(grace:)``: SIGINT, SIGTERM, SIGHUP) killed it, or
  /// came before it could start.
  case interrupted(command: String)

  public var description: String {
    switch self {
    case .notFound(let executable): return "\(executable) is not installed (not found on PATH)"
    case .launchFailed(let command, let reason): return "could not start `\(command)`: \(reason)"
    case .timedOut(let command, let seconds):
      return "`\(command)` did not finish within \(Self.format(seconds)) s and was killed"
    case .outputTooLarge(let command, let limit):
      return "`\(command)` printed more than \(limit) bytes and was stopped"
    case .interrupted(let command):
      return "`\(command)` was stopped: rigcheck was interrupted"
    }
  }

  /// Seconds without a useless `.0`.
  public static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }
}

/// Runs external commands. Probes receive one through ``ProbeContext`` so tests can replay
/// captured output instead of running real tools.
public protocol CommandRunner: Sendable {
  /// Runs `command` to completion or timeout.
  /// - Throws: ``CommandError`` when no result could be had.
  func run(_ command: Command) async throws -> CommandResult
}
