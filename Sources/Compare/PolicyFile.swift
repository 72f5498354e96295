import Yams

/// Reads a user policy (`--policy FILE`):
///
/// ```yaml
/// # rigcheck policy: first matching rule wins; the built-in ML rules follow yours.
/// rules:
///   - match: "images[*].python.packages[numpy]"
///     rule: exact
///     reason: our kernels are compiled against numpy's C API
///   - match: "host.kernel.**"
///     rule: ignore
/// defaults: builtin        # or `none` to use only these rules
/// ```
///
/// Errors name the file, line and column.
public enum PolicyFile {
  public static func load(_ text: String, name: String) throws(CompareInputError) -> Policy {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch {
      throw CompareInputError("\(name): \(describe(error))")
    }
    guard let root, case .mapping(let mapping) = root else {
      throw CompareInputError("\(name):1:1: a policy is a mapping with a `rules:` list")
    }
    var entries: [PolicyEntry] = []
    var useDefaults = true
    for (keyNode, value) in mapping {
      guard let key = keyNode.string else { throw error(name, keyNode, "keys must be strings") }
      switch key {
      case "rules":
        guard case .sequence(let sequence) = value else { throw error(name, value, "`rules` must be a list") }
        for item in sequence { entries.append(try entry(item, name: name)) }
      case "defaults":
        switch value.string {
        case "builtin": useDefaults = true
        case "none": useDefaults = false
        default: throw error(name, value, "`defaults` must be `builtin` or `none`")
        }
      default:
        throw error(name, keyNode, "unknown key `\(key)` (expected `rules` or `defaults`)")
      }
    }
    return useDefaults ? Policy.mlDefault.overriding(with: entries) : Policy(entries: entries)
  }

  static func entry(_ node: Node, name: String) throws(CompareInputError) -> PolicyEntry {
    guard case .mapping(let mapping) = node else { throw error(name, node, "each rule is a mapping with `match` and `rule`") }
    var pattern: String?
    var rule: PolicyRule?
    var reason: String?
    for (keyNode, value) in mapping {
      switch keyNode.string {
      case "match":
        guard let text = value.string, !text.isEmpty else { throw error(name, value, "`match` must be a non-empty string") }
        pattern = text
      case "rule":
        guard let text = value.string, let parsed = PolicyRule(rawValue: text) else {
          throw error(name, value, "unknown rule `\(value.string ?? "")` (expected \(PolicyRule.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        rule = parsed
      case "reason":
        reason = value.string
      default:
        throw error(name, keyNode, "unknown key `\(keyNode.string ?? "")` in a rule (expected match, rule, reason)")
      }
    }
    guard let pattern else { throw error(name, node, "a rule needs `match`") }
    guard let rule else { throw error(name, node, "a rule needs `rule`") }
    return PolicyEntry(pattern, rule, reason: reason)
  }

  static func error(_ name: String, _ node: Node, _ message: String) -> CompareInputError {
    if let mark = node.mark { return CompareInputError("\(name):\(mark.line):\(mark.column): \(message)") }
    return CompareInputError("\(name): \(message)")
  }

  /// Yams's errors as one line with line and column.
  static func describe(_ error: any Error) -> String {
    if let yamlError = error as? YamlError {
      switch yamlError {
      case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
        return "\(mark.line):\(mark.column): \(problem)" + (context.map { " (\($0.text))" } ?? "")
      default:
        return "\(yamlError)".split(separator: "\n").first.map(String.init) ?? "invalid YAML"
      }
    }
    return "\(error)"
  }
}
