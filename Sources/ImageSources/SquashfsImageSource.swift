import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Enroot images (`.sqsh`, `.squashfs`: a squashfs of the root filesystem) and Apptainer SIF
/// images (their primary system partition, a squashfs at an offset of the file, found in the
/// SIF descriptor table by ``SIFFile``): unpacked by `unsquashfs` (squashfs-tools) into a
/// temporary directory, within the deadline, and read as one directory.
enum SquashfsImageSource {
  static func openSquashfs(file: String, options: ImageSourceOptions) throws(ImageSourceError) -> ImageAtRest {
    try checkRegularFile(file, kind: "a squashfs image (.sqsh)")
    let (root, cleanup, warnings) = try unpack(file: file, offset: 0, options: options)
    return ImageAtRest(
      root: LayeredDirectoryRoot(directory: root), config: RestingImageConfig(), source: "squashfs:\(file)\(warnings)", cleanup: cleanup)
  }

  static func openSIF(file: String, options: ImageSourceOptions) throws(ImageSourceError) -> ImageAtRest {
    try checkRegularFile(file, kind: "a SIF image (.sif)")
    let sif = try SIFFile(path: file)
    let partition = try sif.primarySystemPartition()
    let (root, cleanup, warnings) = try unpack(file: file, offset: partition.offset, options: options)
    var config = RestingImageConfig()
    config.architecture = partition.architectureCode.flatMap { SIFFile.architectures[$0] }
    config.os = "linux"
    return ImageAtRest(
      root: LayeredDirectoryRoot(directory: root), config: config,
      source: "sif:\(file) (primary system partition \(partition.id), squashfs at byte \(partition.offset))\(warnings)", cleanup: cleanup)
  }

  static func checkRegularFile(_ file: String, kind: String) throws(ImageSourceError) {
    var status = stat()
    guard stat(file, &status) == 0 else {
      throw ImageSourceError(errno == ENOENT ? .notFound : .unreadable, "\(file): \(String(cString: strerror(errno)))")
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw ImageSourceError(.invalidReference, "\(file) is not a regular file (\(kind) is expected)") }
    guard access(file, R_OK) == 0 else { throw ImageSourceError(.unreadable, "\(file): permission denied") }
  }

  /// `unsquashfs -d DIR -o OFFSET FILE`; returns the root directory, its cleanup, and a note
  /// when unsquashfs skipped entries it could not create as this user (exit 2: non-fatal).
  static func unpack(file: String, offset: Int64, options: ImageSourceOptions) throws(ImageSourceError) -> (String, @Sendable () -> Void, String) {
    let scratch = try ScratchDirectory(purpose: "squashfs", options: options)
    let root = scratch.path + "/rootfs"
    // -no-xattrs: nothing read needs them, and an unprivileged user cannot set most of them.
    // Bounded queues (64 MiB each instead of 256) keep memory in check.
    let arguments = ["-no-progress", "-no-xattrs", "-da", "64", "-fr", "64", "-o", String(offset), "-d", root, file]
    let result: CommandResult
    do {
      result = try ProcessCommandRunner.runBlocking(
        Command("unsquashfs", arguments, timeoutSeconds: options.timeoutSeconds), environment: EngineStorageSource.environment(options),
        outputLimit: 4 << 20)
    } catch let error as CommandError {
      scratch.remove()
      if case .notFound = error {
        throw ImageSourceError(.toolFailed, "\(file): unsquashfs is not installed (Debian/Ubuntu: apt-get install squashfs-tools)")
      }
      throw ImageSourceError(.toolFailed, "\(file): \(error)")
    } catch {
      scratch.remove()
      throw ImageSourceError(.toolFailed, "\(file): unsquashfs: \(error)")
    }
    guard result.exitCode == 0 || (result.exitCode == 2 && access(root, F_OK) == 0) else {
      scratch.remove()
      let message = (result.stderr + " " + result.stdout).trimmingSpaces().replacingNewlines()
      throw ImageSourceError(.malformed, "\(file): not a readable squashfs\(offset > 0 ? " at byte \(offset)" : "") (unsquashfs: \(message.prefix(300)))")
    }
    // unsquashfs gives the root the squashfs root's mode; make sure this user can walk it.
    chmod(root, 0o700)
    let warnings = result.exitCode == 2 ? ", some entries not created as this user" : ""
    return (root, { scratch.remove() }, warnings)
  }
}
