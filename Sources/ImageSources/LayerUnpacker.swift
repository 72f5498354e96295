import Probes
import CLibArchive

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// One layer blob to unpack, and what it must be.
struct LayerBlob {
  /// The blob file (tar, tar+gzip or tar+zstd; the compression is recognised by its magic).
  var path: String
  /// The digest of the file as it lies (an OCI layer descriptor's digest; a Docker archive's
  /// `diff_id`, the uncompressed tar's digest). Checked while reading.
  var digest: BlobDigest?
  /// The descriptor's size, when known.
  var size: Int64?
  /// Names the layer in errors (`oci:/srv/layout layer 2 (sha256:…)`).
  var what: String
}

/// Unpacks layer tars with libarchive (Debian's libarchive13) into one directory per layer,
/// verbatim: OCI whiteout files (`.wh.NAME`, `.wh..wh..opq`) are kept as files, for
/// ``LayeredDirectoryRoot`` to apply. Writes go through ``LayerDirectoryWriter`` (never
/// through a link, never outside the directory); sizes are bounded by ``UnpackBudget``;
/// the blob's digest and size are checked on the same read; a truncated or corrupt stream is
/// an error. Device nodes, FIFOs and sockets are skipped (an overlayfs whiteout device 0/0
/// becomes a `.wh.` marker).
enum LayerUnpacker {
  /// archive_entry.h's AE_IF* file types (the same values as stat's S_IF*).
  private enum EntryType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symbolicLink: UInt32 = 0o120000
    static let characterDevice: UInt32 = 0o020000
  }

  struct Statistics {
    var entries = 0
    var bytesWritten: Int64 = 0
    var compressedBytes: Int64 = 0
  }

  static func unpack(_ blob: LayerBlob, into directory: String, budget: UnpackBudget) throws(ImageSourceError) -> Statistics {
    let stream = try BlobStream(path: blob.path, what: blob.what, hashing: blob.digest != nil)
    let writer = try LayerDirectoryWriter(directory: directory, what: blob.what)
    guard let archive = archive_read_new() else { throw ImageSourceError(.unreadable, "\(blob.what): libarchive could not start") }
    defer { archive_read_free(archive) }
    archive_read_support_filter_gzip(archive)
    archive_read_support_filter_zstd(archive)
    archive_read_support_format_tar(archive)
    let client = Unmanaged.passUnretained(stream).toOpaque()
    let opened = archive_read_open(archive, client, nil, { _, client, buffer in
      let stream = Unmanaged<BlobStream>.fromOpaque(client!).takeUnretainedValue()
      let (pointer, count) = stream.next()
      buffer?.pointee = pointer
      return count
    }, nil)
    var statistics = Statistics()
    if opened != ARCHIVE_OK {
      throw failure(archive, stream, blob, "is not a tar archive (plain, gzip or zstd)")
    }
    while true {
      var entry: OpaquePointer?
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { break }
      guard status >= ARCHIVE_WARN, let entry else {
        throw failure(archive, stream, blob, "is truncated or corrupt")
      }
      statistics.entries += 1
      // Ctrl-C/SIGTERM: stop writing, so the clean-up can remove the scratch directory.
      if ChildProcesses.shared.isInterrupted { throw ImageSourceError(.unavailable, "\(blob.what): interrupted") }
      guard statistics.entries <= budget.limits.maximumEntries else {
        throw ImageSourceError(.hostile, "\(blob.what) has more than \(budget.limits.maximumEntries) entries (limit)")
      }
      try unpackEntry(entry, archive: archive, stream: stream, blob: blob, writer: writer, budget: budget, statistics: &statistics)
    }
    guard let digest = stream.finish() else {
      throw ImageSourceError(.unreadable, "\(blob.what): reading \(blob.path) failed: \(String(cString: strerror(stream.readError ?? EIO)))")
    }
    statistics.compressedBytes = stream.bytesRead
    if let size = blob.size, size != stream.bytesRead {
      throw ImageSourceError(.digestMismatch, "\(blob.what): \(blob.path) has \(stream.bytesRead) bytes, its descriptor says \(size)")
    }
    if let expected = blob.digest, expected.description != digest {
      throw ImageSourceError(.digestMismatch, "\(blob.what): \(blob.path) has digest \(digest), its descriptor says \(expected)")
    }
    return statistics
  }

  /// The error for a libarchive failure: the read error when there was one, else libarchive's message.
  private static func failure(_ archive: OpaquePointer, _ stream: BlobStream, _ blob: LayerBlob, _ summary: String) -> ImageSourceError {
    if let code = stream.readError {
      return ImageSourceError(.unreadable, "\(blob.what): reading \(blob.path) failed: \(String(cString: strerror(code)))")
    }
    let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    return ImageSourceError(.malformed, "\(blob.what) \(summary) (\(blob.path): \(detail))")
  }

  private static func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: text, count: strlen(text)).map { UInt8(bitPattern: $0) })
  }

  private static func unpackEntry(
    _ entry: OpaquePointer, archive: OpaquePointer, stream: BlobStream, blob: LayerBlob, writer: LayerDirectoryWriter, budget: UnpackBudget,
    statistics: inout Statistics
  ) throws(ImageSourceError) {
    guard let rawPath = archive_entry_pathname(entry) else {
      throw ImageSourceError(.malformed, "\(blob.what): an entry has no path (\(archive_error_string(archive).map { String(cString: $0) } ?? ""))")
    }
    let path = try ArchiveEntryPath(bytes(rawPath), in: blob.what)
    let mode = UInt32(archive_entry_mode(entry))
    if let hardLink = archive_entry_hardlink(entry) {
      try writer.makeHardLink(path, to: ArchiveEntryPath(bytes(hardLink), in: blob.what))
      return
    }
    switch mode & EntryType.mask {
    case EntryType.directory:
      try writer.makeDirectory(path, mode: mode)
    case EntryType.symbolicLink:
      guard let target = archive_entry_symlink(entry) else {
        throw ImageSourceError(.malformed, "\(blob.what): link '\(path)' has no target")
      }
      try writer.makeSymbolicLink(path, target: bytes(target))
    case EntryType.regular:
      let size = archive_entry_size(entry)
      try budget.reserve(size, for: path.description, in: blob.what)
      let descriptor = try writer.createFile(path)
      do throws(ImageSourceError) {
        try writeData(archive, to: descriptor, size: size, path: path, stream: stream, blob: blob, budget: budget, statistics: &statistics)
      } catch {
        close(descriptor)
        throw error
      }
      writer.finishFile(descriptor, mode: mode)
    case EntryType.characterDevice where archive_entry_rdev(entry) == 0:
      try writer.makeWhiteout(path)
    default:
      break  // block and character devices, FIFOs, sockets: not created
    }
  }

  private static func writeData(
    _ archive: OpaquePointer, to descriptor: Int32, size: Int64, path: ArchiveEntryPath, stream: BlobStream, blob: LayerBlob, budget: UnpackBudget,
    statistics: inout Statistics
  ) throws(ImageSourceError) {
    var block: UnsafeRawPointer?
    var count = 0
    var offset: la_int64_t = 0
    while true {
      let status = archive_read_data_block(archive, &block, &count, &offset)
      if status == ARCHIVE_EOF { break }
      guard status >= ARCHIVE_WARN else { throw failure(archive, stream, blob, "is truncated or corrupt at '\(path)'") }
      guard count > 0, let block else { continue }
      guard offset >= 0, offset + Int64(count) <= size else {
        throw ImageSourceError(.malformed, "\(blob.what): entry '\(path)' has data beyond its size")
      }
      var written = 0
      while written < count {
        let result = pwrite(descriptor, block + written, count - written, off_t(offset) + off_t(written))
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else {
          throw ImageSourceError(.unreadable, "\(blob.what): cannot write '\(path)': \(LayerDirectoryWriter.errorText())")
        }
        written += result
      }
      statistics.bytesWritten += Int64(count)
      let limits = budget.limits
      if statistics.bytesWritten > limits.ratioFloorBytes, statistics.bytesWritten / max(stream.bytesRead, 1) > limits.maximumRatio {
        throw ImageSourceError(
          .hostile,
          "\(blob.what) expands more than \(limits.maximumRatio)× (\(statistics.bytesWritten) bytes from \(stream.bytesRead)): a decompression bomb (limit)")
      }
    }
    // Sparse entries end in a hole: the file still has its declared size.
    guard ftruncate(descriptor, off_t(size)) == 0 else {
      throw ImageSourceError(.unreadable, "\(blob.what): cannot write '\(path)': \(LayerDirectoryWriter.errorText())")
    }
  }
}
