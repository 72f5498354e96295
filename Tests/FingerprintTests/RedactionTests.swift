import Foundation
import Testing

@testable import Fingerprint

/// The rules of ``Redaction``, one by one, on model-built fingerprints. The sweep over every
/// string of real fingerprints is `RedactionSweepTests` (rigcheckTests).
@Suite struct RedactionTests {
  static let uuidA = "GPU-5a1e0000-0000-4000-8000-0000000000aa"
  static let uuidB = "GPU-0b2e0000-0000-4000-8000-0000000000bb"
  static let sha = String(repeating: "0123456789abcdef", count: 4)

  /// Sample plus an image whose strings hold personal and secret data.
  static func withImage(_ environment: [String: String] = [:], labels: [String: String] = [:], notes: [String] = [], reference: String = "registry.example.com/alice/train:v3") -> Fingerprint {
    var fingerprint = Sample.fingerprint(hostname: "gpu-node-7")
    let config = ImageConfig(
      id: "sha256:" + sha, digests: ["registry.example.com/alice/train@sha256:" + sha], labels: labels, environment: environment,
      architecture: "amd64", os: "linux")
    let python = PythonEnvironment(
      interpreters: ["/home/alice/venv/bin/python3", "/usr/bin/python3"], defaultInterpreter: "/home/alice/venv/bin/python3", version: "3.11.2",
      executable: "/home/alice/venv/bin/python3", virtualenv: "/home/alice/venv", condaPrefix: nil, packages: [Package(name: "torch", version: "2.5.1")])
    fingerprint.identity.images = [
      ImageFacts(
        reference: reference, runtime: "docker", config: .present(config, from: "command:docker image inspect"),
        os: .absent("no os-release", source: "file:/etc/os-release"), architecture: "amd64",
        libc: .absent("no libc", source: "file:/lib"), python: .present(python, from: "command:python3"), condaPackages: [],
        cuda: CUDAToolkitFacts(toolkit: [], runtime: []), cudnn: [], nccl: [],
        frameworks: [
          FrameworkFacts(
            name: "torch",
            info: .present(
              FrameworkInfo(
                version: "2.5.1", cuda: "12.4", cudnn: nil, nccl: nil, archList: ["sm_90"], cudaAvailable: false, cxx11ABI: false,
                loadedLibraries: ["/home/alice/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9"], problems: []),
              from: "command:python3 -c"))
        ],
        notes: notes)
    ]
    return fingerprint
  }

  static func text(_ fingerprint: Fingerprint) throws -> String {
    String(decoding: try CanonicalJSON.encode(fingerprint), as: UTF8.self)
  }

  @Test func replacesMachineUniqueValues() throws {
    let original = Sample.fingerprint()
    let redacted = try Redaction.redact(original)
    #expect(redacted.machine.hostname.value == Redaction.hostnamePlaceholder)
    #expect(redacted.machine.hostname.source == original.machine.hostname.source)
    #expect(redacted.machine.gpus == [GPUSerials(pciAddress: "0000:00:06.0", uuid: "GPU-REDACTED-0", serial: "SERIAL-REDACTED-0")])
    let server = try #require(redacted.identity.host.docker.daemon.value?.server)
    #expect(server.rootDir == "/home/REDACTED-USER/.local/share/docker")
    #expect(redacted.identity.host.docker.cli.value?.path == "/home/REDACTED-USER/bin/docker")
    #expect(redacted.identity.host.docker.daemon.value?.endpoint == "unix:///run/user/REDACTED-UID/docker.sock")
    let text = try Self.text(redacted)
    for secret in ["gpu-node-1", "GPU-1111", "1654321", "alice", "/1000/"] {
      #expect(!text.contains(secret), "\(secret) survived redaction")
    }
  }

