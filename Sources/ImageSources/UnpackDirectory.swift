import Fingerprint

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// The private directory one opened image is unpacked into (`$TMPDIR/rigcheck-image-XXXXXX`,
/// mode 0700), removed as a whole by ``remove()``. Nothing is written anywhere else.
final class UnpackDirectory: Sendable {
  let path: String
  private let scratch: ScratchDirectory

  init(options: ImageSourceOptions) throws(ImageSourceError) {
    scratch = try ScratchDirectory(purpose: "image", options: options)
    path = scratch.path
  }

  /// A new subdirectory (`layers/0`), made with its parents.
  func makeDirectory(_ relative: String) throws(ImageSourceError) -> String {
    var current = path
    for component in relative.split(separator: "/") {
      current += "/" + component
      guard mkdir(current, 0o700) == 0 || errno == EEXIST else {
        throw ImageSourceError(.unreadable, "cannot make \(current): \(String(cString: strerror(errno)))")
      }
    }
    return current
  }

  func remove() { scratch.remove() }

  /// Runs `body`; removes the directory when it throws.
  func removing<T>(onError body: () throws(ImageSourceError) -> T) throws(ImageSourceError) -> T {
    do {
      return try body()
    } catch {
      remove()
      throw error
    }
  }
}
