import Fingerprint

/// python.sh and python-inventory.py, read from files: every python on PATH, which one
/// `python3` is, its version, prefix, venv, conda prefix, and the distributions on its
/// `sys.path` (dist-info/egg-info metadata, as `importlib.metadata.distributions()` finds them).
extension StaticFactCollector {
  /// The PATH Docker gives a container whose image sets none: moby's
  /// `oci.DefaultPathEnv("linux")` (pkg/system/path.go `defaultUnixPathEnv`).
  static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  mutating func collectPython() {
    let searchPath = (environment["PATH"] ?? Self.defaultPath).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    // Every python on PATH; each directory once by its real path (usrmerge: /bin is /usr/bin).
    var seenDirectories: Set<String> = []
    var seenFiles: Set<String> = []
    for directory in searchPath where directory.hasPrefix("/") {
      guard files.isDirectory(directory), Self.isNew(directory, real: files.real(directory), seen: &seenDirectories) else { continue }
      let candidates = ["\(directory)/python", "\(directory)/python3"] + files.glob("\(directory)/python3.[0-9]") + files.glob("\(directory)/python3.[0-9][0-9]")
      for file in candidates where files.isExecutableFile(file) && seenFiles.insert(file).inserted {
        emit("python.candidate", file)
      }
    }
    // `command -v python3`: the first PATH directory with an executable python3.
    guard let executable = searchPath.lazy.filter({ $0.hasPrefix("/") }).map({ "\($0)/python3" }).first(where: files.isExecutableFile) else { return }
    emit("python.default", executable)
    guard let interpreter = interpreter(executable) else {
      notes.append("static inspection: the version of \(executable) could not be read from its files (no pythonX.Y name, no lib/pythonX.Y/os.py)")
      return
    }
    python = interpreter
    if let version = interpreter.version {
      emit("python.version", version)
    } else {
      emit("python.version", interpreter.majorMinor)
      notes.append("static inspection: python \(interpreter.majorMinor) patch level not stated in any file of the image (only a running interpreter knows it)")
    }
    emit("python.executable", interpreter.executable)
    emit("python.prefix", interpreter.prefix)
    if let virtualenv = interpreter.virtualenv { emit("python.virtualenv", virtualenv) }
    let conda = environment["CONDA_PREFIX"] ?? (files.isDirectory(interpreter.prefix + "/conda-meta") ? interpreter.prefix : nil)
    if let conda { emit("python.conda_prefix", conda) }
    collectDistributions(interpreter.path)
    if let conda, files.isDirectory(conda + "/conda-meta") { collectCondaPackages(conda + "/conda-meta") }
  }

  // MARK: The interpreter

  /// The interpreter behind `executable` (a path on PATH), or nil when its version cannot be
  /// told from its files.
  func interpreter(_ executable: String) -> StaticPythonInterpreter? {
    guard let real = files.real(executable) else { return nil }
    let directory = Self.parent(real)
    // The version: the real file's name (`python3.11`), else the one standard library
    // next to it. CPython's getpath (Modules/getpath.py) finds the prefix by searching up
    // from the real executable's directory for STDLIB_LANDMARKS, `lib/pythonX.Y/os.py`.
    var majorMinor = Self.majorMinor(fileName: real.split(separator: "/").last.map(String.init) ?? "")
    if majorMinor == nil {
      let found = Set(Self.ancestors(directory).flatMap { prefix in
        files.glob(prefix == "/" ? "/lib/python3.*/os.py" : "\(prefix)/lib/python3.*/os.py").compactMap { path in
          Self.majorMinor(fileName: path.split(separator: "/").dropLast().last.map(String.init) ?? "")
        }
      })
      majorMinor = found.count == 1 ? found.first : nil
    }
    guard let majorMinor else { return nil }
    let landmark = "lib/python\(majorMinor)/os.py"
    let basePrefix = Self.ancestors(directory).first { files.isRegularFile(($0 == "/" ? "" : $0) + "/" + landmark) } ?? Self.parent(directory)
    // A virtual environment: pyvenv.cfg beside the executable as invoked, or one directory up
    // (getpath.py: `venv_prefix` from argv0's directory, not the resolved one).
    let invokedDirectory = Self.parent(executable)
    let venvConfig = [invokedDirectory + "/pyvenv.cfg", Self.parent(invokedDirectory) + "/pyvenv.cfg"].first(where: files.isRegularFile)
    let venv = venvConfig.map(Self.parent)
    let venvSettings = venvConfig.flatMap { files.readText($0) }.map(Self.pyvenvSettings) ?? [:]
    let includeSystem = venvSettings["include-system-site-packages"]?.lowercased() == "true"
    let (version, versionSource) = pythonPatchVersion(majorMinor: majorMinor, realExecutable: real, basePrefix: basePrefix, venvSettings: venvSettings, venvConfig: venvConfig)
    let prefix = venv ?? basePrefix
    return StaticPythonInterpreter(
      executable: executable, realExecutable: real, majorMinor: majorMinor, version: version, versionSource: versionSource, prefix: prefix,
      basePrefix: basePrefix, virtualenv: venv,
      path: sysPath(majorMinor: majorMinor, basePrefix: basePrefix, venv: venv, includeSystemSitePackages: includeSystem))
  }

