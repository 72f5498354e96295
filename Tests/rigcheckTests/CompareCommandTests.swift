import Fingerprint
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct CompareCommandTests {
  /// A scratch folder with fingerprints written by the real binary.
  final class Workspace {
    let tree: TemporaryTree
    var path: String { tree.path }
    init() throws { tree = try TemporaryTree(prefix: "rigcheck-compare") }
    func file(_ name: String) -> String { tree.path + "/" + name }
  }

  func fingerprint(_ arguments: [String], to path: String) throws {
    let result = try Binary.run(["fingerprint", "-o", path] + arguments)
    try #require(result.status == 0, "\(result.stderr)")
  }

  @Test func exitCodesAndFormats() throws {
    let space = try Workspace()
    try fingerprint(["--root", Binary.fixture], to: space.file("h200.json"))
    try fingerprint(["--image", TestImages.reference("torch")], to: space.file("torch.json"))
    try fingerprint(["--image", TestImages.reference("cuda-layout")], to: space.file("cuda.json"))

    let same = try Binary.run(["compare", space.file("h200.json"), space.file("h200.json")])
    #expect(same.status == 0)
    #expect(same.stdout.contains("Equivalent under the policy."))

    let drift = try Binary.run(["compare", space.file("torch.json"), space.file("cuda.json")])
    #expect(drift.status == 1)
    #expect(drift.stdout.contains("Drift that matters: 6 errors"))
    #expect(drift.stdout.contains("python.packages[torch]"))

    let compatible = try Binary.run(["compare", space.file("h200.json"), space.file("cuda.json")])
    #expect(compatible.status == 0, "\(compatible.stdout)")
    #expect(compatible.stdout.contains("[✓] compat.cuda-driver"))

    let json = try Binary.run(["compare", space.file("torch.json"), space.file("cuda.json"), "--format", "json"])
    #expect(json.status == 1)
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect((document?["differences"] as? [[String: Any]])?.isEmpty == false)

    let markdown = try Binary.run(["compare", space.file("torch.json"), space.file("cuda.json"), "--format", "markdown"])
    #expect(markdown.stdout.hasPrefix("### rigcheck compare:"))
    #expect(markdown.stdout.contains("| ❌ |"))

    let junit = try Binary.run(["compare", space.file("torch.json"), space.file("cuda.json"), "--format", "junit"])
    try junit.stdout.write(toFile: space.file("compare.xml"), atomically: true, encoding: .utf8)
    let consumer = try Binary.runTool("/usr/bin/python3", ["-c", "import sys, junitparser\nfor s in junitparser.JUnitXml.fromfile(sys.argv[1]): print(s.name, s.failures)", space.file("compare.xml")])
    #expect(consumer.status == 0, "\(consumer.stderr)")
    #expect(consumer.stdout == "rigcheck compare 6\n")
  }

  @Test func inputErrorsExitTwoWithOneLine() throws {
    let space = try Workspace()
    try fingerprint(["--root", Binary.fixture], to: space.file("h200.json"))
    try "{not json".write(toFile: space.file("bad.json"), atomically: true, encoding: .utf8)
    try "rules:\n  - match: x\n    rule: strict\n".write(toFile: space.file("policy.yaml"), atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (["compare", space.file("missing.json"), space.file("h200.json")], "rigcheck: \(space.file("missing.json")): No such file or directory\n"),
      (["compare", space.file("bad.json"), space.file("h200.json")], "rigcheck: \(space.file("bad.json")) is not valid JSON"),
      (["compare", space.file("h200.json"), space.file("h200.json"), "--policy", space.file("policy.yaml")], "rigcheck: \(space.file("policy.yaml")):3:11: unknown rule `strict`"),
      (["compare", space.path, space.file("h200.json")], "rigcheck: \(space.path): not a regular file\n"),
      (["compare", space.file("h200.json")], "Error: Missing expected argument '<right>'"),
    ]
    for (arguments, expected) in cases {
      let result = try Binary.run(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
      #expect(!result.stderr.contains("Fatal error"))
    }
  }

  @Test func lockAndVerify() throws {
    let space = try Workspace()
    let lock = space.file("rigcheck.lock")
    let written = try Binary.run(["lock", "-o", lock, "--root", Binary.fixture])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(written.stdout.hasPrefix("wrote \(lock) (identity sha256:"))
    let text = try String(contentsOfFile: lock, encoding: .utf8)
    #expect(!text.contains("GPU-5a1e0000"), "the lock is redacted")

    let verified = try Binary.run(["verify", "--lock", lock, "--root", Binary.fixture])
    #expect(verified.status == 0, "\(verified.stdout)")

    // Someone upgrades the image's torch in the locked environment.
    let withImage = space.file("image.lock")
    #expect(try Binary.run(["lock", "-o", withImage, "--image", TestImages.reference("torch")]).status == 0)
    #expect(try Binary.run(["verify", "--lock", withImage]).status == 0)
    let edited = try String(contentsOfFile: withImage, encoding: .utf8).replacing("1.13.0a0+gitunknown", with: "1.12.1")
    try edited.write(toFile: withImage, atomically: true, encoding: .utf8)
    let drift = try Binary.run(["verify", "--lock", withImage])
    #expect(drift.status == 1)
    #expect(drift.stdout.contains("python.packages[torch]"))
    #expect(drift.stdout.contains("upgraded: 1.12.1 → 1.13.0a0+gitunknown"))

    let missing = try Binary.run(["verify", "--lock", space.file("none.lock")])
    #expect(missing.status == 2)
  }
}
