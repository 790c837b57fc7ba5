import Foundation
import Testing
@testable import Zhongcao

// MARK: - Helpers

/// Parses `text` as an in-memory file called `name`.
private func parse(_ text: String, name: String = "input", options: InteractionLoadOptions = .init())
  throws(ZhongcaoError) -> (Interactions, InteractionLoadReport)
{
  try Interactions.parse(Array(text.utf8), name: name, options: options)
}

/// The error parsing `bytes` gives, or nil (recorded as an issue) if it parses.
private func parseFailure(_ bytes: [UInt8], name: String = "input", options: InteractionLoadOptions = .init(),
                          sourceLocation: SourceLocation = #_sourceLocation) -> ZhongcaoError? {
  do {
    let (log, _) = try Interactions.parse(bytes, name: name, options: options)
    Issue.record("expected an error, got \(log.count) events", sourceLocation: sourceLocation)
    return nil
  } catch {
    return error
  }
}

/// (user, note, weight) of every event, for compact comparisons.
private func events(_ log: Interactions) -> [String] {
  (0..<log.count).map { "\(log.users[Int(log.userIndices[$0])])|\(log.notes[Int(log.noteIndices[$0])])|\(log.weights[$0])" }
}

/// A path named `name` in a fresh temporary directory (remove it with `removeTemporary`).
private func temporaryPath(_ name: String) -> String {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-loader-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.appendingPathComponent(name).path
}

/// Removes the directory `temporaryPath` made for `path`.
private func removeTemporary(_ path: String) {
  try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
}

private let movieLensRatings: String = {
  let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  return repositoryRoot.appendingPathComponent("../shared/data/movielens-latest-small/ratings.csv").standardized.path
}()

// MARK: - Tests

@Suite("InteractionLoader")
struct InteractionLoaderTests {
  @Test("TSV without a header: user note [weight] [timestamp]")
  func tsvWithoutHeader() throws {
    let (log, report) = try parse("u1\tn1\t2\nu2\tn1\t0.5\nu1\tn2\t3\nu1\tn1\t1\n")
    #expect(log.users.ids == ["u1", "u2"])
    #expect(log.notes.ids == ["n1", "n2"])
    #expect(log.userIndices == [0, 1, 0, 0])
    #expect(log.noteIndices == [0, 0, 1, 0])
    #expect(log.weights == [2, 0.5, 3, 1])
    #expect(log.timestamps == nil)
    #expect(report == InteractionLoadReport(lines: 4, events: 4, hadHeader: false, columns: ["user", "note", "weight"]))

    let (pairs, pairReport) = try parse("a\tb\nc\td")
    #expect(pairs.weights == [1, 1])
    #expect(pairReport.columns == ["user", "note"])

    let (timed, timedReport) = try parse("a\tb\t1\t100\nc\td\t2\t200\n")
    #expect(timed.timestamps == [100, 200])
    #expect(timedReport.columns == ["user", "note", "weight", "timestamp"])
  }

  @Test("CSV with a MovieLens-style header and an extra column")
  func movieLensStyleHeader() throws {
    let text = "userId,movieId,rating,timestamp,comment\n1,31,2.5,1260759144,ok\n1,1029,3.0,1260759179,\n7,31,4,1260759185,x\n"
    let (log, report) = try parse(text, name: "ratings.csv")
    #expect(report.hadHeader)
    #expect(report.columns == ["user", "note", "weight", "timestamp"])
    #expect(report.lines == 3 && report.events == 3)
    #expect(log.users.ids == ["1", "7"])
    #expect(log.notes.ids == ["31", "1029"])
    #expect(log.weights == [2.5, 3, 4])
    #expect(log.timestamps == [1_260_759_144, 1_260_759_179, 1_260_759_185])
  }

