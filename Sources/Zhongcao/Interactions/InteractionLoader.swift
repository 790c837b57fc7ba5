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
    try load(contentsOf: path, options: options, blockSize: 16 << 20)
  }

  /// ``load(contentsOf:options:)`` reading `blockSize` bytes at a time.
  static func load(contentsOf path: String, options: InteractionLoadOptions, blockSize: Int)
    throws(ZhongcaoError) -> (Interactions, InteractionLoadReport)
  {
    // Read in blocks: memory beyond the log itself stays at a block (and one record carried
    // over between blocks), however large the file.
    guard let input = try DelimitedTextBlocks(path: path, kind: "interactions file", blockSize: blockSize) else {
      throw ZhongcaoError(.invalidInput, "\(path) contains no interactions", location: .init(file: path))
    }
    var loader = InteractionLoader(bytes: input.first, name: path, options: options, fileSize: input.fileSize, more: input.more)
    return try loader.run()
  }

  /// The longest user or note id, in UTF-8 bytes (4,096): a longer one is an error.
  public static let maximumIDLength = 4096

  /// The longest record (line, or lines of one quoted field) ``load(contentsOf:options:)``
  /// accepts: 64 MiB. A longer one is almost surely a double quote that is never closed.
  public static let maximumRecordLength = 64 << 20

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
    let users = IDFields(users.ids)
    let notes = IDFields(notes.ids)
    try AtomicFile.write(to: path) { (writer: inout AtomicFile.Writer) throws(ZhongcaoError) in
      try writer.write(timestamps == nil ? "user\tnote\tweight\n" : "user\tnote\tweight\ttimestamp\n")
      var chunk: [UInt8] = []
      chunk.reserveCapacity(1 << 16)
      let batchSize = 64
      var sink: UInt64 = 0
      for batchStart in stride(from: 0, to: count, by: batchSize) {
        let batchEnd = min(batchStart + batchSize, count)
        // Load the id entries of the batch together (independent cache misses overlap).
        for event in batchStart..<batchEnd {
          sink |= users.touch(Int(userIndices[event])) | notes.touch(Int(noteIndices[event]))
        }
        for event in batchStart..<batchEnd {
          users.append(Int(userIndices[event]), to: &chunk)
          chunk.append(.tab)
          notes.append(Int(noteIndices[event]), to: &chunk)
          chunk.append(.tab)
          let weight = weights[event]
          if weight == weight.rounded(), abs(weight) < 1e7 {
            Self.appendDecimal(Int64(weight), to: &chunk)
          } else {
            chunk.append(contentsOf: weight.description.utf8)
          }
          if let timestamps {
            chunk.append(.tab)
            Self.appendDecimal(timestamps[event], to: &chunk)
          }
          chunk.append(.newline)
        }
        if chunk.count >= 1 << 16 - 4096 {
          try writer.write(chunk)
          chunk.removeAll(keepingCapacity: true)
        }
      }
      try writer.write(chunk)
      CacheWarming.keep(sink)
    }
  }

  /// Ids as TSV fields: fields of up to 15 bytes inline in a 16-byte entry, longer ones in a side
  /// array, so writing a field usually touches one cache line.
  private struct IDFields {
    /// Inline: bytes little-endian in `low` and `high`, length in the top byte of `high`.
    /// Long: offset in `low`, length in the low 56 bits of `high`, top byte 0xFF.
    private struct Entry {
      var low: UInt64
      var high: UInt64
    }

    private var entries: [Entry] = []
    private var long: [UInt8] = []

    init(_ ids: [String]) {
      entries.reserveCapacity(ids.count)
      for id in ids {
        let field = DelimitedTextFile.field(id)
        if field.count <= 15 {
          var entry = Entry(low: 0, high: UInt64(field.count) << 56)
          for (offset, byte) in field.enumerated() {
            if offset < 8 {
              entry.low |= UInt64(byte) << UInt64(offset * 8)
            } else {
              entry.high |= UInt64(byte) << UInt64((offset - 8) * 8)
            }
          }
          entries.append(entry)
        } else {
          entries.append(Entry(low: UInt64(long.count), high: 0xFF << 56 | UInt64(field.count)))
          long.append(contentsOf: field)
        }
      }
    }

    /// Loads the entry of id `index` (for cache warming).
    func touch(_ index: Int) -> UInt64 { entries[index].high }

    /// Appends the field of id `index`.
    func append(_ index: Int, to output: inout [UInt8]) {
      let entry = entries[index]
      let tag = entry.high >> 56
      if tag == 0xFF {
        let start = Int(entry.low)
        output.append(contentsOf: long[start..<start + Int(entry.high & 0x00FF_FFFF_FFFF_FFFF)])
        return
      }
      var word = entry.low
      for offset in 0..<Int(tag) {
        if offset == 8 { word = entry.high }
        output.append(UInt8(truncatingIfNeeded: word))
        word >>= 8
      }
    }
  }

  private static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
    if value < 0 { bytes.append(0x2D) }
    let start = bytes.count
    var magnitude = value.magnitude
    repeat {
      bytes.append(0x30 + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    bytes[start...].reverse()
  }
}

