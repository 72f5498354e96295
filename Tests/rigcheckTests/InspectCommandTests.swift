import Fingerprint
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct InspectCommandTests {
  @Test func jsonOfTheTorchImage() throws {
    let result = try Binary.run(["inspect", TestImages.reference("torch"), "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let facts = try JSONDecoder().decode(ImageFacts.self, from: Data(result.stdout.utf8))
    #expect(facts.framework("torch")?.info.value?.version == "1.13.0a0")
    #expect(facts.python.value?.version == "3.11.2")
  }

  @Test func summaryOfTheCUDAImage() throws {
    let result = try Binary.run(["inspect", TestImages.reference("cuda-layout")])
    #expect(result.status == 0)
    #expect(result.stdout.contains("cudnn       9.1.0 (/usr/include/cudnn_version.h)"))
    #expect(!result.stdout.contains("\u{1b}"))
  }

  @Test func hostileImageEndsInOneClearLine() throws {
    let result = try Binary.run(["inspect", TestImages.reference("hostile-flood")])
    #expect(result.status == 1)
    #expect(result.stderr == "rigcheck: \(TestImages.reference("hostile-flood")) printed more than 4194304 bytes during inspection; the container was stopped and removed\n")
    #expect(result.stdout.isEmpty)
    #expect(try TestImages.leftoverContainers(pid: result.pid) == [])
  }

  @Test func usageAndInputErrors() throws {
    let invalid = try Binary.run(["inspect", "bad image name"])
    #expect(invalid.status == 2)
    #expect(invalid.stderr.contains("'bad image name' is not a valid image reference"))
    let missing = try Binary.run(["inspect"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("an image is required (or use --runtime host)"))
    let unknown = try Binary.run(["inspect", "rigcheck-test/none:1", "--runtime", "docker"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("is not present locally"))
    let runtime = try Binary.run(["inspect", "x", "--runtime", "lxc"])
    #expect(runtime.status == 2)
  }

  @Test func interruptRemovesTheContainer() async throws {
    let (process, _) = try await TestImages.startHangingInspection(binary: Binary.path)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    #expect(try TestImages.leftoverContainers(pid: process.processIdentifier) == [])
  }

  @Test func fingerprintWithAnImage() throws {
    let result = try Binary.run(["fingerprint", "--json", "--image", TestImages.reference("cuda-layout")])
    #expect(result.status == 0, "\(result.stderr)")
    let fingerprint = try Fingerprint.decode(Data(result.stdout.utf8), name: "stdout")
    #expect(fingerprint.identity.images.map(\.reference) == [TestImages.reference("cuda-layout")])
    #expect(fingerprint.identity.images.first?.cuda.toolkit.contains(VersionSighting(version: "12.4.1", source: "env CUDA_VERSION")) == true)
  }
}
