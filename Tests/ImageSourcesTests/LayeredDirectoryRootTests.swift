import CXattr
import Foundation
import ImageSources
import TestSupport
import Testing

/// The root view over layer directories: both whiteout styles, opaque directories, and links
/// that must stay inside the image root.
@Suite struct LayeredDirectoryRootTests {
  /// Kept as properties: the tree lives as long as the test.
  let tree: TemporaryTree
  let root: LayeredDirectoryRoot

  init() throws { (tree, root) = try Self.makeLayers() }

  /// layer 0: the base; layer 1: OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`); layer 2: overlayfs
  /// whiteouts (char device 0/0, `trusted.overlay.opaque=y`), as Docker's overlay2 `diff` dirs hold them.
  static func makeLayers() throws -> (TemporaryTree, LayeredDirectoryRoot) {
    let tree = try TemporaryTree(prefix: "rigcheck-layers")
    for file in ["etc/a", "etc/b", "etc/keep", "opq/old", "ovopq/old", "usr/bin/tool", "etc/os-release"] {
      try tree.write("0/" + file, "base \(file)\n")
    }
    try tree.write("outside-the-root", "host file\n")
    let manager = FileManager.default
    try manager.createSymbolicLink(atPath: tree.path + "/0/bin", withDestinationPath: "usr/bin")
    try manager.createSymbolicLink(atPath: tree.path + "/0/abs", withDestinationPath: "/etc")
    try manager.createSymbolicLink(atPath: tree.path + "/0/loop1", withDestinationPath: "loop2")
    try manager.createSymbolicLink(atPath: tree.path + "/0/loop2", withDestinationPath: "/loop1")
    try manager.createSymbolicLink(atPath: tree.path + "/0/up", withDestinationPath: "../../../../../etc/os-release")
    try manager.createSymbolicLink(atPath: tree.path + "/0/host", withDestinationPath: tree.path + "/outside-the-root")
    try manager.createSymbolicLink(atPath: tree.path + "/0/self", withDestinationPath: "self")

    try tree.write("1/etc/.wh.a", "")
    try tree.write("1/opq/.wh..wh..opq", "")
    try tree.write("1/opq/new", "layer 1\n")
    try tree.write("1/etc/c", "layer 1 c\n")
    try tree.write("1/usr/.wh.bin", "")

    try manager.createDirectory(atPath: tree.path + "/2/etc", withIntermediateDirectories: true)
    #expect(mknod(tree.path + "/2/etc/b", S_IFCHR | 0o600, 0) == 0, "mknod of an overlayfs whiteout (needs CAP_MKNOD)")
    try tree.write("2/ovopq/new", "layer 2\n")
    let value: [UInt8] = [UInt8(ascii: "y")]
    #expect(lsetxattr(tree.path + "/2/ovopq", "trusted.overlay.opaque", value, 1, 0) == 0, "trusted.overlay.opaque (needs CAP_SYS_ADMIN)")
    return (tree, LayeredDirectoryRoot(layers: ["0", "1", "2"].map { tree.path + "/" + $0 }))
  }

  /// Merged directories are remembered once found (MergedDirectories); one looked up before it
  /// existed — an OCI layout's `blobs/sha256` while a pull writes it — is found once written.
  @Test func directoriesWrittenAfterALookupAreSeen() throws {
    #expect(root.list("/var/lib") == nil)
    try tree.write("0/var/lib/dpkg/status", "Package: late\n")
    #expect(root.list("/var/lib") == ["dpkg"])
    #expect(root.info("/var/lib/dpkg/status")?.kind == .regular)
    // Repeated lookups through the remembered directories give the same answers.
    #expect(root.list("/etc") == ["c", "keep", "os-release"])
    #expect(root.list("/etc") == ["c", "keep", "os-release"])
    #expect(root.info("/etc/a") == nil && root.info("/etc/b") == nil)
  }

  @Test func ociWhiteoutsHideLowerFiles() throws {
    #expect(root.info("/etc/a") == nil)
    #expect(root.list("/etc") == ["c", "keep", "os-release"])
    #expect(root.info("/etc/c")?.kind == .regular)
  }

  @Test func ociOpaqueDirectoryHidesLowerContents() throws {
    #expect(root.list("/opq") == ["new"])
    #expect(root.info("/opq/old") == nil)
  }

  @Test func overlayWhiteoutsAndOpaqueDirectories() throws {
    #expect(root.info("/etc/b") == nil, "char device 0/0 is a whiteout")
    #expect(root.list("/ovopq") == ["new"])
    #expect(root.info("/ovopq/old") == nil)
  }

  @Test func whiteoutOfADirectoryRemovesItsSubtree() throws {
    #expect(root.info("/usr/bin/tool") == nil)
    #expect(root.list("/usr") == [])
    #expect(root.resolve("/bin/tool") == nil, "the link's target is gone")
  }

  @Test func absoluteLinksAreReRootedInTheImage() throws {
    #expect(root.resolve("/abs/keep") == "/etc/keep")
    #expect(root.hostPath("/abs/keep") == tree.path + "/0/etc/keep")
    #expect(root.linkTarget("/abs") == "/etc")
    #expect(root.info("/abs")?.kind == .symlink)
    // A link to a host path names a path inside the image, which does not exist there.
    #expect(root.resolve("/host") == nil)
    #expect(root.hostPath("/host") == nil)
  }

  @Test func dotDotStopsAtTheImageRoot() throws {
    #expect(root.resolve("/up") == "/etc/os-release")
    #expect(root.hostPath("/up") == tree.path + "/0/etc/os-release")
    #expect(root.resolve("/../../etc/../../etc/keep") == "/etc/keep")
  }

  @Test func linkLoopsEndInNil() throws {
    #expect(root.resolve("/loop1") == nil)
    #expect(root.resolve("/loop2/x") == nil)
    #expect(root.resolve("/self") == nil)
    #expect(root.info("/loop1")?.kind == .symlink, "the link itself exists")
    #expect(root.hostPath("/loop1") == nil)
  }

  @Test func rootListingMergesLayers() throws {
    #expect(root.list("/") == ["abs", "bin", "etc", "host", "loop1", "loop2", "opq", "ovopq", "self", "up", "usr"])
  }
}
