import Dispatch
import Synchronization

/// Blocking work (file reads, libpci, NVML, sockets) on threads of its own: awaited without
/// tying up the cooperative pool, or abandoned at a deadline when it may never come back.
extension Platform {
  /// Runs `work` on a new thread and waits for it without blocking a pool thread.
  static func onNewThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      runOnNewThread { continuation.resume(returning: work()) }
    }
  }

  /// Runs `work` on a new thread and waits at most `seconds`: nil when it has not answered by
  /// then (the thread is left to finish, or to block, on its own; its late answer is dropped).
  static func onNewThread<T: Sendable>(within seconds: Double, _ work: @escaping @Sendable () -> T) -> T? {
    let answer = Handoff<T>()
    runOnNewThread { answer.put(work()) }
    return answer.take(within: seconds)
  }
}

/// One value handed from a worker to a waiter that gives up at a deadline; a late value is
/// dropped.
final class Handoff<Value: Sendable>: Sendable {
  private let ready = DispatchSemaphore(value: 0)
  private let value = Mutex<Value?>(nil)

  func put(_ newValue: Value) {
    value.withLock { $0 = newValue }
    ready.signal()
  }

  /// The value, or nil when none came within `seconds`.
  func take(within seconds: Double) -> Value? {
    guard ready.wait(timeout: .now() + .nanoseconds(Int(seconds * 1e9))) == .success else { return nil }
    return value.withLock { $0 }
  }
}
