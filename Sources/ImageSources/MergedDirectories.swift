import Synchronization

/// The layer directories of each merged directory a ``LayeredDirectoryRoot`` has resolved,
/// keyed by canonical path (`usr/lib`). Without it every lookup re-walked every ancestor in
/// every layer (O(depth² × layers) system calls): the torch-cuda image's 15,000-name
/// site-packages walk cost 578,000 `stat`s. Image layers do not change while they are read.
final class MergedDirectories: Sendable {
  private let table = Mutex<[String: [String]]>([:])

  func layers(of path: String) -> [String]? {
    table.withLock { $0[path] }
  }

  func remember(_ layers: [String], for path: String) {
    table.withLock { $0[path] = layers }
  }
}
