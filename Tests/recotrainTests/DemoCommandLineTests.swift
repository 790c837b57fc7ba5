import Foundation
import Testing
@testable import recotrain
@testable import Zhongcao

/// `recotrain demo`, `report --from` and `feeds`, end to end on the tiny world.
@Suite struct DemoCommandLineTests {
  static var shippedDetector: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appending(path: "Models/trust-detector-v1.json").path
  }

  @Test func parsesDemoAndReportOptions() throws {
    let demo = try DemoCommand.parse(["--out", "d", "--size", "medium", "--seed", "3", "--quiet"])
    #expect(demo.out == "d" && demo.size == .medium && demo.seed == 3 && demo.quiet)
    #expect(try DemoCommand.parse([]).size == .small)
    #expect(throws: (any Error).self) { try DemoCommand.parse(["--size", "huge"]) }
    #expect(try ReportCommand.parse(["--from", "d"]).directory == "d")
    #expect(throws: (any Error).self) { try ReportCommand.parse([]) }
  }

  @Test func tinyDemoWritesEveryResultAndTheReportRebuildsFromThem() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("demo").path
    try DemoCommand.parse(["--size", "tiny", "--out", out, "--detector", Self.shippedDetector, "--quiet"]).run()
    func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
    for name in ["feed.zcm", "notes.jsonl", "interactions.tsv", "flags.jsonl", "impressions.tsv", "train.json", "evaluate.json",
                 "trust-scan.json", "ads-study.json", "ads-plan.json", "feeds.json", "world.json", "report.html"] {
      #expect(FileManager.default.fileExists(atPath: path(name)), "\(name) missing")
    }
    let report = try FeedHealthReport.load(directory: out)
    #expect(report.training != nil && report.evaluation?.models.map(\.kind) == ["als", "ease", "popularity"])
    #expect(report.trust != nil && report.study?.experiment != nil && report.plan != nil && report.world != nil)
    #expect(report.feeds?.count == 3)
    // Every sample-feed note is a note of the scanned corpus.
    let notes = Set(try NoteLoader.load(contentsOf: path("notes.jsonl")).0.map(\.id))
    #expect(report.feeds!.allSatisfy { $0.slots.allSatisfy { notes.contains($0.note) && $0.title != nil } })

    // report --from rebuilds exactly the demo's page.
    let rebuilt = directory.appendingPathComponent("rebuilt.html").path
    try ReportCommand.parse(["--from", out, "--out", rebuilt, "--quiet"]).run()
    let original = try Data(contentsOf: URL(fileURLWithPath: path("report.html")))
    #expect(try Data(contentsOf: URL(fileURLWithPath: rebuilt)) == original)
    let html = String(decoding: original, as: UTF8.self)
    for id in FeedHealthReport.sectionIDs { #expect(html.contains("id=\"\(id)\"")) }
    #expect(!html.contains("class=\"missing\""))

    // feeds from the files the demo wrote equals the demo's feeds.json.
    let users = directory.appendingPathComponent("users.txt").path
    try report.feeds!.map(\.user).joined(separator: "\n").write(toFile: users, atomically: true, encoding: .utf8)
    let feeds = directory.appendingPathComponent("feeds.json").path
    try FeedsCommand.parse(["--model", path("feed.zcm"), "--flags", path("flags.jsonl"), "--notes", path("notes.jsonl"),
                            "--users", users, "--out", feeds, "--quiet"]).run()
    #expect(try SampleFeed.decode(Data(contentsOf: URL(fileURLWithPath: feeds)), name: feeds) == report.feeds)
  }

  @Test func flagsFileReadsBackAsTheScanWroteIt() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var generator = NoteCorpusGenerator(notes: 300, authors: 60, brands: 10, seed: 5)
    generator.campaigns = 3
    var configuration = TrustScanner.Configuration()
    configuration.detector = try SponsoredDetector(contentsOf: Self.shippedDetector)
    let scan = try TrustScanner(configuration: configuration).scan(generator.generate().notes)
    let path = directory.appendingPathComponent("flags.jsonl").path
    try TrustScanCommand.writeFlags(scan, to: path)
    let flags = try NoteFlag.load(contentsOf: path)
    #expect(flags == scan.assessments.map(NoteFlag.init))
    try "{\"id\": 1}\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: ZhongcaoError.self) { try NoteFlag.load(contentsOf: path) }
  }
}
