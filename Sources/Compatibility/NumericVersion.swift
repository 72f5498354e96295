/// A version made of numbers and dots (`580.159.04`, `13.0`, `12.4.1`), compared number by
/// number with trailing zeros ignored, as libnvidia-container compares `cuda` and `driver`.
public struct NumericVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
  public let components: [Int]
  /// The text it was parsed from (keeps leading zeros such as `.04`).
  public let text: String

  /// Parses digits separated by dots; nil for anything else (empty parts, letters, signs).
  public init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard !parts.isEmpty, parts.count <= 8 else { return nil }
    var numbers: [Int] = []
    for part in parts {
      guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(part) else { return nil }
      numbers.append(number)
    }
    components = numbers
    self.text = text
  }

  public var major: Int { components[0] }
  public var minor: Int { components.count > 1 ? components[1] : 0 }
  public var description: String { text }

  /// The first `count` components (`12.4.1` → `12.4` for 2).
  public func prefix(_ count: Int) -> [Int] {
    (0..<count).map { $0 < components.count ? components[$0] : 0 }
  }

  private var trimmed: [Int] {
    var values = components
    while values.count > 1, values.last == 0 { values.removeLast() }
    return values
  }

  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.trimmed == rhs.trimmed }
  public func hash(into hasher: inout Hasher) { hasher.combine(trimmed) }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    let count = max(lhs.components.count, rhs.components.count)
    for index in 0..<count {
      let left = index < lhs.components.count ? lhs.components[index] : 0
      let right = index < rhs.components.count ? rhs.components[index] : 0
      if left != right { return left < right }
    }
    return false
  }
}
