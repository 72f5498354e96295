import Compatibility
import Fingerprint

/// NVML's answers as recorded by `nvidia-smi -q -x` on the captured host.
///
/// `nvidia-smi` reads NVML, so its XML report carries the same driver version, CUDA
/// version and per-GPU facts. The XML has no compute capability; it is taken from
/// ``GPUCatalog`` by PCI device id, and the fact says so.
struct CapturedNvidiaSMI: NVMLSource {
  let root: HostRoot
  let path: String

  func query() -> NVMLQuery {
    let source = "file:\(path) (nvidia-smi -q -x)"
    let xml: String
    do {
      xml = try root.read(path)
    } catch {
      return NVMLQuery(report: .unreadable(error.description, source: source))
    }
    guard let driver = XMLText.first("driver_version", in: Substring(xml)) else {
      return NVMLQuery(report: .unreadable("\(path) has no <driver_version>: not an nvidia-smi -q -x report", source: source))
    }
    var devices: [NVMLDevice] = []
    var serials: [GPUSerials] = []
    var readings: [GPUReadings] = []
    for (busID, body) in XMLText.elements("gpu", attribute: "id", in: xml) {
      let address = normalizedPCIAddress(busID)
      let deviceID = XMLText.first("pci_device_id", in: body).flatMap { UInt32($0, radix: 16) }.map { UInt16($0 >> 16) }
      let catalog = deviceID.flatMap(GPUCatalog.nvidia(deviceID:))
      let memory = XMLText.section("fb_memory_usage", in: body)
      devices.append(
        NVMLDevice(
          pciAddress: address, name: XMLText.first("product_name", in: body),
          brand: XMLText.first("product_brand", in: body),
          memoryTotalBytes: memory.flatMap { XMLText.first("total", in: $0) }.flatMap(mebibytes),
          computeCapability: catalog?.computeCapability,
          computeCapabilitySource: catalog == nil ? nil : GPUCatalog.source,
          persistenceMode: XMLText.first("persistence_mode", in: body).flatMap(enabled),
          migMode: XMLText.section("mig_mode", in: body).flatMap { XMLText.first("current_mig", in: $0) }.flatMap(enabled)))
      serials.append(
        GPUSerials(
          pciAddress: address, uuid: XMLText.first("uuid", in: body),
          serial: XMLText.first("serial", in: body)))
      let temperature = XMLText.section("temperature", in: body).flatMap { XMLText.first("gpu_temp", in: $0) }
      let aggregate = XMLText.section("ecc_errors", in: body).flatMap { XMLText.section("aggregate", in: $0) }
      let uncorrectable = aggregate.map { section in
        ["sram_uncorrectable_parity", "sram_uncorrectable_secded", "dram_uncorrectable", "sram_uncorrectable"]
          .compactMap { XMLText.first($0, in: section).flatMap { UInt64($0) } }
      }
      let remapped = XMLText.section("remapped_rows", in: body)
      let linkInfo = XMLText.section("pci_gpu_link_info", in: body)
      let generations = linkInfo.flatMap { XMLText.section("pcie_gen", in: $0) }
      let widths = linkInfo.flatMap { XMLText.section("link_widths", in: $0) }
      func number(_ name: String, in section: Substring?) -> Int? {
        section.flatMap { XMLText.first(name, in: $0) }.flatMap { Int($0.prefix { $0.isNumber }) }
      }
      let link = GPULinkReading(
        currentGeneration: number("current_link_gen", in: generations), maxGeneration: number("max_link_gen", in: generations),
        currentWidth: number("current_link_width", in: widths), maxWidth: number("max_link_width", in: widths))
      let hasLink = link.currentGeneration != nil || link.maxGeneration != nil || link.currentWidth != nil || link.maxWidth != nil
      readings.append(
        GPUReadings(
          pciAddress: address,
          temperatureCelsius: temperature.flatMap { Int($0.split(separator: " ").first ?? "") },
          memoryUsedBytes: memory.flatMap { XMLText.first("used", in: $0) }.flatMap(mebibytes),
          uncorrectableECCErrors: uncorrectable.flatMap { $0.isEmpty ? nil : $0.reduce(0, +) },
          retiredPagesPending: XMLText.section("retired_pages", in: body).flatMap { XMLText.first("pending_retirement", in: $0) }.flatMap(yes),
          remappedRowsPending: remapped.flatMap { XMLText.first("remapped_row_pending", in: $0) }.flatMap(yes),
          remappingFailed: remapped.flatMap { XMLText.first("remapped_row_failure", in: $0) }.flatMap(yes),
          utilizationPercent: number("gpu_util", in: XMLText.section("utilization", in: body)),
          pcieLink: hasLink ? link : nil, clocksEventReasons: ClocksEventReasons.names(inXML: body)))
    }
    let cuda = XMLText.first("cuda_version", in: Substring(xml))
    // `nvidia-smi -q -x` has no NVLink state; `nvidia-smi nvlink -s` captured beside it has.
    if let status = try? root.read(NVLinkProbe.capturedStatusPath) {
      readings = NVLinkProbe.attach(NVLinkProbe.parseStatus(status), to: readings.sorted { $0.pciAddress < $1.pciAddress }, serials: serials)
    }
    return NVMLQuery(
      report: .present(
        NVMLReport(driverVersion: driver, cudaDriverVersion: cuda, gpus: devices.sorted { $0.pciAddress < $1.pciAddress }),
        from: source),
      serials: serials.sorted { $0.pciAddress < $1.pciAddress },
      readings: readings.sorted { $0.pciAddress < $1.pciAddress })
  }

