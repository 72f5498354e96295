import Foundation
import TestSupport
import Testing

@testable import ImageSources

/// The small protocol pieces of the registry client: URLs and redirects, authentication
/// challenges (the header forms Docker Hub, GHCR and Distribution send), Docker's credentials file.
struct RegistryProtocolTests {
  @Test func urls() throws {
    let realm = try #require(HTTPURL("https://auth.docker.io/token?service=registry.docker.io"))
    #expect(realm.secure && realm.host == "auth.docker.io" && realm.port == 443 && realm.target == "/token?service=registry.docker.io")
    let local = try #require(HTTPURL("http://[::1]:5000"))
    #expect(!local.secure && local.host == "[::1]" && local.port == 5000 && local.target == "/" && local.authority == "[::1]:5000")
    #expect(HTTPURL("ftp://host/x") == nil && HTTPURL("https://user:pw@host/x") == nil && HTTPURL("https://host:99999/") == nil)
    // A blob redirect to a CDN, absolute or relative.
    let blob = HTTPURL(secure: true, host: "registry-1.docker.io", target: "/v2/library/debian/blobs/sha256:ab")
    #expect(blob.resolving("https://cdn.example/b?sig=1")?.description == "https://cdn.example/b?sig=1")
    #expect(blob.resolving("/other")?.description == "https://registry-1.docker.io/other")
    #expect(HTTPURL.encodeQueryValue("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull")
  }

  @Test func challenges() throws {
    // Docker Hub's (https://distribution.github.io/distribution/spec/auth/token/ "How to authenticate").
    let hub = try #require(
      RegistryChallenge.parse([#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull""#]))
    #expect(hub.scheme == "bearer")
    #expect(hub.parameters == ["realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/debian:pull"])
    // Distribution's htpasswd answer; Bearer preferred when both are offered.
    #expect(RegistryChallenge.parse([#"Basic realm="rigcheck-test""#]) == RegistryChallenge(scheme: "basic", parameters: ["realm": "rigcheck-test"]))
    #expect(RegistryChallenge.parse([#"Basic realm="x""#, #"Bearer realm="https://t/""#])?.scheme == "bearer")
    #expect(RegistryChallenge.parseOne(#"Bearer realm="a\"b", error=invalid_token"#)?.parameters == ["realm": #"a"b"#, "error": "invalid_token"])
  }

  @Test func credentialsFile() throws {
    let directory = try AtRestTestTools.temporaryDirectory("creds")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let secret = "s3cr3t-" + UUID().uuidString
    let hub = Data("alice:\(secret)".utf8).base64EncodedString()
    try #"{"auths": {"https://index.docker.io/v1/": {"auth": "\#(hub)"}, "ghcr.io": {"auth": "Ym9iOnB3"}}, "credsStore": "desktop"}"#
      .write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
    let environment = ["DOCKER_CONFIG": directory]
    let found = try #require(try RegistryCredentials.lookUp(registryHost: "docker.io", environment: environment))
    #expect(found.username == "alice" && found.password == secret)
    #expect(!"\(found)".contains(secret) && !String(reflecting: found).contains(secret) && !"\([found])".contains(secret))
    #expect(try RegistryCredentials.lookUp(registryHost: "ghcr.io", environment: environment)?.username == "bob")
    #expect(try RegistryCredentials.lookUp(registryHost: "quay.io", environment: environment) == nil)

    try #"{"auths": {"quay.io": {"auth": "not base64 \#(secret)"}}}"#.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
    let error = try #require(throws: ImageSourceError.self) { try RegistryCredentials.lookUp(registryHost: "quay.io", environment: environment) }
    #expect(error.kind == .malformed && !error.message.contains(secret), "\(error)")
    try "{\"auths\": \(secret)".write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
    let broken = try #require(throws: ImageSourceError.self) { try RegistryCredentials.lookUp(registryHost: "quay.io", environment: environment) }
    #expect(!broken.message.contains(secret), "a JSON error must not quote the secrets file: \(broken)")
  }

  @Test func referencesAndDigests() {
    #expect(RegistryImageSource.isValidReference("multi-oci") && RegistryImageSource.isValidReference("v1.2_rc3"))
    #expect(!RegistryImageSource.isValidReference("-x") && !RegistryImageSource.isValidReference("a?b") && !RegistryImageSource.isValidReference(""))
    #expect(RegistryImageSource.isValidReference("sha256:" + String(repeating: "a", count: 64)))
    #expect(!RegistryImageSource.isValidReference("sha256:../../etc"))
    #expect(!BlobDigester.isVerifiable("sha512:" + String(repeating: "a", count: 128)) && !BlobDigester.isVerifiable("sha256:" + String(repeating: "A", count: 64)))
    #expect(BlobDigester.digest(of: Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}
