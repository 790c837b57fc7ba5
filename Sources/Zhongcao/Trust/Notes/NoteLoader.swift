import Foundation
import ZhongcaoLinearAlgebra

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
/// Each line must be one JSON object, strictly as RFC 8259 has it: trailing commas (`{"id": 1,}`),
/// which Foundation's `JSONSerialization` (used before) let through, are errors. For a repeated
/// key the last value counts, as before; numbers get the values `JSONSerialization` gave them.
public enum NoteLoader {
  /// The longest line accepted: 16 MiB (a note with every MediaCrawler field is a few KiB).
  /// A longer line is an error even with ``NoteLoadOptions/skipInvalid``: it is no note.
  public static let maximumLineLength = 16 << 20

  /// The longest note or author id, in UTF-8 bytes (4,096, as for interactions): a longer one
  /// is an error on its line.
  public static let maximumIDLength = Interactions.maximumIDLength

  /// The most members a note object may have (4,096; MediaCrawler writes a few dozen).
  public static let maximumMembers = 4096

  /// The most tags a note may have (1,024).
  public static let maximumTags = 1024

  /// Loads notes from a JSON Lines file.
  ///
  /// The file is read and parsed 16 MiB at a time, so memory beyond the notes themselves stays
  /// at about two such blocks however large the file is.
  public static func load(contentsOf path: String, options: NoteLoadOptions = .init())
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    try load(contentsOf: path, options: options, blockSize: 16 << 20)
  }

  /// ``load(contentsOf:options:)`` reading `blockSize` bytes at a time.
  static func load(contentsOf path: String, options: NoteLoadOptions, blockSize: Int)
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    var blocks = try LineBlocks(path: path, kind: "notes file", blockSize: blockSize, maximumLineLength: maximumLineLength)
    var collector = Collector(name: path, options: options)
    while let block = try blocks.next() {
      if block.firstLine == 1, blocks.fileSize > block.bytes.count {
        // Room for the whole file's notes at the first block's bytes per line: the array does
        // not grow by copying (and faulting in) itself again and again.
        collector.notes.reserveCapacity(LineBlocks.estimatedLineCount(in: block.bytes, fileSize: blocks.fileSize))
      }
      try collector.consume(block.bytes[...], firstLine: block.firstLine)
      blocks.recycle(block)
    }
    return try collector.finish()
  }

  /// Parses JSON Lines bytes; `name` is used in error messages.
  public static func parse(_ data: Data, name: String = "<memory>", options: NoteLoadOptions = .init())
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    try parse(bytes: [UInt8](data), name: name, options: options)
  }

  /// Parses JSON Lines bytes `windowSize` bytes (of whole lines) at a time; `name` is used in
  /// error messages.
  static func parse(bytes: [UInt8], name: String, options: NoteLoadOptions, windowSize: Int = 16 << 20)
    throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport)
  {
    var collector = Collector(name: name, options: options)
    var start = 0, line = 1
    while start < bytes.count {
      var end = min(bytes.count, start + windowSize)
      if end < bytes.count {
        end = bytes.withUnsafeBufferPointer { buffer in
          memchr(buffer.baseAddress! + end, 0x0A, buffer.count - end).map { UnsafeRawPointer(buffer.baseAddress!).distance(to: $0) + 1 }
            ?? buffer.count
        }
      }
      try collector.consume(bytes[start..<end], firstLine: line)
      line += bytes[start..<end].withUnsafeBufferPointer(LineBlocks.lineBreaks)
      start = end
    }
    return try collector.finish()
  }

  /// The notes of a file so far, taken a run of whole lines at a time.
  ///
  /// Each run is split into non-blank lines, parsed in parallel chunks, and then taken in file
  /// order, so errors, skips and duplicates are reported exactly as a serial reader would; what
  /// a run's parse holds besides its notes (line ranges, each line's outcome) is freed before the
  /// next run, so a file of a million bad lines costs no more than one run of them.
  struct Collector {
    let name: String
    let options: NoteLoadOptions
    var report = NoteLoadReport(lines: 0, notes: 0, skipped: 0, firstProblems: [], mediaCrawlerNotes: 0)
    var notes: [Note] = []
    /// The ids of `notes` by hash, with the line of each.
    var ids = TakenIDs()
    var atStart = true

    init(name: String, options: NoteLoadOptions) {
      self.name = name
      self.options = options
    }

    /// Parses and takes `bytes`, complete lines whose first is line `firstLine` of the file.
    ///
    /// The lines are found and parsed a group at a time (4,096 lines per core, in chunks of 512), so
    /// what a parse holds besides the notes stays the same however many lines `bytes` has.
    mutating func consume(_ bytes: ArraySlice<UInt8>, firstLine: Int) throws(ZhongcaoError) {
      var scan = LineScan(bytes, firstLine: firstLine, skippingByteOrderMark: atStart)
      atStart = false
      // Eight chunks per core in a group: with fewer, a core that draws the shorter chunks
      // waits for the others at the end of every group.
      let chunkSize = 512, name = name
      let groupSize = chunkSize * 8 * max(1, ProcessorCount.active)
      while true {
        let lines = scan.next(upTo: groupSize)
        if lines.isEmpty { return }
        // A line over the limit ends the load, after the lines before it are taken.
        let tooLong = lines.firstIndex { $0.range.count > maximumLineLength }
        let parsed = lines[..<(tooLong ?? lines.count)]
        var chunks = parallelMap(count: (parsed.count + chunkSize - 1) / chunkSize, chunkSize: 1, workspace: {}) { _, chunk in
          ParsedChunk(parsed[(chunk * chunkSize)..<min(parsed.count, (chunk + 1) * chunkSize)], of: bytes, file: name)
        }
        for chunkIndex in chunks.indices {
          try take(&chunks[chunkIndex], lines: parsed[(chunkIndex * chunkSize)...])
        }
        if let tooLong {
          report.lines += 1
          throw ZhongcaoError(.invalidInput, "the line is \(lines[tooLong].range.count) bytes long, longer than the "
                              + "\(LineBlocks.describe(maximumLineLength)) a note may take",
                              location: .init(file: name, line: lines[tooLong].number))
        }
      }
    }

    /// Takes the outcomes of a chunk whose lines start at `lines.first`, moving its notes out of
    /// it (a copy would retain and later release every string of the note, serial work here).
    private mutating func take(_ chunk: inout ParsedChunk, lines: ArraySlice<(number: Int, range: Range<Int>)>) throws(ZhongcaoError) {
      var nextNote = 0
      for (offset, outcome) in chunk.outcomes.enumerated() {
        report.lines += 1
        let lineNumber = lines[lines.startIndex + offset].number
        do throws(ZhongcaoError) {
          switch outcome {
          case .failure(let error):
            throw error
          case .note(let isMediaCrawler):
            let index = nextNote
            nextNote += 1
            let hash = chunk.idHashes[index]
            if let first = ids.line(ofHash: hash, where: { notes[$0].id == chunk.notes[index]!.id }) {
              throw ZhongcaoError(.invalidInput, "duplicate note id '\(chunk.notes[index]!.id)' (first at line \(first))",
                                  location: .init(file: name, line: lineNumber, field: "id"))
            }
            ids.append(hash: hash, line: lineNumber)
            notes.append(chunk.notes[index].take()!)
            if isMediaCrawler { report.mediaCrawlerNotes += 1 }
          }
        } catch {
          guard options.skipInvalid else { throw error }
          report.skipped += 1
          if report.firstProblems.count < InteractionLoadReport.maximumProblems { report.firstProblems.append(error) }
        }
      }
    }

    /// The notes and the report, once every line is taken.
    /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` when the file had no non-blank line.
    consuming func finish() throws(ZhongcaoError) -> (notes: [Note], report: NoteLoadReport) {
      if report.lines == 0 {
        throw ZhongcaoError(.invalidInput, "no notes: the file is empty", location: .init(file: name))
      }
      report.notes = notes.count
      return (notes, report)
    }
  }

  /// The non-blank lines of a run of bytes, found a group at a time: 1-based numbers, and ranges
  /// (indices of the bytes) without the line end (LF or CRLF).
  struct LineScan {
    let bytes: ArraySlice<UInt8>
    /// Where the next line starts, as an offset from `bytes.startIndex`.
    private var start: Int
    private var number: Int

    /// The lines of `bytes`, the first of which is line `firstLine`; a leading UTF-8 byte-order
    /// mark is passed over if asked.
    init(_ bytes: ArraySlice<UInt8>, firstLine: Int, skippingByteOrderMark: Bool) {
      self.bytes = bytes
      start = skippingByteOrderMark && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
      number = firstLine - 1
    }

    /// The next non-blank lines, at most `limit`; none at the end.
    mutating func next(upTo limit: Int) -> [(number: Int, range: Range<Int>)] {
      var lines: [(number: Int, range: Range<Int>)] = []
      let offset = bytes.startIndex
      bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        while start < buffer.count && lines.count < limit {
          number += 1
          // memchr finds line ends many bytes at a time; a byte loop was most of the serial time.
          let end = memchr(base + start, 0x0A, buffer.count - start).map { UnsafeRawPointer(base).distance(to: $0) }
            ?? buffer.count
          var lineEnd = end
          if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
          if !buffer[start..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            lines.append((number, (offset + start)..<(offset + lineEnd)))
          }
          start = end + 1
        }
      }
      return lines
    }
  }

  /// The notes of a run of lines, and what became of each line.
  struct ParsedChunk: Sendable {
    /// What became of a line.
    enum Outcome: Sendable {
      /// It is the next of ``notes``; whether MediaCrawler field names were used.
      case note(isMediaCrawler: Bool)
      /// It is malformed.
      case failure(ZhongcaoError)
    }

    /// The notes of the lines that parsed, in file order; the take moves each out (`take()`),
    /// leaving nil.
    var notes: [Note?] = []
    /// The hash of each note's id, computed here in parallel rather than in the serial take.
    var idHashes: [Int] = []
    /// One per line, in order.
    var outcomes: [Outcome] = []

    /// Parses `lines` of `bytes`.
    ///
    /// The chunk's bytes are checked to be UTF-8 once, as one string that every line's text and
    /// fields are cut from; if they are not, each line is checked on its own.
    init(_ lines: ArraySlice<(number: Int, range: Range<Int>)>, of bytes: ArraySlice<UInt8>, file: String) {
      notes.reserveCapacity(lines.count)
      outcomes.reserveCapacity(lines.count)
      guard let first = lines.first, let last = lines.last else { return }
      // The chunk's own copy of its bytes: the slices and substrings made below then count
      // references on buffers no other thread touches.
      let start = first.range.lowerBound
      let chunk = [UInt8](bytes[start..<last.range.upperBound])
      let text = String(validating: chunk, as: UTF8.self)
      var fields = NoteFields(file: file)
      for line in lines {
        let range = (line.range.lowerBound - start)..<(line.range.upperBound - start)
        do throws(ZhongcaoError) {
          let reader: JSONLineReader
          if let text {
            let utf8 = text.utf8
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            reader = JSONLineReader(chunk[range], text: Substring(utf8[lower..<utf8.index(lower, offsetBy: range.count)]))
          } else {
            reader = try validatedReader(chunk[range], file: file, line: line.number)
          }
          notes.append(try parseLine(reader, line: line.number, fields: &fields))
          outcomes.append(.note(isMediaCrawler: fields.usedMediaCrawler))
        } catch {
          outcomes.append(.failure(error))
        }
      }
      idHashes = notes.map { $0!.id.hashValue }
    }
  }

  /// The ids the loader has taken, found by their hashes, with the line each came from, so that
  /// a repeated id is reported with the line of its first use.
  ///
  /// Open addressing with linear probing over the note numbers, at most half full; the hashes
  /// (`String.hashValue`, so canonically equivalent spellings are one id, as `==` has it) come
  /// from the parallel parse and are kept, so growing never hashes an id again.
  struct TakenIDs {
    /// Note number + 1 in each slot; 0 when empty. The count is a power of two.
    private var slots: [Int] = []
    /// The hash and the line of each note taken.
    private var hashes: [Int] = []
    private var lines: [Int] = []

    /// The line of the taken note whose hash is `hash` and for whose number `isSame` is true.
    func line(ofHash hash: Int, where isSame: (Int) -> Bool) -> Int? {
      guard !slots.isEmpty else { return nil }
      let mask = slots.count - 1
      var slot = hash & mask
      while slots[slot] != 0 {
        let note = slots[slot] - 1
        if hashes[note] == hash && isSame(note) { return lines[note] }
        slot = (slot + 1) & mask
      }
      return nil
    }

    /// Takes the next note (number `count`), which ``line(ofHash:where:)`` did not find.
    mutating func append(hash: Int, line: Int) {
      if 2 * (hashes.count + 1) > slots.count {
        slots = [Int](repeating: 0, count: max(1_024, 2 * slots.count))
        for note in hashes.indices { place(note) }
      }
      hashes.append(hash)
      lines.append(line)
      place(hashes.count - 1)
    }

    private mutating func place(_ note: Int) {
      let mask = slots.count - 1
      var slot = hashes[note] & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = note + 1
    }
  }

  /// A reader of `line` once it is known to be UTF-8; invalid UTF-8 is reported before anything
  /// else that may be wrong with the line.
  static func validatedReader(_ line: ArraySlice<UInt8>, file: String, line lineNumber: Int)
    throws(ZhongcaoError) -> JSONLineReader
  {
    do {
      return try JSONLineReader(validating: line)
    } catch {
      throw ZhongcaoError(.invalidInput, "not valid UTF-8 (byte \(error.offset + 1))",
                          location: .init(file: file, line: lineNumber))
    }
  }

  /// One line → one note (`fields.usedMediaCrawler` tells whether MediaCrawler field names were
  /// used).
  ///
  /// The line is read in one pass by ``JSONLineReader``, which keeps the last value of each
  /// known member (``NoteFields``) and checks and passes over everything else; the note is made
  /// from those values only once the whole line is known to be valid JSON, so a line that is both
  /// malformed and has a bad field is reported as malformed, as before. `fields` is scratch space
  /// reused from line to line.
  static func parseLine(
    _ reader: JSONLineReader, line lineNumber: Int, fields: inout NoteFields
  ) throws(ZhongcaoError) -> Note {
    fields.reset(line: lineNumber)
    do {
      try reader.read(into: &fields)
    } catch {
      throw ZhongcaoError(.invalidInput, "invalid JSON: \(error)", location: .init(file: fields.file, line: lineNumber))
    }
    return try fields.note(in: reader)
  }

  /// One line → one note, with fresh scratch space; the flag tells whether MediaCrawler field
  /// names were used.
  static func parseLine(_ line: ArraySlice<UInt8>, file: String, line lineNumber: Int)
    throws(ZhongcaoError) -> (Note, Bool)
  {
    var fields = NoteFields(file: file)
    let note = try parseLine(validatedReader(line, file: file, line: lineNumber), line: lineNumber, fields: &fields)
    return (note, fields.usedMediaCrawler)
  }

  /// `123`, `1,234`, `1.2万`, `3亿`, `10+`, `1.5w` → a count; nil for anything else.
  static func parseCount(_ text: String) -> Int? {
    NoteText.count(ContiguousArray(text.utf8).span)
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
