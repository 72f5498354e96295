import Fingerprint

/// cuda.sh and cudnn-nccl.sh, read from files: the same paths and globs, each file once by
/// its real path, the same values. `nvcc --version` needs nvcc to run: not read.
extension StaticFactCollector {
  static let cudartPatterns = [
    "/usr/local/cuda*/lib64/libcudart.so.*", "/usr/local/cuda*/targets/*/lib/libcudart.so.*", "/usr/lib/x86_64-linux-gnu/libcudart.so.*",
    "/usr/lib/aarch64-linux-gnu/libcudart.so.*", "/usr/lib64/libcudart.so.*", "/usr/lib/python3*/*-packages/nvidia/cuda_runtime/lib/libcudart.so.*",
    "/usr/local/lib/python3*/*-packages/nvidia/cuda_runtime/lib/libcudart.so.*", "/opt/*/lib/python3*/site-packages/nvidia/cuda_runtime/lib/libcudart.so.*",
  ]

  mutating func collectCUDA() {
    var seen: Set<String> = []
    for root in ["/usr/local/cuda"] + files.glob("/usr/local/cuda-[0-9]*") {
      guard files.isDirectory(root), Self.isNew(root, real: files.real(root), seen: &seen) else { continue }
      if let text = files.readText("\(root)/version.json"), let version = Self.cudaVersionJSON(text) {
        emit("cuda.version_json", "\(root)/version.json: \(version)")
      }
      if let text = files.readText("\(root)/version.txt") {
        emit("cuda.version_txt", "\(root)/version.txt: \(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")")
      }
    }
    let nvcc = (environment["PATH"] ?? Self.defaultPath).split(separator: ":").map { "\($0)/nvcc" } + ["/usr/local/cuda/bin/nvcc"]
    if let found = nvcc.first(where: files.isExecutableFile) {
      notes.append("static inspection: \(found) --version not run (the toolkit version from nvcc needs a running nvcc)")
    }
    emitLibraries(Self.cudartPatterns, key: "cuda.library", seen: &seen)
    emitLibraries(["/usr/local/cuda*/compat/libcuda.so.*"], key: "cuda.compat", seen: &seen)
  }

  /// `[ -f "$f" ] && [ ! -L "$f" ] && rc_new_file "$f" && emit KEY "$RC_REAL"` over globs.
  mutating func emitLibraries(_ patterns: [String], key: String, seen: inout Set<String>) {
    for file in patterns.flatMap({ files.glob($0) }) where files.isRegularFile(file) && !files.isSymlink(file) {
      let real = files.real(file) ?? file
      if Self.isNew(file, real: real, seen: &seen) { emit(key, real) }
    }
  }

  /// cuda.sh's sed: the first `"version"` inside the `"cuda"` object of version.json.
  static func cudaVersionJSON(_ text: String) -> String? {
    guard let cuda = text.firstRange(of: "\"cuda\"") else { return nil }
    let rest = text[cuda.upperBound...]
    let block = rest.prefix { $0 != "}" }
    guard let key = block.firstRange(of: "\"version\"") else { return nil }
    let afterKey = block[key.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" }
    guard afterKey.first == "\"" else { return nil }
    let value = afterKey.dropFirst().prefix { $0 != "\"" }
    return value.isEmpty ? nil : String(value)
  }

  mutating func collectCudnnAndNCCL() {
    var seen: Set<String> = []
    let cudnnHeaders = [
      "/usr/include/cudnn_version*.h", "/usr/include/*-linux-gnu/cudnn_version*.h", "/usr/local/cuda*/include/cudnn_version*.h", "/usr/include/cudnn.h",
      "/usr/local/cuda*/include/cudnn.h",
    ]
    emitHeaders(cudnnHeaders, key: "cudnn.header", names: ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL"), seen: &seen)
    emitHeaders(
      ["/usr/include/nccl.h", "/usr/include/*-linux-gnu/nccl.h", "/usr/local/cuda*/include/nccl.h"], key: "nccl.header",
      names: ("NCCL_MAJOR", "NCCL_MINOR", "NCCL_PATCH"), seen: &seen)
    for (library, key) in [("libcudnn", "cudnn.library"), ("libnccl", "nccl.library")] {
      let patterns = [
        "/usr/lib/x86_64-linux-gnu/\(library).so.*", "/usr/lib/aarch64-linux-gnu/\(library).so.*", "/usr/lib64/\(library).so.*",
        "/usr/local/cuda*/lib64/\(library).so.*", "/usr/local/cuda*/targets/*/lib/\(library).so.*",
        "/usr/lib/python3*/*-packages/nvidia/*/lib/\(library).so.*", "/usr/local/lib/python3*/*-packages/nvidia/*/lib/\(library).so.*",
        "/opt/*/lib/python3*/site-packages/nvidia/*/lib/\(library).so.*",
      ]
      emitLibraries(patterns, key: key, seen: &seen)
    }
  }

  /// `rc_define FILE NAME`: the digits of the first `#define NAME <digits>`.
  mutating func emitHeaders(_ patterns: [String], key: String, names: (String, String, String), seen: inout Set<String>) {
    for file in patterns.flatMap({ files.glob($0) }) {
      guard let text = files.readText(file), Self.isNew(file, real: files.real(file), seen: &seen) else { continue }
      guard let major = Self.define(names.0, in: text) else { continue }
      emit(key, "\(file): \(major).\(Self.define(names.1, in: text) ?? "").\(Self.define(names.2, in: text) ?? "")")
    }
  }

  /// sed `s/^#define NAME *\([0-9][0-9]*\).*/\1/p`, first match.
  static func define(_ name: String, in text: String) -> String? {
    let prefix = "#define \(name)"
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
      let rest = line.dropFirst(prefix.count).drop { $0 == " " }
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      if !digits.isEmpty { return String(digits) }
    }
    return nil
  }
}
