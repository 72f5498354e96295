import Fingerprint
import Foundation
import Inspector
import Probes
import TestSupport
import Testing

/// Personal and secret values planted into fingerprints; none may survive redaction.
struct Planted: Sendable {
  var user: String
  var hostname: String
  var gpuUUID: String
  var migUUID: String
  var serial: String
  var token: String
  var password: String
  var uid: String
  /// A token of no known shape, in a variable whose name says it is secret.
  var opaqueSecret: String
  /// A hex run an environment value carries (a session id, say).
  var hexRun: String

  static let first = Planted(
    user: "zoequill", hostname: "wkst-7731", gpuUUID: "GPU-3f6a1c2e-9b7d-4e21-8a55-0c1d2e3f4a5b",
    migUUID: "MIG-7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", serial: "1652320012345", token: "hf_Pl4ntedT0kenAbCdEfGhIjKlMnOpQrStUv",
    password: "Sw0rdf1sh-planted", uid: "4242", opaqueSecret: "opaque-planted-secret", hexRun: "c0ffee15deadbeef0123456789abcdef01234567")
  static let second = Planted(
    user: "maxrenner", hostname: "gpu-b17", gpuUUID: "GPU-00aa11bb-22cc-4d33-8e44-55ff66aa77bb",
    migUUID: "MIG-99887766-5544-4332-8110-ffeeddccbbaa", serial: "1652320099999", token: "hf_AnotherPl4ntedTokenZyXwVuTsRqPoNm",
    password: "hunter2-planted", uid: "5151", opaqueSecret: "other-opaque-secret", hexRun: "0badc0de0badc0de0badc0de0badc0de0badc0de")

  /// Every secret in the forms people meet them: paths, `user@host`, upper-case hostnames,
  /// URLs with credentials, device lists.
  var bundle: String {
    "/home/\(user)/.cache/\(hostname) /Users/\(user)/Library \(user)@\(hostname.uppercased()).corp.example /scratch/\(user)/venv "
      + "\(gpuUUID) \(migUUID) serial=\(serial) token=\(token) https://\(user):\(password)@proxy.example:3128/ /run/user/\(uid)/bus"
  }

  /// What must not appear anywhere in a redacted fingerprint (compared case-insensitively).
  var secrets: [String] {
    [user, hostname, String(gpuUUID.dropFirst(4)), String(migUUID.dropFirst(4)), serial, token, password, "/run/user/\(uid)", opaqueSecret, hexRun]
  }

  /// Environment entries and labels with the secrets as whole values and in keys.
  var environment: [String: String] {
    [
      "USER": user, "LOGNAME": user, "HOSTNAME": hostname, "HOME": "/home/\(user)", "XDG_RUNTIME_DIR": "/run/user/\(uid)",
      "NVIDIA_VISIBLE_DEVICES": "\(gpuUUID),\(migUUID)", "HF_TOKEN": token, "MY_SERVICE_CREDENTIAL": opaqueSecret,
      "RUN_SESSION": "id=\(hexRun)", "PIP_INDEX_URL": "https://\(user):\(password)@pypi.corp.example/simple",
      "SCRATCH_\(user.uppercased())": "/scratch/\(user)", "\(hostname)_CACHE": "/home/\(user)/.cache/\(hostname)",
    ]
  }
  var labels: [String: String] {
    ["maintainer": "\(user)@\(hostname)", "com.\(user).build-host": hostname, "serial": serial]
  }
}

/// Proves redaction complete over everything the model can hold: a real fingerprint (the
/// captured H200 host probed for real, plus the real CUDA torch image inspected through
/// Docker) gets a planted secret in *every* string value, found by walking its JSON (so a
/// field added to the model tomorrow is planted too), and in its machine part, environment
/// and labels; after redaction none may be left anywhere in the output bytes.
@Suite(.serialized) struct RedactionSweepTests {
  /// One inspection of `rigcheck-test/torch-cuda:current` for the suite.
  static let image = Task { () throws -> ImageFacts in
    try await Inspector(environment: TestImages.environment).inspect(
      InspectionRequest(reference: TestImages.reference("torch-cuda"), runtime: .docker, timeoutSeconds: 180))
  }

  static func realFingerprint() async throws -> Fingerprint {
    var fingerprint = await HostFingerprints.probe(FixtureHost.h200)
    fingerprint.identity.images = [try await image.value]
    return fingerprint
  }

