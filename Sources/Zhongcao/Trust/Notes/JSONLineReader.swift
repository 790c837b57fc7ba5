import Foundation

/// A strict JSON (RFC 8259) reader over the UTF-8 bytes of one line of a JSON Lines file.
///
/// The line's UTF-8 is checked once, by the standard library, when the text the reader is made
/// with is (``init(validating:)``, or a caller that checked a whole chunk of lines at once); the
/// reader then reads the bytes once, front to back, and reports every value to a ``JSONVisitor``
/// as it goes: containers as begin and end calls, object keys, and strings and numbers as byte
/// ranges of the line (``JSONStringToken``, ``JSONNumberToken``) that the visitor decodes only
/// when it wants the value (``string(_:)`` cuts it from the checked text). A loader can so pick
/// out the fields it knows and pass over everything else without building a dictionary or a
/// single string for the fields it ignores.
///
/// Accepted: one JSON text, that is one value of any type with optional whitespace (space, tab,
/// LF, CR) around it; strings with every escape of RFC 8259 (`\uD83D\uDE00` surrogate pairs
/// included); numbers in the RFC's grammar; one leading UTF-8 byte-order mark, which RFC 8259 §8.1
/// allows a reader to ignore and Foundation's `JSONSerialization` ignores. Rejected, with the
/// byte offset of the problem (``JSONReadError``): anything else, including invalid UTF-8 (also
/// encoded surrogates and overlong forms), unescaped control characters in strings, unpaired
/// surrogate escapes, leading zeros, trailing commas, text after the value, containers nested
/// deeper than ``maximumDepth``, and numbers too large for a `Double` (`1e400`). Numbers get the
/// values `JSONSerialization` gives them (``JSONNumberToken/foundationValue(of:)``).
///
/// Duplicate keys are all reported, in order; a visitor that keeps the last value of a key gets
/// what `JSONSerialization` gives.
///
/// Where it differs from swift-corelibs-foundation's `JSONSerialization` (checked by the tests):
/// - trailing commas (`[1,]`, `{"a": 1,}`): `JSONSerialization` accepts them, RFC 8259 does not,
///   and neither does this reader (``JSONReadError/Reason/trailingComma``);
/// - UTF-16 and UTF-32 input (which `JSONSerialization` guesses from NUL bytes at the start):
///   JSON Lines is UTF-8 only, here such a line is invalid;
/// - a U+FEFF character at the very start of a string, or right after an escape sequence:
///   `JSONSerialization` drops it (its UTF-8 decoding strips what it takes for a byte-order mark),
///   this reader keeps it, as it keeps every other character.
///
/// Nothing here recurses, so hostile nesting cannot exhaust the stack; ``maximumDepth`` still
/// bounds it, at `JSONSerialization`'s own limit, so both accept the same nesting.
struct JSONLineReader {
  /// The deepest nesting of arrays and objects accepted (`JSONSerialization`'s limit too).
  static let maximumDepth = 512

  /// The line's bytes, without the line end.
  let line: ArraySlice<UInt8>
  /// The same bytes as text: strings are made from it without checking their UTF-8 again.
  let text: Substring

  /// A reader of `line`, whose bytes `text` holds (already checked to be UTF-8).
  init(_ line: ArraySlice<UInt8>, text: Substring) {
    precondition(text.utf8.count == line.count, "the text is not the line")
    self.line = line
    self.text = text
  }

  /// A reader of `line`, after checking that it is UTF-8 (RFC 3629: no overlong forms, no encoded
  /// surrogates, nothing above U+10FFFF).
  ///
  /// - Throws: ``JSONReadError/Reason/invalidUTF8`` at the first bad byte.
  init(validating line: ArraySlice<UInt8>) throws(JSONReadError) {
    guard let text = String(validating: line, as: UTF8.self) else {
      throw JSONReadError(.invalidUTF8, at: Self.firstInvalidUTF8(in: line.span))
    }
    self.init(line, text: text[...])
  }

