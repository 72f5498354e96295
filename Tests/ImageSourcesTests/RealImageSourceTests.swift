import Foundation
import ImageSources
import TestSupport
import Testing

/// The test images (scripts/build-test-images.sh) written by the real tools users have —
/// skopeo's `oci:`, `oci-archive:`, `docker-archive:` transports and `docker save` — read at
/// rest: the root view holds exactly the files `docker export` gives for the same image.
@Suite(.serialized) struct RealImageSourceTests {
  let sandbox: Sandbox
  init() throws { sandbox = try Sandbox() }

  /// cuda-layout: four layers over the Debian base (os-release, /etc, NVIDIA's file layout).
  static let image = TestImages.reference("cuda-layout")
  /// busybox: one small layer, for the formats whose reading does not depend on the size.
  static let busybox = TestImages.reference("busybox")

  func open(_ reference: ImageSourceReference) async throws -> ImageAtRest {
    try await ImageSourceOpener.open(reference, options: sandbox.options())
  }

  /// The error opening `reference` ends with (nil, and an issue, when it opened).
  func failure(_ reference: ImageSourceReference, sourceLocation: SourceLocation = #_sourceLocation) async -> ImageSourceError? {
    do {
      let image = try await ImageSourceOpener.open(reference, options: sandbox.options())
      Issue.record("\(image.source) opened", sourceLocation: sourceLocation)
      image.close()
      return nil
    } catch {
      return error
    }
  }

  /// Every path, kind, size and link target in the root view equals `docker export`'s.
  func expectSameFilesAsDockerExport(_ image: ImageAtRest, _ reference: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let exported = try TreeListing.ofDockerExport(reference, scratch: sandbox.path)
    let ours = TreeListing.of(image.root)
    #expect(exported.count > 250, sourceLocation: sourceLocation)
    #expect(ours.subtracting(exported).sorted() == [], "only in the image at rest", sourceLocation: sourceLocation)
    #expect(exported.subtracting(ours).sorted() == [], "only in docker export", sourceLocation: sourceLocation)
  }

  /// The Debian-based image: the whole tree, and os-release through its link.
  func expectDebianImage(_ image: ImageAtRest, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectSameFilesAsDockerExport(image, Self.image, sourceLocation: sourceLocation)
    let osRelease = try #require(image.root.hostPath("/etc/os-release"), sourceLocation: sourceLocation)
    #expect(try String(contentsOfFile: osRelease, encoding: .utf8).contains("VERSION_ID=\"12\""), sourceLocation: sourceLocation)
    #expect(image.root.resolve("/etc/os-release") == "/usr/lib/os-release", sourceLocation: sourceLocation)
  }

