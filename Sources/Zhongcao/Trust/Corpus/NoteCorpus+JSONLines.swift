import Foundation

extension NoteCorpus {
  /// The JSON Lines layout of written notes.
  public enum NoteFormat: String, Sendable, Hashable, CaseIterable {
    /// DESIGN.md's notes format: `id`, `author`, `title`, `body`, `tags` (array), `brand_label`
    /// (only when present), `created_at` (seconds since 1970), `likes`, `collects`, `comments`,
    /// `shares` (numbers).
    case zhongcao
    /// MediaCrawler's `xhs_note` layout: `note_id`, `type` (`"normal"`), `title`, `desc`,
    /// `tag_list` (comma-separated string), `user_id`, `time` and `last_update_time`
    /// (milliseconds since 1970), and `liked_count`, `collected_count`, `comment_count`,
    /// `share_count` as strings. MediaCrawler has no partnership-label field, so `brand_label`
    /// is dropped.
    case mediaCrawler
  }

  /// Writes the notes as JSON Lines (one object per line, UTF-8, non-ASCII unescaped),
  /// atomically: readers see the old file or the complete new one.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when the file cannot be written.
  public func writeNotes(to path: String, format: NoteFormat = .zhongcao) throws(ZhongcaoError) {
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      var line = ""
      line.reserveCapacity(1024)
      for note in notes {
        line.removeAll(keepingCapacity: true)
        switch format {
        case .zhongcao: Self.appendZhongcao(note, to: &line)
        case .mediaCrawler: Self.appendMediaCrawler(note, to: &line)
        }
        line += "\n"
        try writer.write(line)
      }
    }
  }

  /// Writes the ground truth as JSON Lines (`id`, `kind`, `sponsored`, `commercial`,
  /// `intended_grade`, `brand`, `campaign`, `language`; absent values as `null`), and a pretty
  /// JSON summary beside it with every planted parameter (`parameters`), the realised counts
  /// (`summary`), the authors (`authors`) and the lockstep groups (`lockstep_groups`). Both are
  /// written atomically.
  ///
  /// - Parameters:
  ///   - path: The JSON Lines file.
  ///   - summaryPath: The summary file; by default `path` with a trailing `.jsonl` replaced by
  ///     `.summary.json` (or `.summary.json` appended).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when a file cannot be written.
  public func writeTruth(to path: String, summaryTo summaryPath: String? = nil) throws(ZhongcaoError) {
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      var line = ""
      for truth in truth {
        line.removeAll(keepingCapacity: true)
        line += "{\"id\":"
        Self.appendJSONString(truth.id, to: &line)
        line += ",\"kind\":\"\(truth.kind.rawValue)\",\"sponsored\":\(truth.sponsored),\"commercial\":\(truth.commercial)"
        line += ",\"intended_grade\":\"\(truth.intendedGrade.rawValue)\",\"brand\":"
        if let brand = truth.brand { Self.appendJSONString(brand, to: &line) } else { line += "null" }
        line += ",\"campaign\":"
        line += truth.campaign.map(String.init) ?? "null"
        line += ",\"language\":\"\(truth.language.rawValue)\"}\n"
        try writer.write(line)
      }
    }
    let target: String
    if let summaryPath {
      target = summaryPath
    } else if path.hasSuffix(".jsonl") {
      target = String(path.dropLast(".jsonl".count)) + ".summary.json"
    } else {
      target = path + ".summary.json"
    }
    struct Document: Encodable {
      var parameters: NoteCorpusGenerator
      var summary: Summary
      var authors: [AuthorProfile]
      var brands: [String]
      var lockstepGroups: [[String]]
      enum CodingKeys: String, CodingKey {
        case parameters, summary, authors, brands, lockstepGroups = "lockstep_groups"
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data: Data
    do {
      data = try encoder.encode(
        Document(parameters: parameters, summary: summary, authors: authors, brands: brands, lockstepGroups: lockstepGroups))
    } catch {
      throw ZhongcaoError(.io, "cannot encode the corpus summary: \(error)")
    }
    try AtomicFile.write(data + [UInt8(ascii: "\n")], to: target)
  }

  static func appendZhongcao(_ note: Note, to line: inout String) {
    line += "{\"id\":"
    appendJSONString(note.id, to: &line)
    line += ",\"author\":"
    appendJSONString(note.author, to: &line)
    line += ",\"title\":"
    appendJSONString(note.title, to: &line)
    line += ",\"body\":"
    appendJSONString(note.body, to: &line)
    line += ",\"tags\":["
    for (index, tag) in note.tags.enumerated() {
      if index > 0 { line += "," }
      appendJSONString(tag, to: &line)
    }
    line += "]"
    if let label = note.brandLabel {
      line += ",\"brand_label\":"
      appendJSONString(label, to: &line)
    }
    if let createdAt = note.createdAt { line += ",\"created_at\":\(Int64(createdAt))" }
    if let likes = note.likes { line += ",\"likes\":\(likes)" }
    if let collects = note.collects { line += ",\"collects\":\(collects)" }
    if let comments = note.comments { line += ",\"comments\":\(comments)" }
    if let shares = note.shares { line += ",\"shares\":\(shares)" }
    line += "}"
  }

  static func appendMediaCrawler(_ note: Note, to line: inout String) {
    line += "{\"note_id\":"
    appendJSONString(note.id, to: &line)
    line += ",\"type\":\"normal\",\"title\":"
    appendJSONString(note.title, to: &line)
    line += ",\"desc\":"
    appendJSONString(note.body, to: &line)
    line += ",\"tag_list\":"
    appendJSONString(note.tags.joined(separator: ","), to: &line)
    line += ",\"user_id\":"
    appendJSONString(note.author, to: &line)
    let milliseconds = Int64((note.createdAt ?? 0) * 1000)
    line += ",\"time\":\(milliseconds),\"last_update_time\":\(milliseconds)"
    line += ",\"liked_count\":\"\(note.likes ?? 0)\",\"collected_count\":\"\(note.collects ?? 0)\""
    line += ",\"comment_count\":\"\(note.comments ?? 0)\",\"share_count\":\"\(note.shares ?? 0)\"}"
  }

  /// Appends `text` as a JSON string literal: quotes, backslashes and control characters
  /// escaped, everything else as is.
  package static func appendJSONString(_ text: String, to line: inout String) {
    line += "\""
    // Only ASCII needs escaping, and ASCII bytes never occur inside a multi-byte UTF-8 sequence,
    // so the text is copied in slices between escaped bytes (amortised appends, no per-scalar work).
    let utf8 = text.utf8
    var plainStart = utf8.startIndex
    var index = plainStart
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == 0x22 || byte == 0x5C || byte < 0x20 {
        line += Substring(utf8[plainStart..<index])
        switch byte {
        case 0x22: line += "\\\""
        case 0x5C: line += "\\\\"
        case 0x0A: line += "\\n"
        case 0x0D: line += "\\r"
        case 0x09: line += "\\t"
        default:
          let hex = String(byte, radix: 16)
          line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        plainStart = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    line += Substring(utf8[plainStart..<utf8.endIndex])
    line += "\""
  }

}
