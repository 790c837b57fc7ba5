import Foundation

/// Byte-level reading of delimited text (TSV and RFC 4180 CSV) and parsing of the numbers and
/// dates in it, without building a `String` per line.
///
/// The reader works on a buffer of bytes — the whole file, or (streaming) one block of it after
/// another — and hands out fields as index ranges into it, so ids can be looked up by their bytes
/// and only new ids become strings.
struct DelimitedTextReader {
  /// One field of a record: a range of the source bytes (inside the quotes for a quoted field).
  struct Field {
    /// First byte of the field's content.
    var start: Int
    /// One past the last byte of the field's content.
    var end: Int
    /// Whether the field was enclosed in double quotes (its content is then taken as is).
    var isQuoted: Bool
    /// Whether the quoted content contains `""` escapes that must be collapsed.
    var hasEscapes: Bool
  }

  /// What ``nextRecord(appendingTo:)`` found.
  enum Outcome {
    /// A record starting on `line`; its fields were appended to the array passed in.
    case record(line: Int)
    /// A record whose quoting is broken; reading resumes on the next line.
    case malformed(line: Int, message: String)
    /// No more input.
    case end
    /// The next record runs past the end of a buffer that is not the end of the input:
    /// ``refill(_:isFinal:)`` with more bytes and ask again. Nothing was consumed.
    case needMoreInput
  }

  /// The most fields a record may have (4,096); a record with more is malformed.
  static let maximumFields = 4096

  private(set) var bytes: [UInt8]
  let delimiter: UInt8
  private(set) var position: Int
  /// The line number of the next record (1-based, counting every physical line).
  private(set) var line = 1
  /// Whether `bytes` ends where the input ends. When it does not, a record must end with a line
  /// break inside `bytes` to be read.
  private(set) var isFinal: Bool

  /// A reader of `bytes` split by `delimiter`, skipping a leading UTF-8 byte order mark;
  /// `isFinal` false when more input will follow (see ``refill(_:isFinal:)``).
  init(bytes: [UInt8], delimiter: UInt8, isFinal: Bool = true) {
    self.bytes = bytes
    self.delimiter = delimiter
    self.isFinal = isFinal
    position = DelimitedTextReader.contentStart(of: bytes)
  }

  /// The bytes not read yet; a streaming caller puts them in front of the next block.
  var unread: ArraySlice<UInt8> { bytes[position...] }

  /// Continues reading from `bytes`, which must start with ``unread``; line numbers carry on.
  mutating func refill(_ bytes: [UInt8], isFinal: Bool) {
    self.bytes = bytes
    self.isFinal = isFinal
    position = 0
  }

