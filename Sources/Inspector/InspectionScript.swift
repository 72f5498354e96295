import CheckScripts

/// Builds the one shell program an inspection runs: the prelude, the two Python programs
/// as variables, then every check in its own subshell so one failing check cannot stop
/// the others. Nothing from the user is interpolated into it.
enum InspectionScript {
  static let protocolMarker = "rc1"

  static func build() -> String {
    var parts = ["set +e", CheckScripts.prelude]
    parts.append("RC_PYTHON_INVENTORY=\(singleQuoted(CheckScripts.pythonInventory))")
    parts.append("RC_FRAMEWORK_PROBE=\(singleQuoted(CheckScripts.frameworkProbe))")
    for script in CheckScripts.shellChecks {
      parts.append("emit check.begin \(script.name)")
      parts.append("(\n\(script.text)\n)")
      parts.append("emit check.end \(script.name)")
    }
    parts.append("exit 0")
    return parts.joined(separator: "\n") + "\n"
  }

  /// `text` as one single-quoted shell word.
  static func singleQuoted(_ text: String) -> String {
    "'" + text.replacing("'", with: "'\\''") + "'"
  }
}
