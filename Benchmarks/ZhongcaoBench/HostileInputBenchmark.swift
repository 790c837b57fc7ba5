import Foundation
import Zhongcao

/// `zhongcao-bench load-file KIND PATH`: loads one file with a library reader (`interactions`,
/// `notes`, `impressions`, `model`, `spark`), skipping invalid lines where the reader can, and
/// prints one JSON line: the outcome (items loaded, or the error) and the process's peak resident
/// memory. `Benchmarks/hostile_inputs.py` runs it, one process per file, on hostile files to
/// measure how much memory a file can make a reader take against the file's size.
enum HostileInputBenchmark {
  static func run(_ arguments: [String]) {
    guard arguments.count == 2 else {
      print("usage: zhongcao-bench load-file interactions|notes|impressions|model|spark PATH")
      exit(2)
    }
    let (kind, path) = (arguments[0], arguments[1])
    var outcome: String
    let clock = ContinuousClock(), start = clock.now
    do {
      switch kind {
      case "interactions":
        var options = InteractionLoadOptions()
        options.skipInvalid = true
        let (log, report) = try Interactions.load(contentsOf: path, options: options)
        outcome = "loaded \(log.count) events, skipped \(report.skipped)"
      case "notes":
        var options = NoteLoadOptions()
        options.skipInvalid = true
        let (notes, report) = try NoteLoader.load(contentsOf: path, options: options)
        outcome = "loaded \(notes.count) notes, skipped \(report.skipped)"
      case "impressions":
        let (log, report) = try ImpressionLog.load(contentsOf: path, skipInvalid: true)
        outcome = "loaded \(log.count) impressions, skipped \(report.skipped)"
      case "model":
        let model = try FeedModel(contentsOf: path)
        outcome = "loaded a model of \(model.users.count) users"
      case "spark":
        let (matrix, _) = try SparkExchange.readExport(path)
        outcome = "loaded \(matrix.pairCount) pairs"
      default:
        print("load-file: unknown kind \(kind)")
        exit(2)
      }
    } catch {
      outcome = "error: \(error)"
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let object: [String: Any] = ["outcome": String(outcome.prefix(300)), "peakBytes": Int(Memory.read().peakGB * 1e9),
                                 "seconds": seconds]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  }
}
