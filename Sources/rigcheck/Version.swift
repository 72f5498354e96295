/// rigcheck's version: the one place it is written. `rigcheck --version` prints it, and
/// scripts/package.sh asks the built binary for it to name the .deb and the tarball.
enum RigcheckVersion {
  static let current = "0.1.0"
}
