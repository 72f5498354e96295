import Fingerprint

/// The NVIDIA kernel side: `/proc/driver/nvidia/version`, `/proc/modules`, `/dev/nvidia*`.
enum NvidiaDriverProbe {
  /// Modules that decide whether GPUs work (and `nouveau`, which blocks the NVIDIA driver).
  static let relevantModules: Set<String> = [
    "nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm", "nvidia_peermem", "nv_peer_mem", "nvidia_fs", "nvidia_vgpu_vfio", "nouveau",
  ]

  static func kernelModule(_ context: ProbeContext) -> Observed<NvidiaKernelModule> {
    let path = "/proc/driver/nvidia/version"
    let text: String
    do {
      text = try context.root.read(path)
    } catch .notFound {
      return .absent("the NVIDIA kernel module is not loaded (\(path) does not exist)", source: "file:\(path)")
    } catch {
      return .unreadable(error.description, source: "file:\(path)")
    }
    guard let module = parseVersionFile(text) else {
      return .unreadable("\(path) has no recognisable NVRM version line", source: "file:\(path)")
    }
    return .present(module, from: "file:\(path)")
  }

  /// Parses `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build …`
  /// (open) or `NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  …` (proprietary).
  static func parseVersionFile(_ text: String) -> NvidiaKernelModule? {
    var module: NvidiaKernelModule?
    var compiler: String?
    for line in text.split(separator: "\n") {
      if line.hasPrefix("NVRM version:") {
        let afterModule = line.firstRange(of: "Kernel Module").map { line[$0.upperBound...] } ?? line.dropFirst("NVRM version:".count)
        let version = afterModule.split(separator: " ").first { token in
          token.first?.isNumber == true && token.contains(".") && token.allSatisfy { $0.isNumber || $0 == "." }
        }
        guard let version else { return nil }
        module = NvidiaKernelModule(
          version: String(version), flavour: line.contains("Open Kernel Module") ? .open : .proprietary, compiler: nil)
      } else if line.hasPrefix("GCC version:") {
        compiler = line.dropFirst("GCC version:".count).trimmed
      }
    }
    module?.compiler = compiler
    return module
  }

  static func loadedModules(_ context: ProbeContext) -> Observed<[String]> {
    let text: String
    do {
      text = try context.root.read("/proc/modules")
    } catch .notFound {
      return .absent("/proc/modules does not exist (no loadable-module support, or not captured)", source: "file:/proc/modules")
    } catch {
      return .unreadable(error.description, source: "file:/proc/modules")
    }
    let names = text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    return .present(Set(names).intersection(relevantModules).sorted(), from: "file:/proc/modules")
  }

  static func deviceNodes(_ context: ProbeContext) -> Observed<[String]> {
    let names: [String]
    do {
      names = try context.root.list("/dev")
    } catch .notFound {
      return .absent("the tree has no /dev", source: "file:/dev")
    } catch {
      return .unreadable(error.description, source: "file:/dev")
    }
    var nodes = names.filter { $0.hasPrefix("nvidia") && $0 != "nvidia-caps" }.map { "/dev/" + $0 }
    if let caps = try? context.root.list("/dev/nvidia-caps") {
      nodes += caps.map { "/dev/nvidia-caps/" + $0 }
    }
    return .present(nodes.sorted(), from: "file:/dev/nvidia*")
  }

  /// Whether a `/dev/nvidia*` node is created on first use rather than when the driver
  /// sets up its GPUs: `nvidia-modprobe` makes `/dev/nvidia-uvm` (and `-tools`) when the
  /// first CUDA program runs, `/dev/nvidia-modeset` when modesetting is first used, and
  /// `/dev/nvidia-caps/*` (and IMEX channels) when MIG or IMEX is. These nodes are readings,
  /// not part of the identity: one host idle and busy has different ones.
  static func isOnDemandNode(_ node: String) -> Bool {
    ["/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"].contains(node)
      || node.hasPrefix("/dev/nvidia-caps")
  }

  /// Splits a node list (or a list of linked nodes) into the identity's and the on-demand ones.
  static func splitOnDemand(_ fact: Observed<[String]>) -> (Observed<[String]>, onDemand: [String]?) {
    guard let nodes = fact.value else { return (fact, nil) }
    var identity = fact
    identity.value = nodes.filter { !isOnDemandNode($0) }
    return (identity, nodes.filter(isOnDemandNode))
  }