  /// Reads the line as one JSON text, reporting each value to `visitor` in document order.
  func read<Visitor: JSONVisitor>(into visitor: inout Visitor) throws(JSONReadError) {
    let bytes = line.span
    let end = bytes.count
    var containers = ContainerStack()
    var i = 0
    if end >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
    i = Self.skipWhitespace(bytes, from: i)
    // Each turn of the outer loop reads one value at `i`, then closes the containers that end after
    // it and moves on to the next element or member; it ends after the outermost value.
    nextValue: while true {
      guard i < end else { throw JSONReadError(.unexpectedEnd, at: i) }
      switch bytes[i] {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        let isObject = bytes[i] == UInt8(ascii: "{")
        try containers.push(object: isObject, at: i)
        if isObject { visitor.beginObject() } else { visitor.beginArray() }
        i = Self.skipWhitespace(bytes, from: i + 1)
        guard i < end && bytes[i] == UInt8(ascii: isObject ? "}" : "]") else {
          if isObject { i = try readKey(bytes, from: i, into: &visitor) }
          continue nextValue
        }
        containers.pop()
        if isObject { visitor.endObject() } else { visitor.endArray() }
        i += 1
      case UInt8(ascii: "\""):
        let token = try Self.scanString(bytes, from: i)
        visitor.string(token, in: self)
        i = token.content.upperBound + 1
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        let token = try scanNumber(bytes, from: i)
        visitor.number(token, in: self)
        i = token.text.upperBound
      case UInt8(ascii: "t"):
        try Self.expectLiteral("true", in: bytes, at: i)
        visitor.literal(.true)
        i += 4
      case UInt8(ascii: "f"):
        try Self.expectLiteral("false", in: bytes, at: i)
        visitor.literal(.false)
        i += 5
      case UInt8(ascii: "n"):
        try Self.expectLiteral("null", in: bytes, at: i)
        visitor.literal(.null)
        i += 4
      default:
        throw JSONReadError(.unexpectedCharacter, at: i)
      }
      // After a value: a comma and the next element or member, or the end of its container.
      while let isObject = containers.innermostIsObject {
        i = Self.skipWhitespace(bytes, from: i)
        guard i < end else { throw JSONReadError(.unexpectedEnd, at: i) }
        if bytes[i] == UInt8(ascii: ",") {
          let comma = i
          i = Self.skipWhitespace(bytes, from: i + 1)
          if i < end && (bytes[i] == UInt8(ascii: "]") || bytes[i] == UInt8(ascii: "}")) {
            throw JSONReadError(.trailingComma, at: comma)
          }
          if isObject { i = try readKey(bytes, from: i, into: &visitor) }
          continue nextValue
        }
        guard bytes[i] == UInt8(ascii: isObject ? "}" : "]") else { throw JSONReadError(.unexpectedCharacter, at: i) }
        containers.pop()
        if isObject { visitor.endObject() } else { visitor.endArray() }
        i += 1
      }
      break
    }
    i = Self.skipWhitespace(bytes, from: i)
    guard i == end else { throw JSONReadError(.textAfterValue, at: i) }
  }

  /// Reads `"key"` and the colon after it; returns where the member's value starts.
  private func readKey<Visitor: JSONVisitor>(_ bytes: Span<UInt8>, from start: Int, into visitor: inout Visitor)
    throws(JSONReadError) -> Int
  {
    guard start < bytes.count else { throw JSONReadError(.unexpectedEnd, at: start) }
    guard bytes[start] == UInt8(ascii: "\"") else { throw JSONReadError(.unexpectedCharacter, at: start) }
    let key = try Self.scanString(bytes, from: start)
    visitor.key(key, in: self)
    let colon = Self.skipWhitespace(bytes, from: key.content.upperBound + 1)
    guard colon < bytes.count else { throw JSONReadError(.unexpectedEnd, at: colon) }
    guard bytes[colon] == UInt8(ascii: ":") else { throw JSONReadError(.unexpectedCharacter, at: colon) }
    return Self.skipWhitespace(bytes, from: colon + 1)
  }

