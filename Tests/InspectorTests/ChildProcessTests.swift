import Foundation
import Probes
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What every command the inspector (and the probes) start gets: its own descriptors only.
@Suite struct ChildProcessTests {
  /// The descriptors `ls` finds open in itself, less the one it reads /proc/self/fd through.
  static func childDescriptors(_ runner: ProcessCommandRunner) async throws -> [Int] {
    let result = try await runner.run(Command("/bin/ls", ["-l", "/proc/self/fd/"], timeoutSeconds: 60))
    #expect(result.succeeded, "\(result.stderr)")
    return result.stdout.split(separator: "\n").compactMap { line -> Int? in
      let parts = line.split(separator: " ")
      guard let arrow = parts.firstIndex(of: "->"), arrow > 0, let descriptor = Int(parts[arrow - 1]) else { return nil }
      let target = parts.dropFirst(arrow + 1).joined(separator: " ")
      return target.hasPrefix("/proc/") && target.hasSuffix("/fd") ? nil : descriptor
    }.sorted()
  }

  @Test func childrenInheritOnlyStandardDescriptors() async throws {
    // A descriptor opened without O_CLOEXEC, as a careless library would: still not inherited.
    let leaked = open("/dev/null", O_RDONLY)
    try #require(leaked >= 0)
    defer { close(leaked) }
    // Many at once, from many threads: a pipe made by one spawn never reaches another's child.
    let runner = ProcessCommandRunner()
    let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
      for _ in 0..<24 { group.addTask { try await Self.childDescriptors(runner) } }
      return try await group.reduce(into: [[Int]]()) { $0.append($1) }
    }
    #expect(seen.count == 24)
    for descriptors in seen { #expect(descriptors == [0, 1, 2]) }
  }

  @Test func pipesAreCloseOnExecFromTheStart() throws {
    let pipe = try #require(ProcessCommandRunner.makePipe())
    defer {
      close(pipe.read)
      close(pipe.write)
    }
    #expect(fcntl(pipe.read, F_GETFD) & FD_CLOEXEC != 0)
    #expect(fcntl(pipe.write, F_GETFD) & FD_CLOEXEC != 0)
  }

}
