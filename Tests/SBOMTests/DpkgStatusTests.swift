import CheckScripts
import Fingerprint
import Foundation
import Probes
import TestSupport
import Testing

@testable import Inspector

/// dpkg's database read two ways — `checks/dpkg.sh` (awk, inside a running image) and
/// ``DpkgStatus`` (Swift, for images at rest) — against real dpkg-query on the same file.
@Suite struct DpkgStatusTests {
  static let derived = FixtureHost.fixturesDirectory + "/dpkg/derived"
  static let format = "${db:Status-Status} ${Package}==${Version} ${Architecture} ${source:Package} ${source:Version}\n"

  /// What real dpkg-query says of the database in `admindir`, for configured packages.
  static func dpkgQuery(admindir: String) throws -> [String] {
    let result = try ProcessCommandRunner.runBlocking(
      Command("dpkg-query", ["--admindir=\(admindir)", "-W", "-f=\(format)"], timeoutSeconds: 60),
      environment: ProcessEnvironment.current(), outputLimit: 16 << 20)
    try #require(result.succeeded, "dpkg-query: \(result.stderr)")
    return result.stdout.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ", maxSplits: 1)
      return ["installed", "triggers-awaited", "triggers-pending"].contains(String(parts[0])) ? String(parts[1]) : nil
    }.sorted()
  }

  /// The check script run by /bin/sh on `status` (its path substituted, as the DaemonSet tests do).
  static func checkScript(status: String) throws -> [String] {
    let script = CheckScripts.prelude + "\n" + CheckScripts.shellChecks.first { $0.name == "dpkg" }!.text
      .replacing("rc_status=/var/lib/dpkg/status", with: "rc_status='\(status)'")
    let result = try ProcessCommandRunner.runBlocking(
      Command("/bin/sh", ["-c", script], timeoutSeconds: 60), environment: ProcessEnvironment.current(), outputLimit: 16 << 20)
    try #require(result.succeeded, "\(result.stderr)")
    let parsed = InspectionParser(result.stdout)
    #expect(parsed.value(DpkgStatus.databaseKey) == status)
    return parsed.values(DpkgStatus.factKey).sorted()
  }

  static func swiftReader(status: String) throws -> [String] {
    let facts = DpkgStatus.facts(statusText: try String(contentsOfFile: status, encoding: .utf8))
    #expect(facts.first?.key == DpkgStatus.databaseKey)
    return facts.filter { $0.key == DpkgStatus.factKey }.map(\.value).sorted()
  }

  @Test func derivedDatabaseReadsAsDpkgReadsIt() throws {
    let expected = try Self.dpkgQuery(admindir: Self.derived)
    #expect(expected.count == 8, "\(expected)")
    #expect(expected.contains("bash==5.2.15-2+b8 amd64 bash 5.2.15-2"), "a binNMU names its source version")
    #expect(expected.contains("libc6==2.36-9+deb12u14 i386 glibc 2.36-9+deb12u14"))
    #expect(!expected.contains { $0.hasPrefix("oldpkg==") || $0.hasPrefix("halfpkg==") })
    #expect(try Self.swiftReader(status: Self.derived + "/status") == expected)
    #expect(try Self.checkScript(status: Self.derived + "/status") == expected)
  }

  /// This machine's own database (Debian or Ubuntu: scripts/setup.sh needs dpkg), hundreds of
  /// real packages.
  @Test func thisMachinesDatabaseReadsAsDpkgReadsIt() throws {
    let expected = try Self.dpkgQuery(admindir: "/var/lib/dpkg")
    #expect(expected.count > 100)
    #expect(try Self.swiftReader(status: "/var/lib/dpkg/status") == expected)
    #expect(try Self.checkScript(status: "/var/lib/dpkg/status") == expected)
  }

  /// The facts become ``OSPackage``s: one name on two architectures is qualified the way dpkg
  /// spells it, sources equal to the package are left out.
  @Test func factsBecomeOSPackages() throws {
    let facts = DpkgStatus.facts(statusText: try String(contentsOfFile: Self.derived + "/status", encoding: .utf8))
    let output = facts.map { "rc1\t\($0.key)\t\($0.value)\n" }.joined()
    let packages = try #require(ImageFactsBuilder.osPackages(InspectionParser(output)))
    #expect(packages.map(\.name) == ["bash", "libc6:amd64", "libc6:i386", "libstdc++6", "lowercase", "python3.11", "triggered", "tzdata"])
    let bash = try #require(packages.first { $0.name == "bash" })
    #expect(bash == OSPackage(name: "bash", version: "5.2.15-2+b8", architecture: "amd64", sourcePackage: nil, sourceVersion: "5.2.15-2"))
    let libc = try #require(packages.first { $0.name == "libc6:i386" })
    #expect(libc.packageName == "libc6" && libc.sourcePackage == "glibc" && libc.sourceVersion == nil)
    #expect(ImageFactsBuilder.osPackages(InspectionParser("")) == nil, "no database, no list")
    #expect(ImageFactsBuilder.osPackages(InspectionParser("rc1\tos.dpkg_database\t/var/lib/dpkg/status\n")) == [])
  }
}
