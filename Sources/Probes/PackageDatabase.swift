import Fingerprint

/// Installed packages from dpkg's database (`/var/lib/dpkg/status`, Debian and Ubuntu), read
/// under the host root so a captured tree answers like the live host.
///
/// Each stanza is `Package:`, `Status:`, `Version:` … separated by blank lines
/// (deb-control(5) / dpkg(1) `--status`); only `Status: install ok installed` counts.
struct PackageDatabase: Sendable {
  static let dpkgStatusPath = "/var/lib/dpkg/status"

  /// Package name → version (`580.159.04-1`), installed packages only.
  let versions: [String: String]
  /// Where it was read, for sources; nil when there is no dpkg database.
  let source: String?

  init(_ root: HostRoot) {
    guard let text = try? root.read(Self.dpkgStatusPath, limit: 64 << 20) else {
      versions = [:]
      source = nil
      return
    }
    versions = Self.parseDpkgStatus(text)
    source = "file:\(Self.dpkgStatusPath)"
  }

  static func parseDpkgStatus(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    var name: String?
    var version: String?
    var installed = false
    func finish() {
      if let name, let version, installed { result[name] = version }
      name = nil
      version = nil
      installed = false
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.isEmpty {
        finish()
      } else if line.hasPrefix("Package:") {
        name = line.dropFirst("Package:".count).trimmed
      } else if line.hasPrefix("Version:") {
        version = line.dropFirst("Version:".count).trimmed
      } else if line.hasPrefix("Status:") {
        installed = line.hasSuffix(" installed") && line.contains("install ok")
      }
    }
    finish()
    return result
  }

  /// `580.159.04-1ubuntu1` → `580.159.04`; `1:2.3-4` → `2.3`.
  static func upstreamVersion(_ version: String) -> String {
    var text = Substring(version)
    if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
    if let dash = text.lastIndex(of: "-") { text = text[..<dash] }
    return String(text)
  }
}
