/// The probes' parsers of untrusted or machine-written text, for the fuzzer (Fuzz/FuzzParsers)
/// only: `@_spi(Fuzzing) import Probes`. Not part of the library's API. Each runs the parser
/// and drops the result; all a fuzzer asks is that it returns.
@_spi(Fuzzing) public enum ProbeParsers {
  public static func osRelease(_ text: String) { _ = SystemProbes.parseOSRelease(text) }
  public static func procVersion(_ text: String) { _ = SystemProbes.parseProcVersion(text) }
  public static func nvrmVersion(_ text: String) { _ = NvidiaDriverProbe.parseVersionFile(text) }
  public static func meminfo(_ text: String) { _ = SystemProbes.parseMeminfo(text) }

  public static func mounts(_ text: String) {
    for mount in SystemProbes.parseMounts(text) { _ = mount.options.first.map { SystemProbes.parseSizeOption($0) } }
  }

  public static func cgroupCPU(_ text: String) {
    _ = CgroupProbe.parseCPUMax(text)
    _ = CgroupProbe.ownGroupPath(text, version: 2)
    _ = CgroupProbe.parseLimit(text)
  }

  public static func nvidiaSMIXML(_ text: String) {
    for (busID, body) in XMLText.elements("gpu", attribute: "id", in: text) {
      _ = normalizedPCIAddress(busID)
      _ = XMLText.first("product_name", in: body)
      _ = XMLText.section("fb_memory_usage", in: body)
    }
  }

  public static func cdiSpec(_ text: String) {
    _ = CDISpecParser.parse(text, path: "/etc/cdi/fuzz.yaml", isJSON: false)
    _ = CDISpecParser.parse(text, path: "/etc/cdi/fuzz.json", isJSON: true)
  }

  /// The node-health parsers, on one input: kernel log lines, `nvidia-smi nvlink -s`, dpkg's
  /// status database, `systemctl status`, an nvidia-smi report's clocks event reasons.
  public static func nodeHealth(_ text: String) {
    let lines = text.split(separator: "\n").map(String.init)
    _ = KernelLogProbe.summarize(lines, truncated: false)
    _ = lines.first.map(KernelLogProbe.message(ofKmsgRecord:))
    _ = NVLinkProbe.parseStatus(text)
    _ = PackageDatabase.parseDpkgStatus(text)
    _ = FabricManagerProbe.parseStatus(text)
    _ = ClocksEventReasons.names(inXML: Substring(text))
    _ = RDMAProbe.stateName(text)
  }
}
