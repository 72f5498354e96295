import Foundation
import Testing

@testable import Fingerprint

@Suite struct FingerprintTests {
  @Test func canonicalEncodingIsStableAndSorted() throws {
    let first = try CanonicalJSON.encode(Sample.fingerprint())
    let second = try CanonicalJSON.encode(Sample.fingerprint())
    #expect(first == second)
    let text = String(decoding: first, as: UTF8.self)
    let topKeys = ["generator", "identity", "machine", "schemaVersion", "volatile"]
    let positions = topKeys.map { text.range(of: "\n  \"\($0)\"")?.lowerBound }
    #expect(positions.allSatisfy { $0 != nil })
    #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    #expect(text.hasSuffix("}\n"))
    #expect(!text.contains("\\/"), "slashes are not escaped")
  }

  @Test func hashIgnoresMachineAndVolatileParts() throws {
    let base = Sample.fingerprint()
    var other = Sample.fingerprint(hostname: "gpu-node-2", uuid: "GPU-2222")
    other.volatile.capturedAt = "2030-01-01T00:00:00Z"
    other.volatile.memoryAvailableBytes = 12
    other.generator.version = "9.9.9"
    #expect(try base.identityHash() == other.identityHash())
  }

  @Test func hashChangesWithIdentity() throws {
    let base = try Sample.fingerprint().identityHash()
    #expect(base.hasPrefix("sha256:"))
    #expect(base.count == "sha256:".count + 64)
    #expect(try Sample.fingerprint(driver: "570.133.20").identityHash() != base)
  }

  /// How and where a fact was read is provenance, not identity: sources, reasons, version
  /// problems, engine messages, the compute-capability table and inspection notes are not hashed.
  @Test func hashIgnoresProvenance() throws {
    let base = try Sample.fingerprint().identityHash()
    var other = Sample.fingerprint()
    other.identity.host.kernel.source = "file:/proc/sys/kernel/osrelease,/proc/version"
    other.identity.host.cgroup.reason = "cannot read /mnt/capture-7/sys/fs/cgroup: Permission denied"
    other.identity.host.docker.cli.value?.versionProblem = "timed out after 30 s"
    other.identity.host.nvidia.nvml.value?.gpus = [
      NVMLDevice(
        pciAddress: "0000:00:06.0", name: "NVIDIA H200", brand: "NVIDIA", memoryTotalBytes: nil, computeCapability: "9.0",
        computeCapabilitySource: "table:elsewhere.json", persistenceMode: true, migMode: false)
    ]
    var withTable = Sample.fingerprint()
    withTable.identity.host.nvidia.nvml.value?.gpus = other.identity.host.nvidia.nvml.value!.gpus
    withTable.identity.host.nvidia.nvml.value?.gpus[0].computeCapabilitySource = nil
    #expect(try other.identityHash() == withTable.identityHash())
    other.identity.host.nvidia.nvml.value?.gpus = []
    #expect(try other.identityHash() == base)

    // Status and values are hashed.
    var absent = Sample.fingerprint()
    absent.identity.host.os = .absent("neither /etc/os-release nor /usr/lib/os-release exists", source: "file:/etc/os-release")
    #expect(try absent.identityHash() != base)
    var noVersion = Sample.fingerprint()
    noVersion.identity.host.docker.cli.value?.version = nil
    #expect(try noVersion.identityHash() != base)

    // The JSON written keeps the provenance.
    let text = String(decoding: try CanonicalJSON.encode(other), as: UTF8.self)
    #expect(text.contains("timed out after 30 s"))
    #expect(text.contains("\"source\" : \"file:/proc/sys/kernel/osrelease,/proc/version\""))
  }

  @Test func nominalSizes() {
    #expect(NominalSize.roundedUp(131_981_020 * 1024) == 128 << 30)
    #expect(NominalSize.roundedUp(128 << 30) == 128 << 30)
    #expect(NominalSize.roundedUp((128 << 30) + 1) == 144 << 30)
    #expect(NominalSize.roundedUp(65_990_510 * 1024) == 64 << 30, "the default /dev/shm of a 128 GiB node")
    #expect(NominalSize.roundedUp(15) == 15)
  }

