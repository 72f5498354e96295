import Foundation
import Probes

/// The images scripts/build-test-images.sh builds, and checks that none was left running.
public enum TestImages {
  public static func reference(_ name: String) -> String { "rigcheck-test/\(name):current" }

  /// This process's environment, plus Podman settings for the test machine.
  public static var environment: [String: String] {
    var environment = ProcessEnvironment.current()
    if environment["CONTAINERS_CONF"] == nil {
      environment["CONTAINERS_CONF"] = FixtureHost.fixturesDirectory + "/../Images/podman/containers.conf"
    }
    return environment
  }

  /// Containers started by inspections of process `pid` (default: this one), of `image` when
  /// given, that still exist. (Tests in one process run concurrently: name the image.)
  public static func leftoverContainers(engine: String = "docker", pid: Int32 = getpid(), image: String? = nil, status: String? = nil) throws -> [String] {
    var filters = ["--filter", "label=org.rigcheck.pid=\(pid)"]
    if let status { filters += ["--filter", "status=\(status)"] }
    if let image { filters += ["--filter", "ancestor=\(engine == "podman" ? "localhost/" : "")\(reference(image))"] }
    let result = try ProcessCommandRunner.runBlocking(
      Command(engine, ["ps", "-a"] + filters + ["--format", "{{.Names}}"], timeoutSeconds: 30),
      environment: environment, outputLimit: 1 << 20)
    return result.stdout.split(separator: "\n").map(String.init)
  }

  /// Starts `rigcheck inspect IMAGE` (the binary at `binary`) on a hanging image and waits until
  /// its container runs; returns the process and the container's name.
  public static func startHangingInspection(binary: String, stderr: Pipe? = nil) async throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["inspect", reference("hostile-hang"), "--image-timeout", "120"]
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr ?? FileHandle.nullDevice
    try process.run()
    for _ in 0..<100 {
      try await Task.sleep(for: .milliseconds(100))
      if let name = try leftoverContainers(pid: process.processIdentifier).first { return (process, name) }
    }
    process.terminate()
    throw FixtureError(description: "the inspection container never started")
  }
}