  @Test("Header aliases match case-insensitively and in any column order")
  func headerAliases() throws {
    let (log, report) = try parse("TS\tIgnored\tItem_ID\tCOUNT\tUSER_ID\n5\tz\tn1\t3\tu1\n")
    #expect(report.hadHeader)
    #expect(report.columns == ["timestamp", "note", "weight", "user"])
    #expect(events(log) == ["u1|n1|3.0"])
    #expect(log.timestamps == [5])

    for (user, note, weight) in [("user", "note", "weight"), ("UserId", "itemId", "Rating"), ("user_id", "note_id", "value"),
                                 ("user", "item", "count"), ("USER", "MOVIEID", "VALUE")] {
      let (log, report) = try parse("\(user),\(note),\(weight)\nu,n,2\n")
      #expect(report.hadHeader, "\(user),\(note),\(weight)")
      #expect(events(log) == ["u|n|2.0"])
    }
    // A user column alone is not a header: the line is data.
    let (data, dataReport) = try parse("user,something\nu,n\n")
    #expect(!dataReport.hadHeader)
    #expect(data.users.ids == ["user", "u"])
  }

  @Test("Event names map to configurable weights, multiplied with a weight column")
  func eventColumn() throws {
    var options = InteractionLoadOptions()
    options.eventWeights = try EventWeights(["like": 2, "Buy": 10, "view": 0.5])
    let (log, report) = try parse("user,note,action\nu1,n1,like\nu1,n2,BUY\nu2,n1,View\nu2,n2,like\n", options: options)
    #expect(report.columns == ["user", "note", "event"])
    #expect(log.weights == [2, 10, 0.5, 2])

    let (weighted, _) = try parse("event_type\tuser\tnote\tweight\nlike\tu\tn\t3\nview\tu\tn\t2\n", options: options)
    #expect(weighted.weights == [6, 1])

    let (defaults, _) = try parse("user,note,event\nu,n,purchase\nu,n,like\n")
    #expect(defaults.weights == [10, 2])
  }

  @Test("UTF-8 byte order mark and CRLF line ends")
  func byteOrderMarkAndCRLF() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("user,note,weight\r\nu1,n1,2\r\nu2 , n2 ,3 \r\n".utf8)
    let (log, report) = try Interactions.parse(bytes, name: "x.csv")
    #expect(report.hadHeader)
    #expect(events(log) == ["u1|n1|2.0", "u2|n2|3.0"])

