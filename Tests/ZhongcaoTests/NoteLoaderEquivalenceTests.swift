import Foundation
import Testing
@testable import Zhongcao

/// NoteLoader on JSONLineReader against NoteLoader as it was on JSONSerialization
/// (``ReferenceNoteLoader``): same notes to the last scalar and bit, same errors in the same places.
@Suite struct NoteLoaderEquivalenceTests {
  /// What reading one line gave: the note and the MediaCrawler flag, or where and what the error was.
  private enum Outcome: Equatable, CustomStringConvertible {
    case note(Note, mediaCrawler: Bool)
    case error(ZhongcaoError.Location?, kind: String, message: String)

    init(_ read: () throws(ZhongcaoError) -> (Note, Bool)) {
      do {
        let (note, mediaCrawler) = try read()
        self = .note(note, mediaCrawler: mediaCrawler)
      } catch {
        // The wording after the first clause may differ (`got 1.5`, `invalid JSON: <where>`).
        let kind = error.message.prefix { ![":", ",", "("].contains($0) }.trimmingCharacters(in: .whitespaces)
        self = .error(error.location, kind: kind, message: error.message)
      }
    }

    static func == (a: Outcome, b: Outcome) -> Bool {
      switch (a, b) {
      case let (.note(x, m), .note(y, n)): m == n && NoteLoaderEquivalenceTests.exactlyEqual(x, y)
      case let (.error(x, k, _), .error(y, l, _)): x == y && k == l
      default: false
      }
    }

    var description: String {
      switch self {
      case let .note(note, mediaCrawler): "\(note) mediaCrawler=\(mediaCrawler)"
      case let .error(location, _, message): "error at \(String(describing: location)): \(message)"
      }
    }
  }

  /// Equal to the scalar, and to the bit for the date (Note's `==` compares strings by canonical
  /// equivalence and -0 equal to 0).
  private static func exactlyEqual(_ a: Note, _ b: Note) -> Bool {
    func texts(_ note: Note) -> [[UInt8]] {
      ([note.id, note.author, note.title, note.body, note.brandLabel ?? "<nil>"] + note.tags).map { Array($0.utf8) }
    }
    return a == b && texts(a) == texts(b) && a.createdAt?.bitPattern == b.createdAt?.bitPattern
  }

  private func expectSameOutcome(_ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let new = Outcome { () throws(ZhongcaoError) in try NoteLoader.parseLine(line[...], file: "f.jsonl", line: 7) }
    let old = Outcome { () throws(ZhongcaoError) in try ReferenceNoteLoader.parseLine(line[...], file: "f.jsonl", line: 7) }
    if case .error(_, _, let message) = new, message.hasPrefix("invalid JSON: trailing comma") {
      // The one deliberate difference: JSONSerialization took trailing commas.
      if case .error(_, let kind, _) = old { #expect(kind != "invalid JSON", sourceLocation: sourceLocation) }
      return
    }
    #expect(new == old, "\(String(decoding: line, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
  }

  /// A generated corpus, made once for both formats (generating is slow in debug builds).
  private static let corpus: NoteCorpus = {
    var generator = NoteCorpusGenerator(notes: 2000, authors: 400, seed: 11)
    generator.engagementsPerNote = 0
    return generator.generate()
  }()

  @Test(arguments: NoteCorpus.NoteFormat.allCases)
  func generatedCorporaLoadAsWithJSONSerialization(format: NoteCorpus.NoteFormat) throws {
    let corpus = Self.corpus
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try corpus.writeNotes(to: path, format: format)
    let (notes, report) = try NoteLoader.load(contentsOf: path)
    var reference: [Note] = []
    var mediaCrawlerNotes = 0
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for (index, line) in bytes.split(separator: 0x0A).enumerated() {
      let (note, mediaCrawler) = try ReferenceNoteLoader.parseLine(line, file: path, line: index + 1)
      reference.append(note)
      if mediaCrawler { mediaCrawlerNotes += 1 }
    }
    #expect(notes.count == corpus.notes.count && notes.count == reference.count)
    #expect(zip(notes, reference).allSatisfy(Self.exactlyEqual))
    #expect(report.mediaCrawlerNotes == mediaCrawlerNotes)
  }

  /// Random lines with every known field in every type, MediaCrawler names, repeated and escaped
  /// keys, unknown members, display counts, tag lists with tricky whitespace and combining marks.
  @Test func randomNoteLinesReadAsWithJSONSerialization() {
    var generator = RandomNoteLine(json: RandomJSON(random: TestRandom(seed: 20_240_301)))
    for _ in 0..<3000 { expectSameOutcome(generator.line()) }
  }

  @Test func whitespaceIsFoundationsWhitespaces() {
    for value in UInt32(0)...0x10FFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      if NoteText.isWhitespace(scalar) != CharacterSet.whitespaces.contains(scalar) {
        Issue.record("U+\(String(value, radix: 16, uppercase: true))")
      }
    }
  }

