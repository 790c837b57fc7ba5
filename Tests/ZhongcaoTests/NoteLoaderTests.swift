import Foundation
import Testing
@testable import Zhongcao

@Suite struct NoteLoaderTests {
  private func parse(_ text: String, skipInvalid: Bool = false) throws(ZhongcaoError) -> ([Note], NoteLoadReport) {
    var options = NoteLoadOptions()
    options.skipInvalid = skipInvalid
    let result = try NoteLoader.parse(Data(text.utf8), name: "notes.jsonl", options: options)
    return (result.notes, result.report)
  }

  private func error(_ text: String) -> ZhongcaoError? {
    do {
      _ = try parse(text)
      return nil
    } catch {
      return error
    }
  }

  @Test func readsTheDesignFormat() throws {
    let line = ##"{"id": "n1", "author": "a1", "title": "兰蔻粉水", "body": "用了一个月", "tags": ["#护肤", "好物分享"], "brand_label": "品牌合作", "created_at": 1700000000, "likes": 12, "collects": 3, "comments": 1, "shares": 0}"##
    let (notes, report) = try parse(line)
    #expect(notes == [Note(id: "n1", author: "a1", title: "兰蔻粉水", body: "用了一个月", tags: ["护肤", "好物分享"],
                           brandLabel: "品牌合作", createdAt: 1_700_000_000, likes: 12, collects: 3, comments: 1, shares: 0)])
    #expect(report.lines == 1 && report.notes == 1 && report.skipped == 0 && report.mediaCrawlerNotes == 0)
  }

  /// MediaCrawler's `xhs_note` rows: string counts in display form, `tag_list` as a comma string,
  /// `time` in milliseconds, integer-looking ids, and many fields we ignore.
  @Test func readsMediaCrawlerExports() throws {
    let line = #"{"note_id": "64f1a2b3c4", "type": "normal", "title": "平价好物", "desc": "姐妹们冲", "video_url": "", "time": 1700000000123, "last_update_time": 1700000001000, "user_id": 5e9, "nickname": "小红", "avatar": "x", "liked_count": "1.2万", "collected_count": "10+", "comment_count": "1,234", "share_count": "7", "ip_location": "上海", "image_list": "a,b", "tag_list": "护肤,#平价, 学生党", "note_url": "https://www.xiaohongshu.com/explore/64f1a2b3c4"}"#
    let (notes, report) = try parse(line)
    let note = try #require(notes.first)
    #expect(note.id == "64f1a2b3c4" && note.author == "5000000000")
    #expect(note.body == "姐妹们冲" && note.tags == ["护肤", "平价", "学生党"])
    #expect(note.likes == 12_000 && note.collects == 10 && note.comments == 1234 && note.shares == 7)
    #expect(abs(note.createdAt! - 1_700_000_000.123) < 1e-6)
    #expect(report.mediaCrawlerNotes == 1)
  }

  @Test func acceptsBOMCRLFBlankLinesAndISODates() throws {
    let text = "\u{FEFF}" + #"{"id": 1, "author": "a", "created_at": "2024-03-01T08:00:00Z"}"# + "\r\n\r\n  \n"
      + #"{"id": "2", "author": "b", "created_at": "2024-03-01"}"# + "\r\n"
    let (notes, report) = try parse(text)
    #expect(notes.map(\.id) == ["1", "2"])
    #expect(notes[0].createdAt == 1_709_280_000 && notes[1].createdAt == 1_709_251_200)
    #expect(report.lines == 2)
  }

  @Test(arguments: [
    (#"{"author": "a"}"#, 1, "id", "missing"),
    (#"{"id": "n", "author": "a", "likes": -3}"#, 1, "likes", "non-negative"),
    (#"{"id": "n", "author": "a", "liked_count": "lots"}"#, 1, "liked_count", "count"),
    (#"{"id": "n", "author": "a", "tags": [1, 2]}"#, 1, "tags", "strings"),
    (#"{"id": "n", "author": true}"#, 1, "author", "string or an integer"),
    (#"{"id": "n", "author": "a", "created_at": "yesterday"}"#, 1, "created_at", "ISO 8601"),
    (#"{"id": "n", "author": "a", "body": 5}"#, 1, "body", "string"),
    ("{\"id\": \"n\", \"author\": \"a\"}\n{\"id\": \"n\", \"author\": \"b\"}", 2, "id", "duplicate note id 'n' (first at line 1)"),
    ("{\"id\": \"n\", \"author\": \"a\"}\n{\"id\": \"m\", \"author\": ", 2, nil, "invalid JSON"),
    ("[1, 2]", 1, nil, "not a JSON object"),
  ] as [(String, Int, String?, String)])
  func badLinesNameFileLineAndField(text: String, line: Int, field: String?, message: String) {
    let error = error(text)
    #expect(error?.code == .invalidInput)
    #expect(error?.location == ZhongcaoError.Location(file: "notes.jsonl", line: line, field: field))
    #expect(error?.message.contains(message) == true, "\(String(describing: error))")
  }

  @Test func invalidUTF8AndEmptyFilesAreErrors() {
    var bytes = Data(#"{"id": "n", "author": "a", "body": ""#.utf8)
    bytes.append(contentsOf: [0xFF, 0xFE])
    bytes.append(contentsOf: Data(#""}"#.utf8))
    #expect(throws: ZhongcaoError.self) { try NoteLoader.parse(bytes, name: "x") }
    do {
      _ = try NoteLoader.parse(bytes, name: "x")
    } catch {
      #expect(error.message.contains("UTF-8") && error.location?.line == 1)
    }
    #expect(self.error("\n  \n")?.message.contains("empty") == true)
  }

  @Test func skipInvalidCountsAndKeepsTheFirstProblems() throws {
    let text = [#"{"id": "1", "author": "a"}"#, "not json", #"{"id": "2"}"#, #"{"id": "3", "author": "c"}"#]
      .joined(separator: "\n")
    let (notes, report) = try parse(text, skipInvalid: true)
    #expect(notes.map(\.id) == ["1", "3"])
    #expect(report.lines == 4 && report.skipped == 2 && report.notes == 2)
    #expect(report.firstProblems.map { $0.location?.line } == [2, 3])
  }

  @Test func parsesDisplayCounts() {
    #expect(NoteLoader.parseCount("1.2万") == 12_000)
    #expect(NoteLoader.parseCount("3亿") == 300_000_000)
    #expect(NoteLoader.parseCount("1,234") == 1234)
    #expect(NoteLoader.parseCount("10+") == 10)
    #expect(NoteLoader.parseCount(" 7 ") == 7)
    #expect(NoteLoader.parseCount("1.5w") == 15_000)
    #expect(NoteLoader.parseCount("-1") == nil)
    #expect(NoteLoader.parseCount("万") == nil)
    #expect(NoteLoader.parseCount("1e400") == nil)
  }

  @Test func spansPointIntoTheOriginalFieldText() throws {
    let note = Note(id: "n", author: "a", body: "😀 广告 ad", tags: ["好物", "ad"])
    #expect(TextSpan(field: .body, start: 2, end: 4).text(in: note) == "广告")
    #expect(TextSpan(field: .tags, start: 5, end: 7).text(in: note) == "ad")
    #expect(TextSpan(field: .body, start: 5, end: 9).text(in: note) == nil)
  }
}
