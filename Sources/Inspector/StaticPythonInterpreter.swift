/// The default `python3` of an image at rest, worked out from files as CPython itself does at
/// start-up: the version from the interpreter's file name, the prefix from the standard
/// library's landmark, a virtual environment from `pyvenv.cfg`, `sys.path` from site.py's
/// rules and `.pth` files.
struct StaticPythonInterpreter: Sendable, Hashable {
  /// As found on PATH (`/opt/venv/bin/python3`): `sys.executable`.
  var executable: String
  /// Links resolved (`/usr/bin/python3.11`).
  var realExecutable: String
  /// `3.11`.
  var majorMinor: String
  /// `3.11.2`, when a file states it; see ``StaticFactCollector/pythonPatchVersion``.
  var version: String?
  var versionSource: String?
  /// `sys.prefix`: the venv when there is one, else the installation's prefix.
  var prefix: String
  /// `sys.base_prefix`: the installation holding the standard library.
  var basePrefix: String
  /// The venv directory, when `pyvenv.cfg` makes this a virtual environment.
  var virtualenv: String?
  /// `sys.path` entries that exist, in order (the current directory, `''`, left out).
  var path: [String]
}
