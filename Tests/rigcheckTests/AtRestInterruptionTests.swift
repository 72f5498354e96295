import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C while an image at rest is being unpacked: rigcheck exits 130 and its temporary
/// directory is gone (ScratchDirectories, removed by the interruption's clean-up thread).
@Suite struct AtRestInterruptionTests {
  /// An OCI layout of one uncompressed 384 MiB layer of random bytes (incompressible, so the
  /// bomb limits do not apply, and big enough that unpacking takes a few seconds).
  static func writeLayout(at directory: String) throws {
    let script = #"""
      import hashlib, io, json, os, sys, tarfile
      root = sys.argv[1]
      blobs = os.path.join(root, "blobs", "sha256")
      os.makedirs(blobs)
      def put(data):
          digest = hashlib.sha256(data).hexdigest()
          with open(os.path.join(blobs, digest), "wb") as out:
              out.write(data)
          return "sha256:" + digest, len(data)
      buffer = io.BytesIO()
      with tarfile.open(fileobj=buffer, mode="w") as tar:
          for index in range(6):
              payload = os.urandom(64 << 20)
              info = tarfile.TarInfo("data/chunk%d.bin" % index)
              info.size = len(payload)
              tar.addfile(info, io.BytesIO(payload))
      layer = buffer.getvalue()
      layer_digest, layer_size = put(layer)
      config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
          "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
      config_digest, config_size = put(config)
      manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
          "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer_size}]}).encode()
      manifest_digest, manifest_size = put(manifest)
      with open(os.path.join(root, "index.json"), "w") as out:
          json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": manifest_digest, "size": manifest_size, "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, out)
      with open(os.path.join(root, "oci-layout"), "w") as out:
          json.dump({"imageLayoutVersion": "1.0.0"}, out)
      """#
    let result = try Binary.runTool("/usr/bin/python3", ["-c", script, directory])
    #expect(result.status == 0, "writing the layout failed: \(result.stderr)")
  }

  @Test func interruptRemovesWhatWasUnpacked() throws {
    let work = try TemporaryTree(prefix: "rigcheck-at-rest-interrupt")
    let temporary = work.path + "/tmp"
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    try Self.writeLayout(at: work.path + "/layout")

    let process = Process()
    process.executableURL = URL(fileURLWithPath: Binary.path)
    process.arguments = ["inspect", "oci:\(work.path)/layout:big"]
    var environment = ProcessInfo.processInfo.environment
    environment["TMPDIR"] = temporary
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()

    // Wait until the image's scratch directory exists (opening has begun), let the unpacking
    // start, then Ctrl-C. The top-level listing only: walking a tree being written races. The
    // waits block this thread (usleep), so a test pool busy with other suites cannot stretch them.
    var unpacking = false
    for _ in 0..<600 where !unpacking && process.isRunning {
      usleep(50_000)
      unpacking = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).contains { $0.hasPrefix("rigcheck-image-") }
    }
    usleep(300_000)
    #expect(unpacking, "rigcheck never started unpacking the layer")
    #expect(process.isRunning, "the unpacking finished before the signal: make the layer bigger")
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let left = try FileManager.default.contentsOfDirectory(atPath: temporary)
    #expect(left.isEmpty, "left behind in TMPDIR: \(left)")
  }
}
