import ArgumentParser
import Foundation
import Testing
@testable import recotrain
@testable import Zhongcao

/// `recotrain ads`: bad input exits non-zero and writes nothing.
@Suite struct AdsCommandLineTests {
  @Test func simulateStudyAndPlan() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try AdsSimulateCommand.parse(["--users", "1500", "--weeks", "3", "--pre-weeks", "1", "--arms", "control=0,mid=0.15,high=0.3",
                                  "--effect", "-8", "--no-trust", "--seed", "3", "--out", path("imp.tsv"), "--pre", path("pre.tsv"),
                                  "--truth", path("truth.json"), "--perceived-out", path("perceived.txt"), "--quiet"]).run()
    let truth = try AdLoadTruth.load(contentsOf: path("truth.json"))
    #expect(truth.arms.map(\.name) == ["control", "mid", "high"])
    try AdsStudyCommand.parse(["--impressions", path("imp.tsv"), "--pre", path("pre.tsv"), "--perceived", path("perceived.txt"),
                               "--bootstrap", "50", "--out", path("study.json"), "--plot", path("curve.svg"), "--quiet"]).run()
    let study = try AdDensityStudyResult.decode(Data(contentsOf: URL(fileURLWithPath: path("study.json"))), name: "study.json")
    #expect(study.measure == .perceived && study.overview.perceivedDensity > study.overview.paidDensity)
    let experiment = try #require(study.experiment)
    #expect(experiment.control == "control" && experiment.organicEngagementRate.cuped != nil)
    let line = try #require(experiment.organicEngagementLine(.logLinear))
    #expect(line.low <= -8 && -8 <= line.high, "\(line)")
    let svg = try String(contentsOfFile: path("curve.svg"), encoding: .utf8)
    #expect(svg.hasPrefix("<?xml") || svg.hasPrefix("<svg"))
    #expect(svg.contains("Organic engagement rate by perceived ad density"))
    try AdsPlanCommand.parse(["--study", path("study.json"), "--max-loss", "0.08", "--revenue-per-ad", "1",
                              "--plot", path("plan.svg"), "--json"]).run()
    // The plan rests on the line across arms: −8% per 10 points allows about 10 points at an 8% limit.
    let plan = try AdDensityPlanner(maximumLoss: 0.08, revenuePerAd: 1).plan(from: study)
    #expect(plan.basis.contains("experiment arms") && abs(plan.density - 0.1) < 0.04, "\(plan.density)")
    #expect(FileManager.default.fileExists(atPath: path("plan.svg")))
  }

  @Test func notesMakeTheirDetectedAdvertisingPartOfThePerceivedLoad() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try TrustGenerateCommand.parse(["--notes", "3000", "--seed", "9", "--out", path("notes.jsonl"), "--truth", path("truth.jsonl")]).run()
    let (notes, _) = try NoteLoader.load(contentsOf: path("notes.jsonl"))
    let advertising = PerceivedAdvertising(scan: try TrustScanner().scan(notes))
    #expect(!advertising.notes.isEmpty && advertising.notes.count < notes.count)
    // Every organic slot shows one of the notes, in turn; every fifth slot is a paid ad.
    var text = "user\tsession\tposition\tnote\tsponsored\tengaged\n", shown = 0, perceivedSlots = 0, slots = 0
    for user in 0..<60 {
      for slot in 0..<25 {
        slots += 1
        if slot % 5 == 4 {
          text += "u\(user)\ts\t\(slot)\tad\(slot)\t1\t0\n"
        } else {
          let note = notes[shown % notes.count].id
          shown += 1
          if advertising.notes.contains(note) { perceivedSlots += 1 }
          text += "u\(user)\ts\t\(slot)\t\(note)\t0\t\(slot % 3 == 0 ? 1 : 0)\n"
        }
      }
    }
    try text.write(toFile: path("imp.tsv"), atomically: true, encoding: .utf8)
    try AdsStudyCommand.parse(["--impressions", path("imp.tsv"), "--notes", path("notes.jsonl"), "--bootstrap", "0",
                               "--out", path("study.json"), "--quiet"]).run()
    let study = try AdDensityStudyResult.decode(Data(contentsOf: URL(fileURLWithPath: path("study.json"))), name: "study.json")
    #expect(study.measure == .perceived)
    #expect(abs(study.overview.paidDensity - 0.2) < 1e-12)
    #expect(abs(study.overview.perceivedDensity - Double(slots / 5 + perceivedSlots) / Double(slots)) < 1e-12)
  }

  @Test func badImpressionsAndStudiesExitNonZeroAndWriteNothing() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try "user\tsession\tposition\tnote\tsponsored\tengaged\nu\ts\t1\tn\t0\t1\nu\ts\ttwo\tn\t0\t1\n"
      .write(toFile: path("bad.tsv"), atomically: true, encoding: .utf8)
    #expect(throws: ExitCode.self) {
      try AdsStudyCommand.parse(["--impressions", path("bad.tsv"), "--out", path("study.json"), "--plot", path("curve.svg"), "--quiet"]).run()
    }
    #expect(!FileManager.default.fileExists(atPath: path("study.json")))
    #expect(!FileManager.default.fileExists(atPath: path("curve.svg")))
    #expect(throws: ExitCode.self) {
      try AdsStudyCommand.parse(["--impressions", path("missing.tsv"), "--quiet"]).run()
    }
    try "{\"format\": \"something else\"}".write(toFile: path("other.json"), atomically: true, encoding: .utf8)
    #expect(throws: ExitCode.self) {
      try AdsPlanCommand.parse(["--study", path("other.json"), "--max-loss", "0.02", "--revenue-per-ad", "1"]).run()
    }
    // Bad arguments are usage errors (exit 64), reported before any work.
    #expect(throws: ExitCode(64)) {
      try AdsStudyCommand.parse(["--impressions", path("bad.tsv"), "--window", "0", "--skip-invalid", "--quiet"]).run()
    }
  }
}
