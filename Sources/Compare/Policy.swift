/// How much a difference in a field matters.
public enum PolicyRule: String, Codable, Sendable, Hashable, CaseIterable {
  /// Any difference matters.
  case exact
  /// Only a different major version matters (`12.4` vs `12.6` is fine).
  case sameMajor = "same-major"
  /// A different major.minor matters (`12.4.1` vs `12.4.0` is fine).
  case sameMinor = "same-minor"
  /// A different major (a driver branch: `575.57.08` vs `580.159.04`) is an error; any other
  /// difference (`580.95.05` vs `580.159.04`, or a version on one side only) is a warning.
  case sameBranch = "same-branch"
  /// The right side must not be older than the left (the baseline or lock).
  case atLeast = "at-least"
  /// Shown as a warning; does not fail the comparison (unless --strict).
  case warn
  /// Shown as information only.
  case informational
  /// Not shown.
  case ignore
}

/// One policy line: a path pattern and the rule for fields it matches.
public struct PolicyEntry: Sendable, Hashable {
  /// `host.kernel.release`, `images[*].python.packages[torch]`, `**.driverVersion`…
  /// `*` matches within one path segment (not across `.`), `**` across segments.
  public let pattern: String
  public let rule: PolicyRule
  /// Why the rule exists (shown with the difference).
  public let reason: String?

  /// The pattern's text before its first `*`: a path without it cannot match.
  let literalPrefix: String
  let characters: [Character]

  public init(_ pattern: String, _ rule: PolicyRule, reason: String? = nil) {
    self.pattern = pattern
    self.rule = rule
    self.reason = reason
    self.literalPrefix = String(pattern.prefix { $0 != "*" })
    self.characters = Array(pattern)
  }

  func matches(_ path: String, characters text: [Character]) -> Bool {
    guard path.hasPrefix(literalPrefix) else { return false }
    return Glob.matches(pattern: characters, text: text)
  }

  public static func == (lhs: PolicyEntry, rhs: PolicyEntry) -> Bool {
    (lhs.pattern, lhs.rule, lhs.reason) == (rhs.pattern, rhs.rule, rhs.reason)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(pattern)
    hasher.combine(rule)
    hasher.combine(reason)
  }
}

/// An ordered list of rules; the first entry whose pattern matches a path decides.
public struct Policy: Sendable, Hashable {
  public var entries: [PolicyEntry]

  public init(entries: [PolicyEntry]) {
    self.entries = entries
  }

  /// The rule for `path` (the built-in fallback is `informational`).
  public func rule(for path: String) -> PolicyEntry {
    let text = Array(path)
    return entries.first { $0.matches(path, characters: text) } ?? PolicyEntry("**", .informational)
  }

  /// User rules first, then the built-in defaults.
  public func overriding(with user: [PolicyEntry]) -> Policy { Policy(entries: user + entries) }

