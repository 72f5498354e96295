import Fingerprint

/// Turns what an inspection found (``ImageFacts``) into a CycloneDX 1.6 SBOM.
///
/// - `metadata.component`: the image (name = the reference, version = the image id, an
///   `pkg:oci` purl when the engine knows a registry digest; id, digests, platform as properties).
/// - Components: the operating system; dpkg's packages (`pkg:deb`); the default Python's
///   distributions (`pkg:pypi`, PEP 503 names); conda's packages (`pkg:conda`); the CUDA
///   toolkit, CUDA runtime, cuDNN, NCCL and compat libcuda copies found as files, headers or
///   env (no purl exists for those: `rigcheck:` properties name where each was seen; pip's
///   copies are their `pkg:pypi` components); frameworks' builds as `rigcheck:` properties on
///   their distribution's component (`rigcheck:torch:cuda`, `rigcheck:torch:archList`).
/// - Deterministic: components sorted by `bom-ref` (the purl where there is one), properties by
///   name and value, no timestamp, and a serial number derived from the rest of the document.
public enum CycloneDXBuilder {
  /// The namespace of rigcheck's serial numbers: the RFC 9562 URL namespace's name-based UUID
  /// of rigcheck's own name, fixed forever.
  static let serialNamespace = NameBasedUUID.bytes(
    of: NameBasedUUID.make(namespace: NameBasedUUID.bytes(of: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!, name: Array("rigcheck:cyclonedx:serialNumber".utf8)))!

  /// The document, with its serial number.
  public static func document(for facts: ImageFacts, toolVersion: String) throws -> CycloneDXDocument {
    var document = unnumbered(facts, toolVersion: toolVersion)
    document.serialNumber = "urn:uuid:" + NameBasedUUID.make(namespace: serialNamespace, name: Array(try CanonicalJSON.encode(document, pretty: false)))
    return document
  }

  /// The document as pretty, canonical JSON (sorted keys, a trailing newline).
  public static func json(for facts: ImageFacts, toolVersion: String) throws -> [UInt8] {
    Array(try CanonicalJSON.encode(document(for: facts, toolVersion: toolVersion)))
  }

  /// Everything but the serial number: what the serial number is derived from. The same
  /// facts give the same bytes, so the same image gives the same document, serial included;
  /// any change to the inventory gives another serial number.
  static func unnumbered(_ facts: ImageFacts, toolVersion: String) -> CycloneDXDocument {
    var components: [String: CycloneDXDocument.Component] = [:]
    func add(_ component: CycloneDXDocument.Component) {
      if components[component.bomRef] == nil { components[component.bomRef] = component }
    }
    let os = facts.os.value
    if let os { add(operatingSystem(os)) }
    for package in facts.osPackages ?? [] { add(debian(package, os: os)) }
    let frameworks = Dictionary(facts.frameworks.compactMap { framework in framework.info.value.map { (framework.name, $0) } }) { first, _ in first }
    var frameworksPlaced = Set<String>()
    for package in facts.python.value?.packages ?? [] {
      let purl = PackageURL.pypi(name: package.name, version: package.version)
      var properties = providedBy(package)
      if let info = frameworks[package.normalizedName] {
        properties += frameworkProperties(package.normalizedName, info)
        frameworksPlaced.insert(package.normalizedName)
      }
      add(.init(type: "library", bomRef: purl.description, name: package.name, version: package.version, purl: purl.description, properties: properties))
    }
    for package in facts.condaPackages {
      let purl = PackageURL.conda(name: package.name, version: package.version)
      add(.init(type: "library", bomRef: purl.description, name: package.name, version: package.version, purl: purl.description))
    }
    for (name, info) in frameworks where !frameworksPlaced.contains(name) {
      add(.init(type: "framework", bomRef: "rigcheck:framework:\(name)@\(info.version)", name: name, version: info.version, properties: frameworkProperties(name, info)))
    }
    let cuda = facts.cuda
    for (kind, sightings) in [("cuda-toolkit", cuda.toolkit), ("cuda-runtime", cuda.runtime), ("cudnn", facts.cudnn), ("nccl", facts.nccl), ("cuda-compat", cuda.compat ?? [])] {
      for component in nvidiaComponents(kind, sightings) { add(component) }
    }
    let image = imageComponent(facts)
    let sorted = components.values.sorted { $0.bomRef < $1.bomRef }
    var metadataProperties: [CycloneDXDocument.Property] = []
    if let python = facts.python.value {
      if let version = python.version { metadataProperties.append(.init("rigcheck:python:version", version)) }
      if let executable = python.executable ?? python.defaultInterpreter { metadataProperties.append(.init("rigcheck:python:executable", executable)) }
    }
    if let libc = facts.libc.value { metadataProperties.append(.init("rigcheck:libc", "\(libc.name) \(libc.version)")) }
    return CycloneDXDocument(
      serialNumber: nil,
      metadata: .init(
        tools: .init(components: [.init(type: "application", bomRef: "rigcheck@\(toolVersion)", name: "rigcheck", version: toolVersion)]),
        component: image, properties: metadataProperties.isEmpty ? nil : metadataProperties.sorted()),
      components: sorted,
      dependencies: [.init(ref: image.bomRef, dependsOn: sorted.map(\.bomRef))])
  }

  static func imageComponent(_ facts: ImageFacts) -> CycloneDXDocument.Component {
    let isHost = facts.runtime == "host"
    let config = facts.config.value
    var properties: [CycloneDXDocument.Property] = [.init("rigcheck:image:runtime", facts.runtime)]
    var purl: PackageURL?
    if let config, !isHost {
      properties.append(.init("rigcheck:image:id", config.id))
      properties += config.digests.map { .init("rigcheck:image:digest", $0) }
      if let os = config.os, let architecture = config.architecture { properties.append(.init("rigcheck:image:platform", "\(os)/\(architecture)")) }
      // pkg:oci/NAME@DIGEST?repository_url=REPO (purl-spec oci type: the name is the
      // repository's last segment; the version is the manifest digest, which only a registry
      // digest `repo@sha256:…` gives — a local image id is the config's digest).
      if let first = config.digests.first, let at = first.firstIndex(of: "@") {
        let repository = String(first[..<at])
        let name = repository.split(separator: "/").last.map(String.init) ?? repository
        var qualifiers = ["repository_url": repository]
        if let architecture = config.architecture { qualifiers["arch"] = architecture }
        purl = PackageURL(type: "oci", name: name.lowercased(), version: String(first[first.index(after: at)...]), qualifiers: qualifiers)
      }
    }
    if let architecture = facts.architecture { properties.append(.init("rigcheck:image:machine", architecture)) }
    let version = isHost ? nil : config?.id
    return .init(
      type: isHost ? "platform" : "container", bomRef: purl?.description ?? "rigcheck:image:\(facts.reference)", name: facts.reference,
      version: version, purl: purl?.description, properties: properties)
  }

  static func operatingSystem(_ os: OSRelease) -> CycloneDXDocument.Component {
    .init(
      type: "operating-system", bomRef: "rigcheck:os:\(os.id)@\(os.versionID ?? "unknown")", name: os.id, version: os.versionID,
      description: os.prettyName)
  }

  static func debian(_ package: OSPackage, os: OSRelease?) -> CycloneDXDocument.Component {
    let distribution = os?.id ?? "debian"
    let distro = os.flatMap { os in os.versionID.map { "\(os.id)-\($0)" } }
    let purl = PackageURL.deb(distribution: distribution, distroQualifier: distro, name: package.packageName, version: package.version, architecture: package.architecture)
    var properties: [CycloneDXDocument.Property] = []
    if let source = package.sourcePackage { properties.append(.init("rigcheck:deb:source", source)) }
    if let version = package.sourceVersion { properties.append(.init("rigcheck:deb:sourceVersion", version)) }
    return .init(type: "library", bomRef: purl.description, name: package.packageName, version: package.version, purl: purl.description, properties: properties)
  }

  /// pip's CUDA wheels say which NVIDIA library they carry (`nvidia-cudnn-cu12` → cudnn).
  static func providedBy(_ package: Package) -> [CycloneDXDocument.Property] {
    let name = package.normalizedName
    let provided: [(prefix: String, library: String)] = [("nvidia-cudnn-", "cudnn"), ("nvidia-nccl-", "nccl"), ("nvidia-cuda-runtime-", "cuda-runtime")]
    return provided.filter { name.hasPrefix($0.prefix) }.map { .init("rigcheck:provides", "\($0.library) \(package.version)") }
  }

  static func frameworkProperties(_ name: String, _ info: FrameworkInfo) -> [CycloneDXDocument.Property] {
    let prefix = "rigcheck:\(name):"
    var properties: [CycloneDXDocument.Property] = [.init(prefix + "version", info.version)]
    if let cuda = info.cuda { properties.append(.init(prefix + "cuda", cuda)) }
    if let cudnn = info.cudnn { properties.append(.init(prefix + "cudnn", cudnn)) }
    if let nccl = info.nccl { properties.append(.init(prefix + "nccl", nccl)) }
    if let hip = info.hip { properties.append(.init(prefix + "hip", hip)) }
    if !info.archList.isEmpty { properties.append(.init(prefix + "archList", info.archList.joined(separator: " "))) }
    if let source = info.archSource { properties.append(.init(prefix + "archSource", source)) }
    return properties
  }

  /// One component per version of an NVIDIA library found outside pip (files, headers, env),
  /// each place it was seen a `rigcheck:source` property.
  static func nvidiaComponents(_ kind: String, _ sightings: [VersionSighting]) -> [CycloneDXDocument.Component] {
    let outsidePip = sightings.filter { !$0.source.hasPrefix("pip ") }
    let byVersion = Dictionary(grouping: outsidePip, by: \.version)
    return byVersion.keys.sorted().map { version in
      .init(
        type: "library", bomRef: "rigcheck:\(kind)@\(version)", name: kind, version: version,
        properties: byVersion[version]!.map { .init("rigcheck:source", $0.source) })
    }
  }
}
