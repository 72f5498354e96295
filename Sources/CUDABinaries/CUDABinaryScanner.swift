import Fingerprint
import ImageSources

/// What a scan of an image's directories found: the libraries with CUDA code, the files that
/// could not be read (each named), and what reading them cost.
public struct CUDABinaryScan: Sendable, Hashable {
  /// Libraries with at least one fatbinary, sorted by path.
  public var binaries: [CUDABinaryFacts]
  /// Files that look like ELF libraries but could not be read, or whose headers are malformed.
  public var problems: [CUDABinaryError]
  /// The directories scanned (paths inside the image).
  public var directories: [String]
  /// Shared-library files opened, their total size, and what was read of them.
  public var filesExamined: Int
  public var bytesInFiles: UInt64
  public var bytesRead: UInt64
  public var reads: Int
  /// True when the walk stopped at ``CUDABinaryScanner/Limits`` (the result is partial).
  public var truncated: Bool
}

/// Finds every shared library with CUDA code under an image's directories, through the same
/// ``ImageRoot`` view every image source yields (engine storage, OCI layouts, squashfs, `/` for
/// `--runtime host`), reading headers only.
public enum CUDABinaryScanner {
  /// Bounds on one scan, far above real environments (torch-cuda's site-packages: about
  /// 15,000 files); a hostile tree cannot make it run away.
  public struct Limits: Sendable, Hashable {
    public var maximumFiles: Int
    public var maximumDepth: Int
    /// Wall-clock budget, checked between files: past it the scan stops and says so.
    public var maximumSeconds: Double

    public init(maximumFiles: Int = 500_000, maximumDepth: Int = 40, maximumSeconds: Double = 120) {
      self.maximumFiles = maximumFiles
      self.maximumDepth = maximumDepth
      self.maximumSeconds = maximumSeconds
    }
  }

  /// Scans `directories` (paths inside the image; defaults to every Python environment
  /// ``pythonLibraryDirectories(in:extraPrefixes:)`` finds). Directories that do not exist are
  /// skipped; symbolic links are not followed (a library is reached under its real name once).
  public static func scan(root: any ImageRoot, directories: [String]? = nil, limits: Limits = Limits()) -> CUDABinaryScan {
    let directories = directories ?? pythonLibraryDirectories(in: root)
    var scan = CUDABinaryScan(
      binaries: [], problems: [], directories: directories, filesExamined: 0, bytesInFiles: 0, bytesRead: 0, reads: 0, truncated: false)
    var visited = 0
    let deadline = ContinuousClock.now + .milliseconds(Int64(limits.maximumSeconds * 1000))
    var seen = Set<String>()
    var pending = directories.compactMap { root.resolve($0) }.map { ($0, 0) }
    while let (directory, depth) = pending.popLast() {
      guard seen.insert(directory).inserted, let names = root.list(directory) else { continue }
      for name in names.reversed() {
        visited += 1
        guard visited <= limits.maximumFiles, visited % 256 != 0 || ContinuousClock.now < deadline else {
          scan.truncated = true
          return finished(scan)
        }
        // Most of an environment is Python sources and headers: skipping them by name spares
        // the image view a lookup per file (a lookup costs a few lstat calls per layer).
        if isPlainFileName(name) { continue }
        let path = directory == "/" ? "/" + name : directory + "/" + name
        guard let info = root.info(path) else { continue }
        switch info.kind {
        case .directory:
          if depth + 1 < limits.maximumDepth { pending.append((path, depth + 1)) } else { scan.truncated = true }
        case .regular where isSharedLibraryName(name) && info.size >= 64:
          guard let hostPath = root.hostPath(path) else { continue }
          scan.filesExamined += 1
          scan.bytesInFiles += UInt64(info.size)
          do {
            let reading = try CUDABinaryReader.read(hostPath: hostPath, path: path)
            scan.bytesRead += reading.bytesRead
            scan.reads += reading.reads
            if let facts = reading.facts { scan.binaries.append(facts) }
          } catch {
            scan.problems.append(error)
          }
        default:
          continue
        }
      }
    }
    return finished(scan)
  }

  /// Puts the scan into `facts`: the libraries into ``ImageFacts/cudaBinaries``, each unreadable
  /// or malformed file and a truncated walk into its notes (provenance, outside the identity).
  public static func record(_ scan: CUDABinaryScan, into facts: inout ImageFacts) {
    facts.cudaBinaries = scan.binaries
    facts.notes += scan.problems.map { "CUDA binary not read: \($0)" }
    if scan.truncated {
      facts.notes.append("CUDA binary scan stopped at its limits (files, depth or time): the list of CUDA libraries is partial")
    }
  }

  private static func finished(_ scan: CUDABinaryScan) -> CUDABinaryScan {
    var scan = scan
    scan.binaries.sort()
    scan.problems.sort { $0.file < $1.file }
    return scan
  }

  /// Extensions of files that are never libraries, and that packages do not give directories.
  static let plainFileExtensions: Set<Substring> = [
    "py", "pyc", "pyi", "pyx", "pxd", "h", "hpp", "cuh", "cu", "c", "cc", "cpp", "txt", "json", "md", "rst", "cmake", "typed",
    "yaml", "yml", "html", "js", "css", "png", "jpg", "svg", "cfg", "ini", "toml", "a", "o", "pem", "csv", "proto", "inc", "def",
  ]

  static func isPlainFileName(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
    return plainFileExtensions.contains(name[name.index(after: dot)...])
  }

  /// `libfoo.so`, `libnccl.so.2`, `_C.cpython-311-x86_64-linux-gnu.so`.
  static func isSharedLibraryName(_ name: String) -> Bool {
    name.hasSuffix(".so") || name.contains(".so.")
  }

  /// Where Python keeps installed packages in an image: `PREFIX/lib/python3*/site-packages` and
  /// `dist-packages` (Debian) for the system prefixes `/usr` and `/usr/local`, every directory
  /// in `/opt` (virtual environments, conda) and conda's `envs/*`, `~/.local` of root and of
  /// each `/home` user, plus `extraPrefixes` (a venv or conda prefix the inspection reported).
  /// Resolved inside the image, without duplicates, sorted.
  public static func pythonLibraryDirectories(in root: any ImageRoot, extraPrefixes: [String] = []) -> [String] {
    var prefixes = ["/usr", "/usr/local", "/root/.local"] + extraPrefixes
    for name in root.list("/opt") ?? [] {
      prefixes.append("/opt/" + name)
      for environment in root.list("/opt/\(name)/envs") ?? [] { prefixes.append("/opt/\(name)/envs/\(environment)") }
    }
    for user in root.list("/home") ?? [] { prefixes.append("/home/\(user)/.local") }
    var directories = Set<String>()
    for prefix in prefixes {
      for version in root.list(prefix + "/lib") ?? [] where version.hasPrefix("python3") {
        for packages in ["site-packages", "dist-packages"] {
          if let resolved = root.resolve("\(prefix)/lib/\(version)/\(packages)"), root.list(resolved) != nil { directories.insert(resolved) }
        }
      }
    }
    return directories.sorted()
  }
}
