import Probes
import Synchronization

/// A command runner that answers from canned results, keyed by the command's executable
/// name (without its directory) and arguments, and records what was asked. A command it
/// has no answer for is recorded in ``unexpected`` and fails as not installed.
public final class ReplayRunner: CommandRunner {
  private let responses: [String: Result<CommandResult, CommandError>]
  private let asked = Mutex<[Command]>([])

  public init(_ responses: [String: Result<CommandResult, CommandError>]) {
    self.responses = responses
  }

  public static func key(_ command: Command) -> String {
    ([String(command.executable.split(separator: "/").last ?? "")] + command.arguments).joined(separator: " ")
  }

  /// Every command asked for, in order.
  public var commands: [Command] { asked.withLock { $0 } }

  /// The commands asked for that had no canned answer.
  public var unexpected: [String] { commands.map(Self.key).filter { responses[$0] == nil } }

  public func run(_ command: Command) async throws -> CommandResult {
    asked.withLock { $0.append(command) }
    guard let response = responses[Self.key(command)] else {
      throw CommandError.notFound(executable: command.executable)
    }
    return try response.get()
  }
}

extension Result where Success == CommandResult, Failure == CommandError {
  /// A finished command's output.
  public static func output(_ stdout: String, stderr: String = "", exit: Int32 = 0) -> Self {
    .success(CommandResult(exitCode: exit, stdout: stdout, stderr: stderr))
  }
}