  /// The built-in policy: what ML work needs to match.
  public static let mlDefault = Policy(entries: [
    // Frameworks: the version and its CUDA build must match; so must the cuDNN/NCCL it loads.
    PolicyEntry("images[*].frameworks[*]", .exact, reason: "a framework present on one side only"),
    PolicyEntry("images[*].frameworks[*].info", .exact, reason: "the framework imports on one side only"),
    PolicyEntry("images[*].frameworks[*].info.version", .exact, reason: "the framework version must match"),
    PolicyEntry("images[*].frameworks[*].info.cuda", .exact, reason: "the CUDA build of the framework must match"),
    PolicyEntry("images[*].frameworks[*].info.cudnn", .exact, reason: "the cuDNN the framework loads must match"),
    PolicyEntry("images[*].frameworks[*].info.nccl", .exact, reason: "the NCCL the framework loads must match"),
    PolicyEntry("images[*].frameworks[*].info.loadedLibraries[*]", .exact, reason: "the CUDA libraries really loaded must match"),
    PolicyEntry("images[*].frameworks[*].info.archList[*]", .warn, reason: "GPU architectures the build supports"),
    PolicyEntry("images[*].frameworks[*].info.**", .informational),
    PolicyEntry("images[*].python.packages[torch]", .exact, reason: "the PyTorch distribution must match"),
    PolicyEntry("images[*].python.packages[nvidia-*]", .exact, reason: "pip's CUDA libraries must match"),
    PolicyEntry("images[*].python.packages[*]", .warn, reason: "a Python package added, removed or changed: imports, APIs and results may differ"),
    PolicyEntry("images[*].python.version", .sameMinor, reason: "Python major.minor decides which wheels install"),
    PolicyEntry("images[*].python", .exact, reason: "Python present on one side only"),
    PolicyEntry("images[*].python.**", .informational),
    // Conda: the same packages matter as pip's.
    PolicyEntry("images[*].condaPackages[pytorch]", .exact, reason: "the PyTorch distribution must match"),
    PolicyEntry("images[*].condaPackages[pytorch-cuda]", .exact, reason: "the CUDA build of PyTorch must match"),
    PolicyEntry("images[*].condaPackages[cudatoolkit]", .exact, reason: "conda's CUDA libraries must match"),
    PolicyEntry("images[*].condaPackages[cuda-*]", .exact, reason: "conda's CUDA libraries must match"),
    PolicyEntry("images[*].condaPackages[libcublas*]", .exact, reason: "conda's CUDA libraries must match"),
    PolicyEntry("images[*].condaPackages[cudnn]", .exact, reason: "the cuDNN conda installs must match"),
    PolicyEntry("images[*].condaPackages[libcudnn*]", .exact, reason: "the cuDNN conda installs must match"),
    PolicyEntry("images[*].condaPackages[nccl]", .exact, reason: "the NCCL conda installs must match"),
    PolicyEntry("images[*].condaPackages[libnccl*]", .exact, reason: "the NCCL conda installs must match"),
    PolicyEntry("images[*].condaPackages[*]", .warn, reason: "a conda package added, removed or changed: imports, APIs and results may differ"),
    // OS packages (dpkg): those ML work loads — cuDNN, NCCL, the CUDA toolkit and math
    // libraries, the driver's user-space libraries — warn; the rest of the distribution (a
    // base-image security update touches dozens) is a note, so fleets and images stay readable.
    PolicyEntry("images[*].osPackages[libcudnn*]**", .warn, reason: "an OS package of cuDNN added, removed or changed"),
    PolicyEntry("images[*].osPackages[libnccl*]**", .warn, reason: "an OS package of NCCL added, removed or changed"),
    PolicyEntry("images[*].osPackages[cuda-*]**", .warn, reason: "an OS package of the CUDA toolkit added, removed or changed"),
    PolicyEntry("images[*].osPackages[libcublas*]**", .warn, reason: "an OS package of cuBLAS added, removed or changed"),
    PolicyEntry("images[*].osPackages[cudnn*]**", .warn, reason: "an OS package of cuDNN added, removed or changed"),
    PolicyEntry("images[*].osPackages[libcufft*]**", .warn, reason: "an OS package of a CUDA library added, removed or changed"),
    PolicyEntry("images[*].osPackages[libcurand*]**", .warn, reason: "an OS package of a CUDA library added, removed or changed"),
    PolicyEntry("images[*].osPackages[libcusolver*]**", .warn, reason: "an OS package of a CUDA library added, removed or changed"),
    PolicyEntry("images[*].osPackages[libcusparse*]**", .warn, reason: "an OS package of a CUDA library added, removed or changed"),
    PolicyEntry("images[*].osPackages[libnvjitlink*]**", .warn, reason: "an OS package of a CUDA library added, removed or changed"),
    PolicyEntry("images[*].osPackages[nvidia-*]**", .warn, reason: "an OS package of the NVIDIA driver or toolkit added, removed or changed"),
    PolicyEntry("images[*].osPackages[libnvidia-*]**", .warn, reason: "an OS package of the NVIDIA driver's libraries added, removed or changed"),
    PolicyEntry("images[*].osPackages**", .informational, reason: "an OS package added, removed or changed (not one ML work loads directly)"),
    PolicyEntry("images[*].cudaBinaries**", .warn, reason: "the GPU code (cubins, PTX) compiled into the image's CUDA libraries differs"),
    PolicyEntry("images[*].summary.cuda", .sameMinor, reason: "the CUDA major.minor the image runs must match"),
    PolicyEntry("images[*].summary.cudnn", .exact, reason: "the cuDNN versions in the image must match"),
    PolicyEntry("images[*].summary.nccl", .exact, reason: "the NCCL versions in the image must match"),
    PolicyEntry("images[*].cudnn**", .informational, reason: "where cuDNN copies live (versions are judged in summary.cudnn)"),
    PolicyEntry("images[*].nccl**", .informational, reason: "where NCCL copies live (versions are judged in summary.nccl)"),
    PolicyEntry("images[*].cuda.**", .informational, reason: "where CUDA copies live (the version is judged in summary.cuda)"),
    PolicyEntry("images[*].libc.version", .atLeast, reason: "wheels built for a newer glibc do not load on an older one"),
    PolicyEntry("images[*].config.value.environment.NVIDIA_REQUIRE_*", .warn),
    PolicyEntry("images[*].config.**", .informational),
    PolicyEntry("images[*].notes**", .ignore),
    PolicyEntry("images[*]", .warn, reason: "an image on one side only"),
    PolicyEntry("images[*].**", .informational),
    // The host driver: every node of a job runs the same branch (NCCL and the CUDA driver API
    // differ between branches); a patch level apart is worth a look. What an image needs of the
    // driver is judged by the compatibility verdicts.
    PolicyEntry("host.nvidia.kernelModule.compiler", .ignore),
    PolicyEntry("host.nvidia.kernelModule.version", .sameBranch, reason: "the same driver branch on every node and host: another branch (575 vs 580) is an error, another patch level of it a warning"),
    PolicyEntry("host.nvidia.nvml.driverVersion", .sameBranch, reason: "the same driver branch on every node and host: another branch (575 vs 580) is an error, another patch level of it a warning"),
    PolicyEntry("host.nvidia.kernelModule", .warn, reason: "the NVIDIA kernel module is loaded on one side only"),
    PolicyEntry("host.nvidia.nvml", .warn, reason: "NVML answers on one side only"),
    PolicyEntry("host.nvidia.**", .informational, reason: "judged by the compatibility verdicts"),
    // Multi-GPU nodes of one job: Fabric Manager at another version fails CUDA (error 802) on
    // the node that differs; NVSwitches, RDMA adapters, GPU/NIC placement and NCCL settings
    // that differ between ranks are the usual cause of hangs and slow collectives.
    PolicyEntry("host.nodeFabric.fabricManager**", .exact, reason: "Fabric Manager must be at its driver's version on every node of a job"),
    PolicyEntry("host.nodeFabric**", .warn, reason: "NVSwitches, RDMA adapters, GPU/NIC placement and NCCL settings differ between nodes"),
    PolicyEntry("host.pci.database.**", .ignore),
    PolicyEntry("host.pci.gpus[*].vendorName", .ignore),
    PolicyEntry("host.pci.gpus[*].deviceName", .ignore),
    PolicyEntry("host.pci.gpus[*].subsystemName", .ignore),
    PolicyEntry("host.pci.gpus[*].className", .ignore),
    PolicyEntry("host.pci.gpus[*].deviceID", .warn, reason: "a different GPU model"),
    PolicyEntry("host.pci.gpus[*]", .warn, reason: "a GPU on one side only"),
    PolicyEntry("host.pci.devicesScanned", .ignore),
    PolicyEntry("host.cpu.mlFlags[*]", .warn, reason: "wheels and kernels built for this ISA extension need it"),
    PolicyEntry("host.cpu.model", .informational),
    PolicyEntry("host.libc.version", .atLeast, reason: "wheels built for a newer glibc do not load on an older one"),
    PolicyEntry("host.kernel.**", .informational, reason: "kernel patch level is informational"),
    PolicyEntry("**", .informational),
  ])
}

