import Foundation

/// What an impressions load read.
public struct ImpressionLoadReport: Sendable, Equatable {
  /// Data lines read (non-blank, header excluded), including skipped ones.
  public var lines = 0
  /// Lines skipped because of errors (only when skipping is asked for).
  public var skipped = 0
  /// The errors of the first skipped lines, at most 10.
  public var firstProblems: [ZhongcaoError] = []
  /// Whether the first line was a header.
  public var hadHeader = false
  /// The columns used, in column order.
  public var columns: [String] = []
}

extension ImpressionLog {
  /// Reads an impressions file (TSV or CSV, one impression per line).
  ///
  /// The columns are `user session position note sponsored engaged [dwell] [timestamp] [arm]`,
  /// in that order without a header; with a header (recognised by naming a user and a note
  /// column) they may come in any order under these names, case-insensitive:
  /// `user|user_id`, `session|session_id`, `position|pos|slot|rank`, `note|note_id|item|item_id`,
  /// `sponsored|is_ad|ad|paid`, `engaged|engagement|engagements|clicked|click`,
  /// `dwell|dwell_seconds|dwell_time`, `timestamp|time|ts`, `arm|variant|group|bucket`.
  ///
  /// - `sponsored` is `1/0`, `true/false` or `yes/no`; `engaged` is one of those or a
  ///   non-negative count; `position` an integer; `dwell` non-negative seconds or empty
  ///   (unknown); `timestamp` seconds since 1970 or an ISO 8601 date.
  /// - A UTF-8 byte order mark, CRLF line ends, blank lines and RFC 4180 quoting are accepted.
  ///
  /// - Throws: ``ZhongcaoError/Code/io`` when the file cannot be read,
  ///   ``ZhongcaoError/Code/invalidInput`` with the line and field of the first bad line (unless
  ///   `skipInvalid`), or when no impressions remain.
  public static func load(contentsOf path: String, skipInvalid: Bool = false)
    throws(ZhongcaoError) -> (ImpressionLog, ImpressionLoadReport)
  {
    try load(contentsOf: path, skipInvalid: skipInvalid, blockSize: 16 << 20)
  }

  /// ``load(contentsOf:skipInvalid:)`` reading `blockSize` bytes at a time: memory beyond the
  /// log stays at a block and a record carried over between blocks, however large the file.
  static func load(contentsOf path: String, skipInvalid: Bool, blockSize: Int)
    throws(ZhongcaoError) -> (ImpressionLog, ImpressionLoadReport)
  {
    guard let input = try DelimitedTextBlocks(path: path, kind: "impressions file", blockSize: blockSize) else {
      throw ZhongcaoError(.invalidInput, "\(path) contains no impressions", location: .init(file: path))
    }
    var loader = ImpressionLoader(bytes: input.first, name: path, skipInvalid: skipInvalid, fileSize: input.fileSize,
                                  more: input.more)
    return try loader.run()
  }

  /// Parses impressions from the bytes of a delimited-text file (see
  /// ``load(contentsOf:skipInvalid:)``); `name` appears in errors, and `.csv`/`.tsv` fix the delimiter.
  public static func parse(_ bytes: [UInt8], name: String, skipInvalid: Bool = false)
    throws(ZhongcaoError) -> (ImpressionLog, ImpressionLoadReport)
  {
    var loader = ImpressionLoader(bytes: bytes, name: name, skipInvalid: skipInvalid)
    return try loader.run()
  }

