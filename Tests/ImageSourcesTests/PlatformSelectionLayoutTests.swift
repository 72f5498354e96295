import Foundation
import Testing

@testable import ImageSources

/// A multi-platform image in an OCI layout, as `docker buildx --output type=oci` and skopeo
/// `--all` write it: index.json → a nested image index → one manifest per platform. Each
/// platform's layer holds a file naming it, so the test sees which image was unpacked.
@Suite struct PlatformSelectionLayoutTests {
  let sandbox: Sandbox
  let layout: String

  init() throws {
    sandbox = try Sandbox()
    layout = sandbox.path + "/multi"
    let builder = try LayoutBuilder(directory: layout)
    var manifests: [OCIDescriptor] = []
    for (architecture, variant) in [("amd64", nil), ("arm64", "v8"), ("arm", "v7")] as [(String, String?)] {
      let layer = try TarBuilder.write([.file("etc/platform", "\(architecture)\(variant.map { "/" + $0 } ?? "")\n")], to: sandbox.path + "/\(architecture).tar.gz", compression: .gzip)
      var manifest = try builder.addImage(layers: [layer], architecture: architecture)
      manifest.platform = OCIPlatform(architecture: architecture, os: "linux", variant: variant)
      manifests.append(manifest)
    }
    // An attestation manifest, as BuildKit adds them: never a candidate.
    manifests.append(OCIDescriptor(mediaType: OCIMediaType.manifest, digest: manifests[0].digest, size: manifests[0].size, platform: OCIPlatform(architecture: "unknown", os: "unknown")))
    var nested = try builder.addJSON(OCIIndex(schemaVersion: 2, mediaType: OCIMediaType.index, manifests: manifests), mediaType: OCIMediaType.index)
    nested.annotations = [OCIMediaType.refNameAnnotation: "multi"]
    try builder.writeIndex([nested])
  }

  func platformFile(_ platform: ImagePlatform?) async throws -> String {
    let image = try await ImageSourceOpener.open(.ociLayout(directory: layout, tag: "multi"), options: sandbox.options(platform: platform))
    defer { image.close() }
    let path = try #require(image.root.hostPath("/etc/platform"))
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  @Test func defaultIsThisMachine() async throws {
    #expect(try await platformFile(nil) == "amd64\n")
  }

  @Test func armImagesByPlatform() async throws {
    #expect(try await platformFile(ImagePlatform(parsing: "linux/arm64")) == "arm64/v8\n")
    #expect(try await platformFile(ImagePlatform(parsing: "linux/arm64/v8")) == "arm64/v8\n")
    #expect(try await platformFile(ImagePlatform(parsing: "linux/arm/v7")) == "arm/v7\n")
  }

  @Test func absentPlatformNamesWhatIsOffered() async throws {
    do {
      let image = try await ImageSourceOpener.open(.ociLayout(directory: layout, tag: "multi"), options: sandbox.options(platform: ImagePlatform(parsing: "linux/s390x")))
      image.close()
      Issue.record("linux/s390x opened")
    } catch {
      #expect(error.kind == .platformNotFound)
      #expect(error.message.hasSuffix("has no image for linux/s390x (it offers linux/amd64, linux/arm64/v8, linux/arm/v7); choose one with --platform"), "\(error.message)")
    }
    #expect(sandbox.leftInTmp() == [])
  }

  @Test func singleImageOfAnotherPlatformIsRefused() async throws {
    let single = sandbox.path + "/single"
    let layer = try TarBuilder.write([.file("etc/platform", "arm64\n")], to: sandbox.path + "/single.tar")
    let builder = try LayoutBuilder(directory: single)
    var manifest = try builder.addImage(layers: [layer], architecture: "arm64")
    manifest.platform = nil
    try builder.writeIndex([manifest])
    do {
      let image = try await ImageSourceOpener.open(.ociLayout(directory: single, tag: nil), options: sandbox.options(platform: ImagePlatform(parsing: "linux/amd64")))
      image.close()
      Issue.record("an arm64 image opened as linux/amd64")
    } catch {
      #expect(error.kind == .platformNotFound)
      #expect(error.message == "oci:\(single) is a linux/arm64 image, not linux/amd64")
    }
    // Without --platform the only image is read, whatever its architecture (an arm64 image on x86).
    let image = try await ImageSourceOpener.open(.ociLayout(directory: single, tag: nil), options: sandbox.options())
    #expect(image.config.architecture == "arm64")
    image.close()
  }
}
