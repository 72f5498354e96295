import Foundation
import Testing

@testable import Fingerprint

/// ``JSONTree``'s canonical writer: what redaction parses, rewrites and decodes again.
@Suite struct JSONTreeTests {
  /// Keys in every order that matters (case, digits, `_`, non-ASCII), strings with everything
  /// that needs escaping, and integers of every size the model holds.
  static func awkward() -> Fingerprint {
    var fingerprint = RedactionTests.withImage(
      [
        "PATH": "/usr/bin", "http_proxy": "http://proxy:3128/", "A": "1", "a10": "x", "a9": "y", "_x": "z", "aB": "", "a_b": "",
        "é": "accent", "ß": "sharp", "e\u{301}x": "decomposed", "TEXT": "a\"b\\c/d\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}é\u{2028}😀",
      ],
      labels: ["com.example/key": "value with / slash", "Z": "last upper"])
    fingerprint.identity.host.cgroup = .present(
      CgroupInfo(version: 2, inContainer: true, containerEvidence: "/.dockerenv exists", cpuLimitCores: "1.5", memoryLimitBytes: 1 << 60),
      from: "file:/sys/fs/cgroup")
    fingerprint.volatile.dockerRootFreeBytes = 25_276_510_208
    fingerprint.volatile.sharedMemoryFreeBytes = (1 << 53) - 1
    fingerprint.volatile.gpus[0].uncorrectableECCErrors = UInt64.max - 2047  // 2^64 - 2048, held exactly by a Double
    fingerprint.volatile.gpus[0].temperatureCelsius = -5
    return fingerprint
  }

  @Test func serializedIsTheCanonicalEncodingByteForByte() throws {
    for fingerprint in [Sample.fingerprint(), Self.awkward()] {
      let encoded = try CanonicalJSON.encode(fingerprint, pretty: false)
      var parser = JSONTreeParser(bytes: Array(encoded), maximumDepth: 1024)
      parser.exactIntegers = true
      let tree = try parser.parseDocument()
      let written = tree.serialized()
      #expect(written == encoded, "\(String(decoding: written, as: UTF8.self))\n≠\n\(String(decoding: encoded, as: UTF8.self))")
      #expect(try JSONDecoder().decode(Fingerprint.self, from: written) == fingerprint)
      #expect(try JSONTree.parse(written) == tree)
    }
  }

  @Test func canonicalMembersAreInUTF8Order() throws {
    let tree = try JSONTree.parse(#"{"b":1,"a10":2,"a9":3,"_x":4,"Z":5,"é":6,"A":7,"ß":8}"#)
    #expect(tree.canonicalMembers.map(\.key) == ["A", "Z", "_x", "a10", "a9", "b", "ß", "é"])
    #expect(JSONTree.array([]).canonicalMembers.isEmpty)
    #expect(String(decoding: tree.serialized(), as: UTF8.self) == #"{"A":7,"Z":5,"_x":4,"a10":2,"a9":3,"b":1,"ß":8,"é":6}"#)
  }

  @Test func integersAreWrittenWithoutAFraction() throws {
    let text = "[0,-1,16,25276510208,9007199254740991,-9007199254740991,9007199254740992,1152921504606846976,18446744073709549568]"
    #expect(String(decoding: try JSONTree.parse(text).serialized(), as: UTF8.self) == text)
    let scalars = try JSONTree.parse(#"[1.5,-0.25,1e300,-0.0,true,false,null,"",{},[]]"#)
    #expect(String(decoding: scalars.serialized(), as: UTF8.self) == #"[1.5,-0.25,1e+300,0,true,false,null,"",{},[]]"#)
    #expect(try JSONTree.parse(String(decoding: scalars.serialized(), as: UTF8.self)) == scalars)
  }

  @Test func exactIntegersRefusesWhatADoubleWouldRound() throws {
    func parseExactly(_ text: String) throws(JSONSyntaxError) -> JSONTree {
      var parser = JSONTreeParser(bytes: Array(text.utf8), maximumDepth: 16)
      parser.exactIntegers = true
      return try parser.parseDocument()
    }
    for held in ["9007199254740992", "-9007199254740992", "1152921504606846976", "18446744073709549568", "9007199254740993.5", "1e30"] {
      #expect(throws: Never.self, "\(held)") { try parseExactly("[\(held)]") }
    }
    for rounded in ["9007199254740993", "-9007199254740993", "9223372036854775807", "18446744073709551615", "18446744073709551616"] {
      #expect(throws: JSONSyntaxError.self, "\(rounded)") { try parseExactly("[\(rounded)]") }
      #expect(throws: Never.self, "without the option, \(rounded) is read as before") { try JSONTree.parse("[\(rounded)]") }
    }
  }
}
