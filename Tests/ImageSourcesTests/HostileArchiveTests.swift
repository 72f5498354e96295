import Foundation
import ImageSources
import Testing

/// Layers built to escape, exhaust or deceive, each inside an OCI layout opened the way a user
/// would (`oci:DIR:TAG`): each is a clear typed error, nothing is written outside the
/// sandbox's `tmp/`, and what was unpacked is removed.
@Suite struct HostileArchiveTests {
  let sandbox: Sandbox
  /// A path in the machine's real /tmp that a `../` chain aims at; it must never appear.
  let escape = "/tmp/rigcheck-escape-\(UUID().uuidString)"

  init() throws { sandbox = try Sandbox() }

  var layout: String { sandbox.path + "/inputs/layout" }

  /// Builds a one-layer layout of `entries`, opens it, and returns the error it ends with.
  func open(
    _ entries: [TarEntry], compression: TarCompression = .none, limits: UnpackLimits = UnpackLimits(), prepare: (String) throws -> Void = { _ in }
  ) async throws -> Result<ImageAtRest, ImageSourceError> {
    let suffix = compression == .gzip ? ".tar.gz" : compression == .zstd ? ".tar.zst" : ".tar"
    let layer = try TarBuilder.write(entries, to: try inputs() + "/layer" + suffix, compression: compression)
    try prepare(layer)
    _ = try LayoutBuilder.singleImage(at: layout, layers: [layer])
    sandbox.snapshot()
    do {
      return .success(try await ImageSourceOpener.open(.ociLayout(directory: layout, tag: "test"), options: sandbox.options(limits: limits)))
    } catch {
      return .failure(error)
    }
  }

