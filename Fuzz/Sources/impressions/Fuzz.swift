import Foundation
import Zhongcao

/// Ad-load impression logs: never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImpressions(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: count))
  _ = try? ImpressionLog.parse(bytes, name: "fuzz.tsv", skipInvalid: count % 2 == 0)
  return 0
}
