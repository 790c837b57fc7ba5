import Foundation
import FuzzSupport
import Zhongcao

/// Model files, read into memory and memory-mapped: either a model that serves or an
/// invalid-model error, never a crash, a hang or a huge allocation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let path = Scratch.file("model.zcm", UnsafeRawBufferPointer(start: data, count: count))
  for storage in [ModelStorage.inMemory, .memoryMapped] {
    guard let model = try? FeedModel(contentsOf: path, storage: storage, verification: count % 3 == 0 ? .structure : .full) else { continue }
    if model.users.count > 0 { _ = try? model.recommendations(for: model.users[0], count: 5) }
    if model.notes.count > 0 {
      _ = try? model.similarNotes(to: model.notes[0], count: 5)
      _ = try? model.recommendations(forEvents: [(note: model.notes[0], weight: 1)], count: 5)
    }
  }
  return 0
}