  /// Writes the log as TSV with a header (`user session position note sponsored engaged` and the
  /// optional `dwell timestamp arm` columns it has), atomically. Reading the file back gives an
  /// equal log; ids with tabs, line breaks, quotes or surrounding blanks are double-quoted.
  ///
  /// - Throws: ``ZhongcaoError/Code/io`` when the file cannot be written.
  public func write(to path: String) throws(ZhongcaoError) {
    let users = self.users.ids.map(DelimitedTextFile.field), notes = self.notes.ids.map(DelimitedTextFile.field)
    let sessions = sessionIDs.map(DelimitedTextFile.field), arms = self.arms.ids.map(DelimitedTextFile.field)
    try AtomicFile.write(to: path) { (writer: inout AtomicFile.Writer) throws(ZhongcaoError) in
      var header = "user\tsession\tposition\tnote\tsponsored\tengaged"
      if dwell != nil { header += "\tdwell" }
      if timestamps != nil { header += "\ttimestamp" }
      if armIndices != nil { header += "\tarm" }
      try writer.write(header + "\n")
      var chunk: [UInt8] = []
      chunk.reserveCapacity(1 << 16)
      for index in 0..<count {
        chunk.append(contentsOf: users[Int(userIndices[index])])
        chunk.append(.tab)
        chunk.append(contentsOf: sessions[Int(sessionIndices[index])])
        chunk.append(.tab)
        chunk.append(contentsOf: String(positions[index]).utf8)
        chunk.append(.tab)
        chunk.append(contentsOf: notes[Int(noteIndices[index])])
        chunk.append(.tab)
        chunk.append(sponsored[index] ? 0x31 : 0x30)
        chunk.append(.tab)
        Self.appendNumber(engagements[index], to: &chunk)
        if let dwell {
          chunk.append(.tab)
          if !dwell[index].isNaN { Self.appendNumber(dwell[index], to: &chunk) }
        }
        if let timestamps {
          chunk.append(.tab)
          chunk.append(contentsOf: String(timestamps[index]).utf8)
        }
        if let armIndices {
          chunk.append(.tab)
          chunk.append(contentsOf: arms[Int(armIndices[index])])
        }
        chunk.append(.newline)
        if chunk.count >= 1 << 16 - 1024 {
          try writer.write(chunk)
          chunk.removeAll(keepingCapacity: true)
        }
      }
      try writer.write(chunk)
    }
  }

  /// A number as text that reads back to the same `Float` (integers without a decimal point).
  private static func appendNumber(_ value: Float, to bytes: inout [UInt8]) {
    if value == value.rounded(), abs(value) < 1e7 {
      bytes.append(contentsOf: String(Int(value)).utf8)
    } else {
      bytes.append(contentsOf: value.description.utf8)
    }
  }
}

/// One parse of an impressions file.
private struct ImpressionLoader {
  /// What a column means.
  enum Role: String, CaseIterable {
    case user, session, position, note, sponsored, engaged, dwell, timestamp, arm

    /// Recognised header names, lower-cased.
    var aliases: [String] {
      switch self {
      case .user: ["user", "user_id", "userid"]
      case .session: ["session", "session_id", "sessionid"]
      case .position: ["position", "pos", "slot", "rank"]
      case .note: ["note", "note_id", "noteid", "item", "item_id", "itemid"]
      case .sponsored: ["sponsored", "is_ad", "ad", "paid"]
      case .engaged: ["engaged", "engagement", "engagements", "clicked", "click"]
      case .dwell: ["dwell", "dwell_seconds", "dwell_time"]
      case .timestamp: ["timestamp", "time", "ts"]
      case .arm: ["arm", "variant", "group", "bucket"]
      }
    }

    /// Whether every line needs the column (the first six).
    var isRequired: Bool { ![.dwell, .timestamp, .arm].contains(self) }
  }

  let name: String
  let skipInvalid: Bool
  var reader: DelimitedTextReader
  var fields: [DelimitedTextReader.Field] = []
  var scratch: [UInt8] = []
  /// The column of each role (nil: absent).
  var columns: [Role: Int]? = nil
  var headerNames: [Role: String] = [:]
  var report = ImpressionLoadReport()

  var users = ByteKeyedIDs()
  var notes = ByteKeyedIDs()
  var arms = ByteKeyedIDs()
  /// Sessions keyed by the user index's 4 bytes followed by the session id's bytes.
  var sessions = ByteKeyedIDs()
  var sessionKey: [UInt8] = []
  /// The previous line's session id (already checked as UTF-8).
  var previousSession: [UInt8] = []
  var layout: Layout? = nil
  var sessionUsers: [Int32] = []
  var sessionIDs: [String] = []
  var log = ImpressionLog()

  /// The next block of the input, or nil at its end (streaming); nil when `bytes` is all of it.
  var more: DelimitedTextBlocks.More?
  /// The input's size in bytes when streaming, for reserving the log's columns.
  let fileSize: Int?

  init(bytes: [UInt8], name: String, skipInvalid: Bool, fileSize: Int? = nil, more: DelimitedTextBlocks.More? = nil) {
    self.name = name
    self.skipInvalid = skipInvalid
    self.more = more
    self.fileSize = fileSize
    let lowered = name.lowercased()
    let delimiter: UInt8 = lowered.hasSuffix(".csv") ? .comma
      : lowered.hasSuffix(".tsv") ? .tab : DelimitedTextReader.guessDelimiter(of: bytes)
    reader = DelimitedTextReader(bytes: bytes, delimiter: delimiter, isFinal: self.more == nil)
  }

