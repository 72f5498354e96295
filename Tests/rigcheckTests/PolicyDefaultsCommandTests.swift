import Foundation
import TestSupport
import Testing

/// The built-in policy end to end, on fingerprints the real binary writes: Python package drift
/// in the real test images is listed as warnings, a driver on another branch across fleet nodes
/// is an error and another patch level of the branch a warning, and a user policy overrides both.
@Suite(.serialized) struct PolicyDefaultsCommandTests {
  final class Workspace {
    let tree: TemporaryTree
    init(_ prefix: String) throws { tree = try TemporaryTree(prefix: prefix) }
    func file(_ name: String) -> String { tree.path + "/" + name }
    func write(_ name: String, _ text: String) throws { try text.write(toFile: file(name), atomically: true, encoding: .utf8) }
  }

  func fingerprint(_ arguments: [String], to path: String) throws {
    let result = try Binary.run(["fingerprint", "-o", path] + arguments)
    try #require(result.status == 0, "\(result.stderr)")
  }

  /// The packages of the first image of a fingerprint file, by name.
  func packages(_ path: String) throws -> [String: String] {
    let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    let identity = try #require(document["identity"] as? [String: Any])
    let image = try #require((identity["images"] as? [[String: Any]])?.first)
    let python = try #require((image["python"] as? [String: Any])?["value"] as? [String: Any])
    let list = try #require(python["packages"] as? [[String: String]])
    return Dictionary(list.map { ($0["name"]!, $0["version"]!) }) { first, _ in first }
  }

