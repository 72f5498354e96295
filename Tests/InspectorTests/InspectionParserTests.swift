import Fingerprint
import Testing

@testable import Inspector

@Suite struct InspectionParserTests {
  @Test func acceptsOnlyProtocolLinesWithKnownKeys() {
    let parser = InspectionParser(
      """
      rc1\tos.id\tdebian
      hello from the entrypoint
      rc1\tpassword.dump\tsecret
      rc1\t../../etc\tx
      rc1\tOS.ID\tupper
      rc1\tpython.package\tnumpy==1.26.4
      rc2\tos.id\tother
      rc1\tos.version_id
      """)
    #expect(parser.facts == [InspectionParser.Fact(key: "os.id", value: "debian"), InspectionParser.Fact(key: "python.package", value: "numpy==1.26.4")])
    #expect(parser.ignoredLines == 3)
    #expect(parser.rejectedKeys == ["password.dump", "../../etc", "OS.ID"])
  }

  @Test func stripsEscapeSequencesAndControlCharacters() {
    let parser = InspectionParser("rc1\tos.pretty_name\t\u{1b}]0;pwned\u{07}\u{1b}[31mDebian\u{1b}[0m\u{01}\u{9b}2J\n")
    let value = parser.value("os.pretty_name")
    #expect(value == "]0;pwned[31mDebian[0m2J")
    #expect(value?.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) } == true)
  }

  @Test func capsValueLengthAndFactCount() {
    let long = String(repeating: "A", count: 10_000)
    let parser = InspectionParser("rc1\tos.pretty_name\t\(long)\n")
    #expect(parser.value("os.pretty_name")?.count == InspectionParser.maximumValueLength)
    #expect(parser.notes.contains { $0.contains("were cut") })
    let many = String(repeating: "rc1\tpython.package\tx==1\n", count: InspectionParser.maximumFacts + 10)
    let flood = InspectionParser(many)
    #expect(flood.facts.count == InspectionParser.maximumFacts)
    #expect(flood.ignoredLines == 10)
  }

  @Test func binaryGarbageDoesNotCrash() {
    let bytes: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let parser = InspectionParser(String(decoding: bytes, as: UTF8.self) + "\nrc1\tarch\tx86_64\n")
    #expect(parser.value("arch") == "x86_64")
  }

  @Test func keyValidation() {
    #expect(InspectionParser.isValidKey("framework.torch.arch_list"))
    #expect(InspectionParser.isValidKey("arch"))
    #expect(!InspectionParser.isValidKey("architecture.x"))
    #expect(!InspectionParser.isValidKey(""))
    #expect(!InspectionParser.isValidKey("os." + String(repeating: "a", count: 70)))
    #expect(!InspectionParser.isValidKey("os.id\u{1b}"))
  }
}

@Suite struct ImageEnvironmentTests {
  @Test func allowlistKeepsGPUVariablesOnly() {
    let kept = ImageEnvironment.filter([
      "NVIDIA_VISIBLE_DEVICES=all", "CUDA_VERSION=12.4.1", "PATH=/usr/bin", "AWS_SECRET_ACCESS_KEY=abc", "HF_TOKEN=hf_x",
      "NVIDIA_API_KEY=nvapi-123", "PIP_INDEX_URL=https://user:pw@example.com/simple", "GITHUB_TOKEN=ghp", "NOEQUALS",
      "CONDA_DEFAULT_CHANNELS=https://alice:s3cret@conda.example.com/main",
    ])
    #expect(kept == [
      "NVIDIA_VISIBLE_DEVICES": "all", "CUDA_VERSION": "12.4.1", "PATH": "/usr/bin",
      "CONDA_DEFAULT_CHANNELS": "https://REDACTED@conda.example.com/main",
    ])
  }
}

@Suite struct ImageFactsBuilderTests {
  @Test func cudnnVersionEncodings() {
    #expect(ImageFactsBuilder.decodeCudnn("90100") == "9.1.0")
    #expect(ImageFactsBuilder.decodeCudnn("91900") == "9.19.0")
    #expect(ImageFactsBuilder.decodeCudnn("8902") == "8.9.2")
    #expect(ImageFactsBuilder.decodeCudnn("7605") == "7.6.5")
    #expect(ImageFactsBuilder.decodeCudnn("n/a") == "n/a")
  }

  @Test func libraryVersions() {
    #expect(ImageFactsBuilder.libraryVersion("/usr/lib/libcudnn.so.9.1.0", prefix: "libcudnn.so.") == "9.1.0")
    #expect(ImageFactsBuilder.libraryVersion("/usr/lib/libcudnn.so.9", prefix: "libcudnn.so.") == nil)
    #expect(ImageFactsBuilder.libraryVersion("/usr/lib/libcudnn_ops.so.9.1.0", prefix: "libcudnn.so.") == nil)
  }

  @Test func frameworkImportErrorKeepsTheRest() {
    let parser = InspectionParser(
      """
      rc1\tframework.torch.present\tyes
      rc1\tframework.torch.error\tImportError: libcudnn.so.9: cannot open shared object file: No such file or directory
      rc1\tframework.jax.present\tyes
      rc1\tframework.jax.version\t0.4.30
      rc1\tframework.jax.backend\tcpu
      rc1\tos.id\tubuntu
      """)
    let facts = ImageFactsBuilder.build(reference: "x", runtime: "docker", config: .absent("n/a", source: "test"), parsed: parser, scriptSource: "test")
    let torch = facts.framework("torch")
    #expect(torch?.info.status == .unreadable)
    #expect(torch?.info.reason?.contains("libcudnn.so.9: cannot open shared object file") == true)
    #expect(facts.framework("jax")?.info.value?.version == "0.4.30")
    #expect(facts.os.value?.id == "ubuntu")
  }
}
