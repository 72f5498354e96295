import Foundation
import TestSupport
import Testing

/// libpci runs in-process and has no timeout of its own. A PCI device whose sysfs files block
/// (planted here as a FIFO with no writer in place of the H200's `vendor` file: an `open` that
/// never returns, as reads of a wedged device can) must not hang the fingerprint or the doctor:
/// the scan is abandoned at `--timeout` and reported, and every other fact is still there.
@Suite struct PCIDeadlineCommandTests {
  func wedgedTree() throws -> TemporaryTree {
    let tree = try FixtureHost.materialize("h200-driver575")
    let vendor = tree.rootPath + "/sys/devices/pci0000:00/0000:00:06.0/vendor"
    try FileManager.default.removeItem(atPath: vendor)
    try #require(mkfifo(vendor, 0o644) == 0)
    return tree
  }

  @Test func fingerprintAndDoctorReturnAtTheDeadline() throws {
    let tree = try wedgedTree()
    let start = Date()
    let fingerprint = try Binary.run(["fingerprint", "--root", tree.rootPath, "--timeout", "2", "--json"])
    let elapsed = Date().timeIntervalSince(start)
    #expect(fingerprint.status == 0, "\(fingerprint.stderr)")
    #expect(elapsed < 4, "fingerprint took \(elapsed) s with --timeout 2")
    #expect(fingerprint.stdout.contains("libpci did not answer within 2 s: a PCI device may be wedged"))
    #expect(fingerprint.stdout.contains("575.57.08"), "the other facts are still reported")

    let doctorStart = Date()
    let doctor = try Binary.run(["doctor", "--root", tree.rootPath, "--timeout", "2"])
    #expect(Date().timeIntervalSince(doctorStart) < 4)
    #expect(doctor.stdout.contains("[!] gpu.present"))
    #expect(doctor.stdout.contains("libpci did not answer within 2 s"))
    #expect(doctor.stdout.contains("[✓] driver.kernel-module"))
  }
}
