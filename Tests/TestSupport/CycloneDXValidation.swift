import Foundation
import Probes

/// The official CycloneDX JSON schema, through cyclonedx-python-lib's strict validator
/// (`cyclonedx.validation.json.JsonStrictValidator`: the schema with no unknown properties
/// allowed), and every purl through packageurl-python, the reference purl implementation.
/// Both live in the tools venv scripts/setup.sh --tests creates.
public enum CycloneDXValidation {
  /// `${XDG_CACHE_HOME:-$HOME/.cache}/rigcheck/tools/bin/python3`, as scripts/setup.sh makes it.
  public static var python: String {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? "/root") + "/.cache"
    return cache + "/rigcheck/tools/bin/python3"
  }

  /// Prints one line per problem: schema errors (`schema: PATH: MESSAGE`) and purls that
  /// packageurl-python does not parse or writes differently (`purl: …`); exit 1 if any.
  static let program = """
    import json, sys
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from packageurl import PackageURL
    text = open(sys.argv[1]).read()
    version = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}[json.loads(text)["specVersion"]]
    problems = []
    errors = JsonStrictValidator(version).validate_str(text, all_errors=True)
    for error in (errors or []):
        inner = error.data
        problems.append("schema: %s: %s" % ("/".join(str(p) for p in inner.absolute_path), inner.message[:300]))
    document = json.loads(text)
    components = document.get("components", []) + [document.get("metadata", {}).get("component", {})]
    for component in components:
        purl = component.get("purl")
        if purl is None:
            continue
        try:
            again = PackageURL.from_string(purl).to_string()
        except ValueError as error:
            problems.append("purl: %s does not parse: %s" % (purl, error))
            continue
        if again != purl:
            problems.append("purl: %s is %s in canonical form" % (purl, again))
    for line in problems:
        print(line)
    print("checked %d purls" % sum(1 for c in components if c.get("purl")))
    sys.exit(1 if problems else 0)
    """

  /// The problems in the document at `path`, and how many purls were checked.
  /// - Throws: when the validator cannot run (the venv is missing: run scripts/setup.sh --tests).
  public static func problems(path: String) throws -> (problems: [String], purls: Int) {
    guard FileManager.default.isExecutableFile(atPath: python) else {
      throw FixtureError(description: "\(python) is missing: run scripts/setup.sh --tests (it installs cyclonedx-python-lib)")
    }
    let result = try ProcessCommandRunner.runBlocking(
      Command(python, ["-c", program, path], timeoutSeconds: 120), environment: ProcessInfo.processInfo.environment, outputLimit: 4 << 20)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    guard let last = lines.last, last.hasPrefix("checked "), let count = Int(last.split(separator: " ")[1]) else {
      throw FixtureError(description: "the validator did not run: \(result.stderr.suffix(2000))")
    }
    let problems = Array(lines.dropLast())
    if result.exitCode != 0 && problems.isEmpty {
      throw FixtureError(description: "the validator failed: \(result.stderr.suffix(2000))")
    }
    return (problems, count)
  }
}
