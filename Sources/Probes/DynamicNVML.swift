import CNVML
import Fingerprint

/// NVML loaded at run time with dlopen (`libnvidia-ml.so.1`, installed by the driver).
///
/// Nothing links against the driver: when the library is missing the query says so and
/// every other probe still runs. The library is opened, initialised, read and closed
/// within one ``query()``.
public struct DynamicNVML: NVMLSource {
  /// A library name resolved by the dynamic loader, or a path.
  public let libraryPath: String

  public init(libraryPath: String = "libnvidia-ml.so.1") {
    self.libraryPath = libraryPath
  }

  public func query() -> NVMLQuery {
    var api = cnvml_api()
    var errorBuffer = [CChar](repeating: 0, count: 512)
    if cnvml_open(libraryPath, &api, &errorBuffer, errorBuffer.count) != 0 {
      let reason = String(nulTerminated: errorBuffer)
      return NVMLQuery(
        report: .absent(
          "NVML could not be loaded (\(reason)): the NVIDIA user-space driver is not installed or not on the loader path",
          source: "nvml:dlopen \(libraryPath)"))
    }
    defer { cnvml_close(&api) }

    func message(_ code: cnvml_return) -> String {
      let text = api.error_string.flatMap { $0(code) }.map { String(cString: $0) } ?? "error"
      return "\(text) (NVML error \(code))"
    }

    let initResult = api.init_v2!()
    guard initResult == 0 else {
      let hint: String
      switch initResult {
      case 9: hint = "the NVIDIA kernel module is not loaded"
      case 18: hint = "Driver/library version mismatch: the loaded kernel module and libnvidia-ml differ in version (reboot, or reload the nvidia modules, after a driver upgrade)"
      case 4: hint = "permission denied opening /dev/nvidia*"
      default: hint = "NVML could not initialise"
      }
      return NVMLQuery(report: .unreadable("nvmlInit_v2 failed: \(message(initResult)); \(hint)", source: "nvml:nvmlInit_v2"))
    }
    defer { _ = api.shutdown?() }

    var driverBuffer = [CChar](repeating: 0, count: 96)
    let driverResult = api.system_get_driver_version!(&driverBuffer, UInt32(driverBuffer.count))
    guard driverResult == 0 else {
      return NVMLQuery(report: .unreadable("nvmlSystemGetDriverVersion failed: \(message(driverResult))", source: "nvml:nvmlSystemGetDriverVersion"))
    }
    var cudaVersion: String?
    if let getCuda = api.system_get_cuda_driver_version {
      var encoded: Int32 = 0
      if getCuda(&encoded) == 0 { cudaVersion = cudaVersionString(encoded) }
    }

    var count: UInt32 = 0
    let countResult = api.device_get_count!(&count)
    guard countResult == 0 else {
      return NVMLQuery(report: .unreadable("nvmlDeviceGetCount_v2 failed: \(message(countResult))", source: "nvml:nvmlDeviceGetCount_v2"))
    }

    var devices: [NVMLDevice] = []
    var serials: [GPUSerials] = []
    var readings: [GPUReadings] = []
    for index in 0..<count {
      var handle: cnvml_device?
      guard api.device_get_handle_by_index!(index, &handle) == 0, let handle else { continue }
      func text(_ getter: (@convention(c) (cnvml_device?, UnsafeMutablePointer<CChar>?, UInt32) -> cnvml_return)?) -> String? {
        guard let getter else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        return getter(handle, &buffer, UInt32(buffer.count)) == 0 ? String(nulTerminated: buffer) : nil
      }
      var pciInfo = cnvml_pci_info()
      var address = "unknown-\(index)"
      if let getPCI = api.device_get_pci_info, getPCI(handle, &pciInfo) == 0 {
        let busID = withUnsafeBytes(of: &pciInfo.busId) { raw in
          String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        address = normalizedPCIAddress(busID)
      }
      var brand: String?
      if let getBrand = api.device_get_brand {
        var value: Int32 = 0
        if getBrand(handle, &value) == 0 { brand = nvmlBrandName(value) }
      }
      var memory = cnvml_memory()
      let hasMemory = api.device_get_memory_info.map { $0(handle, &memory) == 0 } ?? false
      var capability: String?
      if let getCapability = api.device_get_cuda_compute_capability {
        var major: Int32 = 0
        var minor: Int32 = 0
        if getCapability(handle, &major, &minor) == 0 { capability = "\(major).\(minor)" }
      }
      var persistence: Bool?
      if let getPersistence = api.device_get_persistence_mode {
        var value: Int32 = 0
        if getPersistence(handle, &value) == 0 { persistence = value == 1 }
      }
      var mig: Bool?
      if let getMig = api.device_get_mig_mode {
        var current: UInt32 = 0
        var pending: UInt32 = 0
        if getMig(handle, &current, &pending) == 0 { mig = current == 1 }
      }
      var temperature: Int?
      if let getTemperature = api.device_get_temperature {
        var value: UInt32 = 0
        if getTemperature(handle, 0, &value) == 0 { temperature = Int(value) }
      }
      var eccErrors: UInt64?
      if let getECC = api.device_get_total_ecc_errors {
        var count: UInt64 = 0
        // NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1, NVML_AGGREGATE_ECC = 1
        if getECC(handle, 1, 1, &count) == 0 { eccErrors = count }
      }
      var pagesPending: Bool?
      if let getPending = api.device_get_retired_pages_pending {
        var state: Int32 = 0
        if getPending(handle, &state) == 0 { pagesPending = state == 1 }
      }
      var rowsPending: Bool?
      var remapFailed: Bool?
      if let getRows = api.device_get_remapped_rows {
        var corrected: UInt32 = 0
        var uncorrected: UInt32 = 0
        var pending: UInt32 = 0
        var failed: UInt32 = 0
        if getRows(handle, &corrected, &uncorrected, &pending, &failed) == 0 {
          rowsPending = pending != 0
          remapFailed = failed != 0
        }
      }
      var utilization: Int?
      if let getUtilization = api.device_get_utilization_rates {
        var rates = cnvml_utilization()
        if getUtilization(handle, &rates) == 0 { utilization = Int(rates.gpu) }
      }
      func unsigned(_ getter: (@convention(c) (cnvml_device?, UnsafeMutablePointer<UInt32>?) -> cnvml_return)?) -> Int? {
        guard let getter else { return nil }
        var value: UInt32 = 0
        return getter(handle, &value) == 0 ? Int(value) : nil
      }
      let link = GPULinkReading(
        currentGeneration: unsigned(api.device_get_curr_pcie_link_generation),
        maxGeneration: unsigned(api.device_get_max_pcie_link_generation),
        currentWidth: unsigned(api.device_get_curr_pcie_link_width), maxWidth: unsigned(api.device_get_max_pcie_link_width))
      let hasLink = link.currentGeneration != nil || link.maxGeneration != nil || link.currentWidth != nil || link.maxWidth != nil
      var nvlink: NVLinkReading?
      if let getLinkState = api.device_get_nvlink_state {
        var reading = NVLinkReading(links: 0, active: 0)
        for linkIndex in 0..<NVLinkProbe.maxLinks {
          var isActive: Int32 = 0
          // Links the GPU lacks answer NVML_ERROR_NOT_SUPPORTED (3) or INVALID_ARGUMENT (2).
          guard getLinkState(handle, linkIndex, &isActive) == 0 else { continue }
          reading.links += 1
          if isActive == 1 { reading.active += 1 }
        }
        if reading.links > 0 { nvlink = reading }
      }
      var clocksEventReasons: [String]?
      if let getReasons = api.device_get_clocks_event_reasons {
        var mask: UInt64 = 0
        if getReasons(handle, &mask) == 0 { clocksEventReasons = ClocksEventReasons.names(mask) }
      }
      devices.append(
        NVMLDevice(
          pciAddress: address, name: text(api.device_get_name), brand: brand,
          memoryTotalBytes: hasMemory ? memory.total : nil, computeCapability: capability,
          computeCapabilitySource: nil, persistenceMode: persistence, migMode: mig))
      serials.append(GPUSerials(pciAddress: address, uuid: text(api.device_get_uuid), serial: text(api.device_get_serial)))
      readings.append(
        GPUReadings(
          pciAddress: address, temperatureCelsius: temperature, memoryUsedBytes: hasMemory ? memory.used : nil,
          uncorrectableECCErrors: eccErrors, retiredPagesPending: pagesPending, remappedRowsPending: rowsPending,
          remappingFailed: remapFailed, utilizationPercent: utilization, pcieLink: hasLink ? link : nil, nvlink: nvlink,
          clocksEventReasons: clocksEventReasons))
    }
    return NVMLQuery(
      report: .present(
        NVMLReport(
          driverVersion: String(nulTerminated: driverBuffer), cudaDriverVersion: cudaVersion,
          gpus: devices.sorted { $0.pciAddress < $1.pciAddress }),
        from: "nvml:\(libraryPath)"),
      serials: serials.sorted { $0.pciAddress < $1.pciAddress },
      readings: readings.sorted { $0.pciAddress < $1.pciAddress })
  }
}