  /// The full version (`3.11.2`), from the first file that states it:
  /// 1. the interpreter binary, then `libpython3.X.so.1.0`: `PY_VERSION` (Include/patchlevel.h,
  ///    `#define PY_VERSION "3.11.2"`) is compiled in as a string of its own for
  ///    `Py_GetVersion()` (Python/getversion.c), the start of `sys.version`; it is taken only
  ///    when exactly one string of the form X.Y.Z[aN|bN|rcN][+] with the interpreter's X.Y is there;
  /// 2. `include/pythonX.Y/patchlevel.h` (development headers);
  /// 3. conda-meta's `python-*.json` record;
  /// 4. a venv's `pyvenv.cfg` `version` (Lib/venv/__init__.py writes the creating
  ///    interpreter's version: right unless the base Python was upgraded since).
  func pythonPatchVersion(majorMinor: String, realExecutable: String, basePrefix: String, venvSettings: [String: String], venvConfig: String?) -> (String?, String?) {
    let base = basePrefix == "/" ? "" : basePrefix
    let accept: (String) -> Bool = { Self.isPythonVersion($0, majorMinor: majorMinor) }
    for binary in [realExecutable] + files.glob("\(base)/lib/libpython\(majorMinor)*.so*") + files.glob("\(base)/lib/*-linux-gnu/libpython\(majorMinor)*.so*") {
      let found = files.scanStrings(binary, startingWith: majorMinor.utf8.first!, maximumLength: 16, accept: accept)
      if found.count == 1, let version = found.first { return (version, "PY_VERSION string in \(files.real(binary) ?? binary)") }
    }
    let header = "\(base)/include/python\(majorMinor)/patchlevel.h"
    if let text = files.readText(header) {
      for line in text.split(separator: "\n") where line.hasPrefix("#define PY_VERSION ") {
        let value = line.dropFirst("#define PY_VERSION ".count).trimmingQuotes
        if accept(value) { return (value, header) }
      }
    }
    for record in files.glob("\(base)/conda-meta/python-3*.json") {
      if let text = files.readText(record), let tree = try? JSONTree.parse(text), tree["name"]?.nonEmptyString == "python",
        let version = tree["version"]?.nonEmptyString, accept(version)
      {
        return (version, record)
      }
    }
    if let version = venvSettings["version"] ?? venvSettings["version_info"], accept(version) { return (version, venvConfig) }
    return (nil, nil)
  }

  static func isPythonVersion(_ text: String, majorMinor: String) -> Bool {
    guard text.hasPrefix(majorMinor + ".") else { return false }
    var rest = Substring(text.dropFirst(majorMinor.count + 1))
    if rest.hasSuffix("+") { rest = rest.dropLast() }
    let micro = rest.prefix { $0.isASCII && $0.isNumber }
    guard !micro.isEmpty else { return false }
    let suffix = rest.dropFirst(micro.count)
    if suffix.isEmpty { return true }
    for marker in ["a", "b", "rc"] where suffix.hasPrefix(marker) {
      let number = suffix.dropFirst(marker.count)
      return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }
    return false
  }

  /// `python3.11` → `3.11`.
  static func majorMinor(fileName: String) -> String? {
    guard fileName.hasPrefix("python") else { return nil }
    let version = fileName.dropFirst("python".count)
    let parts = version.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
    return String(version)
  }

