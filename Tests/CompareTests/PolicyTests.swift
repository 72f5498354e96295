import Reporting
import Testing

@testable import Compare

@Suite struct PolicyTests {
  @Test func globs() {
    #expect(Glob.matches(pattern: Array("host.kernel.*"), text: Array("host.kernel.release")))
    #expect(!Glob.matches(pattern: Array("host.*"), text: Array("host.kernel.release")), "* stops at a dot")
    #expect(Glob.matches(pattern: Array("host.**"), text: Array("host.kernel.release")))
    #expect(Glob.matches(pattern: Array("images[*].python.packages[nvidia-*]"), text: Array("images[reg.example.com/x:1.0].python.packages[nvidia-cudnn-cu12]")))
    #expect(!Glob.matches(pattern: Array("images[*].python.packages[nvidia-*]"), text: Array("images[x].python.packages[numpy]")))
  }

  @Test func defaultPolicyKnowsML() {
    let policy = Policy.mlDefault
    #expect(policy.rule(for: "images[x].frameworks[torch].info.version").rule == .exact)
    #expect(policy.rule(for: "images[x].python.packages[torch]").rule == .exact)
    #expect(policy.rule(for: "images[x].python.packages[numpy]").rule == .warn)
    #expect(policy.rule(for: "images[x].python.packages[nvidia-nccl-cu12]").rule == .exact)
    #expect(policy.rule(for: "images[x].condaPackages[numpy]").rule == .warn)
    #expect(policy.rule(for: "images[x].condaPackages[pytorch]").rule == .exact)
    #expect(policy.rule(for: "images[x].condaPackages[cuda-cudart]").rule == .exact)
    #expect(policy.rule(for: "images[x].condaPackages[cudnn]").rule == .exact)
    #expect(policy.rule(for: "images[x].condaPackages[nccl]").rule == .exact)
    #expect(policy.rule(for: "images[x].condaPackages[libcurl]").rule == .warn)
    #expect(policy.rule(for: "images[x].summary.cuda").rule == .sameMinor)
    #expect(policy.rule(for: "host.kernel.release").rule == .informational)
    #expect(policy.rule(for: "host.nvidia.kernelModule.version").rule == .sameBranch)
    #expect(policy.rule(for: "host.nvidia.nvml.driverVersion").rule == .sameBranch)
    #expect(policy.rule(for: "host.nvidia.kernelModule").rule == .warn)
    #expect(policy.rule(for: "host.nvidia.nvml").rule == .warn)
    #expect(policy.rule(for: "host.nvidia.nvml.cudaDriverVersion").rule == .informational)
    #expect(policy.rule(for: "host.nvidia.kernelModule.flavour").rule == .informational)
    #expect(policy.rule(for: "host.pci.database.version").rule == .ignore)
    #expect(policy.rule(for: "host.libc.version").rule == .atLeast)
  }

  @Test func severities() {
    #expect(Comparator.severity(.sameMinor, kind: .changed, left: "12.4.1", right: "12.4.131") == .note)
    #expect(Comparator.severity(.sameMinor, kind: .changed, left: "12.4", right: "12.6") == .error)
    #expect(Comparator.severity(.sameMajor, kind: .changed, left: "2.21.5-1", right: "2.19.3") == .note)
    #expect(Comparator.severity(.atLeast, kind: .changed, left: "2.36", right: "2.31") == .error)
    #expect(Comparator.severity(.atLeast, kind: .changed, left: "2.31", right: "2.39") == .note)
    #expect(Comparator.severity(.sameMinor, kind: .changed, left: "none", right: "12.4") == .error)
    #expect(Comparator.severity(.warn, kind: .added, left: nil, right: "x") == .warning)
    #expect(Comparator.severity(.sameBranch, kind: .downgraded, left: "580.159.04", right: "575.57.08") == .error, "another branch")
    #expect(Comparator.severity(.sameBranch, kind: .downgraded, left: "580.159.04", right: "580.95.05") == .warning, "another patch level")
    #expect(Comparator.severity(.sameBranch, kind: .upgraded, left: "580.65.06", right: "580.159.04") == .warning)
    #expect(Comparator.severity(.sameBranch, kind: .changed, left: "present", right: "<absent>") == .warning, "no version to compare")
  }

  @Test func userRulesOverrideTheNewDefaults() throws {
    let policy = try PolicyFile.load(
      """
      rules:
        - match: "images[*].python.packages[numpy]"
          rule: same-branch
          reason: numpy 2 broke our C extension
        - match: "images[*].python.packages[*]"
          rule: informational
        - match: "host.nvidia.**"
          rule: informational
      """, name: "policy.yaml")
    #expect(policy.rule(for: "images[x].python.packages[numpy]").rule == .sameBranch)
    #expect(policy.rule(for: "images[x].python.packages[requests]").rule == .informational)
    #expect(policy.rule(for: "images[x].python.packages[torch]").rule == .informational, "the user's wildcard comes first")
    #expect(policy.rule(for: "host.nvidia.kernelModule.version").rule == .informational)
    #expect(policy.rule(for: "images[x].condaPackages[cudnn]").rule == .exact, "the built-in rules follow")
  }

  @Test func yamlPolicy() throws {
    let policy = try PolicyFile.load(
      """
      # our rules
      rules:
        - match: "images[*].python.packages[numpy]"
          rule: exact
          reason: compiled against numpy's C API
        - match: host.kernel.**
          rule: ignore
      """, name: "policy.yaml")
    #expect(policy.rule(for: "images[x].python.packages[numpy]").rule == .exact)
    #expect(policy.rule(for: "images[x].python.packages[numpy]").reason == "compiled against numpy's C API")
    #expect(policy.rule(for: "host.kernel.release").rule == .ignore)
    #expect(policy.rule(for: "images[x].python.packages[torch]").rule == .exact, "the built-in rules follow")
    let only = try PolicyFile.load("rules:\n  - match: '**'\n    rule: exact\ndefaults: none\n", name: "p.yaml")
    #expect(only.entries.count == 1)
  }

  @Test(arguments: [
    ("rules:\n  - match: x\n    rule: strict\n", "p.yaml:3:11: unknown rule `strict`"),
    ("rules:\n  - match: x\n    rules: exact\n", "p.yaml:3:5: unknown key `rules` in a rule"),
    ("rule:\n  - match: x\n", "p.yaml:1:1: unknown key `rule`"),
    ("rules:\n  - rule: exact\n", "p.yaml:2:5: a rule needs `match`"),
    ("rules: [\n", "p.yaml:"),
    ("- just\n- a list\n", "p.yaml:1:1: a policy is a mapping"),
    ("rules:\n  match: x\n", "p.yaml:2:3: `rules` must be a list"),
  ])
  func policyErrorsNameLineAndColumn(text: String, expected: String) {
    #expect {
      _ = try PolicyFile.load(text, name: "p.yaml")
    } throws: { error in
      "\(error)".hasPrefix(expected)
    }
  }

  @Test func ancestors() {
    #expect(PrefixIndex.ancestors(of: "images[a.b].python.packages[x]") == ["images", "images[a.b]", "images[a.b].python", "images[a.b].python.packages", "images[a.b].python.packages[x]"])
  }
}