  @Test func trimmingAndTagsAndCountsMatchTheFoundationWays() {
    var random = RandomJSON(random: TestRandom(seed: 1234))
    let fragments = ["a", "7", "护", ",", ",", " ", "\t", "#", "＃", "\u{301}", "\u{600}", "\u{200D}", "\u{3000}", "\u{200B}",
                     "\u{A0}", "\u{FE0F}", "\u{20E3}", "é", "😀", "\u{1F3FB}", "\u{915}", "\u{94D}", "\r", "\n", "\u{85}",
                     "1", "2", ".", "+", "万", "亿", "w", "W", "k", "K", "\u{212A}", "e", "-", "x"]
    for _ in 0..<5000 {
      let text = (0..<random.int(0..<8)).map { _ in random.pick(fragments) }.joined()
      #expect(Array(NoteText.trimmingWhitespace(text).utf8) == Array(text.trimmingCharacters(in: .whitespaces).utf8),
              "\(text.debugDescription)")
      #expect(NoteLoader.parseCount(text) == ReferenceNoteLoader.parseCount(text), "\(text.debugDescription)")
      var tags: [String] = []
      NoteText.appendTags(commaSeparated: ContiguousArray(text.utf8).span, to: &tags)
      let expected = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        .map { $0.hasPrefix("#") || $0.hasPrefix("＃") ? String($0.dropFirst()) : $0 }.filter { !$0.isEmpty }
      #expect(tags.map { Array($0.utf8) } == expected.map { Array($0.utf8) }, "\(text.debugDescription)")
    }
  }

  // MARK: Errors

  @Test func errorsNameFileLineAndField() {
    let text = [
      #"{"id": "1", "author": "a"}"#, "", #"{"note_id": "2", "user_id": "b", "liked_count": "many"}"#, "  ",
      #"{"id": "3", "author": "c", "tags": ["a", 1]}"#, #"{"id": "4", "author": "d",}"#, "{\"id\": \"5\", \"author\": \"\u{1}\"}",
      #"{"id": "6", "author": "e", "x": [[[[1]]]], "time": true}"#, #"{"id": "1", "author": "f"}"#,
      #"["not", "an", "object"]"#, #"{"id": "8", "author": "g", "created_at": "soon"}"#,
    ].joined(separator: "\r\n")
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let report: NoteLoadReport
    do {
      report = try NoteLoader.parse(Data(text.utf8), name: "notes.jsonl", options: options).report
    } catch {
      Issue.record("\(error)")
      return
    }
    let problems = report.firstProblems.map { ($0.location?.line, $0.location?.field, $0.message) }
    #expect(problems.map(\.0) == [3, 5, 6, 7, 8, 9, 10, 11])
    #expect(problems.map(\.1) == ["liked_count", "tags", nil, nil, "time", "id", nil, "created_at"])
    #expect(problems[0].2 == "must be a non-negative count such as 123, 1.2万 or 10+, got 'many'")
    #expect(problems[2].2 == "invalid JSON: trailing comma at byte 26")
    #expect(problems[3].2 == "invalid JSON: unescaped control character in a string at byte 24")
    #expect(problems[5].2 == "duplicate note id '1' (first at line 1)")
    #expect(problems[6].2 == "not a JSON object")
    #expect(report.firstProblems.allSatisfy { $0.location?.file == "notes.jsonl" && $0.code == .invalidInput })
    #expect(report.lines == 9 && report.notes == 1 && report.skipped == 8)
  }

  @Test func invalidUTF8ComesFirstAsBefore() {
    // A syntax error before the bad byte still reports the bad byte, as the whole-line check did.
    let line = Array(#"{"id": "1",, "author": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
    expectSameOutcome(line)
    #expect(throws: ZhongcaoError.self) { try NoteLoader.parseLine(line[...], file: "f", line: 1) }
    do {
      _ = try NoteLoader.parseLine(line[...], file: "f", line: 1)
    } catch {
      #expect(error.message == "not valid UTF-8 (byte 25)" && error.location == .init(file: "f", line: 1))
    }
  }

  @Test func loadsFilesAndNamesMissingOnes() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    // A file read straight into memory, and a chunk whose UTF-8 is bad in one line only.
    var bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"id": "1", "author": "a", "body": "好"}"#.utf8) + [0x0D, 0x0A]
    bytes += Array(#"{"id": "2", "author": "b", "body": ""#.utf8) + [0xE5, 0xA5] + Array("\"}\n".utf8)
    bytes += Array(#"{"note_id": "3", "user_id": "c", "desc": "好"}"#.utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let (notes, report) = try NoteLoader.load(contentsOf: path, options: options)
    #expect(notes.map(\.id) == ["1", "3"] && notes.map(\.body) == ["好", "好"])
    #expect(report.firstProblems.map(\.message) == ["not valid UTF-8 (byte 37)"] && report.mediaCrawlerNotes == 1)
    #expect(throws: ZhongcaoError.self) { try NoteLoader.load(contentsOf: path + ".missing") }
    do {
      _ = try NoteLoader.load(contentsOf: path + ".missing")
    } catch {
      #expect(error.code == .io && error.message.hasPrefix("cannot read notes") && error.location?.file == path + ".missing")
    }
  }

  @Test func resultsStayInFileOrderAcrossParallelChunks() throws {
    // More lines than one chunk (2048): a bad line and a duplicate in later chunks.
    var lines = (0..<5000).map { #"{"id": "n\#($0)", "author": "a"}"# }
    lines[3000] = #"{"id": "n3000"}"#
    lines[4500] = #"{"id": "n10", "author": "b"}"#
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let (notes, report) = try NoteLoader.parse(Data(lines.joined(separator: "\n").utf8), name: "big.jsonl", options: options)
    #expect(notes.count == 4998 && notes.first?.id == "n0" && notes.last?.id == "n4999")
    #expect(report.firstProblems.map { $0.location?.line } == [3001, 4501])
    #expect(report.firstProblems.map { $0.location?.field } == ["author", "id"])
  }

  @Test func canonicallyEquivalentIDsAreDuplicatesWithinAndAcrossChunks() throws {
    // Chunks are 512 lines: line 7 repeats line 6 in the same chunk, line 2901 in a later one.
    var lines = (0..<3000).map { #"{"id": "n\#($0)", "author": "a"}"# }
    lines[5] = #"{"id": "caf\u00e9", "author": "a"}"#
    lines[6] = #"{"id": "cafe\u0301", "author": "b"}"#
    lines[2900] = #"{"id": "cafe\u0301", "author": "c"}"#
    lines[2901] = #"{"id": "n7", "author": "c"}"#
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let (notes, report) = try NoteLoader.parse(Data(lines.joined(separator: "\n").utf8), name: "ids.jsonl", options: options)
    #expect(notes.count == 2997 && report.skipped == 3)
    #expect(notes[5].id.unicodeScalars.count == 4 && notes[6].id == "n7", "the first spelling is kept")
    #expect(report.firstProblems.map(\.message) == [
      "duplicate note id 'cafe\u{301}' (first at line 6)", "duplicate note id 'cafe\u{301}' (first at line 6)",
      "duplicate note id 'n7' (first at line 8)",
    ])
    #expect(report.firstProblems.map { $0.location?.line } == [7, 2901, 2902])
    #expect(Set(notes.map(\.id)).count == 2997)
  }
}

