import Fingerprint
import Foundation
import TestSupport
import Testing

@testable import ImageSources

/// `docker://` against Debian's docker-registry (Distribution 2.8) on this machine, started and
/// filled by scripts/start-registry.sh: what rigcheck pulls is checked with skopeo (a real OCI
/// layout consumer, which verifies every digest on copy) and GNU tar.
@Suite(.serialized) struct RegistrySourceTests {
  let registries: [String: String]
  let registryDirectory: String

  init() throws {
    (registries, registryDirectory) = try AtRestTestTools.registries()
  }

  func options(_ platform: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> ImageSourceOptions {
    ImageSourceOptions(platform: platform.flatMap(ImagePlatform.init(parsing:)), environment: environment, timeoutSeconds: 120)
  }

  func pull(_ host: String, _ repository: String, _ reference: String, options: ImageSourceOptions) throws -> (RegistryImageSource.Pulled, String) {
    let directory = try AtRestTestTools.temporaryDirectory("pull")
    do {
      return (try RegistryImageSource.pull(host: host, repository: repository, reference: reference, options: options, into: directory), directory)
    } catch {
      try? FileManager.default.removeItem(atPath: directory)
      throw error
    }
  }

  func failure(_ host: String, _ repository: String, _ reference: String, options: ImageSourceOptions) throws -> ImageSourceError? {
    let directory = try AtRestTestTools.temporaryDirectory("pull")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
      _ = try RegistryImageSource.pull(host: host, repository: repository, reference: reference, options: options, into: directory)
      return nil
    } catch {
      return error
    }
  }

  /// skopeo's reading of the layout rigcheck wrote: `skopeo inspect` (config) and a full
  /// `skopeo copy` to `dir:` (every blob re-verified against its digest).
  func skopeoReads(_ layout: String) throws -> [String: Any] {
    let inspected = try AtRestTestTools.run("skopeo", ["inspect", "oci:\(layout):\(RegistryImageSource.layoutTag)"])
    let copy = try AtRestTestTools.temporaryDirectory("skopeo-copy")
    defer { try? FileManager.default.removeItem(atPath: copy) }
    try AtRestTestTools.run("skopeo", ["copy", "--quiet", "oci:\(layout):\(RegistryImageSource.layoutTag)", "dir:\(copy)/image"])
    return try #require(JSONSerialization.jsonObject(with: Data(inspected.utf8)) as? [String: Any])
  }

