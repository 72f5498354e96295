import Fingerprint
import Foundation
import TestSupport
import Testing

/// `rigcheck inspect`, `fingerprint --image`, `lock`/`verify` and `compare` on images at rest
/// (`dir:` roots exported from the real test images), through the built binary.
@Suite(.serialized) struct StaticInspectCommandTests {
  @Test func inspectsAnExportWithoutStartingAContainer() throws {
    let root = try ImageExports.rootfs("cuda-layout")
    let before = Int(Date().timeIntervalSince1970) - 1
    let result = try Binary.run(["inspect", "dir:\(root)", "--json"])
    let after = Int(Date().timeIntervalSince1970) + 1
    #expect(result.status == 0, "\(result.stderr)")
    let facts = try JSONDecoder().decode(ImageFacts.self, from: Data(result.stdout.utf8))
    #expect(facts.runtime == "static")
    #expect(facts.reference == "dir:\(root)")
    #expect(facts.cudnn.contains(VersionSighting(version: "9.1.0", source: "/usr/include/cudnn_version.h")))
    #expect(facts.cuda.runtime.contains(VersionSighting(version: "12.4.127", source: "pip nvidia-cuda-runtime-cu12")))
    #expect(facts.python.value?.version == "3.11.2")
    // The engine's own event stream: no container was created, started or removed meanwhile.
    // (Other test suites may run containers concurrently; none of their events carries our
    // pid label, so the check is on rigcheck inspection containers of this binary's pid.)
    let events = try Binary.runTool(
      "/usr/bin/env", ["docker", "events", "--since", String(before), "--until", String(after), "--filter", "type=container", "--filter", "label=org.rigcheck.pid=\(result.pid)", "--format", "{{.Action}}"]).stdout
    #expect(events.isEmpty, "containers during a static inspection: \(events)")
  }

  @Test func exitCodes() throws {
    let empty = try Binary.run(["inspect", "dir:"])
    #expect(empty.status == 2)
    #expect(empty.stderr == "rigcheck: dir: needs a directory (dir:/path/to/rootfs)\n")
    let missing = try Binary.run(["inspect", "dir:/nonexistent/rigcheck"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "rigcheck: dir:/nonexistent/rigcheck: no such directory\n")
    let registry = try Binary.run(["inspect", "docker://Bad Host/x"])
    #expect(registry.status == 2)
    #expect(registry.stderr.contains("is not a registry image reference"))
    let platform = try Binary.run(["inspect", "--static", "x", "--platform", "linux"])
    #expect(platform.status == 2)
    #expect(platform.stderr.contains("--platform linux: expected os/arch[/variant]"))
    let gpus = try Binary.run(["inspect", "--static", "x", "--gpus"])
    #expect(gpus.status == 2)
    let running = try Binary.run(["inspect", "x", "--platform", "linux/arm64"])
    #expect(running.status == 2)
    #expect(running.stderr.contains("--platform chooses an image at rest"))
    let doctor = try Binary.run(["doctor", "--image", "dir:/tmp", "--gpus"])
    #expect(doctor.status == 2)
  }

  @Test func lockAndVerifyAnImageAtRest() throws {
    let root = try ImageExports.rootfs("torch")
    let tree = try TemporaryTree(prefix: "rigcheck-static-lock")
    let lock = tree.path + "/rigcheck.lock"
    let locked = try Binary.run(["lock", "-o", lock, "--image", "dir:\(root)"])
    #expect(locked.status == 0, "\(locked.stderr)")
    let fingerprint = try Fingerprint.decode(try Data(contentsOf: URL(fileURLWithPath: lock)), name: lock)
    let image = try #require(fingerprint.identity.images.first)
    #expect(image.runtime == "static")
    #expect(image.framework("torch")?.info.value?.version == "1.13.0a0")
    let verified = try Binary.run(["verify", "--lock", lock])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
  }

  @Test func compareTwoImagesAtRest() throws {
    let base = try ImageExports.rootfs("debian-base")
    let cuda = try ImageExports.rootfs("cuda-layout")
    let result = try Binary.run(["compare", "dir:\(base)", "dir:\(cuda)", "--format", "json"])
    #expect(result.status == 1, "cuDNN, NCCL and CUDA appear: drift that matters")
    let tree = try JSONTree.parse(result.stdout)
    let paths = tree["differences"]?.elements.compactMap { $0["path"]?.scalarText } ?? []
    #expect(paths.contains("images[dir:\(base) ↔ dir:\(cuda)].summary.cudnn"), "\(paths)")
  }
}
