#!/usr/bin/env python3
"""Writes the overlays of hgx-h200-8gpu and of the hgx-* hosts derived from it.

Every file is derived from the real capture in ../h200-ubuntu2404 (see each DERIVED.md);
run it from anywhere: python3 Tests/Fixtures/hosts/hgx-h200-8gpu/make-fixtures.py
It is deterministic: running it again rewrites the same bytes.
"""
import os
import re
import shutil

HOSTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURE = os.path.join(HOSTS, "h200-ubuntu2404")
GPU_DIR = "sys/devices/pci0000:00/0000:00:06.0"
DRIVER = "580.159.04"

# Socket 0: GPU/NIC pairs 0-3 and the four NVSwitches; socket 1: pairs 4-7 (DGX/HGX H200 layout:
# each GPU and one ConnectX-7 share a PCIe switch below a CPU root port).
ROOT_BUSES = [0x15, 0x2A, 0x3F, 0x54, 0x95, 0xAA, 0xBF, 0xD4]
SWITCH_ROOT_BUS = 0x04


def read(path):
    with open(os.path.join(CAPTURE, path), "rb") as f:
        return f.read()


def write(base, relative, data):
    path = os.path.join(base, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def bdf(bus, device=0, function=0):
    return "0000:%02x:%02x.%x" % (bus, device, function)


def relative_link(from_dir, target):
    """The relative form a sysfs link has (from_dir and target are tree-relative)."""
    return os.path.relpath(target, from_dir)


def pci_function(overlay, chain, address, vendor, device, klass, subsys, numa, driver, irq):
    """A PCI function's sysfs directory, copied from the captured GPU's and re-identified."""
    directory = "sys/devices/" + "/".join(chain + [address])
    for name in sorted(os.listdir(os.path.join(CAPTURE, GPU_DIR))):
        data = read(GPU_DIR + "/" + name)
        if name == "vendor":
            data = b"0x%04x\n" % vendor
        elif name == "device":
            data = b"0x%04x\n" % device
        elif name == "class":
            data = b"0x%06x\n" % klass
        elif name == "subsystem_vendor":
            data = b"0x%04x\n" % vendor
        elif name == "subsystem_device":
            data = b"0x%04x\n" % subsys
        elif name == "numa_node":
            data = b"%d\n" % numa
        elif name == "local_cpulist":
            data = b"0-55,112-167\n" if numa == 0 else b"56-111,168-223\n"
        elif name == "irq":
            data = b"%d\n" % irq
        elif name == "config":
            config = bytearray(data)
            config[0:2] = vendor.to_bytes(2, "little")
            config[2:4] = device.to_bytes(2, "little")
            config[9:12] = klass.to_bytes(3, "little")
            config[0x2C:0x2E] = vendor.to_bytes(2, "little")
            config[0x2E:0x30] = subsys.to_bytes(2, "little")
            data = bytes(config)
        elif name == "uevent":
            data = (
                "DRIVER=%s\nPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n"
                % (driver, klass, vendor, device, vendor, subsys, address, vendor, device, vendor, subsys, klass >> 16, (klass >> 8) & 0xFF, klass & 0xFF)
            ).encode()
        elif name == "modalias":
            data = b"pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" % (vendor, device, vendor, subsys, klass >> 16, (klass >> 8) & 0xFF, klass & 0xFF)
        elif name == "driver":
            data = relative_link(directory, "sys/bus/pci/drivers/" + driver).encode()
        write(overlay, directory + "/" + name, data)
    write(overlay, "sys/bus/pci/devices/" + address, relative_link("sys/bus/pci/devices", directory))
    write(overlay, "sys/bus/pci/drivers/%s/.keep" % driver, "")
    return directory


def gpu_chain(i):
    root = ROOT_BUSES[i]
    return ["pci0000:%02x" % root, bdf(root, 1), bdf(root + 1), bdf(root + 2)]


def nic_chain(i):
    root = ROOT_BUSES[i]
    return ["pci0000:%02x" % root, bdf(root, 1), bdf(root + 1), bdf(root + 2, 1)]


def gpu_address(i):
    return bdf(ROOT_BUSES[i] + 3)


def nic_address(i):
    return bdf(ROOT_BUSES[i] + 4)


def uuid(i):
    return "GPU-5a1e0000-0000-4000-8000-%012d" % (i + 1)


def xml_gpu_block(xml, i, throttled=False):
    start = xml.index('\t<gpu id="')
    end = xml.index("\t</gpu>") + len("\t</gpu>\n")
    block = xml[start:end]
    address = gpu_address(i)
    bus = address.split(":")[1]
    block = block.replace('<gpu id="00000000:00:06.0">', '<gpu id="0000%s">' % address.upper().replace("0000:", "0000:", 1))
    block = block.replace("<pci_bus>00</pci_bus>", "<pci_bus>%s</pci_bus>" % bus.upper())
    block = block.replace("<pci_device>06</pci_device>", "<pci_device>00</pci_device>")
    block = block.replace("<pci_bus_id>00000000:00:06.0</pci_bus_id>", "<pci_bus_id>0000%s</pci_bus_id>" % address.upper())
    block = block.replace("GPU-5a1e0000-0000-4000-8000-000000000001", uuid(i))
    block = block.replace("<serial>0000000000000</serial>", "<serial>%013d</serial>" % (i + 1))
    block = block.replace("<minor_number>0</minor_number>", "<minor_number>%d</minor_number>" % i)
    block = re.sub(r"<module_id>\d+</module_id>", "<module_id>%d</module_id>" % (i + 1), block)
    if throttled:
        block = block.replace(
            "<clocks_event_reason_hw_thermal_slowdown>Not Active</clocks_event_reason_hw_thermal_slowdown>",
            "<clocks_event_reason_hw_thermal_slowdown>Active</clocks_event_reason_hw_thermal_slowdown>")
        block = block.replace(
            "<clocks_event_reason_sw_thermal_slowdown>Not Active</clocks_event_reason_sw_thermal_slowdown>",
            "<clocks_event_reason_sw_thermal_slowdown>Active</clocks_event_reason_sw_thermal_slowdown>")
        block = block.replace("<clocks_event_reason_gpu_idle>Active</clocks_event_reason_gpu_idle>",
                              "<clocks_event_reason_gpu_idle>Not Active</clocks_event_reason_gpu_idle>")
        block = re.sub(r"<gpu_temp>\d+ C</gpu_temp>", "<gpu_temp>91 C</gpu_temp>", block, count=1)
    return block


def nvidia_smi_xml(throttled_gpu=None):
    xml = read("captured/nvidia-smi-q.xml").decode()
    start = xml.index('\t<gpu id="')
    end = xml.index("\t</gpu>") + len("\t</gpu>\n")
    blocks = "".join(xml_gpu_block(xml, i, throttled=(i == throttled_gpu)) for i in range(8))
    xml = xml[:start] + blocks + xml[end:]
    return xml.replace("<attached_gpus>1</attached_gpus>", "<attached_gpus>8</attached_gpus>")


def nvlink_status(active=True):
    lines = []
    for i in range(8):
        lines.append("GPU %d: NVIDIA H200 (UUID: %s)" % (i, uuid(i)))
        for link in range(18):
            lines.append("\t Link %d: %s" % (link, "26.562 GB/s" if active else "<inactive>"))
    return "\n".join(lines) + "\n"


def systemctl_status(active):
    if active:
        state = "active (running) since Thu 2026-11-26 18:02:11 UTC; 2h 21min ago"
        tail = " Main PID: 2741 (nv-fabricmanager)\n      Tasks: 18 (limit: 629145)\n     Memory: 41.3M\n        CPU: 3.114s\n"
    else:
        state = "inactive (dead)"
        tail = ""
    return (
        "\u25cb nvidia-fabricmanager.service - NVIDIA fabric manager service\n".replace("\u25cb", "\u25cf" if active else "\u25cb")
        + "     Loaded: loaded (/usr/lib/systemd/system/nvidia-fabricmanager.service; %s; preset: enabled)\n" % ("enabled" if active else "disabled")
        + "     Active: %s\n" % state
        + tail
    )


def dpkg_status(fabricmanager_version):
    stanzas = [
        ("nvidia-fabricmanager-580", fabricmanager_version, "NVIDIA Fabric Manager"),
        ("rdma-core", "50.0-2ubuntu0.2", "RDMA core userspace infrastructure and documentation"),
        ("ibverbs-providers", "50.0-2ubuntu0.2", "User space provider drivers for libibverbs"),
    ]
    text = ""
    for name, version, description in sorted(stanzas):
        text += "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: misc\nArchitecture: amd64\nVersion: %s\nDescription: %s\n\n" % (
            name, version, description)
    return text


MODULES_BASE = read("proc/modules").decode()
PEERMEM = "nvidia_peermem 16384 0 - Live 0xffffffffc1b2d000 (O)\n"
RDMA_MODULES = (
    "mlx5_ib 495616 0 - Live 0xffffffffc1a40000\n"
    "ib_uverbs 184320 2 nvidia_peermem,mlx5_ib, Live 0xffffffffc19f0000\n"
    "ib_core 495616 3 mlx5_ib,ib_uverbs, Live 0xffffffffc1950000\n"
    "mlx5_core 2654208 1 mlx5_ib, Live 0xffffffffc1600000\n"
)


def modules(peermem=True):
    return (PEERMEM if peermem else "") + RDMA_MODULES.replace("nvidia_peermem,", "" if not peermem else "nvidia_peermem,") + MODULES_BASE


DMESG_CLEAN = """[    4.211904] nvidia: loading out-of-tree module taints kernel.
[    4.388102] nvidia-nvlink: Nvlink Core is being initialized, major device number 509
[    4.397118] NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (dvs-builder@U22-I3-AM02-24-3)
[    5.012331] mlx5_core 0000:19:00.0: firmware version: 28.39.1002
[    6.774812] nvidia-nvswitch0: open (major=508)
[   17.118430] mlx5_core 0000:19:00.0 ibp25s0: Link up
"""

DMESG_XID = DMESG_CLEAN + """[ 8127.551203] NVRM: Xid (PCI:0000:2d:00): 48, pid=48213, name=python, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.
[ 8127.551290] NVRM: Xid (PCI:0000:2d:00): 63, pid=48213, name=python, Row Remapper: New row marked for remapping, reset gpu to activate.
[ 9602.004417] NVRM: Xid (PCI:0000:98:00): 79, pid=51877, name=python, GPU has fallen off the bus.
[ 9602.004470] NVRM: GPU 0000:98:00.0: GPU has fallen off the bus.
[ 9602.118805] NVRM: Xid (PCI:0000:98:00): 79, pid=51877, name=python, GPU has fallen off the bus.
"""


def infiniband(overlay, i, chain, numa, state="4: ACTIVE", phys="5: LinkUp", rate="400 Gb/sec (4X NDR)", nic=None):
    name = "mlx5_%d" % i
    pci_dir = "sys/devices/" + "/".join((chain + [nic_address(i)]) if nic is None else chain)
    base = "sys/class/infiniband/" + name
    write(overlay, base + "/device", relative_link(base, pci_dir))
    write(overlay, base + "/node_type", "1: CA\n")
    write(overlay, base + "/ports/1/state", state + "\n")
    write(overlay, base + "/ports/1/phys_state", phys + "\n")
    write(overlay, base + "/ports/1/rate", rate + "\n")
    write(overlay, base + "/ports/1/link_layer", "InfiniBand\n")


def healthy(overlay):
    for i in range(8):
        numa = 0 if i < 4 else 1
        address = gpu_address(i)
        pci_function(overlay, gpu_chain(i), address, 0x10DE, 0x2335, 0x030200, 0x18BF, numa, "nvidia", 100 + i)
        info = read("proc/driver/nvidia/gpus/0000:00:06.0/information").decode()
        info = info.replace("GPU-5a1e0000-0000-4000-8000-000000000001", uuid(i)).replace("0000:00:06.0", address)
        info = info.replace("Device Minor: \t 0", "Device Minor: \t %d" % i).replace("IRQ:   \t\t 41", "IRQ:   \t\t %d" % (100 + i))
        write(overlay, "proc/driver/nvidia/gpus/%s/information" % address, info)
        pci_function(overlay, nic_chain(i), nic_address(i), 0x15B3, 0x1021, 0x020700, 0x0023, numa, "mlx5_core", 200 + i)
        infiniband(overlay, i, nic_chain(i), numa)
    for s in range(4):
        chain = ["pci0000:%02x" % SWITCH_ROOT_BUS, bdf(SWITCH_ROOT_BUS, 1), bdf(SWITCH_ROOT_BUS + 1), bdf(SWITCH_ROOT_BUS + 2, s)]
        pci_function(overlay, chain, bdf(SWITCH_ROOT_BUS + 3 + s), 0x10DE, 0x22A3, 0x068000, 0x1796, 0, "nvidia-nvswitch", 300 + s)
    write(overlay, "captured/nvidia-smi-q.xml", nvidia_smi_xml())
    write(overlay, "captured/nvidia-smi-nvlink-s.txt", nvlink_status())
    write(overlay, "captured/systemctl-status-nvidia-fabricmanager.txt", systemctl_status(True))
    write(overlay, "captured/dmesg.txt", DMESG_CLEAN)
    write(overlay, "captured/environment.txt", "NCCL_IB_HCA=mlx5_0,mlx5_1,mlx5_2,mlx5_3,mlx5_4,mlx5_5,mlx5_6,mlx5_7\nNCCL_SOCKET_IFNAME=bond0\nCUDA_DEVICE_ORDER=PCI_BUS_ID\n")
    write(overlay, "var/lib/dpkg/status", dpkg_status("580.159.04-1"))
    write(overlay, "proc/modules", modules())
    write(overlay, "usr/bin/nv-fabricmanager", "#!/bin/sh\n# stand-in for NVIDIA's binary: only its presence is read\n")


def fresh(name):
    overlay = os.path.join(HOSTS, name, "overlay")
    shutil.rmtree(overlay, ignore_errors=True)
    os.makedirs(overlay)
    return overlay


def main():
    healthy(fresh("hgx-h200-8gpu"))
    write(os.path.join(HOSTS, "hgx-h200-8gpu"), "removed.txt",
          "sys/bus/pci/devices/0000:00:06.0\nsys/devices/pci0000:00/0000:00:06.0\nproc/driver/nvidia/gpus/0000:00:06.0\n")

    overlay = fresh("hgx-fm-stopped")
    write(overlay, "captured/systemctl-status-nvidia-fabricmanager.txt", systemctl_status(False))
    write(overlay, "captured/nvidia-smi-nvlink-s.txt", nvlink_status(active=False))

    overlay = fresh("hgx-fm-wrong-version")
    write(overlay, "var/lib/dpkg/status", dpkg_status("580.172.08-1"))

    overlay = fresh("hgx-xid")
    write(overlay, "captured/dmesg.txt", DMESG_XID)

    overlay = fresh("hgx-ib-port-down")
    infiniband(overlay, 3, nic_chain(3), 0, state="1: DOWN", phys="3: Disabled", rate="10 Gb/sec (4X SDR)")

    overlay = fresh("hgx-peermem-missing")
    write(overlay, "proc/modules", modules(peermem=False))

    overlay = fresh("hgx-throttling")
    write(overlay, "captured/nvidia-smi-q.xml", nvidia_smi_xml(throttled_gpu=2))

    # The four socket-1 NICs sit in socket-0 slots: same adapters, behind socket-0 root ports
    # (0000:64:01.0, 0000:66:01.0, …), so their bus numbers and addresses change too.
    overlay = fresh("hgx-numa-mismatch")
    removed = []
    for i in range(4, 8):
        root = 0x64 + 2 * (i - 4)
        chain = ["pci0000:%02x" % root, bdf(root, 1)]
        address = bdf(root + 1)
        pci_function(overlay, chain, address, 0x15B3, 0x1021, 0x020700, 0x0023, 0, "mlx5_core", 200 + i)
        infiniband(overlay, i, chain + [address], 0, nic=address)
        removed.append("sys/devices/" + "/".join(nic_chain(i) + [nic_address(i)]))
        removed.append("sys/bus/pci/devices/" + nic_address(i))
    write(os.path.join(HOSTS, "hgx-numa-mismatch"), "removed.txt", "\n".join(removed) + "\n")

if __name__ == "__main__":
    main()