  /// The manifest digests a manifest list offers per architecture, as skopeo reads the registry.
  func listedDigests(_ image: String) throws -> [String: String] {
    let raw = try AtRestTestTools.run("skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(image)"])
    let list = try #require(JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])
    var digests: [String: String] = [:]
    for entry in try #require(list["manifests"] as? [[String: Any]]) {
      let platform = try #require(entry["platform"] as? [String: Any])
      digests[try #require(platform["architecture"] as? String)] = try #require(entry["digest"] as? String)
    }
    return digests
  }

  @Test func dockerManifestListPicksArm64() throws {
    let open = try #require(registries["OPEN"])
    let (pulled, layout) = try pull(open, "rigcheck/debian", "multi-docker", options: options("linux/arm64"))
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.config.architecture == "arm64")
    #expect(pulled.indexDigest != nil)
    #expect(pulled.manifestDigest == (try listedDigests("\(open)/rigcheck/debian:multi-docker")["arm64"]))
    #expect(try skopeoReads(layout)["Architecture"] as? String == "arm64")

    // The arm64 rootfs itself: its os-release and an aarch64 ELF, read from the pulled layer by tar.
    let manifest = try OCIDocument.decode(
      OCIManifest.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(pulled.layoutManifestDigest.dropFirst(7))"))),
      what: "pulled manifest")
    let layer = try #require(manifest.layers.first)
    let unpacked = try AtRestTestTools.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(atPath: unpacked) }
    try AtRestTestTools.run(
      "tar", ["-xzf", "\(layout)/blobs/sha256/\(layer.digest.dropFirst(7))", "-C", unpacked, "--wildcards", "*usr/lib/os-release", "*usr/bin/dash"])
    let root = LayeredDirectoryRoot(directory: unpacked)
    #expect(try AtRestTestTools.read(root, "/usr/lib/os-release").contains("VERSION_ID=\"12\""))
    #expect(try AtRestTestTools.elfMachine(try #require(root.hostPath("/usr/bin/dash"))) == 183, "EM_AARCH64")
  }

  @Test func ociIndexPicksThisMachinesPlatformByDefault() throws {
    let open = try #require(registries["OPEN"])
    let (pulled, layout) = try pull(open, "rigcheck/debian", "multi-oci", options: options())
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.config.architecture == "amd64")
    #expect(pulled.manifestDigest == (try listedDigests("\(open)/rigcheck/debian:multi-oci")["amd64"]))
    let inspected = try skopeoReads(layout)
    #expect(inspected["Architecture"] as? String == "amd64")
    #expect((inspected["Layers"] as? [String])?.count == pulled.layerCount)
  }

  @Test func byDigest() throws {
    let open = try #require(registries["OPEN"])
    let arm64 = try #require(try listedDigests("\(open)/rigcheck/debian:multi-oci")["arm64"])
    let (pulled, layout) = try pull(open, "rigcheck/debian", arm64, options: options())
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.manifestDigest == arm64)
    #expect(pulled.config.architecture == "arm64", "a manifest by digest is that manifest, whatever this machine is")
  }

  @Test func platformNotOffered() throws {
    let open = try #require(registries["OPEN"])
    let error = try #require(try failure(open, "rigcheck/debian", "multi-docker", options: options("linux/s390x")))
    #expect(error.kind == .platformNotFound)
    #expect(error.message.contains("linux/amd64, linux/arm64"), "\(error)")
    let single = try #require(try failure(open, "rigcheck/debian", "amd64", options: options("linux/arm64")))
    #expect(single.kind == .platformNotFound)
    #expect(single.message.contains("single-platform image for linux/amd64"), "\(single)")
  }

  @Test func unknownTagAndRepository() throws {
    let open = try #require(registries["OPEN"])
    let tag = try #require(try failure(open, "rigcheck/debian", "no-such-tag", options: options()))
    #expect(tag.kind == .notFound)
    #expect(tag.message.contains("docker://\(open)/rigcheck/debian") && tag.message.contains("MANIFEST_UNKNOWN"), "\(tag)")
    let bad = try #require(try failure(open, "rigcheck/debian", "a?b", options: options()))
    #expect(bad.kind == .invalidReference)
  }

  @Test func tamperedBlobIsRefused() throws {
    let open = try #require(registries["OPEN"])
    let directory = try AtRestTestTools.temporaryDirectory("pull")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var caught: ImageSourceError?
    do {
      _ = try RegistryImageSource.pull(host: open, repository: "rigcheck/tampered", reference: "latest", options: options(), into: directory)
    } catch {
      caught = error
    }
    let error = try #require(caught)
    #expect(error.kind == .digestMismatch)
    #expect(error.message.contains("layer 1 of 1") && error.message.contains("tampered or corrupt"), "\(error)")
    // Nothing of the bad blob stays, and no index.json names the image.
    let blobs = try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/sha256")
    #expect(blobs.count == 2, "manifest and config only: \(blobs)")
    #expect(!FileManager.default.fileExists(atPath: directory + "/index.json"))
  }

  @Test func basicAuthWithDockerCredentials() throws {
    let auth = try #require(registries["AUTH"])
    let password = try String(contentsOfFile: registryDirectory + "/password", encoding: .utf8)
    let config = try AtRestTestTools.temporaryDirectory("docker-config")
    defer { try? FileManager.default.removeItem(atPath: config) }
    func useCredentials(_ user: String, _ secret: String) throws -> [String: String] {
      let encoded = Data("\(user):\(secret)".utf8).base64EncodedString()
      try #"{"auths": {"http://\#(auth)": {"auth": "\#(encoded)"}}}"#.write(toFile: config + "/config.json", atomically: true, encoding: .utf8)
      var environment = ProcessInfo.processInfo.environment
      environment["DOCKER_CONFIG"] = config
      return environment
    }

    let (pulled, layout) = try pull(auth, "rigcheck/busybox", "latest", options: options(environment: try useCredentials("rigcheck", password)))
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.layerCount == 1)
    #expect(try skopeoReads(layout)["Architecture"] as? String == "amd64")
    #expect(!"\(pulled)".contains(password))

    var anonymous = ProcessInfo.processInfo.environment
    anonymous["DOCKER_CONFIG"] = config + "/none"
    let refused = try #require(try failure(auth, "rigcheck/busybox", "latest", options: options(environment: anonymous)))
    #expect(refused.kind == .unavailable)
    #expect(refused.message.contains("docker login \(auth)"), "\(refused)")

    let wrong = "wrong-\(password)"
    let denied = try #require(try failure(auth, "rigcheck/busybox", "latest", options: options(environment: try useCredentials("rigcheck", wrong))))
    #expect(denied.kind == .unavailable)
    #expect(denied.message.contains("denied"), "\(denied)")
    for text in ["\(denied)", "\(refused)", String(reflecting: denied)] {
      #expect(!text.contains(password) && !text.contains(Data("rigcheck:\(wrong)".utf8).base64EncodedString()), "a credential leaked into: \(text)")
    }
  }

  @Test func bearerTokenAuthWithDockerCredentials() throws {
    // Distribution's `auth: token` with scripts/registry-token-server.py as its token service.
    let registry = try #require(registries["TOKEN"])
    let password = try String(contentsOfFile: registryDirectory + "/password", encoding: .utf8)
    let config = try AtRestTestTools.temporaryDirectory("docker-config")
    defer { try? FileManager.default.removeItem(atPath: config) }
    func environment(_ secret: String?) throws -> [String: String] {
      var environment = ProcessInfo.processInfo.environment
      environment["DOCKER_CONFIG"] = config
      var auths = "{}"
      if let secret {
        let encoded = Data("rigcheck:\(secret)".utf8).base64EncodedString()
        auths = #"{"\#(registry)": {"auth": "\#(encoded)"}}"#
      }
      try #"{"auths": \#(auths)}"#.write(toFile: config + "/config.json", atomically: true, encoding: .utf8)
      return environment
    }

    let (pulled, layout) = try pull(registry, "rigcheck/busybox", "latest", options: options(environment: try environment(password)))
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.layerCount == 1)
    #expect(try skopeoReads(layout)["Architecture"] as? String == "amd64")

    let anonymous = try #require(try failure(registry, "rigcheck/busybox", "latest", options: options(environment: try environment(nil))))
    #expect(anonymous.kind == .unavailable && anonymous.message.contains("refused anonymous access to rigcheck/busybox"), "\(anonymous)")
    let wrong = try #require(try failure(registry, "rigcheck/busybox", "latest", options: options(environment: try environment("not-\(password)"))))
    #expect(wrong.message.contains("refused the stored credentials"), "\(wrong)")
    #expect(!"\(wrong)".contains(password) && !"\(anonymous)".contains(password))
  }

  @Test func tlsRegistryIsVerified() throws {
    let tls = try #require(registries["TLS"])
    var trusting = ProcessInfo.processInfo.environment
    trusting["SSL_CERT_FILE"] = registryDirectory + "/ca.pem"
    let (pulled, layout) = try pull(tls, "rigcheck/debian", "arm64", options: options(environment: trusting))
    defer { try? FileManager.default.removeItem(atPath: layout) }
    #expect(pulled.config.architecture == "arm64")

    // Without the CA the certificate is not trusted; the plain-HTTP retry (loopback only) then
    // meets a TLS server. Both reasons are in the error.
    var untrusting = ProcessInfo.processInfo.environment
    untrusting["SSL_CERT_FILE"] = nil
    let error = try #require(try failure(tls, "rigcheck/debian", "arm64", options: options(environment: untrusting)))
    #expect(error.message.contains("certificate not trusted"), "\(error)")
  }

  @Test func plainHTTPOnlyForLoopback() throws {
    let open = try #require(registries["OPEN"])
    let external = try #require(registries["EXTERNAL_HOST"].flatMap { $0.isEmpty ? nil : $0 }, "this machine has no non-loopback IPv4 address")
    let port = try #require(open.split(separator: ":").last)
    // The same registry, reached by the machine's own non-loopback address: HTTPS only, which a
    // plain-HTTP registry cannot speak; there is no fallback to HTTP.
    let error = try #require(try failure("\(external):\(port)", "rigcheck/debian", "amd64", options: options()))
    #expect(error.kind == .unavailable)
    #expect(error.message.contains("TLS handshake failed") && !error.message.contains("over HTTPS"), "\(error)")
    // And a request for plain HTTP there is refused before any connection.
    #expect(throws: ImageSourceError.self) {
      try HTTPExchange(get: try #require(HTTPURL("http://\(external):\(port)/v2/")), headers: [], deadline: NetworkConnection.now() + 10)
    }
    #expect(NetworkConnection.isLoopback("127.0.0.1") && NetworkConnection.isLoopback("127.1.2.3") && NetworkConnection.isLoopback("[::1]"))
    #expect(NetworkConnection.isLoopback("localhost") && !NetworkConnection.isLoopback(external) && !NetworkConnection.isLoopback("128.0.0.1"))
  }

  @Test func unreachableRegistryEndsByTheDeadline() throws {
    // 192.0.2.0/24 beyond this machine's own address answers nothing (TEST-NET-1, RFC 5737).
    let started = Date()
    var options = options()
    options.timeoutSeconds = 2
    let error = try #require(try failure("192.0.2.77:5000", "rigcheck/debian", "amd64", options: options))
    #expect(error.kind == .unavailable)
    #expect(Date().timeIntervalSince(started) < 10, "\(error)")
  }
}
