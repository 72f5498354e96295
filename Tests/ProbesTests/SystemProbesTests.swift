import Fingerprint
import TestSupport
import Testing

@testable import Probes

@Suite struct SystemProbesTests {
  func context(_ root: HostRoot) -> ProbeContext {
    ProbeContext(root: root, runsCommands: false, environment: [:])
  }

  @Test func realCaptureKernelAndOS() throws {
    let kernel = try #require(SystemProbes.kernel(context(FixtureHost.h200)).value)
    #expect(kernel.release == "6.18.44-fc-v657-gpu")
    #expect(kernel.architecture == nil, "uname describes this machine, so a captured tree without /proc/sys/kernel/arch has none")
    let os = try #require(SystemProbes.osRelease(context(FixtureHost.h200)).value)
    #expect(os.id == "ubuntu")
    #expect(os.versionID == "24.04")
    #expect(os.prettyName == "Ubuntu 24.04.3 LTS")
    #expect(os.versionCodename == "noble")
    #expect(os.idLike == ["debian"])
  }

  @Test func realCaptureMemory() throws {
    let (memory, total, available) = SystemProbes.memory(context(FixtureHost.h200))
    #expect(memory.value?.nominalBytes == 128 << 30)
    #expect(total == 131_981_020 * 1024)
    #expect(available == 131_487_272 * 1024)
  }

  /// Identical nodes whose kernels reserve a little more or less memory have one nominal size.
  @Test func memoryIsNamedAsAPersonWould() throws {
    let kibibyte: UInt64 = 1024
    for (memTotalKiB, expectedGiB) in [
      (131_981_020, 128), (131_481_020, 128), (130_500_000, 128),  // 128 GiB, different reservations
      (2_113_000_000, 2048), (1_583_000_000, 1536), (198_000_000, 192), (65_900_000, 64), (16_300_000, 16), (7_900_000, 8),
    ] as [(UInt64, UInt64)] {
      let tree = try TemporaryTree(prefix: "rigcheck-meminfo")
      try tree.write("root/proc/meminfo", "MemTotal:       \(memTotalKiB) kB\nMemAvailable:   1000 kB\n")
      let (memory, total, _) = SystemProbes.memory(context(tree.root))
      #expect(memory.value?.nominalBytes == expectedGiB << 30, "MemTotal \(memTotalKiB) kB")
      #expect(total == memTotalKiB * kibibyte)
    }
    #expect(NominalSize.roundedUp(64 << 20) == 64 << 20, "sizes on the grid stay")
    #expect(NominalSize.roundedUp(96 << 30) == 96 << 30)
    #expect(NominalSize.roundedUp(0) == 0)
    #expect(NominalSize.roundedUp(UInt64.max) == UInt64.max)
  }

  @Test func thisMachine() throws {
    let live = context(HostRoot())
    let kernel = try #require(SystemProbes.kernel(live).value)
    #expect(!kernel.release.isEmpty)
    #expect(kernel.architecture != nil)
    #expect(SystemProbes.osRelease(live).value?.id.isEmpty == false)
    let libc = try #require(SystemProbes.libc(live).value)
    #expect(libc.name == "glibc")
    let cpu = try #require(SystemProbes.cpu(live).value)
    #expect(cpu.logicalCores >= 1)
    #expect(cpu.mlFlags == cpu.mlFlags.sorted())
    #expect(SystemProbes.memory(live).0.value?.nominalBytes ?? 0 > 0)
  }

