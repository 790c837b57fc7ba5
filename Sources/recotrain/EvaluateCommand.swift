import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain evaluate`: train on a split, rank the held-out notes, report metrics with intervals.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Measure held-out ranking quality of one or several models on the same split.",
    discussion: """
      Either give a ready split (--train and --test, both interactions files) or one file and a \
      --split strategy: holdout:FRACTION (per-user random), last:K (each user's K latest), \
      cutoff:TIMESTAMP (global time cutoff, seconds or ISO date), users:N (N held-out users whose \
      histories are folded in at evaluation time, as in Liang et al. 2018). Seen notes are \
      excluded from every list. Metrics are means over test users with bootstrap intervals.

      Examples:
        recotrain evaluate --interactions ratings.csv --split holdout:0.2 --k 10,20,100
        recotrain evaluate --interactions ratings.csv --compare als,ease,itemknn,popularity --json
        recotrain evaluate --train train.tsv --test test.tsv --model ease --regularization 300
      """)

  @Option(help: "Interactions file to split (with --split).") var interactions: String?
  @Option(help: "Split strategy: holdout:0.2, last:1, cutoff:TIMESTAMP or users:N.") var split: String = "holdout:0.2"
  @Option(help: "Seed of the split.") var splitSeed: UInt64 = 42
  @Option(help: "Training interactions (with --test, instead of --interactions).") var train: String?
  @Option(help: "Test interactions: the relevant notes of each user.") var test: String?
  @OptionGroup var modelOptions: ModelOptions
  @Option(help: "Evaluate several kinds on the same split, e.g. als,ease,popularity (their defaults plus the flags given).")
  var compare: String?
  @Option(help: "Also evaluate these trained model files (e.g. `recotrain spark import` output), each trained on exactly the --train file; comma-separated.")
  var trained: String?
  @Option(help: "Cutoffs K, comma-separated.") var k: String = "10,20,100"
  @Option(help: "Bootstrap resamples of the users for the intervals (0: none).") var bootstrap: Int = 1000
  @Option(help: "Event weights, e.g. like=2,collect=4 (changes to the defaults).") var eventWeights: String?
  @Flag(help: "Skip malformed lines (and report how many) instead of failing.") var skipInvalid = false
  @Flag(help: "Print the results as JSON on stdout (keys documented in the README).") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func validate() throws {
    if (train == nil) != (test == nil) { throw ValidationError("--train and --test go together") }
    if train == nil && interactions == nil { throw ValidationError("give --interactions (with --split) or --train and --test") }
    if train != nil && interactions != nil { throw ValidationError("give --interactions or --train/--test, not both") }
  }

  func run() throws {
    try runReportingErrors {
      let cutoffs = try Self.parseCutoffs(k)
      var options = InteractionLoadOptions()
      options.skipInvalid = skipInvalid
      if let eventWeights { options.eventWeights = try EventWeights(parsing: eventWeights) }
      let evaluationSplit = try makeSplit(options: options)
      let kinds: [ModelSettings]
      if let compare {
        kinds = try compare.split(separator: ",").map { name throws(ZhongcaoError) in
          var each = modelOptions
          each.model = name.trimmingCharacters(in: .whitespaces)
          each.config = nil
          return try each.settings()
        }
      } else {
        kinds = [try modelOptions.settings()]
      }
      let evaluator = Evaluator(split: evaluationSplit, cutoffs: cutoffs, bootstrapSamples: bootstrap, threads: modelOptions.threads)
      var results: [Evaluator.Result] = []
      for settings in kinds {
        if !quiet { Console.note("evaluating \(settings.summary) on \(evaluationSplit.testUsers.count) test users …") }
        results.append(try evaluator.evaluate(settings))
      }
      for path in trained?.split(separator: ",").map(String.init) ?? [] {
        if !quiet { Console.note("evaluating trained model \(path) on \(evaluationSplit.testUsers.count) test users …") }
        results.append(try evaluator.evaluate(trained: try FeedModel(contentsOf: path)))
      }
      if json {
        Console.printJSON(EvaluationOutput(split: evaluationSplit, results: results).jsonObject)
      } else {
        print(EvaluationOutput(split: evaluationSplit, results: results).table(mainCutoff: cutoffs[0]))
      }
    }
  }

  private func makeSplit(options: InteractionLoadOptions) throws(ZhongcaoError) -> DataSplit {
    if let train, let test {
      let (trainLog, _) = try Interactions.load(contentsOf: train, options: options)
      let (testLog, _) = try Interactions.load(contentsOf: test, options: options)
      return try DataSplit(train: trainLog, test: testLog)
    }
    let (log, report) = try Interactions.load(contentsOf: interactions!, options: options)
    if report.skipped > 0 && !quiet { Console.note("recotrain: skipped \(report.skipped) invalid line(s)") }
    return try log.split(try SplitStrategy(parsing: split), seed: splitSeed)
  }

  static func parseCutoffs(_ text: String) throws(ZhongcaoError) -> [Int] {
    var values: [Int] = []
    for part in text.split(separator: ",") {
      guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value >= 1 else {
        throw ZhongcaoError(.invalidArgument, "--k takes whole numbers ≥ 1 separated by commas, got '\(text)'")
      }
      values.append(value)
    }
    guard !values.isEmpty else { throw ZhongcaoError(.invalidArgument, "--k needs at least one cutoff") }
    return values
  }
}