  enum Step: Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)
    var description: String {
      switch self {
      case .key(let key): return "." + key
      case .index(let index): return "[\(index)]"
      }
    }
  }

  /// Plants `planted` into `fingerprint`: exact values in the machine part, entries in every
  /// image's environment and labels, and the bundle appended to every other string of the JSON
  /// except image references (kept verbatim by design) and positions where any other string
  /// does not decode (enumeration values). Returns the planted fingerprint and the positions.
  static func plant(_ planted: Planted, into fingerprint: Fingerprint) throws -> (Fingerprint, planted: [[Step]], refused: [[Step]]) {
    var fingerprint = fingerprint
    fingerprint.machine.hostname = .present(planted.hostname, from: "file:/proc/sys/kernel/hostname")
    if fingerprint.machine.gpus.isEmpty { fingerprint.machine.gpus = [GPUSerials(pciAddress: "0000:00:06.0", uuid: nil, serial: nil)] }
    fingerprint.machine.gpus[0].uuid = planted.gpuUUID
    fingerprint.machine.gpus[0].serial = planted.serial
    for index in fingerprint.identity.images.indices {
      guard var config = fingerprint.identity.images[index].config.value else { continue }
      config.environment.merge(planted.environment) { _, new in new }
      config.labels.merge(planted.labels) { _, new in new }
      fingerprint.identity.images[index].config.value = config
    }
    let exact: Set<[Step]> = Set(fingerprint.machine.gpus.indices.flatMap { index in
      [[Step.key("machine"), .key("gpus"), .index(index), .key("uuid")], [.key("machine"), .key("gpus"), .index(index), .key("serial")]]
    } + [[.key("machine"), .key("hostname"), .key("value")]])
    let tree = try JSONTree.parse(try CanonicalJSON.encode(fingerprint))
    var refused: Set<[Step]> = []
    while true {
      var positions: [[Step]] = []
      let planted = plantStrings(tree, path: [], bundle: planted.bundle, skip: exact.union(refused), positions: &positions)
      do {
        return (try JSONDecoder().decode(Fingerprint.self, from: serialize(planted)), positions, refused.sorted { "\($0)" < "\($1)" })
      } catch DecodingError.dataCorrupted(let context) {
        let path = context.codingPath.map { key in key.intValue.map(Step.index) ?? .key(key.stringValue) }
        #expect(positions.contains(path), "a string that does not decode: \(path)")
        guard refused.insert(path).inserted else { throw PlantingError(description: "cannot plant at \(path): \(context)") }
      }
    }
  }

  static func plantStrings(_ tree: JSONTree, path: [Step], bundle: String, skip: Set<[Step]>, positions: inout [[Step]]) -> JSONTree {
    switch tree {
    case .string(let value):
      if case .key(let key) = path.last, Redaction.keptMembers.contains(key), path.count >= 2, case .index = path[path.count - 2] { return tree }
      if skip.contains(path) { return tree }
      positions.append(path)
      return .string(value + " " + bundle)
    case .array(let elements):
      return .array(elements.enumerated().map { plantStrings($1, path: path + [.index($0)], bundle: bundle, skip: skip, positions: &positions) })
    case .object(let members):
      var result: [String: JSONTree] = [:]
      for key in members.keys.sorted() {
        result[key] = plantStrings(members[key]!, path: path + [.key(key)], bundle: bundle, skip: skip, positions: &positions)
      }
      return .object(result)
    default:
      return tree
    }
  }

  /// JSON text of a tree (integers as integers: the fingerprint's counts and sizes).
  static func serialize(_ tree: JSONTree) -> Data {
    var text = ""
    func write(_ tree: JSONTree) {
      switch tree {
      case .null: text += "null"
      case .bool(let value): text += value ? "true" : "false"
      case .number(let value): text += value == value.rounded() && abs(value) < 9e15 ? String(Int64(value)) : String(value)
      case .string(let value): text += quoted(value)
      case .array(let elements):
        text += "["
        for (index, element) in elements.enumerated() {
          if index > 0 { text += "," }
          write(element)
        }
        text += "]"
      case .object(let members):
        text += "{"
        for (index, key) in members.keys.sorted().enumerated() {
          if index > 0 { text += "," }
          text += quoted(key) + ":"
          write(members[key]!)
        }
        text += "}"
      }
    }
    func quoted(_ value: String) -> String {
      var result = "\""
      for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
      }
      return result + "\""
    }
    write(tree)
    return Data(text.utf8)
  }

  static func string(at path: [Step], in tree: JSONTree) -> String? {
    var node: JSONTree? = tree
    for step in path {
      switch step {
      case .key(let key): node = node?[key]
      case .index(let index): node = node.flatMap { $0.elements.indices.contains(index) ? $0.elements[index] : nil }
      }
    }
    return node?.nonEmptyString
  }

  @Test func noPlantedSecretSurvivesAnywhere() async throws {
    let real = try await Self.realFingerprint()
    let (planted, positions, refused) = try Self.plant(.first, into: real)
    #expect(positions.count > 150, "every string of a real host and image: \(positions.count)")
    // Only enumeration values (`present`, `open`, …) refuse a planted suffix.
    let plain = try JSONTree.parse(try CanonicalJSON.encode(real))
    for path in refused {
      let value = Self.string(at: path, in: plain) ?? ""
      #expect(!value.isEmpty && value.allSatisfy(\.isLetter), "\(path) holds \(value)")
    }
    let before = String(decoding: try CanonicalJSON.encode(planted), as: UTF8.self).lowercased()
    for secret in Planted.first.secrets { #expect(before.contains(secret.lowercased()), "\(secret) was planted") }

    let redacted = try Redaction.redact(planted)
    let bytes = try CanonicalJSON.encode(redacted)
    let text = String(decoding: bytes, as: UTF8.self)
    for secret in Planted.first.secrets {
      #expect(!text.lowercased().contains(secret.lowercased()), "\(secret) survived redaction")
    }
    for original in real.machine.gpus.flatMap({ [$0.uuid, $0.serial].compactMap { $0 } }) {
      #expect(!text.contains(original), "the fixture's own \(original) survived")
    }

    // Every planted position went through the rules (and still exists, unless its key held a
    // secret): the bundle redacted, or the whole value replaced (secret variables).
    let tree = try JSONTree.parse(bytes)
    let redactedBundle = "/home/REDACTED-USER/.cache/REDACTED-HOST /Users/REDACTED-USER/Library REDACTED-USER@REDACTED-HOST.corp.example"
    for path in positions where !Planted.first.secrets.contains(where: { "\(path)".lowercased().contains($0.lowercased()) }) {
      let value = Self.string(at: path, in: tree)
      #expect(value?.contains(redactedBundle) == true || value?.hasPrefix("REDACTED-") == true, "\(path): \(value ?? "missing")")
    }
    // Image references are the one exception, kept verbatim for `verify`.
    #expect(redacted.identity.images.map(\.reference) == real.identity.images.map(\.reference))
    // Structure intact: a fingerprint that reads back as one, the machine part blanked.
    let decoded = try Fingerprint.decode(bytes, name: "redacted")
    #expect(decoded.machine.hostname.value == Redaction.hostnamePlaceholder)
    #expect(decoded.machine.gpus.first?.uuid == "GPU-REDACTED-0")
    #expect(decoded.machine.gpus.first?.serial == "SERIAL-REDACTED-0")
    #expect(decoded.identity.images.count == 1)
    #expect(decoded.identity.images.first?.frameworks.count == real.identity.images.first?.frameworks.count)
  }

  @Test func redactionIsDeterministicIdempotentAndTheSameForTwoMachines() async throws {
    let real = try await Self.realFingerprint()
    let first = try Self.plant(.first, into: real).0
    let second = try Self.plant(.second, into: real).0
    let once = try CanonicalJSON.encode(try Redaction.redact(first))
    #expect(try CanonicalJSON.encode(try Redaction.redact(first)) == once, "deterministic")
    #expect(try CanonicalJSON.encode(try Redaction.redact(try Fingerprint.decode(once, name: "redacted"))) == once, "idempotent")
    let other = try CanonicalJSON.encode(try Redaction.redact(second))
    if other != once {
      let left = String(decoding: once, as: UTF8.self).split(separator: "\n")
      let right = String(decoding: other, as: UTF8.self).split(separator: "\n")
      Issue.record("machines that differ only in what is redacted redact differently: \(zip(left, right).filter { $0 != $1 }.prefix(5).map { "\($0) ≠ \($1)" })")
    }
    #expect(try Redaction.redact(first).identityHash() == Redaction.redact(second).identityHash())
    #expect(try first.identityHash() != second.identityHash())
  }

  @Test func aRealFingerprintWithoutPersonalDataKeepsItsIdentityHash() async throws {
    let real = try await Self.realFingerprint()
    let redacted = try Redaction.redact(real)
    #expect(try redacted.identityHash() == real.identityHash(), "nothing personal in the H200 capture's or torch-cuda's identity")
    #expect(redacted.machine.gpus.map(\.uuid) == real.machine.gpus.indices.map { "GPU-REDACTED-\($0)" })
  }
}

