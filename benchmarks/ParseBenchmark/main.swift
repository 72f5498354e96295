// What `rigcheck fleet` does per file, old path against new, A/B in one process over the same
// files (each pass reads every file; medians of RUNS passes):
//   foundation: Foundation's JSONDecoder to the model, then `identityHash()` (re-encodes
//               with JSONEncoder and hashes) — the path before one-parse;
//   tree:       one `JSONTree` parse, the identity hash from that tree (what fleet now does
//               for every node);
//   parse only: `JSONTree.parse` alone (the parser's speed, MB/s).
//   swift run -c release ParseBenchmark DIR [RUNS]
import Fingerprint
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

guard (2...3).contains(CommandLine.arguments.count), let directory = opendir(CommandLine.arguments[1]) else {
  fatalError("usage: ParseBenchmark DIR [RUNS]")
}
let runs = CommandLine.arguments.count == 3 ? Int(CommandLine.arguments[2]) ?? 3 : 3
var found: [String] = []
while let entry = readdir(directory) {
  let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  if name.hasSuffix(".json") { found.append(name) }
}
closedir(directory)
let names = found.sorted()
let folder = CommandLine.arguments[1]
var totalBytes = 0
for name in names { totalBytes += (try? HostRoot().readBytes(folder + "/" + name).count) ?? 0 }

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

@MainActor func median(_ work: () -> Int) -> (seconds: Double, count: Int) {
  let clock = ContinuousClock()
  var times: [Double] = []
  var count = 0
  for _ in 0..<runs { times.append(seconds(clock.measure { count = work() })) }
  return (times.sorted()[times.count / 2], count)
}

@MainActor func each(_ body: (Data, String) -> Bool) -> Int {
  var ok = 0
  for name in names {
    guard let bytes = try? HostRoot().readBytes(folder + "/" + name) else { continue }
    if body(Data(bytes), name) { ok += 1 }
  }
  return ok
}

let foundation = median {
  each { data, name in
    guard let print = try? JSONDecoder().decode(Fingerprint.self, from: data), print.schemaVersion == Fingerprint.currentSchemaVersion else { return false }
    return (try? print.identityHash()) != nil
  }
}
let tree = median {
  each { data, _ in
    guard let tree = try? JSONTree.parse(data) else { return false }
    return Fingerprint.identityHash(of: tree) != nil
  }
}
let parse = median { each { data, _ in (try? JSONTree.parse(data)) != nil } }
let megabytes = Double(totalBytes) / 1e6
func ms(_ s: Double) -> String { String(Int((s * 1000).rounded())) + " ms" }
print("\(names.count) files, \(Int(megabytes)) MB, median of \(runs):")
print("  foundation (JSONDecoder + re-encode + hash): \(ms(foundation.seconds)) (\(foundation.count) ok)")
print("  tree (one JSONTree parse + tree hash):        \(ms(tree.seconds)) (\(tree.count) ok), \(String(Double(Int(foundation.seconds / tree.seconds * 10)) / 10))x faster")
print("  JSONTree.parse alone:                          \(ms(parse.seconds)), \(Int(megabytes / parse.seconds)) MB/s")