  func inputs() throws -> String {
    let path = sandbox.path + "/inputs"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  func expectFailure(_ result: Result<ImageAtRest, ImageSourceError>, _ kind: ImageSourceError.Kind, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    switch result {
    case .success(let image):
      Issue.record("opened \(image.source), expected a \(kind) error", sourceLocation: sourceLocation)
      image.close()
    case .failure(let error):
      #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
      #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
      #expect(error.message.contains(layout), "the error names the layout: \(error.message)", sourceLocation: sourceLocation)
    }
    expectNothingEscaped(sourceLocation: sourceLocation)
  }

  func expectNothingEscaped(sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(sandbox.writtenOutsideTmp() == [], sourceLocation: sourceLocation)
    #expect(sandbox.leftInTmp() == [], "the unpack directory is removed", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: escape), sourceLocation: sourceLocation)
    #expect(try! String(contentsOfFile: sandbox.outside + "/secret", encoding: .utf8) == "do not overwrite\n", sourceLocation: sourceLocation)
  }

  // MARK: Leaving the layer directory

  @Test func dotDotTraversal() async throws {
    let result = try await open([.file("etc/ok", "fine"), .file("../../../../outside/pwned", "x"), .file("../../../../../../../../../.." + escape, "x")])
    expectFailure(result, .hostile, mentioning: "leads outside the layer (../)")
  }

  @Test func dotDotInsideTheLayerIsFine() async throws {
    let image = try await open([.file("a/b/../c", "c\n")]).get()
    defer { image.close() }
    #expect(image.root.list("/a") == ["c"])
  }

  @Test func absoluteSymbolicLinkThenWriteThroughIt() async throws {
    let result = try await open([.symlink("etc", to: sandbox.outside), .file("etc/secret", "pwned")])
    expectFailure(result, .hostile, mentioning: "would be written through 'etc'")
  }

  @Test func relativeSymbolicLinkThenWriteThroughIt() async throws {
    let result = try await open([.symlink("x", to: "../../../../outside"), .file("x/pwned", "pwned")])
    expectFailure(result, .hostile, mentioning: "would be written through 'x'")
  }

  @Test func fileReplacesAnEarlierLinkInsteadOfFollowingIt() async throws {
    let image = try await open([.symlink("secret", to: sandbox.outside + "/secret"), .file("secret", "replaced\n"), .symlink("host", to: sandbox.outside + "/secret")]).get()
    defer { image.close() }
    let path = try #require(image.root.hostPath("/secret"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "replaced\n")
    // An absolute link names a path in the image, never the host's.
    #expect(image.root.linkTarget("/host") == sandbox.outside + "/secret")
    #expect(image.root.resolve("/host") == nil)
    #expect(image.root.hostPath("/host") == nil)
    image.close()
    expectNothingEscaped()
  }

  @Test func hardLinkOutsideTheLayer() async throws {
    let result = try await open([.file("a", "a"), .hardlink("h", to: "../../../../outside/secret")])
    expectFailure(result, .hostile, mentioning: "leads outside the layer (../)")
  }

  @Test func hardLinkThroughASymbolicLink() async throws {
    let result = try await open([.symlink("out", to: sandbox.outside), .hardlink("h", to: "out/secret")])
    expectFailure(result, .hostile, mentioning: "would be written through 'out'")
  }

  @Test func hardLinkInsideTheLayer() async throws {
    let image = try await open([.file("bin/tool", "tool\n"), .hardlink("bin/alias", to: "bin/tool")]).get()
    defer { image.close() }
    let alias = try #require(image.root.hostPath("/bin/alias"))
    #expect(try String(contentsOfFile: alias, encoding: .utf8) == "tool\n")
  }

  @Test func symbolicLinkLoop() async throws {
    let result = try await open([.symlink("a", to: "b"), .symlink("b", to: "a"), .file("a/x", "x")])
    expectFailure(result, .hostile, mentioning: "would be written through 'a'")
  }

  @Test func symbolicLinkLoopWithoutWritesOpensAndResolvesToNothing() async throws {
    let image = try await open([.symlink("a", to: "b"), .symlink("b", to: "/a"), .file("etc/os-release", "ID=test\n")]).get()
    defer { image.close() }
    #expect(image.root.resolve("/a") == nil)
    #expect(image.root.hostPath("/b/x") == nil)
    #expect(image.root.info("/a")?.kind == .symlink)
  }

  /// Real images hold non-ASCII names (PAX headers carry them as UTF-8); they must come out
  /// byte for byte, whatever this process's locale.
  @Test func utf8NamesSurvive() async throws {
    let image = try await open([.file("usr/share/café/naïve-日本.txt", "x\n"), .symlink("usr/share/link-é", to: "café/naïve-日本.txt")]).get()
    defer { image.close() }
    #expect(image.root.list("/usr/share") == ["café", "link-é"])
    #expect(image.root.list("/usr/share/café") == ["naïve-日本.txt"])
    #expect(image.root.resolve("/usr/share/link-é") == "/usr/share/café/naïve-日本.txt")
  }

  // MARK: Bombs

  @Test func gzipDecompressionBomb() async throws {
    // 64 MiB of zeros gzip to about 64 KiB (about 1000:1); the ratio limit is lowered so the
    // test stays small; the default is the same check at 1100:1 past 256 MiB.
    let limits = UnpackLimits(maximumRatio: 100, ratioFloorBytes: 1 << 20)
    let result = try await open([.zeros("zeros", size: 64 << 20)], compression: .gzip, limits: limits)
    expectFailure(result, .hostile, mentioning: "decompression bomb")
  }

  @Test func zstdDecompressionBomb() async throws {
    let limits = UnpackLimits(maximumRatio: 100, ratioFloorBytes: 1 << 20)
    let result = try await open([.zeros("zeros", size: 64 << 20)], compression: .zstd, limits: limits)
    expectFailure(result, .hostile, mentioning: "decompression bomb")
  }

  @Test func totalSizeLimit() async throws {
    let result = try await open([.file("small", "x"), .zeros("big", size: 16 << 20)], limits: UnpackLimits(maximumBytes: 8 << 20))
    expectFailure(result, .hostile, mentioning: "past 8388608 bytes")
  }

  @Test func entryCountLimit() async throws {
    let entries = (0..<300).map { TarEntry.directory("d\($0)") }
    let result = try await open(entries, limits: UnpackLimits(maximumEntries: 200))
    expectFailure(result, .hostile, mentioning: "more than 200 entries")
  }

  // MARK: Damaged and deceiving blobs

  @Test func truncatedGzipLayer() async throws {
    let result = try await open([.file("etc/a", String(repeating: "data ", count: 20000)), .zeros("z", size: 1 << 20)], compression: .gzip) { layer in
      try truncate(layer, keeping: 0.5)
    }
    expectFailure(result, .malformed, mentioning: "truncated or corrupt")
  }

  @Test func truncatedPlainLayer() async throws {
    let result = try await open([.file("etc/a", String(repeating: "data ", count: 20000)), .zeros("z", size: 1 << 20)]) { layer in
      try truncate(layer, keeping: 0.5)
    }
    expectFailure(result, .malformed, mentioning: "truncated or corrupt")
  }

  @Test func notATar() async throws {
    let result = try await open([]) { layer in
      try Data("this is not a tar archive, just text long enough to be sniffed by libarchive\n".utf8).write(to: URL(fileURLWithPath: layer))
    }
    expectFailure(result, .malformed, mentioning: "is not a tar archive")
  }

  @Test func layerWithTheWrongDigest() async throws {
    let layer = try TarBuilder.write([.file("etc/os-release", "ID=real\n")], to: try inputs() + "/layer.tar")
    let builder = try LayoutBuilder.singleImage(at: layout, layers: [layer])
    // Swap the blob's content for another tar of the same size: the descriptor no longer matches.
    let swapped = try TarBuilder.write([.file("etc/os-release", "ID=fake\n")], to: try inputs() + "/swapped.tar")
    let manifestBlob = try FileManager.default.contentsOfDirectory(atPath: builder.directory + "/blobs/sha256")
    let original = try Data(contentsOf: URL(fileURLWithPath: layer))
    let hex = try #require(manifestBlob.first { name in
      (try? Data(contentsOf: URL(fileURLWithPath: builder.directory + "/blobs/sha256/" + name))) == original
    })
    try Data(contentsOf: URL(fileURLWithPath: swapped)).write(to: URL(fileURLWithPath: builder.directory + "/blobs/sha256/" + hex))
    sandbox.snapshot()
    let result: Result<ImageAtRest, ImageSourceError>
    do {
      result = .success(try await ImageSourceOpener.open(.ociLayout(directory: layout, tag: "test"), options: sandbox.options()))
    } catch {
      result = .failure(error)
    }
    expectFailure(result, .digestMismatch, mentioning: "its descriptor says sha256:\(hex)")
  }

  /// A `docker save` archive whose manifest.json points outside the archive, directly and
  /// through a link: paths in an archive are resolved inside it, so neither reads the host.
  @Test func dockerArchivePointingOutside() async throws {
    let config = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#
    for layer in ["../../../../outside/secret", "link.tar"] {
      let archive = try TarBuilder.write(
        [
          .file("manifest.json", #"[{"Config":"config.json","RepoTags":["evil:1"],"Layers":["\#(layer)"]}]"#), .file("config.json", config),
          .symlink("link.tar", to: sandbox.outside + "/secret"),
        ], to: try inputs() + "/evil.tar")
      sandbox.snapshot()
      do {
        let image = try await ImageSourceOpener.open(.dockerArchive(file: archive, reference: nil), options: sandbox.options())
        image.close()
        Issue.record("an archive pointing outside opened")
      } catch {
        #expect(error.kind == .notFound, "\(error.message)")
        #expect(error.message.contains("docker-archive:\(archive) layer 1 of 1 (\(layer)): \(layer) is missing (or leads outside)"), "\(error.message)")
      }
      expectNothingEscaped()
    }
  }

  func truncate(_ path: String, keeping fraction: Double) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: path))
  }
}
