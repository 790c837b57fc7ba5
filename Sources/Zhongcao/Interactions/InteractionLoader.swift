import Foundation

/// Settings for reading an interactions file with ``Interactions/load(contentsOf:options:)``.
public struct InteractionLoadOptions: Sendable {
  /// How fields are separated.
  public enum Delimiter: Sendable, Hashable {
    /// Tab-separated values.
    case tab
    /// Comma-separated values (RFC 4180 quoting).
    case comma
    /// Comma for `.csv` files and tab for `.tsv` files; otherwise tab if the first non-empty line
    /// contains a tab, else comma.
    case automatic
  }

  /// Weights of the names in an `event` column; an event's weight is multiplied by its event
  /// weight.
  public var eventWeights: EventWeights = .default
  /// Skip lines with errors (counted in ``InteractionLoadReport``) instead of failing on the first.
  public var skipInvalid = false
  /// How fields are separated.
  public var delimiter: Delimiter = .automatic

  /// Default options: default event weights, fail on the first bad line, detect the delimiter.
  public init() {}
}

/// What a load read: line counts, skipped lines and the columns found.
public struct InteractionLoadReport: Sendable, Equatable {
  /// Data lines read: non-blank lines other than the header, including skipped ones.
  public var lines: Int
  /// Events loaded.
  public var events: Int
  /// Lines skipped because of errors (only with ``InteractionLoadOptions/skipInvalid``).
  public var skipped: Int
  /// The errors of the first skipped lines, at most ``maximumProblems``.
  public var firstProblems: [ZhongcaoError]
  /// Whether the first line was a header.
  public var hadHeader: Bool
  /// The roles of the columns used, in column order: `user`, `note`, `weight`, `event`,
  /// `timestamp`. Unrecognised header columns are not listed.
  public var columns: [String]

  /// How many skipped-line errors ``firstProblems`` keeps.
  public static let maximumProblems = 10

  init(lines: Int = 0, events: Int = 0, skipped: Int = 0, firstProblems: [ZhongcaoError] = [],
       hadHeader: Bool = false, columns: [String] = []) {
    self.lines = lines
    self.events = events
    self.skipped = skipped
    self.firstProblems = firstProblems
    self.hadHeader = hadHeader
    self.columns = columns
  }
}

