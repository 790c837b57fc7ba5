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

  @Test func backgroundWorkGivesItsValueOrItsError() throws {
    let work = BackgroundWork { () throws(ZhongcaoError) in (0..<1_000).reduce(0, +) }
    #expect(try work.value() == 499_500)
    let failing = BackgroundWork { () throws(ZhongcaoError) -> Int in throw ZhongcaoError(.io, "cannot read x") }
    do {
      _ = try failing.value()
      Issue.record("the error was lost")
    } catch {
      #expect(error.code == .io && error.message == "cannot read x")
    }
  }

  @Test func unreadableModelOrEventsExitNonZeroAndWriteNothing() throws {
    // Both are read on their own threads while the notes load; their errors must still end the scan.
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try TrustGenerateCommand.parse(["--notes", "2000", "--seed", "2", "--out", path("notes.jsonl"),
                                    "--engagement-out", path("events.tsv")]).run()
    try TrustTrainCommand.parse(["--notes", path("notes.jsonl"), "--out", path("detector.json"), "--quiet"]).run()
    try "user\tnote\n".write(toFile: path("no-time.tsv"), atomically: true, encoding: .utf8)
    let scan = ["--notes", path("notes.jsonl"), "--out", path("flags.jsonl"), "--quiet"]
    // With readable files the scan succeeds, so each failure below is the file's.
    try TrustScanCommand.parse(scan + ["--model", path("detector.json"), "--engagement", path("events.tsv")]).run()
    try FileManager.default.removeItem(atPath: path("flags.jsonl"))
    for arguments in [["--model", path("missing.json"), "--engagement", path("events.tsv")],
                      ["--model", path("events.tsv")],
                      ["--model", path("detector.json"), "--engagement", path("missing.tsv")],
                      ["--model", path("detector.json"), "--engagement", path("no-time.tsv")]] {
      #expect(throws: ExitCode.self, "\(arguments)") { try TrustScanCommand.parse(scan + arguments).run() }
      #expect(!FileManager.default.fileExists(atPath: path("flags.jsonl")))
    }
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
      var quoted = JSONBytes()
      quoted.append("", string: text)  // the escaping the flags writer uses
      let decoded = try JSONSerialization.jsonObject(with: Data(quoted.bytes), options: [.fragmentsAllowed]) as? String
      #expect(decoded == text)
    }
    for (value, text) in [(Double.nan, "null"), (.infinity, "null"), (0.25, "0.25"), (-0.0, "-0.0"), (1e-300, "1e-300")] {
      var number = JSONBytes()
      number.append("", number: value)
      #expect(String(decoding: number.bytes, as: UTF8.self) == text)
    }
  }

  /// The byte writer gives, byte for byte, what the `String` writer it replaced gave
  /// (``ReferenceFlagsWriter``): on the assessments of a real scan, then on the same assessments
  /// with random text (quotes, backslashes, control characters, non-ASCII), numbers (NaN,
  /// infinities, signed zeros, extremes) and offsets; and each line parses as JSON.
  @Test func flagsLinesMatchTheStringWriter() throws {
    var generator = NoteCorpusGenerator(notes: 1500, authors: 300, seed: 3)
    generator.engagementsPerNote = 2
    let corpus = generator.generate()
    let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var configuration = TrustScanner.Configuration()
    configuration.detector = try SponsoredDetector(contentsOf: root.appending(path: "Models/trust-detector-v1.json").path)
    let scanned = try TrustScanner(configuration: configuration).scan(corpus.notes, engagement: corpus.engagementEvents).assessments
    #expect(scanned.contains { !$0.evidence.isEmpty } && scanned.contains { $0.campaign != nil })

    var random = SeededRandom(seed: 11)
    let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "a", "Z", "0", "种草", "😀", "é",
                  "\u{301}", "/", "\u{2028}", " ", "{", "}", ",", ":"]
    func text() -> String {
      (0..<Int(random.next() % 10)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }
    let numbers: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1, 0.1, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e16, 123456.789]
    func number() -> Double {
      random.next() % 2 == 0 ? numbers[Int(random.next() % UInt64(numbers.count))]
        : Double(bitPattern: random.next())
    }
    func integer() -> Int {
      [0, -1, Int.min, Int.max, Int(truncatingIfNeeded: random.next()), Int(random.next() % 1000)][Int(random.next() % 6)]
    }
    var mutated = scanned
    for index in mutated.indices {
      mutated[index].id = text()
      mutated[index].author = text()
      mutated[index].campaign = random.next() % 2 == 0 ? nil : text()
      mutated[index].probability = number()
      if mutated[index].evidence.isEmpty || random.next() % 3 == 0 {
        mutated[index].evidence.append(TrustEvidence(kind: .signal, detail: text()))
      }
      for position in mutated[index].evidence.indices {
        mutated[index].evidence[position].detail = text()
        mutated[index].evidence[position].text = random.next() % 3 == 0 ? nil : text()
        mutated[index].evidence[position].strength = random.next() % 3 == 0 ? nil : number()
        mutated[index].evidence[position].span = random.next() % 3 == 0 ? nil
          : TextSpan(field: random.next() % 2 == 0 ? .title : .body, start: integer(), end: integer())
      }
    }
    for assessment in scanned + mutated {
      var expected = ""
      ReferenceFlagsWriter.appendFlagsLine(assessment, to: &expected)
      var bytes = JSONBytes()
      TrustScanCommand.appendFlagsLine(assessment, to: &bytes)
      #expect(bytes.bytes == Array(expected.utf8), "\(expected)")
      if bytes.bytes != Array(expected.utf8) { break }
      #expect(try JSONSerialization.jsonObject(with: Data(bytes.bytes)) is [String: Any])
    }

    // The whole file: blocks in order, one line each, over more than one wave of blocks.
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("flags.jsonl").path
    var scan = try TrustScanner(configuration: configuration).scan(corpus.notes, engagement: corpus.engagementEvents)
    let copies = 2 * usableCoreCount * 2_048 / mutated.count + 2  // more than a wave of blocks of 2,048 lines
    scan.assessments = (0..<copies).flatMap { _ in mutated }
    try TrustScanCommand.writeFlags(scan, to: path)
    var expected = ""
    for assessment in scan.assessments {
      ReferenceFlagsWriter.appendFlagsLine(assessment, to: &expected)
      expected += "\n"
    }
    #expect(try Data(contentsOf: URL(filePath: path)) == Data(expected.utf8))
  }
}
