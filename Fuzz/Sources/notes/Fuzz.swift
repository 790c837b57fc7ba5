import Foundation
import Zhongcao

/// Notes as JSON Lines (Zhongcao's and MediaCrawler's field names): never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  var options = NoteLoadOptions()
  options.skipInvalid = count % 2 == 0
  _ = try? NoteLoader.parse(Data(bytes: data ?? UnsafePointer(bitPattern: 1)!, count: count), name: "fuzz.jsonl", options: options)
  return 0
}
