/// The members of one note line that ``NoteLoader`` reads: the last value of each known name,
/// collected by ``JSONLineReader`` while it checks and passes over everything else.
struct NoteFields: JSONVisitor {
  /// A member name ``NoteLoader`` knows, Zhongcao's or MediaCrawler's.
  enum Name: Int, CaseIterable {
    case id, noteID, author, userID, title, body, desc, tags, tagList, brandLabel, createdAt, time
    case likes, likedCount, collects, collectedCount, comments, commentCount, shares, shareCount

    /// The name as written in the JSON.
    var key: String { utf8Key.description }

    private var utf8Key: StaticString {
      switch self {
      case .id: "id"
      case .noteID: "note_id"
      case .author: "author"
      case .userID: "user_id"
      case .title: "title"
      case .body: "body"
      case .desc: "desc"
      case .tags: "tags"
      case .tagList: "tag_list"
      case .brandLabel: "brand_label"
      case .createdAt: "created_at"
      case .time: "time"
      case .likes: "likes"
      case .likedCount: "liked_count"
      case .collects: "collects"
      case .collectedCount: "collected_count"
      case .comments: "comments"
      case .commentCount: "comment_count"
      case .shares: "shares"
      case .shareCount: "share_count"
      }
    }

    /// The name whose UTF-8 is `bytes`, if any: picked by length and first byte, then compared.
    fileprivate init?(_ bytes: Span<UInt8>) {
      guard bytes.count >= 2 && bytes.count <= 15 else { return nil }
      let candidate: Self
      switch (bytes.count, bytes[0]) {
      case (2, UInt8(ascii: "i")): candidate = .id
      case (7, UInt8(ascii: "n")): candidate = .noteID
      case (6, UInt8(ascii: "a")): candidate = .author
      case (7, UInt8(ascii: "u")): candidate = .userID
      case (5, UInt8(ascii: "t")): candidate = .title
      case (4, UInt8(ascii: "b")): candidate = .body
      case (4, UInt8(ascii: "d")): candidate = .desc
      case (4, UInt8(ascii: "t")): candidate = bytes[1] == UInt8(ascii: "a") ? .tags : .time
      case (8, UInt8(ascii: "t")): candidate = .tagList
      case (11, UInt8(ascii: "b")): candidate = .brandLabel
      case (10, UInt8(ascii: "c")): candidate = .createdAt
      case (5, UInt8(ascii: "l")): candidate = .likes
      case (11, UInt8(ascii: "l")): candidate = .likedCount
      case (8, UInt8(ascii: "c")): candidate = bytes[3] == UInt8(ascii: "l") ? .collects : .comments
      case (15, UInt8(ascii: "c")): candidate = .collectedCount
      case (13, UInt8(ascii: "c")): candidate = .commentCount
      case (6, UInt8(ascii: "s")): candidate = .shares
      case (11, UInt8(ascii: "s")): candidate = .shareCount
      default: return nil
      }
      let matches = candidate.utf8Key.withUTF8Buffer { key in
        guard key.count == bytes.count else { return false }
        for index in key.indices where key[index] != bytes[index] { return false }
        return true
      }
      guard matches else { return nil }
      self = candidate
    }
  }

  /// A member's value, as far as the loader cares.
  enum Value: Equatable {
    case absent, null, bool, object
    case string(JSONStringToken)
    case number(JSONNumberToken)
    /// An array of strings only: its elements are ``strings``[range].
    case strings(Range<Int>)
    /// An array with something other than a string in it.
    case array
  }

  /// The last value of each known name, indexed by ``Name/rawValue``.
  private(set) var values = [Value](repeating: .absent, count: Name.allCases.count)
  /// The elements of the ``Value/strings(_:)`` arrays.
  private(set) var strings: [JSONStringToken] = []
  /// Whether the line's value is an object.
  private(set) var isObject = false
  /// The members of the line's object.
  private(set) var members = 0
  /// Whether a field of the last note made was found under its MediaCrawler name.
  private(set) var usedMediaCrawler = false
  /// The file the lines come from, for error messages.
  let file: String
  /// The line being read, for error messages.
  private(set) var line = 0
  private var depth = 0
  /// The known name of the top-level member being read.
  private var member: Name?
  private var arrayStart = 0
  private var arrayHasOnlyStrings = true

  /// Scratch space for the lines of `file`.
  init(file: String) {
    self.file = file
  }

  /// Empty, ready for line `line`.
  mutating func reset(line: Int) {
    for index in values.indices { values[index] = .absent }
    strings.removeAll(keepingCapacity: true)
    isObject = false
    members = 0
    usedMediaCrawler = false
    self.line = line
    depth = 0
    member = nil
  }

