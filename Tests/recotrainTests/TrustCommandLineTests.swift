import ArgumentParser
import Foundation
import Testing
@testable import recotrain
@testable import Zhongcao

/// `recotrain trust` end to end: generate, train, scan (also on MediaCrawler exports), campaigns.
@Suite struct TrustCommandLineTests {
  private func lines(_ path: String) throws -> [[String: Any]] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func generateTrainScanAndCampaigns() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try TrustGenerateCommand.parse(["--notes", "2000", "--seed", "5", "--out", path("notes.jsonl"),
                                    "--truth", path("truth.jsonl"), "--engagement-out", path("events.tsv")]).run()
    try TrustGenerateCommand.parse(["--notes", "2000", "--seed", "5", "--format", "mediacrawler",
                                    "--out", path("mc.jsonl")]).run()
    try TrustTrainCommand.parse(["--notes", path("notes.jsonl"), "--out", path("detector.json"), "--quiet"]).run()
    let detector = try SponsoredDetector(contentsOf: path("detector.json"))
    #expect(detector.classPrior > 0.05 && detector.classPrior < 0.6)

    // MediaCrawler's field names scan unchanged, with the detector trained on the other file.
    try TrustScanCommand.parse(["--notes", path("mc.jsonl"), "--model", path("detector.json"),
                                "--engagement", path("events.tsv"), "--out", path("flags.jsonl"), "--quiet"]).run()
    let flags = try lines(path("flags.jsonl"))
    let truth = try lines(path("truth.jsonl"))
    #expect(flags.count == 2000)
    #expect(flags.map { $0["id"] as? String } == truth.map { $0["id"] as? String })
    let verdicts = Set(flags.compactMap { $0["verdict"] as? String })
    #expect(verdicts.isSuperset(of: ["organic", "disclosed_ad", "suspected_undisclosed_promotion"]))
    for flag in flags {
      #expect(Set(flag.keys) == ["id", "author", "grade", "rule", "probability", "verdict", "evidence", "campaign"])
      let probability = try #require(flag["probability"] as? Double)
      #expect((0...1).contains(probability))
    }
    // Campaign notes planted in the corpus are flagged as campaigns.
    let planted = Set(truth.filter { $0["campaign"] is Int }.compactMap { $0["id"] as? String })
    let flagged = Set(flags.filter { $0["campaign"] is String }.compactMap { $0["id"] as? String })
    #expect(Double(planted.intersection(flagged).count) >= 0.9 * Double(planted.count))

    try TrustCampaignsCommand.parse(["--notes", path("notes.jsonl"), "--json", "--quiet"]).run()
  }

  @Test func badNotesExitNonZeroAndWriteNothing() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("bad.jsonl").path
    try "{\"id\": \"n1\", \"author\": \"a\"}\n{\"id\": \"n2\"}\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent("flags.jsonl").path
    #expect(throws: ExitCode.self) {
      try TrustScanCommand.parse(["--notes", bad, "--out", out, "--quiet"]).run()
    }
    #expect(!FileManager.default.fileExists(atPath: out))
    // Too small to train on: a clear error, not a crash.
    #expect(throws: ExitCode.self) {
      try TrustScanCommand.parse(["--notes", bad, "--skip-invalid", "--out", out, "--quiet"]).run()
    }
    #expect(throws: ExitCode.self) {
      try TrustGenerateCommand.parse(["--notes", "10", "--format", "xml", "--out", out]).run()
    }
  }

  @Test func flagsAreValidJSONWhateverTheText() throws {
    for text in ["plain", "quote \" and backslash \\", "tab\tnew\nline\r", "\u{0}\u{1F}\u{7F}", "表情😀「广告」", "\u{2028}\u{2029}", ""] {
      var quoted = ""
      NoteCorpus.appendJSONString(text, to: &quoted)  // the escaping the flags writer uses
      let decoded = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: [.fragmentsAllowed]) as? String
      #expect(decoded == text)
    }
    #expect(TrustScanCommand.number(.nan) == "null" && TrustScanCommand.number(0.25) == "0.25")
  }
}