  /// The lines of `text` from the one holding `path` (the `[!]`/`[✗]` line) to the next item.
  func item(_ text: String, _ path: String) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let start = lines.firstIndex(where: { $0.hasSuffix(path) && $0.hasPrefix("[") }) else { return [] }
    return [lines[start]] + lines[(start + 1)...].prefix { $0.hasPrefix("      ") }
  }

  static let packageReason = "why  a Python package added, removed or changed: imports, APIs and results may differ"

  /// This machine with the real Debian torch image; the right side is the same fingerprint with
  /// numpy moved to 2.1.3 and `requests` taken out of the package list (nothing else changed).
  @Test func packageDriftInARealImageIsListedAsWarnings() throws {
    let space = try Workspace("rigcheck-policy-packages")
    let torch = TestImages.reference("torch")
    try fingerprint(["--image", torch], to: space.file("torch.json"))
    let installed = try packages(space.file("torch.json"))
    let numpy = try #require(installed["numpy"])
    let requests = try #require(installed["requests"])
    #expect(numpy.hasPrefix("1."), "Debian 12's numpy is 1.x")

    var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: space.file("torch.json")))) as? [String: Any])
    var identity = document["identity"] as! [String: Any]
    var images = identity["images"] as! [[String: Any]]
    var python = images[0]["python"] as! [String: Any]
    var value = python["value"] as! [String: Any]
    value["packages"] = (value["packages"] as! [[String: String]]).compactMap { package -> [String: String]? in
      switch package["name"] {
      case "numpy": return ["name": "numpy", "version": "2.1.3"]
      case "requests": return nil
      default: return package
      }
    }
    python["value"] = value
    images[0]["python"] = python
    identity["images"] = images
    document["identity"] = identity
    try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: space.file("numpy2.json")))

    let result = try Binary.run(["compare", space.file("torch.json"), space.file("numpy2.json")])
    #expect(result.status == 0, "warnings alone do not fail: \(result.stdout)")
    let numpyItem = item(result.stdout, "images[\(torch)].python.packages[numpy]")
    #expect(numpyItem == ["[!] images[\(torch)].python.packages[numpy]", "      upgraded: \(numpy) → 2.1.3", "      \(Self.packageReason)"], "\(result.stdout)")
    let requestsItem = item(result.stdout, "images[\(torch)].python.packages[requests]")
    #expect(requestsItem == ["[!] images[\(torch)].python.packages[requests]", "      only on the left: \(requests)", "      \(Self.packageReason)"], "\(result.stdout)")
    #expect(result.stdout.hasSuffix("Equivalent under the policy (2 warnings).\n"))
    #expect(!result.stdout.contains("informational difference"), "nothing else differs")

    let strict = try Binary.run(["compare", space.file("torch.json"), space.file("numpy2.json"), "--strict"])
    #expect(strict.status == 1)
    #expect(strict.stdout.contains("Drift that matters: 0 errors, 2 warnings."))

    let json = try Binary.run(["compare", space.file("torch.json"), space.file("numpy2.json"), "--format", "json"])
    #expect(json.status == 0)
    let comparison = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let differences = try #require(comparison["differences"] as? [[String: Any]])
    let numpyDifference = try #require(differences.first { ($0["path"] as? String)?.hasSuffix("packages[numpy]") == true })
    #expect(numpyDifference["severity"] as? String == "warning")
    #expect(numpyDifference["rule"] as? String == "warn")
    #expect(numpyDifference["left"] as? String == numpy)
    #expect(numpyDifference["right"] as? String == "2.1.3")

    // The user's policy is in charge: numpy's C API pinned (error), requests only informational.
    try space.write(
      "policy.yaml",
      """
      rules:
        - match: "images[*].python.packages[numpy]"
          rule: exact
          reason: our extension is compiled against numpy's C API
        - match: "images[*].python.packages[requests]"
          rule: informational
      """)
    let pinned = try Binary.run(["compare", space.file("torch.json"), space.file("numpy2.json"), "--policy", space.file("policy.yaml")])
    #expect(pinned.status == 1)
    #expect(item(pinned.stdout, "images[\(torch)].python.packages[numpy]") == ["[✗] images[\(torch)].python.packages[numpy]", "      upgraded: \(numpy) → 2.1.3", "      why  our extension is compiled against numpy's C API"])
    #expect(item(pinned.stdout, "images[\(torch)].python.packages[requests]").isEmpty)
    #expect(pinned.stdout.contains("[•] 1 informational difference: images (1); -v lists them"))
    #expect(pinned.stdout.hasSuffix("Drift that matters: 1 error, 0 warnings.\n"))
  }

  /// Two real images: Debian's torch and a bare venv holding only `six`. torch missing is an error
  /// as before; every other package that is gone is now listed as a warning.
  @Test func torchImageAgainstABareVenv() throws {
    let space = try Workspace("rigcheck-policy-venv")
    try fingerprint(["--image", TestImages.reference("torch")], to: space.file("torch.json"))
    try fingerprint(["--image", TestImages.reference("venv-nopip")], to: space.file("venv.json"))
    let left = try packages(space.file("torch.json"))
    let right = try packages(space.file("venv.json"))
    let pair = "images[\(TestImages.reference("torch")) ↔ \(TestImages.reference("venv-nopip"))]"

    let result = try Binary.run(["compare", space.file("torch.json"), space.file("venv.json")])
    #expect(result.status == 1)
    #expect(item(result.stdout, "\(pair).python.packages[torch]").first == "[✗] \(pair).python.packages[torch]")
    #expect(item(result.stdout, "\(pair).python.packages[numpy]") == ["[!] \(pair).python.packages[numpy]", "      only on the left: \(left["numpy"]!)", "      \(Self.packageReason)"])
    #expect(right["six"] == left["six"], "the same six wheel on both sides")
    #expect(item(result.stdout, "\(pair).python.packages[six]").isEmpty)
    let removed = Set(left.keys).subtracting(right.keys).subtracting(["torch"])
    let listed = result.stdout.split(separator: "\n").filter { $0.hasPrefix("[!] \(pair).python.packages[") }
    #expect(listed.count == removed.count, "one warning per package the venv lacks: \(removed.sorted())")
    #expect(result.stdout.contains("Drift that matters: 2 errors, \(listed.count) warning"))
  }

  /// Five nodes fingerprinted by the real binary from host trees: three of the H200 capture, one on
  /// the R575 branch (`h200-driver575`), one a patch level behind on R580 (`h200-driver580-patch`).
  @Test func fleetDriverBranchIsAnErrorAndPatchLevelAWarning() throws {
    let space = try Workspace("rigcheck-policy-fleet")
    let fleet = space.file("fp")
    try FileManager.default.createDirectory(atPath: fleet, withIntermediateDirectories: true)
    for node in ["gpu01", "gpu02", "gpu03"] { try fingerprint(["--root", Binary.fixture], to: "\(fleet)/\(node).json") }
    let r575 = try FixtureHost.materialize("h200-driver575")
    try fingerprint(["--root", r575.rootPath], to: "\(fleet)/gpu04.json")
    let patch = try FixtureHost.materialize("h200-driver580-patch")
    try fingerprint(["--root", patch.rootPath], to: "\(fleet)/gpu05.json")

    let result = try Binary.run(["fleet", fleet])
    #expect(result.status == 1, "\(result.stdout)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("rigcheck fleet · 5 nodes, 3 distinct environments · baseline majority (sha256:") == true)
    #expect(lines.first?.hasSuffix(", 3 nodes)") == true)
    #expect(lines.contains { $0.hasPrefix("[=] sha256:") && $0.hasSuffix("3 nodes: gpu01, gpu02, gpu03") })
    let branchGroup = try #require(lines.firstIndex { $0.hasPrefix("[✗] sha256:") && $0.hasSuffix("1 node: gpu04") }, "\(result.stdout)")
    #expect(lines[branchGroup + 1] == "      ✗ host.nvidia.kernelModule.version: downgraded: 580.159.04 → 575.57.08")
    #expect(lines[branchGroup + 2] == "          why  the same driver branch on every node and host: another branch (575 vs 580) is an error, another patch level of it a warning")
    #expect(lines[branchGroup + 3] == "      ✗ host.nvidia.nvml.driverVersion: downgraded: 580.159.04 → 575.57.08")
    #expect(lines.contains("      • 1 informational difference (-v lists them)"), "NVML's CUDA version 13.0 → 12.9 follows the branch")
    let patchGroup = try #require(lines.firstIndex { $0.hasPrefix("[!] sha256:") && $0.hasSuffix("1 node: gpu05") }, "\(result.stdout)")
    #expect(lines[patchGroup + 1] == "      ! host.nvidia.kernelModule.version: downgraded: 580.159.04 → 580.95.05")
    #expect(lines[patchGroup + 3] == "      ! host.nvidia.nvml.driverVersion: downgraded: 580.159.04 → 580.95.05")
    #expect(branchGroup < patchGroup, "the worst drift first")
    #expect(lines.last == "Drift that matters on 1 node: gpu04; warnings on 1 node: gpu05.")

    let json = try Binary.run(["fleet", fleet, "--format", "json"])
    #expect(json.status == 1)
    let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(report["matters"] as? Bool == true)
    let groups = try #require(report["groups"] as? [[String: Any]])
    func group(_ node: String) -> [String: Any]? { groups.first { ($0["nodes"] as? [String])?.contains(node) == true } }
    #expect(group("gpu01")?["severity"] as? String == "ok")
    #expect(group("gpu01")?["isBaseline"] as? Bool == true)
    let branch = try #require(group("gpu04"))
    #expect(branch["nodes"] as? [String] == ["gpu04"])
    #expect(branch["severity"] as? String == "error")
    #expect(branch["matters"] as? Bool == true)
    let branchDrift = (branch["differences"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "error" }
    #expect(branchDrift.map { $0["path"] as? String } == ["host.nvidia.kernelModule.version", "host.nvidia.nvml.driverVersion"])
    #expect(branchDrift.allSatisfy { $0["rule"] as? String == "same-branch" && $0["right"] as? String == "575.57.08" })
    let patchLevel = try #require(group("gpu05"))
    #expect(patchLevel["nodes"] as? [String] == ["gpu05"])
    #expect(patchLevel["severity"] as? String == "warning")
    #expect(patchLevel["matters"] as? Bool == false)
    #expect((patchLevel["differences"] as? [[String: Any]] ?? []).map { "\($0["path"]!) \($0["severity"]!)" } == [
      "host.nvidia.kernelModule.version warning", "host.nvidia.nvml.driverVersion warning",
    ])

    let markdown = try Binary.run(["fleet", fleet, "--format", "markdown"])
    #expect(markdown.stdout.split(separator: "\n").contains { $0.hasPrefix("| ❌ |") && $0.contains("1: gpu04") && $0.contains("575.57.08") })
    #expect(markdown.stdout.split(separator: "\n").contains { $0.hasPrefix("| ⚠️ |") && $0.contains("1: gpu05") && $0.contains("580.95.05") })

    // Without the R575 node only the patch level is left: listed, exit 0 (1 with --strict).
    try FileManager.default.removeItem(atPath: "\(fleet)/gpu04.json")
    let warned = try Binary.run(["fleet", fleet])
    #expect(warned.status == 0, "\(warned.stdout)")
    #expect(warned.stdout.hasSuffix("No drift that matters; warnings on 1 node: gpu05.\n"))
    let strict = try Binary.run(["fleet", fleet, "--strict"])
    #expect(strict.status == 1)
    #expect(strict.stdout.hasSuffix("Drift that matters on 1 node: gpu05.\n"))
  }

  /// A user policy that allows any R5xx driver mix (the driver is judged by the verdicts only)
  /// turns both nodes back into informational drift; the R575 node as `--baseline` makes the R580
  /// nodes the ones on another branch.
  @Test func fleetUserPolicyAndBaseline() throws {
    let space = try Workspace("rigcheck-policy-fleet-user")
    let fleet = space.file("fp")
    try FileManager.default.createDirectory(atPath: fleet, withIntermediateDirectories: true)
    for node in ["gpu01", "gpu02"] { try fingerprint(["--root", Binary.fixture], to: "\(fleet)/\(node).json") }
    let r575 = try FixtureHost.materialize("h200-driver575")
    try fingerprint(["--root", r575.rootPath], to: "\(fleet)/gpu03.json")
    try space.write(
      "policy.yaml",
      """
      rules:
        - match: "host.nvidia.**"
          rule: informational
          reason: the verdicts judge the driver
      """)
    let relaxed = try Binary.run(["fleet", fleet, "--policy", space.file("policy.yaml")])
    #expect(relaxed.status == 0, "\(relaxed.stdout)")
    #expect(relaxed.stdout.contains("[✓] sha256:"))
    #expect(relaxed.stdout.hasSuffix("No drift that matters.\n"))

    let golden = space.file("golden.json")
    try FileManager.default.copyItem(atPath: "\(fleet)/gpu03.json", toPath: golden)
    let result = try Binary.run(["fleet", fleet, "--baseline", golden])
    #expect(result.status == 1)
    #expect(result.stdout.contains("      ✗ host.nvidia.kernelModule.version: upgraded: 575.57.08 → 580.159.04"))
    #expect(result.stdout.hasSuffix("Drift that matters on 2 nodes: gpu01, gpu02.\n"))
  }
}
