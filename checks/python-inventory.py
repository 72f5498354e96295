# Runs inside the image with its own python3: the interpreter and its installed
# distributions, read from metadata files (importlib.metadata, else dist-info/egg-info),
# so pip-less venvs, uv and conda environments work. Conda packages from conda-meta/*.json.
import json, os, sys

def emit(key, value):
    text = str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    sys.stdout.write("rc1\t%s\t%s\n" % (key, text))

emit("python.version", "%d.%d.%d" % sys.version_info[:3])
emit("python.executable", sys.executable)
emit("python.prefix", sys.prefix)
if getattr(sys, "base_prefix", sys.prefix) != sys.prefix:
    emit("python.virtualenv", sys.prefix)
conda = os.environ.get("CONDA_PREFIX") or (sys.prefix if os.path.isdir(os.path.join(sys.prefix, "conda-meta")) else None)
if conda:
    emit("python.conda_prefix", conda)

seen = set()
def record(name, version, location):
    if not name or not version:
        return
    key = name.lower().replace("_", "-")
    if key in seen:
        return
    seen.add(key)
    emit("python.package", "%s==%s" % (name, version))

try:
    from importlib import metadata
    for dist in metadata.distributions():
        record(dist.metadata["Name"], dist.version, "")
except Exception as error:  # Python < 3.8, or broken metadata
    emit("python.metadata_error", "%s: %s" % (type(error).__name__, error))
    for entry in sys.path:
        if not os.path.isdir(entry):
            continue
        for item in os.listdir(entry):
            path = os.path.join(entry, item)
            meta = os.path.join(path, "METADATA") if item.endswith(".dist-info") else os.path.join(path, "PKG-INFO")
            if not (item.endswith(".dist-info") or item.endswith(".egg-info")) or not os.path.isfile(meta):
                continue
            name = version = None
            with open(meta, errors="replace") as handle:
                for line in handle:
                    if line.startswith("Name:"):
                        name = line[5:].strip()
                    elif line.startswith("Version:"):
                        version = line[8:].strip()
                    if name and version or not line.strip():
                        break
            record(name, version, entry)

if conda and os.path.isdir(os.path.join(conda, "conda-meta")):
    for item in sorted(os.listdir(os.path.join(conda, "conda-meta"))):
        if item.endswith(".json"):
            try:
                with open(os.path.join(conda, "conda-meta", item)) as handle:
                    record_data = json.load(handle)
                emit("conda.package", "%s==%s" % (record_data["name"], record_data["version"]))
            except Exception as error:
                emit("conda.error", "%s: %s" % (item, error))
