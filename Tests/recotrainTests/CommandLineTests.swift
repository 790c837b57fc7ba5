import Foundation
import ArgumentParser
import Testing
@testable import recotrain
@testable import Zhongcao

/// End-to-end tests of the CLI through its command types (parse, then run in-process).
@Suite struct CommandLineTests {
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recotrain-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func writeEvents(to path: String) throws {
    var text = "user\tnote\tweight\n"
    for u in 0..<60 {
      for j in 0..<8 { text += "u\(u)\tn\((u * 7 + j * j) % 40)\t\(1 + j % 3)\n" }
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
  }

  @Test func parsesTrainOptions() throws {
    let command = try TrainCommand.parse([
      "--interactions", "a.tsv", "--out", "m.zcm", "--factors", "32", "--iterations", "5", "--solver", "cholesky",
      "--threads", "1", "--seed", "7", "--skip-invalid", "--json", "--quiet",
    ])
    #expect(command.modelOptions.factors == 32 && command.modelOptions.iterations == 5)
    #expect(command.skipInvalid && command.json && command.quiet && command.modelOptions.seed == 7)
    guard case .als(let configuration) = try command.modelOptions.settings() else {
      Issue.record("expected ALS settings")
      return
    }
    #expect(configuration.factors == 32 && configuration.solver == .cholesky && configuration.seed == 7)
    #expect(configuration.threads == 1)
    #expect(throws: (any Error).self) { try TrainCommand.parse(["--out", "m.zcm"]) }
    #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", "m", "--json"]) }
  }

  @Test func trainRecommendSimilarExplainRoundTrip() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let events = directory.appendingPathComponent("events.tsv").path
    let model = directory.appendingPathComponent("feed.zcm").path
    let feeds = directory.appendingPathComponent("feeds.tsv").path
    let users = directory.appendingPathComponent("users.txt").path
    try Self.writeEvents(to: events)
    try "u1\nghost\nu2\n".write(toFile: users, atomically: true, encoding: .utf8)
    try TrainCommand.parse(["--interactions", events, "--out", model, "--factors", "8", "--iterations", "4", "--quiet"]).run()
    try RecommendCommand.parse(["--model", model, "--users", users, "--count", "5", "--out", feeds, "--quiet"]).run()
    let lines = try String(contentsOfFile: feeds, encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "user\tnote\trank\tscore")
    #expect(lines.count == 1 + 10)
    let loaded = try FeedModel(contentsOf: model)
    let expected = try loaded.recommendations(for: "u1", count: 5)
    let u1 = lines.dropFirst().filter { $0.hasPrefix("u1\t") }.map { $0.split(separator: "\t") }
    #expect(u1.map { String($0[1]) } == expected.map(\.note))
    #expect(u1.map { Int($0[2])! } == [1, 2, 3, 4, 5])
    #expect(!lines.contains { $0.hasPrefix("ghost") })
    try SimilarCommand.parse(["--model", model, "--note", "n3", "--count", "3"]).run()
    try ExplainCommand.parse(["--model", model, "--user", "u1", "--note", expected[0].note]).run()
  }

  @Test func errorsExitNonZero() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("bad.tsv").path
    try "u1\tn1\t1\nu2\tn2\tbanana\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let model = directory.appendingPathComponent("m.zcm").path
    #expect(throws: ExitCode.self) {
      try TrainCommand.parse(["--interactions", bad, "--out", model, "--quiet"]).run()
    }
    #expect(!FileManager.default.fileExists(atPath: model))
    #expect(throws: ExitCode.self) {
      try RecommendCommand.parse(["--model", directory.appendingPathComponent("missing.zcm").path]).run()
    }
    #expect(throws: ExitCode.self) {
      try TrainCommand.parse(["--interactions", bad, "--out", model, "--solver", "magic"]).run()
    }
  }

  /// `tune` writes settings that `train --config` reads back to the same model.
  @Test func tunedSettingsRoundTripThroughTrainConfig() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let events = directory.appendingPathComponent("events.tsv").path
    let best = directory.appendingPathComponent("best.json").path
    try Self.writeEvents(to: events)
    try TuneCommand.parse([
      "--interactions", events, "--out", best, "--factors", "4,8", "--regularization", "0.5,5", "--alpha", "1",
      "--iterations", "3", "--quiet",
    ]).run()
    let settings = try ModelSettings(json: Array(try Data(contentsOf: URL(fileURLWithPath: best))), name: best)
    guard case .als(let tuned) = settings else {
      Issue.record("expected ALS settings, got \(settings)")
      return
    }
    #expect([4, 8].contains(tuned.factors) && [0.5, 5].contains(tuned.regularization) && tuned.iterations == 3)
    let model = directory.appendingPathComponent("m.zcm").path
    try TrainCommand.parse(["--interactions", events, "--out", model, "--config", best, "--quiet"]).run()
    let trained = try FeedModel(contentsOf: model)
    #expect(trained.settings == settings)
    // A flag overrides the file.
    try TrainCommand.parse(["--interactions", events, "--out", model, "--config", best, "--factors", "3", "--quiet"]).run()
    #expect(try FeedModel(contentsOf: model).factorCount == 3)
  }

  @Test func settingsFilesRejectUnknownKeys() throws {
    #expect(throws: ZhongcaoError.self) { try ModelSettings(json: Array(#"{"kind": "als", "configuration": {"factorz": 3}}"#.utf8)) }
    #expect(throws: ZhongcaoError.self) { try ModelSettings(json: Array(#"{"kind": "svd"}"#.utf8)) }
    #expect(throws: ZhongcaoError.self) { try ModelSettings(json: Array(#"{"kind": "als", "configuration": {"factors": 0}}"#.utf8)) }
    let ease = try ModelSettings(json: Array(#"{"kind": "ease", "configuration": {"regularization": 250}}"#.utf8))
    guard case .ease(let configuration) = ease else { Issue.record("expected EASE"); return }
    #expect(configuration.regularization == 250 && configuration.binary)
    #expect(try ModelSettings(json: Array(ease.json.utf8)) == ease)
  }

  @Test func evaluateComparesKindsOnOneSplit() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let events = directory.appendingPathComponent("events.tsv").path
    try Self.writeEvents(to: events)
    try EvaluateCommand.parse([
      "--interactions", events, "--compare", "als,ease,itemknn,popularity", "--k", "5,10", "--factors", "4",
      "--iterations", "3", "--bootstrap", "50", "--quiet",
    ]).run()
    #expect(throws: ExitCode.self) {
      try EvaluateCommand.parse(["--interactions", events, "--split", "sideways:3", "--quiet"]).run()
    }
  }
}