  /// After ``Record/needMoreInput``: continues with the next block from `more` behind the unread
  /// rest of this one (a record cut by the block's end), or, when `more` is nil or has nothing
  /// left, reads the rest as the end of the input (and sets `more` to nil).
  ///
  /// - Throws: what `more` throws; ``ZhongcaoError/Code-swift.struct/invalidInput`` when the
  ///   record carried over is longer than ``Interactions/maximumRecordLength``.
  mutating func refill(from more: inout DelimitedTextBlocks.More?, file: String) throws(ZhongcaoError) {
    let carried = unread
    guard let next = try more?() else {
      refill(Array(carried), isFinal: true)
      more = nil
      return
    }
    guard carried.count <= Interactions.maximumRecordLength else {
      throw ZhongcaoError(.invalidInput, "a record of more than \(Interactions.maximumRecordLength >> 20) MiB: a double quote that is never closed?",
                          location: .init(file: file, line: line))
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(carried.count + next.count)
    bytes.append(contentsOf: carried)
    bytes.append(contentsOf: next)
    refill(bytes, isFinal: false)
  }

  /// Records to reserve room for: the line breaks in ``bytes`` (plus a last line without one);
  /// when these are the first block of a `fileSize`-byte file, scaled up to the whole file.
  func estimatedRecordCount(fileSize: Int?) -> Int {
    LineBlocks.estimatedLineCount(in: bytes, fileSize: fileSize)
  }

  /// The offset after a UTF-8 byte order mark, or 0.
  static func contentStart(of bytes: [UInt8]) -> Int {
    bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
  }

  /// Whether `bytes` holds a whole line (ended by a line break) with non-blank content: then
  /// ``guessDelimiter(of:)`` needs no more of the input.
  static func holdsContentLine(_ bytes: [UInt8]) -> Bool {
    var lineHasContent = false
    for byte in bytes[contentStart(of: bytes)...] {
      if byte == .newline {
        if lineHasContent { return true }
      } else if byte != .space && byte != .carriageReturn && byte != .tab {
        lineHasContent = true
      }
    }
    return false
  }

  /// Tab if the first line with non-blank content contains a tab, else comma.
  static func guessDelimiter(of bytes: [UInt8]) -> UInt8 {
    var index = contentStart(of: bytes)
    var lineHasContent = false
    var lineHasTab = false
    while index < bytes.count {
      let byte = bytes[index]
      if byte == .newline {
        if lineHasContent { break }
        lineHasTab = false
      } else if byte == .tab {
        lineHasTab = true
      } else if byte != .space && byte != .carriageReturn {
        lineHasContent = true
      }
      index += 1
    }
    return lineHasContent && lineHasTab ? .tab : .comma
  }

  /// Reads the next record, appending its fields to `fields`.
  ///
  /// Quoted fields may contain delimiters, `""` escapes and line breaks (RFC 4180). A line holding
  /// only spaces, tabs and delimiters comes back as a record of empty unquoted fields. After
  /// `.malformed`, some fields of the broken record may have been appended.
  mutating func nextRecord(appendingTo fields: inout [Field]) -> Outcome {
    guard position < bytes.count else { return isFinal ? .end : .needMoreInput }
    let recordLine = line
    let recordStart = position
    let fieldCount = fields.count
    // The record reaches the end of a buffer that more input follows: undo and wait for it.
    func needMore(_ fields: inout [Field]) -> Outcome {
      fields.removeSubrange(fieldCount...)
      position = recordStart
      line = recordLine
      return .needMoreInput
    }
    while true {
      // Leading blanks before a possible opening quote.
      var index = position
      while index < bytes.count, bytes[index] == .space || (bytes[index] == .tab && delimiter != .tab) {
        index += 1
      }
      if index < bytes.count, bytes[index] == .quote {
        let contentStart = index + 1
        var scan = contentStart
        var hasEscapes = false
        var closing: Int? = nil
        var linesInside = 0
        while scan < bytes.count {
          let byte = bytes[scan]
          if byte == .quote {
            if scan + 1 < bytes.count, bytes[scan + 1] == .quote {
              hasEscapes = true
              scan += 2
              continue
            }
            closing = scan
            break
          }
          if byte == .newline { linesInside += 1 }
          scan += 1
        }
        guard let closing else {
          if !isFinal { return needMore(&fields) }
          skipLine(from: recordStart)
          return .malformed(line: recordLine, message: "a quoted field is not closed by a double quote")
        }
        line += linesInside
        fields.append(Field(start: contentStart, end: closing, isQuoted: true, hasEscapes: hasEscapes))
        var after = closing + 1
        while after < bytes.count,
              bytes[after] == .space || bytes[after] == .carriageReturn || (bytes[after] == .tab && delimiter != .tab) {
          after += 1
        }
        if after >= bytes.count, !isFinal { return needMore(&fields) }
        if after < bytes.count, bytes[after] != delimiter, bytes[after] != .newline {
          let malformedLine = line
          if !isFinal, !bytes[after...].contains(.newline) { return needMore(&fields) }
          skipLine(from: after)
          return .malformed(line: malformedLine, message: "unexpected text after the closing double quote of a field")
        }
        index = after
      } else {
        let start = position
        while index < bytes.count {
          let byte = bytes[index]
          if byte == delimiter || byte == .newline { break }
          index += 1
        }
        fields.append(Field(start: start, end: index, isQuoted: false, hasEscapes: false))
      }
      // `index` is at a delimiter, a newline or the end.
      if index >= bytes.count {
        if !isFinal { return needMore(&fields) }
        position = index
        return .record(line: recordLine)
      }
      if bytes[index] == .newline {
        position = index + 1
        line += 1
        return .record(line: recordLine)
      }
      position = index + 1
      if fields.count - fieldCount >= Self.maximumFields {
        // Hostile or not delimited text: refuse the line rather than hold a field per byte.
        if !isFinal, !bytes[position...].contains(.newline) { return needMore(&fields) }
        fields.removeSubrange(fieldCount...)
        skipLine(from: position)
        return .malformed(line: recordLine, message: "a record has more than \(Self.maximumFields) fields")
      }
      if position >= bytes.count {
        if !isFinal { return needMore(&fields) }
        // A delimiter at the very end: one more, empty field.
        fields.append(Field(start: position, end: position, isQuoted: false, hasEscapes: false))
        return .record(line: recordLine)
      }
    }
  }

  /// Moves past the line containing `offset`, for recovery after malformed quoting.
  private mutating func skipLine(from offset: Int) {
    var index = offset
    while index < bytes.count, bytes[index] != .newline { index += 1 }
    position = min(index + 1, bytes.count)
    line += 1
  }

  /// Whether every field is unquoted and blank (a blank line).
  func isBlank(_ fields: ArraySlice<Field>) -> Bool {
    for field in fields {
      if field.isQuoted { return false }
      for index in field.start..<field.end where !bytes[index].isBlank { return false }
    }
    return true
  }

  /// The bytes of a field: trimmed of blanks if unquoted, with `""` collapsed if escaped.
  ///
  /// Only escaped fields allocate (into `scratch`).
  func content(of field: Field, scratch: inout [UInt8]) -> ArraySlice<UInt8> {
    if field.isQuoted {
      guard field.hasEscapes else { return bytes[field.start..<field.end] }
      scratch.removeAll(keepingCapacity: true)
      var index = field.start
      while index < field.end {
        scratch.append(bytes[index])
        index += bytes[index] == .quote ? 2 : 1
      }
      return scratch[...]
    }
    var start = field.start
    var end = field.end
    while start < end, bytes[start].isBlank { start += 1 }
    while end > start, bytes[end - 1].isBlank { end -= 1 }
    return bytes[start..<end]
  }
}

/// A delimited-text file read in blocks of whole lines (``LineBlocks``): the first block,
/// extended until it holds a line with content (the delimiter is guessed from it), and the rest
/// one block at a time, so a loader holds a block and a record carried over, not the file.
struct DelimitedTextBlocks {
  /// The next block of a file, or nil at its end.
  typealias More = () throws(ZhongcaoError) -> [UInt8]?