  /// The offset of the first byte at or after `start` that is not JSON whitespace (space, tab, LF,
  /// CR), or `bytes.count`.
  static func skipWhitespace(_ bytes: Span<UInt8>, from start: Int) -> Int {
    var i = start
    while i < bytes.count {
      switch bytes[i] {
      case 0x20, 0x0A, 0x0D, 0x09: i += 1
      default: return i
      }
    }
    return i
  }

  private static func expectLiteral(_ literal: String, in bytes: Span<UInt8>, at start: Int) throws(JSONReadError) {
    for (offset, expected) in literal.utf8.enumerated() {
      guard start + offset < bytes.count else { throw JSONReadError(.unexpectedEnd, at: start + offset) }
      guard bytes[start + offset] == expected else { throw JSONReadError(.unexpectedCharacter, at: start + offset) }
    }
  }

  // MARK: Strings

  /// Checks the string whose opening quote is at `start`: escapes, surrogate pairs, control
  /// characters (its UTF-8 was checked with the whole line).
  private static func scanString(_ bytes: Span<UInt8>, from start: Int) throws(JSONReadError) -> JSONStringToken {
    // Eight bytes at a time to the next quote, backslash or control character: the zero-byte
    // tests of "Bit Twiddling Hacks" flag them (the lowest flag is always a true one). The load is
    // bounds-checked; "unsafe" only says it reinterprets the bytes.
    let words = bytes.bytes
    var i = start + 1
    var hasEscapes = false
    while true {
      while i + 8 <= bytes.count {
        let flags = quoteBackslashOrControlFlags(words.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
        if flags != 0 {
          i += flags.trailingZeroBitCount >> 3
          break
        }
        i += 8
      }
      guard i < bytes.count else { throw JSONReadError(.unexpectedEnd, at: i) }
      switch bytes[i] {
      case UInt8(ascii: "\""):
        return JSONStringToken(content: (start + 1)..<i, hasEscapes: hasEscapes)
      case UInt8(ascii: "\\"):
        hasEscapes = true
        i = try scanEscape(bytes, at: i)
      case 0..<0x20:
        throw JSONReadError(.controlCharacterInString, at: i)
      default:
        i += 1  // the last few bytes of the line, one at a time
      }
    }
  }

  /// The high bit of each byte of `word` (first byte lowest) that is a quote, a backslash or
  /// below 0x20, and maybe of bytes above such a byte; zero when there is none.
  private static func quoteBackslashOrControlFlags(_ word: UInt64) -> UInt64 {
    let below0x20 = (word &- ones &* 0x20) & ~word & highBits
    return below0x20 | zeroByteFlags(word ^ (ones &* 0x22)) | zeroByteFlags(word ^ (ones &* 0x5C))
  }

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let highBits: UInt64 = 0x8080_8080_8080_8080

  /// The high bit of each zero byte of `word`, and maybe of bytes above a zero byte.
  private static func zeroByteFlags(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highBits }

  /// Checks the escape sequence at `start` (a backslash); returns the offset after it.
  private static func scanEscape(_ bytes: Span<UInt8>, at start: Int) throws(JSONReadError) -> Int {
    guard start + 1 < bytes.count else { throw JSONReadError(.unexpectedEnd, at: start + 1) }
    switch bytes[start + 1] {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      return start + 2
    case UInt8(ascii: "u"):
      let unit = try hexUnit(bytes, at: start + 2)
      switch unit {
      case 0xD800...0xDBFF:
        guard start + 7 < bytes.count, bytes[start + 6] == UInt8(ascii: "\\"), bytes[start + 7] == UInt8(ascii: "u"),
              case 0xDC00...0xDFFF = try hexUnit(bytes, at: start + 8)
        else { throw JSONReadError(.unpairedSurrogate, at: start) }
        return start + 12
      case 0xDC00...0xDFFF:
        throw JSONReadError(.unpairedSurrogate, at: start)
      default:
        return start + 6
      }
    default:
      throw JSONReadError(.invalidEscape, at: start)
    }
  }

  /// The four hex digits at `start`, as a UTF-16 code unit.
  private static func hexUnit(_ bytes: Span<UInt8>, at start: Int) throws(JSONReadError) -> UInt32 {
    var unit: UInt32 = 0
    for i in start..<(start + 4) {
      guard i < bytes.count else { throw JSONReadError(.unexpectedEnd, at: i) }
      let byte = bytes[i]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
      default: throw JSONReadError(.invalidEscape, at: i)
      }
      unit = unit << 4 | UInt32(digit)
    }
    return unit
  }

