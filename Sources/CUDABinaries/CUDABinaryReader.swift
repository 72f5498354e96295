import Fingerprint

/// Reads the GPU targets of one shared library from its fatbinary headers.
public enum CUDABinaryReader {
  /// The section the CUDA runtime registers (`FATBIN_DATA_SECTION_NAME`) and the pre-linked
  /// relocatable device code (`FATBIN_PRELINK_DATA_SECTION_NAME`), as the CUDA toolkit's
  /// include/crt/fatbinary_section.h names them.
  static let loadedSection = ".nv_fatbin"
  static let relocatableSection = "__nv_relfatbin"

  /// What reading one file found, and what it cost.
  public struct Reading: Sendable, Hashable {
    /// Nil when the file is not an ELF file or carries no fatbinary.
    public var facts: CUDABinaryFacts?
    /// Fatbinary entries seen, and how many of them are compressed (their payloads skipped).
    public var entries: Int
    public var compressedEntries: Int
    public var bytesRead: UInt64
    public var reads: Int
  }

  /// Reads `hostPath` (where the file lies on this machine), naming it `path` (where it lies in
  /// the image) in facts and errors.
  public static func read(hostPath: String, path: String) throws(CUDABinaryError) -> Reading {
    let file = try PositionalFile(hostPath: hostPath, name: path)
    var reading = Reading(facts: nil, entries: 0, compressedEntries: 0, bytesRead: 0, reads: 0)
    guard try ELFSectionTable.isELF(file) else {
      reading.bytesRead = file.bytesRead
      reading.reads = file.reads
      return reading
    }
    let table = try ELFSectionTable(file)
    var loaded: [Fatbinary.Entry] = []
    for section in table.sections(named: loadedSection) { loaded += try Fatbinary.entries(in: section, of: file) }
    var relocatable: [Fatbinary.Entry] = []
    for section in table.sections(named: relocatableSection) { relocatable += try Fatbinary.entries(in: section, of: file) }
    let all = loaded + relocatable
    reading.entries = all.count
    reading.compressedEntries = all.filter(\.isCompressed).count
    if !all.isEmpty {
      let sass = sortedTargets(loaded.filter { $0.kind == Fatbinary.Kind.elf.rawValue })
      let ptx = sortedTargets(loaded.filter { $0.kind == Fatbinary.Kind.ptx.rawValue })
      let onlyRelocatable = sortedTargets(relocatable).filter { !sass.contains($0) && !ptx.contains($0) }
      reading.facts = CUDABinaryFacts(path: path, sass: sass, ptx: ptx, relocatable: onlyRelocatable.isEmpty ? nil : onlyRelocatable)
    }
    reading.bytesRead = file.bytesRead
    reading.reads = file.reads
    return reading
  }

  /// Distinct targets, by architecture number then name (`sm_90` before `sm_90a`, `sm_100` after).
  static func sortedTargets(_ entries: [Fatbinary.Entry]) -> [String] {
    var seen: [String: UInt32] = [:]
    for entry in entries { if let target = entry.target { seen[target] = entry.arch } }
    return seen.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
  }
}
