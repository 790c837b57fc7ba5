import Foundation
import Zhongcao

/// Interactions in any delimited format, then the interaction matrix: never a crash or a hang,
/// and the load report agrees with the log.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInteractions(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: count))
  var options = InteractionLoadOptions()
  options.skipInvalid = count % 2 == 0
  let whole = Result { () throws(ZhongcaoError) in try Interactions.parse(bytes, name: "fuzz.csv", options: options) }
  if case .success(let (log, report)) = whole {
    precondition(log.count == report.events && log.count > 0, "report disagrees with the log")
    _ = InteractionMatrix(log)
  }
  return 0
}
