import ImageSources

/// Reads an image at rest and writes the facts the checks of `checks/` would print inside a
/// running container, under the same keys (``InspectionParser/Fact``), so that
/// ``ImageFactsBuilder`` turns both into the same ``ImageFacts``.
///
/// Each part mirrors one check script (os.sh, python.sh, cuda.sh, cudnn-nccl.sh,
/// frameworks.sh): the same paths and globs, the same de-duplication of files by their real
/// path (`rc_new_file`), the same values. What only a running process can know (the
/// libraries an import loads, whether CUDA is available, `nvcc --version`) is not written;
/// ``notes`` says so, with the reason "static inspection".
struct StaticFactCollector {
  let files: ImageRootFiles
  /// The image configuration's environment, unfiltered (`PATH`, `CONDA_PREFIX`, `HOME`,
  /// `PYTHONPATH` shape what the checks see, exactly as in a container).
  let environment: [String: String]
  let configArchitecture: String?
  /// The fatbin scanner, when one is installed (``CUDAArchitectureScanning``).
  let architectures: (any CUDAArchitectureScanning)?

  var facts: [InspectionParser.Fact] = []
  /// What static inspection could not read, and why.
  var notes: [String] = []
  /// Where each summary fact came from (file paths), for provenance.
  var provenance: [String: String] = [:]
  /// The default interpreter as read from files (python.sh), for frameworks.sh.
  var python: StaticPythonInterpreter?

  init(root: any ImageRoot, environment: [String: String], configArchitecture: String?, architectures: (any CUDAArchitectureScanning)? = nil) {
    self.files = ImageRootFiles(root: root)
    self.environment = environment
    self.configArchitecture = configArchitecture
    self.architectures = architectures
  }

  mutating func emit(_ key: String, _ value: String) {
    // The same cleaning the parser applies to a container's output (tabs and newlines become
    // spaces in `emit`; control characters dropped, whitespace trimmed, values capped).
    var text = InspectionParser.sanitize(Substring(value.map { "\t\r\n".contains($0) ? " " : $0 }))
    if text.count > InspectionParser.maximumValueLength { text = String(text.prefix(InspectionParser.maximumValueLength)) }
    facts.append(InspectionParser.Fact(key: key, value: text))
  }

  /// `rc_new_file`: true the first time a file (by its real path) is seen in one check.
  static func isNew(_ path: String, real: String?, seen: inout Set<String>) -> Bool {
    seen.insert(real ?? path).inserted
  }

  /// Runs every part, in the order the checks run.
  mutating func collect() {
    for check in ["os.sh", "python.sh", "cuda.sh", "cudnn-nccl.sh", "frameworks.sh", "dpkg.sh"] {
      emit("check.begin", check)
      switch check {
      case "os.sh": collectOS()
      case "python.sh": collectPython()
      case "cuda.sh": collectCUDA()
      case "cudnn-nccl.sh": collectCudnnAndNCCL()
      case "dpkg.sh": collectDpkg()
      default: collectFrameworks()
      }
      emit("check.end", check)
    }
  }

  /// The parser over the collected facts, as if a container had printed them.
  var parsed: InspectionParser {
    var parser = InspectionParser("")
    parser.facts = facts
    return parser
  }
}
