import Foundation
import Testing
@testable import Zhongcao

/// `NoteCorpus.appendJSONString`, which the corpus writer and `recotrain trust scan --out` use,
/// against Foundation's JSON parser as the reference.
struct JSONStringEscapingTests {
  @Test func escapedStringsParseBackToTheOriginal() throws {
    var random = TestRandom(seed: 5)
    let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "a", "种草", "😀", "é", "\u{301}", "/", "\u{2028}", " "]
    var samples = ["", "plain", "种草笔记 #好物分享", "quote \" and backslash \\ at the end\\"]
    for _ in 0..<300 {
      samples.append((0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
    }
    for text in samples {
      var line = "prefix,"
      NoteCorpus.appendJSONString(text, to: &line)
      // Bytes, not Characters: a leading combining mark joins the quote into one grapheme.
      #expect(line.utf8.starts(with: "prefix,\"".utf8))
      let literal = Array(line.utf8.dropFirst("prefix,".utf8.count))
      let parsed = try JSONSerialization.jsonObject(with: Data(literal), options: [.fragmentsAllowed]) as? String
      #expect(parsed == text, "\(String(decoding: literal, as: UTF8.self).debugDescription)")
    }
  }
}
