import ArgumentParser
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// `rigcheck __probe nvml`: the NVML query in a process of its own (hidden from --help).
///
/// `fingerprint` and `doctor` run it through their command runner with the --timeout deadline
/// and kill its process group when that passes, so a wedged driver hangs only this child.
/// It prints the ``NVMLQuery`` as one line of canonical JSON on stdout.
struct ProbeHelperCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: NVMLHelper.subcommand[0],
    abstract: "Internal: query NVML in a helper process and print the answer as JSON.",
    shouldDisplay: false
  )

  @Argument(help: ArgumentHelp("The probe to run (nvml).", valueName: "probe"))
  var probe: String

  @Option(name: .long, help: ArgumentHelp("The NVML library to dlopen (default libnvidia-ml.so.1).", valueName: "path"))
  var nvmlLibrary: String?

  @Option(name: .long, help: ArgumentHelp("End this process a second after this many seconds, should nobody kill it.", valueName: "seconds"))
  var deadline: Double?

  func validate() throws {
    guard probe == NVMLHelper.subcommand[1] else {
      throw ValidationError("\(NVMLHelper.subcommand[0]) \(probe): the only helper probe is \(NVMLHelper.subcommand[1])")
    }
    if let deadline, !(deadline > 0 && deadline <= 3600) {
      throw ValidationError("--deadline must be between 0 and 3600 seconds, got \(deadline)")
    }
  }

  func run() throws {
    if let deadline {
      // The parent kills this process group at the deadline; should the parent be gone, the
      // alarm's default action ends this process instead of leaving it stuck in the driver.
      // A parent may have started it with SIGALRM ignored or blocked: undo both.
      signal(SIGALRM, SIG_DFL)
      var alarmOnly = sigset_t()
      sigemptyset(&alarmOnly)
      sigaddset(&alarmOnly, SIGALRM)
      pthread_sigmask(SIG_UNBLOCK, &alarmOnly, nil)
      alarm(UInt32(deadline.rounded(.up)) + 1)
    }
    let query = DynamicNVML(libraryPath: nvmlLibrary ?? IsolatedNVML.defaultLibrary).query()
    FileHandleOutput.standardOutput(try IsolatedNVML.encode(query))
  }
}