/// Random note lines for ``NoteLoaderEquivalenceTests``.
struct RandomNoteLine {
  var json: RandomJSON

  static let texts = [
    "", "n1", "a", "12", "  ", " x ", "护肤", "#护肤", "＃好物", " #a ", "#", "＃", "#\u{301}x", "\u{3000}x\u{200B}",
    "\u{A0}y\u{1680}", "\u{85}z", "a,b", "护肤,#平价, 学生党", ",,", ",a,", "a,\u{301}b", "\u{600},b", "#️⃣,x", "好物,\u{200D}分享",
    "a\u{301},b", "1.2万", "3亿", "1,234", "10+", " 7 ", "1.5w", "2k", "2K", "5\u{212A}", "1万+", "1+万", "1++", "1万万", "-1",
    "1e400", "1e5", "1.2.3", ".5", "1.", ".", "0x10", " 1700000000 ", "1700000000123", "\u{3000}1700000000",
    "2024-03-01T08:00:00Z", "2024-03-01", "2024-03-01T08:00:00.123Z", "inf", "nan", "-inf", "+5", "1_0", "١٢", "007",
    "12345678901234567", "9999999999999999", "0.5", "1.5万", "1.23456789万", "8999999999", "9e15", ",", "1, 234",
    "1,2,3,4", "万", "k", "+", "10万+", "1,0万", "12\u{301}", "1\u{600}K", "5\u{212A}\u{301}", "\t8\t", "\u{200B}9",
    "line\nbreak", "tab\there", "quote\"s", "back\\slash", "😀,😀", "中\u{0}文",
  ]
  static let numbers = [
    "0", "-0", "12", "-3", "1.0", "1.5", "5e9", "1e15", "9e15", "8999999999999999", "9000000000000000", "-8999999999999999",
    "12345678901234567890", "-0.0", "1e-5", "1700000000", "1700000000123", "1E2", "2.5e-3", "123456789012345678",
    "1234567890123456789", "0.1", "-1e2",
  ]
  static let others = [
    "true", "false", "null", "null", "[]", ##"["a", "#b", " c "]"##, #"["a", 1]"#, "[null]", #"["x", ["y"]]"#, #"[{"a": 1}]"#,
    #"["护肤", "好物分享", "a,b"]"#, "{}", #"{"a": "b"}"#, #"{"id": "nested", "tags": [1]}"#,
  ]
  static let unknownKeys = ["type", "nickname", "image_list", "ID", "id ", "Title", "tags2", "last_update_time", "ip_location"]

