// The floor for `rigcheck fleet`: only read every fingerprint of a directory and decode it
// (what any tool must do with the files), and report the wall time and peak memory.
//   swift run -c release ParseBenchmark DIR
import Fingerprint
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

guard CommandLine.arguments.count == 2, let directory = opendir(CommandLine.arguments[1]) else {
  fatalError("usage: ParseBenchmark DIR")
}
var names: [String] = []
while let entry = readdir(directory) {
  let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  if name.hasSuffix(".json") { names.append(name) }
}
closedir(directory)
let clock = ContinuousClock()
var decoded = 0
let elapsed = clock.measure {
  for name in names.sorted() {
    guard let bytes = try? HostRoot().readBytes(CommandLine.arguments[1] + "/" + name) else { continue }
    if (try? Fingerprint.decode(Data(bytes), name: name)) != nil { decoded += 1 }
  }
}
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("read + decode \(decoded) fingerprints: \(String(Int(seconds * 1000))) ms, peak RSS \(usage.ru_maxrss / 1024) MiB")
