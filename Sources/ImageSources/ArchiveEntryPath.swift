/// A path inside a layer tar, normalised to its components, as raw bytes (names are not
/// required to be UTF-8, and must be written exactly as the image has them).
///
/// `./usr//lib/` → [usr, lib]. A leading `/` is dropped, as GNU tar does when extracting
/// (tar(1) "--absolute-names": "strip leading '/'s from file names" is the default); `..`
/// removes the previous component and is refused when nothing is left to remove, because the
/// entry would land outside the layer directory.
struct ArchiveEntryPath: Hashable, CustomStringConvertible {
  let components: [[UInt8]]

  /// The longest path accepted (Linux's PATH_MAX).
  static let maximumLength = 4096

  init(components: [[UInt8]]) { self.components = components }

  /// Parses `raw` as written in the archive; `what` names the archive in errors.
  init(_ raw: [UInt8], in what: String) throws(ImageSourceError) {
    let display = String(decoding: raw.prefix(200), as: UTF8.self)
    guard raw.count <= Self.maximumLength else {
      throw ImageSourceError(.hostile, "\(what): entry '\(display)…' has a path longer than \(Self.maximumLength) bytes")
    }
    var components: [[UInt8]] = []
    for part in raw.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
      if part.elementsEqual([UInt8(ascii: ".")]) { continue }
      if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
        guard !components.isEmpty else {
          throw ImageSourceError(.hostile, "\(what): entry '\(display)' leads outside the layer (../)")
        }
        components.removeLast()
        continue
      }
      components.append(Array(part))
    }
    self.components = components
  }

  var isRoot: Bool { components.isEmpty }
  var name: [UInt8] { components.last ?? [] }
  var parent: ArchiveEntryPath { ArchiveEntryPath(components: Array(components.dropLast())) }

  var description: String {
    components.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
  }
}
