import Fingerprint
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#endif

/// `--static IMAGE`: an image in the local Docker or Podman storage, read without starting it.
///
/// Docker with the overlay2 driver: `docker image inspect` names the image's layer directories
/// (`GraphDriver.Data.UpperDir` the top layer's `diff`, `LowerDir` the others, top first,
/// colon-separated), which are the layers unpacked verbatim with overlayfs whiteouts: a
/// ``LayeredDirectoryRoot`` over them reads the image in place, nothing copied. Where those
/// directories cannot be read (rootless, another driver, the containerd image store, a remote
/// daemon), `docker save` writes the image to a temporary file read as `docker-archive:`.
/// Podman: `podman save --format oci-archive` (its rootless storage keeps whiteouts in a form
/// this reader does not apply), read as `oci-archive:`.
public enum EngineStorageSource {
  /// What `image inspect` says about an image.
  struct Inspected: Sendable {
    var engine: String
    var config: RestingImageConfig
    /// Bottom layer first; nil when the layer directories are not usable here.
    var layerDirectories: [String]?
    var driver: String?
  }

  static func open(reference: String, engine: String?, options: ImageSourceOptions) async throws(ImageSourceError) -> ImageAtRest {
    let inspected = try inspect(reference: reference, engines: engine.map { [$0] } ?? ["docker", "podman"], options: options)
    if let layers = inspected.layerDirectories {
      return ImageAtRest(
        root: LayeredDirectoryRoot(layers: layers), config: inspected.config,
        source: "\(inspected.engine) storage (\(inspected.driver ?? "overlay2"), \(layers.count) layer\(layers.count == 1 ? "" : "s")): \(reference)")
    }
    return try await openSaved(reference: reference, inspected: inspected, options: options)
  }

  /// The image's layer directories in Docker's storage as a root view, read in place, from the
  /// `image inspect --format '{{json .}}'` output a caller already has; nil when they are not
  /// readable here (another driver, rootless, a remote daemon). A running inspection uses it to
  /// read the GPU code of the image's CUDA libraries.
  public static func inPlaceRoot(inspectOutput: String, engine: String, reference: String) -> LayeredDirectoryRoot? {
    let trimmed = inspectOutput.trimmingSpaces()
    let object = trimmed.hasPrefix("[") ? String(trimmed.dropFirst().dropLast()) : trimmed
    guard let inspected = try? parseInspect(object, engine: engine, reference: reference), let layers = inspected.layerDirectories else { return nil }
    return LayeredDirectoryRoot(layers: layers)
  }

  // MARK: image inspect

  static func inspect(reference: String, engines: [String], options: ImageSourceOptions) throws(ImageSourceError) -> Inspected {
    var problems: [String] = []
    for engine in engines {
      let command = Command(engine, ["image", "inspect", "--format", "{{json .}}", reference], timeoutSeconds: min(options.timeoutSeconds, 60))
      let result: CommandResult
      do {
        result = try ProcessCommandRunner.runBlocking(command, environment: environment(options), outputLimit: 16 << 20)
      } catch let error as CommandError {
        if case .notFound = error { problems.append("\(engine) is not installed") } else { problems.append("\(engine): \(error)") }
        continue
      } catch {
        problems.append("\(engine): \(error)")
        continue
      }
      guard result.succeeded else {
        let stderr = result.stderr.trimmingSpaces().replacingNewlines()
        problems.append("\(engine): \(stderr.isEmpty ? "image inspect failed" : String(stderr.prefix(300)))")
        continue
      }
      return try parseInspect(result.stdout, engine: engine, reference: reference)
    }
    let notFound = problems.allSatisfy { $0.lowercased().contains("no such") || $0.contains("not installed") || $0.contains("image not known") }
    throw ImageSourceError(notFound ? .notFound : .unavailable, "image \(reference) is not in the local engine storage (\(problems.joined(separator: "; ")))")
  }