  /// The offset of the first byte of `bytes` that is not part of a valid UTF-8 sequence (RFC 3629),
  /// or `bytes.count`; for error messages.
  static func firstInvalidUTF8(in bytes: Span<UInt8>) -> Int {
    var i = 0
    while i < bytes.count {
      let lead = bytes[i]
      let length: Int
      var second: ClosedRange<UInt8> = 0x80...0xBF
      switch lead {
      case 0..<0x80: length = 1
      case 0xC2...0xDF: length = 2
      case 0xE0: length = 3; second = 0xA0...0xBF
      case 0xED: length = 3; second = 0x80...0x9F
      case 0xE1...0xEF: length = 3
      case 0xF0: length = 4; second = 0x90...0xBF
      case 0xF4: length = 4; second = 0x80...0x8F
      case 0xF1...0xF3: length = 4
      default: return i
      }
      guard i + length <= bytes.count else { return i }
      if length > 1 {
        guard second.contains(bytes[i + 1]) else { return i }
        for continuation in (i + 2)..<(i + length) where bytes[continuation] & 0xC0 != 0x80 { return i }
      }
      i += length
    }
    return i
  }

  /// The text at byte offsets `range` of the line (which start and end at characters).
  func substring(_ range: Range<Int>) -> Substring {
    let utf8 = text.utf8
    let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    return Substring(utf8[lower..<utf8.index(lower, offsetBy: range.count)])
  }

  /// The string `token` stands for, escapes decoded; made from the checked text, so its UTF-8 is
  /// not checked again.
  func string(_ token: JSONStringToken) -> String {
    guard token.hasEscapes else {
      // Short strings are stored inline, and checking their few bytes again costs less than a substring.
      if token.content.count <= 15 {
        return line.span.extracting(token.content).withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
      }
      return String(substring(token.content))
    }
    let bytes = line.span
    var result = ""
    result.reserveCapacity(token.content.count)
    var plainStart = token.content.lowerBound
    var i = plainStart
    while true {
      i = Self.firstBackslash(in: bytes, from: i, to: token.content.upperBound)
      guard i < token.content.upperBound else { break }
      result += substring(plainStart..<i)
      let escaped = bytes[i + 1]
      i += 2
      switch escaped {
      case UInt8(ascii: "b"): result += "\u{08}"
      case UInt8(ascii: "f"): result += "\u{0C}"
      case UInt8(ascii: "n"): result += "\n"
      case UInt8(ascii: "r"): result += "\r"
      case UInt8(ascii: "t"): result += "\t"
      case UInt8(ascii: "u"):
        // Checked by scanString: four hex digits, and a high surrogate is followed by a low one.
        var value = (try? Self.hexUnit(bytes, at: i)) ?? 0xFFFD
        i += 4
        if (0xD800...0xDBFF).contains(value) {
          let low = (try? Self.hexUnit(bytes, at: i + 2)) ?? 0xDC00
          value = 0x10000 + (value - 0xD800) << 10 + (low - 0xDC00)
          i += 6
        }
        result.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
      default:
        result.unicodeScalars.append(Unicode.Scalar(escaped))  // " \ /
      }
      plainStart = i
    }
    result += substring(plainStart..<token.content.upperBound)
    return result
  }

  /// The offset of the first backslash in `bytes[start..<end]`, or `end`; eight bytes at a time.
  private static func firstBackslash(in bytes: Span<UInt8>, from start: Int, to end: Int) -> Int {
    let words = bytes.bytes
    var i = start
    while i + 8 <= end {
      let flags = zeroByteFlags(words.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian ^ (ones &* 0x5C))
      if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
      i += 8
    }
    while i < end && bytes[i] != UInt8(ascii: "\\") { i += 1 }
    return i
  }

  // MARK: Numbers