  /// The value of `name`.
  subscript(name: Name) -> Value { values[name.rawValue] }

  private mutating func record(_ value: Value) {
    if let member { values[member.rawValue] = value }
  }

  mutating func beginObject() {
    depth += 1
    if depth == 1 {
      isObject = true
    } else if depth == 2 {
      record(.object)
    } else if depth == 3 {
      arrayHasOnlyStrings = false
    }
  }

  mutating func endObject() { depth -= 1 }

  mutating func beginArray() {
    depth += 1
    if depth == 2 {
      arrayStart = strings.count
      arrayHasOnlyStrings = true
    } else if depth == 3 {
      arrayHasOnlyStrings = false
    }
  }

  mutating func endArray() {
    if depth == 2 { record(arrayHasOnlyStrings ? .strings(arrayStart..<strings.count) : .array) }
    depth -= 1
  }

  mutating func key(_ key: JSONStringToken, in reader: JSONLineReader) {
    guard depth == 1 else { return }
    members += 1
    if key.hasEscapes {
      let decoded = ContiguousArray(reader.string(key).utf8)
      member = Name(decoded.span)
    } else {
      member = Name(reader.line.span.extracting(key.content))
    }
  }

  mutating func string(_ string: JSONStringToken, in reader: JSONLineReader) {
    if depth == 1 {
      record(.string(string))
    } else if depth == 2 && member != nil && strings.count - arrayStart <= NoteLoader.maximumTags {
      // One past the limit is kept, to tell a note with too many tags.
      strings.append(string)
    }
  }

  mutating func number(_ number: JSONNumberToken, in reader: JSONLineReader) {
    if depth == 1 { record(.number(number)) } else if depth == 2 { arrayHasOnlyStrings = false }
  }

  mutating func literal(_ literal: JSONLiteral) {
    if depth == 1 { record(literal == .null ? .null : .bool) } else if depth == 2 { arrayHasOnlyStrings = false }
  }
}

