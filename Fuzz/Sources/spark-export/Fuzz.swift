import Foundation
import FuzzSupport
import Zhongcao

/// Spark export directories: the input is `manifest.json`, `users.tsv`, `items.tsv` and
/// `interactions.csv` separated by `\n====\n` lines. Never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSparkExport(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let parts = Scratch.parts(UnsafeRawBufferPointer(start: data, count: count), count: 4)
  for (name, part) in zip(["manifest.json", "users.tsv", "items.tsv", "interactions.csv"], parts) {
    _ = Scratch.file(name, part)
  }
  _ = try? SparkExchange.readExport(Scratch.directory)
  return 0
}
