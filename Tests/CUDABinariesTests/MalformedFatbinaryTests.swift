import Fingerprint
import Foundation
import Testing

@testable import CUDABinaries

/// Hostile and broken inputs: each a typed error naming the file and the structure at fault,
/// never a crash, a hang or a read of the payloads.
@Suite struct MalformedFatbinaryTests {
  func read(_ bytes: [UInt8]) throws(CUDABinaryError) -> CUDABinaryReader.Reading {
    let path = try! SyntheticELF.write(bytes)
    defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
    return try CUDABinaryReader.read(hostPath: path, path: "/opt/lib/libsynthetic.so")
  }

  func malformed(_ bytes: [UInt8]) -> CUDABinaryError? {
    do {
      _ = try read(bytes)
      return nil
    } catch {
      return error
    }
  }

  @Test func wellFormedFileIsReadAndSorted() throws {
    let fatbin = SyntheticELF.container([
      .init(kind: 2, arch: 90), .init(kind: 2, arch: 120, headerSize: 112), .init(kind: 2, arch: 80), .init(kind: 1, arch: 90, headerSize: 120),
      .init(kind: 2, arch: 90, flags: 0x10_2011),
    ])
    let reading = try read(SyntheticELF.file(sections: [(".nv_fatbin", fatbin)]))
    let facts = try #require(reading.facts)
    #expect(facts.sass == ["sm_80", "sm_90", "sm_90a", "sm_120"])
    #expect(facts.ptx == ["compute_90"])
    #expect(facts.relocatable == nil)
    #expect(facts.path == "/opt/lib/libsynthetic.so")
    #expect(reading.entries == 5)
    #expect(reading.compressedEntries == 5)
  }

  @Test func payloadsAreSkippedNotRead() throws {
    // Two entries with 4 MiB payloads each: the reader must read their headers only.
    let fatbin = SyntheticELF.container([.init(kind: 2, arch: 86, payload: 4 << 20), .init(kind: 1, arch: 86, headerSize: 120, payload: 4 << 20)])
    let reading = try read(SyntheticELF.file(sections: [(".nv_fatbin", fatbin)]))
    #expect(reading.facts?.sass == ["sm_86"])
    #expect(reading.bytesRead < 4096, "read \(reading.bytesRead) bytes of an 8 MiB file")
  }

  @Test func relocatableOnlyTargetsAreKeptApart() throws {
    let loaded = SyntheticELF.container([.init(kind: 2, arch: 90)])
    let relocatable = SyntheticELF.container([.init(kind: 2, arch: 90), .init(kind: 1, arch: 90, headerSize: 120)])
    let facts = try #require(try read(SyntheticELF.file(sections: [(".nv_fatbin", loaded), ("__nv_relfatbin", relocatable)])).facts)
    #expect(facts.sass == ["sm_90"])
    #expect(facts.ptx.isEmpty)
    #expect(facts.relocatable == ["compute_90"])
  }

  @Test func zeroPaddingBetweenContainersIsSkipped() throws {
    let padded = SyntheticELF.container([.init(kind: 2, arch: 70)]) + [UInt8](repeating: 0, count: 8) + SyntheticELF.container([.init(kind: 2, arch: 75)])
    #expect(try read(SyntheticELF.file(sections: [(".nv_fatbin", padded)])).facts?.sass == ["sm_70", "sm_75"])
  }

  @Test func notAnELFFileIsNotAnError() throws {
    let script = Array("/* GNU ld script */ GROUP ( /lib/x86_64-linux-gnu/libc.so.6 ) padding padding padding padding".utf8)
    let reading = try read(script)
    #expect(reading.facts == nil)
    #expect(reading.bytesRead == 4)
  }

  @Test func anELFWithoutFatbinariesHasNoFacts() throws {
    #expect(try read(SyntheticELF.file(sections: [(".text", [0x90, 0x90])])).facts == nil)
  }

  @Test func wrongFatbinaryMagic() throws {
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", SyntheticELF.container([.init(kind: 2, arch: 90)], magic: 0x1EE5_5A01))])))
    #expect(error.kind == .malformed)
    #expect(error.file == "/opt/lib/libsynthetic.so")
    #expect(error.reason.contains("section .nv_fatbin at offset 64: fatbinary magic 0x1ee55a01 is not 0xba55ed50"), "\(error)")
  }

  @Test func containerOverrunningItsSection() throws {
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", SyntheticELF.container([.init(kind: 2, arch: 90)], fatSizeDelta: 1 << 40))])))
    #expect(error.reason.contains("overruns the section"), "\(error)")
  }

  @Test func entryLyingAboutItsPayload() throws {
    let fatbin = SyntheticELF.container([.init(kind: 2, arch: 90, payloadSizeField: UInt64.max - 10)])
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", fatbin)])))
    #expect(error.reason.contains("does not fit its fatbinary"), "\(error)")
  }

  /// A zero header size would never advance: refused instead of looping.
  @Test func entryWithZeroHeaderSize() throws {
    let fatbin = SyntheticELF.container([.init(kind: 2, arch: 90, headerSize: 0, payload: 64)])
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", fatbin)])))
    #expect(error.reason.contains("an entry of header 0 + payload"), "\(error)")
  }

  @Test func sectionPastTheEndOfTheFile() throws {
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", SyntheticELF.container([.init(kind: 2, arch: 90)]))], sectionSizeDelta: 1 << 30)))
    #expect(error.reason.contains("section .nv_fatbin (offset 64"), "\(error)")
    #expect(error.reason.contains("lies past the end of the file"), "\(error)")
  }

  @Test func thirtyTwoBitELF() throws {
    let error = try #require(malformed(SyntheticELF.file(sections: [(".nv_fatbin", [])], elfClass: 1)))
    #expect(error.reason == "ELF class 1 is not ELFCLASS64 (CUDA libraries are 64-bit)")
  }

  @Test func truncatedFile() throws {
    let whole = SyntheticELF.file(sections: [(".nv_fatbin", SyntheticELF.container([.init(kind: 2, arch: 90)]))])
    let error = try #require(malformed(Array(whole.prefix(100))))
    #expect(error.kind == .malformed)
    #expect(error.reason.contains("the section header table"), "\(error)")
  }

  @Test func unreadableFileIsNamed() {
    #expect(throws: CUDABinaryError.self) { try CUDABinaryReader.read(hostPath: "/nonexistent/libx.so", path: "/usr/lib/libx.so") }
    do {
      _ = try CUDABinaryReader.read(hostPath: "/nonexistent/libx.so", path: "/usr/lib/libx.so")
    } catch {
      #expect(error.kind == .unreadable)
      #expect(error.description.hasPrefix("/usr/lib/libx.so: cannot open"))
    }
  }
}