  /// `key = value` lines of pyvenv.cfg (Lib/venv/__init__.py, Modules/getpath.py reads them).
  static func pyvenvSettings(_ text: String) -> [String: String] {
    var settings: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      let key = line[..<equals].trimmed.lowercased()
      if settings[key] == nil { settings[key] = line[line.index(after: equals)...].trimmed }
    }
    return settings
  }

  // MARK: sys.path

  /// `sys.path` of `python3 -c`, the entries that exist: PYTHONPATH, the standard library and
  /// lib-dynload (Modules/getpath.py), then site.py's directories — the user site
  /// (`~/.local/lib/pythonX.Y/site-packages`, not in a venv that excludes system packages),
  /// the venv's `lib/pythonX.Y/site-packages`, the prefix's site directories
  /// (``siteDirectories(prefix:majorMinor:debian:)``) — and the paths their `.pth` files add.
  func sysPath(majorMinor: String, basePrefix: String, venv: String?, includeSystemSitePackages: Bool) -> [String] {
    let base = basePrefix == "/" ? "" : basePrefix
    var entries = (environment["PYTHONPATH"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
    entries += ["\(base)/lib/python\(majorMinor)", "\(base)/lib/python\(majorMinor)/lib-dynload"]
    // Debian patches site.py to use dist-packages (debian/patches/distutils-install-layout.diff):
    // recognised by that word in the image's own site.py.
    let debian = files.readText("\(base)/lib/python\(majorMinor)/site.py")?.contains("\"dist-packages\"") == true
    var siteDirectories: [String] = []
    if venv == nil || includeSystemSitePackages {
      let home = environment["HOME"] ?? "/root"
      siteDirectories.append("\(home == "/" ? "" : home)/.local/lib/python\(majorMinor)/site-packages")
    }
    if let venv { siteDirectories += Self.siteDirectories(prefix: venv, majorMinor: majorMinor, debian: debian, virtual: true) }
    if venv == nil || includeSystemSitePackages { siteDirectories += Self.siteDirectories(prefix: basePrefix, majorMinor: majorMinor, debian: debian, virtual: false) }
    var path: [String] = []
    func add(_ entry: String) {
      guard files.isDirectory(entry), !path.contains(entry) else { return }
      path.append(entry)
    }
    entries.forEach(add)
    for directory in siteDirectories where files.isDirectory(directory) && !path.contains(directory) {
      add(directory)
      // site.addpackage: each line of each .pth (sorted names) that is not a comment or an
      // `import` statement is a directory, relative to the site directory, added if it exists.
      for name in files.list(directory) where name.hasSuffix(".pth") && !name.hasPrefix(".") {
        for line in (files.readText("\(directory)/\(name)") ?? "").split(separator: "\n") {
          let text = String(line.trimmingSuffixWhitespace)
          guard !text.isEmpty, !text.hasPrefix("#"), !text.hasPrefix("import ") && !text.hasPrefix("import\t") else { continue }
          add(text.hasPrefix("/") ? text : "\(directory)/\(text)")
        }
      }
    }
    return path
  }

  /// site.getsitepackages for one prefix. Upstream (Lib/site.py): `lib/pythonX.Y/site-packages`
  /// under sys.platlibdir (`lib64` on Fedora) and `lib`. Debian's site.py: in a venv the
  /// upstream directory first, then `local/lib/pythonX.Y/dist-packages`,
  /// `lib/python3/dist-packages`, `lib/pythonX.Y/dist-packages` (Debian's python3.11 site.py,
  /// read from the rigcheck-test/torch image: lines 377–391).
  static func siteDirectories(prefix: String, majorMinor: String, debian: Bool, virtual: Bool) -> [String] {
    let base = prefix == "/" ? "" : prefix
    if debian {
      return (virtual ? ["\(base)/lib/python\(majorMinor)/site-packages"] : []) + [
        "\(base)/local/lib/python\(majorMinor)/dist-packages", "\(base)/lib/python3/dist-packages", "\(base)/lib/python\(majorMinor)/dist-packages",
      ]
    }
    return ["\(base)/lib64/python\(majorMinor)/site-packages", "\(base)/lib/python\(majorMinor)/site-packages"]
  }

  // MARK: Distributions

  /// `importlib.metadata.distributions()` over `path`: every `*.dist-info` (METADATA) and
  /// `*.egg-info` (a directory's PKG-INFO, or the file itself) in each entry, in sys.path
  /// order; the first of each name wins (python-inventory.py's `record`).
  mutating func collectDistributions(_ path: [String]) {
    var seen: Set<String> = []
    for entry in path {
      for name in files.list(entry) {
        let lower = name.lowercased()
        let metadataPath: String
        if lower.hasSuffix(".dist-info") {
          metadataPath = "\(entry)/\(name)/METADATA"
        } else if lower.hasSuffix(".egg-info") {
          metadataPath = files.isDirectory("\(entry)/\(name)") ? "\(entry)/\(name)/PKG-INFO" : "\(entry)/\(name)"
        } else {
          continue
        }
        guard let text = files.readText(metadataPath, limit: 64 << 10) else { continue }
        let headers = DistributionMetadata(text)
        guard let distribution = headers["Name"], let version = headers["Version"], !distribution.isEmpty, !version.isEmpty else { continue }
        guard seen.insert(distribution.lowercased().replacing("_", with: "-")).inserted else { continue }
        emit("python.package", "\(distribution)==\(version)")
      }
    }
  }

  /// conda-meta/*.json records: `name==version`, decoded through the project's JSON path.
  mutating func collectCondaPackages(_ directory: String) {
    for name in files.list(directory) where name.hasSuffix(".json") {
      guard let text = files.readText("\(directory)/\(name)", limit: 16 << 20) else { continue }
      do {
        let record = try JSONTree.parse(text)
        guard let package = record["name"]?.scalarText, let version = record["version"]?.scalarText else {
          emit("conda.error", "\(name): no name or version")
          continue
        }
        emit("conda.package", "\(package)==\(version)")
      } catch {
        emit("conda.error", "\(name): \(error)")
      }
    }
  }

  // MARK: Paths

  static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// `/a/b` → [`/a/b`, `/a`, `/`].
  static func ancestors(_ path: String) -> [String] {
    var result = [path]
    var current = path
    while current != "/" {
      current = parent(current)
      result.append(current)
    }
    return result
  }
}

extension Substring {
  fileprivate var trimmingQuotes: String {
    var text = self.trimmed
    if text.hasPrefix("\"") { text.removeFirst() }
    if text.hasSuffix("\"") { text.removeLast() }
    return text
  }

  fileprivate var trimmingSuffixWhitespace: Substring {
    var text = self
    while text.last?.isWhitespace == true { text = text.dropLast() }
    return text
  }
}
