import Fingerprint
import Foundation
import ImageSources
import Probes
import TestSupport
import Testing

@testable import Inspector

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// Issue 14's "done when": **one image through every source gives the same facts**, without
/// starting a container. The test image is prepared with the real tools into every form a user
/// meets — `skopeo copy` to an OCI layout and an oci-archive, `docker save`, `skopeo copy` to the
/// loopback registry of scripts/start-registry.sh, its `docker export` as `dir:`, `mksquashfs` of
/// that export (Enroot) and a SIF made by `siftool` — and then read through each source, plus
/// `--static` (the engine's overlay2 layer directories in place), inside a window in which
/// Docker's own event stream must show no container created from the image.
///
/// What may differ, and why:
/// - provenance: `reference`, each value's `source`/`reason`, `notes` (they name the source);
/// - the image id and repo digests: Docker's id is the digest of the config Docker stores.
///   `docker save` writes that config unchanged, and so does `skopeo copy` to the registry (a
///   Docker schema 2 manifest keeps Docker's config blob): their id is Docker's. Copied into an
///   OCI layout, the config is rewritten in OCI form (`application/vnd.oci.image.config.v1+json`),
///   so `oci:`/`oci-archive:` report that blob's digest. Only the registry has a repo digest
///   (`HOST/REPO@sha256:<manifest>`). Each is checked against Docker's or skopeo's own answer
///   before being erased;
/// - the image configuration itself for `dir:`, `.sqsh` and `.sif`: those formats carry files
///   only (a SIF records the partition's architecture). Without the config there is no
///   environment, so the `env …` sightings (`CUDA_VERSION`, `NV_CUDNN_VERSION`, `NCCL_VERSION`)
///   are absent and PATH is Docker's default. Their facts must equal the engine-storage root
///   inspected with the configuration left out — and that, with the configuration, must differ
///   from the full facts in exactly those sightings.
@Suite(.serialized) struct AllSourcesIdentityTests {
  /// The facts with their provenance erased: the reference, every source and reason, notes.
  static func erasingProvenance(_ facts: ImageFacts) -> ImageFacts {
    var facts = facts
    facts.reference = "-"
    facts.notes = []
    func bare<Value>(_ observed: Observed<Value>) -> Observed<Value> { Observed(status: observed.status, value: observed.value, source: "-", reason: nil) }
    facts.config = bare(facts.config)
    facts.os = bare(facts.os)
    facts.libc = bare(facts.libc)
    facts.python = bare(facts.python)
    facts.frameworks = facts.frameworks.map { framework in
      var framework = framework
      framework.info = bare(framework.info)
      return framework
    }
    return facts
  }

  /// Also erases the image id and repo digests, which name the config and manifest blobs each
  /// tool wrote (checked separately).
  static func erasingBlobIdentity(_ facts: ImageFacts) -> ImageFacts {
    var facts = erasingProvenance(facts)
    if var config = facts.config.value {
      config.id = "-"
      config.digests = []
      facts.config.value = config
    }
    return facts
  }

  /// Erases the image configuration and what is read from its environment: the facts a
  /// files-only source (`dir:`, `.sqsh`, `.sif`) can have.
  static func erasingConfiguration(_ facts: ImageFacts) -> ImageFacts {
    var facts = erasingProvenance(facts)
    facts.config = Observed(status: .absent, value: nil, source: "-", reason: nil)
    let fromEnvironment: (VersionSighting) -> Bool = { $0.source.hasPrefix("env ") }
    facts.cuda.toolkit.removeAll(where: fromEnvironment)
    facts.cuda.runtime.removeAll(where: fromEnvironment)
    facts.cuda.compat?.removeAll(where: fromEnvironment)
    facts.cudnn.removeAll(where: fromEnvironment)
    facts.nccl.removeAll(where: fromEnvironment)
    return facts
  }

