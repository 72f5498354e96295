import Dispatch

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// Options for opening an image at rest.
public struct ImageSourceOptions: Sendable {
  /// The platform to pick from a multi-architecture image (default: this machine's).
  public var platform: ImagePlatform?
  /// Where temporary directories are made (default: $TMPDIR or /tmp).
  public var temporaryDirectory: String?
  /// Environment for engines, tools and credentials (`DOCKER_CONFIG`, `HOME`, `DOCKER_HOST`).
  public var environment: [String: String]
  /// Wall-clock limit for external tools and network requests, seconds.
  public var timeoutSeconds: Double
  /// Bounds on what unpacking layers may write (decompression bombs, inode floods).
  public var limits: UnpackLimits

  public init(
    platform: ImagePlatform? = nil, temporaryDirectory: String? = nil, environment: [String: String] = [:], timeoutSeconds: Double = 600,
    limits: UnpackLimits = UnpackLimits()
  ) {
    self.platform = platform
    self.temporaryDirectory = temporaryDirectory
    self.environment = environment
    self.timeoutSeconds = timeoutSeconds
    self.limits = limits
  }
}

/// Opens any ``ImageSourceReference`` as an ``ImageAtRest``. Call ``ImageAtRest/close()`` when done.
public enum ImageSourceOpener {
  public static func open(_ reference: ImageSourceReference, options: ImageSourceOptions = ImageSourceOptions()) async throws(ImageSourceError) -> ImageAtRest {
    switch reference {
    case .directory(let path):
      return try openDirectory(path)
    case .registry(let host, let repository, let reference):
      return try await RegistryImageSource.open(host: host, repository: repository, reference: reference, options: options)
    case .localEngine(let reference, let engine):
      return try await EngineStorageSource.open(reference: reference, engine: engine, options: options)
    case .squashfs(let file):
      return try SquashfsImageSource.openSquashfs(file: file, options: options)
    case .sif(let file):
      return try SquashfsImageSource.openSIF(file: file, options: options)
    case .ociLayout(let directory, let tag):
      return try await offThePool { () throws(ImageSourceError) in try OCILayoutReader.open(directory: directory, tag: tag, options: options) }
    case .ociArchive(let file, let tag):
      return try await offThePool { () throws(ImageSourceError) in try OCIArchiveReader.open(file: file, tag: tag, options: options) }
    case .dockerArchive(let file, let reference):
      return try await offThePool { () throws(ImageSourceError) in
        try DockerArchiveReader.open(file: file, reference: reference, options: options)
      }
    }
  }

  /// Runs blocking file work (unpacking gigabytes of layers) on a Dispatch thread, so the
  /// awaiting task does not hold a thread of the cooperative pool for minutes.
  static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws(ImageSourceError) -> T) async throws(ImageSourceError) -> T {
    let result: Result<T, ImageSourceError> = await withCheckedContinuation { continuation in
      DispatchQueue.global(qos: .userInitiated).async {
        continuation.resume(returning: Result { () throws(ImageSourceError) -> T in try work() })
      }
    }
    return try result.get()
  }

  static func openDirectory(_ path: String) throws(ImageSourceError) -> ImageAtRest {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw ImageSourceError(.notFound, "dir:\(path): no such directory")
    }
    guard (status.st_mode & S_IFMT) == S_IFDIR else {
      throw ImageSourceError(.invalidReference, "dir:\(path) is not a directory (an unpacked root filesystem is expected)")
    }
    guard access(path, R_OK | X_OK) == 0 else {
      throw ImageSourceError(.unreadable, "dir:\(path): permission denied")
    }
    return ImageAtRest(root: LayeredDirectoryRoot(directory: path), config: RestingImageConfig(), source: "dir:\(path)")
  }
}