  @Test func isStable() throws {
    #expect(try CanonicalJSON.encode(Redaction.redact(Sample.fingerprint())) == CanonicalJSON.encode(Redaction.redact(Sample.fingerprint(hostname: "other", uuid: "GPU-9"))))
  }

  @Test func userPaths() {
    #expect(Redaction.redactUserPaths("/home/bob") == "/home/REDACTED-USER")
    #expect(Redaction.redactUserPaths("/home/bob/x:/home/carol/y") == "/home/REDACTED-USER/x:/home/REDACTED-USER/y")
    #expect(Redaction.redactUserPaths("/Users/bob/Library") == "/Users/REDACTED-USER/Library")
    #expect(Redaction.redactUserPaths("HOME=/var/home/bob,x") == "HOME=/var/home/REDACTED-USER,x")
    #expect(Redaction.redactUserPaths("unix:///run/user/1000/podman/podman.sock") == "unix:///run/user/REDACTED-UID/podman/podman.sock")
    #expect(Redaction.redactUserPaths("/var/lib/docker") == "/var/lib/docker")
    #expect(Redaction.redactUserPaths("/root/.cache") == "/root/.cache")
  }

  @Test func imagePathsEnvironmentAndLibrariesLoseTheUser() throws {
    let redacted = try Redaction.redact(Self.withImage(["VIRTUAL_ENV": "/home/alice/venv", "PATH": "/home/alice/venv/bin:/usr/bin", "HOME": "/home/alice"]))
    let image = try #require(redacted.identity.images.first)
    let python = try #require(image.python.value)
    #expect(python.executable == "/home/REDACTED-USER/venv/bin/python3")
    #expect(python.virtualenv == "/home/REDACTED-USER/venv")
    #expect(python.interpreters == ["/home/REDACTED-USER/venv/bin/python3", "/usr/bin/python3"])
    #expect(image.config.value?.environment == ["VIRTUAL_ENV": "/home/REDACTED-USER/venv", "PATH": "/home/REDACTED-USER/venv/bin:/usr/bin", "HOME": "/home/REDACTED-USER"])
    #expect(image.framework("torch")?.info.value?.loadedLibraries == ["/home/REDACTED-USER/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9"])
    #expect(!(try Self.text(redacted)).contains("/alice/venv"))
  }

  @Test func theHostnameAndUserAreReplacedInsideOtherStrings() throws {
    let redacted = try Redaction.redact(
      Self.withImage(
        ["XDG_CACHE_HOME": "/home/alice/.cache/gpu-node-7", "CONDA_ENVS_PATH": "/scratch/alice/envs", "USER": "carol"],
        labels: ["built.on": "GPU-NODE-7.cluster.example", "other": "gpu-node-77 gpu-node-7x"],
        notes: ["carol@gpu-node-7: /scratch/alice/x", "alice.smith and malice stay"]))
    let image = try #require(redacted.identity.images.first)
    let config = try #require(image.config.value)
    #expect(config.environment["XDG_CACHE_HOME"] == "/home/REDACTED-USER/.cache/REDACTED-HOST")
    #expect(config.environment["CONDA_ENVS_PATH"] == "/scratch/REDACTED-USER/envs")
    #expect(config.environment["USER"] == "REDACTED-USER")
    #expect(config.labels["built.on"] == "REDACTED-HOST.cluster.example")
    #expect(config.labels["other"] == "gpu-node-77 gpu-node-7x", "only whole words")
    #expect(image.notes == ["REDACTED-USER@REDACTED-HOST: /scratch/REDACTED-USER/x", "REDACTED-USER.smith and malice stay"])
  }

