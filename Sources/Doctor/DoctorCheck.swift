import Fingerprint
import Reporting

/// What the doctor is asked to verify beyond the host itself.
public struct DoctorOptions: Sendable, Hashable {
  /// A CUDA version the host must run (`--cuda 12.4`).
  public var cuda: String?
  /// Warnings count as failures.
  public var strict: Bool
  /// Below this, Docker's root directory is reported as short of space.
  public var minimumDockerFreeBytes: UInt64
  /// Below this, `/dev/shm` is reported as too small for DataLoader workers.
  public var minimumSharedMemoryBytes: UInt64
  /// What `--gpus` saw when the image was started with the host's GPUs.
  public var gpuRun: GPURunOutcome?

  public init(
    cuda: String? = nil, strict: Bool = false, minimumDockerFreeBytes: UInt64 = 30 << 30, minimumSharedMemoryBytes: UInt64 = 1 << 30,
    gpuRun: GPURunOutcome? = nil
  ) {
    self.cuda = cuda
    self.strict = strict
    self.minimumDockerFreeBytes = minimumDockerFreeBytes
    self.minimumSharedMemoryBytes = minimumSharedMemoryBytes
    self.gpuRun = gpuRun
  }
}

/// One check: a stable id, what it verifies, and a pure function from facts to findings.
///
/// Checks read the fingerprint only (the probes already ran concurrently, each command under
/// its timeout), so a check never blocks and can be tested against any host tree.
public struct DoctorCheck: Sendable {
  public let id: String
  /// One line for `--list-checks`.
  public let summary: String
  let evaluate: @Sendable (HostView, DoctorOptions) -> [ReportItem]

  init(_ id: String, _ summary: String, evaluate: @escaping @Sendable (HostView, DoctorOptions) -> [ReportItem]) {
    self.id = id
    self.summary = summary
    self.evaluate = evaluate
  }

  /// Runs the check; every item carries this check's id.
  public func run(_ fingerprint: Fingerprint, options: DoctorOptions) -> [ReportItem] {
    evaluate(HostView(fingerprint), options).map { item in
      var stamped = item
      stamped.id = id
      return stamped
    }
  }
}

/// Runs every check over a fingerprint and assembles the report.
public enum Doctor {
  public static func report(for fingerprint: Fingerprint, options: DoctorOptions, checks: [DoctorCheck] = DoctorCatalog.all) -> Report {
    let host = fingerprint.identity.host
    var subject = fingerprint.machine.hostname.value ?? "host"
    if let os = host.os.value { subject += " · " + (os.prettyName ?? os.id) }
    if let kernel = host.kernel.value { subject += " · kernel \(kernel.release)" }
    if fingerprint.generator.root != "/" { subject += " · root \(fingerprint.generator.root)" }
    let items = checks.flatMap { $0.run(fingerprint, options: options) }
    return Report(command: "doctor", subject: subject, items: items, strict: options.strict)
  }
}

/// Convenience views of the facts the checks need.
struct HostView {
  let fingerprint: Fingerprint
  var host: HostFacts { fingerprint.identity.host }

  init(_ fingerprint: Fingerprint) { self.fingerprint = fingerprint }

  /// GPU-class PCI devices from NVIDIA (vendor 10de).
  var nvidiaGPUs: [PCIDevice] { host.pci.value?.gpus.filter { $0.vendorID == "10de" } ?? [] }

  /// The loaded driver's version: the kernel module's, else NVML's.
  var driverVersion: String? { host.nvidia.kernelModule.value?.version ?? host.nvidia.nvml.value?.driverVersion }

  func nvml(for address: String) -> NVMLDevice? { host.nvidia.nvml.value?.gpus.first { $0.pciAddress == address } }

  func gpuName(_ device: PCIDevice) -> String {
    nvml(for: device.address)?.name ?? fingerprint.pciReadings(at: device.address)?.deviceName ?? "\(device.vendorID):\(device.deviceID)"
  }

  /// `source: value` evidence for an observation.
  func evidence<T>(_ label: String, _ fact: Observed<T>, _ describe: (T) -> String) -> String {
    if let value = fact.value { return "\(label): \(describe(value)) [\(fact.source)]" }
    return "\(label): \(fact.status.rawValue) — \(fact.reason ?? "") [\(fact.source)]"
  }
}