  /// Reads `image inspect --format '{{json .}}'` (Docker's and Podman's share these fields).
  static func parseInspect(_ text: String, engine: String, reference: String) throws(ImageSourceError) -> Inspected {
    let tree: JSONTree
    do {
      tree = try JSONTree.parse(Data(text.utf8))
    } catch {
      throw ImageSourceError(.malformed, "\(engine) image inspect \(reference): not JSON (\(error))")
    }
    let runtime = tree["Config"]
    var config = RestingImageConfig()
    config.id = tree["Id"]?.nonEmptyString.map { $0.hasPrefix("sha256:") ? $0 : "sha256:" + $0 }
    config.digests = tree["RepoDigests"]?.elements.compactMap(\.nonEmptyString) ?? []
    config.environment = runtime?["Env"]?.elements.compactMap(\.nonEmptyString) ?? []
    if case .object(let labels)? = runtime?["Labels"] {
      config.labels = labels.compactMapValues { value -> String? in
        if case .string(let text) = value { return text }
        return nil
      }
    }
    config.architecture = tree["Architecture"]?.nonEmptyString
    config.os = tree["Os"]?.nonEmptyString
    config.variant = tree["Variant"]?.nonEmptyString

    let driver = tree["GraphDriver"]?["Name"]?.nonEmptyString
    var layers: [String]?
    // Docker's overlay2 only: Podman's (containers-storage "overlay") may keep whiteouts as
    // user.overlay.* xattrs in rootless mode, which the layered root does not apply.
    if engine == "docker", driver == "overlay2", let upper = tree["GraphDriver"]?["Data"]?["UpperDir"]?.nonEmptyString {
      let lower = tree["GraphDriver"]?["Data"]?["LowerDir"]?.nonEmptyString?.split(separator: ":").map(String.init) ?? []
      let candidate = lower.reversed() + [upper]
      if candidate.allSatisfy({ $0.hasPrefix("/") && access($0, R_OK | X_OK) == 0 }) { layers = candidate }
    }
    return Inspected(engine: engine, config: config, layerDirectories: layers, driver: driver)
  }

  // MARK: save

  /// `docker save -o FILE` / `podman save --format oci-archive -o FILE` into a temporary
  /// directory, read by the archive readers; closing the image removes the file.
  static func openSaved(reference: String, inspected: Inspected, options: ImageSourceOptions) async throws(ImageSourceError) -> ImageAtRest {
    let scratch = try ScratchDirectory(purpose: "save", options: options)
    let file = scratch.path + "/image.tar"
    let isPodman = inspected.engine == "podman"
    let arguments = isPodman ? ["save", "--format", "oci-archive", "-o", file, reference] : ["save", "-o", file, reference]
    do throws(ImageSourceError) {
      let result: CommandResult
      do {
        result = try ProcessCommandRunner.runBlocking(
          Command(inspected.engine, arguments, timeoutSeconds: options.timeoutSeconds), environment: environment(options), outputLimit: 1 << 20)
      } catch {
        throw ImageSourceError(.toolFailed, "\(inspected.engine) save \(reference): \(error)")
      }
      guard result.succeeded else {
        throw ImageSourceError(.toolFailed, "\(inspected.engine) save \(reference) failed: \(result.stderr.trimmingSpaces().replacingNewlines().prefix(300))")
      }
      let archive: ImageSourceReference = isPodman ? .ociArchive(file: file, tag: nil) : .dockerArchive(file: file, reference: nil)
      let inner = try await ImageSourceOpener.open(archive, options: options)
      return ImageAtRest(
        root: inner.root, config: inspected.config, source: "\(inspected.engine) save \(reference) (\(inner.source))",
        cleanup: {
          inner.close()
          scratch.remove()
        })
    } catch {
      scratch.remove()
      throw error
    }
  }

  static func environment(_ options: ImageSourceOptions) -> [String: String] {
    options.environment.isEmpty ? ProcessEnvironment.current() : options.environment
  }
}

extension String {
  func replacingNewlines() -> String { split(whereSeparator: \.isNewline).joined(separator: " ") }
}
