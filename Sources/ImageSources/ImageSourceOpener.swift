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

  public init(platform: ImagePlatform? = nil, temporaryDirectory: String? = nil, environment: [String: String] = [:], timeoutSeconds: Double = 600) {
    self.platform = platform
    self.temporaryDirectory = temporaryDirectory
    self.environment = environment
    self.timeoutSeconds = timeoutSeconds
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
    default:
      // Filled in by the source readers (OCI layout, archives, registry, engine storage, squashfs, SIF).
      throw ImageSourceError(.unavailable, "reading \(reference) at rest is not supported yet")
    }
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