  /// A schema-1 file (the shape before readings left the identity) gets the clear error that
  /// names both versions, not a field-level decoding error.
  @Test func schemaOneFileIsRejectedByName() throws {
    var json = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(Sample.fingerprint())) as! [String: Any]
    json["schemaVersion"] = 1
    var identity = json["identity"] as! [String: Any]
    var host = identity["host"] as! [String: Any]
    host["memory"] = ["source": "file:/proc/meminfo", "status": "present", "value": ["totalBytes": 131_981_020 * 1024]]
    host["pci"] = [
      "source": "libpci:sysfs /sys/bus/pci", "status": "present",
      "value": [
        "database": ["path": "/usr/share/misc/pci.ids", "version": "2023.04.10"], "devicesScanned": 7,
        "gpus": [["address": "0000:00:06.0", "classCode": "030200", "deviceID": "2335", "vendorID": "10de", "vendorName": "NVIDIA Corporation",
                  "link": ["currentSpeed": "32.0 GT/s PCIe", "currentWidth": 16, "maxSpeed": "32.0 GT/s PCIe", "maxWidth": 16]]],
      ],
    ]
    identity["host"] = host
    json["identity"] = identity
    do {
      _ = try Fingerprint.decode(JSONSerialization.data(withJSONObject: json), name: "old.json")
      Issue.record("a schema 1 fingerprint was accepted")
    } catch let error as FingerprintDecodingError {
      #expect(error.description == "old.json uses fingerprint schema 1; this rigcheck reads schema 2")
    }
  }

  @Test func roundTrip() throws {
    let original = Sample.fingerprint()
    let decoded = try Fingerprint.decode(CanonicalJSON.encode(original), name: "sample.json")
    #expect(decoded == original)
  }

  @Test func observedJSONShape() throws {
    let present = try CanonicalJSON.encode(Observed<String>.present("x", from: "file:/a"), pretty: false)
    #expect(String(decoding: present, as: UTF8.self) == #"{"source":"file:/a","status":"present","value":"x"}"#)
    let absent = try CanonicalJSON.encode(Observed<String>.absent("no /a", source: "file:/a"), pretty: false)
    #expect(String(decoding: absent, as: UTF8.self) == #"{"reason":"no /a","source":"file:/a","status":"absent"}"#)
  }

  @Test func decodingErrorsNameTheFileAndField() throws {
    #expect(throws: FingerprintDecodingError.self) { try Fingerprint.decode(Data("{not json".utf8), name: "a.json") }
    do {
      _ = try Fingerprint.decode(Data("{not json".utf8), name: "a.json")
    } catch let error as FingerprintDecodingError {
      #expect(error.description.hasPrefix("a.json is not a rigcheck fingerprint"))
    }
    do {
      _ = try Fingerprint.decode(Data(#"{"schemaVersion": 99}"#.utf8), name: "future.json")
      Issue.record("schema 99 was accepted")
    } catch let error as FingerprintDecodingError {
      #expect(error.description == "future.json uses fingerprint schema 99; this rigcheck reads schema \(Fingerprint.currentSchemaVersion)")
    }
    var json = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(Sample.fingerprint())) as! [String: Any]
    var identity = json["identity"] as! [String: Any]
    var host = identity["host"] as! [String: Any]
    host.removeValue(forKey: "kernel")
    identity["host"] = host
    json["identity"] = identity
    do {
      _ = try Fingerprint.decode(JSONSerialization.data(withJSONObject: json), name: "b.json")
      Issue.record("a fingerprint without a kernel was accepted")
    } catch let error as FingerprintDecodingError {
      #expect(error.description == "b.json: missing field 'kernel' at identity.host")
    }
    do {
      _ = try Fingerprint.decode(Data(#"{"generator": 1}"#.utf8), name: "c.json")
      Issue.record("no schemaVersion was accepted")
    } catch let error as FingerprintDecodingError {
      #expect(error.description.contains("no schemaVersion"))
    }
  }

  @Test func missingDescription() {
    #expect(Observed<Int>.present(1, from: "x").missingDescription == nil)
    #expect(Observed<Int>.unreadable("Permission denied", source: "file:/a").missingDescription == "unreadable: Permission denied [file:/a]")
  }
}

@Suite struct FingerprintSummaryTests {
  @Test func bytes() {
    #expect(FingerprintSummary.formatBytes(512) == "512 B")
    #expect(FingerprintSummary.formatBytes(1 << 37) == "128.0 GiB")
    #expect(FingerprintSummary.formatBytes(1536) == "1.5 KiB")
  }

  @Test func summaryShowsValuesAndReasons() {
    let text = FingerprintSummary.render(Sample.fingerprint(), hash: "sha256:abc")
    #expect(text.contains("Ubuntu 24.04.3 LTS"))
    #expect(text.contains("0000:00:06.0 10de:2335"))
    #expect(text.contains("driver nvidia, link 32.0 GT/s PCIe x16"))
    #expect(text.contains("— absent: /proc/cpuinfo does not exist"))
    #expect(text.contains("— unreadable: cannot read /sys/fs/cgroup: Permission denied"))
    #expect(text.contains("identity    sha256:abc"))
  }
}
