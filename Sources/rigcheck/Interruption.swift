import ImageSources
import Inspector
import Probes
import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// SIGINT, SIGTERM or SIGHUP while an inspection runs: stop every command rigcheck started
/// (their process groups), remove every inspection container and wait until the engine
/// confirms it, remove the temporary directories of images read at rest, then exit 128 + the signal: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).
///
/// The signal handler itself only writes the signal's number to a pipe (all it may safely do);
/// a thread of its own reads it and does the work. The handler is installed with sigaction
/// directly, so no signal that arrives after ``installHandlers()`` is ever lost or ignored.
/// Further signals during the clean-up are absorbed: the clean-up is bounded (seconds) and
/// leaving before it finishes is exactly what leaves containers behind.
enum Interruption {
  /// The pipe's write end, for the handler (set once, before the handler is installed).
  nonisolated(unsafe) private static var signalPipe: Int32 = -1
  private static let installed = Mutex(false)

  static func installHandlers() {
    let first = installed.withLock { installed in
      defer { installed = true }
      return !installed
    }
    // Without the pipe or the thread, the signals keep their default action: rigcheck dies,
    // as it would have without a handler, rather than ignoring Ctrl-C.
    guard first, let pipe = ProcessCommandRunner.makePipe() else { return }
    _ = fcntl(pipe.write, F_SETFL, fcntl(pipe.write, F_GETFL) | O_NONBLOCK)
    signalPipe = pipe.write
    guard startWatcher(reading: pipe.read) else { return }
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
      // A signal ignored when rigcheck started stays ignored (nohup, a script's background job).
      var previous = sigaction()
      if sigaction(signalNumber, nil, &previous) == 0,
        unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
      {
        continue
      }
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { signalNumber in
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = write(Interruption.signalPipe, &byte, 1)
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(signalNumber, &action, nil)
    }
  }

  /// Whether rigcheck is being interrupted (the clean-up thread will exit the process).
  static var isInterrupted: Bool { ChildProcesses.shared.isInterrupted }

  /// Never returns once interrupted: the clean-up thread ends the process with 128 + signal, and
  /// nothing else may exit first (with another status, or before the containers are gone).
  static func waitIfInterrupted() async {
    guard isInterrupted else { return }
    while true { try? await Task.sleep(for: .seconds(3600)) }
  }

  private static func startWatcher(reading descriptor: Int32) -> Bool {
    final class Box: Sendable {
      let descriptor: Int32
      init(_ descriptor: Int32) { self.descriptor = descriptor }
    }
    var thread = pthread_t()
    let argument = Unmanaged.passRetained(Box(descriptor)).toOpaque()
    let started = pthread_create(&thread, nil, { argument in
      let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
      var byte: UInt8 = 0
      while true {
        let count = read(box.descriptor, &byte, 1)
        if count == 1 { Interruption.cleanUpAndExit(signal: Int32(byte)) }
        if count == 0 || errno != EINTR { return nil }
      }
    }, argument)
    guard started == 0 else {
      Unmanaged<Box>.fromOpaque(argument).release()
      return false
    }
    pthread_detach(thread)
    return true
  }

  private static func cleanUpAndExit(signal signalNumber: Int32) -> Never {
    let running = ContainerJanitor.shared.running
    if !running.isEmpty {
      FileHandleOutput.standardError("\nrigcheck: interrupted; removing \(running.joined(separator: ", "))\n")
    }
    let left = ContainerJanitor.shared.interrupt()
    if !left.isEmpty {
      FileHandleOutput.standardError("rigcheck: could not confirm that \(left.joined(separator: ", ")) was removed (docker/podman rm -f NAME)\n")
    }
    // What images at rest downloaded or unpacked (registry blobs, layers, docker save output).
    ScratchDirectories.removeAll()
    // _exit: the main thread may be exiting too; exit(3)'s handlers must not run twice.
    _exit(128 + signalNumber)
  }
}
