import ArgumentParser

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// The `rigcheck` command: subcommands only.
@main
struct Rigcheck: AsyncParsableCommand {
  static let version = RigcheckVersion.current

  static let configuration = CommandConfiguration(
    commandName: "rigcheck",
    abstract: "Make ML environments reproducible: fingerprint hosts, find what breaks GPU training.",
    discussion: """
      Exit codes: 0 success; 1 the command ran and found a problem or could not finish (e.g. the output file could not be written); 2 usage or input error (unknown option, missing --root directory, malformed input file).
      """,
    version: version,
    subcommands: [
      DoctorCommand.self, FingerprintCommand.self, InspectCommand.self, CompareCommand.self, LockCommand.self, VerifyCommand.self, FleetCommand.self,
      ProbeHelperCommand.self,
    ]
  )

  /// Parses and runs, mapping every usage error to exit status 2 (argument-parser's own
  /// default is 64) with its one-line message; never a stack trace.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if let failure = error as? InputFailure {
        FileHandleOutput.standardError("rigcheck: \(failure.message)\n")
        Glibc.exit(ExitStatus.usage)
      }
      let code = exitCode(for: error)
      if code == .validationFailure {
        FileHandleOutput.standardError(fullMessage(for: error) + "\n")
        Glibc.exit(ExitStatus.usage)
      }
      exit(withError: error)
    }
  }
}

/// The exit statuses rigcheck documents.
enum ExitStatus {
  static let success: Int32 = 0
  static let failure: Int32 = 1
  static let usage: Int32 = 2
}
