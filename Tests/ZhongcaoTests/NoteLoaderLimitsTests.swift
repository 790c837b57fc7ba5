import Foundation
import Testing
@testable import Zhongcao

/// The limits a hostile notes file meets, and the block-wise reading that keeps memory bounded.
@Suite struct NoteLoaderLimitsTests {
  private func firstError(_ text: String) -> ZhongcaoError? {
    do {
      _ = try NoteLoader.parse(Data(text.utf8), name: "notes.jsonl")
      return nil
    } catch {
      return error
    }
  }

  @Test func idsLongerThanTheLimitAreErrorsOnTheirField() throws {
    let long = String(repeating: "好", count: NoteLoader.maximumIDLength / 3 + 1)  // 4,098 bytes
    let error = firstError(#"{"id": "n1", "author": "a"}"# + "\n" + #"{"id": "\#(long)", "author": "a"}"#)
    #expect(error?.location?.line == 2 && error?.location?.field == "id" && error?.message.contains("4098 bytes") == true)
    let author = firstError(#"{"note_id": "n1", "user_id": "\#(String(repeating: "u", count: 5000))"}"#)
    #expect(author?.location?.field == "user_id")
    // At the limit exactly: accepted.
    let fits = String(repeating: "x", count: NoteLoader.maximumIDLength)
    let (notes, _) = try NoteLoader.parse(Data(#"{"id": "\#(fits)", "author": "\#(fits)"}"#.utf8), name: "n")
    #expect(notes.first?.id.utf8.count == NoteLoader.maximumIDLength)
  }

  @Test func objectsWithTooManyMembersOrTagsAreErrors() throws {
    let members = (0...NoteLoader.maximumMembers).map { #""k\#($0)": 0"# }.joined(separator: ", ")
    let wide = firstError(#"{"id": "n1", "author": "a", \#(members)}"#)
    #expect(wide?.message.contains("members") == true && wide?.location?.line == 1)
    let manyTags = (0...NoteLoader.maximumTags).map { #""t\#($0)""# }.joined(separator: ",")
    let tags = firstError(#"{"id": "n1", "author": "a", "tags": [\#(manyTags)]}"#)
    #expect(tags?.location?.field == "tags" && tags?.message.contains("more than \(NoteLoader.maximumTags) tags") == true)
    let commaTags = (0...NoteLoader.maximumTags).map { "t\($0)" }.joined(separator: ",")
    #expect(firstError(#"{"note_id": "n1", "user_id": "a", "tag_list": "\#(commaTags)"}"#)?.location?.field == "tag_list")
    // Unknown members may hold long arrays: they are passed over, not kept.
    let unknown = (0..<5000).map(String.init).joined(separator: ",")
    let (notes, _) = try NoteLoader.parse(Data(#"{"id": "n1", "author": "a", "image_list": [\#(unknown)]}"#.utf8), name: "n")
    #expect(notes.count == 1)
  }

  @Test func aLineOverTheLimitEndsTheLoadEvenWhenSkipping() throws {
    let body = String(repeating: "a", count: NoteLoader.maximumLineLength)
    let text = #"{"id": "n1", "author": "a"}"# + "\n" + #"{"id": "n2", "author": "a", "body": "\#(body)"}"# + "\n"
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let error = #expect(throws: ZhongcaoError.self) { try NoteLoader.parse(Data(text.utf8), name: "big.jsonl", options: options) }
    #expect(error?.location?.line == 2 && error?.message.contains("longer than the 16 MiB") == true)
    // The same from a file, where the reader stops at the limit instead of reading on.
    let path = NSTemporaryDirectory() + "/zhongcao-long-note-\(UUID().uuidString).jsonl"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data((#"{"id": "n1", "author": "a"}"# + "\n" + String(repeating: "x", count: NoteLoader.maximumLineLength + 10)).utf8)
      .write(to: URL(fileURLWithPath: path))
    let fromFile = #expect(throws: ZhongcaoError.self) { try NoteLoader.load(contentsOf: path, options: options) }
    #expect(fromFile?.location?.line == 2 && fromFile?.location?.file == path && fromFile?.message.contains("16 MiB") == true)
  }

  /// Parsing a run of lines at a time gives what one parse of the whole gives: line numbers,
  /// skipped lines, duplicates across runs, MediaCrawler counts and a byte-order mark at the start.
  @Test(arguments: [1, 7, 64, 300, 1 << 20])
  func runsOfLinesGiveWhatTheWholeGives(size: Int) throws {
    var generator = SplitMix64(seed: UInt64(size))
    var lines: [String] = []
    for index in 0..<3000 {
      switch generator.next() % 10 {
      case 0: lines.append("")
      case 1: lines.append(#"{"id": "n\#(generator.next() % 100)", "author": "dup"}"#)
      case 2: lines.append("not json")
      case 3: lines.append(#"{"note_id": "m\#(index)", "user_id": "u", "desc": "好物\#(index)"}"#)
      default: lines.append(#"{"id": "k\#(index)", "author": "a\#(index % 7)", "body": "\#(String(repeating: "字", count: index % 50))"}"#)
      }
    }
    let bytes = [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8)
    var options = NoteLoadOptions()
    options.skipInvalid = true
    let whole = try NoteLoader.parse(bytes: bytes, name: "n.jsonl", options: options, windowSize: Int.max / 2)
    let windowed = try NoteLoader.parse(bytes: bytes, name: "n.jsonl", options: options, windowSize: size)
    #expect(windowed.notes == whole.notes && windowed.report == whole.report)
    #expect(whole.report.skipped > 0 && whole.report.mediaCrawlerNotes > 0 && whole.notes.count > 1000)
    let path = NSTemporaryDirectory() + "/zhongcao-notes-blocks-\(UUID().uuidString).jsonl"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let streamed = try NoteLoader.load(contentsOf: path, options: options, blockSize: size)
    #expect(streamed.notes == whole.notes && streamed.report.lines == whole.report.lines
            && streamed.report.skipped == whole.report.skipped)
    #expect(streamed.report.firstProblems.map(\.location?.line) == whole.report.firstProblems.map(\.location?.line))
  }
}
