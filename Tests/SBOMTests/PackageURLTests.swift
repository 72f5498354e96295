import Fingerprint
import Foundation
import Testing

@testable import SBOM

/// purls in the canonical form of the purl specification; the strings below are what the
/// reference implementation, packageurl-python 0.17, writes for the same parts
/// (`PackageURL(type=…, …).to_string()`), and the real-image test round-trips every purl of a
/// real SBOM through it.
@Suite struct PackageURLTests {
  @Test func debianVersionsKeepTheirEpochAndEncodePlus() {
    let purl = PackageURL.deb(distribution: "debian", distroQualifier: "debian-12", name: "libc6", version: "1:2.36-9+deb12u4~x", architecture: "amd64")
    #expect(purl.description == "pkg:deb/debian/libc6@1:2.36-9%2Bdeb12u4~x?arch=amd64&distro=debian-12")
  }

  @Test func pypiNamesArePEP503Normalised() {
    #expect(PackageURL.pypi(name: "Jinja2", version: "3.1.4").description == "pkg:pypi/jinja2@3.1.4")
    #expect(PackageURL.pypi(name: "typing_extensions", version: "4.12.2").description == "pkg:pypi/typing-extensions@4.12.2")
    #expect(PackageURL.pypi(name: "torch", version: "2.5.1+cu124").description == "pkg:pypi/torch@2.5.1%2Bcu124")
  }

  @Test func qualifiersAreSortedAndSlashesKept() {
    let purl = PackageURL(type: "OCI", name: "torch-cuda", version: "sha256:abc", qualifiers: ["repository_url": "registry.example/rigcheck-test/torch-cuda", "arch": "amd64", "empty": ""])
    #expect(purl.description == "pkg:oci/torch-cuda@sha256:abc?arch=amd64&repository_url=registry.example/rigcheck-test/torch-cuda")
  }

  @Test func nonASCIIIsPercentEncodedAsUTF8() {
    #expect(PackageURL(type: "generic", name: "café lib", version: "1").description == "pkg:generic/caf%C3%A9%20lib@1")
  }
}

/// RFC 9562 Appendix B.2: the name-based UUIDv8 (SHA-256) of "www.example.com" in the DNS namespace.
@Suite struct NameBasedUUIDTests {
  @Test func rfc9562TestVector() throws {
    let dns = try #require(NameBasedUUID.bytes(of: "6ba7b810-9dad-11d1-80b4-00c04fd430c8"))
    #expect(NameBasedUUID.make(namespace: dns, name: Array("www.example.com".utf8)) == "5c146b14-3c52-8afd-938a-375d0df1fbf6")
    #expect(NameBasedUUID.bytes(of: "not-a-uuid") == nil)
  }
}
