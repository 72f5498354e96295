import Probes
import Synchronization
import Testing

/// A command runner that answers from canned results, keyed by the command's executable
/// name (without its directory) and arguments, and records what was asked.
final class ReplayRunner: CommandRunner {
  private let responses: [String: Result<CommandResult, CommandError>]
  private let asked = Mutex<[Command]>([])

  init(_ responses: [String: Result<CommandResult, CommandError>]) {
    self.responses = responses
  }

  static func key(_ command: Command) -> String {
    ([String(command.executable.split(separator: "/").last ?? "")] + command.arguments).joined(separator: " ")
  }

  var commands: [Command] { asked.withLock { $0 } }

  func run(_ command: Command) async throws -> CommandResult {
    asked.withLock { $0.append(command) }
    guard let response = responses[Self.key(command)] else {
      Issue.record("unexpected command: \(Self.key(command))")
      throw CommandError.notFound(executable: command.executable)
    }
    return try response.get()
  }
}

extension Result where Success == CommandResult, Failure == CommandError {
  static func output(_ stdout: String, stderr: String = "", exit: Int32 = 0) -> Self {
    .success(CommandResult(exitCode: exit, stdout: stdout, stderr: stderr))
  }
}
