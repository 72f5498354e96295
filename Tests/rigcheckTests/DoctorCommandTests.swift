import Foundation
import TestSupport
import Testing

@Suite struct DoctorCommandTests {
  @Test func h200PassesAndCuda131OnlyWarns() throws {
    let pass = try Binary.run(["doctor", "--root", Binary.fixture])
    #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
    #expect(pass.stdout.contains("[✓] driver.kernel-module"))
    // Minor-version compatibility: a warning (exit 0), an error only under --strict.
    let warn = try Binary.run(["doctor", "--root", Binary.fixture, "--cuda", "13.1"])
    #expect(warn.status == 0)
    #expect(warn.stdout.contains("[!] driver.cuda"))
    #expect(warn.stdout.contains("full support from 590.44.01"))
    #expect(try Binary.run(["doctor", "--root", Binary.fixture, "--cuda", "13.1", "--strict"]).status == 1)
  }

  @Test func r575HostFailsCuda130() throws {
    let tree = try FixtureHost.materialize("h200-driver575")
    let fail = try Binary.run(["doctor", "--root", tree.rootPath, "--cuda", "13.0"])
    #expect(fail.status == 1)
    #expect(fail.stdout.contains("[✗] driver.cuda"))
    #expect(fail.stdout.contains("minimum driver 580.65.06"))
  }

  @Test func strictCountsWarnings() throws {
    // The capture has no container toolkit: a warning.
    #expect(try Binary.run(["doctor", "--root", Binary.fixture]).status == 0)
    #expect(try Binary.run(["doctor", "--root", Binary.fixture, "--strict"]).status == 1)
  }

  @Test func formats() throws {
    for format in ["json", "markdown", "junit", "prometheus"] {
      let result = try Binary.run(["doctor", "--root", Binary.fixture, "--format", format])
      #expect(result.status == 0, "\(format): \(result.stderr)")
      #expect(!result.stdout.isEmpty)
    }
    let json = try Binary.run(["doctor", "--root", Binary.fixture, "--format", "json"])
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(document?["command"] as? String == "doctor")
  }

  @Test func noColourWhenPiped() throws {
    let result = try Binary.run(["doctor", "--root", Binary.fixture])
    #expect(!result.stdout.contains("\u{1b}["))
  }

  @Test func usageErrors() throws {
    let badFormat = try Binary.run(["doctor", "--format", "yaml"])
    #expect(badFormat.status == 2)
    #expect(badFormat.stderr.contains("--format yaml: expected one of text, json, markdown, junit, prometheus"))
    let badCuda = try Binary.run(["doctor", "--cuda", "twelve"])
    #expect(badCuda.status == 2)
    #expect(badCuda.stderr.contains("--cuda twelve"))
  }

  @Test func listChecks() throws {
    let result = try Binary.run(["doctor", "--list-checks"])
    #expect(result.status == 0)
    for id in ["gpu.nouveau", "driver.cuda", "docker.gpu-runtime", "toolkit.cdi-spec", "system.shm"] {
      #expect(result.stdout.contains(id))
    }
  }

  @Test func thisMachineWithTheRealDaemon() throws {
    let result = try Binary.run(["doctor"])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.contains("[!] gpu.present"))
    #expect(result.stdout.contains("[✓] docker.daemon"))
    let down = try Binary.run(["doctor"], environment: ["DOCKER_HOST": "unix:///tmp/rigcheck-none.sock"])
    #expect(down.status == 1)
    #expect(down.stdout.contains("[✗] docker.daemon"))
  }

  @Test func imageAndGPUsEndToEnd() throws {
    let result = try Binary.run(["doctor", "--root", Binary.fixture, "--image", TestImages.reference("cuda-layout")])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.contains("[✓] image.cuda-driver"))
    #expect(result.stdout.contains("[✓] image.nvidia-require"))
    let gpus = try Binary.run(["doctor", "--image", TestImages.reference("busybox"), "--gpus"])
    #expect(gpus.status == 1)
    #expect(gpus.stdout.contains("[✗] image.gpus"))
    let usage = try Binary.run(["doctor", "--gpus"])
    #expect(usage.status == 2)
    #expect(usage.stderr.contains("--gpus needs an --image"))
  }
}
