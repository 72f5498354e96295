/// Reads `oci-archive:FILE[:TAG]`: a tar of an OCI image layout (skopeo's `oci-archive:`
/// transport, `docker buildx --output type=oci`, `podman save --format oci-archive`). Like
/// skopeo, it unpacks the tar into a temporary directory and reads that as an ``OCILayoutReader``
/// layout; the unpacked archive is removed as soon as the layers are.
public enum OCIArchiveReader {
  public static func open(file: String, tag: String?, options: ImageSourceOptions) throws(ImageSourceError) -> ImageAtRest {
    let name = "oci-archive:\(file)\(tag.map { ":" + $0 } ?? "")"
    let extracted = try ArchiveExtraction.extract(file, name: name, options: options)
    defer { extracted.remove() }
    return try OCILayoutReader.open(directory: extracted.path + "/archive", tag: tag, options: options, source: name)
  }
}
