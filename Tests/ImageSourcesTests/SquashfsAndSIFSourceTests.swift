import Foundation
import TestSupport
import Testing

@testable import ImageSources

/// Enroot-style squashfs images made by `mksquashfs` with Enroot's default options, and real
/// SIF images made from them by Debian's `siftool`, from the rootfs of the arm64 test image
/// (its one overlay2 layer directory).
@Suite(.serialized) struct SquashfsAndSIFSourceTests {
  let options = ImageSourceOptions(environment: TestImages.environment, timeoutSeconds: 300)

  /// The arm64 test image's rootfs: a one-layer image's UpperDir is its whole root filesystem.
  func rootfs() throws -> String {
    try AtRestTestTools.run("docker", ["image", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", TestImages.reference("debian-arm64")])
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// `mksquashfs ROOTFS FILE -comp lzo -noD`: Enroot's ENROOT_SQUASH_OPTIONS default
  /// (https://github.com/NVIDIA/enroot/blob/master/doc/configuration.md).
  func squashfs(in directory: String) throws -> String {
    let file = directory + "/debian-arm64.sqsh"
    try AtRestTestTools.run("mksquashfs", [try rootfs(), file, "-comp", "lzo", "-noD", "-no-progress", "-quiet"], timeout: 300)
    return file
  }

  /// A SIF as Apptainer lays it out: a definition file, then the squashfs as the primary
  /// system partition (arm64), written by siftool.
  func sif(from squashfs: String, in directory: String) throws -> String {
    let file = directory + "/debian-arm64.sif"
    try "Bootstrap: docker\nFrom: debian:12\n".write(toFile: directory + "/image.def", atomically: true, encoding: .utf8)
    try AtRestTestTools.run("siftool", ["new", file])
    try AtRestTestTools.run("siftool", ["add", file, directory + "/image.def", "--datatype", "1"])
    try AtRestTestTools.run("siftool", ["add", file, squashfs, "--datatype", "4", "--parttype", "2", "--partfs", "1", "--partarch", "4"])
    return file
  }

  func failure(_ reference: ImageSourceReference, options: ImageSourceOptions) async -> ImageSourceError? {
    do {
      let image = try await ImageSourceOpener.open(reference, options: options)
      image.close()
      return nil
    } catch {
      return error
    }
  }

  @Test func squashfsAndSIFOfTheSameRootfs() async throws {
    let work = try AtRestTestTools.temporaryDirectory("sqsh")
    defer { try? FileManager.default.removeItem(atPath: work) }
    let scratch = work + "/tmp"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    var options = options
    options.temporaryDirectory = scratch
    let original = LayeredDirectoryRoot(directory: try rootfs())
    let sqsh = try squashfs(in: work)

    let enroot = try await ImageSourceOpener.open(try ImageSourceReference(parsing: sqsh), options: options)
    #expect(enroot.source == "squashfs:\(sqsh)")
    #expect(try AtRestTestTools.read(enroot.root, "/etc/os-release") == (try AtRestTestTools.read(original, "/etc/os-release")))
    #expect(enroot.root.list("/usr/bin") == original.list("/usr/bin"))
    #expect(enroot.root.list("/usr/lib") == original.list("/usr/lib"))
    #expect(try AtRestTestTools.elfMachine(try #require(enroot.root.hostPath("/bin/bash"))) == 183)
    enroot.close()
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "close() removes what was unpacked")

    let sifFile = try sif(from: sqsh, in: work)
    let parsed = try SIFFile(path: sifFile)
    let partition = try parsed.primarySystemPartition()
    // siftool's own reading of the file: the partition's id, position and type, and the order of the objects.
    let listing = try AtRestTestTools.run("siftool", ["list", sifFile])
    let squashfsSize = try #require(try FileManager.default.attributesOfItem(atPath: sqsh)[.size] as? Int)
    #expect(partition.size == Int64(squashfsSize))
    #expect(partition.architectureCode == "04")
    #expect(parsed.descriptors.map(\.dataType) == [0x4001, 0x4004])
    let row = try #require(listing.split(separator: "\n").first { $0.hasPrefix("\(partition.id) ") }, "\(listing)")
    #expect(row.contains("|\(partition.offset)-\(partition.offset + partition.size) ") && row.hasSuffix("FS (Squashfs/*System/arm64)"), "\(row)")
    let info = try AtRestTestTools.run("siftool", ["info", String(partition.id), sifFile])
    #expect(info.contains("Offset:           \(partition.offset)\n") && info.contains("Size:             \(partition.size)\n"), "\(info)")

    let apptainer = try await ImageSourceOpener.open(try ImageSourceReference(parsing: sifFile), options: options)
    defer { apptainer.close() }
    #expect(apptainer.config.architecture == "arm64")
    #expect(apptainer.source.contains("primary system partition \(partition.id), squashfs at byte \(partition.offset)"))
    #expect(try AtRestTestTools.read(apptainer.root, "/etc/os-release") == (try AtRestTestTools.read(original, "/etc/os-release")))
    #expect(apptainer.root.list("/usr/bin") == original.list("/usr/bin"))
  }

  @Test func malformedFilesAreClearErrors() async throws {
    let work = try AtRestTestTools.temporaryDirectory("bad-sif")
    defer { try? FileManager.default.removeItem(atPath: work) }
    let scratch = work + "/tmp"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    var options = options
    options.temporaryDirectory = scratch

    let notSquashfs = work + "/text.sqsh"
    try String(repeating: "not a squashfs\n", count: 500).write(toFile: notSquashfs, atomically: true, encoding: .utf8)
    let squashfsError = try #require(await failure(.squashfs(file: notSquashfs), options: options))
    #expect(squashfsError.kind == .malformed && squashfsError.message.hasPrefix(notSquashfs), "\(squashfsError)")

    let notSIF = work + "/text.sif"
    try String(repeating: "x", count: 4096).write(toFile: notSIF, atomically: true, encoding: .utf8)
    let magicError = try #require(await failure(.sif(file: notSIF), options: options))
    #expect(magicError.kind == .malformed && magicError.message.contains("no SIF_MAGIC"), "\(magicError)")

    // A real SIF without a system partition (a definition file only).
    let defOnly = work + "/def-only.sif"
    try "Bootstrap: scratch\n".write(toFile: work + "/image.def", atomically: true, encoding: .utf8)
    try AtRestTestTools.run("siftool", ["new", defOnly])
    try AtRestTestTools.run("siftool", ["add", defOnly, work + "/image.def", "--datatype", "1"])
    let partitionError = try #require(await failure(.sif(file: defOnly), options: options))
    #expect(partitionError.message.contains("no primary system partition"), "\(partitionError)")

    // The same SIF cut short inside its descriptor table.
    let truncated = work + "/truncated.sif"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: defOnly))
    try bytes.prefix(1000).write(to: URL(fileURLWithPath: truncated))
    let truncatedError = try #require(await failure(.sif(file: truncated), options: options))
    #expect(truncatedError.kind == .malformed && truncatedError.message.contains("descriptor table"), "\(truncatedError)")

    let missing = try #require(await failure(.squashfs(file: work + "/absent.sqsh"), options: options))
    #expect(missing.kind == .notFound)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "nothing left behind")
  }
}
