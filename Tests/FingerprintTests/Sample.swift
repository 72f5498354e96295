import Fingerprint

/// A small but complete fingerprint for model tests.
enum Sample {
  static func fingerprint(hostname: String = "gpu-node-1", uuid: String = "GPU-1111", driver: String = "580.159.04") -> Fingerprint {
    let gpu = PCIDevice(
      address: "0000:00:06.0", vendorID: "10de", deviceID: "2335", subsystemVendorID: "10de", subsystemDeviceID: "18bf",
      classCode: "030200", revision: "a1", driver: "nvidia", numaNode: nil,
      link: PCIeLink(maxSpeed: "32.0 GT/s PCIe", maxWidth: 16))
    let host = HostFacts(
      kernel: .present(KernelInfo(release: "6.8.0-45-generic", version: nil, architecture: "x86_64"), from: "file:/proc/version"),
      os: .present(OSRelease(id: "ubuntu", versionID: "24.04", prettyName: "Ubuntu 24.04.3 LTS", versionCodename: "noble", idLike: ["debian"]), from: "file:/etc/os-release"),
      libc: .present(LibcInfo(name: "glibc", version: "2.39"), from: "confstr:_CS_GNU_LIBC_VERSION"),
      cpu: .absent("/proc/cpuinfo does not exist", source: "file:/proc/cpuinfo"),
      memory: .present(MemoryInfo(nominalBytes: 1 << 37), from: "file:/proc/meminfo"),
      sharedMemory: .present(SharedMemoryInfo(sizeBytes: 64 << 20, filesystem: "tmpfs"), from: "file:/proc/mounts"),
      cgroup: .unreadable("cannot read /sys/fs/cgroup: Permission denied", source: "file:/sys/fs/cgroup"),
      pci: .present(PCIInventory(gpus: [gpu]), from: "libpci:sysfs /sys/bus/pci"),
      nvidia: NvidiaFacts(
        kernelModule: .present(NvidiaKernelModule(version: driver, flavour: .open, compiler: nil), from: "file:/proc/driver/nvidia/version"),
        loadedModules: .present(["nvidia"], from: "file:/proc/modules"),
        deviceNodes: .present(["/dev/nvidia0", "/dev/nvidiactl"], from: "file:/dev/nvidia*"),
        devCharLinks: .present(["/dev/nvidia0", "/dev/nvidiactl"], from: "file:/dev/char"),
        nvml: .present(NVMLReport(driverVersion: driver, cudaDriverVersion: "13.0", gpus: []), from: "nvml:libnvidia-ml.so.1")),
      containerToolkit: ContainerToolkitFacts(
        nvidiaCTK: .absent("nvidia-ctk is not installed (not found on PATH)", source: "path:nvidia-ctk"),
        nvidiaContainerCLI: .absent("x", source: "path:nvidia-container-cli"),
        nvidiaContainerRuntime: .absent("x", source: "path:nvidia-container-runtime"),
        dockerDaemonConfig: .absent("x", source: "file:/etc/docker/daemon.json"),
        cdiSpecs: .absent("x", source: "file:/etc/cdi")),
      docker: ContainerEngineFacts(
        cli: .present(InstalledTool(path: "/home/alice/bin/docker", version: "28.2.2"), from: "command:docker version"),
        daemon: .present(
          EngineDaemon(
            endpoint: "unix:///run/user/1000/docker.sock", context: "rootless", reachable: true, problem: nil,
            server: EngineServer(
              version: "28.2.2", apiVersion: "1.50", storageDriver: "overlay2", cgroupDriver: "systemd", cgroupVersion: "2",
              runtimes: ["nvidia", "runc"], defaultRuntime: "runc", rootless: true, rootDir: "/home/alice/.local/share/docker",
              cdiSpecDirs: ["/etc/cdi", "/var/run/cdi"])),
          from: "command:docker info")),
      podman: ContainerEngineFacts(cli: .absent("podman is not installed", source: "path:podman"), daemon: .absent("podman is not installed", source: "path:podman")))
    return Fingerprint(
      generator: Generator(version: "0.1.0", root: "/"),
      identity: Identity(host: host),
      machine: MachineSpecific(hostname: .present(hostname, from: "file:/proc/sys/kernel/hostname"), gpus: [GPUSerials(pciAddress: "0000:00:06.0", uuid: uuid, serial: "1654321")]),
      volatile: VolatileFacts(
        capturedAt: "2026-11-26T20:00:00Z", memoryTotalBytes: 131_981_020 * 1024, memoryAvailableBytes: 1 << 36,
        pci: PCIReadings(
          devicesScanned: 7, database: PCIDatabase(path: "/usr/share/misc/pci.ids", version: "2023.04.10"),
          devices: [
            PCIDeviceReadings(
              address: "0000:00:06.0", currentLinkSpeed: "32.0 GT/s PCIe", currentLinkWidth: 16, vendorName: "NVIDIA Corporation",
              deviceName: nil, subsystemName: nil, className: "3D controller")
          ]),
        nvidiaOnDemand: NvidiaOnDemand(deviceNodes: ["/dev/nvidia-uvm"], devCharLinks: ["/dev/nvidia-uvm"], loadedModules: ["nvidia_uvm"]),
        gpus: [
          GPUReadings(
            pciAddress: "0000:00:06.0", temperatureCelsius: 40, memoryUsedBytes: 0, utilizationPercent: 0,
            pcieLink: GPULinkReading(currentGeneration: 5, maxGeneration: 5, currentWidth: 16, maxWidth: 16))
        ]))
  }
}