extension Interactions {
  /// Reads an interactions file (TSV or CSV, one event per line) and reports what was read.
  ///
  /// The format is the CLI's contract: an optional header row naming the columns (`user`,
  /// `note`/`item`/`movieId`, `weight`/`rating`, `event`, `timestamp`, case-insensitive; other
  /// columns are ignored), else the columns `user note [weight] [timestamp]`. See
  /// ``parse(_:name:options:)`` for the details and errors.
  ///
  ///     let (log, report) = try Interactions.load(contentsOf: "ratings.csv")
  ///
  /// - Throws: ``ZhongcaoError/Code/io`` if the file cannot be read;
  ///   ``ZhongcaoError/Code/invalidInput`` for bad content, with the line and field.
  public static func load(contentsOf path: String, options: InteractionLoadOptions = .init())
    throws(ZhongcaoError) -> (Interactions, InteractionLoadReport)
  {
    let bytes: [UInt8]
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
      bytes = [UInt8](data)
    } catch {
      var isDirectory: ObjCBool = false
      let reason: String
      if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        reason = "no such file"
      } else if isDirectory.boolValue {
        reason = "it is a directory"
      } else {
        reason = error.localizedDescription
      }
      throw ZhongcaoError(.io, "cannot read interactions file \(path): \(reason)", location: .init(file: path))
    }
    return try parse(bytes, name: path, options: options)
  }

  /// Parses interactions from the bytes of a delimited-text file; `name` is used in errors and
  /// for delimiter detection (`.csv` means comma, `.tsv` tab).
  ///
  /// - Ids are strings, trimmed of surrounding spaces and tabs; an empty id is an error.
  /// - Weight defaults to 1 without a weight column; it must be a finite non-negative number.
  ///   With an `event` column the weight is multiplied by the event's weight from
  ///   ``InteractionLoadOptions/eventWeights``; an unknown event name is an error.
  /// - Timestamps are integer or decimal seconds since 1970 (truncated) or ISO 8601 dates; when
  ///   the column exists, every line needs one.
  /// - A UTF-8 byte order mark, CRLF line ends, blank lines, a missing final newline and RFC 4180
  ///   double-quoted fields are accepted. Repeated (user, note) pairs stay separate events.
  ///
  /// - Throws: ``ZhongcaoError/Code/invalidInput`` with the line and field of the first bad line
  ///   (unless ``InteractionLoadOptions/skipInvalid``), or when no interactions remain.
  public static func parse(_ bytes: [UInt8], name: String, options: InteractionLoadOptions = .init())
    throws(ZhongcaoError) -> (Interactions, InteractionLoadReport)
  {
    var loader = InteractionLoader(bytes: bytes, name: name, options: options)
    return try loader.run()
  }

  /// Writes the log as TSV with the header `user\tnote\tweight[\ttimestamp]`, atomically (the
  /// file is either the old one or the complete new one).
  ///
  /// Ids that contain tabs, line breaks or double quotes, or begin or end with blanks, are
  /// double-quoted so that ``load(contentsOf:options:)`` reads back an equal log.
  ///
  /// - Throws: ``ZhongcaoError/Code/io`` if the file cannot be written.
  public func write(to path: String) throws(ZhongcaoError) {
    let userFields = users.ids.map(Self.tsvField)
    let noteFields = notes.ids.map(Self.tsvField)
    let timestamps = self.timestamps
    try AtomicFile.write(to: path) { (writer: inout AtomicFile.Writer) throws(ZhongcaoError) in
      try writer.write(timestamps == nil ? "user\tnote\tweight\n" : "user\tnote\tweight\ttimestamp\n")
      var line: [UInt8] = []
      line.reserveCapacity(256)
      for event in 0..<count {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: userFields[Int(userIndices[event])])
        line.append(.tab)
        line.append(contentsOf: noteFields[Int(noteIndices[event])])
        line.append(.tab)
        let weight = weights[event]
        if weight == weight.rounded(), abs(weight) < 1e7 {
          Self.appendDecimal(Int64(weight), to: &line)
        } else {
          line.append(contentsOf: weight.description.utf8)
        }
        if let timestamps {
          line.append(.tab)
          Self.appendDecimal(timestamps[event], to: &line)
        }
        line.append(.newline)
        try writer.write(line)
      }
    }
  }

  /// An id as a TSV field, double-quoted when reading it back unquoted would change it.
  private static func tsvField(_ id: String) -> [UInt8] {
    let bytes = Array(id.utf8)
    let needsQuotes = bytes.isEmpty || bytes.first?.isBlank == true || bytes.last?.isBlank == true
      || bytes.contains { $0 == .tab || $0 == .newline || $0 == .carriageReturn || $0 == .quote }
    guard needsQuotes else { return bytes }
    var quoted: [UInt8] = [.quote]
    for byte in bytes {
      quoted.append(byte)
      if byte == .quote { quoted.append(.quote) }
    }
    quoted.append(.quote)
    return quoted
  }

  private static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
    if value < 0 { bytes.append(0x2D) }
    var magnitude = value.magnitude
    var digits: [UInt8] = []
    repeat {
      digits.append(0x30 + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    bytes.append(contentsOf: digits.reversed())
  }
}

/// The state of one parse: the column layout, the id tables and the columns being built.
private struct InteractionLoader {
  /// What a column means.
  enum Role: String, CaseIterable {
    case user, note, weight, event, timestamp

    /// Recognised header names, lower-cased.
    var headerNames: [String] {
      switch self {
      case .user: ["user", "user_id", "userid"]
      case .note: ["note", "note_id", "item", "item_id", "itemid", "movieid"]
      case .weight: ["weight", "rating", "count", "value"]
      case .event: ["event", "event_type", "action"]
      case .timestamp: ["timestamp", "time", "ts"]
      }
    }
  }

  /// Which column holds each role, and the header's name for it.
  struct Layout {
    var user = 0
    var note = 1
    var weight: Int? = nil
    var event: Int? = nil
    var timestamp: Int? = nil
    var headerNames: [Role: String] = [:]

    /// Fields a line needs.
    var requiredFields: Int { max(user, note, weight ?? 0, event ?? 0, timestamp ?? 0) + 1 }

    /// Roles by column, in column order.
    var roles: [(column: Int, role: Role)] {
      let pairs: [(Int?, Role)] = [(user, .user), (note, .note), (weight, .weight), (event, .event),
                                   (timestamp, .timestamp)]
      return pairs.compactMap { pair in pair.0.map { ($0, pair.1) } }.sorted { $0.column < $1.column }
    }
  }

  let name: String
  let options: InteractionLoadOptions
  var reader: DelimitedTextReader
  var fields: [DelimitedTextReader.Field] = []
  var scratch: [UInt8] = []
  var layout: Layout? = nil
  var report = InteractionLoadReport()

