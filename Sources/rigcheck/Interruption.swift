import Dispatch
import Inspector

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// SIGINT/SIGTERM while a container runs: remove it, then exit 130/143.
enum Interruption {
  nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

  static func installHandlers() {
    guard sources.isEmpty else { return }
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler {
        let running = ContainerJanitor.shared.running
        if !running.isEmpty {
          FileHandleOutput.standardError("\nrigcheck: interrupted; removing \(running.joined(separator: ", "))\n")
        }
        ContainerJanitor.shared.removeAll()
        Glibc.exit(128 + signalNumber)
      }
      source.resume()
      sources.append(source)
    }
  }
}
