/// The members of one note line that ``NoteLoader`` reads: the last value of each known name,
/// collected by ``JSONLineReader`` while it checks and passes over everything else.
struct NoteFields: JSONVisitor {
  /// A member name ``NoteLoader`` knows, Zhongcao's or MediaCrawler's.
  enum Name: Int, CaseIterable {
    case id, noteID, author, userID, title, body, desc, tags, tagList, brandLabel, createdAt, time
    case likes, likedCount, collects, collectedCount, comments, commentCount, shares, shareCount

    /// The name as written in the JSON.
    var key: String {
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

    fileprivate static let keys: [[UInt8]] = allCases.map { Array($0.key.utf8) }

    /// The name whose UTF-8 is `bytes`, if any.
    fileprivate init?(_ bytes: some Collection<UInt8>) {
      for (index, key) in Self.keys.enumerated() where key.count == bytes.count && key.elementsEqual(bytes) {
        self.init(rawValue: index)
        return
      }
      return nil
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
  private var line: ArraySlice<UInt8> = []
  private var depth = 0
  /// The known name of the top-level member being read.
  private var member: Name?
  private var arrayStart = 0
  private var arrayHasOnlyStrings = true

  /// Empty, ready for `line`.
  mutating func reset(for line: ArraySlice<UInt8>) {
    for index in values.indices { values[index] = .absent }
    strings.removeAll(keepingCapacity: true)
    isObject = false
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

  mutating func key(_ key: JSONStringToken) {
    guard depth == 1 else { return }
    let start = line.startIndex
    let bytes = line[(start + key.content.lowerBound)..<(start + key.content.upperBound)]
    member = key.hasEscapes ? Name(JSONLineReader.unescaped(bytes.span)) : Name(bytes)
  }

  mutating func string(_ string: JSONStringToken) {
    if depth == 1 {
      record(.string(string))
    } else if depth == 2 && member != nil {
      strings.append(string)
    }
  }

  mutating func number(_ number: JSONNumberToken) {
    if depth == 1 { record(.number(number)) } else if depth == 2 { arrayHasOnlyStrings = false }
  }

  mutating func literal(_ literal: JSONLiteral) {
    if depth == 1 { record(literal == .null ? .null : .bool) } else if depth == 2 { arrayHasOnlyStrings = false }
  }
}

/// Makes a ``Note`` from the ``NoteFields`` of a valid JSON line, checking each field's type and
/// range in the order ``NoteLoader`` documents, and naming the field in every error.
struct NoteFieldDecoder {
  let fields: NoteFields
  let reader: JSONLineReader
  let file: String
  let line: Int
  /// Whether a field was found under its MediaCrawler name.
  private(set) var usedMediaCrawler = false

  /// A decoder for the fields of line `line` of `file`.
  init(fields: NoteFields, reader: JSONLineReader, file: String, line: Int) {
    self.fields = fields
    self.reader = reader
    self.file = file
    self.line = line
  }

  private func fail(_ message: String, field: NoteFields.Name) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, message, location: .init(file: file, line: line, field: field.key))
  }

  /// `primary`'s value, or else `alternate`'s (MediaCrawler's name), unless absent or null.
  private mutating func value(_ primary: NoteFields.Name, or alternate: NoteFields.Name? = nil)
    -> (NoteFields.Name, NoteFields.Value)?
  {
    for name in [primary, alternate] {
      guard let name else { continue }
      switch fields[name] {
      case .absent, .null: continue
      case let found:
        if name != primary { usedMediaCrawler = true }
        return (name, found)
      }
    }
    return nil
  }

  /// The bytes of a string token without escapes, as a slice of the line.
  private func raw(_ token: JSONStringToken) -> ArraySlice<UInt8> {
    let start = reader.line.startIndex
    return reader.line[(start + token.content.lowerBound)..<(start + token.content.upperBound)]
  }

  /// The UTF-8 of a string token, escapes decoded.
  private func utf8(_ token: JSONStringToken) -> ArraySlice<UInt8> {
    token.hasEscapes ? JSONLineReader.unescaped(raw(token).span)[...] : raw(token)
  }

  /// A string or an integer (below 9·10¹⁵, so a `Double` holds it exactly), as text; required.
  private mutating func identifier(_ primary: NoteFields.Name, or alternate: NoteFields.Name)
    throws(ZhongcaoError) -> String
  {
    guard let (name, found) = value(primary, or: alternate) else { throw fail("missing field", field: primary) }
    let text: String
    switch found {
    case .string(let token):
      text = reader.string(token)
    case .number(let number):
      guard let integer = integralValue(number) else { throw fail("must be a string or an integer", field: name) }
      text = String(integer)
    default:
      throw fail("must be a string or an integer", field: name)
    }
    guard !text.isEmpty else { throw fail("must not be empty", field: name) }
    return text
  }

  /// The number's value if it is a whole number below 9·10¹⁵ in magnitude (`1`, `-4`, `2.0`, `5e9`).
  private func integralValue(_ number: JSONNumberToken) -> Int64? {
    if let integer = number.integer { return integer.magnitude < 9_000_000_000_000_000 ? integer : nil }
    guard let (double, int64) = JSONNumberToken.foundationValue(of: number.text(in: reader.line)),
          double.rounded() == double, abs(double) < 9.0e15 else { return nil }
    return int64 ?? Int64(double)  // NSNumber's int64Value
  }

  private mutating func string(_ name: NoteFields.Name, or alternate: NoteFields.Name? = nil)
    throws(ZhongcaoError) -> String?
  {
    guard let (name, found) = value(name, or: alternate) else { return nil }
    guard case .string(let token) = found else { throw fail("must be a string", field: name) }
    return reader.string(token)
  }

  private mutating func count(_ primary: NoteFields.Name, or alternate: NoteFields.Name) throws(ZhongcaoError) -> Int? {
    guard let (name, found) = value(primary, or: alternate) else { return nil }
    switch found {
    case .number(let number):
      let double = number.double(in: reader.line)
      guard double.isFinite, double >= 0, double.rounded() == double, double < 9.0e15 else {
        throw fail("must be a non-negative integer, got \(number.text(in: reader.line))", field: name)
      }
      return Int(double)
    case .string(let token):
      guard let parsed = NoteText.count(utf8(token)) else {
        throw fail("must be a non-negative count such as 123, 1.2万 or 10+, got '\(reader.string(token))'", field: name)
      }
      return parsed
    default:
      throw fail("must be a number or a numeric string", field: name)
    }
  }

  private mutating func tags() throws(ZhongcaoError) -> [String] {
    guard let (name, found) = value(.tags, or: .tagList) else { return [] }
    var tags: [String] = []
    switch found {
    case .string(let token):
      NoteText.appendTags(commaSeparated: utf8(token), to: &tags)
    case .strings(let range):
      for token in fields.strings[range] { NoteText.appendTag(utf8(token), to: &tags) }
    case .array:
      throw fail("must be an array of strings", field: name)
    default:
      throw fail("must be an array of strings or a comma-separated string", field: name)
    }
    return tags
  }

  private mutating func createdAt() throws(ZhongcaoError) -> Double? {
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

  /// The note, and whether MediaCrawler names were used; fields are checked in the order of
  /// ``Note``'s properties, and the first bad one is reported.
  mutating func note() throws(ZhongcaoError) -> (Note, Bool) {
    guard fields.isObject else {
      throw ZhongcaoError(.invalidInput, "not a JSON object", location: .init(file: file, line: line))
    }
    let id = try identifier(.id, or: .noteID)
    let author = try identifier(.author, or: .userID)
    let title = try string(.title) ?? ""
    let body = try string(.body, or: .desc) ?? ""
    let tags = try tags()
    let brandLabel = try string(.brandLabel).flatMap { $0.isEmpty ? nil : $0 }
    let createdAt = try createdAt()
    let note = Note(
      id: id, author: author, title: title, body: body, tags: tags, brandLabel: brandLabel, createdAt: createdAt,
      likes: try count(.likes, or: .likedCount), collects: try count(.collects, or: .collectedCount),
      comments: try count(.comments, or: .commentCount), shares: try count(.shares, or: .shareCount))
    return (note, usedMediaCrawler)
  }
}
