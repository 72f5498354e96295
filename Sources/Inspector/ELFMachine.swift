/// The machine an ELF file was built for, read from its header (`e_ident`, `e_machine`),
/// named as `uname -m` names it. Layout: elf.h (glibc) / the System V ABI: `e_ident[EI_CLASS]`
/// at 4, `e_ident[EI_DATA]` at 5 (1 little-, 2 big-endian), `e_machine` a 16-bit field at 18.
enum ELFMachine {
  static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]

  /// `uname -m` for an ELF header's first bytes; nil for anything that is not ELF.
  static func unameMachine(header bytes: [UInt8]) -> String? {
    guard bytes.count >= 20, Array(bytes[0..<4]) == magic else { return nil }
    let littleEndian = bytes[5] == 1
    let machine = littleEndian ? UInt16(bytes[18]) | UInt16(bytes[19]) << 8 : UInt16(bytes[19]) | UInt16(bytes[18]) << 8
    let is64 = bytes[4] == 2
    switch machine {
    case 62: return "x86_64"  // EM_X86_64
    case 183: return "aarch64"  // EM_AARCH64
    case 3: return "i686"  // EM_386
    case 40: return "armv7l"  // EM_ARM
    case 21: return littleEndian ? "ppc64le" : "ppc64"  // EM_PPC64
    case 22: return is64 ? "s390x" : "s390"  // EM_S390
    case 243: return is64 ? "riscv64" : "riscv32"  // EM_RISCV
    default: return nil
    }
  }

  /// An OCI/Docker config `architecture` (GOARCH names) as `uname -m` names the machine.
  static func unameMachine(ociArchitecture: String, variant: String? = nil) -> String? {
    switch ociArchitecture {
    case "amd64": return "x86_64"
    case "arm64": return "aarch64"
    case "386": return "i686"
    case "arm": return variant == "v6" ? "armv6l" : "armv7l"
    case "ppc64le", "s390x", "riscv64": return ociArchitecture
    default: return nil
    }
  }
}
