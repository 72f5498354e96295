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
    let root: PolicyYAML.Node?
    do {
      root = try PolicyYAML.parse(text)
    } catch {
      throw CompareInputError("\(name):\(error.mark.line):\(error.mark.column): \(error.message)")
    }
    guard let root, case .mapping(let mapping, _) = root else {
      throw CompareInputError("\(name):1:1: a policy is a mapping with a `rules:` list")
    }
    var entries: [PolicyEntry] = []
    var useDefaults = true
    for (key, keyMark, value) in mapping {
      switch key {
      case "rules":
        guard case .sequence(let sequence, _) = value else { throw error(name, value.mark, "`rules` must be a list") }
        for item in sequence { entries.append(try entry(item, name: name)) }
      case "defaults":
        switch value.string {
        case "builtin": useDefaults = true
        case "none": useDefaults = false
        default: throw error(name, value.mark, "`defaults` must be `builtin` or `none`")
        }
      default:
        throw error(name, keyMark, "unknown key `\(key)` (expected `rules` or `defaults`)")
      }
    }
    return useDefaults ? Policy.mlDefault.overriding(with: entries) : Policy(entries: entries)
  }

  static func entry(_ node: PolicyYAML.Node, name: String) throws(CompareInputError) -> PolicyEntry {
    guard case .mapping(let mapping, _) = node else { throw error(name, node.mark, "each rule is a mapping with `match` and `rule`") }
    var pattern: String?
    var rule: PolicyRule?
    var reason: String?
    for (key, keyMark, value) in mapping {
      switch key {
      case "match":
        guard let text = value.string, !text.isEmpty else { throw error(name, value.mark, "`match` must be a non-empty string") }
        pattern = text
      case "rule":
        guard let text = value.string, let parsed = PolicyRule(rawValue: text) else {
          throw error(name, value.mark, "unknown rule `\(value.string ?? "")` (expected \(PolicyRule.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        rule = parsed
      case "reason":
        reason = value.string
      default:
        throw error(name, keyMark, "unknown key `\(key)` in a rule (expected match, rule, reason)")
      }
    }
    guard let pattern else { throw error(name, node.mark, "a rule needs `match`") }
    guard let rule else { throw error(name, node.mark, "a rule needs `rule`") }
    return PolicyEntry(pattern, rule, reason: reason)
  }

  static func error(_ name: String, _ mark: PolicyYAML.Mark, _ message: String) -> CompareInputError {
    CompareInputError("\(name):\(mark.line):\(mark.column): \(message)")
  }
}
