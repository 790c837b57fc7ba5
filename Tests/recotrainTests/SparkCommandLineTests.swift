import Foundation
import ArgumentParser
import Testing
@testable import recotrain
@testable import Zhongcao

/// `recotrain spark export|import` and `train --convention spark`, without a Spark: Zhongcao
/// trains Spark's objective and plays the Spark job by writing its factors in the job's format.
@Suite struct SparkCommandLineTests {
  /// Writes a model's factors as `Tools/spark/train_als.py` does.
  static func writeFactors(of model: FeedModel, to directory: String, dataHash: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (matrix, name) in [(model.contents.userFactors, "user_factors.csv"), (model.contents.noteFactors, "item_factors.csv")] {
      var text = "id," + (0..<matrix.rows).map { "f\($0)" }.joined(separator: ",") + "\n"
      for column in 0..<matrix.columns {
        text += "\(column)," + (0..<matrix.rows).map { "\(matrix[$0, column])" }.joined(separator: ",") + "\n"
      }
      try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
    try #"{"rank": 6, "regParam": 0.3, "alpha": 2, "maxIter": 4, "seed": 5, "sparkVersion": "none", "fitSeconds": 1.5, "dataHash": "\#(dataHash)"}"#
      .write(toFile: directory + "/training.json", atomically: true, encoding: .utf8)
  }

  @Test func exportTrainWithSparkConventionImportServeAndFoldIn() throws {
    let directory = try CommandLineTests.temporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let events = directory + "/events.tsv", export = directory + "/export", factors = directory + "/factors"
    let trainedPath = directory + "/trained.zcm", importedPath = directory + "/imported.zcm"
    try CommandLineTests.writeEvents(to: events)
    try SparkExportCommand.parse(["--interactions", events, "--out", export, "--quiet"]).run()
    let manifest = try JSONDecoder().decode(SparkExchange.Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: export + "/manifest.json")))
    #expect(manifest.users == 60 && manifest.pairs > 0)

    try TrainCommand.parse([
      "--interactions", events, "--out", trainedPath, "--factors", "6", "--iterations", "4", "--regularization", "0.3",
      "--alpha", "2", "--convention", "spark", "--solver", "cholesky", "--seed", "5", "--threads", "1", "--quiet",
    ]).run()
    let trained = try FeedModel(contentsOf: trainedPath)
    guard case .als(let configuration) = trained.contents.settings else { Issue.record("not ALS"); return }
    #expect(configuration.regularizationConvention == .spark)
    #expect(trained.provenance.dataHash == manifest.dataHash)

    try Self.writeFactors(of: trained, to: factors, dataHash: manifest.dataHash)
    try SparkImportCommand.parse(["--export", export, "--factors", factors, "--out", importedPath, "--quiet"]).run()
    let imported = try FeedModel(contentsOf: importedPath)
    #expect(imported.provenance.blasCore == "Apache Spark none" && imported.provenance.trainingSeconds == 1.5)
    for user in ["u0", "u17", "u59"] {
      #expect(try imported.recommendations(for: user, count: 5) == trained.recommendations(for: user, count: 5))
      // The last half-step solved every user exactly given the notes, so fold-in reproduces it.
      let folded = try imported.foldIn(events: trained.contents.seenEvents(of: user))
      let u = try #require(trained.users.index(of: user))
      let vector = (0..<6).map { trained.contents.userFactors[$0, u] }
      #expect(zip(folded, vector).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "\(user): \(folded) vs \(vector)")
    }
  }

  @Test func evaluateTrainedModelOnlyOnItsOwnTrainingData() throws {
    let directory = try CommandLineTests.temporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let events = directory + "/events.tsv", test = directory + "/test.tsv", model = directory + "/m.zcm"
    try CommandLineTests.writeEvents(to: events)
    try "user\tnote\nu1\tn0\nu2\tn1\n".write(toFile: test, atomically: true, encoding: .utf8)
    try TrainCommand.parse(["--interactions", events, "--out", model, "--factors", "4", "--iterations", "2", "--quiet"]).run()
    let split = try DataSplit(train: Interactions.load(contentsOf: events).0, test: Interactions.load(contentsOf: test).0)
    let evaluator = Evaluator(split: split, cutoffs: [5], bootstrapSamples: 0, threads: 1)
    let result = try evaluator.evaluate(trained: FeedModel(contentsOf: model))
    #expect(result.trainedBy == "Zhongcao \(Zhongcao.version)")
    #expect(result.report.metrics["ndcg@5"] != nil)
    // Trained on other data: refused.
    let otherEvents = directory + "/other.tsv"
    try (String(contentsOfFile: events, encoding: .utf8) + "u0\tn39\t1\n").write(toFile: otherEvents, atomically: true, encoding: .utf8)
    let other = Evaluator(split: try DataSplit(train: Interactions.load(contentsOf: otherEvents).0, test: Interactions.load(contentsOf: test).0),
                          cutoffs: [5], bootstrapSamples: 0, threads: 1)
    let refused = #expect(throws: ZhongcaoError.self) { try other.evaluate(trained: FeedModel(contentsOf: model)) }
    #expect(refused?.message.contains("trained on data with hash") == true)
  }

  @Test func sparkOptionErrors() throws {
    let bogus = try TrainCommand.parse(["--interactions", "a.tsv", "--out", "m.zcm", "--convention", "bogus"])
    #expect(throws: ZhongcaoError.self) { try bogus.modelOptions.settings() }
    #expect(throws: (any Error).self) { try SparkImportCommand.parse(["--export", "e"]) }
    let directory = try CommandLineTests.temporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(throws: (any Error).self) {
      try SparkImportCommand.parse(["--export", directory, "--factors", directory, "--out", directory + "/m.zcm", "--quiet"]).run()
    }
  }
}

extension ModelContents {
  /// A known user's training events.
  fileprivate func seenEvents(of user: String) -> [(note: String, weight: Float)] {
    guard let u = users.index(of: user) else { return [] }
    return seen.range(ofRow: u).map { (notes[Int(seen.indices[$0])], seen.values[$0]) }
  }
}
