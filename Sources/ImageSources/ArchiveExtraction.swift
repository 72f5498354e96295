/// Unpacks an image archive file (`docker save` output, an OCI layout tar) into a private
/// temporary directory with the same safe writer as layers (no path leaves the directory, no
/// write through a link, bounded size), for the layout or manifest reader to read from.
/// Links inside the unpacked archive are later resolved inside it (``OCILayout``).
enum ArchiveExtraction {
  static func extract(_ file: String, name: String, options: ImageSourceOptions) throws(ImageSourceError) -> UnpackDirectory {
    let directory = try UnpackDirectory(options: options)
    return try directory.removing { () throws(ImageSourceError) -> UnpackDirectory in
      let target = try directory.makeDirectory("archive")
      _ = try LayerUnpacker.unpack(
        LayerBlob(path: file, digest: nil, size: nil, what: name), into: target, budget: UnpackBudget(limits: options.limits))
      return directory
    }
  }
}
