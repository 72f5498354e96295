/// Why one file's CUDA code could not be read. The message names the file and the field at fault.
public struct CUDABinaryError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The file could not be opened or read (permissions, I/O error, vanished).
    case unreadable
    /// An ELF header, section table or fatbinary header contradicts itself or the file's size.
    case malformed
  }

  public let kind: Kind
  /// The file, as the user knows it (a path inside the image).
  public let file: String
  public let reason: String

  public init(_ kind: Kind, file: String, _ reason: String) {
    self.kind = kind
    self.file = file
    self.reason = reason
  }

  public var description: String { "\(file): \(reason)" }
}
