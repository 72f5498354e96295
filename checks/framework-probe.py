# Imports one framework (argv[1]) and reports its version, CUDA build, cuDNN/NCCL versions,
# arch list and the shared libraries it really loaded (from /proc/self/maps).
#
# Everything here must hold on a machine without a GPU (a CI runner inspecting an image):
# only facts fixed when the framework was built, or read from the libraries it ships, count
# as build facts; whether a GPU is usable is reported separately (cuda_available).
import importlib, importlib.util, sys

def emit(key, value):
    text = str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    sys.stdout.write("rc1\t%s\t%s\n" % (key, text))
    sys.stdout.flush()

name = sys.argv[1]
if importlib.util.find_spec(name) is None:
    sys.exit(0)
prefix = "framework.%s." % name
emit(prefix + "present", "yes")
try:
    module = __import__(name)
except BaseException as error:
    emit(prefix + "error", ("%s: %s" % (type(error).__name__, error)).strip()[:2000])
    sys.exit(1)
emit(prefix + "version", getattr(module, "__version__", "unknown"))

def attempt(key, function):
    try:
        value = function()
        if value is not None:
            emit(prefix + key, value)
    except BaseException as error:
        emit(prefix + key + "_error", "%s: %s" % (type(error).__name__, error))

def yes_no(value):
    return "yes" if value else "no"