  /// Now, as `docker events --since/--until` take it: seconds and nine digits of nanoseconds
  /// (moby api/types/time/timestamp.go parses the fraction as nanoseconds).
  static func eventTimestamp() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return "\(now.tv_sec).\(String(format: "%09ld", now.tv_nsec))"
  }

  /// `create` events of containers from the image (by name, any tag, or id) between two
  /// timestamps, from the engine's own event stream. Other suites run inspections of the same
  /// test images in parallel on this daemon (in this process too); their containers are the ones
  /// `Inspector` labels `org.rigcheck.inspection=1`, and only they are left out: any other
  /// container of the image — whatever created it — counts.
  static func containerCreations(of name: String, id: String, since: String, until: String, includingInspections: Bool = false) throws -> [String] {
    let reference = TestImages.reference(name)
    let imageFilters = [reference, "rigcheck-test/\(name)", id, String(id.dropFirst("sha256:".count))].flatMap { ["--filter", "image=\($0)"] }
    let events = try AtRestTestTools.run(
      "docker",
      ["events", "--since", since, "--until", until, "--filter", "type=container", "--filter", "event=create"] + imageFilters
        + ["--format", "{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"image\"}} inspection={{index .Actor.Attributes \"org.rigcheck.inspection\"}}"],
      timeout: 60)
    return events.split(separator: "\n").map(String.init).filter { includingInspections || !$0.hasSuffix(" inspection=1") }
  }

  /// The digest `skopeo inspect` reports for a reference, and its config's digest.
  static func skopeoDigests(_ reference: String, tlsVerify: Bool = true) throws -> (manifest: String, config: String) {
    let tls = tlsVerify ? [] : ["--tls-verify=false"]
    let inspected = try #require(
      try JSONSerialization.jsonObject(with: Data(try AtRestTestTools.run("skopeo", ["inspect"] + tls + [reference]).utf8)) as? [String: Any])
    let raw = try #require(
      try JSONSerialization.jsonObject(with: Data(try AtRestTestTools.run("skopeo", ["inspect", "--raw"] + tls + [reference]).utf8)) as? [String: Any])
    let config = try #require((raw["config"] as? [String: Any])?["digest"] as? String)
    return (try #require(inspected["Digest"] as? String), config)
  }

  @Test(arguments: ["cuda-layout"])
  func oneImageThroughEverySource(image name: String) async throws {
    let reference = TestImages.reference(name)
    let id = try ImageExports.imageID(name)
    let registry = try #require(try AtRestTestTools.registries().values["OPEN"], "registry.env has no OPEN registry")
    let work = try AtRestTestTools.temporaryDirectory("all-sources")
    defer { try? FileManager.default.removeItem(atPath: work) }

    // Preparation, with the running inspection: containers are created here (docker run of the
    // checks; docker create + export for dir:, once per image id), so the event filter is
    // shown to see them.
    let preparationStart = Self.eventTimestamp()
    let running = try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: reference, runtime: .docker))
    let rootfs = try ImageExports.rootfs(name)
    let layout = "\(work)/layout"
    try AtRestTestTools.run("skopeo", ["copy", "--quiet", "docker-daemon:\(reference)", "oci:\(layout):\(name)"], timeout: 600)
    try AtRestTestTools.run("skopeo", ["copy", "--quiet", "docker-daemon:\(reference)", "oci-archive:\(work)/image.oci.tar:\(name)"], timeout: 600)
    try AtRestTestTools.run("docker", ["save", "-o", "\(work)/saved.tar", reference], timeout: 600)
    let pushed = "\(registry)/rigcheck-allsources/\(name):current"
    try AtRestTestTools.run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "docker-daemon:\(reference)", "docker://\(pushed)"], timeout: 600)
    // Enroot's defaults (ENROOT_SQUASH_OPTIONS, https://github.com/NVIDIA/enroot/blob/master/doc/configuration.md).
    let sqsh = "\(work)/\(name).sqsh"
    try AtRestTestTools.run("mksquashfs", [rootfs, sqsh, "-comp", "lzo", "-noD", "-no-progress", "-quiet"], timeout: 600)
    // Apptainer's layout: a definition file, then the squashfs as the primary system partition (amd64).
    let sif = "\(work)/\(name).sif"
    try "Bootstrap: docker-daemon\nFrom: \(reference)\n".write(toFile: "\(work)/image.def", atomically: true, encoding: .utf8)
    try AtRestTestTools.run("siftool", ["new", sif])
    try AtRestTestTools.run("siftool", ["add", sif, "\(work)/image.def", "--datatype", "1"])
    try AtRestTestTools.run("siftool", ["add", sif, sqsh, "--datatype", "4", "--parttype", "2", "--partfs", "1", "--partarch", "2"])
    let preparationEnd = Self.eventTimestamp()
    let preparationCreations = try Self.containerCreations(of: name, id: id, since: preparationStart, until: preparationEnd, includingInspections: true)
    #expect(!preparationCreations.isEmpty, "the filter sees the running inspection's container")

    // Every static source, in a window with no container activity of this test.
    let scratch = "\(work)/scratch"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let inspector = StaticInspector(options: ImageSourceOptions(temporaryDirectory: scratch, environment: TestImages.environment, timeoutSeconds: 600))
    let references: [(label: String, reference: String)] = [
      ("oci", "oci:\(layout):\(name)"),
      ("oci-archive", "oci-archive:\(work)/image.oci.tar:\(name)"),
      ("docker-archive", "docker-archive:\(work)/saved.tar"),
      ("docker://", "docker://\(pushed)"),
      ("sqsh", sqsh),
      ("sif", sif),
      ("dir", "dir:\(rootfs)"),
    ]
    let windowStart = Self.eventTimestamp()
    let engine = try await ImageSourceOpener.open(
      try ImageSourceReference(parsing: reference, engine: "docker"), options: inspector.options)
    let engineFacts = inspector.inspect(engine, reference: reference)
    // The same root with the configuration left out: what a files-only source can know.
    let engineFilesOnly = inspector.inspect(ImageAtRest(root: engine.root, config: RestingImageConfig(), source: engine.source), reference: reference)
    engine.close()
    var facts: [String: ImageFacts] = [:]
    for (label, sourceReference) in references {
      facts[label] = try await inspector.inspect(sourceReference)
    }
    let windowEnd = Self.eventTimestamp()
    let creations = try Self.containerCreations(of: name, id: id, since: windowStart, until: windowEnd)
    #expect(creations.isEmpty, "containers created from \(reference) while it was read at rest: \(creations)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "every source removed what it unpacked")

    // --static: the running inspection's facts, less what only a running process knows.
    #expect(engineFacts.runtime == "static")
    #expect(engine.source.contains("overlay2"), "read in place: \(engine.source)")
    #expect(engineFacts.config.value?.id == id)
    #expect(StaticIdentityTests.erasingRunningOnlyFacts(engineFacts) == StaticIdentityTests.erasingRunningOnlyFacts(running))

    // The image id and digests each source reports, against the tools' own answers.
    let ociDigests = try Self.skopeoDigests("oci:\(layout):\(name)")
    let registryDigests = try Self.skopeoDigests("docker://\(pushed)", tlsVerify: false)
    #expect(facts["docker-archive"]?.config.value?.id == id, "docker save writes Docker's config unchanged")
    #expect(facts["oci"]?.config.value?.id == ociDigests.config)
    #expect(facts["oci-archive"]?.config.value?.id == ociDigests.config)
    #expect(facts["docker://"]?.config.value?.id == registryDigests.config)
    #expect(registryDigests.config == id, "a Docker schema 2 manifest keeps Docker's config blob")
    #expect(ociDigests.config != id, "an OCI layout holds skopeo's OCI form of the config")
    #expect(facts["docker://"]?.config.value?.digests == ["\(registry)/rigcheck-allsources/\(name)@\(registryDigests.manifest)"])
    for label in ["oci", "oci-archive", "docker-archive"] {
      #expect(facts[label]?.config.value?.digests == [], "\(label): no registry, no repo digest")
    }

    // The sources with an image configuration: identical facts, blob identity aside.
    let expected = Self.erasingBlobIdentity(engineFacts)
    for label in ["oci", "oci-archive", "docker-archive", "docker://"] {
      let actual = Self.erasingBlobIdentity(try #require(facts[label]))
      #expect(actual.runtime == "static")
      #expect(actual.config == expected.config, "\(label)")
      #expect(actual.os == expected.os, "\(label)")
      #expect(actual.architecture == expected.architecture, "\(label)")
      #expect(actual.libc == expected.libc, "\(label)")
      #expect(actual.python == expected.python, "\(label)")
      #expect(actual.cuda == expected.cuda, "\(label)")
      #expect(actual.cudnn == expected.cudnn, "\(label)")
      #expect(actual.nccl == expected.nccl, "\(label)")
      #expect(actual.frameworks == expected.frameworks, "\(label)")
      #expect(actual.osPackages == expected.osPackages, "\(label)")
      #expect(actual.cudaBinaries == expected.cudaBinaries, "\(label)")
      #expect(actual == expected, "\(label)")
    }

    // The files-only sources: identical to each other and to the same root without its
    // configuration, which differs from the full facts only in what the configuration gives.
    #expect(facts["dir"]?.config.status == .absent && facts["sqsh"]?.config.status == .absent)
    #expect(facts["sif"]?.config.value?.architecture == "amd64", "the SIF partition's architecture")
    #expect(facts["sif"]?.config.value?.environment == [:])
    let filesOnly = Self.erasingConfiguration(engineFilesOnly)
    #expect(filesOnly == Self.erasingConfiguration(engineFacts), "without its configuration an image loses only the config and env sightings")
    #expect(engineFacts.cuda.toolkit.contains(VersionSighting(version: "12.4.1", source: "env CUDA_VERSION")))
    for label in ["dir", "sqsh", "sif"] {
      let actual = Self.erasingConfiguration(try #require(facts[label]))
      #expect(actual.os == filesOnly.os, "\(label)")
      #expect(actual.architecture == filesOnly.architecture, "\(label)")
      #expect(actual.libc == filesOnly.libc, "\(label)")
      #expect(actual.python == filesOnly.python, "\(label)")
      #expect(actual.cuda == filesOnly.cuda, "\(label)")
      #expect(actual.cudnn == filesOnly.cudnn, "\(label)")
      #expect(actual.nccl == filesOnly.nccl, "\(label)")
      #expect(actual.frameworks == filesOnly.frameworks, "\(label)")
      #expect(actual.osPackages == filesOnly.osPackages, "\(label)")
      #expect(actual.cudaBinaries == filesOnly.cudaBinaries, "\(label)")
      #expect(actual == filesOnly, "\(label)")
    }

    // What makes this image a useful witness: the facts compared are not empty.
    #expect(engineFacts.cudnn.contains(VersionSighting(version: "9.1.0", source: "/usr/include/cudnn_version.h")))
    #expect(engineFacts.nccl.contains { $0.version == "2.21.5" })
    #expect(engineFacts.python.value?.packages.contains { $0.name == "nvidia-cuda-runtime-cu12" } == true)
    #expect((engineFacts.osPackages?.count ?? 0) > 50)
  }
}
