// swift-tools-version:6.2
import PackageDescription

let package = Package(
  name: "rigcheck",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "rigcheck", targets: ["rigcheck"]),
    .library(name: "Fingerprint", targets: ["Fingerprint"]),
    .library(name: "Probes", targets: ["Probes"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // libpci from Debian's libpci-dev, with inline wrappers for its variadic and non-const APIs.
    .systemLibrary(
      name: "CLibPCI",
      pkgConfig: "libpci",
      providers: [.apt(["libpci-dev"])]
    ),
    // The libpci calls that may reach its exit()ing error callback, run under a setjmp guard.
    .target(name: "CLibPCIGuard", dependencies: ["CLibPCI"]),
    // Our own declarations of the few NVML entry points we use, resolved at run time with dlopen.
    // Nothing here links against the NVIDIA driver.
    .target(name: "CNVML", linkerSettings: [.linkedLibrary("dl")]),
    // The fingerprint model: values with provenance, canonical JSON, identity hash, redaction.
    .target(name: "Fingerprint"),
    // Compatibility rules and NVIDIA's tables: CUDA ↔ driver, compute capability ↔ arch lists,
    // NVIDIA_REQUIRE_* expressions. Pure functions over versions; no I/O.
    .target(name: "Compatibility"),
    // Host probes: kernel, OS, libc, CPU, memory, cgroup, PCI (libpci), NVIDIA driver and NVML,
    // container toolkit, Docker and Podman.
    .target(name: "Probes", dependencies: ["Fingerprint", "Compatibility", "CLibPCI", "CLibPCIGuard", "CNVML"]),
    // The inspection scripts (top-level checks/), compiled into the binary.
    .target(
      name: "CheckScripts", path: "checks", exclude: ["README.md"],
      resources: [
        .embedInCode("prelude.sh"), .embedInCode("os.sh"), .embedInCode("python.sh"), .embedInCode("cuda.sh"),
        .embedInCode("cudnn-nccl.sh"), .embedInCode("frameworks.sh"), .embedInCode("dpkg.sh"), .embedInCode("python-inventory.py"),
        .embedInCode("framework-probe.py"),
      ]),
    // Images at rest: OCI layouts, archives, registries, local engine storage, squashfs, SIF and
    // unpacked roots, read as a root filesystem view without starting a container.
    .target(name: "ImageSources", dependencies: ["Fingerprint", "Probes", "CXattr", "CLibSSL", "CLibArchive"]),
    // OpenSSL from Debian's libssl-dev: TLS to container registries, SHA-256 of blobs.
    .systemLibrary(name: "CLibSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
    // libarchive from Debian's libarchive-dev: tar, gzip and zstd, for unpacking image layers.
    .systemLibrary(name: "CLibArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
    // sys/xattr.h for ImageSources (overlayfs opaque directories).
    .target(name: "CXattr"),
    // CUDA fatbinaries: the SASS (`sm_XY`) and PTX (`compute_XY`) targets embedded in ELF shared
    // libraries, read from their headers only, and the scan of an image's Python environments.
    .target(name: "CUDABinaries", dependencies: ["Fingerprint", "ImageSources"]),
    // Runs the checks inside an image (Docker, Podman) or on the host, in one container start.
    .target(name: "Inspector", dependencies: ["Fingerprint", "Probes", "CheckScripts", "CUDABinaries", "ImageSources"]),
    // Diffs two fingerprints under a policy; host ↔ image compatibility verdicts.
    .target(name: "Compare", dependencies: ["Fingerprint", "Compatibility", "Reporting"]),
    // Many nodes against one baseline: groups by identity hash, streams, drift matrix.
    .target(name: "Fleet", dependencies: ["Compare", "Fingerprint", "Reporting"]),
    // CycloneDX SBOMs of inspected images: package URLs, the document, name-based serial numbers.
    .target(name: "SBOM", dependencies: ["Fingerprint"]),
    // Report items and their renderers: text, JSON, Markdown, JUnit XML, Prometheus.
    .target(name: "Reporting"),
    // The doctor: checks that turn a host fingerprint into findings with fixes.
    .target(name: "Doctor", dependencies: ["Fingerprint", "Compatibility", "Reporting", "Compare"]),
    // The command-line tool: argument parsing and output only.
    .executableTarget(
      name: "rigcheck",
      dependencies: [
        "Fingerprint", "Probes", "Doctor", "Reporting", "Inspector", "Compare", "Fleet", "ImageSources", "SBOM",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Times `rigcheck compare`'s phases in process (benchmarks/compare-5000-packages.sh runs it).
    .executableTarget(name: "CompareBenchmark", dependencies: ["Compare"], path: "benchmarks/CompareBenchmark"),
    // Scans a directory's CUDA binaries and counts the bytes read (benchmarks/cuda-binaries-scan.sh).
    .executableTarget(name: "CUDABinariesBenchmark", dependencies: ["CUDABinaries", "Fingerprint", "ImageSources"], path: "benchmarks/CUDABinariesBenchmark"),
    // The floor for `rigcheck fleet`: read and decode every file (benchmarks/fleet-10000.sh).
    .executableTarget(name: "ParseBenchmark", dependencies: ["Fingerprint", "Probes"], path: "benchmarks/ParseBenchmark"),
    // Opens one image at rest and times it (benchmarks/images-at-rest.sh runs it).
    .executableTarget(name: "ImageSourcesBenchmark", dependencies: ["ImageSources"], path: "benchmarks/ImageSourcesBenchmark"),
    // libFuzzer entry point over every parser (scripts/fuzz.sh builds it with -sanitize=fuzzer).
    .executableTarget(
      name: "FuzzParsers", dependencies: ["Compare", "Compatibility", "Fingerprint", "ImageSources", "Inspector", "Probes"], path: "Fuzz/FuzzParsers"),
    .testTarget(name: "FingerprintTests", dependencies: ["Fingerprint"]),
    .testTarget(name: "CompatibilityTests", dependencies: ["Compatibility"]),
    .testTarget(name: "CUDABinariesTests", dependencies: ["CUDABinaries", "Fingerprint", "ImageSources", "Compare", "Compatibility", "Probes", "TestSupport"]),
    .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
    .testTarget(name: "SBOMTests", dependencies: ["SBOM", "Fingerprint", "Inspector", "CheckScripts", "Probes", "TestSupport"]),
    .testTarget(name: "CompareTests", dependencies: ["Compare", "Compatibility", "Fingerprint", "Inspector", "Probes", "Reporting", "TestSupport"]),
    .testTarget(
      name: "FleetTests",
      dependencies: ["Fleet", "Compare", "Fingerprint", "Inspector", "Probes", "Reporting", "TestSupport", .product(name: "Yams", package: "Yams")]),
    .testTarget(name: "InspectorTests", dependencies: ["Inspector", "Fingerprint", "ImageSources", "Probes", "TestSupport"]),
    .testTarget(name: "DoctorTests", dependencies: ["Doctor", "Compare", "Probes", "Fingerprint", "Reporting", "Inspector", "TestSupport"]),
    // Fixture hosts, temporary trees and a replaying command runner, shared by the tests.
    .target(name: "TestSupport", dependencies: ["Probes", "Fingerprint", "ImageSources"], path: "Tests/TestSupport"),
    .testTarget(name: "ProbesTests", dependencies: ["Probes", "Fingerprint", "Compatibility", "TestSupport"]),
    .testTarget(name: "ImageSourcesTests", dependencies: ["ImageSources", "Fingerprint", "Probes", "TestSupport", "CXattr"]),
    .testTarget(name: "rigcheckTests", dependencies: ["rigcheck", "Fingerprint", "TestSupport"]),
  ]
)

for target in package.targets where target.type != .system {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
