/// What `rigcheck inspect` found inside an image (or on the host with `--runtime host`).
public struct ImageFacts: Codable, Sendable, Hashable {
  /// The reference as given (`pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime`, or `host`).
  public var reference: String
  /// `docker`, `podman` or `host`.
  public var runtime: String
  /// The image's identity and configuration, from the runtime's image inspect.
  public var config: Observed<ImageConfig>
  public var os: Observed<OSRelease>
  public var architecture: String?
  public var libc: Observed<LibcInfo>
  public var python: Observed<PythonEnvironment>
  /// Conda packages (`conda-meta/*.json`), sorted by name.
  public var condaPackages: [Package]
  public var cuda: CUDAToolkitFacts
  /// Every cuDNN copy found (headers, library files, pip wheels), sorted.
  public var cudnn: [VersionSighting]
  /// Every NCCL copy found, sorted.
  public var nccl: [VersionSighting]
  /// PyTorch, TensorFlow, JAX: only those installed.
  public var frameworks: [FrameworkFacts]
  /// Problems met while reading the output (ignored lines, truncated values), for `-v`.
  public var notes: [String]
  /// The OS packages dpkg records as configured (`/var/lib/dpkg/status`), sorted by name; nil
  /// when the image has no dpkg database (Alpine, RHEL, busybox) or the facts predate it.
  public var osPackages: [OSPackage]?
  /// Every shared library with CUDA fatbinaries in the image's Python environments, sorted by
  /// path; nil when the image's files were not scanned (a running inspection without access to
  /// them, or a fingerprint written before this field existed).
  public var cudaBinaries: [CUDABinaryFacts]?

  public init(
    reference: String, runtime: String, config: Observed<ImageConfig>, os: Observed<OSRelease>, architecture: String?,
    libc: Observed<LibcInfo>, python: Observed<PythonEnvironment>, condaPackages: [Package], cuda: CUDAToolkitFacts,
    cudnn: [VersionSighting], nccl: [VersionSighting], frameworks: [FrameworkFacts], notes: [String],
    osPackages: [OSPackage]? = nil, cudaBinaries: [CUDABinaryFacts]? = nil
  ) {
    self.reference = reference
    self.runtime = runtime
    self.config = config
    self.os = os
    self.architecture = architecture
    self.libc = libc
    self.python = python
    self.condaPackages = condaPackages
    self.cuda = cuda
    self.cudnn = cudnn
    self.nccl = nccl
    self.frameworks = frameworks
    self.notes = notes
    self.osPackages = osPackages
    self.cudaBinaries = cudaBinaries
  }

  private enum CodingKeys: String, CodingKey {
    case reference, runtime, config, os, architecture, libc, python, condaPackages, cuda, cudnn, nccl, frameworks, notes
    case osPackages, cudaBinaries
  }

  /// `notes` are provenance (how reading the inspection's output went), left out of the
  /// identity hash.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(reference, forKey: .reference)
    try container.encode(runtime, forKey: .runtime)
    try container.encode(config, forKey: .config)
    try container.encode(os, forKey: .os)
    try container.encodeIfPresent(architecture, forKey: .architecture)
    try container.encode(libc, forKey: .libc)
    try container.encode(python, forKey: .python)
    try container.encode(condaPackages, forKey: .condaPackages)
    try container.encode(cuda, forKey: .cuda)
    try container.encode(cudnn, forKey: .cudnn)
    try container.encode(nccl, forKey: .nccl)
    try container.encode(frameworks, forKey: .frameworks)
    if !CanonicalJSON.omitsProvenance(encoder) { try container.encode(notes, forKey: .notes) }
    try container.encodeIfPresent(osPackages, forKey: .osPackages)
    try container.encodeIfPresent(cudaBinaries, forKey: .cudaBinaries)
  }

  /// The framework named `name` (`torch`), if installed.
  public func framework(_ name: String) -> FrameworkFacts? { frameworks.first { $0.name == name } }
}

/// An image's identity and the configuration that matters for GPUs.
public struct ImageConfig: Codable, Sendable, Hashable {
  /// `sha256:…` image id.
  public var id: String
  /// Registry digests (`repo@sha256:…`), sorted.
  public var digests: [String]
  public var labels: [String: String]
  /// Environment variables from an allowlist (NVIDIA_*, CUDA_*, CUDNN_*, NCCL_*, NV_*,
  /// TORCH_*, PYTORCH_*, CONDA_*, PATH, LD_LIBRARY_PATH, PYTHONPATH, VIRTUAL_ENV, …);
  /// anything else, credentials included, is never captured.
  public var environment: [String: String]
  public var architecture: String?
  public var os: String?

  public init(id: String, digests: [String], labels: [String: String], environment: [String: String], architecture: String?, os: String?) {
    self.id = id
    self.digests = digests
    self.labels = labels
    self.environment = environment
    self.architecture = architecture
    self.os = os
  }
}

/// The default Python and what it has installed.
public struct PythonEnvironment: Codable, Sendable, Hashable {
  /// Every python executable on PATH, in PATH order.
  public var interpreters: [String]
  /// What `python3` resolves to.
  public var defaultInterpreter: String?
  public var version: String?
  public var executable: String?
  /// The venv prefix when the default python runs in a virtual environment.
  public var virtualenv: String?
  public var condaPrefix: String?
  /// Installed distributions, sorted by normalized name.
  public var packages: [Package]