/// Making the note: each field's type and range checked in the order ``NoteLoader`` documents,
/// the field named in every error.
extension NoteFields {
  private func fail(_ message: String, field: Name) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, message, location: .init(file: file, line: line, field: field.key))
  }

  /// `primary`'s value, or else `alternate`'s (MediaCrawler's name), unless absent or null.
  private mutating func value(_ primary: Name, or alternate: Name? = nil)
    -> (Name, Value)?
  {
    switch self[primary] {
    case .absent, .null: break
    case let found: return (primary, found)
    }
    guard let alternate else { return nil }
    switch self[alternate] {
    case .absent, .null: return nil
    case let found:
      usedMediaCrawler = true
      return (alternate, found)
    }
  }

  /// The UTF-8 of a string token, escapes decoded.
  private func withUTF8<Result>(
    _ token: JSONStringToken, in reader: JSONLineReader, _ body: (Span<UInt8>) -> Result
  ) -> Result {
    guard token.hasEscapes else { return body(reader.line.span.extracting(token.content)) }
    let decoded = ContiguousArray(reader.string(token).utf8)
    return body(decoded.span)
  }

  /// A string or an integer (below 9·10¹⁵, so a `Double` holds it exactly), as text; required.
  private mutating func identifier(_ primary: Name, or alternate: Name, in reader: JSONLineReader)
    throws(ZhongcaoError) -> String
  {
    guard let (name, found) = value(primary, or: alternate) else { throw fail("missing field", field: primary) }
    let text: String
    switch found {
    case .string(let token):
      text = reader.string(token)
    case .number(let number):
      guard let integer = integralValue(number, in: reader) else { throw fail("must be a string or an integer", field: name) }
      text = String(integer)
    default:
      throw fail("must be a string or an integer", field: name)
    }
    guard !text.isEmpty else { throw fail("must not be empty", field: name) }
    guard text.utf8.count <= NoteLoader.maximumIDLength else {
      throw fail("is \(text.utf8.count) bytes long; an id may take at most \(NoteLoader.maximumIDLength)", field: name)
    }
    return text
  }

  /// The number's value if it is a whole number below 9·10¹⁵ in magnitude (`1`, `-4`, `2.0`, `5e9`).
  private func integralValue(_ number: JSONNumberToken, in reader: JSONLineReader) -> Int64? {
    if let integer = number.integer { return integer.magnitude < 9_000_000_000_000_000 ? integer : nil }
    guard let (double, int64) = JSONNumberToken.foundationValue(of: number.text(in: reader.line)),
          double.rounded() == double, abs(double) < 9.0e15 else { return nil }
    return int64 ?? Int64(double)  // NSNumber's int64Value
  }

  private mutating func string(_ name: Name, or alternate: Name? = nil, in reader: JSONLineReader)
    throws(ZhongcaoError) -> String?
  {
    guard let (name, found) = value(name, or: alternate) else { return nil }
    guard case .string(let token) = found else { throw fail("must be a string", field: name) }
    return reader.string(token)
  }

  private mutating func count(_ primary: Name, or alternate: Name, in reader: JSONLineReader)
    throws(ZhongcaoError) -> Int?
  {
    guard let (name, found) = value(primary, or: alternate) else { return nil }
    switch found {
    case .number(let number):
      let double = number.double(in: reader.line)
      guard double.isFinite, double >= 0, double.rounded() == double, double < 9.0e15 else {
        throw fail("must be a non-negative integer, got \(number.text(in: reader.line))", field: name)
      }
      return Int(double)
    case .string(let token):
      guard let parsed = withUTF8(token, in: reader, { NoteText.count($0) }) else {
        throw fail("must be a non-negative count such as 123, 1.2万 or 10+, got '\(reader.string(token))'", field: name)
      }
      return parsed
    default:
      throw fail("must be a number or a numeric string", field: name)
    }
  }

  private mutating func tags(in reader: JSONLineReader) throws(ZhongcaoError) -> [String] {
    guard let (name, found) = value(.tags, or: .tagList) else { return [] }
    var tags: [String] = []
    switch found {
    case .string(let token):
      withUTF8(token, in: reader) { NoteText.appendTags(commaSeparated: $0, to: &tags) }
      guard tags.count <= NoteLoader.maximumTags else {
        throw fail("has more than \(NoteLoader.maximumTags) tags", field: name)
      }
    case .strings(let range):
      guard range.count <= NoteLoader.maximumTags else {
        throw fail("has more than \(NoteLoader.maximumTags) tags", field: name)
      }
      tags.reserveCapacity(range.count)
      for token in strings[range] { withUTF8(token, in: reader) { NoteText.appendTag($0, to: &tags) } }
    case .array:
      throw fail("must be an array of strings", field: name)
    default:
      throw fail("must be an array of strings or a comma-separated string", field: name)
    }
    return tags
  }

  private mutating func createdAt(in reader: JSONLineReader) throws(ZhongcaoError) -> Double? {
    guard let (name, found) = value(.createdAt, or: .time) else { return nil }
    let scale = name == .time ? 0.001 : 1
    switch found {
    case .number(let number):
      return number.double(in: reader.line) * scale
    case .string(let token):
      let text = reader.string(token)
      if let seconds = Double(NoteText.trimmingWhitespace(text)), seconds.isFinite { return seconds * scale }
      if name == .createdAt, let date = NoteLoader.parseISODate(text) { return date }
    default:
      break
    }
    throw fail(name == .time ? "must be milliseconds since 1970" : "must be seconds since 1970 or an ISO 8601 date",
               field: name)
  }

  /// The note the line's fields make (``usedMediaCrawler`` tells whether MediaCrawler names were
  /// used); fields are checked in the order of ``Note``'s properties, and the first bad one is
  /// reported.
  mutating func note(in reader: JSONLineReader) throws(ZhongcaoError) -> Note {
    guard isObject else {
      throw ZhongcaoError(.invalidInput, "not a JSON object", location: .init(file: file, line: line))
    }
    guard members <= NoteLoader.maximumMembers else {
      throw ZhongcaoError(.invalidInput, "the object has \(members) members; a note may have at most \(NoteLoader.maximumMembers)",
                          location: .init(file: file, line: line))
    }
    let id = try identifier(.id, or: .noteID, in: reader)
    let author = try identifier(.author, or: .userID, in: reader)
    let title = try string(.title, in: reader) ?? ""
    let body = try string(.body, or: .desc, in: reader) ?? ""
    let tags = try tags(in: reader)
    let brandLabel = try string(.brandLabel, in: reader).flatMap { $0.isEmpty ? nil : $0 }
    let createdAt = try createdAt(in: reader)
    return Note(
      id: id, author: author, title: title, body: body, tags: tags, brandLabel: brandLabel, createdAt: createdAt,
      likes: try count(.likes, or: .likedCount, in: reader), collects: try count(.collects, or: .collectedCount, in: reader),
      comments: try count(.comments, or: .commentCount, in: reader), shares: try count(.shares, or: .shareCount, in: reader))
  }
}
