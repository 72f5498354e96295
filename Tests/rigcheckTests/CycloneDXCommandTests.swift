import Foundation
import Probes
import TestSupport
import Testing

/// `rigcheck inspect IMAGE --format cyclonedx` on the real CUDA PyTorch test image (PyPI's
/// torch 2.5.1+cu124 and its nvidia wheels on Debian 12), validated by the official CycloneDX
/// 1.6 JSON schema (cyclonedx-python-lib's strict validator) with every purl re-serialised by
/// packageurl-python; the OS packages checked against dpkg-query and torch's build against
/// torch itself, both asked inside the same image.
@Suite(.serialized) struct CycloneDXCommandTests {
  static let image = TestImages.reference("torch-cuda")

  final class Workspace {
    let tree: TemporaryTree
    init() throws { tree = try TemporaryTree(prefix: "rigcheck-cyclonedx") }
    func file(_ name: String) -> String { tree.path + "/" + name }
  }

  /// `command` run in the image with docker (no network, never pulled).
  static func askTheImage(_ command: [String]) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command("docker", ["run", "--rm", "--network", "none", "--pull", "never", image] + command, timeoutSeconds: 120),
      environment: TestImages.environment, outputLimit: 4 << 20)
    try #require(result.succeeded, "\(command): \(result.stderr.suffix(2000))")
    return result.stdout
  }

  static func document(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
  }

  @Test func sbomOfTheRealTorchImageValidates() throws {
    let space = try Workspace()
    let path = space.file("torch.cdx.json")
    let result = try Binary.run(["inspect", Self.image, "--runtime", "docker", "--image-timeout", "300", "--format", "cyclonedx", "-o", path])
    try #require(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == (try String(contentsOfFile: path, encoding: .utf8)), "stdout and -o carry the same document")

    // The official schema and the reference purl implementation.
    let (problems, purls) = try CycloneDXValidation.problems(path: path)
    #expect(problems == [])
    #expect(purls > 100, "Debian's packages and the pip wheels: \(purls) purls")

    let document = try Self.document(path)
    #expect(document["specVersion"] as? String == "1.6")
    let serial = try #require(document["serialNumber"] as? String)
    #expect(serial.wholeMatch(of: /urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(serial)")
    let components = try #require(document["components"] as? [[String: Any]])
    let references = components.compactMap { $0["bom-ref"] as? String }
    #expect(references == references.sorted() && Set(references).count == components.count, "sorted, unique bom-refs")

    // Every configured Debian package, as dpkg-query in the image lists it.
    let dpkg = try Self.askTheImage(["dpkg-query", "-W", "-f=${db:Status-Status} ${Package} ${Version} ${Architecture}\n"])
    let installed = Set(dpkg.split(separator: "\n").filter { $0.hasPrefix("installed ") }.map { line in
      let parts = line.split(separator: " ")
      // `+` is the one character of Debian names and versions a purl percent-encodes.
      return "pkg:deb/debian/\(parts[1].replacing("+", with: "%2B"))@\(parts[2].replacing("+", with: "%2B"))?arch=\(parts[3])&distro=debian-12"
    })
    let debs = Set(components.compactMap { $0["purl"] as? String }.filter { $0.hasPrefix("pkg:deb/") })
    #expect(installed.count > 50)
    #expect(debs.subtracting(installed).sorted() == [], "only in rigcheck's SBOM")
    #expect(installed.subtracting(debs).sorted() == [], "only in dpkg-query's list")

    // torch's CUDA build and arch list, as torch itself reports them.
    let answer = try Self.askTheImage(["python3", "-c", "import torch; print(torch._C._cuda_getArchFlags()); print(torch.version.cuda); print(torch.__version__)"])
    let lines = answer.split(separator: "\n").map(String.init)
    let torch = try #require(components.first { $0["purl"] as? String == "pkg:pypi/torch@2.5.1" }, "torch's wheel")
    let properties = Dictionary(((torch["properties"] as? [[String: String]]) ?? []).map { ($0["name"]!, $0["value"]!) }) { first, _ in first }
    #expect(properties["rigcheck:torch:archList"] == lines[0])
    #expect(properties["rigcheck:torch:cuda"] == lines[1])
    #expect(properties["rigcheck:torch:version"] == lines[2])
    #expect(components.contains { $0["purl"] as? String == "pkg:pypi/nvidia-cudnn-cu12@9.1.0.70" })

    // The image itself.
    let metadata = try #require(document["metadata"] as? [String: Any])
    let component = try #require(metadata["component"] as? [String: Any])
    #expect(component["name"] as? String == Self.image && component["type"] as? String == "container")
    let imageID = try Self.askTheImageEngine(["image", "inspect", "--format", "{{.Id}}", Self.image]).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(component["version"] as? String == imageID)

    // The same image gives the same document, serial number included.
    let again = try Binary.run(["inspect", Self.image, "--runtime", "docker", "--image-timeout", "300", "--format", "cyclonedx"])
    try #require(again.status == 0, "\(again.stderr)")
    #expect(again.stdout == result.stdout)

    // The validator does fail: an unknown field and a non-canonical purl are both reported.
    var broken = document
    var first = components[0]
    first["colour"] = "red"
    first["purl"] = "pkg:PyPI/Torch@2.5.1"
    broken["components"] = [first] + components.dropFirst()
    let brokenPath = space.file("broken.cdx.json")
    try JSONSerialization.data(withJSONObject: broken).write(to: URL(fileURLWithPath: brokenPath))
    let (brokenProblems, _) = try CycloneDXValidation.problems(path: brokenPath)
    #expect(brokenProblems.contains { $0.hasPrefix("schema: components/0: ") && $0.contains("colour") }, "\(brokenProblems)")
    #expect(brokenProblems.contains { $0.hasPrefix("purl: pkg:PyPI/Torch@2.5.1 is pkg:pypi/torch@2.5.1") }, "\(brokenProblems)")
  }

  static func askTheImageEngine(_ arguments: [String]) throws -> String {
    let result = try ProcessCommandRunner.runBlocking(
      Command("docker", arguments, timeoutSeconds: 60), environment: TestImages.environment, outputLimit: 1 << 20)
    try #require(result.succeeded, "\(result.stderr)")
    return result.stdout
  }

  @Test func formatErrorsAreUsageErrors() throws {
    let unknown = try Binary.run(["inspect", Self.image, "--format", "spdx"])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("spdx"), "\(unknown.stderr)")
    let both = try Binary.run(["inspect", Self.image, "--json", "--format", "cyclonedx"])
    #expect(both.status == 2)
    #expect(both.stderr.contains("--json and --format cyclonedx contradict each other"), "\(both.stderr)")
    #expect(unknown.stdout.isEmpty && both.stdout.isEmpty)
  }
}
