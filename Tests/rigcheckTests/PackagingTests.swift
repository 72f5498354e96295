import Foundation
import Probes
import TestSupport
import Testing

/// The .deb and tarball scripts/package.sh builds, checked by Debian's own tools and installed
/// with dpkg into a clean Debian 12 container (the debootstrap rootfs of
/// Tests/Images/debian-base) that has no network: the package must be enough.
@Suite struct PackagingTests {
  @Test func debInstallsAndRunsInACleanDebian12Container() throws {
    let deb = try OperatingTools.package(.deb)
    let work = try TemporaryTree(prefix: "rigcheck-deb-install")
    try FileManager.default.createDirectory(atPath: work.path + "/debs", withIntermediateDirectories: true)
    // What the minimal rootfs lacks of the package's Depends (libpci3, which needs libudev1;
    // libarchive13, which needs libxml2 and so libicu72) and Recommends (pci.ids, the names of
    // the PCI ids), from the host's Debian archive. libssl3 is already in the rootfs.
    let download = try OperatingTools.run(
      "apt-get", ["download", "libpci3", "libudev1", "libarchive13", "libxml2", "libicu72", "pci.ids"], timeout: 120, directory: work.path + "/debs")
    #expect(download.succeeded, "apt-get download: \(download.stderr)")
    try FileManager.default.copyItem(atPath: deb, toPath: work.path + "/rigcheck.deb")
    let script = """
      set -e
      dpkg -i /pkgs/debs/*.deb >/dev/null
      dpkg -i /pkgs/rigcheck.deb
      echo "version: $(rigcheck --version)"
      set +e
      rigcheck doctor >/tmp/doctor.out 2>/tmp/doctor.err
      echo "doctor-exit: $?"
      cat /tmp/doctor.out /tmp/doctor.err
      dpkg -L rigcheck
      """
    let result = try OperatingTools.run(
      "docker", ["run", "--rm", "--network", "none", "-v", work.path + ":/pkgs:ro", TestImages.reference("debian-base"), "sh", "-c", script],
      timeout: 180)
    #expect(result.succeeded, "\(result.stdout)\n\(result.stderr)")
    let version = try Binary.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(result.stdout.contains("version: \(version)\n"))
    // 0 or 1 are the doctor's documented verdicts (1 when the container sees a GPU of the host's
    // PCI bus without a driver); a loader error (127) or a crash is not.
    let doctorExit = result.stdout.firstMatch(of: /doctor-exit: (\d+)/).map { String($0.1) }
    #expect(doctorExit == "0" || doctorExit == "1", "\(result.stdout)")
    #expect(result.stdout.contains(#/\nrigcheck doctor · [^·]+ · Debian GNU/Linux 12 \(bookworm\) · kernel /#), "the container's OS")
    #expect(result.stdout.contains("[✓] system.os"))
    #expect(!result.stdout.contains("error while loading shared libraries"))
    for path in [
      "/usr/bin/rigcheck", "/usr/share/man/man1/rigcheck.1.gz", "/usr/share/bash-completion/completions/rigcheck",
      "/usr/share/zsh/vendor-completions/_rigcheck", "/usr/share/fish/vendor_completions.d/rigcheck.fish",
      "/usr/share/rigcheck/prometheus/rigcheck-rules.yml", "/usr/share/rigcheck/slurm/rigcheck-healthcheck.sh",
      "/usr/share/doc/rigcheck/copyright",
    ] {
      #expect(result.stdout.contains("\n" + path + "\n"), "the package installs \(path)")
    }
  }

  @Test func lintianFindsNoErrors() throws {
    let result = try OperatingTools.run("lintian", ["--fail-on", "error,warning", try OperatingTools.package(.deb)], timeout: 300)
    #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
    #expect(!result.stdout.contains("E: ") && !result.stdout.contains("W: "), "\(result.stdout)")
  }

