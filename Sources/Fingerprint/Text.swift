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