  /// The first block.
  let first: [UInt8]
  /// The file's size in bytes.
  let fileSize: Int
  /// The blocks after the first; nil when the first holds the whole file.
  let more: More?

  /// Opens `path`; nil when the file is empty. `kind` names it in errors ("impressions file").
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when it cannot be read; what
  ///   ``LineBlocks/next()`` throws.
  init?(path: String, kind: String, blockSize: Int) throws(ZhongcaoError) {
    var blocks = try LineBlocks(path: path, kind: kind, blockSize: blockSize)
    fileSize = blocks.fileSize
    guard var first = try blocks.next()?.bytes else { return nil }
    while !DelimitedTextReader.holdsContentLine(first), let next = try blocks.next() { first += next.bytes }
    self.first = first
    more = first.count >= fileSize ? nil : { () throws(ZhongcaoError) in try blocks.next()?.bytes }
  }
}

/// Delimited-text fields: the pieces every loader and writer shares.
enum DelimitedTextFile {
  /// An id as a TSV field, double-quoted when reading it back unquoted would change it.
  static func field(_ id: String) -> [UInt8] {
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

  /// A field value for an error message: quoted, invalid UTF-8 replaced, shortened if long.
  static func quoted(_ text: ArraySlice<UInt8>) -> String {
    let value = String(decoding: text.prefix(200), as: UTF8.self)
    let limit = 40
    guard value.count > limit || text.count > 200 else { return "'\(value)'" }
    return "'\(value.prefix(limit - 1))…' (\(text.count) bytes)"
  }
}

extension UInt8 {
  static let tab: UInt8 = 0x09
  static let newline: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let quote: UInt8 = 0x22
  static let comma: UInt8 = 0x2C

