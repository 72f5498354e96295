import Fingerprint
import Foundation
import TestSupport
import Testing

/// NVLink state and clocks event reasons through the whole live path: the built binary, its
/// NVML helper child (`rigcheck __probe nvml`, the deadline-protected query) and the fake
/// libnvidia-ml.so.1 answering nvmlDeviceGetNvLinkState / nvmlDeviceGetCurrentClocksEventReasons.
@Suite struct NodeHealthCommandTests {
  @Test func throttleAndLinksDownReachTheDoctorThroughTheHelper() throws {
    let (tree, library) = try NVMLDeadlineCommandTests.fake("node-health", ["-DFAKE_NVLINK_ACTIVE=16", "-DFAKE_CLOCKS_EVENTS=0x48"])
    defer { withExtendedLifetime(tree) {} }
    let fingerprint = try Binary.run(["fingerprint", "--nvml-library", library, "--json"])
    #expect(fingerprint.status == 0, "\(fingerprint.stderr)")
    let reading = try #require(try Fingerprint.decode(Data(fingerprint.stdout.utf8), name: "stdout").volatile.gpus.first)
    #expect(reading.nvlink == NVLinkReading(links: 18, active: 16))
    #expect(reading.clocksEventReasons == ["hw_slowdown", "hw_thermal_slowdown"])

    let doctor = try Binary.run(["doctor", "--nvml-library", library])
    #expect(doctor.status == 1, "an inactive NVLink is an error: \(doctor.stdout)")
    #expect(doctor.stdout.contains("[✗] node.nvlink 0000:00:06.0"))
    #expect(doctor.stdout.contains("16 of 18 NVLink links are active"))
    #expect(doctor.stdout.contains("[!] node.throttle 0000:00:06.0"))
    #expect(doctor.stdout.contains("hardware slowdown"))
    try NVMLDeadlineCommandTests.expectNoHelperLeft(library)
  }

  @Test func listChecksNamesTheNodeChecks() throws {
    let result = try Binary.run(["doctor", "--list-checks"])
    #expect(result.status == 0, "\(result.stderr)")
    for id in ["node.xid", "node.fabric-manager", "node.nvlink", "node.rdma-ports", "node.peermem", "node.numa-affinity", "node.throttle", "node.nccl-env"] {
      #expect(result.stdout.contains(id), "\(id)")
    }
  }
}
