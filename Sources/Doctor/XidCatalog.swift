import Reporting

/// What an Xid means and what to do about it, from NVIDIA's Xid catalogue
/// (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html: mnemonic,
/// description and "Resolution Bucket (Immediate Action)" for Ampere and newer), condensed.
///
/// Severity follows the immediate action: RESTART_APP (the application's own fault, or one it
/// survives by restarting) is a note; RESET_GPU / RESTART_BM / drain is an error; anything
/// else (CONTACT_SUPPORT, CHECK_MECHANICALS, not in this table) a warning.
enum XidCatalog {
  struct Entry: Sendable {
    var meaning: String
    var action: String
    var severity: Severity
  }

  static let entries: [Int: Entry] = [
    8: Entry(meaning: "GPU stopped processing (channel idle timeout)", action: "restart the application; if it recurs, reset the GPU", severity: .warning),
    13: Entry(meaning: "graphics engine exception (usually an illegal instruction or out-of-range access in the application)", action: "restart the application; debug it with compute-sanitizer if it recurs", severity: .note),
    31: Entry(meaning: "GPU memory page fault (usually the application's invalid memory access)", action: "restart the application; debug it with compute-sanitizer if it recurs", severity: .note),
    43: Entry(meaning: "GPU stopped processing (the application's channel was reset)", action: "restart the application", severity: .note),
    45: Entry(meaning: "preemptive cleanup after an earlier error (a process was killed)", action: "none by itself; look at the Xid logged before it", severity: .note),
    48: Entry(meaning: "double-bit ECC error (uncorrectable DRAM error)", action: "drain the node and reset the GPU (nvidia-smi -r) or reboot; if it recurs, RMA the GPU", severity: .error),
    61: Entry(meaning: "internal micro-controller breakpoint/warning", action: "reset the GPU or reboot; contact support if it recurs", severity: .error),
    62: Entry(meaning: "internal micro-controller halt", action: "reset the GPU or reboot; contact support if it recurs", severity: .error),
    63: Entry(meaning: "ECC page retirement or row remapping recorded", action: "reset the GPU when idle so the remapping takes effect (nvidia-smi -q -d ROW_REMAPPER)", severity: .warning),
    64: Entry(meaning: "ECC page retirement or row remapping failure", action: "drain the node and RMA the GPU", severity: .error),
    68: Entry(meaning: "video processor exception", action: "restart the application; reset the GPU if it recurs", severity: .warning),
    74: Entry(meaning: "NVLink error", action: "drain the node, reset the GPUs, check NVLink/NVSwitch health (nvidia-smi nvlink -e); RMA if it recurs", severity: .error),
    79: Entry(meaning: "GPU has fallen off the bus", action: "drain the node and reboot; check power, cooling and the PCIe slot/riser; RMA if it recurs", severity: .error),
    92: Entry(meaning: "high single-bit ECC error rate", action: "watch nvidia-smi -q -d ECC; reset the GPU, RMA if it keeps rising", severity: .warning),
    94: Entry(meaning: "contained ECC error (the affected application was stopped)", action: "restart the application; reset the GPU when idle", severity: .warning),
    95: Entry(meaning: "uncontained ECC error", action: "drain the node and reset the GPU (nvidia-smi -r) or reboot", severity: .error),
    109: Entry(meaning: "context switch timeout", action: "restart the application; reset the GPU if it recurs", severity: .warning),
    119: Entry(meaning: "GSP RPC timeout (the GPU System Processor stopped answering)", action: "drain the node and reset the GPU or reboot; update the driver if it recurs", severity: .error),
    120: Entry(meaning: "GSP error", action: "drain the node and reset the GPU or reboot; update the driver if it recurs", severity: .error),
    121: Entry(meaning: "C2C (chip-to-chip) link error", action: "reset the GPU or reboot; contact support if it recurs", severity: .error),
    140: Entry(meaning: "unrecovered ECC error", action: "drain the node and reset the GPU or reboot", severity: .error),
    149: Entry(meaning: "NVLink / fabric error (NETIR)", action: "drain the node; check NVLink and the fabric", severity: .error),
    154: Entry(meaning: "GPU recovery action changed (the driver asks for a reset or reboot)", action: "follow the action in the message: reset the GPU, or reboot the node", severity: .error),
  ]

  static func entry(_ code: Int) -> Entry {
    entries[code]
      ?? Entry(
        meaning: "not in rigcheck's summary of the catalogue", action: "look the code up in https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html",
        severity: .warning)
  }

  /// SXid (NVSwitch): the message says `Fatal` or `Non-fatal` (Fabric Manager User Guide,
  /// "NVSwitch SXid errors"). A fatal one leaves the fabric degraded until the GPUs and
  /// switches are reset.
  static func switchEntry(latest: String) -> Entry {
    if latest.contains("Non-fatal") {
      return Entry(meaning: "non-fatal NVSwitch error", action: "watch for recurrence; check the NVLink cabling/baseboard if it repeats", severity: .warning)
    }
    return Entry(
      meaning: latest.contains("Fatal") ? "fatal NVSwitch error" : "NVSwitch error",
      action: "drain the node; reset the GPUs and NVSwitches (or reboot); contact support if it recurs", severity: .error)
  }
}
