import ArgumentParser
import Compare
import Fingerprint
import Fleet
import Reporting

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// `rigcheck fleet DIR|FILES…`: one baseline, many nodes.
struct FleetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fleet",
    abstract: "Group node fingerprints by identity and show which nodes drift from the baseline.",
    discussion: """
      Reads the fingerprints (a directory of NODE.json files, as the Slurm and Kubernetes recipes write them, or files), one at a time, groups nodes whose identity hashes are equal, and compares one node of each group with the baseline (--baseline, else the largest group) under the policy. Memory grows with the number of distinct environments, not with the number of nodes.

      The built-in policy is the one compare uses: a node on another driver branch than the baseline (575 vs 580) is an error, another patch level of the branch (580.95.05 vs 580.159.04) a warning; nodes with errors and nodes with warnings are each named.

      Exit codes: 0 no drift that matters (warnings are listed, they do not fail); 1 a node drifts in a way that matters (an error, or a warning with --strict) or a file is unreadable; 2 usage error.

      Examples:
        rigcheck fleet fingerprints/
        rigcheck fleet fingerprints/ --baseline golden.json --format markdown
      """
  )

  @Argument(help: ArgumentHelp("A directory of fingerprints (*.json), or fingerprint files.", valueName: "path"))
  var paths: [String]

  @Option(name: .long, help: ArgumentHelp("The fingerprint every node should match (default: the largest group).", valueName: "file"))
  var baseline: String?

  @OptionGroup var options: ComparisonOptions

  func validate() throws {
    try options.check()
    if paths.isEmpty { throw ValidationError("give a directory of fingerprints or fingerprint files") }
  }

  /// The files to read: `*.json` of each directory (sorted), and files as given.
  func files() throws -> [String] {
    var files: [String] = []
    for path in paths {
      var info = stat()
      guard stat(path, &info) == 0 else { throw InputFailure(message: "\(path): \(String(cString: strerror(errno)))") }
      if info.st_mode & S_IFMT == S_IFDIR {
        guard let directory = opendir(path) else { throw InputFailure(message: "\(path): \(String(cString: strerror(errno)))") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
          let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
          if name.hasSuffix(".json") { names.append(name) }
        }
        files += names.sorted().map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
      } else {
        files.append(path)
      }
    }
    if files.isEmpty { throw InputFailure(message: "no fingerprints (*.json) in \(paths.joined(separator: ", "))") }
    return files
  }

  func run() async throws {
    let comparator = try options.comparator()
    var baselineSide: (name: String, side: ComparedSide)?
    if let baseline {
      do {
        baselineSide = (baseline, try ComparedSide.load(try InputFile.read(baseline), name: baseline))
      } catch let error as CompareInputError {
        throw InputFailure(message: error.description)
      }
    }
    var analyzer = FleetAnalyzer(comparator: comparator, baseline: baselineSide)
    for file in try files() {
      let node = String((file.split(separator: "/").last ?? Substring(file)).dropLast(file.hasSuffix(".json") ? 5 : 0))
      do {
        analyzer.add(try InputFile.read(file), node: node, file: file)
      } catch {
        analyzer.addProblem(file: file, problem: "\(error)")
      }
    }
    let report = analyzer.finish()
    let color = ColorPolicy.automatic(isTerminal: Terminal.isTerminal(1), environment: Terminal.environment())
    switch ReportFormat(rawValue: options.format) ?? .text {
    case .json: FileHandleOutput.standardOutput(String(decoding: try CanonicalJSON.encode(report), as: UTF8.self))
    case .markdown: FileHandleOutput.standardOutput(FleetText.markdown(report))
    default: FileHandleOutput.standardOutput(FleetText.render(report, color: color, verbose: options.verbose))
    }
    if report.matters { throw ExitCode(ExitStatus.failure) }
  }
}