/// The state of one parse: the column layout, the id tables and the columns being built.
private struct InteractionLoader {
  /// What a column means.
  enum Role: String, CaseIterable {
    case user, note, weight, event, timestamp

    /// Recognised header names, lower-cased.
    var aliases: [String] {
      switch self {
      case .user: ["user", "user_id", "userid"]
      case .note: ["note", "note_id", "item", "item_id", "itemid", "movieid"]
      case .weight: ["weight", "rating", "count", "value"]
      case .event: ["event", "event_type", "action"]
      case .timestamp: ["timestamp", "time", "ts"]
      }
    }
  }

  /// Which column holds each role.
  struct Layout {
    let user: Int
    let note: Int
    let weight: Int?
    let event: Int?
    let timestamp: Int?
    /// Fields a line needs.
    let requiredFields: Int

    init(user: Int = 0, note: Int = 1, weight: Int? = nil, event: Int? = nil, timestamp: Int? = nil) {
      self.user = user
      self.note = note
      self.weight = weight
      self.event = event
      self.timestamp = timestamp
      requiredFields = max(user, note, weight ?? 0, event ?? 0, timestamp ?? 0) + 1
    }

    /// Roles by column, in column order.
    var roles: [(column: Int, role: Role)] {
      let pairs: [(Int?, Role)] = [(user, .user), (note, .note), (weight, .weight), (event, .event),
                                   (timestamp, .timestamp)]
      return pairs.compactMap { pair in pair.0.map { ($0, pair.1) } }.sorted { $0.column < $1.column }
    }
  }

  /// A record read ahead of processing.
  struct PendingRecord {
    var line: Int
    /// Its fields: `batchFields[fieldStart..<fieldEnd]`.
    var fieldStart: Int
    var fieldEnd: Int
    /// When the record's quoting is broken: the index of the message in `malformedMessages`.
    var malformed: Int? = nil
    /// Hashes of the user and note ids, when computed ahead.
    var userHash: UInt64? = nil
    var noteHash: UInt64? = nil
  }

  /// Records are read in batches of this many, so that the id-table slots of a whole batch are
  /// loaded together (independent cache misses overlap) before the events are processed in order.
  static let batchSize = 64

  let name: String
  let options: InteractionLoadOptions
  var reader: DelimitedTextReader
  var batch: [PendingRecord] = []
  var batchFields: [DelimitedTextReader.Field] = []
  /// Messages of the batch's malformed records.
  var malformedMessages: [String] = []
  /// The fields of the record being processed: `batchFields[fieldStart..<fieldEnd]`.
  var fieldStart = 0
  var fieldEnd = 0
  var scratch: [UInt8] = []
  var layout: Layout? = nil
  /// The header's column name of each role, when there is a header.
  var headerNames: [Role: String] = [:]
  var report = InteractionLoadReport()

  var users = ByteKeyedIDs()
  var notes = ByteKeyedIDs()
  var userIndices: [Int32] = []
  var noteIndices: [Int32] = []
  var weights: [Float] = []
  var timestamps: [Int64] = []
  /// An upper bound on the number of events: line breaks + 1.
  var capacity = 1
  /// Event names seen, by their raw bytes, with their weights.
  var eventCache: [(name: [UInt8], weight: Float)] = []

  /// The next block of the input, or nil at its end (streaming); nil when `bytes` is all of it.
  var more: DelimitedTextBlocks.More?
  /// The input's size in bytes when streaming, for reserving the log's arrays.
  var fileSize: Int?

  init(bytes: [UInt8], name: String, options: InteractionLoadOptions, fileSize: Int? = nil,
       more: DelimitedTextBlocks.More? = nil) {
    self.name = name
    self.options = options
    self.more = more
    self.fileSize = fileSize
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
    reader = DelimitedTextReader(bytes: bytes, delimiter: delimiter, isFinal: more == nil)
  }