    let (tsv, _) = try Interactions.parse([0xEF, 0xBB, 0xBF] + Array("u1\tn1\r\nu2\tn2".utf8), name: "x")
    #expect(events(tsv) == ["u1|n1|1.0", "u2|n2|1.0"])
  }

  @Test("Quoted CSV fields with delimiters, escaped quotes and line breaks")
  func quotedFields() throws {
    let text = "user,note,weight\n\"Li, Wei\",\"the \"\"best\"\" lipstick\",2\n  \"  padded \" ,\"a\nb\",\"3.5\"\nplain,\"\",1\n"
    let error = parseFailure(Array(text.utf8))
    #expect(error?.location == .init(file: "input", line: 5, field: "note"))
    let (log, _) = try parse(String(text.dropLast("plain,\"\",1\n".count)))
    #expect(log.users.ids == ["Li, Wei", "  padded "])
    #expect(log.notes.ids == ["the \"best\" lipstick", "a\nb"])
    #expect(log.weights == [2, 3.5])

    // Quotes also work in TSV, and line numbers count the lines inside quoted fields.
    let (tsv, _) = try parse("\"u\t1\"\tn\n")
    #expect(tsv.users.ids == ["u\t1"])
    let afterBreak = parseFailure(Array("u,\"multi\nline\",1\nu,n,oops\n".utf8))
    #expect(afterBreak?.location?.line == 3)
  }

  @Test("Blank and whitespace-only lines are skipped, not errors")
  func blankLines() throws {
    let (log, report) = try parse("\n\n  \nuser\tnote\n\nu1\tn1\n \t \n\r\nu2\tn2\n\n\n")
    #expect(report.hadHeader)
    #expect(report.lines == 2)
    #expect(events(log) == ["u1|n1|1.0", "u2|n2|1.0"])
    let error = parseFailure(Array("\n\nuser\tnote\n\nu1\tn1\n\n\tn2\n".utf8))
    #expect(error?.location == .init(file: "input", line: 7, field: "user"))
  }

  struct ErrorCase: Sendable, CustomTestStringConvertible {
    var label: String
    var input: [UInt8]
    var line: Int?
    var field: String?
    var message: String
    var testDescription: String { label }

    init(_ label: String, _ input: String, line: Int?, field: String?, _ message: String) {
      self.init(label, Array(input.utf8), line: line, field: field, message)
    }

    init(_ label: String, _ input: [UInt8], line: Int?, field: String?, _ message: String) {
      self.label = label
      self.input = input
      self.line = line
      self.field = field
      self.message = message
    }
  }

  @Test("Each error names the line, the field and the value", arguments: [
    ErrorCase("missing column", "u1\tn1\t1\nu2\tn2\n", line: 2, field: "weight", "the line has 2 fields but needs at least 3"),
    ErrorCase("single field", "u1\n", line: 1, field: "note", "needs at least 2"),
    ErrorCase("late line", String(repeating: "u\tn\t1\n\n", count: 100) + "u\tn\tx\n", line: 201, field: "weight", "'x'"),
    ErrorCase("missing header column", "user,note,rating\nu,n\n", line: 2, field: "weight", "needs at least 3 (user, note, weight)"),
    ErrorCase("non-numeric weight", "u1\tn1\tabc\n", line: 1, field: "weight", "weight is not a number: 'abc'"),
    ErrorCase("empty weight", "u1,n1,1\nu1,n1,\n", line: 2, field: "weight", "weight is not a number: ''"),
    ErrorCase("header column name", "user,item,rating\nu,n,x\n", line: 2, field: "weight", "weight (column 'rating') is not a number: 'x'"),
    ErrorCase("negative weight", "u1\tn1\t1\nu1\tn2\t-2\n", line: 2, field: "weight", "must not be negative, got '-2'"),
    ErrorCase("nan weight", "u1\tn1\tnan\n", line: 1, field: "weight", "must be finite, got 'nan'"),
    ErrorCase("infinite weight", "u1\tn1\tinf\n", line: 1, field: "weight", "must be finite, got 'inf'"),
    ErrorCase("overflowing weight", "u1\tn1\t1e39\n", line: 1, field: "weight", "must be finite, got '1e39'"),
    ErrorCase("invalid UTF-8 user", [0x75, 0xFF, 0x09, 0x6E, 0x0A], line: 1, field: "user", "user id is not valid UTF-8"),
    ErrorCase("invalid UTF-8 note", Array("a\tb\n\nc\t".utf8) + [0xE7, 0x0A], line: 3, field: "note", "note id is not valid UTF-8"),
    ErrorCase("unknown event", "user\tnote\tevent\nu1\tn1\tlike\nu1\tn1\tclik\n", line: 3, field: "event", "unknown event 'clik'"),
    ErrorCase("bad timestamp", "u1\tn1\t1\tyesterday\n", line: 1, field: "timestamp", "'yesterday'"),
    ErrorCase("bad ISO date", "u1\tn1\t1\t2024-13-01\n", line: 1, field: "timestamp", "ISO 8601"),
    ErrorCase("missing timestamp", "user,note,timestamp\nu1,n1,5\nu1,n1,\n", line: 3, field: "timestamp", "timestamp is missing"),
    ErrorCase("empty user id", "u0\tn0\n\tn1\n", line: 2, field: "user", "user id is empty"),
    ErrorCase("empty quoted note id", "u1,\"\",1\n", line: 1, field: "note", "note id is empty"),
    ErrorCase("unterminated quote", "u1,n1\nu1,\"n1,1\nu2,n2\n", line: 2, field: nil, "not closed"),
    ErrorCase("text after quote", "u1,\"n1\"x,1\n", line: 1, field: nil, "after the closing double quote"),
    ErrorCase("too many fields", "u,n,1\n" + String(repeating: "a,", count: 5000) + "\n", line: 2, field: nil, "more than 4096 fields"),
    ErrorCase("id too long", "u,n,1\n" + String(repeating: "种", count: 1400) + ",n,1\n", line: 2, field: "user", "longer than 4096 bytes"),
    ErrorCase("empty file", "", line: nil, field: nil, "input contains no interactions"),
    ErrorCase("header only", "user,note\n", line: nil, field: nil, "input contains no interactions"),
    ErrorCase("blank only", "\n \r\n\n", line: nil, field: nil, "input contains no interactions"),
  ])
  func errorCases(_ testCase: ErrorCase) {
    guard let error = parseFailure(testCase.input) else { return }
    #expect(error.code == .invalidInput)
    #expect(error.location == ZhongcaoError.Location(file: "input", line: testCase.line, field: testCase.field))
    #expect(error.message.contains(testCase.message), "\(error.message)")
  }

  @Test("Long values are shortened in messages")
  func longValuesShortened() {
    let long = String(repeating: "x", count: 5000)
    guard let error = parseFailure(Array("u\tn\t\(long)\n".utf8)) else { return }
    #expect(error.message.contains("…"))
    #expect(error.message.count < 200)
  }

  @Test("skipInvalid skips bad lines, counts them and keeps the first ten problems")
  func skipInvalid() throws {
    var options = InteractionLoadOptions()
    options.skipInvalid = true
    let (log, report) = try parse("user\tnote\tweight\nu1\tn1\t1\nu2\tn2\tbad\n\nu3\t\t1\nu4\tn4\t-1\nu5\tn5\t5\n", options: options)
    #expect(events(log) == ["u1|n1|1.0", "u5|n5|5.0"])
    #expect(report.lines == 5 && report.events == 2 && report.skipped == 3)
    #expect(report.firstProblems.map(\.location?.line) == [3, 5, 6])
    #expect(report.firstProblems.map(\.location?.field) == ["weight", "note", "weight"])

    let many = (1...25).map { "u\($0)\tn\t\($0 % 2 == 0 ? "x" : "1")\n" }.joined()
    let (_, manyReport) = try parse(many, options: options)
    #expect(manyReport.skipped == 12 && manyReport.events == 13 && manyReport.lines == 25)
    #expect(manyReport.firstProblems.count == 10)
    #expect(manyReport.firstProblems.first?.location?.line == 2)

    // Ids that appear only on skipped lines are not added.
    let (clean, _) = try parse("u1\tn1\t1\nghost\tn1\tx\nu1\tphantom\t-1\nghost2\t\t1\n", options: options)
    #expect(clean.users.ids == ["u1"])
    #expect(clean.notes.ids == ["n1"])

    guard let none = parseFailure(Array("u\tn\tx\nv\tm\ty\n".utf8), options: options) else { return }
    #expect(none.message.contains("contains no interactions"))
    #expect(none.message.contains("all 2 data lines were skipped"))
  }

  @Test("Timestamps: integer and decimal seconds, ISO 8601 dates and times")
  func timestamps() throws {
    let text = """
      user,note,time
      u,a,1714564800
      u,b,1714564800.9
      u,c,2024-05-01
      u,d,2024-05-01T12:00:00Z
      u,e,2024-05-01T20:00:00+08:00
      u,f,2024-05-01 12:00:00.250
      u,g,-1
      u,h,1969-12-31T23:59:59Z
      u,i,2000-02-29
      u,j,-9223372036854775808
      u,k,1.7e9
      """
    let (log, _) = try parse(text)
    #expect(log.timestamps == [1_714_564_800, 1_714_564_800, 1_714_521_600, 1_714_564_800, 1_714_564_800, 1_714_564_800,
                               -1, -1, 951_782_400, .min, 1_700_000_000])
    for bad in ["2023-02-29", "2024-05-01T25:00:00Z", "2024-05-01T12:00:00Q", "9223372036854775808", "1..2", "-", "2024-5-1"] {
      let error = parseFailure(Array("u,n,1,\(bad)\n".utf8))
      #expect(error?.location?.field == "timestamp", "\(bad)")
    }
  }

  @Test("write then load gives an equal log, including awkward ids and timestamps")
  func roundTrip() throws {
    var log = Interactions()
    let ids = ["plain", "种草 笔记", "with\ttab", "quote\"inside", "\"leading quote", "  padded  ", "line\nbreak", "crlf\r\n",
               "comma,here", "user", "é"]
    for (offset, id) in ids.enumerated() {
      try log.append(user: id, note: ids[(offset * 3) % ids.count], weight: [1, 2.5, 0.1, 1e-7, 3e38, 0][offset % 6],
                     timestamp: Int64(offset) * 1_000_000_007 - 5)
    }
    let path = temporaryPath("log.tsv")
    defer { removeTemporary(path) }
    try log.write(to: path)
    let (loaded, report) = try Interactions.load(contentsOf: path)
    #expect(report.hadHeader)
    #expect(report.columns == ["user", "note", "weight", "timestamp"])
    #expect(loaded == log)

    var untimed = Interactions()
    try untimed.append(user: "u", note: "n", weight: 4)
    try untimed.write(to: path)
    let (reloaded, _) = try Interactions.load(contentsOf: path)
    #expect(reloaded == untimed)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == "user\tnote\tweight\nu\tn\t4\n")
  }

  @Test("Random logs round-trip through write and load", arguments: 1...12)
  func randomRoundTrip(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    let pieces = ["a", "Z", "0", "_", " ", "\t", "\"", ",", "é", "种", "草", "\n", "\r\n", "user", "-", "."]
    var pool: [String] = []
    for _ in 0..<Int.random(in: 1...40, using: &random) {
      let id = (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "a" }.joined()
      if !pool.contains(id) { pool.append(id) }
    }
    let timed = Bool.random(using: &random)
    var log = Interactions()
    for _ in 0..<Int.random(in: 1...300, using: &random) {
      let weight: Float = switch Int.random(in: 0..<4, using: &random) {
      case 0: Float(Int.random(in: 0...100, using: &random))
      case 1: Float.random(in: 0..<1, using: &random)
      case 2: Float.random(in: 0..<1e30, using: &random)
      default: Float(bitPattern: UInt32.random(in: 0..<0x7F80_0000, using: &random))
      }
      try log.append(user: pool.randomElement(using: &random) ?? "u", note: pool.randomElement(using: &random) ?? "n",
                     weight: weight, timestamp: timed ? Int64.random(in: .min ... .max, using: &random) : nil)
    }
    let path = temporaryPath("random-\(seed).txt")
    defer { removeTemporary(path) }
    try log.write(to: path)
    let (loaded, report) = try Interactions.load(contentsOf: path)
    #expect(report.events == log.count)
    #expect(loaded == log)
  }

  @Test("Randomly formatted CSV parses to the same log as appending the events", arguments: 1...12)
  func randomCSVFormatting(seed: UInt64) throws {
    var random = SplitMix64(seed: seed &* 7919)
    let pieces = ["a", "B", "9", " ", ",", "\"", "种", "\n", "x y"]
    var expected = Interactions()
    var text = Bool.random(using: &random) ? "\u{FEFF}" : ""
    let withHeader = Bool.random(using: &random)
    if withHeader { text += "  \"userId\" ,movieId,Rating,extra\r\n" }
    func field(_ value: String, random: inout SplitMix64) -> String {
      let padding = String(repeating: " ", count: Int.random(in: 0...2, using: &random))
      let safe = !value.contains(where: { ",\"\n\r ".contains($0) })
      if safe && Bool.random(using: &random) { return padding + value + padding }
      return padding + "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + padding
    }
    for _ in 0..<Int.random(in: 1...100, using: &random) {
      let user = (0..<Int.random(in: 1...4, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "a" }.joined()
      let note = "n\(Int.random(in: 0..<20, using: &random))"
      let weight = Float(Int.random(in: 0...40, using: &random)) / 8
      try expected.append(user: user, note: note, weight: weight)
      if Bool.random(using: &random) { text += Bool.random(using: &random) ? "\n" : " \r\n" }
      text += [field(user, random: &random), field(note, random: &random), field("\(weight)", random: &random)]
        .joined(separator: ",")
      if withHeader { text += "," + field("ignored", random: &random) }
      text += Bool.random(using: &random) ? "\r\n" : "\n"
    }
    if Bool.random(using: &random) { text.removeLast() }
    var options = InteractionLoadOptions()
    options.delimiter = .comma
    let (log, report) = try parse(text, options: options)
    #expect(report.hadHeader == withHeader)
    #expect(log == expected)
  }

  @Test("Arbitrary bytes never crash: either interactions or an invalid-input error")
  func arbitraryBytes() {
    var random = SplitMix64(seed: 42)
    let alphabet: [UInt8] = Array("a1,\t\n\r\" .-e\u{7F}".utf8) + [0xFF, 0xE7, 0xBF, 0xEF, 0xBB]
    for iteration in 0..<3000 {
      let bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? 0 }
      var options = InteractionLoadOptions()
      options.skipInvalid = iteration % 2 == 0
      do {
        let (log, report) = try Interactions.parse(bytes, name: "fuzz", options: options)
        #expect(log.count > 0 && log.count == report.events)
        #expect(report.events + report.skipped == report.lines)
      } catch {
        #expect(error.code == .invalidInput)
      }
    }
  }

  @Test("Thousands of short and long ids keep their indices as the id tables grow")
  func manyIDs() throws {
    var random = SplitMix64(seed: 99)
    let users = (0..<3000).map { "u\($0)" }
    let notes = (0..<3000).map { _ in String(format: "%016llx%08x", random.next(), UInt32.random(in: 0...UInt32.max, using: &random)) }
    var expected = Interactions()
    var text = "user_id\titem_id\n"
    for round in 0..<3 {
      for index in 0..<3000 {
        let user = users[(index * 7 + round) % 3000]
        let note = notes[(index * 13 + round * 5) % 3000]
        try expected.append(user: user, note: note)
        text += "\(user)\t\(note)\n"
      }
    }
    let (log, _) = try parse(text)
    #expect(log.users.count == 3000 && log.notes.count == 3000)
    #expect(log == expected)
  }

  @Test("Canonically equivalent ids with different bytes are one id")
  func canonicalEquivalence() throws {
    let (log, _) = try parse("caf\u{E9}\tn\ncafe\u{301}\tn\n")
    #expect(log.users.count == 1)
    #expect(log.userIndices == [0, 0])
  }

  @Test("Delimiter: .csv means comma, explicit choices override detection")
  func delimiterChoice() throws {
    let (csv, _) = try parse("a\tb,c\n", name: "data.CSV")
    #expect(csv.users.ids == ["a\tb"])
    let (auto, _) = try parse("a\tb,c\n")
    #expect(auto.users.ids == ["a"] && auto.notes.ids == ["b,c"])
    var options = InteractionLoadOptions()
    options.delimiter = .comma
    let (comma, _) = try parse("a\tb,c\n", options: options)
    #expect(comma.notes.ids == ["c"])
    options.delimiter = .tab
    let (tab, _) = try parse("a\tb,c\n", name: "x.csv", options: options)
    #expect(tab.notes.ids == ["b,c"])
  }

  @Test("A missing file or a directory is an I/O error naming the path")
  func missingFile() {
    let path = temporaryPath("does-not-exist.tsv")
    defer { removeTemporary(path) }
    let missing = #expect(throws: ZhongcaoError.self) { try Interactions.load(contentsOf: path) }
    #expect(missing?.code == .io)
    #expect(missing?.message.contains(path) == true && missing?.message.contains("no such file") == true)

    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let isDirectory = #expect(throws: ZhongcaoError.self) { try Interactions.load(contentsOf: directory) }
    #expect(isDirectory?.code == .io)

    let unwritable = #expect(throws: ZhongcaoError.self) { try Interactions().write(to: directory + "/missing/out.tsv") }
    #expect(unwritable?.code == .io)
  }

  @Test("MovieLens latest-small ratings.csv loads completely",
        .enabled(if: FileManager.default.fileExists(atPath: movieLensRatings),
                 "MovieLens data not found at ../shared/data/movielens-latest-small/ratings.csv"))
  func movieLensSmall() throws {
    let (log, report) = try Interactions.load(contentsOf: movieLensRatings)
    #expect(report.hadHeader)
    #expect(report.columns == ["user", "note", "weight", "timestamp"])
    #expect(log.count == 100_836)
    #expect(log.users.count == 610)
    #expect(log.notes.count == 9_724)
    #expect(report.skipped == 0)
    #expect(log.timestamps?.count == 100_836)
    #expect(log.weights.allSatisfy { $0 >= 0.5 && $0 <= 5 })
  }

  @Test("Reading a file in blocks gives what parsing it whole gives, for any block size: logs, reports and errors")
  func streamingEqualsWholeFile() throws {
    let directory = NSTemporaryDirectory() + "/zhongcao-stream-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var random = SplitMix64(seed: 2026)
    let alphabet: [UInt8] = Array("a1,\t\n\r\" .-e".utf8) + [0xFF, 0xE7, 0xBF, 0xEF, 0xBB]
    var inputs: [(bytes: [UInt8], name: String)] = []
    for iteration in 0..<400 {
      let length = Int.random(in: 0...(iteration < 300 ? 60 : 600), using: &random)
      inputs.append(((0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0 }, iteration % 3 == 0 ? "in.csv" : "in"))
    }
    // Well-formed files with quoted fields spanning lines, CRLF, a BOM and a header.
    for iteration in 0..<40 {
      var text = iteration % 2 == 0 ? "\u{FEFF}user,note,weight,timestamp\r\n" : ""
      for row in 0..<Int.random(in: 1...200, using: &random) {
        let user = row % 7 == 0 ? "\"u \"\"\(row % 13)\"\"\n,x\"" : "u\(row % 13)"
        text += "\(user),n\(Int.random(in: 0..<50, using: &random)),\(Int.random(in: 1...5, using: &random)),\(1_700_000_000 + row)"
        text += row % 5 == 0 ? "\r\n" : "\n"
      }
      inputs.append((Array(text.utf8), "rows.csv"))
    }
    var compared = 0
    for (index, input) in inputs.enumerated() {
      let path = directory + "/\(index)-" + input.name
      try Data(input.bytes).write(to: URL(fileURLWithPath: path))
      var options = InteractionLoadOptions()
      options.skipInvalid = index % 2 == 1
      let whole = Result { () throws(ZhongcaoError) in try Interactions.parse(input.bytes, name: path, options: options) }
      for blockSize in [1, 2, 7, 64, 1 << 20] {
        let streamed = Result { () throws(ZhongcaoError) in try Interactions.load(contentsOf: path, options: options, blockSize: blockSize) }
        switch (whole, streamed) {
        case (.success(let a), .success(let b)):
          #expect(a.0 == b.0 && a.1 == b.1, "input \(index), block size \(blockSize)")
        case (.failure(let a), .failure(let b)):
          #expect(a == b, "input \(index), block size \(blockSize): \(a) vs \(b)")
        default:
          Issue.record("input \(index), block size \(blockSize): \(whole) vs \(streamed)")
        }
        compared += 1
      }
    }
    #expect(compared == 440 * 5)
  }

  @Test("A double quote that is never closed in a large file is an error, not a whole file read into one field")
  func unclosedQuoteIsBounded() throws {
    let path = NSTemporaryDirectory() + "/zhongcao-unclosed-\(UUID().uuidString).csv"
    defer { try? FileManager.default.removeItem(atPath: path) }
    var text = "u1,n1,1\nu2,\"n2,1\n"
    let line = String(repeating: "u,n,1\n", count: 1 << 16)
    for _ in 0..<(Interactions.maximumRecordLength / line.utf8.count + 60) { text += line }
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let error = #expect(throws: ZhongcaoError.self) { try Interactions.load(contentsOf: path) }
    #expect(error?.message.contains("never closed") == true, "\(String(describing: error))")
    #expect((error?.location?.line ?? 0) == 2)
  }
}
