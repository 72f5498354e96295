import Fingerprint
import Foundation
import Reporting
import Testing

@testable import Compare

@Suite struct ComparatorTests {
  func side(_ json: String, _ name: String) throws -> ComparedSide {
    try ComparedSide.load(Data(json.utf8), name: name)
  }

  @Test func packagesAreSetsOrderedByPEP440() throws {
    func image(_ packages: String) -> String {
      #"{"schemaVersion": 99, "identity": {"images": [{"reference": "img", "python": {"status": "present", "source": "s", "value": {"packages": [\#(packages)]}}}]}}"#
    }
    let left = try side(image(#"{"name": "numpy", "version": "1.26.4"}, {"name": "Torch", "version": "2.4.0+cu124"}, {"name": "six", "version": "1.16.0"}"#), "a.json")
    let right = try side(image(#"{"name": "torch", "version": "2.3.1+cu121"}, {"name": "numpy", "version": "2.0.0"}, {"name": "requests", "version": "2.32.3"}"#), "b.json")
    let comparison = Comparator().compare(left, right)
    let byPath = Dictionary(uniqueKeysWithValues: comparison.differences.map { ($0.path, $0) })
    #expect(byPath["images[img].python.packages[numpy]"]?.kind == .upgraded)
    #expect(byPath["images[img].python.packages[numpy]"]?.severity == .warning, "numpy 1 → 2 is shown by default")
    #expect(byPath["images[img].python.packages[six]"]?.severity == .warning)
    #expect(byPath["images[img].python.packages[requests]"]?.severity == .warning)
    #expect(byPath["images[img].python.packages[torch]"]?.kind == .downgraded)
    #expect(byPath["images[img].python.packages[torch]"]?.severity == .error)
    #expect(byPath["images[img].python.packages[six]"]?.kind == .removed)
    #expect(byPath["images[img].python.packages[requests]"]?.kind == .added)
    #expect(comparison.matters)
    #expect(comparison.notes.contains { $0.contains("compatibility verdicts skipped") })
  }

  @Test func dottedVersionsAreOrderedNumerically() throws {
    let left = try side(#"{"identity": {"host": {"nvidia": {"kernelModule": {"status": "present", "source": "s", "value": {"version": "580.95.05"}}}}}}"#, "a")
    let right = try side(#"{"identity": {"host": {"nvidia": {"kernelModule": {"status": "present", "source": "s", "value": {"version": "580.159.04"}}}}}}"#, "b")
    #expect(Comparator().compare(left, right).differences.first?.kind == .upgraded, "580.159 > 580.95 numerically, not as text")
    #expect(Comparator().compare(right, left).differences.first?.kind == .downgraded)
  }

  @Test func reorderedArraysAreNoDifference() throws {
    let left = try side(#"{"identity": {"host": {"modules": ["nvidia", "nvidia_uvm"], "gpus": [{"address": "0000:01:00.0", "deviceID": "2330"}, {"address": "0000:02:00.0", "deviceID": "2330"}]}}}"#, "a")
    let right = try side(#"{"identity": {"host": {"modules": ["nvidia_uvm", "nvidia"], "gpus": [{"address": "0000:02:00.0", "deviceID": "2330"}, {"address": "0000:01:00.0", "deviceID": "2330"}]}}}"#, "b")
    #expect(Comparator().compare(left, right).differences.isEmpty)
  }

  @Test func sourcesAndReasonsAreNotIdentity() throws {
    let left = try side(#"{"identity": {"host": {"kernel": {"status": "present", "source": "file:/proc/version", "value": {"release": "6.8"}}}}}"#, "a")
    let right = try side(#"{"identity": {"host": {"kernel": {"status": "present", "source": "file:/proc/sys/kernel/osrelease", "value": {"release": "6.8"}}}}}"#, "b")
    #expect(Comparator().compare(left, right).differences.isEmpty)
  }

  @Test func inputErrors() {
    #expect(throws: CompareInputError.self) { try side("{not json", "a.json") }
    #expect { try side("{not json", "a.json") } throws: { "\($0)".hasPrefix("a.json is not valid JSON") }
    #expect { try side(#"{"hello": 1}"#, "b.json") } throws: { "\($0)" == "b.json is not a rigcheck fingerprint (no \"identity\" object)" }
    #expect { try side("[1, 2]", "c.json") } throws: { "\($0)".contains("not a rigcheck fingerprint") }
  }

  @Test func schemaMismatchIsSaid() throws {
    let left = try side(#"{"schemaVersion": 1, "identity": {"host": {}}}"#, "old.json")
    let right = try side(#"{"schemaVersion": 2, "identity": {"host": {}}}"#, "new.json")
    let comparison = Comparator().compare(left, right)
    #expect(comparison.notes.first == "old.json uses schema 1 and new.json schema 2: fields are compared where their paths agree")
  }

  @Test func strictCountsWarnings() throws {
    let left = try side(#"{"identity": {"host": {"cpu": {"status": "present", "source": "s", "value": {"mlFlags": ["avx2", "avx512f"]}}}}}"#, "a")
    let right = try side(#"{"identity": {"host": {"cpu": {"status": "present", "source": "s", "value": {"mlFlags": ["avx2"]}}}}}"#, "b")
    #expect(!Comparator().compare(left, right).matters)
    #expect(Comparator(strict: true).compare(left, right).matters)
    #expect(Comparator().compare(left, right).differences.first?.path == "host.cpu.mlFlags[avx512f]")
  }
}
