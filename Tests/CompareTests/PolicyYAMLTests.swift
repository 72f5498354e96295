import Testing

@testable import Compare

@Suite struct PolicyYAMLTests {
  func rules(_ text: String) throws -> [PolicyEntry] {
    try PolicyFile.load(text, name: "p.yaml").entries.dropLast(Policy.mlDefault.entries.count).map { $0 }
  }

  @Test func blockFlowAndQuotedStyles() throws {
    let parsed = try rules(
      """
      ---
      # comment line
      rules:   # trailing comment
      - match: 'images[*].python.packages[it''s]'
        rule: exact
      - {match: "host.kernel.**", rule: ignore, reason: "patch # level"}
      -   match: host.cpu.mlFlags[*]
          rule: warn
          reason: plain text: with a colon
      defaults: builtin
      """)
    #expect(parsed == [
      PolicyEntry("images[*].python.packages[it's]", .exact),
      PolicyEntry("host.kernel.**", .ignore, reason: "patch # level"),
      PolicyEntry("host.cpu.mlFlags[*]", .warn, reason: "plain text: with a colon"),
    ])
  }

  @Test func emptyDocumentAndEmptyRules() throws {
    #expect(throws: CompareInputError.self) { try PolicyFile.load("", name: "p.yaml") }
    #expect(try PolicyFile.load("rules: []\n", name: "p.yaml").entries.count == Policy.mlDefault.entries.count)
  }

  @Test(arguments: [
    ("rules:\n\t- match: x\n", "p.yaml:2:1: tabs are not allowed"),
    ("rules: &anchor\n  - match: x\n", "p.yaml:1:8: `&`"),
    ("rules:\n  - match: x\n    rule: exact\n    match: y\n", "p.yaml:4:5: duplicate key `match`"),
    ("rules:\n  - match: \"open\n", "p.yaml:2:12: unterminated quoted string"),
    ("rules:\n  - {match: x, rule exact}\n", "p.yaml:2:5: expected `:` in a flow mapping"),
    ("rules:\n  - match: x\n      rule: exact\n", "p.yaml:3:7: unexpected indentation"),
    ("---\nrules: []\n---\nrules: []\n", "p.yaml:3:1: one document per policy file"),
  ])
  func errorsHaveLineAndColumn(text: String, expected: String) {
    #expect { _ = try PolicyFile.load(text, name: "p.yaml") } throws: { "\($0)".hasPrefix(expected) }
  }
}
