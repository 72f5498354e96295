// Opens one image at rest (oci:, oci-archive:, docker-archive:, dir:) the way rigcheck does —
// layers unpacked with digests checked — and prints `seconds unpacked-bytes files`, then
// closes it (removing what was unpacked). benchmarks/images-at-rest.sh times it against
// `tar -xf` of the same layers; /usr/bin/time gives its peak memory.
//   ImageSourcesBenchmark REFERENCE
import Foundation
import ImageSources

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

guard CommandLine.arguments.count == 2 else {
  FileHandle.standardError.write(Data("usage: ImageSourcesBenchmark REFERENCE\n".utf8))
  exit(2)
}
let reference: ImageSourceReference
do {
  reference = try ImageSourceReference(parsing: CommandLine.arguments[1])
} catch {
  FileHandle.standardError.write(Data("\(error.message)\n".utf8))
  exit(2)
}
var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
let image: ImageAtRest
do {
  image = try await ImageSourceOpener.open(reference)
} catch {
  FileHandle.standardError.write(Data("rigcheck: \(error.message)\n".utf8))
  exit(1)
}
var end = timespec()
clock_gettime(CLOCK_MONOTONIC, &end)
let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9

// What was unpacked: regular files' sizes in every layer directory, each hard-linked file once
// (as a tar stores it once).
var bytes: Int64 = 0
var files = 0
var seen: Set<[UInt64]> = []
for layer in (image.root as? LayeredDirectoryRoot)?.layers ?? [] {
  guard let walker = FileManager.default.enumerator(atPath: layer) else { continue }
  while let relative = walker.nextObject() as? String {
    var status = stat()
    if lstat(layer + "/" + relative, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
      seen.insert([UInt64(status.st_dev), UInt64(status.st_ino)]).inserted
    {
      bytes += Int64(status.st_size)
      files += 1
    }
  }
}
image.close()
print(String(format: "%.3f %lld %d", seconds, bytes, files))
