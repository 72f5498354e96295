/// A package of the operating system's package manager (dpkg), as its database records it.
public struct OSPackage: Codable, Sendable, Hashable, Comparable {
  /// The package name (`libc6`). When one name is installed for several architectures
  /// (multiarch: `libc6` for amd64 and i386) each carries dpkg's qualified spelling,
  /// `libc6:amd64` and `libc6:i386`, so the name identifies the entry; see ``packageName``.
  public var name: String
  /// The Debian version, epoch and revision included (`1:2.36-9+deb12u4`).
  public var version: String
  /// `amd64`, `arm64`, `all`, … (`unknown` when the database has none).
  public var architecture: String
  /// The source package it was built from, when it is not ``packageName``.
  public var sourcePackage: String?
  /// The source version, when it is not ``version`` (binNMUs, packages with their own versions).
  public var sourceVersion: String?

  public init(name: String, version: String, architecture: String, sourcePackage: String? = nil, sourceVersion: String? = nil) {
    self.name = name
    self.version = version
    self.architecture = architecture
    self.sourcePackage = sourcePackage
    self.sourceVersion = sourceVersion
  }

  /// The name without a `:arch` qualifier (Debian package names never contain `:`).
  public var packageName: String { String(name.prefix { $0 != ":" }) }

  public static func < (lhs: OSPackage, rhs: OSPackage) -> Bool {
    (lhs.name, lhs.architecture, lhs.version) < (rhs.name, rhs.architecture, rhs.version)
  }
}
