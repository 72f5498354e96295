/// Bounds on what unpacking one image may write, against decompression bombs and archives
/// built to exhaust the disk or the inode table. Exceeding one is a ``ImageSourceError/Kind/hostile``
/// error; what was unpacked is removed.
public struct UnpackLimits: Sendable, Hashable {
  /// Bytes of file content written for the whole image (declared sizes count, so sparse
  /// entries cannot claim more than this either).
  public var maximumBytes: Int64
  /// Archive entries in one layer.
  public var maximumEntries: Int
  /// Uncompressed bytes per compressed byte of one layer, checked once a layer has written
  /// more than ``ratioFloorBytes`` (gzip cannot exceed about 1032:1; zstd can).
  public var maximumRatio: Int64
  public var ratioFloorBytes: Int64

  public init(maximumBytes: Int64 = 64 << 30, maximumEntries: Int = 4_000_000, maximumRatio: Int64 = 1100, ratioFloorBytes: Int64 = 256 << 20) {
    self.maximumBytes = maximumBytes
    self.maximumEntries = maximumEntries
    self.maximumRatio = maximumRatio
    self.ratioFloorBytes = ratioFloorBytes
  }
}

/// What the layers of one image have written so far, against its ``UnpackLimits``.
final class UnpackBudget {
  let limits: UnpackLimits
  private(set) var bytesWritten: Int64 = 0

  init(limits: UnpackLimits) { self.limits = limits }

  func reserve(_ bytes: Int64, for entry: String, in what: String) throws(ImageSourceError) {
    guard bytes >= 0, bytes <= limits.maximumBytes - bytesWritten else {
      throw ImageSourceError(
        .hostile, "\(what): entry '\(entry)' would take the image past \(limits.maximumBytes) bytes unpacked (limit; a decompression bomb?)")
    }
    bytesWritten += bytes
  }
}
