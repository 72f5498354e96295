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
    // Host probes: kernel, OS, libc, CPU, memory, cgroup, PCI (libpci), NVIDIA driver and NVML,
    // container toolkit, Docker and Podman.
    .target(name: "Probes", dependencies: ["Fingerprint", "CLibPCI", "CLibPCIGuard", "CNVML"]),
    // The command-line tool: argument parsing and output only.
    .executableTarget(
      name: "rigcheck",
      dependencies: [
        "Fingerprint", "Probes",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "FingerprintTests", dependencies: ["Fingerprint"]),
    .testTarget(
      name: "ProbesTests",
      dependencies: ["Probes", "Fingerprint"],
      exclude: ["Fixtures"]
    ),
    .testTarget(name: "rigcheckTests", dependencies: ["rigcheck", "Fingerprint"]),
  ]
)

for target in package.targets where target.type != .system {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
