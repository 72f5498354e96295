import Foundation
import Probes
import TestSupport
import Testing

/// SIGINT, SIGTERM (and SIGHUP) at random moments of an inspection's life (start-up, `image inspect`,
/// `create`, `start`, the running container, the clean-up), through the real binary, Docker and
/// Podman: not one container may be left, ever, and the exit status is the signal's (130/143/129).
///
/// Moments are log-uniform between 25 ms and 3 s, so the first half second (where a container
/// is being created) gets well over half of the signals. Runs go in concurrent batches.
@Suite(.serialized) struct InterruptionStressTests {
  /// One interrupted inspection.
  struct Run: Sendable, CustomStringConvertible {
    var engine: String
    var image: String
    var signal: Int32
    var delay: Double
    var pid: Int32 = 0
    /// Whether the signal reached a running rigcheck (false: it had already finished).
    var delivered = false
    var status: Int32 = -1
    var killedBySignal = false
    var stdout = ""
    var stderr = ""
    var seconds = 0.0

    var description: String {
      let how = killedBySignal ? "killed by signal \(status)" : "exit \(status)"
      let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
      return "\(engine) \(image) \(name) after \(Int(delay * 1000)) ms (pid \(pid)): \(how), "
        + "\(delivered ? "delivered" : "after exit"), \(String(format: "%.1f", seconds)) s; stderr: \(stderr.prefix(300))"
    }
  }

  static let batchSize = 8

  /// Mostly SIGINT (Ctrl-C) and SIGTERM (`kill`, `timeout`, CI cancellation); some SIGHUP.
  static func anySignal() -> Int32 { [SIGINT, SIGINT, SIGTERM, SIGTERM, SIGHUP].randomElement()! }

  /// `count` moments, log-uniform in [25 ms, 3 s].
  static func moments(_ count: Int) -> [Double] {
    (0..<count).map { _ in exp(Double.random(in: log(0.025)...log(3.0))) }
  }