  mutating func run() throws(ZhongcaoError) -> (ImpressionLog, ImpressionLoadReport) {
    // At most one impression per line break: reserve once, not by doubling. Streaming, the
    // first block's lines per byte stand for the whole file's.
    log.reserveCapacity(reader.estimatedRecordCount(fileSize: more == nil ? nil : fileSize))
    while true {
      fields.removeAll(keepingCapacity: true)
      switch reader.nextRecord(appendingTo: &fields) {
      case .needMoreInput:
        try reader.refill(from: &more, file: name)
      case .end:
        return try finish()
      case .malformed(let line, let message):
        report.lines += 1
        try problem(ZhongcaoError(.invalidInput, message, location: .init(file: name, line: line)))
      case .record(let line):
        if reader.isBlank(fields[...]) { continue }
        if columns == nil, report.lines == 0, !report.hadHeader, let header = headerColumns() {
          columns = header
          log.startOptionalColumns(dwell: header[.dwell] != nil, timestamp: header[.timestamp] != nil, arm: header[.arm] != nil)
          report.hadHeader = true
          report.columns = header.sorted { $0.value < $1.value }.map(\.key.rawValue)
          continue
        }
        report.lines += 1
        do throws(ZhongcaoError) {
          try readImpression(line: line)
        } catch {
          try problem(error)
        }
      }
    }
  }

  mutating func finish() throws(ZhongcaoError) -> (ImpressionLog, ImpressionLoadReport) {
    guard log.count > 0 else {
      var message = "\(name) contains no impressions"
      if report.skipped > 0 {
        message += " (all \(report.skipped) data lines were skipped as invalid"
        if let first = report.firstProblems.first { message += "; first problem: \(first)" }
        message += ")"
      }
      throw ZhongcaoError(.invalidInput, message, location: .init(file: name))
    }
    let result = ImpressionLog(
      users: users.map, notes: notes.map, arms: arms.map, sessionIDs: sessionIDs, sessionUsers: sessionUsers,
      userIndices: log.userIndices, sessionIndices: log.sessionIndices, positions: log.positions,
      noteIndices: log.noteIndices, sponsored: log.sponsored, engagements: log.engagements, dwell: log.dwell,
      timestamps: log.timestamps, armIndices: log.armIndices)
    return (result, report)
  }

  mutating func problem(_ error: ZhongcaoError) throws(ZhongcaoError) {
    guard skipInvalid else { throw error }
    report.skipped += 1
    if report.firstProblems.count < 10 { report.firstProblems.append(error) }
  }

  mutating func field(_ column: Int) -> ArraySlice<UInt8> { reader.content(of: fields[column], scratch: &scratch) }

  /// The columns named by the current (first) record if it is a header naming a user and a note column.
  mutating func headerColumns() -> [Role: Int]? {
    var found: [Role: Int] = [:]
    for column in fields.indices {
      let text = String(decoding: field(column), as: UTF8.self)
      for role in Role.allCases where found[role] == nil && role.aliases.contains(text.lowercased()) {
        found[role] = column
        headerNames[role] = text
      }
    }
    guard found[.user] != nil, found[.note] != nil else { return nil }
    return found
  }

  /// The column of each role, resolved once.
  struct Layout {
    var user = 0, session = 1, position = 2, note = 3, sponsored = 4, engaged = 5
    var dwell: Int?, timestamp: Int?, arm: Int?
    /// Fields a line needs.
    var needed = 6

    init(_ columns: [Role: Int]) {
      user = columns[.user] ?? 0
      session = columns[.session] ?? 1
      position = columns[.position] ?? 2
      note = columns[.note] ?? 3
      sponsored = columns[.sponsored] ?? 4
      engaged = columns[.engaged] ?? 5
      dwell = columns[.dwell]
      timestamp = columns[.timestamp]
      arm = columns[.arm]
      needed = (columns.values.max() ?? 5) + 1
    }
  }

