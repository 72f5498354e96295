import Foundation
import ImageSources
import TestSupport

/// A whole filesystem tree as `path kind size-or-target` lines, to compare the root view of an
/// image at rest with what Docker itself gives for the same image (`docker export` of a
/// created, never started, container).
enum TreeListing {
  /// What Docker's init layer adds to every container and `docker export` therefore shows:
  /// moby daemon/initlayer/setup_unix.go `Setup` (/dev/pts, /dev/shm, /proc, /sys, /.dockerenv,
  /// /etc/resolv.conf, /etc/hosts, /etc/hostname, /dev/console, /etc/mtab;
  /// https://github.com/docker/docker/blob/v28.3.0/daemon/initlayer/setup_unix.go#L19), plus
  /// the directories holding them, and the device nodes of /dev, which image layers may not create here.
  static func isContainerMade(_ path: String) -> Bool {
    ["etc", "dev", "proc", "sys", ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "etc/mtab"].contains(path)
      || path.hasPrefix("dev/") || path.hasPrefix("proc/") || path.hasPrefix("sys/")
  }

  /// Lists a tar (hard links take their target's size).
  static let tarScript = """
    import sys, tarfile
    sizes = {}
    def clean(name):
        while name.startswith("./"): name = name[2:]
        return name.strip("/")
    with tarfile.open(sys.argv[1]) as tar:
        for m in tar:
            name = clean(m.name)
            if name in ("", "."): continue
            if m.isreg(): sizes[name] = m.size; line = f"{name}\\tfile\\t{m.size}"
            elif m.islnk(): line = f"{name}\\tfile\\t{sizes.get(clean(m.linkname), '?')}"
            elif m.isdir(): line = f"{name}\\tdir\\t"
            elif m.issym(): line = f"{name}\\tlink\\t{m.linkname}"
            else: line = f"{name}\\tother\\t"
            print(line)
    """

  static func ofTar(_ path: String) throws -> Set<String> {
    let output = try Tools.run("python3", ["-c", tarScript, path])
    return Set(output.split(separator: "\n").map(String.init).filter { !isContainerMade(String($0.prefix { $0 != "\t" })) })
  }

  /// `docker export` of image `reference` (a container is created, never started, and removed).
  static func ofDockerExport(_ reference: String, scratch: String) throws -> Set<String> {
    let name = "rigcheck-imagesources-\(UUID().uuidString.prefix(8))"
    try Tools.run("docker", ["create", "--name", name, "--network", "none", reference, "/nonexistent-never-started"])
    defer { _ = try? Tools.run("docker", ["rm", "-f", name]) }
    let file = scratch + "/export-\(name).tar"
    try Tools.run("docker", ["export", "-o", file, name])
    defer { try? FileManager.default.removeItem(atPath: file) }
    return try ofTar(file)
  }

  /// The same lines for an image root, walked through ``ImageRoot/list(_:)`` and ``ImageRoot/info(_:)``.
  static func of(_ root: any ImageRoot) -> Set<String> {
    var lines: Set<String> = []
    var pending = [""]
    while let directory = pending.popLast() {
      for name in root.list(directory.isEmpty ? "/" : "/" + directory) ?? [] {
        let path = directory.isEmpty ? name : directory + "/" + name
        guard let info = root.info("/" + path) else { continue }
        let line: String
        switch info.kind {
        case .regular: line = "\(path)\tfile\t\(info.size)"
        case .directory:
          line = "\(path)\tdir\t"
          pending.append(path)
        case .symlink: line = "\(path)\tlink\t\(root.linkTarget("/" + path) ?? "?")"
        case .other: line = "\(path)\tother\t"
        }
        if !isContainerMade(path) { lines.insert(line) }
      }
    }
    return lines
  }
}
