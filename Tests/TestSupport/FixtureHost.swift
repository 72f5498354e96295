import Foundation
import Probes

/// Host trees for tests: the real H200 capture, and hosts derived from it by overlays.
///
/// A derived host is a folder under `Fixtures/hosts/` with `DERIVED.md` (what changed and
/// why), `removed.txt` (paths deleted from the capture) and `overlay/` (files added or
/// replaced). ``materialize(_:)`` builds it in a temporary directory.
public enum FixtureHost {
  /// `Tests/Fixtures`.
  public static let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

  public static let hostsDirectory = fixturesDirectory + "/hosts"

  /// The real capture, read in place.
  public static let h200Path = hostsDirectory + "/h200-ubuntu2404"

  public static var h200: HostRoot { HostRoot(h200Path) }

  /// Builds the derived host `name` in a fresh temporary directory.
  public static func materialize(_ name: String) throws -> TemporaryTree {
    let tree = try TemporaryTree(prefix: "rigcheck-host-\(name)")
    let manager = FileManager.default
    let target = tree.path + "/root"
    try manager.copyItem(atPath: h200Path, toPath: target)
    try makeWritable(target)
    try apply(name, to: target, depth: 0)
    return tree
  }

  /// Applies derived host `name` to the tree at `target`: first its base (`base.txt` names
  /// another derived host, applied before it), then its `removed.txt`, then its `overlay/`.
  static func apply(_ name: String, to target: String, depth: Int) throws {
    let manager = FileManager.default
    let derived = hostsDirectory + "/" + name
    guard manager.fileExists(atPath: derived + "/DERIVED.md") else {
      throw FixtureError(description: "derived host \(name) has no DERIVED.md")
    }
    if let base = try? String(contentsOfFile: derived + "/base.txt", encoding: .utf8) {
      guard depth < 4 else { throw FixtureError(description: "derived host \(name): base.txt chain too deep") }
      try apply(base.trimmingCharacters(in: .whitespacesAndNewlines), to: target, depth: depth + 1)
    }
    let removed = (try? String(contentsOfFile: derived + "/removed.txt", encoding: .utf8)) ?? ""
    for line in removed.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      let path = target + "/" + line
      guard manager.fileExists(atPath: path) else {
        throw FixtureError(description: "\(name)/removed.txt names \(line), which the capture does not have")
      }
      try manager.removeItem(atPath: path)
    }
    let overlay = derived + "/overlay"
    if let enumerator = manager.enumerator(atPath: overlay) {
      while let relative = enumerator.nextObject() as? String {
        let source = overlay + "/" + relative
        let destination = target + "/" + relative
        var isDirectory: ObjCBool = false
        _ = manager.fileExists(atPath: source, isDirectory: &isDirectory)  // a dangling link is copied as one
        if isDirectory.boolValue {
          try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } else {
          if manager.fileExists(atPath: destination) { try manager.removeItem(atPath: destination) }
          try manager.copyItem(atPath: source, toPath: destination)
        }
      }
    }
  }

  static func makeWritable(_ path: String) throws {
    let manager = FileManager.default
    try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    for relative in manager.subpaths(atPath: path) ?? [] {
      var isDirectory: ObjCBool = false
      _ = manager.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
      try manager.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644], ofItemAtPath: path + "/" + relative)
    }
  }
}

public struct FixtureError: Error, CustomStringConvertible {
  public let description: String
}

/// A temporary directory removed when the value goes away.
public final class TemporaryTree {
  public let path: String

  public init(prefix: String) throws {
    path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// The materialized host root.
  public var root: HostRoot { HostRoot(path + "/root") }
  public var rootPath: String { path + "/root" }

  /// Writes `text` at `relative` under the tree (creating folders).
  public func write(_ relative: String, _ text: String) throws {
    let full = path + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: false, encoding: .utf8)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
