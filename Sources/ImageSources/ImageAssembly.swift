/// Unpacks an image's layer blobs, bottom first, each into its own directory of an
/// ``UnpackDirectory``, and wraps them as an ``ImageAtRest`` whose ``ImageAtRest/close()``
/// removes them.
enum ImageAssembly {
  static func assemble(
    layers: [LayerBlob], config: OCIImageConfig, configDigest: String?, digests: [String] = [], source: String, directory: UnpackDirectory,
    limits: UnpackLimits
  ) throws(ImageSourceError) -> ImageAtRest {
    try directory.removing { () throws(ImageSourceError) -> ImageAtRest in
      let budget = UnpackBudget(limits: limits)
      var layerDirectories: [String] = []
      for (index, layer) in layers.enumerated() {
        let layerDirectory = try directory.makeDirectory("layers/\(index)")
        _ = try LayerUnpacker.unpack(layer, into: layerDirectory, budget: budget)
        layerDirectories.append(layerDirectory)
      }
      if layerDirectories.isEmpty { layerDirectories = [try directory.makeDirectory("layers/empty")] }
      let resting = RestingImageConfig(
        id: configDigest, digests: digests, environment: config.config?.Env ?? [], labels: config.config?.Labels ?? [:],
        architecture: config.architecture, os: config.os, variant: config.variant)
      return ImageAtRest(root: LayeredDirectoryRoot(layers: layerDirectories), config: resting, source: source, cleanup: { directory.remove() })
    }
  }

  /// Refuses an image whose config names another platform than the one asked for.
  static func checkPlatform(_ config: OCIImageConfig, requested: ImagePlatform?, what: String) throws(ImageSourceError) {
    guard let requested, let architecture = config.architecture else { return }
    let os = config.os ?? "linux"
    let variantMatches = requested.variant == nil || requested.variant == (config.variant ?? PlatformSelection.defaultVariants[architecture])
    guard os == requested.os, architecture == requested.architecture, variantMatches else {
      let offered = [os, architecture, config.variant].compactMap { $0 }.joined(separator: "/")
      throw ImageSourceError(.platformNotFound, "\(what) is a \(offered) image, not \(requested)")
    }
  }
}
