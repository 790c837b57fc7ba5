import Foundation
import Zhongcao

/// The output of `recotrain evaluate` (and the leaderboard of `tune`): a table for people and a
/// JSON object for tools. The JSON keys are a documented contract (README, "recotrain evaluate
/// --json").
struct EvaluationOutput {
  let split: DataSplit
  let results: [Evaluator.Result]

  /// Bumped whenever a key changes meaning or disappears (new keys may appear within a version).
  static let schemaVersion = 1

  /// `{"schemaVersion": 1, "zhongcaoVersion": …, "split": {…}, "models": [{…}]}`.
  var jsonObject: [String: Any] {
    var splitObject = Self.object(split.counts)
    splitObject["strategy"] = split.strategy.description
    splitObject["seed"] = split.seed
    return ["schemaVersion": Self.schemaVersion, "zhongcaoVersion": Zhongcao.version,
            "split": splitObject, "models": results.map(Self.modelObject)]
  }

  /// The settings summary, plus who trained the model when it was trained elsewhere.
  static func label(_ result: Evaluator.Result) -> String {
    result.trainedBy.map { "\(result.settings.summary), trained by \($0)" } ?? result.settings.summary
  }

  static func modelObject(_ result: Evaluator.Result) -> [String: Any] {
    var object = Self.object(result.report)
    object["kind"] = result.settings.kind.rawValue
    object["settings"] = Self.object(result.settings)
    object["summary"] = Self.label(result)
    if let trainedBy = result.trainedBy { object["trainedBy"] = trainedBy }
    object["trainSeconds"] = result.trainSeconds
    object["rankSeconds"] = result.rankSeconds
    object["metricSeconds"] = result.metricSeconds
    return object
  }

  /// A compact comparison (one row per model; `±` is half the width of the bootstrap interval)
  /// followed by each model's full table with the intervals themselves.
  func table(mainCutoff k: Int) -> String {
    let cutoffs = results.first?.report.cutoffs ?? [k]
    let largest = cutoffs.last ?? k
    var columns = ["precision@\(k)", "recallTruncated@\(k)", "ndcg@\(k)"]
    if largest != k { columns.append("ndcg@\(largest)") }
    columns += ["map@\(k)", "mrr"]
    var lines = ["split \(split.strategy) (seed \(split.seed)): \(split.counts.trainPairs) train pairs, "
                 + "\(split.counts.testPairs) test pairs, \(split.testUsers.count) test users", ""]
    let nameWidth = max(24, results.map { Self.label($0).count }.max() ?? 0)
    var header = "model".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
    let widths = columns.map { max(16, $0.count) }
    for (column, width) in zip(columns, widths) { header += "  " + column.padding(toLength: width, withPad: " ", startingAt: 0) }
    header += "  coverage@\(k)  train s"
    lines.append(header)
    for result in results {
      var row = Self.label(result).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
      for (column, width) in zip(columns, widths) {
        let summary = result.report.metrics[column]
        var cell = "—"
        if let mean = summary?.mean {
          cell = String(format: "%.4f", mean)
          if let low = summary?.low, let high = summary?.high { cell += String(format: " ±%.4f", (high - low) / 2) }
        }
        row += "  " + cell.padding(toLength: width, withPad: " ", startingAt: 0)
      }
      let coverage = result.report.beyondAccuracy["coverage@\(k)"].flatMap { $0 }.map { String(format: "%.4f", $0) } ?? "—"
      row += "  " + coverage.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "  %.2f", result.trainSeconds)
      lines.append(row)
    }
    for result in results {
      lines += ["", "== \(Self.label(result))", result.report.table()]
    }
    return lines.joined(separator: "\n")
  }

  /// Any Encodable as a JSON object.
  static func object(_ value: some Encodable) -> [String: Any] {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    guard let data = try? encoder.encode(value),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
    return object
  }
}
