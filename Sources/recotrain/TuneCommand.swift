import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain tune`: search hyper-parameters on a validation split carved from training data.
struct TuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tune",
    abstract: "Search hyper-parameters (grid or seeded random) on a validation split; write the best as JSON.",
    discussion: """
      The interactions are your training data: a validation split is carved from them \
      (--validation, default holdout:0.2), every candidate is trained on the rest and scored on \
      the validation users, and the best settings are written to --out in the JSON that \
      `recotrain train --config` and `recotrain evaluate --config` read. Grids are \
      comma-separated lists; each applies to the kinds that have that setting.

      Examples:
        recotrain tune --interactions train.tsv --out best.json \\
          --factors 64,128 --regularization 1,10,30,100 --alpha 0.5,1,2
        recotrain tune --interactions train.tsv --model ease --regularization 100,300,1000 --out ease.json
        recotrain tune --interactions train.tsv --search random --trials 20 --seed 7 --out best.json
      """)

  @Option(help: "Training interactions (the validation split is carved from them).") var interactions: String
  @Option(help: "Validation split: holdout:0.2, last:1, cutoff:TIMESTAMP or users:N.") var validation: String = "holdout:0.2"
  @Option(help: "Seed of the validation split and of random search.") var seed: UInt64 = 42
  @Option(help: "Model kind to tune: als, ease, itemknn.") var model: String = "als"
  @Option(help: "grid (every combination) or random (--trials draws from the grid, seeded).") var search: String = "grid"
  @Option(help: "Random search: number of candidates.") var trials: Int = 20
  @Option(help: "Metric to maximise, e.g. ndcg@10, recallTruncated@20, map@10.") var metric: String = "ndcg@10"
  @Option(help: "ALS factors to try.") var factors: String = "64,128"
  @Option(help: "Regularization λ to try (ALS, EASE).") var regularization: String = "1,10,30,100"
  @Option(help: "ALS frequency-scaling exponents ν to try.") var regularizationExponent: String = "0"
  @Option(help: "ALS alpha values to try.") var alpha: String = "0.5,1,2"
  @Option(help: "ALS unobserved weights α₀ to try.") var unobservedWeight: String = "1"
  @Option(help: "ALS iteration counts to try.") var iterations: String = "15"
  @Option(help: "item-kNN neighbour counts to try.") var neighbours: String = "50,100,200"
  @Option(help: "Where to write the best settings (JSON).") var out: String?
  @Option(help: "Worker threads (0 = one per core this process may use: CPU affinity and cgroup quota count).") var threads: Int = 0
  @Flag(help: "Print the leaderboard as JSON on stdout.") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      guard let kind = ModelKind(rawValue: model.lowercased()), kind != .popularity else {
        throw ZhongcaoError(.invalidArgument, "tune takes --model als, ease or itemknn, got '\(model)'")
      }
      var candidates = try grid(for: kind)
      switch search {
      case "grid": break
      case "random":
        guard trials >= 1 else { throw ZhongcaoError(.invalidArgument, "--trials must be ≥ 1") }
        var generator = SeededRandom(seed: seed)
        candidates.shuffle(using: &generator)
        candidates = Array(candidates.prefix(trials))
      default:
        throw ZhongcaoError(.invalidArgument, "--search takes grid or random, got '\(search)'")
      }
      let (log, _) = try Interactions.load(contentsOf: interactions)
      let split = try log.split(try SplitStrategy(parsing: validation), seed: seed)
      let evaluator = Evaluator(split: split, cutoffs: [try Self.cutoff(of: metric)], bootstrapSamples: 0, threads: threads)
      if !quiet {
        Console.note("tuning \(kind.rawValue): \(candidates.count) candidates on \(split.testUsers.count) validation users (\(validation), seed \(seed))")
      }
      let bar = ProgressBar(label: "tuning", total: candidates.count, quiet: quiet)
      var results: [(settings: ModelSettings, score: Double, result: Evaluator.Result)] = []
      for (number, settings) in candidates.enumerated() {
        let result = try evaluator.evaluate(settings)
        guard let score = result.report.metrics[metric]?.mean else {
          throw ZhongcaoError(.invalidArgument, "unknown metric '\(metric)'; known: \(result.report.metrics.keys.sorted().joined(separator: ", "))")
        }
        results.append((settings, score, result))
        let best = results.map(\.score).max() ?? score
        bar.update(number + 1, detail: String(format: "best %@ %.4f", metric, best))
      }
      // Best first; ties keep grid order (stable sort).
      let leaderboard = results.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
      guard let best = leaderboard.first else { throw ZhongcaoError(.invalidArgument, "no candidates to try") }
      if let out { try AtomicFile.write(Array((best.settings.json + "\n").utf8), to: out) }
      if json {
        Console.printJSON([
          "metric": metric, "validation": validation, "seed": seed, "best": EvaluationOutput.object(best.settings),
          "leaderboard": leaderboard.map { ["score": $0.score, "settings": EvaluationOutput.object($0.settings),
                                            "summary": $0.settings.summary, "trainSeconds": $0.result.trainSeconds] },
        ])
      } else {
        print("rank  \(metric.padding(toLength: 10, withPad: " ", startingAt: 0))  train s  settings")
        for (rank, entry) in leaderboard.enumerated() {
          print(String(format: "%4d  %-10.4f  %7.2f  ", rank + 1, entry.score, entry.result.trainSeconds) + entry.settings.summary)
        }
        if let out, !quiet { Console.note("wrote the best settings to \(out): recotrain train --config \(out) …") }
      }
    }
  }

  /// Every combination of the grid lists that apply to `kind`, in a fixed order.
  func grid(for kind: ModelKind) throws(ZhongcaoError) -> [ModelSettings] {
    func floats(_ text: String, _ name: String) throws(ZhongcaoError) -> [Float] {
      let values = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
      guard !values.isEmpty, values.count == text.split(separator: ",").count else {
        throw ZhongcaoError(.invalidArgument, "--\(name) takes numbers separated by commas, got '\(text)'")
      }
      return values
    }
    func integers(_ text: String, _ name: String) throws(ZhongcaoError) -> [Int] {
      try floats(text, name).map { value throws(ZhongcaoError) in
        guard value == value.rounded(), value >= 1 else {
          throw ZhongcaoError(.invalidArgument, "--\(name) takes whole numbers ≥ 1, got '\(text)'")
        }
        return Int(value)
      }
    }
    var settings: [ModelSettings] = []
    switch kind {
    case .als:
      for f in try integers(factors, "factors") {
        for l in try floats(regularization, "regularization") {
          for nu in try floats(regularizationExponent, "regularization-exponent") {
            for a in try floats(alpha, "alpha") {
              for u in try floats(unobservedWeight, "unobserved-weight") {
                for i in try integers(iterations, "iterations") {
                  var c = ALSConfiguration()
                  (c.factors, c.regularization, c.regularizationExponent, c.alpha, c.unobservedWeight, c.iterations, c.threads) = (f, l, nu, a, u, i, threads)
                  settings.append(.als(c))
                }
              }
            }
          }
        }
      }
    case .ease:
      for l in try floats(regularization, "regularization") {
        var c = EASEConfiguration()
        c.regularization = l
        c.threads = threads
        settings.append(.ease(c))
      }
    case .itemKNN:
      for n in try integers(neighbours, "neighbours") {
        for weighting in ItemKNNConfiguration.Weighting.allCases {
          var c = ItemKNNConfiguration()
          c.neighbours = n
          c.weighting = weighting
          c.threads = threads
          settings.append(.itemKNN(c))
        }
      }
    case .popularity:
      settings.append(.popularity(PopularityConfiguration()))
    }
    for candidate in settings { try candidate.validate() }
    return settings
  }

  /// The cutoff K of a metric name like `ndcg@10` (10 for list metrics such as `mrr`).
  static func cutoff(of metric: String) throws(ZhongcaoError) -> Int {
    guard let at = metric.firstIndex(of: "@") else { return 10 }
    guard let k = Int(metric[metric.index(after: at)...]), k >= 1 else {
      throw ZhongcaoError(.invalidArgument, "metric '\(metric)' needs a cutoff like ndcg@10")
    }
    return k
  }
}