  /// Checks the number at `start` against RFC 8259's grammar and `Double`'s range.
  private func scanNumber(_ bytes: Span<UInt8>, from start: Int) throws(JSONReadError) -> JSONNumberToken {
    var i = start
    let negative = bytes[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    guard i < bytes.count else { throw JSONReadError(.unexpectedEnd, at: i) }
    var magnitude: Int64 = 0
    let integerStart = i
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
      if i < bytes.count, Self.isDigit(bytes[i]) { throw JSONReadError(.leadingZero, at: integerStart) }
    } else {
      guard Self.isDigit(bytes[i]) else { throw JSONReadError(.unexpectedCharacter, at: i) }
      while i < bytes.count, Self.isDigit(bytes[i]) {
        if i - integerStart < 18 { magnitude = magnitude &* 10 &+ Int64(bytes[i] &- UInt8(ascii: "0")) }
        i += 1
      }
    }
    let integerDigits = i - integerStart
    var isInteger = true
    if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
      isInteger = false
      i = try Self.digits(bytes, from: i + 1)
    }
    if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
      isInteger = false
      i += 1
      if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
      i = try Self.digits(bytes, from: i)
    }
    var token = JSONNumberToken(text: start..<i, integer: nil)
    if isInteger && integerDigits <= 18 {
      token.integer = negative ? -magnitude : magnitude
    } else if JSONNumberToken.foundationValue(of: token.text(in: line)) == nil {
      // JSONSerialization: "Number 1e400 is not representable in Swift."
      throw JSONReadError(.numberOutOfRange, at: start)
    }
    return token
  }

  /// Skips one or more digits at `start`.
  private static func digits(_ bytes: Span<UInt8>, from start: Int) throws(JSONReadError) -> Int {
    guard start < bytes.count else { throw JSONReadError(.unexpectedEnd, at: start) }
    guard isDigit(bytes[start]) else { throw JSONReadError(.unexpectedCharacter, at: start) }
    var i = start + 1
    while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    return i
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}

/// Receives the values of a line from ``JSONLineReader/read(into:)``, in document order.
///
/// An object is `beginObject`, then for each member `key` and the member's value, then
/// `endObject`; an array is `beginArray`, its elements, `endArray`.
protocol JSONVisitor {
  /// An object starts.
  mutating func beginObject()
  /// The current object ends.
  mutating func endObject()
  /// An array starts.
  mutating func beginArray()
  /// The current array ends.
  mutating func endArray()
  /// An object member's key, read by `reader`; its value follows.
  mutating func key(_ key: JSONStringToken, in reader: JSONLineReader)
  /// A string value, read by `reader`.
  mutating func string(_ string: JSONStringToken, in reader: JSONLineReader)
  /// A number value, read by `reader`.
  mutating func number(_ number: JSONNumberToken, in reader: JSONLineReader)
  /// `true`, `false` or `null`.
  mutating func literal(_ literal: JSONLiteral)
}

/// A checked JSON string in a line: where its content is, and whether it has escapes.
struct JSONStringToken: Hashable, Sendable {
  /// The bytes between the quotes, as offsets into the line.
  var content: Range<Int>
  /// Whether the content has backslash escapes; without them it is the string's UTF-8 as is.
  var hasEscapes: Bool
}

/// A checked JSON number in a line.
struct JSONNumberToken: Hashable, Sendable {
  /// The number's text, as offsets into the line.
  var text: Range<Int>
  /// The value, for an integer literal of at most 18 digits (so it fits an `Int64`).
  var integer: Int64?

  /// The literal as written.
  func text(in line: ArraySlice<UInt8>) -> String {
    let start = line.startIndex
    return String(decoding: line[(start + text.lowerBound)..<(start + text.upperBound)], as: UTF8.self)
  }

  /// The value as `NSNumber.doubleValue` gives it for what `JSONSerialization` parsed (see
  /// ``foundationValue(of:)``).
  func double(in line: ArraySlice<UInt8>) -> Double {
    if let integer { return Double(integer) }
    return Self.foundationValue(of: text(in: line))?.double ?? .nan
  }

