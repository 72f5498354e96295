import Fingerprint

/// Turns a fingerprint's identity into `path → value` leaves that can be compared.
///
/// - `Observed` wrappers (`status`/`source`/`value`/`reason`) disappear: their value sits at the
///   wrapper's path and a missing value becomes a `<absent>`/`<unreadable>` leaf; sources and
///   reasons are provenance, not identity, and are not compared.
/// - Arrays of objects are keyed by their identifying field (`address`, `pciAddress`,
///   `reference`, `path`, `name`, `variable`, `source`), packages by their normalized name, so a
///   reordering is no change and an insertion is one addition.
/// - Arrays of scalars are sets: `loadedModules[nvidia_uvm]` present or not.
enum Flattening {
  static let identityKeys = ["address", "pciAddress", "reference", "path", "name", "source"]

  struct Leaf: Sendable, Hashable {
    let value: String
    /// Whether this leaf is a package version (compared by PEP 440).
    let isPackageVersion: Bool
  }

  static func flatten(_ tree: JSONTree, prefix: String = "") -> [String: Leaf] {
    var leaves: [String: Leaf] = [:]
    walk(tree, path: prefix, into: &leaves)
    return leaves
  }

  static func walk(_ tree: JSONTree, path: String, into leaves: inout [String: Leaf]) {
    switch tree {
    case .object(let members):
      if let status = members["status"]?.scalarText, members["source"] != nil, members.keys.allSatisfy({ ["status", "source", "value", "reason"].contains($0) }) {
        if let value = members["value"], status == "present" {
          walk(value, path: path, into: &leaves)
        } else {
          leaves[path] = Leaf(value: "<\(status)>", isPackageVersion: false)
        }
        return
      }
      if members.isEmpty { leaves[path] = Leaf(value: "{}", isPackageVersion: false) }
      for (key, value) in members {
        walk(value, path: path.isEmpty ? key : "\(path).\(key)", into: &leaves)
      }
    case .array(let elements):
      if elements.isEmpty {
        leaves[path] = Leaf(value: "[]", isPackageVersion: false)
        return
      }
      // Packages: {name, version}.
      if elements.allSatisfy(isPackage) {
        for element in elements {
          let name = Package.normalize(element["name"]!.scalarText!)
          leaves["\(path)[\(name)]"] = Leaf(value: element["version"]!.scalarText!, isPackageVersion: true)
        }
        return
      }
      if case .object = elements[0], let key = identityKeys.first(where: { key in elements.allSatisfy { $0[key]?.scalarText != nil } }),
        Set(elements.map { $0[key]!.scalarText! }).count == elements.count
      {
        for element in elements {
          guard case .object(var members) = element else { continue }
          let identity = members.removeValue(forKey: key)!.scalarText!
          walk(.object(members), path: "\(path)[\(identity)]", into: &leaves)
        }
        return
      }
      if elements.allSatisfy({ $0.scalarText != nil }) {
        for element in elements { leaves["\(path)[\(element.scalarText!)]"] = Leaf(value: "present", isPackageVersion: false) }
        return
      }
      for (index, element) in elements.enumerated() { walk(element, path: "\(path)[\(index)]", into: &leaves) }
    default:
      leaves[path] = Leaf(value: tree.scalarText ?? "", isPackageVersion: false)
    }
  }

  /// `{"name": …, "version": …}` and nothing else.
  static func isPackage(_ tree: JSONTree) -> Bool {
    guard case .object(let members) = tree, members.count == 2, case .string? = members["name"], case .string? = members["version"] else { return false }
    return true
  }

}