  /// `143771 MiB` → bytes.
  func mebibytes(_ text: String) -> UInt64? {
    let parts = text.split(separator: " ")
    guard parts.count == 2, parts[1] == "MiB", let value = UInt64(parts[0]) else { return nil }
    return value * 1_048_576
  }

  func yes(_ text: String) -> Bool? {
    switch text {
    case "Yes": return true
    case "No": return false
    default: return nil
    }
  }

  func enabled(_ text: String) -> Bool? {
    switch text {
    case "Enabled": return true
    case "Disabled": return false
    default: return nil
    }
  }
}

/// Just enough XML reading for nvidia-smi's flat, well-known report.
enum XMLText {
  /// The text of the first `<name>…</name>` in `xml`, entity-decoded; nil when absent or `N/A`.
  static func first(_ name: String, in xml: Substring) -> String? {
    guard let open = xml.firstRange(of: "<\(name)>"), let close = xml[open.upperBound...].firstRange(of: "</\(name)>") else { return nil }
    let value = decodeEntities(String(xml[open.upperBound..<close.lowerBound]).trimmed)
    return value.isEmpty || value == "N/A" ? nil : value
  }

  /// The inside of the first `<name>…</name>`.
  static func section(_ name: String, in xml: Substring) -> Substring? {
    guard let open = xml.firstRange(of: "<\(name)>"), let close = xml[open.upperBound...].firstRange(of: "</\(name)>") else { return nil }
    return xml[open.upperBound..<close.lowerBound]
  }

  /// Every `<name attribute="value">…</name>`, as (value, inside).
  static func elements(_ name: String, attribute: String, in xml: String) -> [(String, Substring)] {
    var results: [(String, Substring)] = []
    var rest = Substring(xml)
    let opening = "<\(name) \(attribute)=\""
    while let open = rest.firstRange(of: opening) {
      guard let quote = rest[open.upperBound...].firstIndex(of: "\""),
        let tagEnd = rest[quote...].firstIndex(of: ">"),
        let close = rest[tagEnd...].firstRange(of: "</\(name)>")
      else { break }
      results.append((String(rest[open.upperBound..<quote]), rest[rest.index(after: tagEnd)..<close.lowerBound]))
      rest = rest[close.upperBound...]
    }
    return results
  }

  static func decodeEntities(_ text: String) -> String {
    guard text.contains("&") else { return text }
    return text.replacing("&lt;", with: "<").replacing("&gt;", with: ">")
      .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
      .replacing("&amp;", with: "&")
  }
}
