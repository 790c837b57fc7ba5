import Foundation
import Testing
@testable import Zhongcao

/// Impressions files are read in blocks: any block size gives what one parse of the whole gives.
@Suite struct ImpressionStreamingTests {
  /// A file with a byte-order mark, a header, CRLF line ends, blank lines, quoted ids with tabs
  /// and line breaks in them, bad lines and a last line without a line break.
  static func text(seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    var text = "user\tsession\tposition\tnote\tsponsored\tengaged\tdwell\r\n"
    for line in 0..<400 {
      let user = generator.next() % 5 == 0 ? "\"u \(line % 17)\tquoted\nid\"" : "u\(line % 23)"
      let session = "s\(line / 7)"
      switch generator.next() % 12 {
      case 0: text += "\n"
      case 1: text += "\(user)\t\(session)\tx\tn1\t0\t1\t\n"
      default: text += "\(user)\t\(session)\t\(line % 9)\tn\(generator.next() % 40)\t\(generator.next() % 2)\t\(generator.next() % 3)\t\(line % 5 == 0 ? "" : "2.5")\r\n"
      }
    }
    text += "last\tsession\t1\tn0\t1\t0\t"
    return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
  }

  @Test(arguments: [1, 5, 64, 1000, 1 << 20])
  func blocksGiveWhatTheWholeGives(blockSize: Int) throws {
    let bytes = Self.text(seed: UInt64(blockSize))
    let path = NSTemporaryDirectory() + "/zhongcao-impressions-\(UUID().uuidString).tsv"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let (whole, wholeReport) = try ImpressionLog.parse(bytes, name: path, skipInvalid: true)
    let (streamed, streamedReport) = try ImpressionLog.load(contentsOf: path, skipInvalid: true, blockSize: blockSize)
    #expect(streamed == whole && streamedReport == wholeReport)
    #expect(whole.count > 300 && wholeReport.skipped > 0 && wholeReport.hadHeader)
    #expect(whole.users.ids.contains("u 0\tquoted\nid"))
    // Without skipping, the first bad line is the same error either way.
    let first = #expect(throws: ZhongcaoError.self) { try ImpressionLog.load(contentsOf: path, skipInvalid: false, blockSize: blockSize) }
    #expect(first == wholeReport.firstProblems.first)
  }

  @Test func emptyAndMissingFilesAreClearErrors() throws {
    let path = NSTemporaryDirectory() + "/zhongcao-impressions-\(UUID().uuidString).tsv"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data().write(to: URL(fileURLWithPath: path))
    let empty = #expect(throws: ZhongcaoError.self) { try ImpressionLog.load(contentsOf: path) }
    #expect(empty?.message.contains("contains no impressions") == true && empty?.location?.file == path)
    let missing = #expect(throws: ZhongcaoError.self) { try ImpressionLog.load(contentsOf: path + ".absent") }
    #expect(missing?.code == .io && missing?.message.contains("no such file") == true)
  }
}
