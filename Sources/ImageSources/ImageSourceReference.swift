/// Where an image at rest is read from. The transport names are skopeo's (`oci:`,
/// `oci-archive:`, `docker-archive:`, `docker://`, `dir:`), so users already know them;
/// a path ending `.sqsh`/`.squashfs` is an Enroot image, `.sif` an Apptainer/Singularity one,
/// and anything else names an image in the local engine's storage (`--static IMAGE`).
public enum ImageSourceReference: Sendable, Hashable {
  /// An image in the local Docker or Podman storage, read without starting it.
  case localEngine(reference: String, engine: String?)
  /// An OCI image layout directory, optionally one tag of its index (`oci:DIR[:TAG]`).
  case ociLayout(directory: String, tag: String?)
  /// A tar of an OCI image layout (`oci-archive:FILE[:TAG]`).
  case ociArchive(file: String, tag: String?)
  /// `docker save` output (`docker-archive:FILE[:REFERENCE]`).
  case dockerArchive(file: String, reference: String?)
  /// Registry HTTP API v2 (`docker://HOST/REPO:TAG` or `…@sha256:…`).
  case registry(host: String, repository: String, reference: String)
  /// An Enroot squashfs image (`.sqsh`, `.squashfs`).
  case squashfs(file: String)
  /// An Apptainer/Singularity image (`.sif`): its squashfs partition.
  case sif(file: String)
  /// An unpacked root filesystem (`dir:PATH`).
  case directory(path: String)
}

/// A platform to pick from a multi-architecture image (`linux/arm64`, `linux/arm/v7`).
public struct ImagePlatform: Sendable, Hashable, CustomStringConvertible {
  public var os: String
  public var architecture: String
  public var variant: String?

  public init(os: String, architecture: String, variant: String? = nil) {
    self.os = os
    self.architecture = architecture
    self.variant = variant
  }

  /// `os/arch[/variant]`; nil for anything else.
  public init?(parsing text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
    self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
  }

  public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}