def dotted(code, wide):
    # A version packed as major*wide + minor*100 + patch: cuDNN >= 9 (90100, wide 10000),
    # cuDNN < 9 (8902, wide 1000), NCCL >= 2.9 (22105, wide 10000), NCCL < 2.9 (2708, 1000).
    code = int(code)
    return "%d.%d.%d" % (code // wide, code % wide // 100, code % 100)

def nccl_text(version):
    # torch.cuda.nccl.version(): (major, minor, patch) or (major, minor, patch, suffix) since
    # torch 1.x (torch/cuda/nccl.py); an int NCCL_VERSION_CODE in older releases.
    if isinstance(version, int):
        return dotted(version, 10000 if version >= 20900 else 1000)
    parts = list(version)
    text = ".".join(str(part) for part in parts[:3])
    return text + "".join(str(part) for part in parts[3:])

if name == "torch":
    version = module.version
    attempt("cuda", lambda: version.cuda)
    attempt("hip", lambda: getattr(version, "hip", None))
    # Loads libcudnn and asks it (cudnnGetVersion): no GPU needed; None for CPU builds.
    attempt("cudnn", lambda: module.backends.cudnn.version())
    # ncclGetVersion() of the libnccl torch links: no GPU needed. CUDA builds only (a ROCm
    # build answers with RCCL's version here).
    attempt("nccl", lambda: nccl_text(module.cuda.nccl.version()) if version.cuda else None)

    def arch_list():
        # torch.cuda.get_arch_list() returns [] whenever torch.cuda.is_available() is false
        # (no GPU, no driver), so a CUDA build inspected on a CI runner would look CPU-only.
        # It is `torch._C._cuda_getArchFlags().split()` behind that check (torch/cuda/__init__.py);
        # the flags are the build's CUDA_ARCH_FLAGS, a compile-time string ("sm_50 ... sm_90"),
        # absent from torch._C in CPU builds and None when the build did not record them.
        flags = None
        function = getattr(module._C, "_cuda_getArchFlags", None)
        if function is not None:
            try:
                flags = function()
            except BaseException as error:
                emit(prefix + "arch_flags_error", "%s: %s" % (type(error).__name__, error))
        if flags is not None:
            emit(prefix + "arch_source", "_cuda_getArchFlags")
            return " ".join(str(flags).split())
        emit(prefix + "arch_source", "get_arch_list")
        return " ".join(module.cuda.get_arch_list())
    attempt("arch_list", arch_list)
    attempt("cuda_available", lambda: yes_no(module.cuda.is_available()))
    attempt("cxx11_abi", lambda: yes_no(module._C._GLIBCXX_USE_CXX11_ABI))
elif name == "tensorflow":
    # tf.sysconfig.get_build_info() returns the build_info dict generated at build time
    # (tensorflow/python/platform/sysconfig.py, tensorflow/tools/build_info/gen_build_info.py):
    # static, no GPU needed. PyPI's tensorflow 2.18.0 (Linux x86_64) says cuda_version
    # '12.5.1', cudnn_version '9', is_cuda_build True, cuda_compute_capabilities ['sm_60',
    # 'sm_70', 'sm_80', 'sm_89', 'compute_90'] without a GPU; CPU builds have no cuda_version
    # (and is_cuda_build False); Windows builds say '64_112'.
    def build_info():
        return dict(module.sysconfig.get_build_info())
    def build_cuda():
        info = build_info()
        if info.get("is_cuda_build") is False:
            return None
        return info.get("cuda_version")
    attempt("build_cuda", build_cuda)
    attempt("build_cudnn", lambda: build_info().get("cudnn_version") if build_cuda() else None)

    def tf_arch_list():
        capabilities = build_info().get("cuda_compute_capabilities")
        if not capabilities or not build_cuda():
            return None
        emit(prefix + "arch_source", "build_info.cuda_compute_capabilities")
        if isinstance(capabilities, str):
            capabilities = capabilities.replace(",", " ").split()
        return " ".join(str(entry) for entry in capabilities)
    attempt("arch_list", tf_arch_list)
    # list_physical_devices needs the driver and a GPU; on a CI runner it is [] (not an error).
    attempt("gpus", lambda: str(len(module.config.list_physical_devices("GPU"))))
    attempt("cuda_available", lambda: yes_no(module.config.list_physical_devices("GPU")))
elif name == "jax":
    def distribution(dist):
        try:
            import importlib.metadata as metadata  # Python 3.8+
            return metadata.version(dist)
        except Exception:
            return None

    # jaxlib (the XLA runtime) and the CUDA plugin are separate distributions; their versions
    # come from their metadata, no GPU needed.
    for dist in ("jaxlib", "jax-cuda13-plugin", "jax-cuda13-pjrt", "jax-cuda12-plugin", "jax-cuda12-pjrt",
                 "jax-rocm60-plugin", "jax-rocm60-pjrt"):
        found = distribution(dist)
        if found is None and dist == "jaxlib":
            try:
                found = importlib.import_module("jaxlib.version").__version__
            except Exception:
                pass
        if found is not None:
            emit(prefix + "companion", "%s %s" % (dist, found))
    # Initializes the backends: the CUDA plugin (jax_plugins/cuda/__init__.py, initialize())
    # preloads the nvidia-* wheels' libraries and imports jax_cuda12_plugin._versions; without
    # a GPU it logs that the CUDA backend is not available and JAX falls back to the CPU.
    attempt("backend", lambda: module.default_backend())
    attempt("cuda_available", lambda: yes_no(module.default_backend() == "gpu"))

    def cuda_versions():
        # The plugin's _versions module (jaxlib/cuda/versions.cc): *_build_version() are the
        # header macros JAX was compiled against (CUDART_VERSION 12060, CUDNN_VERSION 90100),
        # *_get_version() ask the loaded libraries (cudaRuntimeGetVersion, cudnnGetVersion):
        # none of these needs a GPU. jax 0.4.35's jax_plugins.xla_cuda12 has no cuda_versions
        # attribute (later releases have), so there the plugin's _versions is imported here:
        # it answered 12.3 (CUDART_VERSION 12030) and cuDNN 9.1.0 on a machine without a GPU.
        for plugin in ("jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12"):
            loaded = sys.modules.get(plugin)
            if loaded is not None and getattr(loaded, "cuda_versions", None) is not None:
                return loaded.cuda_versions
        for package in ("jax_cuda13_plugin", "jax_cuda12_plugin"):
            if importlib.util.find_spec(package) is not None:
                return importlib.import_module(package + "._versions")
        return None

    def jax_cuda():
        versions = cuda_versions()
        if versions is None:
            return None
        code = int(versions.cuda_runtime_build_version())
        return "%d.%d" % (code // 1000, code % 1000 // 10)
    attempt("cuda", jax_cuda)

    def jax_cudnn():
        versions = cuda_versions()
        if versions is None:
            return None
        try:
            code = int(versions.cudnn_get_version())
        except Exception:
            code = int(versions.cudnn_build_version())
        return dotted(code, 10000 if code >= 90000 else 1000)
    attempt("cudnn", jax_cudnn)

try:
    loaded = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if "/" in line else ""
            base = path.rsplit("/", 1)[-1]
            if base.startswith(("libcudnn", "libnccl", "libcudart", "libcublas", "libtorch_cuda", "libcuda.so")):
                loaded.add(path)
    for path in sorted(loaded):
        emit(prefix + "loaded", path)
except OSError:
    pass
