# Imports one framework (argv[1]) and reports its version, CUDA build, cuDNN/NCCL versions,
# arch list and the shared libraries it really loaded (from /proc/self/maps).
import importlib.util, sys

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

if name == "torch":
    attempt("cuda", lambda: module.version.cuda)
    attempt("cudnn", lambda: module.backends.cudnn.version())
    attempt("nccl", lambda: ".".join(str(part) for part in module.cuda.nccl.version()) if module.version.cuda else None)
    attempt("arch_list", lambda: " ".join(module.cuda.get_arch_list()))
    attempt("cuda_available", lambda: "yes" if module.cuda.is_available() else "no")
    attempt("cxx11_abi", lambda: "yes" if module._C._GLIBCXX_USE_CXX11_ABI else "no")
elif name == "tensorflow":
    attempt("build_cuda", lambda: module.sysconfig.get_build_info().get("cuda_version"))
    attempt("build_cudnn", lambda: module.sysconfig.get_build_info().get("cudnn_version"))
    attempt("gpus", lambda: str(len(module.config.list_physical_devices("GPU"))))
elif name == "jax":
    attempt("backend", lambda: module.default_backend())

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