  public init(
    interpreters: [String], defaultInterpreter: String?, version: String?, executable: String?, virtualenv: String?,
    condaPrefix: String?, packages: [Package]
  ) {
    self.interpreters = interpreters
    self.defaultInterpreter = defaultInterpreter
    self.version = version
    self.executable = executable
    self.virtualenv = virtualenv
    self.condaPrefix = condaPrefix
    self.packages = packages
  }
}

/// A package and its version.
public struct Package: Codable, Sendable, Hashable, Comparable {
  public var name: String
  public var version: String

  public init(name: String, version: String) {
    self.name = name
    self.version = version
  }

  /// PEP 503 normalization: lower case, runs of `-`, `_`, `.` become `-`.
  public var normalizedName: String { Self.normalize(name) }

  /// PEP 503 normalization of a distribution name.
  public static func normalize(_ name: String) -> String {
    let alreadyNormal = name.utf8.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }
    if alreadyNormal && !name.contains("--") { return name }
    var result = ""
    var lastWasSeparator = false
    for character in name.lowercased() {
      if character == "-" || character == "_" || character == "." {
        if !lastWasSeparator { result.append("-") }
        lastWasSeparator = true
      } else {
        result.append(character)
        lastWasSeparator = false
      }
    }
    return result
  }

  public static func < (lhs: Package, rhs: Package) -> Bool {
    (lhs.normalizedName, lhs.version) < (rhs.normalizedName, rhs.version)
  }
}

/// One place a version was seen: a header, a library file, a pip wheel, an env variable.
public struct VersionSighting: Codable, Sendable, Hashable, Comparable {
  public var version: String
  public var source: String

  public init(version: String, source: String) {
    self.version = version
    self.source = source
  }

  public static func < (lhs: VersionSighting, rhs: VersionSighting) -> Bool {
    (lhs.source, lhs.version) < (rhs.source, rhs.version)
  }
}

/// The CUDA toolkit and runtime as found in the image.
public struct CUDAToolkitFacts: Codable, Sendable, Hashable {
  /// Toolkit versions: version.json, version.txt, nvcc, `CUDA_VERSION`.
  public var toolkit: [VersionSighting]
  /// CUDA runtime versions: `libcudart.so.X.Y.Z` files and pip's `nvidia-cuda-runtime-*`.
  public var runtime: [VersionSighting]
  /// The `cuda-compat` package's `libcuda.so.<driver version>` files (forward compatibility),
  /// with the driver version each carries; nil when the image has none.
  public var compat: [VersionSighting]?

  public init(toolkit: [VersionSighting], runtime: [VersionSighting], compat: [VersionSighting]? = nil) {
    self.toolkit = toolkit
    self.runtime = runtime
    self.compat = compat
  }

  /// The most specific CUDA version the image states (for compatibility checks).
  public var bestVersion: String? {
    (toolkit + runtime).map(\.version).max { $0.split(separator: ".").count < $1.split(separator: ".").count }
  }
}

/// A framework as it reports itself after import.
public struct FrameworkFacts: Codable, Sendable, Hashable {
  public var name: String
  public var info: Observed<FrameworkInfo>

  public init(name: String, info: Observed<FrameworkInfo>) {
    self.name = name
    self.info = info
  }
}

/// What an imported framework says about itself.
public struct FrameworkInfo: Codable, Sendable, Hashable {
  public var version: String
  /// The CUDA version it was built with (`torch.version.cuda`), nil for CPU builds.
  public var cuda: String?
  /// The cuDNN it reports (`torch.backends.cudnn.version()` 90100 → `9.1.0`).
  public var cudnn: String?
  public var nccl: String?
  /// The GPU architectures the build has kernels for: `sm_80`, `sm_90`, `compute_90`, …
  /// (see ``archSource``).
  public var archList: [String]
  public var cudaAvailable: Bool?
  public var cxx11ABI: Bool?
  /// The CUDA libraries it actually loaded (from /proc/self/maps), sorted.
  public var loadedLibraries: [String]
  /// Attributes that could not be read, with the error.
  public var problems: [String]
  /// Where ``archList`` came from: `_cuda_getArchFlags` (torch's compiled CUDA_ARCH_FLAGS,
  /// readable without a GPU), `get_arch_list` (`torch.cuda.get_arch_list()`, empty whenever
  /// no GPU is usable: the fallback for builds that do not record their flags, CPU builds
  /// included), `build_info.cuda_compute_capabilities` (TensorFlow); nil when not reported.
  public var archSource: String?
  /// The HIP (ROCm) version of a ROCm build (`torch.version.hip`), nil otherwise.
  public var hip: String?
  /// Distributions the framework runs on, by name, with their versions (JAX: `jaxlib`,
  /// `jax-cuda12-plugin`, `jax-cuda12-pjrt`); nil when none was reported.
  public var companions: [String: String]?

  public init(
    version: String, cuda: String?, cudnn: String?, nccl: String?, archList: [String], cudaAvailable: Bool?, cxx11ABI: Bool?,
    loadedLibraries: [String], problems: [String], archSource: String? = nil, hip: String? = nil, companions: [String: String]? = nil
  ) {
    self.version = version
    self.cuda = cuda
    self.cudnn = cudnn
    self.nccl = nccl
    self.archList = archList
    self.cudaAvailable = cudaAvailable
    self.cxx11ABI = cxx11ABI
    self.loadedLibraries = loadedLibraries
    self.problems = problems
    self.archSource = archSource
    self.hip = hip
    self.companions = companions
  }
}
