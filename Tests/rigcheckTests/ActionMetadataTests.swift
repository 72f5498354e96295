import Foundation
import Probes
import TestSupport
import Testing

/// The composite GitHub Action (action.yml) and the example workflow, checked against
/// SchemaStore's action and workflow schemas as vendored by check-jsonschema
/// (https://check-jsonschema.readthedocs.io, "--builtin-schema vendor.github-actions"),
/// installed by scripts/setup.sh into the tools venv. GitHub itself cannot run here.
@Suite struct ActionMetadataTests {
  @Test func actionMetadataValidates() throws {
    let result = try OperatingTools.run("check-jsonschema", ["--builtin-schema", "vendor.github-actions", OperatingTools.repository + "/action.yml"])
    #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("ok -- validation done"))
  }

  @Test func exampleWorkflowValidates() throws {
    let result = try OperatingTools.run(
      "check-jsonschema", ["--builtin-schema", "vendor.github-workflows", OperatingTools.repository + "/deploy/github/rigcheck-verify.yml"])
    #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
  }

  /// The schema has teeth: a composite step that runs a command must name its shell.
  @Test func aCompositeStepWithoutShellIsRejected() throws {
    let copy = try TemporaryTree(prefix: "rigcheck-action-broken")
    let action = try String(contentsOfFile: OperatingTools.repository + "/action.yml", encoding: .utf8)
    let broken = action.replacing("      shell: bash\n", with: "")
    #expect(broken != action)
    try broken.write(toFile: copy.path + "/action.yml", atomically: true, encoding: .utf8)
    let result = try OperatingTools.run("check-jsonschema", ["--builtin-schema", "vendor.github-actions", copy.path + "/action.yml"])
    #expect(result.exitCode == 1, "\(result.stdout)")
  }

  /// What the action runs: the Markdown report for $GITHUB_STEP_SUMMARY and the JUnit verdict
  /// of `rigcheck verify`, exit 1 on drift that matters — the action's shell step, run here
  /// with GitHub's environment files, against a lock of the fixture host and a drifted one.
  @Test func runStepWritesSummaryAndJUnitAndReportsDrift() throws {
    let work = try TemporaryTree(prefix: "rigcheck-action-run")
    #expect(try Binary.run(["lock", "--root", Binary.fixture, "-o", work.path + "/rigcheck.lock"]).status == 0)
    let drifted = try String(contentsOfFile: work.path + "/rigcheck.lock", encoding: .utf8).replacing("\"580.159.04\"", with: "\"535.104.05\"")
    try drifted.write(toFile: work.path + "/drifted.lock", atomically: true, encoding: .utf8)
    let step = try Self.runStepScript()
    let binDir = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
    for (lock, expected) in [("rigcheck.lock", "0"), ("drifted.lock", "1")] {
      let environment = [
        "PATH": binDir + ":/usr/bin:/bin", "GITHUB_STEP_SUMMARY": work.path + "/summary-\(lock).md", "GITHUB_OUTPUT": work.path + "/output-\(lock)",
        "RIGCHECK_COMMAND": "verify", "RIGCHECK_LOCK": work.path + "/" + lock, "RIGCHECK_BASELINE": "", "RIGCHECK_CANDIDATE": "",
        "RIGCHECK_POLICY": "", "RIGCHECK_STRICT": "false", "RIGCHECK_JUNIT": work.path + "/junit-\(lock).xml",
        // The fixture host instead of the runner (verify takes --root like the probes).
        "RIGCHECK_EXTRA": "--root \(Binary.fixture)",
      ]
      let result = try OperatingTools.run("bash", ["-c", step.replacing("rigcheck \"${args[@]}\"", with: "rigcheck \"${args[@]}\" $RIGCHECK_EXTRA")], environment: environment, timeout: 120)
      #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
      let output = try String(contentsOfFile: work.path + "/output-\(lock)", encoding: .utf8)
      #expect(output == "exit-code=\(expected)\n", "\(lock): \(output)")
      let summary = try String(contentsOfFile: work.path + "/summary-\(lock).md", encoding: .utf8)
      #expect(summary.hasPrefix("### rigcheck compare: \(work.path)/\(lock) ↔ now"), "\(summary)")
      let junit = try String(contentsOfFile: work.path + "/junit-\(lock).xml", encoding: .utf8)
      #expect(junit.contains("<testsuites name=\"rigcheck\""))
      #expect(junit.contains("<failure") == (expected == "1"))
    }
  }

  /// The `run:` script of the action's "Run rigcheck" step, as written in action.yml.
  static func runStepScript() throws -> String {
    let action = try String(contentsOfFile: OperatingTools.repository + "/action.yml", encoding: .utf8)
    let lines = action.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0.hasSuffix("name: Run rigcheck") }),
      let run = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "run: |" })
    else { throw OperatingToolError( "action.yml has no \"Run rigcheck\" step with a run: | block") }
    let indent = "        "
    return lines[(run + 1)...].prefix { $0.hasPrefix(indent) || $0.isEmpty }.map { $0.dropFirst(min(indent.count, $0.count)) }.joined(separator: "\n")
  }
}