  var users = ByteKeyedIDs()
  var notes = ByteKeyedIDs()
  var userIndices: [Int32] = []
  var noteIndices: [Int32] = []
  var weights: [Float] = []
  var timestamps: [Int64] = []
  /// Event names seen, by their raw bytes, with their weights.
  var eventCache: [(name: [UInt8], weight: Float)] = []

  init(bytes: [UInt8], name: String, options: InteractionLoadOptions) {
    self.name = name
    self.options = options
    let delimiter: UInt8
    switch options.delimiter {
    case .tab: delimiter = .tab
    case .comma: delimiter = .comma
    case .automatic:
      let lowered = name.lowercased()
      if lowered.hasSuffix(".csv") {
        delimiter = .comma
      } else if lowered.hasSuffix(".tsv") {
        delimiter = .tab
      } else {
        delimiter = DelimitedTextReader.guessDelimiter(of: bytes)
      }
    }
    reader = DelimitedTextReader(bytes: bytes, delimiter: delimiter)
  }

  mutating func run() throws(ZhongcaoError) -> (Interactions, InteractionLoadReport) {
    reading: while true {
      let line: Int
      switch reader.nextRecord(into: &fields) {
      case .end:
        break reading
      case .malformed(let malformedLine, let message):
        report.lines += 1
        try problem(ZhongcaoError(.invalidInput, message, location: .init(file: name, line: malformedLine)))
        continue reading
      case .record(let recordLine):
        line = recordLine
      }
      if reader.isBlank(fields) { continue }
      if layout == nil, report.lines == 0, !report.hadHeader, let header = headerLayout() {
        layout = header
        report.hadHeader = true
        report.columns = header.roles.map(\.role.rawValue)
        continue
      }
      report.lines += 1
      do throws(ZhongcaoError) {
        try readEvent(line: line)
      } catch {
        try problem(error)
      }
    }
    report.events = weights.count
    guard report.events > 0 else {
      var message = "\(name) contains no interactions"
      if report.skipped > 0 {
        message += " (all \(report.skipped) data lines were skipped as invalid"
        if let first = report.firstProblems.first { message += "; first problem: \(first)" }
        message += ")"
      }
      throw ZhongcaoError(.invalidInput, message, location: .init(file: name))
    }
    let log = Interactions(users: users.map, notes: notes.map, userIndices: userIndices, noteIndices: noteIndices,
                           weights: weights, timestamps: layout?.timestamp == nil ? nil : timestamps)
    return (log, report)
  }

  /// Throws `error`, or records and skips it with ``InteractionLoadOptions/skipInvalid``.
  mutating func problem(_ error: ZhongcaoError) throws(ZhongcaoError) {
    guard options.skipInvalid else { throw error }
    report.skipped += 1
    if report.firstProblems.count < InteractionLoadReport.maximumProblems { report.firstProblems.append(error) }
  }

  /// The layout named by the current (first) record if it is a header: it names a user and a note
  /// column.
  mutating func headerLayout() -> Layout? {
    var found: [Role: (column: Int, name: String)] = [:]
    for (column, field) in fields.enumerated() {
      let text = String(decoding: reader.content(of: field, scratch: &scratch), as: UTF8.self)
      let lowered = text.lowercased()
      for role in Role.allCases where found[role] == nil && role.headerNames.contains(lowered) {
        found[role] = (column, text)
      }
    }
    guard let user = found[.user], let note = found[.note] else { return nil }
    var layout = Layout(user: user.column, note: note.column, weight: found[.weight]?.column,
                        event: found[.event]?.column, timestamp: found[.timestamp]?.column)
    layout.headerNames = found.mapValues(\.name)
    return layout
  }

