import ArgumentParser
import Fingerprint
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Options shared by every command that probes the host.
struct ProbeOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Read the host from this directory instead of / (a captured host tree).", valueName: "dir"))
  var root: String = "/"

  @Option(name: .long, help: ArgumentHelp("Seconds each external command (docker, nvidia-ctk, …) and the NVML query may take.", valueName: "seconds"))
  var timeout: Double = 10

  @Option(name: .long, help: ArgumentHelp("The pci.ids file to name PCI devices with.", valueName: "file"))
  var pciIds: String?

  @Option(name: .long, help: ArgumentHelp("The NVML library to dlopen (default libnvidia-ml.so.1).", valueName: "path"))
  var nvmlLibrary: String?

  func validate() throws {
    var info = stat()
    guard stat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw ValidationError("--root \(root): no such directory")
    }
    guard timeout > 0, timeout <= 3600 else {
      throw ValidationError("--timeout must be between 0 and 3600 seconds, got \(timeout)")
    }
    if let pciIds, access(pciIds, R_OK) != 0 {
      throw ValidationError("--pci-ids \(pciIds): cannot read the file")
    }
  }

  /// Probes the host these options describe.
  func fingerprint() async -> Fingerprint {
    var context = ProbeContext(root: HostRoot(root), commandTimeout: timeout, pciIDsPath: pciIds)
    // NVML runs in a helper child (this binary, `rigcheck __probe nvml`) killed at the deadline.
    context.nvml = context.deadlineNVML(helper: NVMLHelper.currentExecutable(), libraryPath: nvmlLibrary)
    return await HostProber(context: context, toolVersion: Rigcheck.version).fingerprint()
  }
}

/// Terminal facts for output decisions.
enum Terminal {
  static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

  static func environment() -> [String: String] { ProcessEnvironment.current() }

  /// Shows a one-line spinner on stderr while `work` runs, if stderr is a terminal and the
  /// work takes longer than half a second.
  static func withProgress<T: Sendable>(_ message: String, _ work: @Sendable () async -> T) async -> T {
    guard isTerminal(2) else { return await work() }
    let spinner = Task {
      try await Task.sleep(for: .milliseconds(500))
      let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
      var index = 0
      while !Task.isCancelled {
        FileHandleOutput.standardError("\r\(frames[index % frames.count]) \(message)")
        index += 1
        try await Task.sleep(for: .milliseconds(100))
      }
    }
    let result = await work()
    spinner.cancel()
    _ = await spinner.result
    FileHandleOutput.standardError("\r\u{1b}[K")
    return result
  }
}