  @Test func dependsIsWhatTheBinaryLinks() throws {
    let deb = try OperatingTools.package(.deb)
    let control = try OperatingTools.run("dpkg-deb", ["--field", deb, "Package", "Version", "Depends"]).stdout
    let version = try Binary.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(control.contains("Version: \(version)\n"), "the package's version is the binary's")
    // dpkg-shlibdeps maps each NEEDED library to its package: libpci for the PCI bus; the Swift
    // runtime is linked in (no libswiftCore.so, no libFoundation.so from a toolchain).
    #expect(control.contains("libpci3 (>="))
    #expect(control.contains("libc6 (>="))
    let extracted = try TemporaryTree(prefix: "rigcheck-deb-extract")
    #expect(try OperatingTools.run("dpkg-deb", ["-x", deb, extracted.path]).succeeded)
    let needed = try OperatingTools.run("objdump", ["-p", extracted.path + "/usr/bin/rigcheck"]).stdout
      .split(separator: "\n").filter { $0.contains("NEEDED") }.map { String($0.split(separator: " ").last ?? "") }
    #expect(needed.contains("libpci.so.3"))
    #expect(!needed.contains { $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") }, "\(needed)")
  }

  @Test func tarballHoldsBinaryManPageCompletionsAndReadme() throws {
    let tarball = try OperatingTools.package(.tarball)
    let listing = try OperatingTools.run("tar", ["-tzf", tarball]).stdout.split(separator: "\n").map(String.init)
    let version = try Binary.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    for path in [
      "bin/rigcheck", "share/man/man1/rigcheck.1.gz", "share/bash-completion/completions/rigcheck", "share/zsh/vendor-completions/_rigcheck",
      "share/fish/vendor_completions.d/rigcheck.fish", "share/rigcheck/prometheus/rigcheck-rules.yml", "README.md",
    ] {
      #expect(listing.contains("rigcheck-\(version)/\(path)"), "\(path) in the tarball")
    }
  }

  /// The man page is argument-parser's generate-manual output: every subcommand, and groff
  /// renders it without a warning (what lintian's groff-message check runs).
  @Test func manPageRendersEverySubcommand() throws {
    let extracted = try TemporaryTree(prefix: "rigcheck-man")
    #expect(try OperatingTools.run("dpkg-deb", ["-x", try OperatingTools.package(.deb), extracted.path]).succeeded)
    let rendered = try OperatingTools.run(
      "man", ["--warnings", "-l", extracted.path + "/usr/share/man/man1/rigcheck.1.gz"], environment: ["MANWIDTH": "100"])
    #expect(rendered.succeeded, "\(rendered.stderr)")
    #expect(rendered.stderr.isEmpty, "groff warnings: \(rendered.stderr)")
    let text = rendered.stdout.replacing(/.\u{8}/, with: "")  // no overstrike (bold, underline)
    for subcommand in ["doctor", "fingerprint", "inspect", "compare", "lock", "verify", "fleet"] {
      #expect(text.contains("\n     \(subcommand)  ") || text.contains("\n     \(subcommand)\n"), "the man page documents \(subcommand)")
    }
  }

  /// Completion scripts, also from a build from source (`--generate-completion-script`): bash
  /// really completes subcommands and options with the packaged script.
  @Test func bashCompletesSubcommandsAndOptions() throws {
    let extracted = try TemporaryTree(prefix: "rigcheck-completion")
    #expect(try OperatingTools.run("dpkg-deb", ["-x", try OperatingTools.package(.deb), extracted.path]).succeeded)
    let script = extracted.path + "/usr/share/bash-completion/completions/rigcheck"
    func complete(_ words: [String]) throws -> [String] {
      let line = "source \"$0\"; COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1); "
        + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; _rigcheck rigcheck \"${COMP_WORDS[-1]}\" \"${COMP_WORDS[-2]}\"; printf '%s\\n' \"${COMPREPLY[@]}\""
      let result = try OperatingTools.run("bash", ["-c", line, script], environment: ["PATH": extracted.path + "/usr/bin:/usr/bin:/bin"])
      #expect(result.succeeded, "\(result.stderr)")
      return result.stdout.split(separator: "\n").map(String.init)
    }
    #expect(try complete(["rigcheck", "do"]) == ["doctor"])
    #expect(try complete(["rigcheck", "doctor", "--str"]) == ["--strict"])
    let fromSource = try Binary.run(["--generate-completion-script", "bash"])
    #expect(fromSource.status == 0)
    #expect(fromSource.stdout.contains("_rigcheck()"))
  }
}