  @Test func environmentSecretsAndTokenLookingValues() throws {
    let hex40 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
    let redacted = try Redaction.redact(
      Self.withImage([
        "HF_TOKEN": "anything", "TORCH_HUB_AUTH": "x", "AWS_SECRET_ACCESS_KEY": "y", "DB_PASSWORD": "z",
        "PIP_INDEX_URL": "https://bob:s3cr3t@pypi.corp.example/simple", "CONDA_SESSION": "--id=\(hex40) --mode=fast",
        "PYTHON_SHA256": Self.sha, "CUDA_VERSION": "12.4.1", "NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla,driver>=470,driver<471",
        "LD_LIBRARY_PATH": "/usr/local/nvidia/lib64/very/long/path/component/abcdefghijklmnopqrstuvwxyz0123456789",
        "NV_DIGEST": "sha256:" + Self.sha, "HOSTNAME": "builder-box-42",
      ]))
    let environment = try #require(redacted.identity.images.first?.config.value?.environment)
    for name in ["HF_TOKEN", "TORCH_HUB_AUTH", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD"] {
      #expect(environment[name] == Redaction.tokenPlaceholder, "\(name)")
    }
    #expect(environment["PIP_INDEX_URL"] == "https://REDACTED@pypi.corp.example/simple")
    #expect(environment["CONDA_SESSION"] == "--id=REDACTED-TOKEN --mode=fast")
    #expect(environment["PYTHON_SHA256"] == Self.sha, "a variable naming a hash keeps it")
    #expect(environment["NV_DIGEST"] == "sha256:" + Self.sha)
    #expect(environment["CUDA_VERSION"] == "12.4.1")
    #expect(environment["NVIDIA_REQUIRE_CUDA"] == "cuda>=12.4 brand=tesla,driver>=470,driver<471")
    #expect(environment["LD_LIBRARY_PATH"] == "/usr/local/nvidia/lib64/very/long/path/component/abcdefghijklmnopqrstuvwxyz0123456789", "paths are not tokens")
    #expect(environment["HOSTNAME"] == Redaction.hostnamePlaceholder)
  }

  @Test func credentialShapesAnywhere() throws {
    let tokens = [
      "hf_" + String(repeating: "aB3", count: 11) + "x", "ghp_" + String(repeating: "Zz9", count: 12), "github_pat_11ABCDEFG0_" + String(repeating: "q", count: 40),
      "sk-proj-" + String(repeating: "Ab1_", count: 10), "AKIAIOSFODNN7EXAMPLE", "glpat-" + String(repeating: "x1", count: 10),
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ]
    let notes = tokens.map { "login with \($0)." } + ["task-0123456789012345678901234567 is not a token", "sk-short"]
    let redacted = try Redaction.redact(Self.withImage(notes: notes))
    let image = try #require(redacted.identity.images.first)
    #expect(image.notes == Array(repeating: "login with REDACTED-TOKEN.", count: tokens.count) + ["task-0123456789012345678901234567 is not a token", "sk-short"])
  }

  @Test func imageIdentifiersAreKept() throws {
    let original = Self.withImage(["VIRTUAL_ENV": "/home/alice/venv"], labels: ["reference": "/home/alice/x", "digest": "/home/alice/x@sha256:" + Self.sha])
    let redacted = try Redaction.redact(original)
    let image = try #require(redacted.identity.images.first)
    #expect(image.reference == "registry.example.com/alice/train:v3", "verify inspects the reference again")
    #expect(image.config.value?.id == "sha256:" + Self.sha)
    #expect(image.config.value?.digests == ["registry.example.com/alice/train@sha256:" + Self.sha])
    #expect(image.config.value?.labels == ["reference": "/home/REDACTED-USER/x", "digest": "/home/REDACTED-USER/x@sha256:" + Self.sha], "only the image's own")
  }