  @Test func procVersionParsing() throws {
    let parsed = try #require(
      SystemProbes.parseProcVersion(
        "Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)\n"))
    #expect(parsed.release == "6.1.0-28-amd64")
    #expect(parsed.build == "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)")
    #expect(SystemProbes.parseProcVersion("Linux version 6.18.44-fc-v657-gpu")?.build == nil)
    #expect(SystemProbes.parseProcVersion("garbage") == nil)
  }

  @Test func osReleaseQuotingAndComments() {
    let fields = SystemProbes.parseOSRelease(
      "# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID='12'\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\nBAD LINE\n=novalue\n")
    #expect(fields["NAME"] == "Debian GNU/Linux")
    #expect(fields["ID"] == "debian")
    #expect(fields["VERSION_ID"] == "12")
    #expect(fields["PRETTY_NAME"] == "A \"quoted\" name")
    #expect(fields.count == 4)
  }

  @Test func cpuinfoFlagsAndCores() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cpu")
    let processor = """
      processor\t: %d
      vendor_id\t: GenuineIntel
      model name\t: Intel(R) Xeon(R) Processor
      flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512_bf16 amx_tile amx_bf16 hypervisor

      """
    try tree.write("root/proc/cpuinfo", (0..<4).map { processor.replacing("%d", with: String($0)) }.joined())
    let cpu = try #require(SystemProbes.cpu(context(tree.root)).value)
    #expect(cpu.logicalCores == 4)
    #expect(cpu.model == "Intel(R) Xeon(R) Processor")
    #expect(cpu.vendor == "GenuineIntel")
    #expect(cpu.mlFlags == ["amx_bf16", "amx_tile", "avx", "avx2", "avx512_bf16", "avx512f", "f16c", "fma", "sse4_2"])
  }

  @Test func sharedMemoryFromMountOptions() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-shm")
    try tree.write("root/proc/mounts", "proc /proc proc rw 0 0\nshm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n")
    let (shm, _) = SystemProbes.sharedMemory(context(tree.root))
    #expect(shm.value == SharedMemoryInfo(sizeBytes: 64 << 20, filesystem: "tmpfs"))
    #expect(shm.source == "file:/proc/mounts")
  }

  @Test func sharedMemoryMissingMount() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-shm")
    try tree.write("root/proc/mounts", "proc /proc proc rw 0 0\n")
    #expect(SystemProbes.sharedMemory(context(tree.root)).0.status == .absent)
    #expect(SystemProbes.sharedMemory(context(FixtureHost.h200)).0.status == .absent)
  }

  @Test func sharedMemoryOnThisMachine() throws {
    let (shm, free) = SystemProbes.sharedMemory(context(HostRoot()))
    let info = try #require(shm.value, "\(shm.missingDescription ?? "")")
    #expect(info.sizeBytes > 0)
    #expect(free != nil)
  }

  @Test func sizeOptions() {
    #expect(SystemProbes.parseSizeOption("65536k") == 64 << 20)
    #expect(SystemProbes.parseSizeOption("8g") == 8 << 30)
    #expect(SystemProbes.parseSizeOption("1048576") == 1 << 20)
    #expect(SystemProbes.parseSizeOption("lots") == nil)
    #expect(SystemProbes.parseSizeOption("99999999999999999999t") == nil)
  }

  @Test func mountPointEscapes() {
    #expect(SystemProbes.decodeOctalEscapes("/mnt/my\\040disk") == "/mnt/my disk")
    #expect(SystemProbes.decodeOctalEscapes("/trailing\\04") == "/trailing\\04")
  }

  @Test func glibcBanner() {
    let bytes = Array("\0junk\0GNU C Library (Ubuntu GLIBC 2.39-0ubuntu8.9) stable release version 2.39.\nCopyright".utf8)
    #expect(SystemProbes.glibcVersion(inLibrary: bytes) == "2.39")
    #expect(SystemProbes.glibcVersion(inLibrary: Array("nothing".utf8)) == nil)
  }

  @Test func libcOfACapturedTree() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-libc")
    try tree.write("root/lib/x86_64-linux-gnu/libc.so.6", "\u{7f}ELF...GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n")
    #expect(SystemProbes.libc(context(tree.root)).value == LibcInfo(name: "glibc", version: "2.36"))
    #expect(SystemProbes.libc(context(FixtureHost.h200)).status == .absent)
  }

  @Test func unreadableFileIsUnreadableNotAbsent() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-unreadable")
    try tree.write("root/proc/meminfo", "MemTotal: 1 kB\n")
    // A directory where a file is expected: open succeeds, read fails with EISDIR.
    try tree.write("root/proc/cpuinfo/inner", "")
    let cpu = SystemProbes.cpu(context(tree.root))
    #expect(cpu.status == .unreadable)
    #expect(cpu.reason?.contains("/proc/cpuinfo") == true)
  }

  @Test func hostnameIsRead() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-hostname")
    try tree.write("root/etc/hostname", "gpu-node-17\n")
    #expect(SystemProbes.hostname(context(tree.root)).value == "gpu-node-17")
  }
}