/// Glob matching for policy paths: `*` within a segment (stops at a `.` outside brackets, so
/// `images[*]` matches `images[registry.example.com/x:1.0]`), `**` across segments.
enum Glob {
  static func matches(pattern: [Character], text: [Character]) -> Bool {
    var insideBrackets = [Bool](repeating: false, count: text.count)
    var depth = 0
    for (index, character) in text.enumerated() {
      if character == "[" { depth += 1 }
      insideBrackets[index] = depth > 0 && character != "["
      if character == "]" { depth = max(0, depth - 1) }
    }
    // 0 unknown, 1 false, 2 true.
    var memo = [UInt8](repeating: 0, count: (pattern.count + 1) * (text.count + 1))
    func match(_ p: Int, _ t: Int) -> Bool {
      let key = p * (text.count + 1) + t
      if memo[key] != 0 { return memo[key] == 2 }
      let result: Bool
      if p == pattern.count {
        result = t == text.count
      } else if pattern[p] == "*" {
        let double = p + 1 < pattern.count && pattern[p + 1] == "*"
        let next = double ? p + 2 : p + 1
        var outcome = match(next, t)
        var index = t
        while !outcome && index < text.count && (double || text[index] != "." || insideBrackets[index]) {
          index += 1
          outcome = match(next, index)
        }
        result = outcome
      } else {
        result = t < text.count && pattern[p] == text[t] && match(p + 1, t + 1)
      }
      memo[key] = result ? 2 : 1
      return result
    }
    return match(0, 0)
  }
}
