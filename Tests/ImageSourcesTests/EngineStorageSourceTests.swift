import Foundation
import TestSupport
import Testing

@testable import ImageSources

/// `--static IMAGE` over Docker's own overlay2 layer directories (the test images of
/// scripts/build-test-images.sh), checked against `docker image inspect` and without a
/// container: Docker's event stream shows none created or started.
@Suite(.serialized) struct EngineStorageSourceTests {
  let options = ImageSourceOptions(environment: TestImages.environment, timeoutSeconds: 120)

  /// Container events of the daemon between two instants (`docker events --since --until`).
  /// Containers of `reference` created in the window, from the engine's event stream. Other
  /// suites run inspections on this shared daemon meanwhile; their containers carry the
  /// `org.rigcheck.inspection=1` label `Inspector` sets and are left out. Any other container of
  /// the image counts.
  func containerEvents(of reference: String, since: Date, until: Date) throws -> String {
    let events = try AtRestTestTools.run(
      "docker",
      [
        "events", "--since", String(Int(since.timeIntervalSince1970)), "--until", String(Int(until.timeIntervalSince1970) + 1),
        "--filter", "type=container", "--filter", "event=create", "--filter", "image=\(reference)",
        "--format", "{{.Actor.ID}} inspection={{index .Actor.Attributes \"org.rigcheck.inspection\"}}",
      ],
      timeout: 30)
    return events.split(separator: "\n").filter { !$0.hasSuffix(" inspection=1") }.joined(separator: "\n")
  }

  @Test func multiLayerImageReadInPlace() async throws {
    let started = Date()
    let image = try await ImageSourceOpener.open(.localEngine(reference: TestImages.reference("torch"), engine: "docker"), options: options)
    defer { image.close() }
    let layered = try #require(image.root as? LayeredDirectoryRoot)
    // The layer directories are Docker's own, bottom first: the last is the image's UpperDir.
    let upper = try AtRestTestTools.run("docker", ["image", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", TestImages.reference("torch")])
    #expect(layered.layers.last == upper.trimmingCharacters(in: .whitespacesAndNewlines))
    #expect(layered.layers.count >= 2)
    #expect(image.source.hasPrefix("docker storage (overlay2, \(layered.layers.count) layers)"))
    // From the base layer and from the layer torch was installed in.
    #expect(try AtRestTestTools.read(image.root, "/etc/os-release").contains("VERSION_ID=\"12\""))
    #expect(image.root.info("/usr/lib/python3/dist-packages/torch/version.py")?.kind == .regular)
    #expect(image.root.resolve("/bin/sh") == "/usr/bin/dash")
    let id = try AtRestTestTools.run("docker", ["image", "inspect", "--format", "{{.Id}}", TestImages.reference("torch")])
    #expect(image.config.id == id.trimmingCharacters(in: .whitespacesAndNewlines))
    #expect(image.config.architecture == "amd64" && image.config.os == "linux")
    #expect(image.config.environment.contains { $0.hasPrefix("PATH=") })
    #expect(try containerEvents(of: TestImages.reference("torch"), since: started, until: Date()).isEmpty, "no container is created or started")
  }

  @Test func arm64ImageOnThisMachine() async throws {
    let image = try await ImageSourceOpener.open(.localEngine(reference: TestImages.reference("debian-arm64"), engine: "docker"), options: options)
    defer { image.close() }
    #expect(image.config.architecture == "arm64")
    #expect(try AtRestTestTools.read(image.root, "/usr/lib/os-release").contains("ID=debian"))
    #expect(try AtRestTestTools.elfMachine(try #require(image.root.hostPath("/bin/bash"))) == 183, "EM_AARCH64")
  }

  @Test func defaultEngineAndMissingImage() async throws {
    let image = try await ImageSourceOpener.open(try ImageSourceReference(parsing: TestImages.reference("busybox")), options: options)
    defer { image.close() }
    #expect(image.source.hasPrefix("docker storage"))
    #expect(image.root.resolve("/bin/sh") == "/bin/busybox")

    var caught: ImageSourceError?
    do {
      _ = try await ImageSourceOpener.open(.localEngine(reference: "rigcheck-test/no-such-image:never", engine: "docker"), options: options)
    } catch {
      caught = error
    }
    let error = try #require(caught)
    #expect(error.kind == .notFound)
    #expect(error.message.contains("rigcheck-test/no-such-image:never"), "\(error)")
  }

  @Test func inspectWithoutReadableLayersFallsBackToSave() throws {
    // A daemon whose layer directories are not readable here (another user, a remote daemon)
    // names them anyway: they are not used, and `docker save` is the way.
    let text = #"{"Id":"sha256:ab","Architecture":"amd64","Os":"linux","Config":{"Env":["A=1"],"Labels":{"l":"v"}},"RepoDigests":["r@sha256:cd"],"#
      + #""GraphDriver":{"Name":"overlay2","Data":{"UpperDir":"/nonexistent/rigcheck/diff","LowerDir":"/nonexistent/a/diff"}}}"#
    let inspected = try EngineStorageSource.parseInspect(text, engine: "docker", reference: "x")
    #expect(inspected.layerDirectories == nil)
    #expect(inspected.config.environment == ["A=1"] && inspected.config.labels == ["l": "v"] && inspected.config.digests == ["r@sha256:cd"])
  }
}