  /// `text` as a JSON string, some characters written as `\u` escapes.
  mutating func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      if scalar == "\"" || scalar == "\\" || scalar.value < 0x20 || json.chance(0.1) {
        for unit in String(scalar).utf16 { result += "\\u" + json.hex(UInt32(unit)) }
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  mutating func value() -> String {
    switch json.int(0..<10) {
    case 0..<5: quoted(json.pick(Self.texts))
    case 5..<8: json.pick(Self.numbers)
    default: json.pick(Self.others)
    }
  }

  mutating func line() -> [UInt8] {
    var members: [String] = []
    for name in NoteFields.Name.allCases where json.chance([.id, .author].contains(name) ? 0.8 : 0.3) {
      members.append(quoted(name.key) + ":" + json.whitespace() + value())
    }
    for _ in 0..<json.int(0..<3) { members.append(quoted(json.pick(Self.unknownKeys)) + ":" + json.value()) }
    if !members.isEmpty && json.chance(0.2) { members.append(json.pick(members)) }  // a repeated member
    members.shuffle(using: &json.random)
    var text = "{" + members.map { json.whitespace() + $0 + json.whitespace() }.joined(separator: ",") + "}"
    if json.chance(0.03) { text = "[" + text + "]" }
    var bytes = Array(text.utf8)
    if json.chance(0.05) { bytes = json.corrupted(bytes) }
    return bytes
  }
}
