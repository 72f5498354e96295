import Fingerprint
import Foundation
import ImageSources
import Probes

/// The test images as unpacked root filesystems (`docker create` + `docker export`, the form a
/// `dir:` reference reads), and their configuration as `docker image inspect` states it — what
/// a reader of the engine's storage hands to static inspection.
///
/// Exports are cached by image id under ~/.cache/rigcheck/exports/ (an image rebuilt gets a new
/// id, hence a new export); an export is renamed into place only once complete.
public enum ImageExports {
  public static var cacheDirectory: String {
    (ProcessEnvironment.current()["HOME"] ?? NSTemporaryDirectory()) + "/.cache/rigcheck/exports"
  }

  static func run(_ arguments: [String], timeout: Double = 300) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command(arguments[0], Array(arguments.dropFirst()), timeoutSeconds: timeout), environment: TestImages.environment, outputLimit: 64 << 20)
    guard result.exitCode == 0 else {
      throw FixtureError(description: "\(arguments.joined(separator: " ")) failed: \(result.stderr.prefix(500))")
    }
    return result.stdout
  }

  /// `sha256:…` of rigcheck-test/NAME:current.
  public static func imageID(_ name: String) throws -> String {
    try run(["docker", "image", "inspect", "--format", "{{.Id}}", TestImages.reference(name)], timeout: 30).trimmed
  }

  /// The unpacked root filesystem of rigcheck-test/NAME:current.
  public static func rootfs(_ name: String) throws -> String {
    let id = try imageID(name)
    let final = cacheDirectory + "/" + id.replacing("sha256:", with: "")
    if FileManager.default.fileExists(atPath: final) { return final }
    try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
    let work = cacheDirectory + "/.partial-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: work + "/root", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let container = try run(["docker", "create", "--label", "org.rigcheck.test-export=1", TestImages.reference(name), "/export-only"], timeout: 60).trimmed
    defer { _ = try? run(["docker", "rm", "-f", container], timeout: 60) }
    _ = try run(["docker", "export", "-o", work + "/rootfs.tar", container], timeout: 600)
    _ = try run(["tar", "-x", "-f", work + "/rootfs.tar", "-C", work + "/root"], timeout: 600)
    do {
      try FileManager.default.moveItem(atPath: work + "/root", toPath: final)
    } catch where FileManager.default.fileExists(atPath: final) {
      // Another test process exported the same image meanwhile.
    }
    return final
  }

  /// The image's configuration from `docker image inspect`: id, digests, env, labels, platform.
  public static func restingConfig(_ name: String) throws -> RestingImageConfig {
    let text = try run(["docker", "image", "inspect", "--format", "{{json .}}", TestImages.reference(name)], timeout: 30)
    let tree = try JSONTree.parse(text)
    var labels: [String: String] = [:]
    for key in tree["Config"]?["Labels"]?.objectKeys ?? [] { labels[key] = tree["Config"]?["Labels"]?[key]?.scalarText }
    return RestingImageConfig(
      id: tree["Id"]?.nonEmptyString, digests: (tree["RepoDigests"]?.elements ?? []).compactMap(\.nonEmptyString),
      environment: (tree["Config"]?["Env"]?.elements ?? []).compactMap(\.nonEmptyString), labels: labels,
      architecture: tree["Architecture"]?.nonEmptyString, os: tree["Os"]?.nonEmptyString, variant: tree["Variant"]?.nonEmptyString)
  }

  /// The image opened at rest as the engine-storage reader opens it: its export and its config.
  public static func atRest(_ name: String) throws -> ImageAtRest {
    let root = try rootfs(name)
    return ImageAtRest(root: LayeredDirectoryRoot(directory: root), config: try restingConfig(name), source: "dir:\(root) + docker image inspect")
  }
}