  /// Reads the current record as one impression; nothing is added unless the whole line is valid.
  mutating func readImpression(line: Int) throws(ZhongcaoError) {
    if columns == nil {
      guard fields.count >= 6 else {
        throw error("the line has \(fields.count) field\(fields.count == 1 ? "" : "s") but needs at least 6 "
                    + "(user, session, position, note, sponsored, engaged)", line: line, role: Role.allCases[fields.count])
      }
      var positional: [Role: Int] = [:]
      for (column, role) in Role.allCases.prefix(min(fields.count, Role.allCases.count)).enumerated() {
        positional[role] = column
      }
      columns = positional
      log.startOptionalColumns(dwell: positional[.dwell] != nil, timestamp: positional[.timestamp] != nil,
                               arm: positional[.arm] != nil)
      report.columns = Role.allCases.prefix(positional.count).map(\.rawValue)
    }
    if layout == nil, let columns {
      if let missing = Role.allCases.first(where: { $0.isRequired && columns[$0] == nil }) {
        throw error("the header has no \(missing.rawValue) column (recognised names: \(missing.aliases.joined(separator: ", ")))",
                    line: line, role: missing)
      }
      layout = Layout(columns)
    }
    guard let layout, let columns else { return }
    guard fields.count >= layout.needed else {
      let role = columns.filter { $0.value >= fields.count }.min { $0.value < $1.value }!.key
      throw error("the line has \(fields.count) fields but needs \(layout.needed) (\(report.columns.joined(separator: ", ")))",
                  line: line, role: role)
    }
    let user = try lookUp(.user, column: layout.user, in: users, line: line)
    let note = try lookUp(.note, column: layout.note, in: notes, line: line)
    let sessionText = field(layout.session)
    guard !sessionText.isEmpty else { throw error("session id is empty", line: line, role: .session) }
    try checkLength(sessionText, role: .session, line: line)
    if !sessionText.elementsEqual(previousSession) {
      guard String(validating: sessionText, as: UTF8.self) != nil else {
        throw error("session id is not valid UTF-8: \(quoted(sessionText))", line: line, role: .session)
      }
    }
    let positionText = field(layout.position)
    guard let position = Self.integer(positionText) else {
      throw error("\(describe(.position)) is not an integer: \(quoted(positionText))", line: line, role: .position)
    }
    let sponsoredText = field(layout.sponsored)
    guard let sponsored = Self.boolean(sponsoredText) else {
      throw error("\(describe(.sponsored)) must be 1/0, true/false or yes/no, got \(quoted(sponsoredText))",
                  line: line, role: .sponsored)
    }
    let engagedText = field(layout.engaged)
    let engagement: Float
    if let flag = Self.boolean(engagedText) {
      engagement = flag ? 1 : 0
    } else if let value = FieldParsing.float(engagedText), value.isFinite, value >= 0 {
      engagement = value
    } else {
      throw error("\(describe(.engaged)) must be 1/0, true/false or a non-negative count, got \(quoted(engagedText))",
                  line: line, role: .engaged)
    }
    var dwell: Float? = nil
    if let column = layout.dwell {
      let text = field(column)
      if text.isEmpty {
        dwell = .nan
      } else if let value = FieldParsing.float(text), value.isFinite, value >= 0 {
        dwell = value
      } else {
        throw error("\(describe(.dwell)) must be non-negative seconds or empty, got \(quoted(text))", line: line, role: .dwell)
      }
    }
    var timestamp: Int64? = nil
    if let column = layout.timestamp {
      let text = field(column)
      guard let value = FieldParsing.timestamp(text) else {
        throw error("\(describe(.timestamp)) is neither seconds since 1970 nor an ISO 8601 date: \(quoted(text))",
                    line: line, role: .timestamp)
      }
      timestamp = value
    }
    var arm: IDLookup? = nil
    if let column = layout.arm {
      guard !field(column).isEmpty else { throw error("\(describe(.arm)) is empty", line: line, role: .arm) }
      arm = try lookUp(.arm, column: column, in: arms, line: line)
    }

    // Valid: number the ids and append.
    let userIndex = Self.insert(user, key: field(layout.user), into: &users)
    let noteIndex = Self.insert(note, key: field(layout.note), into: &notes)
    var armIndex: Int32? = nil
    if let arm, let column = layout.arm { armIndex = Self.insert(arm, key: field(column), into: &arms) }
    sessionKey.removeAll(keepingCapacity: true)
    withUnsafeBytes(of: userIndex.littleEndian) { sessionKey.append(contentsOf: $0) }
    sessionKey.append(contentsOf: field(layout.session))
    let sessionHash = ByteKeyedIDs.hash(sessionKey)
    let sessionIndex: Int32
    switch sessions.find(sessionKey, hash: sessionHash) {
    case .found(let index):
      sessionIndex = index
    case .missing(let slot):
      // Numbered here, not by the table's string map: the key's user bytes are not text.
      sessionIndex = Int32(sessionUsers.count)
      sessions.insert(sessionKey, index: sessionIndex, hash: sessionHash, slot: slot)
      sessionUsers.append(userIndex)
      sessionIDs.append(String(decoding: field(layout.session), as: UTF8.self))
    }
    previousSession.removeAll(keepingCapacity: true)
    previousSession.append(contentsOf: field(layout.session))
    log.appendColumns(user: userIndex, session: sessionIndex, position: position, note: noteIndex,
                      sponsored: sponsored, engagement: engagement, dwell: dwell, timestamp: timestamp, arm: armIndex)
  }

