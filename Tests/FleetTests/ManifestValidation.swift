import Foundation
import Yams

/// Structural checks of a Kubernetes DaemonSet against the apps/v1 API's required fields.
enum ManifestValidation {
  static func load(_ path: String) throws -> [[String: Any]] {
    try parse(String(contentsOfFile: path, encoding: .utf8))
  }

  static func parse(_ text: String) throws -> [[String: Any]] {
    try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
  }

  static func problems(inDaemonSet manifest: [String: Any]) -> [String] {
    var problems: [String] = []
    if manifest["apiVersion"] as? String != "apps/v1" { problems.append("apiVersion is not apps/v1") }
    if manifest["kind"] as? String != "DaemonSet" { problems.append("kind is not DaemonSet") }
    let metadata = manifest["metadata"] as? [String: Any]
    if (metadata?["name"] as? String)?.isEmpty != false { problems.append("metadata.name is missing") }
    guard let spec = manifest["spec"] as? [String: Any], let template = spec["template"] as? [String: Any],
      let podSpec = template["spec"] as? [String: Any]
    else { return problems + ["spec.template.spec is missing"] }
    let selector = (spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String] ?? [:]
    let labels = (template["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
    if selector.isEmpty || !selector.allSatisfy({ labels[$0.key] == $0.value }) {
      problems.append("spec.selector.matchLabels does not match the template's labels")
    }
    if podSpec["hostPID"] as? Bool == true { problems.append("hostPID is set") }
    if podSpec["hostNetwork"] as? Bool == true { problems.append("hostNetwork is set") }
    let volumes = podSpec["volumes"] as? [[String: Any]] ?? []
    let volumeNames = Set(volumes.compactMap { $0["name"] as? String })
    let hostPathVolumes = Set(volumes.filter { $0["hostPath"] != nil }.compactMap { $0["name"] as? String })
    let writable: Set<String> = ["out", "textfile"]
    let containers = podSpec["containers"] as? [[String: Any]] ?? []
    if containers.isEmpty { problems.append("no containers") }
    for container in containers {
      let name = container["name"] as? String ?? "?"
      if (container["image"] as? String)?.isEmpty != false { problems.append("container \(name) has no image") }
      let security = container["securityContext"] as? [String: Any]
      if security?["privileged"] as? Bool == true { problems.append("container \(name) is privileged") }
      for mount in container["volumeMounts"] as? [[String: Any]] ?? [] {
        let volume = mount["name"] as? String ?? ""
        let path = mount["mountPath"] as? String ?? ""
        if !volumeNames.contains(volume) { problems.append("mount \(path) of \(name) names no volume") }
        if hostPathVolumes.contains(volume) && !writable.contains(volume) && mount["readOnly"] as? Bool != true {
          problems.append("hostPath mount \(path) of \(name) is not readOnly")
        }
      }
    }
    return problems
  }
}
