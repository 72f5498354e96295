// Built by scripts/fuzz.sh with -sanitize=fuzzer,address -DFUZZING, this is a libFuzzer driver:
// libFuzzer's own main is replaced by this one, which hands the command line to
// LLVMFuzzerRunDriver. Built plainly (swift build), it replays the files given as arguments
// through the parser named by RIGCHECK_FUZZ_TARGET, to reproduce a crash under a debugger.
import Probes

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

_ = FuzzTarget.current

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  var argc = CommandLine.argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
  exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
  for path in CommandLine.arguments.dropFirst() {
    guard let bytes = try? HostRoot().readBytes(path) else {
      print("\(path): cannot read")
      continue
    }
    _ = bytes.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
    print("\(path): ok")
  }
#endif