  @Test func gpuUUIDsEverywhereKeepTheMachinesPositions() throws {
    var fingerprint = Self.withImage(["NVIDIA_VISIBLE_DEVICES": "\(Self.uuidB),MIG-8c1b2c3d-0000-4000-8000-000000000001"])
    fingerprint.machine.gpus = [
      GPUSerials(pciAddress: "0000:00:06.0", uuid: Self.uuidA, serial: "1654321000001"),
      GPUSerials(pciAddress: "0000:00:07.0", uuid: Self.uuidB, serial: "1654321000002"),
    ]
    let unknown = "GPU-ffff0000-0000-4000-8000-00000000ffff"
    let devices = ["0", "1", Self.uuidB.lowercased(), Self.uuidA, unknown, "all"].sorted()
    fingerprint.identity.host.containerToolkit.cdiSpecs = .present(
      [CDISpec(path: "/etc/cdi/nvidia.yaml", kind: "nvidia.com/gpu", devices: devices, pinnedDriverVersion: "580.159.04", problem: "serial 1654321000002 seen")],
      from: "file:/etc/cdi")
    let redacted = try Redaction.redact(fingerprint)
    #expect(redacted.machine.gpus.map(\.uuid) == ["GPU-REDACTED-0", "GPU-REDACTED-1"])
    #expect(redacted.machine.gpus.map(\.serial) == ["SERIAL-REDACTED-0", "SERIAL-REDACTED-1"])
    let spec = try #require(redacted.identity.host.containerToolkit.cdiSpecs.value?.first)
    #expect(spec.devices == ["0", "1", "GPU-REDACTED-0", "GPU-REDACTED-1", "GPU-REDACTED-2", "all"], "sorted again, the machine's GPUs by position")
    #expect(spec.problem == "serial SERIAL-REDACTED-1 seen")
    #expect(redacted.identity.images.first?.config.value?.environment["NVIDIA_VISIBLE_DEVICES"] == "GPU-REDACTED-1,MIG-REDACTED-0")
  }

  @Test func aHostNamedLikeAnEnumerationValueOrAFieldStillDecodes() throws {
    for hostname in ["present", "open", "other", "absent", "value", "version", "reason"] {
      var fingerprint = Sample.fingerprint(hostname: hostname)
      fingerprint.identity.host.podman.daemon = .present(
        EngineDaemon(endpoint: nil, context: nil, reachable: false, problem: EngineProblem(kind: .other, message: "\(hostname) is down"), server: nil),
        from: "command:podman info")
      let redacted = try Redaction.redact(fingerprint)
      #expect(redacted.machine.hostname.value == Redaction.hostnamePlaceholder)
      #expect(redacted.machine.hostname.status == .present)
      #expect(redacted.identity.host.nvidia.kernelModule.value?.flavour == .open)
      #expect(redacted.identity.host.podman.daemon.value?.problem?.kind == .other)
      #expect(redacted.identity.host.podman.daemon.value?.problem?.message == "REDACTED-HOST is down")
      #expect(redacted.identity.host.nvidia.kernelModule.value?.version == "580.159.04", "no field renamed")
      #expect(redacted.identity.host.cgroup.reason == "cannot read /sys/fs/cgroup: Permission denied")
    }
  }

  @Test func commonNamesAreReplacedInTheirPlaceOnly() throws {
    var fingerprint = Sample.fingerprint(hostname: "ubuntu")
    fingerprint.identity.host.docker.cli = .present(InstalledTool(path: "/home/dev/bin/docker", version: "28.2.2"), from: "command:docker version")
    var redacted = try Redaction.redact(fingerprint)
    #expect(redacted.machine.hostname.value == Redaction.hostnamePlaceholder)
    #expect(redacted.identity.host.os.value?.id == "ubuntu", "a default hostname is no word to hunt")
    #expect(redacted.identity.host.docker.cli.value?.path == "/home/REDACTED-USER/bin/docker")
    #expect(redacted.identity.host.nvidia.deviceNodes.value == ["/dev/nvidia0", "/dev/nvidiactl"], "/home/dev is no reason to touch /dev")

    fingerprint = Sample.fingerprint(hostname: "vm")
    fingerprint.identity.host.kernel.value?.version = "#1 SMP vm build"
    redacted = try Redaction.redact(fingerprint)
    #expect(redacted.machine.hostname.value == Redaction.hostnamePlaceholder)
    #expect(redacted.identity.host.kernel.value?.version == "#1 SMP vm build", "two letters identify nobody")
  }

