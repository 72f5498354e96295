import ArgumentParser

/// The `rigcheck` command: subcommands only.
@main
struct Rigcheck: AsyncParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "rigcheck",
    abstract: "Make ML environments reproducible: fingerprint hosts, find what breaks GPU training.",
    discussion: """
      Exit codes: 0 success; 1 the command ran but failed (e.g. the output file could not be
      written); 2 usage or input error (unknown option, missing --root directory).
      """,
    version: version,
    subcommands: [FingerprintCommand.self]
  )
}
