#!/bin/bash
# On a GPU machine (the device tool), after gpu-kit/gpu-check.sh: what PyTorch itself says with the
# GPU visible and with it hidden (CUDA_VISIBLE_DEVICES=""), next to what rigcheck's framework probe
# (checks/framework-probe.py of this tree, and the one compiled into gpu-kit/rigcheck) reports.
# A CI runner has no GPU: the "hidden" answers are what rigcheck sees there.
#   bash scripts/gpu-truth.sh      (writes under $OUT, or ./gpu-out)
set -u
O=${OUT:-$PWD/gpu-out}; mkdir -p "$O"
K=$PWD/gpu-kit; export LD_LIBRARY_PATH="$K/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
truth() {
  python3 - <<'PY'
import json, warnings, torch
def attempt(function):
    try:
        return function()
    except BaseException as error:
        return "%s: %s" % (type(error).__name__, error)
answer = {
    "version": torch.__version__, "cuda": torch.version.cuda, "hip": getattr(torch.version, "hip", None),
    "is_available": attempt(torch.cuda.is_available), "device_count": attempt(torch.cuda.device_count),
    "arch_flags": attempt(torch._C._cuda_getArchFlags), "get_arch_list": attempt(torch.cuda.get_arch_list),
    "cudnn": attempt(torch.backends.cudnn.version), "nccl": attempt(torch.cuda.nccl.version),
}
if answer["is_available"] is True:
    answer["capabilities"] = [torch.cuda.get_device_capability(i) for i in range(torch.cuda.device_count())]
    answer["names"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for check in ("_check_capability", "_check_cubins"):
            function = getattr(torch.cuda, check, None)
            if function is not None:
                attempt(function)
        answer["capability_warnings"] = [str(w.message) for w in caught]
print(json.dumps(answer, indent=1, default=str))
PY
}
truth > "$O/torch-visible.json" 2>&1
CUDA_VISIBLE_DEVICES="" truth > "$O/torch-hidden.json" 2>&1
for mode in visible hidden; do
  if [ $mode = hidden ]; then export CUDA_VISIBLE_DEVICES=""; else unset CUDA_VISIBLE_DEVICES; fi
  for framework in torch jax; do python3 checks/framework-probe.py $framework > "$O/probe-$framework-$mode.txt" 2>&1; done
  timeout 120 "$K/rigcheck" inspect local --runtime host --json > "$O/inspect-host-$mode.json" 2> "$O/inspect-host-$mode.err"
done
unset CUDA_VISIBLE_DEVICES
{
  nvidia-smi --query-gpu=name,compute_cap,driver_version,pci.device_id,pcie.link.gen.current,pcie.link.gen.max,pcie.link.width.current,pcie.link.width.max --format=csv
  nvidia-smi -q | grep -E "Product (Name|Brand|Architecture)|CUDA Version|Driver Version"
  echo "--- compat libraries on this host"; ls -la /usr/local/cuda*/compat 2>&1 | head -20
  echo "--- container toolkit"; for c in nvidia-ctk nvidia-container-cli nvidia-container-runtime docker podman; do printf '%s: ' $c; command -v $c || echo absent; done
  echo "--- python packages"; python3 -m pip list 2>/dev/null | grep -iE "^(torch|nvidia-|triton|jax|tensorflow)" 
} > "$O/gpu-facts.txt" 2>&1
# One archive: the device tool brings back only a few files.
(cd "$O" && tar -czf truth.tgz torch-*.json probe-*.txt inspect-host-* gpu-facts.txt && rm -f torch-*.json probe-*.txt inspect-host-* gpu-facts.txt)
ls -la "$O"