  static func interrupt(_ template: Run, directory: String, index: Int) async throws -> Run {
    var run = template
    let out = directory + "/\(index).out"
    let err = directory + "/\(index).err"
    try Data().write(to: URL(fileURLWithPath: out))
    try Data().write(to: URL(fileURLWithPath: err))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Binary.path)
    process.arguments = ["inspect", TestImages.reference(run.image), "--runtime", run.engine, "--image-timeout", "120"]
    process.environment = TestImages.environment
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    let start = Date()
    try process.run()
    run.pid = process.processIdentifier
    try await Task.sleep(for: .milliseconds(Int(run.delay * 1000)))
    run.delivered = process.isRunning && kill(run.pid, run.signal) == 0
    // The clean-up is bounded (a grace for `create`, then removals with a deadline): a minute
    // is far more than it may take.
    while process.isRunning && Date().timeIntervalSince(start) < run.delay + 60 {
      try await Task.sleep(for: .milliseconds(20))
    }
    if process.isRunning {
      kill(run.pid, SIGKILL)
      process.waitUntilExit()
    }
    run.seconds = Date().timeIntervalSince(start)
    run.status = process.terminationStatus
    run.killedBySignal = process.terminationReason == .uncaughtSignal
    run.stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    run.stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    return run
  }

  /// Containers of `engine` whose name is rigcheck's for process `pid`, or that carry its label.
  static func containers(_ engine: String, pid: Int32) throws -> [String] {
    var names = Set<String>()
    for filter in ["name=rigcheck-\(pid)-", "label=org.rigcheck.pid=\(pid)"] {
      let result = try ProcessCommandRunner.runBlocking(
        Command(engine, ["ps", "-a", "--filter", filter, "--format", "{{.Names}}"], timeoutSeconds: 60),
        environment: TestImages.environment, outputLimit: 1 << 20)
      #expect(result.succeeded, "\(engine) ps: \(result.stderr)")
      names.formUnion(result.stdout.split(separator: "\n").map(String.init))
    }
    return names.sorted()
  }

  /// Removes what a failed run left, so one failure does not leak into the machine.
  static func sweep(_ engine: String, _ names: [String]) {
    guard !names.isEmpty else { return }
    _ = try? ProcessCommandRunner.runBlocking(
      Command(engine, ["rm", "-f"] + names, timeoutSeconds: 60), environment: TestImages.environment, outputLimit: 1 << 20)
  }

  @Test(arguments: ["docker", "podman"])
  func signalsAtRandomMomentsLeaveNoContainer(engine: String) async throws {
    // 32 on the hanging image and 8 on busybox (which often finishes first) to begin with;
    // then more on the hanging image until at least 30 signals reached rigcheck's handler
    // (a signal in the first tens of milliseconds, before the handler exists, ends rigcheck
    // by the default action; on a loaded machine that is many of the early moments).
    let busybox = Self.moments(8).map { Run(engine: engine, image: "busybox", signal: Self.anySignal(), delay: $0) }
    var planned = (Self.moments(32).map { Run(engine: engine, image: "hostile-hang", signal: Self.anySignal(), delay: $0) } + busybox).shuffled()
    let tree = try TemporaryTree(prefix: "rigcheck-stress")
    defer { withExtendedLifetime(tree) {} }
    let directory = tree.path
    let start = Date()
    var runs: [Run] = []
    var leftovers = 0
    while !planned.isEmpty {
      let batch = Array(planned.prefix(Self.batchSize))
      planned.removeFirst(batch.count)
      let first = runs.count
      let finished = try await withThrowingTaskGroup(of: Run.self) { group in
        for (offset, run) in batch.enumerated() {
          group.addTask { try await Self.interrupt(run, directory: directory, index: first + offset) }
        }
        return try await group.reduce(into: [Run]()) { $0.append($1) }
      }
      for run in finished {
        // Gone by the time rigcheck exits: it waits for the removal.
        let left = try Self.containers(engine, pid: run.pid)
        #expect(left.isEmpty, "left \(left) behind: \(run)")
        leftovers += left.count
        Self.sweep(engine, left)
      }
      runs += finished
      let handled = runs.filter { !$0.killedBySignal && $0.status >= 128 }.count
      if planned.isEmpty && handled < 30 && runs.count < 96 {
        planned = Self.moments(Self.batchSize).map { Run(engine: engine, image: "hostile-hang", signal: Self.anySignal(), delay: $0) }
      }
    }
    // A container created after rigcheck's clean-up (the bug this guards against) shows up late.
    try await Task.sleep(for: .seconds(2))
    for run in runs {
      let late = try Self.containers(engine, pid: run.pid)
      #expect(late.isEmpty, "a container appeared after rigcheck exited: \(late): \(run)")
      leftovers += late.count
      Self.sweep(engine, late)
    }

    for run in runs {
      let signalled = run.killedBySignal ? run.status == run.signal : run.status == 128 + run.signal
      if run.image == "hostile-hang" {
        // It never finishes on its own: only the signal can have ended it.
        #expect(run.delivered && signalled, "\(run)")
        #expect(!run.killedBySignal || run.delay < 0.5, "only a signal before the handlers exist may end rigcheck by default: \(run)")
      } else {
        // busybox finishes in well under a second: a late signal finds rigcheck done (exit 0).
        let completed = run.status == 0 && !run.killedBySignal && run.stdout.contains("busybox")
        #expect(signalled || completed, "\(run)")
        #expect(run.delivered || completed, "\(run)")
      }
      #expect(!run.stderr.contains("could not confirm"), "\(run)")
    }
    let byHandler = runs.filter { !$0.killedBySignal && $0.status >= 128 }.count
    #expect(byHandler >= 30, "only \(byHandler) signals reached the handler")
    let byDefault = runs.filter(\.killedBySignal).count
    let completed = runs.count - byHandler - byDefault
    let seconds = Date().timeIntervalSince(start)
    print(
      "interruption stress, \(engine): \(runs.count) runs (\(runs.count - busybox.count) hostile-hang, \(busybox.count) busybox), "
        + "\(byHandler) cleaned up and exited 128+signal, \(byDefault) ended before the handlers existed, \(completed) finished first; "
        + "\(leftovers) containers left; \(String(format: "%.1f", seconds)) s")
  }

  /// The moment the original bug needed: the signal lands while `docker create` is working,
  /// and the daemon goes on creating the container after its client is gone. A wrapper plays
  /// the daemon's part: the real `docker create` runs one second later, outside the client's
  /// process group (so killing the client cannot stop it), and the client answers after two.
  /// rigcheck must wait for the answer, then remove what was created, and only then exit.
  @Test func signalWhileTheContainerIsBeingCreated() async throws {
    let path = TestImages.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    let candidates = path.split(separator: ":").map { "\($0)/docker" }
    let docker = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) })
    let tree = try TemporaryTree(prefix: "rigcheck-slow-create")
    try tree.write(
      "bin/docker",
      """
      #!/bin/sh
      if [ "$1" = create ]; then
        setsid sh -c 'sleep 1; exec "$0" "$@"' "\(docker)" "$@" >/dev/null 2>&1 </dev/null &
        sleep 2
        exit 0
      fi
      exec "\(docker)" "$@"
      """)
    chmod(tree.path + "/bin/docker", 0o755)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Binary.path)
    process.arguments = ["inspect", TestImages.reference("hostile-hang"), "--runtime", "docker"]
    process.environment = TestImages.environment.merging(["PATH": tree.path + "/bin:" + path]) { _, new in new }
    let stderr = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr
    try process.run()
    // `image inspect` takes a fraction of a second; the client answers two seconds later.
    try await Task.sleep(for: .milliseconds(700))
    kill(process.processIdentifier, SIGINT)
    // A second signal (an impatient user) does not cut the clean-up short.
    try await Task.sleep(for: .milliseconds(300))
    kill(process.processIdentifier, SIGTERM)
    let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(message)")
    #expect(message.contains("rigcheck: interrupted; removing rigcheck-\(process.processIdentifier)-"), "\(message)")
    let left = try Self.containers("docker", pid: process.processIdentifier)
    #expect(left == [])
    Self.sweep("docker", left)
    try await Task.sleep(for: .seconds(2))
    let late = try Self.containers("docker", pid: process.processIdentifier)
    #expect(late == [], "created after rigcheck exited")
    Self.sweep("docker", late)
  }

  /// Under nohup SIGHUP stays ignored, as the user asked; SIGINT still cleans up.
  @Test func ignoredSignalsStayIgnored() async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/nohup")
    process.arguments = [Binary.path, "inspect", TestImages.reference("hostile-hang"), "--runtime", "docker"]
    process.environment = TestImages.environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    try await Task.sleep(for: .milliseconds(800))
    kill(process.processIdentifier, SIGHUP)
    try await Task.sleep(for: .milliseconds(500))
    #expect(process.isRunning, "SIGHUP was ignored when rigcheck started (nohup), and must stay so")
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 130)
    let left = try Self.containers("docker", pid: process.processIdentifier)
    #expect(left == [])
    Self.sweep("docker", left)
  }
}
