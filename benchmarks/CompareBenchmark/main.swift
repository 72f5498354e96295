// Times the phases of `rigcheck compare` in process: reading and parsing both files, and the
// comparison itself (diff under the policy plus verdicts), over several iterations.
//   swift run -c release CompareBenchmark LEFT.json RIGHT.json [iterations]
import Compare

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
  fatalError("usage: CompareBenchmark LEFT.json RIGHT.json [iterations]")
}
let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 20 : 20
let leftData = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
let rightData = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
let clock = ContinuousClock()

var loadTimes: [Duration] = []
var compareTimes: [Duration] = []
var differences = 0
for _ in 0..<iterations {
  var sides: (ComparedSide, ComparedSide)?
  loadTimes.append(try clock.measure {
    sides = (try ComparedSide.load(leftData, name: "left"), try ComparedSide.load(rightData, name: "right"))
  })
  compareTimes.append(clock.measure {
    differences = Comparator().compare(sides!.0, sides!.1).differences.count
  })
}
func milliseconds(_ durations: [Duration]) -> String {
  let sorted = durations.sorted()
  let median = sorted[sorted.count / 2]
  let tenths = Int((Double(median.components.seconds) * 1000 + Double(median.components.attoseconds) / 1e15) * 10)
  return "\(tenths / 10).\(tenths % 10) ms"
}
print("load + parse both files (median of \(iterations)): \(milliseconds(loadTimes))")
print("compare: diff under the policy + verdicts (median of \(iterations)): \(milliseconds(compareTimes)) (\(differences) differences; target < 50 ms)")
