import Foundation
import ImageSources
import Probes
import TestSupport

/// Runs the real tools the tests build their inputs with (python3's tarfile, zstd, skopeo,
/// docker) and fails loudly when one is missing or fails.
enum Tools {
  @discardableResult
  static func run(_ executable: String, _ arguments: [String], timeout: Double = 300) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command(executable, arguments, timeoutSeconds: timeout), environment: TestImages.environment, outputLimit: 64 << 20)
    guard result.succeeded else {
      throw ToolFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(result.exitCode.map(String.init) ?? "signal")): \(result.stderr.suffix(2000))")
    }
    return result.stdout
  }
}

struct ToolFailure: Error, CustomStringConvertible {
  let description: String
}

/// One entry of a tar written by Python's tarfile module (a real tar writer that lets a test
/// write any name, including hostile ones).
enum TarEntry {
  case file(String, String)
  case directory(String)
  case symlink(String, to: String)
  case hardlink(String, to: String)
  /// `size` bytes of zeros (a decompression bomb when compressed).
  case zeros(String, size: Int)

  var arguments: [String] {
    switch self {
    case .file(let name, let text): return ["file", name, text]
    case .directory(let name): return ["dir", name, ""]
    case .symlink(let name, let target): return ["symlink", name, target]
    case .hardlink(let name, let target): return ["hardlink", name, target]
    case .zeros(let name, let size): return ["zeros", name, String(size)]
    }
  }
}

enum TarCompression { case none, gzip, zstd }

enum TarBuilder {
  /// tarfile writes each entry as given: no normalisation, so `../x` and `/abs` stay as they are.
  static let script = """
    import io, sys, tarfile
    out, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    class Zeros(io.RawIOBase):
        def __init__(self, n): self.left = n
        def readable(self): return True
        def readinto(self, b):
            n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
    with tarfile.open(out, mode, format=tarfile.PAX_FORMAT) as tar:
        for i in range(0, len(args), 3):
            kind, name, payload = args[i:i + 3]
            info = tarfile.TarInfo(name)
            info.mode = 0o755 if kind == "dir" else 0o644
            if kind == "file":
                data = payload.encode(); info.size = len(data); tar.addfile(info, io.BytesIO(data))
            elif kind == "zeros":
                info.size = int(payload); tar.addfile(info, io.BufferedReader(Zeros(info.size), 1 << 20))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE; tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE; info.linkname = payload; tar.addfile(info)
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE; info.linkname = payload; tar.addfile(info)
    """

  /// Writes the entries as a tar at `path` (compressed with gzip by tarfile, with zstd by the
  /// zstd tool) and returns `path`.
  @discardableResult
  static func write(_ entries: [TarEntry], to path: String, compression: TarCompression = .none) throws -> String {
    let plain = compression == .zstd ? path + ".plain" : path
    try Tools.run("python3", ["-c", script, plain, compression == .gzip ? "w:gz" : "w"] + entries.flatMap(\.arguments))
    if compression == .zstd {
      try Tools.run("zstd", ["-q", "-f", "--rm", plain, "-o", path])
    }
    return path
  }
}

/// A temporary directory holding `tmp/` (where the code under test may write) and `outside/`
/// (which hostile archives aim at): ``writtenOutsideTmp()`` lists every change outside `tmp/`.
final class Sandbox {
  let tree: TemporaryTree
  var path: String { tree.path }
  var tmp: String { tree.path + "/tmp" }
  var outside: String { tree.path + "/outside" }
  private var before: [String: String] = [:]

  init() throws {
    tree = try TemporaryTree(prefix: "rigcheck-imagesources")
    try FileManager.default.createDirectory(atPath: tree.path + "/tmp", withIntermediateDirectories: true)
    try tree.write("outside/secret", "do not overwrite\n")
    try FileManager.default.createDirectory(atPath: tree.path + "/outside/empty", withIntermediateDirectories: true)
  }

  /// Records the state outside `tmp/` (call after preparing inputs).
  func snapshot() { before = state() }

  private func state() -> [String: String] {
    var result: [String: String] = [:]
    let manager = FileManager.default
    for relative in manager.subpaths(atPath: path) ?? [] where relative != "tmp" && !relative.hasPrefix("tmp/") {
      let full = path + "/" + relative
      if let target = try? manager.destinationOfSymbolicLink(atPath: full) {
        result[relative] = "link " + target
      } else if let data = manager.contents(atPath: full) {
        result[relative] = "file \(data.count) " + String(decoding: data.prefix(4096), as: UTF8.self)
      } else {
        result[relative] = "directory"
      }
    }
    return result
  }

  /// Paths outside `tmp/` that were created, changed or removed since ``snapshot()``.
  func writtenOutsideTmp() -> [String] {
    let after = state()
    return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
  }

  /// What is left in `tmp/` (after a failure or a close, nothing should be).
  func leftInTmp() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] }

  /// Options that unpack under `tmp/`.
  func options(limits: UnpackLimits = UnpackLimits(), platform: ImagePlatform? = nil) -> ImageSourceOptions {
    ImageSourceOptions(platform: platform, temporaryDirectory: tmp, limits: limits)
  }
}
