import Compare
import Doctor
import Fingerprint
import Inspector
import Probes
import Reporting
import TestSupport
import Testing

/// doctor (`image.*` checks) and compare (`compat.*` verdicts) must give the same severity for the
/// same host and image: both come from `CompatibilityVerdicts.judge`. Every derived host × every
/// CUDA-bearing test image; a difference is named in the failure.
@Suite(.serialized) struct OneJudgementTests {
  static let hosts = ["h200-ubuntu2404", "h200-driver575", "geforce-driver575", "rtx5090"]
  static let images = ["cuda-layout", "cuda13-compat", "torch-cuda", "torch"]

  @Test func doctorAndCompareAgree() async throws {
    var inspected: [ImageFacts] = []
    for name in Self.images {
      inspected.append(try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference(name), runtime: .docker)))
    }
    for host in Self.hosts {
      let tree = host == "h200-ubuntu2404" ? nil : try FixtureHost.materialize(host)
      var print = await HostFingerprints.probe(tree?.root ?? FixtureHost.h200)
      print.identity.images = inspected
      let doctor = Doctor.report(for: print, options: DoctorOptions()).items.filter { $0.id.hasPrefix("image.") && $0.id != "image.nvidia-env" }
      let side = try ComparedSide(name: "\(host).json", fingerprint: print)
      let compare = Comparator().compare(side, side).verdicts
      #expect(!compare.isEmpty)
      for verdict in compare {
        let doctorID = verdict.id.replacing("compat.", with: "image.")
        let match = doctor.first { $0.id == doctorID && $0.message == verdict.message }
        #expect(match?.severity == verdict.severity, "\(host): \(verdict.id) \(verdict.message): compare \(verdict.severity), doctor \(match.map { "\($0.severity)" } ?? "missing")")
      }
      #expect(doctor.count == compare.count, "\(host): doctor \(doctor.count) findings, compare \(compare.count) verdicts")
    }
  }

  /// `doctor --cuda X` and compare's verdict for an image of CUDA X (no compat libraries) agree:
  /// minor-version compatibility used to be an error in one and a warning in the other.
  @Test(arguments: ["h200-ubuntu2404", "h200-driver575"])
  func doctorCudaAndCompareAgree(host: String) async throws {
    let tree = host == "h200-ubuntu2404" ? nil : try FixtureHost.materialize(host)
    let bare = await HostFingerprints.probe(tree?.root ?? FixtureHost.h200)
    let base = try await Inspector(environment: TestImages.environment).inspect(InspectionRequest(reference: TestImages.reference("cuda-layout"), runtime: .docker))
    for cuda in ["12.4", "12.9", "13.0", "13.1", "13.2"] {
      let doctor = try #require(Doctor.report(for: bare, options: DoctorOptions(cuda: cuda)).items.first { $0.id == "driver.cuda" })
      var image = base
      image.cuda = CUDAToolkitFacts(toolkit: [VersionSighting(version: cuda, source: "env CUDA_VERSION")], runtime: [])
      var print = bare
      print.identity.images = [image]
      let side = try ComparedSide(name: "\(host).json", fingerprint: print)
      let verdict = try #require(Comparator().compare(side, side).verdicts.first { $0.id == "compat.cuda-driver" })
      #expect(doctor.severity == verdict.severity, "\(host) CUDA \(cuda): doctor \(doctor.severity) (\(doctor.message)), compare \(verdict.severity) (\(verdict.message))")
    }
  }
}