  /// Reads the current record as one event.
  mutating func readEvent(line: Int) throws(ZhongcaoError) {
    if layout == nil {
      // Without a header the first data line's width fixes the columns: user note [weight] [timestamp].
      guard fields.count >= 2 else {
        throw error("the line has 1 field but needs at least 2 (user, note)", line: line, role: .note)
      }
      let layout = Layout(weight: fields.count >= 3 ? 2 : nil, timestamp: fields.count >= 4 ? 3 : nil)
      self.layout = layout
      report.columns = layout.roles.map(\.role.rawValue)
    }
    guard let layout else { return }
    guard fields.count >= layout.requiredFields else {
      let missing = layout.roles.first { $0.column >= fields.count }?.role ?? .note
      let needed = layout.roles.map(\.role.rawValue).joined(separator: ", ")
      throw error("the line has \(fields.count) field\(fields.count == 1 ? "" : "s") but needs at least "
                  + "\(layout.requiredFields) (\(needed))", line: line, role: missing)
    }

    let user = try id(column: layout.user, role: .user, line: line)
    let note = try id(column: layout.note, role: .note, line: line)

    var weight: Float = 1
    if let column = layout.weight {
      let text = reader.content(of: fields[column], scratch: &scratch)
      guard let value = FieldParsing.float(text) else {
        throw error("\(describe(.weight)) is not a number: \(quoted(text))", line: line, role: .weight)
      }
      guard value.isFinite else {
        throw error("\(describe(.weight)) must be finite, got \(quoted(text))", line: line, role: .weight)
      }
      guard value >= 0 else {
        throw error("\(describe(.weight)) must not be negative, got \(quoted(text))", line: line, role: .weight)
      }
      weight = value
    }
    if let column = layout.event {
      let eventWeight = try self.eventWeight(column: column, line: line)
      weight *= eventWeight
      guard weight.isFinite else {
        throw error("weight × event weight is not finite (\(weight))", line: line, role: .weight)
      }
    }
    var timestamp: Int64 = 0
    if let column = layout.timestamp {
      let text = reader.content(of: fields[column], scratch: &scratch)
      guard !text.isEmpty else {
        throw error("\(describe(.timestamp)) is missing; when the column exists every line needs one",
                    line: line, role: .timestamp)
      }
      guard let value = FieldParsing.timestamp(text) else {
        throw error("\(describe(.timestamp)) is neither seconds since 1970 nor an ISO 8601 date "
                    + "(such as 2024-05-01 or 2024-05-01T12:00:00Z): \(quoted(text))", line: line, role: .timestamp)
      }
      timestamp = value
    }

    // Everything is valid: commit the event.
    userIndices.append(user)
    noteIndices.append(note)
    weights.append(weight)
    if layout.timestamp != nil { timestamps.append(timestamp) }
  }

  /// The index of the user or note id in `column`, added to its table if new.
  ///
  /// A new id is added even if a later field of the line is bad; the id maps then name an id with
  /// no events, which only matters with ``InteractionLoadOptions/skipInvalid`` and is harmless.
  mutating func id(column: Int, role: Role, line: Int) throws(ZhongcaoError) -> Int32 {
    let text = reader.content(of: fields[column], scratch: &scratch)
    guard !text.isEmpty else {
      throw error("\(role) id is empty", line: line, role: role)
    }
    let index = role == .user ? users.index(of: text) : notes.index(of: text)
    guard let index else {
      throw error("\(role) id is not valid UTF-8: \(quoted(text))", line: line, role: role)
    }
    return index
  }

  /// The weight of the event named in `column`.
  mutating func eventWeight(column: Int, line: Int) throws(ZhongcaoError) -> Float {
    let text = reader.content(of: fields[column], scratch: &scratch)
    for entry in eventCache where entry.name.elementsEqual(text) { return entry.weight }
    guard let name = String(validating: text, as: UTF8.self) else {
      throw error("\(describe(.event)) is not valid UTF-8: \(quoted(text))", line: line, role: .event)
    }
    let trimmed = name.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty else {
      throw error("\(describe(.event)) is empty", line: line, role: .event)
    }
    guard let weight = options.eventWeights.weight(of: trimmed) else {
      let known = options.eventWeights.weights.keys.sorted().joined(separator: ", ")
      throw error("unknown \(describe(.event)) \(quoted(text)); known events: \(known)", line: line, role: .event)
    }
    if eventCache.count < 256 { eventCache.append((Array(text), weight)) }
    return weight
  }

  /// An input error at `line`, naming the role's field.
  func error(_ message: String, line: Int, role: Role) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, message, location: .init(file: name, line: line, field: role.rawValue))
  }

  /// The role, with the header's column name when it differs (`weight (column 'rating')`).
  func describe(_ role: Role) -> String {
    guard let header = layout?.headerNames[role], header != role.rawValue else { return role.rawValue }
    return "\(role.rawValue) (column '\(header)')"
  }

  /// A field value for a message: quoted, invalid UTF-8 replaced, shortened if long.
  func quoted(_ text: ArraySlice<UInt8>) -> String {
    let value = String(decoding: text.prefix(200), as: UTF8.self)
    let limit = 40
    guard value.count > limit || text.count > 200 else { return "'\(value)'" }
    return "'\(value.prefix(limit - 1))…' (\(text.count) bytes)"
  }
}
