import Fingerprint

/// The YAML that policy files use — block mappings and sequences, one-line flow collections
/// (`{match: x, rule: exact}`, `[a, b]`), plain, single- and double-quoted scalars, comments —
/// parsed with a line and column on every node and error. Anything beyond that (anchors,
/// tags, multi-line scalars) is refused with its position, not guessed at.
///
/// It replaces a full YAML library, which would pull all of Foundation into the binary.
enum PolicyYAML {
  struct Mark: Sendable, Hashable {
    var line: Int
    var column: Int
  }

  indirect enum Node: Sendable {
    case scalar(String, Mark)
    case mapping([(key: String, keyMark: Mark, value: Node)], Mark)
    case sequence([Node], Mark)

    var mark: Mark {
      switch self {
      case .scalar(_, let mark), .mapping(_, let mark), .sequence(_, let mark): return mark
      }
    }

    var string: String? {
      if case .scalar(let text, _) = self { return text }
      return nil
    }
  }

  struct SyntaxError: Error, Sendable {
    let mark: Mark
    let message: String
  }

  /// A source line without its comment: indentation, text, and where the text starts.
  struct Line {
    let number: Int
    let indent: Int
    let text: Substring
  }

  /// Parses a document; nil for an empty one.
  static func parse(_ source: String) throws(SyntaxError) -> Node? {
    var lines: [Line] = []
    for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      let indentation = line.prefix { $0 == " " || $0 == "\t" }
      if indentation.contains("\t") { throw SyntaxError(mark: Mark(line: index + 1, column: 1), message: "tabs are not allowed in YAML indentation") }
      line = stripComment(line)
      let text = line.drop { $0 == " " }
      while let last = line.last, last == " " { line = line.dropLast() }
      let trimmed = text.trimmed
      if trimmed.isEmpty || (index == 0 || lines.isEmpty) && trimmed == "---" { continue }
      if trimmed == "---" || trimmed == "..." { throw SyntaxError(mark: Mark(line: index + 1, column: 1), message: "one document per policy file") }
      lines.append(Line(number: index + 1, indent: indentation.count, text: Substring(trimmed)))
    }
    guard !lines.isEmpty else { return nil }
    var position = 0
    let node = try block(&lines, &position, indent: lines[0].indent)
    if position < lines.count {
      throw SyntaxError(mark: Mark(line: lines[position].number, column: lines[position].indent + 1), message: "unexpected indentation")
    }
    return node
  }

  /// Drops a `#` comment that is outside quotes and starts the line or follows a space.
  static func stripComment(_ line: Substring) -> Substring {
    var quote: Character?
    var previous: Character = " "
    for index in line.indices {
      let character = line[index]
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == "#" && previous == " " {
        return line[..<index]
      }
      previous = character
    }
    return line
  }

  /// A block (mapping or sequence) whose lines start at `indent`.
  static func block(_ lines: inout [Line], _ position: inout Int, indent: Int) throws(SyntaxError) -> Node {
    let first = lines[position]
    let mark = Mark(line: first.number, column: first.indent + 1)
    if first.text == "-" || first.text.hasPrefix("- ") {
      var items: [Node] = []
      while position < lines.count, lines[position].indent == indent, lines[position].text == "-" || lines[position].text.hasPrefix("- ") {
        let line = lines[position]
        let rest = line.text.dropFirst(1).drop { $0 == " " }
        let itemIndent = line.indent + (line.text.count - rest.count)
        if rest.isEmpty {
          position += 1
          guard position < lines.count, lines[position].indent > indent else {
            items.append(.scalar("", Mark(line: line.number, column: line.indent + 1)))
            continue
          }
          items.append(try block(&lines, &position, indent: lines[position].indent))
        } else {
          // `- key: value` starts a mapping whose other keys sit at the item's column.
          lines[position] = Line(number: line.number, indent: itemIndent, text: rest)
          items.append(try value(&lines, &position, indent: itemIndent))
        }
      }
      return .sequence(items, mark)
    }
    return try value(&lines, &position, indent: indent)
  }

  /// A mapping starting at this line, or a lone scalar/flow value.
  static func value(_ lines: inout [Line], _ position: inout Int, indent: Int) throws(SyntaxError) -> Node {
    let line = lines[position]
    let mark = Mark(line: line.number, column: line.indent + 1)
    guard let colon = keyColon(line.text) else {
      position += 1
      return try scalarOrFlow(line.text, mark: mark)
    }
    _ = colon
    var entries: [(key: String, keyMark: Mark, value: Node)] = []
    while position < lines.count, lines[position].indent == indent {
      let current = lines[position]
      guard let separator = keyColon(current.text) else {
        throw SyntaxError(mark: Mark(line: current.number, column: current.indent + 1), message: "expected `key: value`")
      }
      let keyMark = Mark(line: current.number, column: current.indent + 1)
      let key = try unquote(current.text[..<separator].trimmed[...], mark: keyMark)
      if entries.contains(where: { $0.key == key }) { throw SyntaxError(mark: keyMark, message: "duplicate key `\(key)`") }
      let rest = current.text[current.text.index(after: separator)...].trimmed
      let valueColumn = current.indent + current.text.distance(from: current.text.startIndex, to: separator) + 2 + (current.text[current.text.index(after: separator)...].prefix { $0 == " " }.count)
      position += 1
      if rest.isEmpty {
        if position < lines.count, lines[position].indent > indent || (lines[position].indent == indent && lines[position].text.hasPrefix("- ")) {
          entries.append((key, keyMark, try block(&lines, &position, indent: lines[position].indent)))
        } else {
          entries.append((key, keyMark, .scalar("", keyMark)))
        }
      } else {
        entries.append((key, keyMark, try scalarOrFlow(rest[...], mark: Mark(line: current.number, column: valueColumn))))
      }
    }
    return .mapping(entries, mark)
  }

  /// The index of the `:` that ends a key (followed by a space or the end), outside quotes and
  /// brackets; nil when the line is not `key: …`.
  static func keyColon(_ text: Substring) -> Substring.Index? {
    if text.hasPrefix("{") || text.hasPrefix("[") { return nil }
    var quote: Character?
    for index in text.indices {
      let character = text[index]
      if let open = quote {
        if character == open { quote = nil }
        continue
      }
      if character == "\"" || character == "'" {
        if index == text.startIndex { quote = character }
        continue
      }
      if character == ":" {
        let next = text.index(after: index)
        if next == text.endIndex || text[next] == " " { return index }
      }
    }
    return nil
  }

  static func scalarOrFlow(_ text: Substring, mark: Mark) throws(SyntaxError) -> Node {
    if text.first == "{" || text.first == "[" {
      var index = text.startIndex
      let node = try flow(text, &index, mark: mark)
      let rest = text[index...].trimmed
      if !rest.isEmpty { throw SyntaxError(mark: mark, message: "unexpected text after a flow collection: `\(rest)`") }
      return node
    }
    if let first = text.first, "&*!|>%@`".contains(first) {
      throw SyntaxError(mark: mark, message: "`\(first)` (anchors, aliases, tags, block scalars) is not supported in policy files")
    }
    return .scalar(try unquote(text, mark: mark), mark)
  }

  /// `{a: b, c: [d, e]}` or `[a, b]` on one line.
  static func flow(_ text: Substring, _ index: inout Substring.Index, mark: Mark) throws(SyntaxError) -> Node {
    let open = text[index]
    let close: Character = open == "{" ? "}" : "]"
    index = text.index(after: index)
    var entries: [(key: String, keyMark: Mark, value: Node)] = []
    var items: [Node] = []
    func skipSpaces() { while index < text.endIndex, text[index] == " " { index = text.index(after: index) } }
    func readItem() throws(SyntaxError) -> Node {
      skipSpaces()
      guard index < text.endIndex else { throw SyntaxError(mark: mark, message: "unterminated `\(open)`") }
      if text[index] == "{" || text[index] == "[" { return try flow(text, &index, mark: mark) }
      let start = index
      var quote: Character?
      while index < text.endIndex {
        let character = text[index]
        if let q = quote {
          if character == q { quote = nil }
        } else if character == "\"" || character == "'" {
          quote = character
        } else if character == "," || character == close || (open == "{" && character == ":") {
          break
        }
        index = text.index(after: index)
      }
      return .scalar(try unquote(text[start..<index].trimmed[...], mark: mark), mark)
    }
    skipSpaces()
    if index < text.endIndex, text[index] == close {
      index = text.index(after: index)
      return open == "{" ? .mapping([], mark) : .sequence([], mark)
    }
    while true {
      let item = try readItem()
      skipSpaces()
      if open == "{" {
        guard index < text.endIndex, text[index] == ":" else { throw SyntaxError(mark: mark, message: "expected `:` in a flow mapping") }
        index = text.index(after: index)
        guard let key = item.string else { throw SyntaxError(mark: mark, message: "flow mapping keys must be scalars") }
        entries.append((key, mark, try readItem()))
        skipSpaces()
      } else {
        items.append(item)
      }
      guard index < text.endIndex else { throw SyntaxError(mark: mark, message: "unterminated `\(open)`") }
      if text[index] == "," {
        index = text.index(after: index)
        continue
      }
      if text[index] == close {
        index = text.index(after: index)
        return open == "{" ? .mapping(entries, mark) : .sequence(items, mark)
      }
      throw SyntaxError(mark: mark, message: "expected `,` or `\(close)`")
    }
  }

  /// Plain, 'single' (with '') or "double" (with \\ escapes) scalars.
  static func unquote(_ text: Substring, mark: Mark) throws(SyntaxError) -> String {
    guard let first = text.first, first == "\"" || first == "'" else { return String(text) }
    guard text.count >= 2, text.last == first else { throw SyntaxError(mark: mark, message: "unterminated quoted string") }
    let inner = text.dropFirst().dropLast()
    if first == "'" { return String(inner).replacing("''", with: "'") }
    var result = ""
    var escaping = false
    for character in inner {
      if escaping {
        switch character {
        case "n": result.append("\n")
        case "t": result.append("\t")
        case "\"", "\\", "/": result.append(character)
        default: throw SyntaxError(mark: mark, message: "unsupported escape `\\\(character)`")
        }
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else {
        result.append(character)
      }
    }
    return result
  }
}
