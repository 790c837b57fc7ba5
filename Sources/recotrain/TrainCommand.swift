import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain train`: fit a model on an interactions file and write a model file.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a feed model (ALS, EASE, item-kNN or popularity) from an interactions file.",
    discussion: """
      The interactions file is TSV or CSV, one event per line: `user note [weight] [timestamp]`, \
      or with a header naming user/note/weight/event/timestamp columns (aliases such as userId, \
      movieId, rating are understood). Repeated (user, note) pairs add up; ALS confidence is \
      1 + alpha·weight.

      Examples:
        recotrain train --interactions events.tsv --out feed.zcm --factors 64 --iterations 15
        recotrain train --interactions events.tsv --out ease.zcm --model ease --regularization 500
        recotrain train --interactions events.tsv --out tuned.zcm --config best.json
      """)

  @Option(help: "Interactions file (TSV/CSV).") var interactions: String
  @Option(help: "Where to write the model file.") var out: String
  @OptionGroup var modelOptions: ModelOptions
  @Option(help: "Event weights, e.g. like=2,collect=4,purchase=10 (changes to the defaults).")
  var eventWeights: String?
  @Flag(help: "Skip malformed lines (and report how many) instead of failing.") var skipInvalid = false
  @Flag(help: "Print a JSON summary on stdout.") var json = false
  @Flag(help: "No progress or summary on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let settings = try modelOptions.settings()
      var options = InteractionLoadOptions()
      options.skipInvalid = skipInvalid
      if let eventWeights { options.eventWeights = try EventWeights(parsing: eventWeights) }
      let clock = ContinuousClock()
      let loadStart = clock.now
      // The event log is dropped once the matrix is built, so training holds only the matrix.
      let (matrix, eventCount, report) = try loadMatrix(options: options)
      let loadSeconds = seconds(clock.now - loadStart)
      if report.skipped > 0 && !quiet {
        Console.note("recotrain: skipped \(report.skipped) invalid line(s) of \(interactions); first: \(report.firstProblems.first.map { "\($0)" } ?? "")")
      }
      if !quiet && !json {
        Console.note("loaded \(eventCount) events: \(matrix.users.count) users × \(matrix.notes.count) notes, \(matrix.pairCount) pairs (\(formatSeconds(loadSeconds)))")
      }
      let peakWhileLoading = ProcessMemory.peakResidentBytes
      let peakWasReset = ProcessMemory.resetPeak()
      let residentBeforeTraining = ProcessMemory.residentBytes

      var iterations = 1
      if case .als(let configuration) = settings { iterations = configuration.iterations }
      let bar = ProgressBar(label: "training", total: iterations, quiet: quiet)
      let model = try ModelTrainer(settings).train(on: matrix) { progress in
        var detail = formatSeconds(progress.seconds)
        if let loss = progress.loss { detail += String(format: "  loss %.6f", loss) }
        bar.update(progress.iteration, detail: detail)
        if modelOptions.loss && !bar.enabled && !quiet && !json {
          Console.note("iteration \(progress.iteration)/\(progress.iterations): loss \(String(format: "%.6f", progress.loss ?? .nan))")
        }
      }
      let peakDuringTraining = ProcessMemory.peakResidentBytes
      let saveStart = clock.now
      try model.save(to: out)
      let saveSeconds = seconds(clock.now - saveStart)
      let provenance = model.provenance
      if json {
        let summary = Self.summary(
          model: out, settings: settings, eventCount: eventCount, provenance: provenance, skippedLines: report.skipped,
          loadSeconds: loadSeconds, saveSeconds: saveSeconds, interactionMatrixBytes: matrix.storageBytes,
          memory: (residentBeforeTraining, peakDuringTraining, peakWhileLoading, peakWasReset))
        Console.printJSON(summary)
      } else if !quiet {
        var summary = "trained \(settings.summary) (\(provenance.threads) threads, OpenBLAS \(provenance.blasCore)) in \(formatSeconds(provenance.trainingSeconds))"
        if let last = provenance.lossHistory.last { summary += String(format: ", final loss %.6f", last) }
        Console.note(summary)
        Console.note("wrote \(out)")
      }
    }
  }

  /// The `--json` summary of a training run (the report's train.json).
  static func summary(
    model out: String, settings: ModelSettings, eventCount: Int, provenance: TrainingProvenance, skippedLines: Int,
    loadSeconds: Double, saveSeconds: Double, interactionMatrixBytes: Int,
    memory: (residentBeforeTraining: Int, peakDuringTraining: Int, peakWhileLoading: Int, peakWasReset: Bool)
  ) -> [String: Any] {
    let (residentBeforeTraining, peakDuringTraining, peakWhileLoading, peakWasReset) = memory
    var summary: [String: Any] = [
      "model": out, "kind": settings.kind.rawValue, "events": eventCount, "users": provenance.users,
      "notes": provenance.notes, "pairs": provenance.pairs, "skippedLines": skippedLines,
      "loadSeconds": loadSeconds, "trainSeconds": provenance.trainingSeconds, "saveSeconds": saveSeconds,
      "loss": provenance.lossHistory, "blasCore": provenance.blasCore, "threads": provenance.threads,
      "dataHash": provenance.dataHash, "residentBytesBeforeTraining": residentBeforeTraining,
      "peakResidentBytes": peakDuringTraining, "peakResidentBytesWhileLoading": peakWhileLoading,
      "peakIsTrainingOnly": peakWasReset, "interactionMatrixBytes": interactionMatrixBytes,
    ]
    if case .als(let configuration) = settings {
      summary["factors"] = configuration.factors
      summary["iterations"] = configuration.iterations
      summary["solver"] = configuration.solver.rawValue
      summary["factorBytes"] = 4 * configuration.factors * (provenance.users + provenance.notes)
    }
    return summary
  }

  private func loadMatrix(options: InteractionLoadOptions) throws(ZhongcaoError) -> (InteractionMatrix, Int, InteractionLoadReport) {
    let (log, report) = try Interactions.load(contentsOf: interactions, options: options)
    return (InteractionMatrix(log), log.count, report)
  }
}