  mutating func run() throws(ZhongcaoError) -> (Interactions, InteractionLoadReport) {
    // At most one event per line break (plus a last line without one): reserve once, not by
    // doubling. Streaming, the first block's lines per byte stand for the whole file's.
    capacity = reader.estimatedRecordCount(fileSize: more == nil ? nil : fileSize)
    userIndices.reserveCapacity(capacity)
    noteIndices.reserveCapacity(capacity)
    weights.reserveCapacity(capacity)
    while true {
      let state = readBatch()
      if let layout { prefetchIDs(layout) }
      for record in batch { try process(record) }
      if state == .end { break }
      if state == .needMoreInput { try reader.refill(from: &more, file: name) }
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

  /// How a batch ended.
  enum BatchEnd {
    case full, end, needMoreInput
  }

  /// Reads up to ``batchSize`` non-blank records.
  mutating func readBatch() -> BatchEnd {
    batch.removeAll(keepingCapacity: true)
    batchFields.removeAll(keepingCapacity: true)
    malformedMessages.removeAll(keepingCapacity: true)
    while batch.count < Self.batchSize {
      let start = batchFields.count
      switch reader.nextRecord(appendingTo: &batchFields) {
      case .end:
        return .end
      case .needMoreInput:
        return .needMoreInput
      case .malformed(let line, let message):
        batchFields.removeSubrange(start...)
        batch.append(PendingRecord(line: line, fieldStart: start, fieldEnd: start, malformed: malformedMessages.count))
        malformedMessages.append(message)
      case .record(let line):
        if reader.isBlank(batchFields[start...]) {
          batchFields.removeSubrange(start...)
        } else {
          batch.append(PendingRecord(line: line, fieldStart: start, fieldEnd: batchFields.count))
        }
      }
    }
    return .full
  }

  /// Hashes the ids of the batch and loads their table slots, so that the lookups that follow hit
  /// the cache. Only a speed-up: lookups without a hash compute it themselves.
  ///
  /// The loads are in a loop of their own, short enough that many of them are in flight at once.
  mutating func prefetchIDs(_ layout: Layout) {
    var hashed: [Int] = []
    hashed.reserveCapacity(batch.count)
    for index in batch.indices where batch[index].malformed == nil {
      let record = batch[index]
      guard record.fieldEnd - record.fieldStart > max(layout.user, layout.note) else { continue }
      batch[index].userHash = ByteKeyedIDs.hash(
        reader.content(of: batchFields[record.fieldStart + layout.user], scratch: &scratch))
      batch[index].noteHash = ByteKeyedIDs.hash(
        reader.content(of: batchFields[record.fieldStart + layout.note], scratch: &scratch))
      hashed.append(index)
    }
    var sink: UInt64 = 0
    for index in hashed {
      sink |= users.touch(batch[index].userHash ?? 0) | notes.touch(batch[index].noteHash ?? 0)
    }
    CacheWarming.keep(sink)
  }

  /// Processes one record: a header, an event or a problem.
  mutating func process(_ record: PendingRecord) throws(ZhongcaoError) {
    if let message = record.malformed {
      report.lines += 1
      try problem(ZhongcaoError(.invalidInput, malformedMessages[message], location: .init(file: name, line: record.line)))
      return
    }
    fieldStart = record.fieldStart
    fieldEnd = record.fieldEnd
    if layout == nil, report.lines == 0, !report.hadHeader, let header = headerLayout() {
      layout = header
      if header.timestamp != nil { timestamps.reserveCapacity(capacity) }
      report.hadHeader = true
      report.columns = header.roles.map(\.role.rawValue)
      return
    }
    report.lines += 1
    do throws(ZhongcaoError) {
      try readEvent(line: record.line, userHash: record.userHash, noteHash: record.noteHash)
    } catch {
      try problem(error)
    }
  }

  /// Throws `error`, or records and skips it with ``InteractionLoadOptions/skipInvalid``.
  mutating func problem(_ error: ZhongcaoError) throws(ZhongcaoError) {
    guard options.skipInvalid else { throw error }
    report.skipped += 1
    if report.firstProblems.count < InteractionLoadReport.maximumProblems { report.firstProblems.append(error) }
  }

  /// Number of fields of the current record.
  var fieldCount: Int { fieldEnd - fieldStart }

  /// The content of field `column` of the current record (which must exist).
  mutating func field(_ column: Int) -> ArraySlice<UInt8> {
    reader.content(of: batchFields[fieldStart + column], scratch: &scratch)
  }

  /// The layout named by the current (first) record if it is a header: it names a user and a note
  /// column. Sets ``headerNames``.
  mutating func headerLayout() -> Layout? {
    var found: [Role: (column: Int, name: String)] = [:]
    for column in 0..<fieldCount {
      let text = String(decoding: field(column), as: UTF8.self)
      let lowered = text.lowercased()
      for role in Role.allCases where found[role] == nil && role.aliases.contains(lowered) {
        found[role] = (column, text)
      }
    }
    guard let user = found[.user], let note = found[.note] else { return nil }
    headerNames = found.mapValues(\.name)
    return Layout(user: user.column, note: note.column, weight: found[.weight]?.column,
                  event: found[.event]?.column, timestamp: found[.timestamp]?.column)
  }

  /// Reads the current record as one event. Nothing is added (not even a new id) unless the whole
  /// line is valid.
  mutating func readEvent(line: Int, userHash: UInt64?, noteHash: UInt64?) throws(ZhongcaoError) {
    if layout == nil {
      // Without a header the first data line's width fixes the columns: user note [weight] [timestamp].
      guard fieldCount >= 2 else {
        throw error("the line has 1 field but needs at least 2 (user, note)", line: line, role: .note)
      }
      let layout = Layout(weight: fieldCount >= 3 ? 2 : nil, timestamp: fieldCount >= 4 ? 3 : nil)
      self.layout = layout
      if layout.timestamp != nil { timestamps.reserveCapacity(capacity) }
      report.columns = layout.roles.map(\.role.rawValue)
    }
    guard let layout else { return }
    guard fieldCount >= layout.requiredFields else {
      let missing = layout.roles.first { $0.column >= fieldCount }?.role ?? .note
      let needed = layout.roles.map(\.role.rawValue).joined(separator: ", ")
      throw error("the line has \(fieldCount) field\(fieldCount == 1 ? "" : "s") but needs at least "
                  + "\(layout.requiredFields) (\(needed))", line: line, role: missing)
    }

    let user = try lookUp(.user, column: layout.user, hash: userHash, line: line)
    let note = try lookUp(.note, column: layout.note, hash: noteHash, line: line)

    var weight: Float = 1
    if let column = layout.weight {
      let text = field(column)
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
      let text = field(column)
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

    // Everything is valid: add new ids and the event.
    userIndices.append(insert(user, into: .user, column: layout.user))
    noteIndices.append(insert(note, into: .note, column: layout.note))
    weights.append(weight)
    if layout.timestamp != nil { timestamps.append(timestamp) }
  }

  /// Looks up the user or note id in `column` without adding it; a new id is checked (not empty,
  /// valid UTF-8) and returned as a string for ``insert(_:into:column:)``.
  mutating func lookUp(_ role: Role, column: Int, hash: UInt64?, line: Int) throws(ZhongcaoError) -> IDLookup {
    let text = field(column)
    guard !text.isEmpty else {
      throw error("\(role) id is empty", line: line, role: role)
    }
    guard text.count <= Interactions.maximumIDLength else {
      throw error("\(role) id is longer than \(Interactions.maximumIDLength) bytes: \(quoted(text))", line: line, role: role)
    }
    let hash = hash ?? ByteKeyedIDs.hash(text)
    switch role == .user ? users.find(text, hash: hash) : notes.find(text, hash: hash) {
    case .found(let index):
      return .found(index)
    case .missing(let slot):
      guard let id = ByteKeyedIDs.id(validating: text) else {
        throw error("\(role) id is not valid UTF-8: \(quoted(text))", line: line, role: role)
      }
      return .new(id, hash: hash, slot: slot)
    }
  }

  /// The result of ``lookUp(_:column:hash:line:)``.
  enum IDLookup {
    case found(Int32)
    case new(String, hash: UInt64, slot: Int)
  }

  /// The index of a looked-up id, adding it to its table if new.
  mutating func insert(_ lookup: IDLookup, into role: Role, column: Int) -> Int32 {
    switch lookup {
    case .found(let index):
      return index
    case .new(let id, let hash, let slot):
      let key = field(column)
      return role == .user
        ? users.insert(key, id: id, hash: hash, slot: slot)
        : notes.insert(key, id: id, hash: hash, slot: slot)
    }
  }

  /// The weight of the event named in `column`.
  mutating func eventWeight(column: Int, line: Int) throws(ZhongcaoError) -> Float {
    let text = field(column)
    for entry in eventCache where entry.name.elementsEqual(text) { return entry.weight }
    guard let name = String(validating: text, as: UTF8.self) else {
      throw error("\(describe(.event)) is not valid UTF-8: \(quoted(text))", line: line, role: .event)
    }
    guard !name.isEmpty else {
      throw error("\(describe(.event)) is empty", line: line, role: .event)
    }
    guard let weight = options.eventWeights.weight(of: name) else {
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
    guard let header = headerNames[role], header != role.rawValue else { return role.rawValue }
    return "\(role.rawValue) (column '\(header)')"
  }

  /// A field value for a message: quoted, invalid UTF-8 replaced, shortened if long.
  func quoted(_ text: ArraySlice<UInt8>) -> String { DelimitedTextFile.quoted(text) }
}
