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
      var line = JSONBytes(capacity: 1024)
      for note in notes {
        line.removeAll()
        switch format {
        case .zhongcao: Self.appendZhongcao(note, to: &line)
        case .mediaCrawler: Self.appendMediaCrawler(note, to: &line)
        }
        line.append("\n")
        try writer.write(line)
      }
    }
  }

  /// Writes the ground truth as JSON Lines (`id`, `kind`, `sponsored`, `commercial`,
  /// `intended_grade`, `brand`, `campaign`, `campaign_edit`, `language`; absent values as
  /// `null`), and a pretty JSON summary beside it with every planted parameter (`parameters`),
  /// the realised counts (`summary`), the authors (`authors`) and the lockstep groups
  /// (`lockstep_groups`). Both are written atomically.
  ///
  /// - Parameters:
  ///   - path: The JSON Lines file.
  ///   - summaryPath: The summary file; by default `path` with a trailing `.jsonl` replaced by
  ///     `.summary.json` (or `.summary.json` appended).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when a file cannot be written.
  public func writeTruth(to path: String, summaryTo summaryPath: String? = nil) throws(ZhongcaoError) {
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      var line = JSONBytes(capacity: 256)
      for truth in truth {
        line.removeAll()
        line.append("{\"id\":", string: truth.id)
        line.append(",\"kind\":\"")
        line.appendRaw(truth.kind.rawValue)
        line.append("\",\"sponsored\":", truth.sponsored)
        line.append(",\"commercial\":", truth.commercial)
        line.append(",\"intended_grade\":\"")
        line.appendRaw(truth.intendedGrade.rawValue)
        if let brand = truth.brand { line.append("\",\"brand\":", string: brand) } else { line.append("\",\"brand\":null") }
        if let campaign = truth.campaign { line.append(",\"campaign\":", campaign) } else { line.append(",\"campaign\":null") }
        if let edit = truth.campaignEdit {
          line.append(",\"campaign_edit\":\"")
          line.appendRaw(edit.rawValue)
          line.append("\"")
        } else {
          line.append(",\"campaign_edit\":null")
        }
        line.append(",\"language\":\"")
        line.appendRaw(truth.language.rawValue)
        line.append("\"}\n")
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

  static func appendZhongcao(_ note: Note, to line: inout JSONBytes) {
    line.append("{\"id\":", string: note.id)
    line.append(",\"author\":", string: note.author)
    line.append(",\"title\":", string: note.title)
    line.append(",\"body\":", string: note.body)
    line.append(",\"tags\":[")
    for (index, tag) in note.tags.enumerated() { line.append(index > 0 ? "," : "", string: tag) }
    line.append("]")
    if let label = note.brandLabel { line.append(",\"brand_label\":", string: label) }
    if let createdAt = note.createdAt { line.append(",\"created_at\":", Int(createdAt)) }
    if let likes = note.likes { line.append(",\"likes\":", likes) }
    if let collects = note.collects { line.append(",\"collects\":", collects) }
    if let comments = note.comments { line.append(",\"comments\":", comments) }
    if let shares = note.shares { line.append(",\"shares\":", shares) }
    line.append("}")
  }

  static func appendMediaCrawler(_ note: Note, to line: inout JSONBytes) {
    line.append("{\"note_id\":", string: note.id)
    line.append(",\"type\":\"normal\",\"title\":", string: note.title)
    line.append(",\"desc\":", string: note.body)
    line.append(",\"tag_list\":", string: note.tags.joined(separator: ","))
    line.append(",\"user_id\":", string: note.author)
    let milliseconds = Int((note.createdAt ?? 0) * 1000)
    line.append(",\"time\":", milliseconds)
    line.append(",\"last_update_time\":", milliseconds)
    line.append(",\"liked_count\":\"", note.likes ?? 0)
    line.append("\",\"collected_count\":\"", note.collects ?? 0)
    line.append("\",\"comment_count\":\"", note.comments ?? 0)
    line.append("\",\"share_count\":\"", note.shares ?? 0)
    line.append("\"}")
  }
}