  /// Space, tab or carriage return: what is trimmed around unquoted fields.
  var isBlank: Bool { self == .space || self == .tab || self == .carriageReturn }

  /// The value of an ASCII digit, or nil.
  var digitValue: Int? { self >= 0x30 && self <= 0x39 ? Int(self &- 0x30) : nil }
}

/// Parsing of numbers and dates from field bytes.
enum FieldParsing {
  /// 10⁰ … 10²²: every one is exact in `Double`.
  private static let powersOfTen: [Double] = (0...22).map { exponent in
    (0..<exponent).reduce(1.0) { value, _ in value * 10 }
  }

  /// A decimal number as `Float`, correctly rounded; nil if the bytes are not a number.
  ///
  /// Plain and exponent notation with up to 19 significant digits and a decimal exponent within
  /// ±22 (Python's `repr` of a Spark factor, `0.25`, `1e-05`) is converted through `Double`: the
  /// mantissa and the power of ten are exact there (or, past 2⁵³, within half a unit in the last
  /// place) and one multiplication or division keeps the result within a few units of the exact
  /// value, which a `Float` rounding decides correctly unless the value sits within those few
  /// units of a point halfway between two floats. Such ties, and everything else (`nan`, `inf`,
  /// longer digit strings, larger exponents), go through `Float(String)`.
  static func float<Bytes: RandomAccessCollection<UInt8>>(_ text: Bytes) -> Float? where Bytes.Index == Int {
    var index = text.startIndex
    let end = text.endIndex
    var negative = false
    if index < end, text[index] == 0x2D || text[index] == 0x2B {
      negative = text[index] == 0x2D
      index += 1
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0, digits = 0, exponent = 0
    var sawPoint = false
    scan: while index < end {
      let byte = text[index]
      let digit = byte &- 0x30
      if digit < 10 {
        digits += 1
        if mantissa == 0 && digit == 0 {
          if sawPoint { exponent -= 1 }
        } else if significantDigits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(digit)
          significantDigits += 1
          if sawPoint { exponent -= 1 }
        } else {
          return slowFloat(text)
        }
      } else if byte == 0x2E, !sawPoint {
        sawPoint = true
      } else {
        break scan
      }
      index += 1
    }
    guard digits > 0 else { return slowFloat(text) }
    if index < end, text[index] | 0x20 == 0x65 {  // e or E
      index += 1
      var exponentNegative = false
      if index < end, text[index] == 0x2D || text[index] == 0x2B {
        exponentNegative = text[index] == 0x2D
        index += 1
      }
      var written = 0, exponentDigits = 0
      while index < end, case let digit = text[index] &- 0x30, digit < 10, exponentDigits < 4 {
        written = written * 10 + Int(digit)
        exponentDigits += 1
        index += 1
      }
      guard exponentDigits > 0 else { return slowFloat(text) }
      exponent += exponentNegative ? -written : written
    }
    guard index == end else { return slowFloat(text) }
    if mantissa == 0 { return 0 }
    guard exponent >= -22, exponent <= 22 else { return slowFloat(text) }
    var value = Double(mantissa)
    value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
    // Below 2⁵³ the mantissa is exact and `value` is the correctly rounded double; above, two
    // roundings leave it within 2 units in the last place of the exact value.
    let tolerance: UInt64 = mantissa < 1 << 53 ? 0 : 8
    guard value >= 1e-37, value <= 1e38 else { return slowFloat(text) }
    // The 29 low bits are what a Float drops; 1 << 28 there is a float midpoint.
    let dropped = value.bitPattern & (1 << 29 - 1)
    let distance = dropped > 1 << 28 ? dropped - 1 << 28 : 1 << 28 - dropped
    guard distance > tolerance else { return slowFloat(text) }
    let rounded = Float(value)
    return negative ? -rounded : rounded
  }

  private static func slowFloat<Bytes: Collection<UInt8>>(_ text: Bytes) -> Float? {
    Float(String(decoding: text, as: UTF8.self))
  }