  /// The value `JSONSerialization` gives a number literal: its `NSNumber`'s `doubleValue`, and its
  /// `int64Value` when it holds an integer or a decimal (nil when it holds a `Double`); nil when
  /// `JSONSerialization` rejects the literal ("not representable in Swift").
  ///
  /// Foundation reads an integer literal into an `Int64` or `UInt64` when it fits; a literal with
  /// more than 17 characters before a lowercase `e` and an exponent within ±127 into a `Decimal`,
  /// whose `doubleValue` is not always the nearest `Double` (`1700000000.12345678` gives
  /// 1700000000.1234565); anything else into a `Double`, which must be finite. Kept as is, so that
  /// loaded values stay what they were.
  static func foundationValue(of text: String) -> (double: Double, int64: Int64?)? {
    let exponent = text.firstIndex(of: "e")
    let digitCount = text.utf8.distance(from: text.startIndex, to: exponent ?? text.endIndex)
    if !text.contains(".") && exponent == nil {
      if text.hasPrefix("-") {
        if digitCount <= 19, let value = Int64(text) { return (Double(value), value) }
      } else if digitCount <= 20, let value = UInt64(text) {
        return (Double(value), Int64(truncatingIfNeeded: value))
      }
    }
    let power = exponent.flatMap { Int(text[text.index(after: $0)...]) } ?? 0
    if digitCount > 17, (-128...127).contains(power), let decimal = Decimal(string: text), decimal.isFinite {
      let number = NSDecimalNumber(decimal: decimal)
      return (number.doubleValue, number.int64Value)
    }
    guard let double = Double(text), double.isFinite else { return nil }
    return (double, nil)
  }
}

/// `true`, `false` or `null`.
enum JSONLiteral: Hashable, Sendable {
  case `true`, `false`, null
}

/// Why a line is not valid JSON, and where.
struct JSONReadError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  enum Reason: Hashable, Sendable {
    case unexpectedEnd, unexpectedCharacter, textAfterValue, trailingComma, tooDeep
    case invalidUTF8, controlCharacterInString, invalidEscape, unpairedSurrogate
    case leadingZero, numberOutOfRange
  }

  /// What is wrong.
  var reason: Reason
  /// The byte offset in the line (0-based) where the problem is.
  var offset: Int

  /// An error at byte `offset`.
  init(_ reason: Reason, at offset: Int) {
    self.reason = reason
    self.offset = offset
  }

  /// What is wrong, with a 1-based byte column.
  var description: String {
    let what = switch reason {
    case .unexpectedEnd: "the line ends inside a value"
    case .unexpectedCharacter: "unexpected character"
    case .textAfterValue: "text after the JSON value"
    case .trailingComma: "trailing comma"
    case .tooDeep: "arrays and objects nested more than \(JSONLineReader.maximumDepth) deep"
    case .invalidUTF8: "invalid UTF-8"
    case .controlCharacterInString: "unescaped control character in a string"
    case .invalidEscape: "invalid escape sequence"
    case .unpairedSurrogate: "unpaired UTF-16 surrogate escape"
    case .leadingZero: "number with a leading zero"
    case .numberOutOfRange: "number too large for a Double"
    }
    return "\(what) at byte \(offset + 1)"
  }
}

/// Which open containers are objects, innermost last; no allocation up to 64 levels.
private struct ContainerStack {
  private var depth = 0
  private var low: UInt64 = 0
  private var high: [Bool] = []

  /// Whether the innermost open container is an object; nil at the top level.
  var innermostIsObject: Bool? {
    guard depth > 0 else { return nil }
    return depth <= 64 ? low >> UInt64(depth - 1) & 1 == 1 : high[depth - 65]
  }

  mutating func push(object: Bool, at offset: Int) throws(JSONReadError) {
    guard depth < JSONLineReader.maximumDepth else { throw JSONReadError(.tooDeep, at: offset) }
    if depth < 64 {
      let bit: UInt64 = 1 << UInt64(depth)
      low = object ? low | bit : low & ~bit
    } else {
      high.removeSubrange((depth - 64)...)
      high.append(object)
    }
    depth += 1
  }

  mutating func pop() { depth -= 1 }
}
