/// PEP 440 version ordering (epoch, release, pre-, post- and dev-releases, local labels), for
/// telling an upgrade from a downgrade. Versions that are not PEP 440 order after all valid
/// ones, by text.
public struct PythonVersion: Comparable, Sendable, Hashable {
  public let text: String
  let key: Key?

  struct Key: Comparable, Hashable, Sendable {
    var epoch: Int
    var release: [Int]
    /// (phase, number): dev-only releases sort first, then a/b/rc, then final, then post.
    var pre: [Int]
    var post: Int
    var dev: Int
    var local: [String]

    static func < (lhs: Key, rhs: Key) -> Bool {
      if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch }
      let count = max(lhs.release.count, rhs.release.count)
      for index in 0..<count {
        let left = index < lhs.release.count ? lhs.release[index] : 0
        let right = index < rhs.release.count ? rhs.release[index] : 0
        if left != right { return left < right }
      }
      if lhs.pre != rhs.pre { return lhs.pre.lexicographicallyPrecedes(rhs.pre) }
      if lhs.post != rhs.post { return lhs.post < rhs.post }
      if lhs.dev != rhs.dev { return lhs.dev < rhs.dev }
      return lhs.local.lexicographicallyPrecedes(rhs.local) { a, b in
        switch (Int(a), Int(b)) {
        case let (x?, y?): return x < y
        case (nil, _?): return true
        case (_?, nil): return false
        default: return a < b
        }
      }
    }
  }

  public init(_ text: String) {
    self.text = text
    self.key = Self.parse(text)
  }

  /// Whether the text is a valid PEP 440 version.
  public var isValid: Bool { key != nil }

  static func parse(_ raw: String) -> Key? {
    var text = Substring(raw.lowercased().trimmingWhitespaceSimple)
    if text.hasPrefix("v") { text = text.dropFirst() }
    var local: [String] = []
    if let plus = text.firstIndex(of: "+") {
      local = text[text.index(after: plus)...].split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" }).map(String.init)
      text = text[..<plus]
    }
    var epoch = 0
    if let bang = text.firstIndex(of: "!") {
      guard let value = Int(text[..<bang]) else { return nil }
      epoch = value
      text = text[text.index(after: bang)...]
    }
    var releaseText = text.prefix { $0.isNumber || $0 == "." }
    while releaseText.hasSuffix(".") { releaseText = releaseText.dropLast() }
    let release = releaseText.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
    guard !release.isEmpty, release.allSatisfy({ $0 != nil }) else { return nil }
    var rest = text.dropFirst(releaseText.count)
    func number() -> Int {
      while let first = rest.first, first == "." || first == "-" || first == "_" { rest = rest.dropFirst() }
      let digits = rest.prefix(while: \.isNumber)
      rest = rest.dropFirst(digits.count)
      return Int(digits) ?? 0
    }
    func take(_ words: [String]) -> Bool {
      while let first = rest.first, first == "." || first == "-" || first == "_" {
        if words.contains(where: { rest.dropFirst().hasPrefix($0) }) { rest = rest.dropFirst() } else { break }
      }
      for word in words where rest.hasPrefix(word) {
        rest = rest.dropFirst(word.count)
        return true
      }
      return false
    }
    var pre = [3, 0]  // final release
    var post = -1
    var dev = Int.max
    if take(["alpha", "a"]) { pre = [0, number()] } else if take(["beta", "b"]) { pre = [1, number()] } else if take(["rc", "c", "preview", "pre"]) { pre = [2, number()] }
    if take(["post", "rev", "r"]) { post = number() } else if rest.hasPrefix("-"), rest.dropFirst().first?.isNumber == true { rest = rest.dropFirst(); post = number() }
    if take(["dev"]) { dev = number() }
    guard rest.isEmpty else { return nil }
    // A dev release of a final version sorts before its pre-releases.
    if dev != Int.max && pre == [3, 0] && post == -1 { pre = [-1, 0] }
    var numbers = release.map { $0! }
    while numbers.count > 1, numbers.last == 0 { numbers.removeLast() }
    return Key(epoch: epoch, release: numbers, pre: pre, post: post, dev: dev, local: local)
  }

  public static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
    switch (lhs.key, rhs.key) {
    case let (left?, right?): return left < right
    case (nil, _?): return false
    case (_?, nil): return true
    default: return lhs.text < rhs.text
    }
  }

  public static func == (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
    switch (lhs.key, rhs.key) {
    case let (left?, right?): return left == right
    default: return lhs.text == rhs.text
    }
  }

  public func hash(into hasher: inout Hasher) {
    if let key { hasher.combine(key) } else { hasher.combine(text) }
  }
}

extension StringProtocol {
  fileprivate var trimmingWhitespaceSimple: Substring {
    var view = Substring(self)
    while view.first?.isWhitespace == true { view.removeFirst() }
    while view.last?.isWhitespace == true { view.removeLast() }
    return view
  }
}