  /// Seconds since 1970 from an integer or decimal number (truncated toward zero) or an ISO 8601
  /// date (`2024-05-01`, `2024-05-01T12:00:00Z`, with optional fraction and UTC offset); nil if
  /// neither.
  static func timestamp(_ text: ArraySlice<UInt8>) -> Int64? {
    guard !text.isEmpty else { return nil }
    if text.count <= 18 {
      // Fast path: up to 18 plain digits cannot overflow.
      var value: Int64 = 0
      var allDigits = true
      for byte in text {
        let digit = byte &- 0x30
        if digit > 9 {
          allDigits = false
          break
        }
        value = value &* 10 &+ Int64(digit)
      }
      if allDigits { return value }
    }
    if text.count >= 10, text[text.startIndex + 4] == 0x2D, text[text.startIndex].digitValue != nil {
      return isoDate(text)
    }
    var index = text.startIndex
    var negative = false
    if text[index] == 0x2D || text[index] == 0x2B {
      negative = text[index] == 0x2D
      index += 1
    }
    var magnitude: UInt64 = 0
    var digits = 0
    var simple = true
    while index < text.endIndex {
      guard let digit = text[index].digitValue else { break }
      let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
      if overflow1 || overflow2 { return nil }
      magnitude = sum
      digits += 1
      index += 1
    }
    if index < text.endIndex, text[index] == 0x2E {
      index += 1
      while index < text.endIndex, text[index].digitValue != nil {
        digits += 1
        index += 1
      }
    }
    if index < text.endIndex { simple = false }
    if simple {
      guard digits > 0 else { return nil }
      if negative {
        guard magnitude <= Int64.min.magnitude else { return nil }
        return Int64(truncatingIfNeeded: 0 &- magnitude)
      }
      return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
    // Exponent forms such as 1.7e9.
    guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite,
          value > -9.2e18, value < 9.2e18 else { return nil }
    return Int64(value.rounded(.towardZero))
  }

  /// Seconds since 1970 of `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]][Z|±HH[:MM]]]`; a time without an
  /// offset is taken as UTC.
  private static func isoDate(_ text: ArraySlice<UInt8>) -> Int64? {
    var index = text.startIndex
    func number(_ width: Int) -> Int? {
      guard text.endIndex - index >= width else { return nil }
      var value = 0
      for _ in 0..<width {
        guard let digit = text[index].digitValue else { return nil }
        value = value * 10 + digit
        index += 1
      }
      return value
    }
    func skip(_ byte: UInt8) -> Bool {
      guard index < text.endIndex, text[index] == byte else { return false }
      index += 1
      return true
    }
    guard let year = number(4), skip(0x2D), let month = number(2), skip(0x2D), let day = number(2),
          (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
    var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
    if index == text.endIndex { return seconds }
    guard skip(0x54) || skip(0x74) || skip(.space),
          let hour = number(2), skip(0x3A), let minute = number(2),
          hour <= 23, minute <= 59 else { return nil }
    var second = 0
    if skip(0x3A) {
      guard let value = number(2), value <= 60 else { return nil }
      second = value
      if skip(0x2E) || skip(0x2C) {
        let fractionStart = index
        while index < text.endIndex, text[index].digitValue != nil { index += 1 }
        guard index > fractionStart else { return nil }
      }
    }
    seconds += Int64(hour * 3600 + minute * 60 + second)
    if index == text.endIndex { return seconds }
    if skip(0x5A) || skip(0x7A) { return index == text.endIndex ? seconds : nil }
    let sign: Int64
    if skip(0x2B) { sign = 1 } else if skip(0x2D) { sign = -1 } else { return nil }
    guard let offsetHours = number(2), offsetHours <= 23 else { return nil }
    var offsetMinutes = 0
    if index < text.endIndex {
      _ = skip(0x3A)
      guard let value = number(2), value <= 59 else { return nil }
      offsetMinutes = value
    }
    guard index == text.endIndex else { return nil }
    return seconds - sign * Int64(offsetHours * 3600 + offsetMinutes * 60)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
  private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return Int64(era * 146_097 + dayOfEra - 719_468)
  }
}
