import Fingerprint
import Foundation
import Reporting
import Testing

@testable import Compare

/// OS package differences under the built-in policy: the packages ML work loads (cuDNN, NCCL,
/// CUDA, cuBLAS and the other CUDA libraries, the NVIDIA driver's) are warnings; the rest of the
/// distribution — a base-image security update changes dozens — notes.
@Suite struct OSPackagePolicyTests {
  static func image(_ packages: [OSPackage]) throws -> String {
    let list = String(decoding: try CanonicalJSON.encode(packages, pretty: false), as: UTF8.self)
    return #"{"schemaVersion": 99, "identity": {"images": [{"reference": "img", "osPackages": \#(list)}]}}"#
  }

  @Test func mlPackagesWarnTheRestAreNotes() throws {
    let left = try ComparedSide.load(Data(try Self.image([
      OSPackage(name: "libcudnn9-cuda-12", version: "9.1.0.70-1", architecture: "amd64", sourcePackage: "cudnn"),
      OSPackage(name: "libnccl2", version: "2.21.5-1+cuda12.4", architecture: "amd64"),
      OSPackage(name: "cuda-cudart-12-4", version: "12.4.127-1", architecture: "amd64"),
      OSPackage(name: "libcurl4", version: "7.88.1-10+deb12u7", architecture: "amd64", sourcePackage: "curl"),
      OSPackage(name: "tzdata", version: "2024a-0+deb12u1", architecture: "all"),
    ]).utf8), name: "a.json")
    let right = try ComparedSide.load(Data(try Self.image([
      OSPackage(name: "libcudnn9-cuda-12", version: "9.5.1.17-1", architecture: "amd64", sourcePackage: "cudnn"),
      OSPackage(name: "cuda-cudart-12-4", version: "12.4.127-1", architecture: "amd64"),
      OSPackage(name: "libnvidia-compute-550", version: "550.120-0ubuntu1", architecture: "amd64"),
      OSPackage(name: "libcurl4", version: "7.88.1-10+deb12u8", architecture: "amd64", sourcePackage: "curl"),
      OSPackage(name: "tzdata", version: "2025b-0+deb12u2", architecture: "all"),
    ]).utf8), name: "b.json")
    let comparison = Comparator().compare(left, right)
    let byPath = Dictionary(uniqueKeysWithValues: comparison.differences.map { ($0.path, $0) })
    #expect(byPath["images[img].osPackages[libcudnn9-cuda-12].version"]?.severity == .warning)
    #expect(byPath["images[img].osPackages[libnccl2]"]?.kind == .removed)
    #expect(byPath["images[img].osPackages[libnccl2]"]?.severity == .warning)
    #expect(byPath["images[img].osPackages[libnvidia-compute-550]"]?.kind == .added)
    #expect(byPath["images[img].osPackages[libnvidia-compute-550]"]?.severity == .warning)
    #expect(byPath["images[img].osPackages[libcurl4].version"]?.severity == .note, "libcurl is not a CUDA library")
    #expect(byPath["images[img].osPackages[tzdata].version"]?.severity == .note)
    #expect(byPath["images[img].osPackages[cuda-cudart-12-4].version"] == nil, "unchanged")
    #expect(comparison.differences.count == 5, "\(comparison.differences.map(\.path))")
  }

  @Test func rulesByName() {
    let policy = Policy.mlDefault
    for name in ["libcudnn9-cuda-12", "cudnn9-cuda-12", "libnccl-dev", "cuda-compat-12-4", "libcublaslt12", "libcusparse12", "nvidia-container-toolkit", "libnvidia-compute-550", "libnvjitlink-12-4"] {
      #expect(policy.rule(for: "images[x].osPackages[\(name)].version").rule == .warn, "\(name)")
      #expect(policy.rule(for: "images[x].osPackages[\(name)]").rule == .warn, "\(name)")
    }
    for name in ["libcurl4", "libcups2", "openssl", "libc6:i386", "python3.11"] {
      #expect(policy.rule(for: "images[x].osPackages[\(name)].version").rule == .informational, "\(name)")
    }
    #expect(policy.rule(for: "images[x].osPackages").rule == .informational, "a dpkg database on one side only")
  }
}
