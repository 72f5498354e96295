/// dpkg.sh, read from the file: the same `os.package` facts from the same status file
/// (``DpkgStatus`` is the one reader of its format on the Swift side).
extension StaticFactCollector {
  /// dpkg's database of a full Debian/Ubuntu image is a few MB; 64 MiB leaves room for huge ones.
  static let dpkgStatusLimit = 64 << 20

  mutating func collectDpkg() {
    guard let text = files.readText(DpkgStatus.path, limit: Self.dpkgStatusLimit) else { return }
    for fact in DpkgStatus.facts(statusText: text) { emit(fact.key, fact.value) }
  }
}
