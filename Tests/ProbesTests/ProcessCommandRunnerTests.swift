import Foundation
import TestSupport
import Testing

@testable import Probes

@Suite struct ProcessCommandRunnerTests {
  let runner = ProcessCommandRunner()

  @Test func capturesStdoutStderrAndExitCode() async throws {
    let result = try await runner.run(Command("sh", ["-c", "echo out; echo err >&2; exit 3"]))
    #expect(result.stdout == "out\n")
    #expect(result.stderr == "err\n")
    #expect(result.exitCode == 3)
    #expect(!result.succeeded)
  }

  @Test func argumentsAreNeverInterpretedByAShell() async throws {
    let hostile = "$(touch /tmp/rigcheck-pwned); `id`; 'quoted' \"double\""
    let result = try await runner.run(Command("printf", ["%s", hostile]))
    #expect(result.stdout == hostile)
    #expect(!FileManager.default.fileExists(atPath: "/tmp/rigcheck-pwned"))
  }

  @Test func environmentOverridesApply() async throws {
    let result = try await runner.run(Command("sh", ["-c", "printf %s \"$RIGCHECK_TEST_VALUE\""], environment: ["RIGCHECK_TEST_VALUE": "yes"]))
    #expect(result.stdout == "yes")
  }

  @Test func hungCommandIsKilledWithItsChildren() async throws {
    let marker = "/tmp/rigcheck-grandchild-\(UUID().uuidString)"
    let start = Date()
    await #expect(throws: CommandError.timedOut(command: "sh -c 'sleep 300 & echo $! > \(marker); wait'", seconds: 0.5)) {
      try await runner.run(Command("sh", ["-c", "sleep 300 & echo $! > \(marker); wait"], timeoutSeconds: 0.5))
    }
    // Far sooner than the 300 s the command would take: the timeout, not the command, ended it.
    #expect(Date().timeIntervalSince(start) < 120)
    // The grandchild (sleep) was in the same process group and must be gone too.
    let pid = try #require(Int32(String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    try? FileManager.default.removeItem(atPath: marker)
    try await Task.sleep(for: .milliseconds(100))
    // Gone, or a zombie waiting for its new parent to reap it: either way no longer running.
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init)
    #expect(stat.isEmpty || state == "Z", "the grandchild process \(pid) survived the timeout (state \(state ?? "?"))")
  }

  @Test func endlessOutputIsStoppedAtTheLimit() async throws {
    let small = ProcessCommandRunner(outputLimit: 64 * 1024)
    await #expect(throws: CommandError.outputTooLarge(command: "yes rigcheck", limit: 64 * 1024)) {
      try await small.run(Command("yes", ["rigcheck"], timeoutSeconds: 10))
    }
  }

  @Test func missingExecutable() async {
    await #expect(throws: CommandError.notFound(executable: "rigcheck-no-such-tool")) {
      try await runner.run(Command("rigcheck-no-such-tool", []))
    }
  }

  @Test func signalTermination() async throws {
    let result = try await runner.run(Command("sh", ["-c", "kill -TERM $$"]))
    #expect(result.exitCode == nil)
    #expect(result.signal == SIGTERM)
  }

  @Test func errorMessagesNameTheCommand() {
    #expect(CommandError.timedOut(command: "docker info", seconds: 10).description == "`docker info` did not finish within 10 s and was killed")
    #expect(CommandError.notFound(executable: "nvidia-smi").description.contains("nvidia-smi is not installed"))
  }
}