  /// `/dev/char/*` links whose target is an NVIDIA node, as the nodes they point to.
  static func devCharLinks(_ context: ProbeContext) -> Observed<[String]> {
    let names: [String]
    do {
      names = try context.root.list("/dev/char")
    } catch .notFound {
      return .absent("/dev/char does not exist", source: "file:/dev/char")
    } catch {
      return .unreadable(error.description, source: "file:/dev/char")
    }
    let targets = names.compactMap { context.root.resolveLink("/dev/char/" + $0) }
      .filter { $0.split(separator: "/").last?.hasPrefix("nvidia") == true }
    return .present(Array(Set(targets)).sorted(), from: "file:/dev/char")
  }
}

/// Where the NVIDIA driver's user-space libraries are: NVML (`libnvidia-ml.so.1`) and
/// `libcuda.so.1`, which `--nvml-library` and the container toolkit load.
///
/// Driver roots, in order: WSL2's `/usr/lib/wsl` (libraries Windows provides; first on WSL,
/// where a Linux driver installed inside the distribution would only shadow them), the host
/// itself (`/`), and the NVIDIA GPU Operator's driver container (`/run/nvidia/driver`, the
/// `driverRoot` of its toolkit). Under each root, the distributions' library directories:
/// Debian/Ubuntu multiarch (`/usr/lib/x86_64-linux-gnu`, `/usr/lib/aarch64-linux-gnu`), Red
/// Hat/SUSE (`/usr/lib64`), then `/usr/lib`; the machine's own architecture first.
enum NvidiaLibraryProbe {
  static let gpuOperatorDriverRoot = "/run/nvidia/driver"
  static let wslDriverRoot = "/usr/lib/wsl"

  static func libraryDirectories(architecture: String?) -> [String] {
    var triplets = ["x86_64-linux-gnu", "aarch64-linux-gnu"]
    if architecture == "aarch64" || architecture == "arm64" { triplets.reverse() }
    return triplets.map { "/usr/lib/" + $0 } + ["/usr/lib64", "/usr/lib"] + triplets.map { "/lib/" + $0 } + ["/lib64"]
  }

  /// Every directory searched, as `(driver root, directory)`, in order.
  static func searchOrder(architecture: String?, wsl: Bool) -> [(root: String, directory: String)] {
    let directories = libraryDirectories(architecture: architecture)
    let wslEntry = [(root: wslDriverRoot, directory: wslDriverRoot + "/lib")]
    let host = directories.map { (root: "/", directory: $0) }
    let operatorRoot = directories.map { (root: gpuOperatorDriverRoot, directory: gpuOperatorDriverRoot + $0) }
    return wsl ? wslEntry + host + operatorRoot : host + operatorRoot + wslEntry
  }

  static func probe(_ context: ProbeContext, architecture: String?, wsl: Bool) -> Observed<NvidiaLibraries> {
    let root = context.root
    let order = searchOrder(architecture: architecture, wsl: wsl)
    let source = "file:libnvidia-ml.so.1 under \(Set(order.map(\.root)).sorted().joined(separator: ", "))"
    for (driverRoot, directory) in order {
      let nvml = directory + "/libnvidia-ml.so.1"
      guard root.kind(of: nvml) != .missing else { continue }
      let cuda = directory + "/libcuda.so.1"
      let target = root.linkTarget(nvml).map { String($0.split(separator: "/").last ?? "") }
      let version = target.flatMap { name -> String? in
        guard name.hasPrefix("libnvidia-ml.so.") else { return nil }
        let rest = name.dropFirst("libnvidia-ml.so.".count)
        return rest.contains(".") && rest.allSatisfy({ $0.isNumber || $0 == "." }) ? String(rest) : nil
      }
      return .present(
        NvidiaLibraries(
          driverRoot: driverRoot, directory: directory, nvml: nvml, cuda: root.kind(of: cuda) != .missing ? cuda : nil, version: version),
        from: "file:\(nvml)")
    }
    return .absent(
      "libnvidia-ml.so.1 is in none of the driver's library directories (host, GPU Operator's \(gpuOperatorDriverRoot), WSL's \(wslDriverRoot)/lib): the NVIDIA user-space driver is not installed here",
      source: source)
  }
}