/// `rigcheck fingerprint --redact` end to end, with the user's name where the tool captures it
/// on a live host: the docker CLI found on PATH, DOCKER_HOST, HOME.
@Suite(.serialized) struct RedactCommandTests {
  @Test func fingerprintRedactWithAnImageLeavesNoUserName() throws {
    let user = "zoequill"
    let base = NSTemporaryDirectory() + "rigcheck-redact-\(UUID().uuidString)"
    let home = base + "/home/" + user
    defer { try? FileManager.default.removeItem(atPath: base) }
    try FileManager.default.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true)
    let environment = TestImages.environment
    let docker = try #require(
      (environment["PATH"] ?? "/usr/bin").split(separator: ":").map { $0 + "/docker" }.first { FileManager.default.isExecutableFile(atPath: $0) })
    try "#!/bin/sh\nexec \(docker) \"$@\"\n".write(toFile: home + "/bin/docker", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: home + "/bin/docker")
    var planted = [
      "HOME": home, "USER": user, "LOGNAME": user, "PATH": home + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin"),
      "XDG_RUNTIME_DIR": "/run/user/4242",
    ]
    if FileManager.default.fileExists(atPath: "/var/run/docker.sock") {
      try FileManager.default.createSymbolicLink(atPath: home + "/docker.sock", withDestinationPath: "/var/run/docker.sock")
      planted["DOCKER_HOST"] = "unix://" + home + "/docker.sock"
    }

    let unredacted = try Binary.run(["fingerprint", "--json"], environment: planted)
    #expect(unredacted.status == 0, "\(unredacted.stderr)")
    #expect(unredacted.stdout.contains("/home/\(user)/bin/docker"), "the tool captures the user's PATH")

    let result = try Binary.run(["fingerprint", "--redact", "--json", "--image", TestImages.reference("torch-cuda")], environment: planted)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.contains(user), "the user name survived --redact")
    #expect(result.stdout.contains("/home/REDACTED-USER/bin/docker"))
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    #expect(fingerprint.machine.hostname.status != .present || fingerprint.machine.hostname.value == Redaction.hostnamePlaceholder)
    #expect(fingerprint.identity.images.first?.reference == TestImages.reference("torch-cuda"))
    #expect(fingerprint.identity.images.first?.python.value?.virtualenv == "/opt/venv")
    if planted["DOCKER_HOST"] != nil {
      #expect(fingerprint.identity.host.docker.daemon.value?.reachable == true, "docker answered through the planted socket")
      #expect(fingerprint.identity.host.docker.daemon.value?.endpoint?.hasSuffix("/home/REDACTED-USER/docker.sock") == true)
    }
    var hostname = [CChar](repeating: 0, count: 256)
    if gethostname(&hostname, hostname.count) == 0 {
      let name = String(nulTerminated: hostname)
      if name.count >= 3, !["localhost", "ubuntu", "debian"].contains(name) {
        #expect(!result.stdout.lowercased().contains(name.lowercased()), "this machine's hostname survived --redact")
      }
    }
    // The same run twice redacts to the same identity.
    let hash = try Binary.run(["fingerprint", "--redact", "--hash"], environment: planted)
    #expect(hash.stdout == (try fingerprint.identityHashWithoutImages()) + "\n")
  }
}

struct PlantingError: Error, CustomStringConvertible {
  let description: String
}

extension Fingerprint {
  /// The identity hash of this fingerprint's host part alone.
  func identityHashWithoutImages() throws -> String {
    var copy = self
    copy.identity.images = []
    return try copy.identityHash()
  }
}