  @Test func ofKeysMadeEqualTheFirstInCanonicalOrderIsKept() throws {
    let redacted = try Redaction.redact(
      Self.withImage(
        ["gpu-node-7_CACHE": "/lower", "GPU-NODE-7_CACHE": "/upper", "PATH": "/usr/bin"],
        labels: ["built.on.gpu-node-7": "lower", "built.on.GPU-NODE-7": "upper"]))
    let config = try #require(redacted.identity.images.first?.config.value)
    #expect(config.environment == ["REDACTED-HOST_CACHE": "/upper", "PATH": "/usr/bin"])
    #expect(config.labels == ["built.on.REDACTED-HOST": "upper"])
  }

  @Test func integersAreKeptExactlyOrRedactionRefuses() throws {
    var fingerprint = JSONTreeTests.awkward()
    let redacted = try Redaction.redact(fingerprint)
    #expect(redacted.identity.host.cgroup.value?.memoryLimitBytes == 1 << 60)
    #expect(redacted.volatile == fingerprint.volatile)
    #expect(redacted.identity.host.memory == fingerprint.identity.host.memory)
    #expect(redacted.identity.images.first?.config.value?.environment["TEXT"] == fingerprint.identity.images.first?.config.value?.environment["TEXT"])
    for rounded: UInt64 in [(1 << 53) + 1, .max] {
      fingerprint.volatile.gpus[0].uncorrectableECCErrors = rounded
      let error = #expect(throws: RedactionError.self) { try Redaction.redact(fingerprint) }
      #expect(error?.description.contains("integer \(rounded) cannot be held exactly") == true, "\(String(describing: error))")
    }
  }

  @Test func redactionIsIdempotentAndDeterministic() throws {
    let fingerprint = Self.withImage(["XDG_CACHE_HOME": "/home/alice/.cache/gpu-node-7", "HF_TOKEN": "x", "USER": "alice"], notes: ["GPU-ffff0000-0000-4000-8000-00000000ffff"])
    let once = try Redaction.redact(fingerprint)
    #expect(try CanonicalJSON.encode(once) == CanonicalJSON.encode(try Redaction.redact(fingerprint)))
    #expect(try CanonicalJSON.encode(once) == CanonicalJSON.encode(try Redaction.redact(once)))
  }

  @Test func identityHashIsUnchangedUnlessTheIdentityHeldWhatIsReplaced() throws {
    var systemWide = Sample.fingerprint()
    systemWide.identity.host.docker = ContainerEngineFacts(
      cli: .present(InstalledTool(path: "/usr/bin/docker", version: "28.2.2"), from: "command:docker version"),
      daemon: .absent("no socket", source: "file:/var/run/docker.sock"))
    #expect(try Redaction.redact(systemWide).identityHash() == systemWide.identityHash(), "hostname, UUIDs and serials are never hashed")

    let alice = Sample.fingerprint()
    var bob = Sample.fingerprint(hostname: "gpu-node-2", uuid: "GPU-2222")
    bob.identity.host.docker.cli = .present(InstalledTool(path: "/home/bob/bin/docker", version: "28.2.2"), from: "command:docker version")
    bob.identity.host.docker.daemon.value?.endpoint = "unix:///run/user/1001/docker.sock"
    bob.identity.host.docker.daemon.value?.server?.rootDir = "/home/bob/.local/share/docker"
    #expect(try alice.identityHash() != bob.identityHash())
    #expect(try Redaction.redact(alice).identityHash() != alice.identityHash(), "user names in identity paths were replaced")
    #expect(try Redaction.redact(alice).identityHash() == Redaction.redact(bob).identityHash(), "the same environment for two users")
  }
}
