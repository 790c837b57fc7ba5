import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain spark`: train on Apache Spark MLlib ALS, serve with Zhongcao.
struct SparkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spark",
    abstract: "Hand interactions to Apache Spark MLlib ALS and bring its factors back as a Zhongcao model.",
    discussion: """
      Typical session:
        recotrain spark export --interactions ratings.csv --out export/
        spark-submit Tools/spark/train_als.py --export export/ --out factors/ \\
            --rank 64 --reg 0.1 --alpha 2 --max-iter 15
        recotrain spark import --export export/ --factors factors/ --out feed.zcm
        recotrain recommend --model feed.zcm --count 20 --out feeds.tsv

      The imported model records Spark's conventions (confidence 1 + alpha·r, regularization \
      λ·n_u, every unobserved pair weight 1), so fold-in of new users gives the vectors Spark \
      would compute for them.
      """,
    subcommands: [SparkExportCommand.self, SparkImportCommand.self])
}

/// `recotrain spark export`: interactions with dense 32-bit ids for Spark.
struct SparkExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write interactions for Spark: interactions.csv (user,item,rating with dense 0-based ids), users.tsv, items.tsv, manifest.json.")

  @Option(help: "Interactions file (TSV/CSV, as `recotrain train` reads it).") var interactions: String
  @Option(help: "Export directory (created if missing).") var out: String
  @Option(help: "Event weights, e.g. like=2,collect=4,purchase=10 (changes to the defaults).")
  var eventWeights: String?
  @Flag(help: "Skip malformed lines (and report how many) instead of failing.") var skipInvalid = false
  @Flag(help: "No summary on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      var options = InteractionLoadOptions()
      options.skipInvalid = skipInvalid
      if let eventWeights { options.eventWeights = try EventWeights(parsing: eventWeights) }
      let (log, report) = try Interactions.load(contentsOf: interactions, options: options)
      if report.skipped > 0 && !quiet {
        Console.note("recotrain: skipped \(report.skipped) invalid line(s) of \(interactions); first: \(report.firstProblems.first.map { "\($0)" } ?? "")")
      }
      let manifest = try SparkExchange.export(InteractionMatrix(log), source: interactions, to: out)
      if !quiet {
        Console.note("exported \(manifest.users) users × \(manifest.items) notes, \(manifest.pairs) pairs (data hash \(manifest.dataHash)) to \(out)")
        if manifest.zeroWeightPairs > 0 {
          Console.note("note: \(manifest.zeroWeightPairs) pair(s) have weight 0; Spark treats them as unobserved")
        }
      }
    }
  }
}

/// `recotrain spark import`: a Zhongcao model from Spark's factors.
struct SparkImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Build a Zhongcao model from the factors Tools/spark/train_als.py wrote, with the ids and seen notes of the export.")

  @Option(help: "Export directory (from `recotrain spark export`).") var export: String
  @Option(help: "Factors directory (user_factors.csv, item_factors.csv, training.json).") var factors: String
  @Option(help: "Where to write the model file.") var out: String
  @Flag(help: "No summary on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let model = try SparkExchange.importModel(export: export, factors: factors)
      try model.save(to: out)
      if !quiet {
        let provenance = model.provenance
        Console.note("imported \(provenance.blasCore) factors: \(provenance.users) users × \(provenance.notes) notes (fit \(formatSeconds(provenance.trainingSeconds)))")
        Console.note("wrote \(out)")
      }
    }
  }
}