  /// A looked-up id: its index, or (new) the slot it goes to.
  enum IDLookup {
    case found(Int32)
    case new(hash: UInt64, slot: Int)
  }

  /// Looks the id in `column` up in `table` without adding it; a new id is checked (valid UTF-8).
  mutating func lookUp(_ role: Role, column: Int, in table: ByteKeyedIDs, line: Int) throws(ZhongcaoError) -> IDLookup {
    let text = field(column)
    guard !text.isEmpty else { throw error("\(role) id is empty", line: line, role: role) }
    try checkLength(text, role: role, line: line)
    let hash = ByteKeyedIDs.hash(text)
    switch table.find(text, hash: hash) {
    case .found(let index):
      return .found(index)
    case .missing(let slot):
      guard ByteKeyedIDs.id(validating: text) != nil else {
        throw error("\(role) id is not valid UTF-8: \(quoted(text))", line: line, role: role)
      }
      return .new(hash: hash, slot: slot)
    }
  }

  /// Ids are at most ``Interactions/maximumIDLength`` bytes, as in interaction files (a longer
  /// one is also what a double quote that is never closed makes of the rest of the file).
  func checkLength(_ text: ArraySlice<UInt8>, role: Role, line: Int) throws(ZhongcaoError) {
    guard text.count <= Interactions.maximumIDLength else {
      throw error("\(role) id is \(text.count) bytes long, longer than \(Interactions.maximumIDLength): "
                  + "\(quoted(text)) (a double quote that is never closed?)", line: line, role: role)
    }
  }

  /// The index of a looked-up id, adding it if new.
  static func insert(_ lookup: IDLookup, key: ArraySlice<UInt8>, into table: inout ByteKeyedIDs) -> Int32 {
    switch lookup {
    case .found(let index):
      return index
    case .new(let hash, let slot):
      return table.insert(key, id: String(decoding: key, as: UTF8.self), hash: hash, slot: slot)
    }
  }

  /// A decimal integer that fits in 32 bits (optional sign), or nil.
  static func integer(_ text: ArraySlice<UInt8>) -> Int32? {
    var index = text.startIndex, negative = false
    if index < text.endIndex, text[index] == 0x2D || text[index] == 0x2B {
      negative = text[index] == 0x2D
      index += 1
    }
    guard index < text.endIndex, text.endIndex - index <= 10 else { return nil }
    var value: Int64 = 0
    while index < text.endIndex {
      guard let digit = text[index].digitValue else { return nil }
      value = value * 10 + Int64(digit)
      index += 1
    }
    return Int32(exactly: negative ? -value : value)
  }

  /// `1/0`, `true/false`, `yes/no` (case-insensitive), or nil.
  static func boolean(_ text: ArraySlice<UInt8>) -> Bool? {
    if text.count == 1 {
      switch text.first! {
      case 0x31: return true
      case 0x30: return false
      default: break
      }
    }
    return switch String(decoding: text, as: UTF8.self).lowercased() {
    case "1", "true", "yes", "y", "t": true
    case "0", "false", "no", "n", "f": false
    default: nil
    }
  }

  func error(_ message: String, line: Int, role: Role) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, message, location: .init(file: name, line: line, field: role.rawValue))
  }

  func describe(_ role: Role) -> String {
    guard let header = headerNames[role], header != role.rawValue else { return role.rawValue }
    return "\(role.rawValue) (column '\(header)')"
  }

  func quoted(_ text: ArraySlice<UInt8>) -> String { DelimitedTextFile.quoted(text) }
}
