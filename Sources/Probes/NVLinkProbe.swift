import Fingerprint

/// NVLink state and clocks event ("throttle") reasons, shared by the live NVML path and the
/// captured `nvidia-smi` reports.
///
/// Live: `nvmlDeviceGetNvLinkState(device, link, &isActive)` for links 0 ..< ``maxLinks``
/// (`NVML_NVLINK_MAX_LINKS`, nvml.h); links the GPU lacks answer `NVML_ERROR_NOT_SUPPORTED`
/// and are not counted. In a tree: `nvidia-smi nvlink -s` saved at ``capturedStatusPath``
/// (`GPU 0: NVIDIA H200 (UUID: GPU-…)` then `\t Link 0: 26.562 GB/s` or `\t Link 3: <inactive>`,
/// as in stas00/ml-engineering's network debugging notes and an HPE DL380a H100 NVL log, both
/// found through the code search; newer drivers may print the GPU line without the UUID).
enum NVLinkProbe {
  static let maxLinks: UInt32 = 18
  static let capturedStatusPath = "/captured/nvidia-smi-nvlink-s.txt"

  /// Per GPU of `nvidia-smi nvlink -s`, in its order, with the UUID when printed.
  struct CapturedGPU: Sendable, Hashable {
    var index: Int
    var uuid: String?
    var reading: NVLinkReading
  }

  static func parseStatus(_ text: String) -> [CapturedGPU] {
    var result: [CapturedGPU] = []
    var current: CapturedGPU?
    for raw in text.split(separator: "\n") {
      let line = raw.trimmed
      if line.hasPrefix("GPU "), let colon = line.firstIndex(of: ":"), let index = Int(line[line.index(line.startIndex, offsetBy: 4)..<colon]) {
        if let current { result.append(current) }
        var uuid: String?
        if let marker = line.firstRange(of: "(UUID: "), let close = line[marker.upperBound...].firstIndex(of: ")") {
          uuid = String(line[marker.upperBound..<close])
        }
        current = CapturedGPU(index: index, uuid: uuid, reading: NVLinkReading(links: 0, active: 0))
      } else if line.hasPrefix("Link "), current != nil {
        current!.reading.links += 1
        if isUp(line) { current!.reading.active += 1 }
      }
    }
    if let current { result.append(current) }
    return result
  }

  /// `Link 3: 26.562 GB/s` is up; `Link 3: <inactive>` and `Link 11: 0 GB/s` are not.
  static func isUp(_ line: String) -> Bool {
    guard let colon = line.firstIndex(of: ":") else { return false }
    let value = line[line.index(after: colon)...].trimmed
    guard value.hasSuffix("GB/s"), let speed = Double(value.dropLast(4).trimmed) else { return false }
    return speed > 0
  }

  /// Attaches captured NVLink states to readings: by UUID when printed, else by position
  /// (`nvidia-smi` numbers GPUs in PCI bus order, as the readings are sorted).
  static func attach(_ captured: [CapturedGPU], to readings: [GPUReadings], serials: [GPUSerials]) -> [GPUReadings] {
    var result = readings
    for gpu in captured where gpu.reading.links > 0 {
      let address = gpu.uuid.flatMap { uuid in serials.first { $0.uuid == uuid }?.pciAddress }
        ?? (gpu.index < readings.count ? readings[gpu.index].pciAddress : nil)
      guard let address, let position = result.firstIndex(where: { $0.pciAddress == address }) else { continue }
      result[position].nvlink = gpu.reading
    }
    return result
  }
}

/// NVML's clocks event reasons (`nvmlClocksEventReason*`, formerly `nvmlClocksThrottleReason*`,
/// https://docs.nvidia.com/deploy/nvml-api/group__nvmlClocksEventReasons.html), named as
/// `nvidia-smi -q -x` names them (`clocks_event_reason_<name>`).
enum ClocksEventReasons {
  static let bits: [(mask: UInt64, name: String)] = [
    (0x1, "gpu_idle"), (0x2, "applications_clocks_setting"), (0x4, "sw_power_cap"), (0x8, "hw_slowdown"),
    (0x10, "sync_boost"), (0x20, "sw_thermal_slowdown"), (0x40, "hw_thermal_slowdown"),
    (0x80, "hw_power_brake_slowdown"), (0x100, "display_clocks_setting"),
  ]

  static func names(_ mask: UInt64) -> [String] {
    bits.filter { mask & $0.mask != 0 }.map(\.name).sorted()
  }

  /// The `<clocks_event_reasons>` (or older `<clocks_throttle_reasons>`) section of one GPU's
  /// XML: every `<clocks_event_reason_X>Active</…>` as `X`.
  static func names(inXML body: Substring) -> [String]? {
    for (section, prefix) in [("clocks_event_reasons", "clocks_event_reason_"), ("clocks_throttle_reasons", "clocks_throttle_reason_")] {
      guard let inside = XMLText.section(section, in: body) else { continue }
      var active: [String] = []
      var rest = inside
      while let open = rest.firstRange(of: "<\(prefix)") {
        guard let close = rest[open.upperBound...].firstIndex(of: ">") else { break }
        let name = String(rest[open.upperBound..<close])
        let valueStart = rest.index(after: close)
        guard let end = rest[valueStart...].firstIndex(of: "<") else { break }
        if rest[valueStart..<end].trimmed == "Active" { active.append(name) }
        rest = rest[end...]
      }
      return active.sorted()
    }
    return nil
  }
}
