import Foundation

/// How ``NoteLoader`` treats bad lines.
public struct NoteLoadOptions: Sendable {
  /// Skip malformed lines (counting them in the report) instead of failing on the first.
  public var skipInvalid = false

  /// The defaults: fail on the first malformed line.
  public init() {}
}

/// What a load read and skipped.
public struct NoteLoadReport: Sendable, Equatable {
  /// Non-blank lines read, including skipped ones.
  public var lines: Int
  /// Notes loaded.
  public var notes: Int
  /// Lines skipped because of errors (only with ``NoteLoadOptions/skipInvalid``).
  public var skipped: Int
  /// The errors of the first skipped lines, at most ``InteractionLoadReport/maximumProblems``.
  public var firstProblems: [ZhongcaoError]
  /// Notes whose fields used MediaCrawler's `xhs_note` names (`note_id`, `desc`, …).
  public var mediaCrawlerNotes: Int
}

/// Reads notes from JSON Lines: one JSON object per line.
///
/// Field names, the first present one wins:
///
/// | Note field   | Zhongcao (DESIGN.md) | MediaCrawler `xhs_note` | Type |
/// |--------------|----------------------|-------------------------|------|
/// | `id`         | `id`                 | `note_id`               | string or integer, required, unique |
/// | `author`     | `author`             | `user_id`               | string or integer, required |
/// | `title`      | `title`              | `title`                 | string (default empty) |
/// | `body`       | `body`               | `desc`                  | string (default empty) |
/// | `tags`       | `tags`               | `tag_list`              | array of strings, or one comma-separated string; a leading `#` is dropped |
/// | `brandLabel` | `brand_label`        | —                       | string or null |
/// | `createdAt`  | `created_at` (seconds, or an ISO 8601 string) | `time` (milliseconds) | number or numeric string |
/// | `likes`      | `likes`              | `liked_count`           | count |
/// | `collects`   | `collects`           | `collected_count`       | count |
/// | `comments`   | `comments`           | `comment_count`         | count |
/// | `shares`     | `shares`             | `share_count`           | count |
///
/// Counts are non-negative integers, as numbers or strings; strings may use the app's display
/// forms `1.2万` (×10⁴), `3亿` (×10⁸), `1,234` and `10+`. Other fields (MediaCrawler writes
/// dozens) are ignored. A UTF-8 byte-order mark and CRLF line ends are accepted; blank lines are
/// skipped. Every error names the file, the line and the field.
///
/// Each line must be one JSON object (RFC 8259, read by ``JSONLineReader``); for a repeated key
/// the last value counts, as with Foundation's `JSONSerialization`, which this loader used before.
public enum NoteLoader {
  /// Loads notes from a JSON Lines file.
  public static func load(contentsOf path: String, options: NoteLoadOptions = .init())
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ZhongcaoError(.io, "cannot read notes: \(error.localizedDescription)", location: .init(file: path))
    }
    return try parse(data, name: path, options: options)
  }

  /// Parses JSON Lines bytes; `name` is used in error messages.
  public static func parse(_ data: Data, name: String = "<memory>", options: NoteLoadOptions = .init())
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    var report = NoteLoadReport(lines: 0, notes: 0, skipped: 0, firstProblems: [], mediaCrawlerNotes: 0)
    var notes: [Note] = []
    var firstLineOfID: [String: Int] = [:]
    let bytes = [UInt8](data)
    // Split into non-blank lines first, parse them in parallel chunks, then take the results in
    // file order, so errors, skips and duplicates are reported exactly as a serial reader would.
    var lines: [(number: Int, range: Range<Int>)] = []
    var start = 0
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
    var lineNumber = 0
    while start < bytes.count {
      lineNumber += 1
      var end = start
      while end < bytes.count && bytes[end] != 0x0A { end += 1 }
      var lineEnd = end
      if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      if !bytes[start..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append((lineNumber, start..<lineEnd)) }
      start = end + 1
    }
    report.lines = lines.count
    let lineRanges = lines
    let parsed = parallelChunkedMap(count: lines.count, chunkSize: 2048) {
      (chunk: Range<Int>) -> [Result<(Note, Bool), ZhongcaoError>] in
      let lines = lineRanges
      var fields = NoteFields()
      return chunk.map { i -> Result<(Note, Bool), ZhongcaoError> in
        do throws(ZhongcaoError) {
          return .success(try parseLine(bytes[lines[i].range], file: name, line: lines[i].number, fields: &fields))
        } catch {
          return .failure(error)
        }
      }
    }
    notes.reserveCapacity(lines.count)
    for (i, result) in parsed.enumerated() {
      do throws(ZhongcaoError) {
        let (note, isMediaCrawler) = try result.get()
        if let first = firstLineOfID[note.id] {
          throw ZhongcaoError(.invalidInput, "duplicate note id '\(note.id)' (first at line \(first))",
                              location: .init(file: name, line: lines[i].number, field: "id"))
        }
        firstLineOfID[note.id] = lines[i].number
        notes.append(note)
        if isMediaCrawler { report.mediaCrawlerNotes += 1 }
      } catch {
        guard options.skipInvalid else { throw error }
        report.skipped += 1
        if report.firstProblems.count < InteractionLoadReport.maximumProblems { report.firstProblems.append(error) }
      }
    }
    if report.lines == 0 {
      throw ZhongcaoError(.invalidInput, "no notes: the file is empty", location: .init(file: name))
    }
    report.notes = notes.count
    return (notes, report)
  }

  /// One line → one note; the flag tells whether MediaCrawler field names were used.
  ///
  /// The line is read in one pass by ``JSONLineReader``, which keeps the last value of each
  /// known member (``NoteFields``) and checks and passes over everything else; the note is made
  /// from those values only once the whole line is known to be valid JSON, so a line that is both
  /// malformed and has a bad field is reported as malformed, as before. `fields` is scratch space
  /// reused from line to line.
  static func parseLine(_ line: ArraySlice<UInt8>, file: String, line lineNumber: Int, fields: inout NoteFields)
    throws(ZhongcaoError) -> (Note, Bool)
  {
    let reader = JSONLineReader(line)
    fields.reset(for: line)
    do {
      try reader.read(into: &fields)
    } catch {
      // Invalid UTF-8 anywhere in the line comes first, whatever else is wrong with it.
      let invalidUTF8 = error.reason == .invalidUTF8 || String(validating: line, as: UTF8.self) == nil
      throw ZhongcaoError(.invalidInput, invalidUTF8 ? "not valid UTF-8" : "invalid JSON: \(error)",
                          location: .init(file: file, line: lineNumber))
    }
    var decoder = NoteFieldDecoder(fields: fields, reader: reader, file: file, line: lineNumber)
    return try decoder.note()
  }

  /// One line → one note, with fresh scratch space.
  static func parseLine(_ line: ArraySlice<UInt8>, file: String, line lineNumber: Int)
    throws(ZhongcaoError) -> (Note, Bool)
  {
    var fields = NoteFields()
    return try parseLine(line, file: file, line: lineNumber, fields: &fields)
  }

  /// `123`, `1,234`, `1.2万`, `3亿`, `10+`, `1.5w` → a count; nil for anything else.
  static func parseCount(_ text: String) -> Int? {
    NoteText.count(ContiguousArray(text.utf8)[...])
  }

  static func parseISODate(_ text: String) -> Double? {
    let formatter = ISO8601DateFormatter()
    for options in [ISO8601DateFormatter.Options.withInternetDateTime, [.withInternetDateTime, .withFractionalSeconds],
                    [.withFullDate]] {
      formatter.formatOptions = options
      if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
    }
    return nil
  }
}