  func dockerInspect(_ format: String, _ reference: String = image) throws -> String {
    try Tools.run("docker", ["image", "inspect", "--format", format, reference]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func ociLayoutFromSkopeo() async throws {
    let layout = sandbox.path + "/layout"
    try Tools.run("skopeo", ["copy", "-q", "docker-daemon:\(Self.image)", "oci:\(layout):current"])
    sandbox.snapshot()
    let image = try await open(try ImageSourceReference(parsing: "oci:\(layout):current"))
    try expectDebianImage(image)
    #expect(image.config.environment.joined(separator: "\n") == (try dockerInspect("{{join .Config.Env \"\\n\"}}")))
    #expect(image.config.architecture == "amd64" && image.config.os == "linux")
    #expect(image.source.hasPrefix("oci:\(layout):current (manifest sha256:"))
    #expect(image.source.hasSuffix(", \(try dockerInspect("{{len .RootFS.Layers}}")) layers)"))
    image.close()
    #expect(sandbox.leftInTmp() == [])
    #expect(sandbox.writtenOutsideTmp() == [])
  }

  @Test func dockerSaveLegacyArchive() async throws {
    let archive = sandbox.path + "/saved.tar"
    try Tools.run("docker", ["save", "-o", archive, Self.image])
    sandbox.snapshot()
    let image = try await open(try ImageSourceReference(parsing: "docker-archive:\(archive)"))
    try expectDebianImage(image)
    #expect(image.config.id == (try dockerInspect("{{.Id}}")), "the config's digest is Docker's image id")
    image.close()
    #expect(sandbox.leftInTmp() == [])
    #expect(sandbox.writtenOutsideTmp() == [])
  }

  @Test func dockerArchiveFromSkopeoChosenByTag() async throws {
    let archive = sandbox.path + "/skopeo-docker.tar"
    try Tools.run("skopeo", ["copy", "-q", "docker-daemon:\(Self.busybox)", "docker-archive:\(archive):\(Self.busybox)"])
    // skopeo writes the full name (docker.io/rigcheck-test/busybox:current); docker's short form finds it.
    let image = try await open(.dockerArchive(file: archive, reference: Self.busybox))
    try expectSameFilesAsDockerExport(image, Self.busybox)
    #expect(image.config.id == (try dockerInspect("{{.Id}}", Self.busybox)))
    #expect(image.source == "docker-archive:\(archive):\(Self.busybox) (docker.io/\(Self.busybox), 1 layers)")
    image.close()
    let error = await failure(.dockerArchive(file: archive, reference: "rigcheck-test/other:v1"))
    #expect(error?.kind == .notFound)
    #expect(error?.message == "docker-archive:\(archive):rigcheck-test/other:v1 has no image tagged rigcheck-test/other:v1 (it has docker.io/\(Self.busybox))")
  }

  @Test func ociArchiveFromSkopeo() async throws {
    let archive = sandbox.path + "/image.oci.tar"
    try Tools.run("skopeo", ["copy", "-q", "docker-daemon:\(Self.busybox)", "oci-archive:\(archive):current"])
    sandbox.snapshot()
    let image = try await open(try ImageSourceReference(parsing: "oci-archive:\(archive)"))
    try expectSameFilesAsDockerExport(image, Self.busybox)
    #expect(image.source.hasPrefix("oci-archive:\(archive) (manifest sha256:"))
    #expect(sandbox.leftInTmp().count == 1, "only the unpacked layers stay while open; the unpacked archive is gone")
    image.close()
    #expect(sandbox.leftInTmp() == [])
    #expect(sandbox.writtenOutsideTmp() == [])
  }

  @Test func zstdLayersAndTagsInOneLayout() async throws {
    let layout = sandbox.path + "/two"
    let busybox = Self.busybox
    try Tools.run("skopeo", ["copy", "-q", "--dest-compress-format", "zstd", "docker-daemon:\(busybox)", "oci:\(layout):bb"])
    try Tools.run("skopeo", ["copy", "-q", "docker-daemon:\(TestImages.reference("debian-base"))", "oci:\(layout):deb"])
    let manifests = try String(contentsOfFile: layout + "/index.json", encoding: .utf8)
    #expect(manifests.contains("\"bb\"") && manifests.contains("\"deb\""))
    let small = try await open(.ociLayout(directory: layout, tag: "bb"))
    try expectSameFilesAsDockerExport(small, busybox)
    #expect(small.root.info("/bin/busybox")?.kind == .regular)
    small.close()
    let debian = try await open(.ociLayout(directory: layout, tag: "deb"))
    #expect(debian.root.info("/usr/bin/dpkg")?.kind == .regular)
    #expect(debian.root.info("/bin/busybox") == nil)
    debian.close()
    let untagged = await failure(.ociLayout(directory: layout, tag: nil))
    #expect(untagged?.kind == .invalidReference)
    #expect(untagged?.message == "oci:\(layout) holds 2 images; name one with oci:DIR:TAG (tags: bb, deb)")
    let missing = await failure(.ociLayout(directory: layout, tag: "missing"))
    #expect(missing?.kind == .notFound)
    #expect(missing?.message == "oci:\(layout):missing has no image tagged 'missing' (it has bb, deb)")
  }

  /// Builds on busybox in two committed containers: the first writes /data/old, the second
  /// deletes /bin/ls and replaces /data. Docker records that as a `.wh.ls` whiteout and an
  /// opaque /data (`.wh..wh..opq` in the saved layer tar). The images are this test's own and
  /// are removed.
  @Test func whiteoutsWrittenByDocker() async throws {
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let first = "rigcheck-test/imagesources-whiteouts:base-\(suffix)"
    let second = "rigcheck-test/imagesources-whiteouts:\(suffix)"
    defer { _ = try? Tools.run("docker", ["rmi", second, first]) }
    for (image, script, tag) in [
      (Self.busybox, "mkdir /data && echo old > /data/old", first), (first, "rm /bin/ls && rm -rf /data && mkdir /data && echo new > /data/new", second),
    ] {
      let container = "rigcheck-imagesources-\(UUID().uuidString.prefix(8))"
      defer { _ = try? Tools.run("docker", ["rm", "-f", container]) }
      try Tools.run("docker", ["run", "--name", container, "--network", "none", image, "sh", "-c", script])
      try Tools.run("docker", ["commit", container, tag])
    }
    let archive = sandbox.path + "/whiteouts.tar"
    try Tools.run("docker", ["save", "-o", archive, second])
    let image = try await open(.dockerArchive(file: archive, reference: second))
    defer { image.close() }
    let layers = try #require(image.root as? LayeredDirectoryRoot).layers
    #expect(layers.count == 3)
    #expect(FileManager.default.fileExists(atPath: layers[2] + "/bin/.wh.ls"), "Docker wrote an OCI whiteout")
    #expect(FileManager.default.fileExists(atPath: layers[2] + "/data/.wh..wh..opq"), "Docker wrote an opaque directory")
    #expect(image.root.info("/bin/ls") == nil)
    #expect(image.root.info("/bin/cat")?.kind == .symlink)
    #expect(image.root.list("/data") == ["new"])
    try expectSameFilesAsDockerExport(image, second)
  }

  /// Docker 25+ `docker save` writes the same manifest.json over an OCI layout: layers as
  /// `blobs/sha256/<diff id>` (uncompressed), the config as `blobs/sha256/<image id>` (moby
  /// image/tarexport/save.go, `saveImage`/`saveLayer`: `path.Join("blobs", algorithm, encoded)`).
  /// Docker 20.10 here writes the legacy form, so this archive is DERIVED from its real
  /// `docker save` output: the same files moved to those paths, manifest.json rewritten.
  @Test func dockerSaveOCIFormOfDocker25() async throws {
    let legacy = sandbox.path + "/legacy.tar"
    try Tools.run("docker", ["save", "-o", legacy, Self.busybox])
    let converted = sandbox.path + "/docker25.tar"
    try Tools.run("python3", ["-c", """
      import io, json, sys, tarfile
      source, target = tarfile.open(sys.argv[1]), tarfile.open(sys.argv[2], "w")
      item = json.load(source.extractfile("manifest.json"))[0]
      config = source.extractfile(item["Config"]).read()
      diff_ids = json.loads(config)["rootfs"]["diff_ids"]
      def add(name, data):
          info = tarfile.TarInfo(name); info.size = len(data); target.addfile(info, io.BytesIO(data))
      add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
      add("blobs/sha256/" + item["Config"].removesuffix(".json"), config)
      layers = []
      for path, diff_id in zip(item["Layers"], diff_ids):
          layers.append("blobs/sha256/" + diff_id.removeprefix("sha256:"))
          add(layers[-1], source.extractfile(path).read())
      add("manifest.json", json.dumps([{"Config": "blobs/sha256/" + item["Config"].removesuffix(".json"), "RepoTags": item["RepoTags"], "Layers": layers}]).encode())
      target.close()
      """, legacy, converted])
    let image = try await open(.dockerArchive(file: converted, reference: nil))
    try expectSameFilesAsDockerExport(image, Self.busybox)
    #expect(image.config.id == (try dockerInspect("{{.Id}}", Self.busybox)))
    image.close()
  }
}
