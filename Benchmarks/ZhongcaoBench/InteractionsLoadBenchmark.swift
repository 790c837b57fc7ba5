import Foundation
import Zhongcao

/// Memory and time of loading a large interactions file (`zhongcao-bench interactions-load PATH
/// [--whole]`): the streaming `Interactions.load(contentsOf:)`, or with `--whole` the file read
/// whole and parsed (how it was done before streaming), then the interaction matrix built from the
/// log. Prints the size of what is kept — the event log and the matrices — against the peak
/// resident memory, so the memory beyond them is visible.
enum InteractionsLoadBenchmark {
  static func run(_ arguments: [String]) {
    guard let path = arguments.first else {
      print("usage: zhongcao-bench interactions-load PATH [--whole]")
      exit(2)
    }
    let whole = arguments.contains("--whole")
    do {
      let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      print(String(format: "%@: %.2f GB, %@", path, Double(size) / 1e9, whole ? "read whole, then parsed" : "streamed in 16 MB blocks"))
      var log: Interactions?
      let loadSeconds = try ServeScaleBenchmark.timed {
        if whole {
          log = try Interactions.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path).0
        } else {
          log = try Interactions.load(contentsOf: path).0
        }
      }
      let events = log!.count
      // The log: user and note index and weight per event (and a timestamp when there are
      // timestamps); the ids are counted in the heap figure.
      let logBytes = Double(events * (12 + (log!.timestamps == nil ? 0 : 8)))
      let afterLoad = Memory.read()
      print(String(format: "loaded %d events, %d users, %d notes in %.1f s; the log's arrays %.2f GB",
                   events, log!.users.count, log!.notes.count, loadSeconds, logBytes / 1e9))
      print("after loading:        \(afterLoad)")
      var matrix: InteractionMatrix?
      let matrixSeconds = try ServeScaleBenchmark.timed { matrix = InteractionMatrix(log!) }
      let pairs = matrix!.pairCount
      let matrixBytes = Double(2 * pairs * 8 + 8 * (log!.users.count + log!.notes.count + 2))
      print(String(format: "matrices (by user and by note): %d pairs, %.2f GB, built in %.1f s", pairs, matrixBytes / 1e9, matrixSeconds))
      let end = Memory.read()
      print("after the matrices:   \(end)")
      print(String(format: "peak %.2f GB = log %.2f + matrices %.2f + %.2f GB else (ids, a block, allocator slack)",
                   end.peakGB, logBytes / 1e9, matrixBytes / 1e9, end.peakGB - (logBytes + matrixBytes) / 1e9))
    } catch {
      print("interactions-load: \(error)")
      exit(1)
    }
  }
}