@Suite struct CgroupProbeTests {
  func context(_ root: HostRoot) -> ProbeContext {
    ProbeContext(root: root, runsCommands: false, environment: [:])
  }

  @Test func v2ContainerWithLimits() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cg2")
    try tree.write("root/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
    try tree.write("root/sys/fs/cgroup/cpu.max", "150000 100000\n")
    try tree.write("root/sys/fs/cgroup/memory.max", "8589934592\n")
    try tree.write("root/proc/self/cgroup", "0::/\n")
    try tree.write("root/.dockerenv", "")
    let info = try #require(CgroupProbe.probe(context(tree.root)).value)
    #expect(info == CgroupInfo(version: 2, inContainer: true, containerEvidence: "/.dockerenv exists", cpuLimitCores: "1.5", memoryLimitBytes: 8 << 30))
  }

  @Test func v2HostUnlimited() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cg2")
    try tree.write("root/sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    try tree.write("root/proc/self/cgroup", "0::/user.slice/user-1000.slice/session-3.scope\n")
    try tree.write("root/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/cpu.max", "max 100000\n")
    try tree.write("root/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max", "max\n")
    let info = try #require(CgroupProbe.probe(context(tree.root)).value)
    #expect(info == CgroupInfo(version: 2, inContainer: false, containerEvidence: nil, cpuLimitCores: nil, memoryLimitBytes: nil))
  }

  @Test func v1Limits() throws {
    let tree = try TemporaryTree(prefix: "rigcheck-cg1")
    try tree.write("root/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "200000\n")
    try tree.write("root/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n")
    try tree.write("root/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
    try tree.write("root/proc/self/cgroup", "12:memory:/docker/0123abcd\n")
    let info = try #require(CgroupProbe.probe(context(tree.root)).value)
    #expect(info.version == 1)
    #expect(info.cpuLimitCores == "2")
    #expect(info.memoryLimitBytes == nil)
    #expect(info.containerEvidence == "cgroup path contains /docker/")
  }

  @Test func noCgroupFilesystem() {
    #expect(CgroupProbe.probe(context(FixtureHost.h200)).status == .absent)
  }

  @Test func coreFormatting() {
    #expect(CgroupProbe.formatCores(quota: 50000, period: 100000) == "0.5")
    #expect(CgroupProbe.formatCores(quota: 125000, period: 100000) == "1.25")
    #expect(CgroupProbe.formatCores(quota: 105000, period: 100000) == "1.05")
    #expect(CgroupProbe.parseCPUMax("max 100000") == nil)
    #expect(CgroupProbe.parseCPUMax("nonsense") == nil)
    // Found by fuzzing: quota * 100 overflowed Int64.
    #expect(CgroupProbe.parseCPUMax("150000650150010010 0000000265") != nil)
    #expect(CgroupProbe.formatCores(quota: .max, period: 1) == "9000000000000000", "capped, not trapped")
  }

  @Test func thisMachineHasACgroupVersion() throws {
    let info = try #require(CgroupProbe.probe(context(HostRoot())).value)
    #expect(info.version == 1 || info.version == 2)
  }
}
