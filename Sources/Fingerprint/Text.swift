extension StringProtocol {
  /// The text without leading and trailing whitespace and newlines (FoundationEssentials has
  /// no CharacterSet-based trimming; every module uses this one).
  public var trimmed: String {
    var view = Substring(self)
    while let first = view.first, first.isWhitespace { view.removeFirst() }
    while let last = view.last, last.isWhitespace { view.removeLast() }
    return String(view)
  }
}

extension String {
  /// The text of a C buffer up to its first NUL (the whole buffer when it has none), as UTF-8.
  public init(nulTerminated buffer: [CChar]) {
    self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
