import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain train`: fit implicit ALS on an interactions file and write a model file.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an implicit-ALS feed model from an interactions file.",
    discussion: """
      The interactions file is TSV or CSV, one event per line: `user note [weight] [timestamp]`,
      or with a header naming user/note/weight/event/timestamp columns (aliases such as userId,
      movieId, rating are understood). Repeated (user, note) pairs add up; confidence is
      1 + alpha·weight.

      Example:
        recotrain train --interactions events.tsv --out feed.zcm --factors 64 --iterations 15
      """)

  @Option(help: "Interactions file (TSV/CSV).") var interactions: String
  @Option(help: "Where to write the model file.") var out: String
  @Option(help: "Latent factors.") var factors: Int = ALSConfiguration().factors
  @Option(help: "Iterations (a note sweep and a user sweep each).") var iterations: Int = ALSConfiguration().iterations
  @Option(help: "Regularization λ.") var regularization: Float = ALSConfiguration().regularization
  @Option(help: "Frequency scaling ν of λ: λ·(n_u + α₀·N)^ν (0 = plain λ).")
  var regularizationExponent: Float = ALSConfiguration().regularizationExponent
  @Option(help: "alpha in the confidence 1 + alpha·weight.") var alpha: Float = ALSConfiguration().alpha
  @Option(help: "Weight α₀ of unobserved pairs.") var unobservedWeight: Float = ALSConfiguration().unobservedWeight
  @Option(help: "Solver: cg (conjugate gradient) or cholesky (exact).") var solver: String = "cg"
  @Option(help: "Conjugate-gradient steps per system.") var cgSteps: Int = ALSConfiguration().conjugateGradientSteps
  @Option(help: "Worker threads (0 = one per core).") var threads: Int = 0
  @Option(help: "Seed of the factor initialisation.") var seed: UInt64 = ALSConfiguration().seed
  @Option(help: "Event weights, e.g. like=2,collect=4,purchase=10 (changes to the defaults).")
  var eventWeights: String?
  @Flag(help: "Skip malformed lines (and report how many) instead of failing.") var skipInvalid = false
  @Flag(help: "Compute and report the training loss after every iteration.") var loss = false
  @Flag(help: "Print a JSON summary on stdout.") var json = false
  @Flag(help: "No progress or summary on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      guard let solverChoice = ALSConfiguration.Solver(rawValue: solver) else {
        throw ZhongcaoError(.invalidArgument, "unknown solver '\(solver)'; use cg or cholesky")
      }
      var configuration = ALSConfiguration()
      configuration.factors = factors
      configuration.iterations = iterations
      configuration.regularization = regularization
      configuration.regularizationExponent = regularizationExponent
      configuration.alpha = alpha
      configuration.unobservedWeight = unobservedWeight
      configuration.solver = solverChoice
      configuration.conjugateGradientSteps = cgSteps
      configuration.threads = threads
      configuration.seed = seed
      configuration.computeLoss = loss
      try configuration.validate()

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
      let residentBeforeTraining = ProcessMemory.residentBytes

      let bar = ProgressBar(label: "training", total: iterations, quiet: quiet)
      let model = try ImplicitALS(configuration).train(on: matrix) { progress in
        var detail = formatSeconds(progress.seconds)
        if let loss = progress.loss { detail += String(format: "  loss %.6f", loss) }
        bar.update(progress.iteration, detail: detail)
        if loss && !bar.enabled && !quiet && !json {
          Console.note("iteration \(progress.iteration)/\(progress.iterations): loss \(String(format: "%.6f", progress.loss ?? .nan))")
        }
      }
      let peakDuringTraining = ProcessMemory.peakResidentBytes
      let saveStart = clock.now
      try model.save(to: out)
      let saveSeconds = seconds(clock.now - saveStart)
      let provenance = model.provenance
      if json {
        Console.printJSON([
          "model": out, "events": eventCount, "users": provenance.users, "notes": provenance.notes,
          "pairs": provenance.pairs, "skippedLines": report.skipped, "loadSeconds": loadSeconds,
          "trainSeconds": provenance.trainingSeconds, "saveSeconds": saveSeconds, "loss": provenance.lossHistory,
          "blasCore": provenance.blasCore, "threads": provenance.threads, "dataHash": provenance.dataHash,
          "factors": factors, "iterations": iterations, "solver": solver,
          "residentBytesBeforeTraining": residentBeforeTraining, "peakResidentBytes": peakDuringTraining,
          "factorBytes": 4 * factors * (provenance.users + provenance.notes),
          "interactionMatrixBytes": matrix.storageBytes,
        ])
      } else if !quiet {
        var summary = "trained \(factors) factors × \(iterations) iterations (\(solver), \(provenance.threads) threads, OpenBLAS \(provenance.blasCore)) in \(formatSeconds(provenance.trainingSeconds))"
        if let last = provenance.lossHistory.last { summary += String(format: ", final loss %.6f", last) }
        Console.note(summary)
        Console.note("wrote \(out)")
      }
    }
  }

  private func loadMatrix(options: InteractionLoadOptions) throws(ZhongcaoError) -> (InteractionMatrix, Int, InteractionLoadReport) {
    let (log, report) = try Interactions.load(contentsOf: interactions, options: options)
    return (InteractionMatrix(log), log.count, report)
  }
}
