/// Picks one manifest from an image index / manifest list, as `docker pull --platform` does:
/// os and architecture must match; a requested variant must match; without one, an entry with
/// no variant or the architecture's default (`arm64` → `v8`) is preferred over others.
/// Attestation manifests (`unknown/unknown`) are never picked.
public enum PlatformSelection {
  /// The platform of this machine (`linux/amd64`, `linux/arm64`), the default choice.
  public static var host: ImagePlatform {
    #if arch(x86_64)
      ImagePlatform(os: "linux", architecture: "amd64")
    #elseif arch(arm64)
      ImagePlatform(os: "linux", architecture: "arm64")
    #else
      ImagePlatform(os: "linux", architecture: "unknown")
    #endif
  }

  static let defaultVariants = ["arm64": "v8", "arm": "v7"]

  public static func select(_ manifests: [OCIDescriptor], for platform: ImagePlatform, in what: String) throws(ImageSourceError) -> OCIDescriptor {
    let candidates = manifests.filter { descriptor in
      guard let candidate = descriptor.platform else { return false }
      guard candidate.os == platform.os, candidate.architecture == platform.architecture else { return false }
      if let variant = platform.variant { return (candidate.variant ?? defaultVariants[candidate.architecture]) == variant }
      return true
    }
    let preferred = candidates.first { $0.platform?.variant == nil || $0.platform?.variant == defaultVariants[platform.architecture] }
    guard let chosen = preferred ?? candidates.first else {
      let offered = manifests.compactMap(\.platform).filter { $0.os != "unknown" }
        .map { [$0.os, $0.architecture, $0.variant].compactMap { $0 }.joined(separator: "/") }
      throw ImageSourceError(
        .platformNotFound,
        "\(what) has no image for \(platform) (it offers \(offered.isEmpty ? "no platform" : offered.joined(separator: ", "))); choose one with --platform")
    }
    return chosen
  }
}
