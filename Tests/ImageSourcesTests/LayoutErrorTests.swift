import Foundation
import ImageSources
import TestSupport
import Testing

/// What a user gets for a reference that is not an image: a typed error naming it.
@Suite struct LayoutErrorTests {
  let sandbox: Sandbox
  init() throws { sandbox = try Sandbox() }

  func failure(_ reference: ImageSourceReference) async -> ImageSourceError? {
    do {
      let image = try await ImageSourceOpener.open(reference, options: sandbox.options())
      image.close()
      return nil
    } catch {
      return error
    }
  }

  @Test func missingDirectory() async {
    let error = await failure(.ociLayout(directory: sandbox.path + "/nope", tag: nil))
    #expect(error?.kind == .notFound)
    #expect(error?.message == "oci:\(sandbox.path)/nope: no such directory")
  }

  @Test func directoryThatIsNotALayout() async throws {
    try sandbox.tree.write("plain/file", "x")
    let error = await failure(.ociLayout(directory: sandbox.path + "/plain", tag: nil))
    #expect(error?.kind == .malformed)
    #expect(error?.message == "oci:\(sandbox.path)/plain: \(sandbox.path)/plain is not an OCI image layout (it has no oci-layout file)")
  }

  @Test func indexThatIsNotJSON() async throws {
    try sandbox.tree.write("bad/oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
    try sandbox.tree.write("bad/index.json", "{not json")
    let error = await failure(.ociLayout(directory: sandbox.path + "/bad", tag: nil))
    #expect(error?.kind == .malformed)
    #expect(error?.message.hasPrefix("oci:\(sandbox.path)/bad: index.json is not valid JSON") == true, "\(error?.message ?? "")")
  }

  @Test func manifestBlobMissing() async throws {
    try sandbox.tree.write("nomanifest/oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    try sandbox.tree.write(
      "nomanifest/index.json",
      #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":10}]}"#)
    let error = await failure(.ociLayout(directory: sandbox.path + "/nomanifest", tag: nil))
    #expect(error?.kind == .notFound)
    #expect(error?.message == "oci:\(sandbox.path)/nomanifest: manifest \(digest): blobs/sha256/\(String(repeating: "ab", count: 32)) is missing (or leads outside)")
  }

  @Test func digestThatCouldBeAPath() async throws {
    try sandbox.tree.write("evil/oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
    try sandbox.tree.write(
      "evil/index.json",
      #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../../etc/passwd","size":10}]}"#)
    let error = await failure(.ociLayout(directory: sandbox.path + "/evil", tag: nil))
    #expect(error?.kind == .malformed)
    #expect(error?.message.contains("is not sha256:<64 lower-case hex digits>") == true, "\(error?.message ?? "")")
  }

  @Test func archiveThatIsNotATar() async throws {
    try sandbox.tree.write("not.tar", String(repeating: "plain text, not an archive\n", count: 100))
    let error = await failure(.ociArchive(file: sandbox.path + "/not.tar", tag: nil))
    #expect(error?.kind == .malformed)
    #expect(error?.message.hasPrefix("oci-archive:\(sandbox.path)/not.tar is not a tar archive") == true, "\(error?.message ?? "")")
    #expect(sandbox.leftInTmp() == [])
  }

  @Test func missingArchive() async {
    let error = await failure(.dockerArchive(file: sandbox.path + "/gone.tar", reference: nil))
    #expect(error?.kind == .notFound)
    #expect(error?.message.hasPrefix("docker-archive:\(sandbox.path)/gone.tar: cannot open") == true, "\(error?.message ?? "")")
    #expect(sandbox.leftInTmp() == [])
  }
}
