import Foundation
import Testing
@testable import Zhongcao

/// A JSON value as both readers see it, compared exactly: strings by their UTF-8, numbers by the
/// bits of their `Double` (and by their integer value when both sides have one), objects as Swift
/// dictionaries (so keys compare as `[String: Any]` keys do).
enum TestJSON: Equatable {
  case null, bool(Bool)
  case number(Double, integer: Int64?)
  case string([UInt8])
  case array([TestJSON])
  case object([String: TestJSON])

  static func == (a: TestJSON, b: TestJSON) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case let (.bool(x), .bool(y)): x == y
    case let (.number(x, i), .number(y, j)): x.bitPattern == y.bitPattern && (i == nil || j == nil || i == j)
    case let (.string(x), .string(y)): x == y
    case let (.array(x), .array(y)): x == y
    case let (.object(x), .object(y)):
      Set(x.keys.map { Array($0.utf8) }) == Set(y.keys.map { Array($0.utf8) }) && x.allSatisfy { y[$0.key] == $0.value }
    default: false
    }
  }

  /// What Foundation's JSONSerialization gives, or nil when it rejects the bytes.
  static func foundation(_ bytes: [UInt8]) -> TestJSON? {
    guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
    return TestJSON(foundation: parsed)
  }

  private init(foundation value: Any) {
    switch value {
    case is NSNull: self = .null
    case let string as String: self = .string(Array(string.utf8))
    case let array as [Any]: self = .array(array.map(TestJSON.init(foundation:)))
    case let object as [String: Any]: self = .object(object.mapValues(TestJSON.init(foundation:)))
    case let number as NSNumber:
      switch String(cString: number.objCType) {
      case "c": self = .bool(number.boolValue)
      case "d", "f", "Q": self = .number(number.doubleValue, integer: nil)
      default: self = .number(number.doubleValue, integer: number.int64Value)
      }
    default: fatalError("unexpected \(type(of: value))")
    }
  }

  /// What JSONLineReader gives, assembled by ``TestJSONBuilder``.
  static func reader(_ bytes: [UInt8]) throws(JSONReadError) -> TestJSON {
    let reader = try JSONLineReader(validating: bytes[...])
    var builder = TestJSONBuilder()
    try reader.read(into: &builder)
    return builder.result!
  }
}

/// Assembles the visitor calls into a ``TestJSON``, last value of a repeated key winning.
struct TestJSONBuilder: JSONVisitor {
  private var open: [(array: [TestJSON], object: [String: TestJSON]?, key: String?)] = []
  private(set) var result: TestJSON?

  private mutating func add(_ value: TestJSON) {
    guard !open.isEmpty else { result = value; return }
    if let key = open[open.count - 1].key {
      open[open.count - 1].object![key] = value
      open[open.count - 1].key = nil
    } else {
      open[open.count - 1].array.append(value)
    }
  }

  mutating func beginObject() { open.append(([], [:], nil)) }
  mutating func beginArray() { open.append(([], nil, nil)) }
  mutating func endObject() { add(.object(open.removeLast().object!)) }
  mutating func endArray() { add(.array(open.removeLast().array)) }
  mutating func key(_ key: JSONStringToken, in reader: JSONLineReader) { open[open.count - 1].key = reader.string(key) }
  mutating func string(_ string: JSONStringToken, in reader: JSONLineReader) {
    add(.string(Array(reader.string(string).utf8)))
  }
  mutating func number(_ number: JSONNumberToken, in reader: JSONLineReader) {
    add(.number(number.double(in: reader.line), integer: number.integer))
  }
  mutating func literal(_ literal: JSONLiteral) {
    add(literal == .null ? .null : .bool(literal == .true))
  }
}

/// Random JSON texts: nested values, every escape, raw and escaped Unicode up to the astral planes,
/// numbers of every shape, random whitespace.
struct RandomJSON {
  var random: TestRandom

  mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
  mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
  mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

  mutating func whitespace() -> String {
    chance(0.6) ? "" : String((0..<int(1..<3)).map { _ in pick([" ", "\t", "\n", "\r"] as [Character]) })
  }

  /// A random scalar for a string; U+FEFF is left out (see the deliberate difference test).
  mutating func scalar() -> Unicode.Scalar {
    let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x7F...0x7FF, 0x4E00...0x9FFF,
                                        0x3000...0x30FF, 0x0300...0x036F, 0xE000...0xFFFD, 0x1F300...0x1FAFF, 0x10000...0x10FFFF]
    while true {
      let value = UInt32.random(in: pick(ranges), using: &random)
      if value != 0xFEFF, let scalar = Unicode.Scalar(value) { return scalar }
    }
  }

  mutating func hex(_ unit: UInt32) -> String {
    let digits = String(unit, radix: 16)
    let padded = String(repeating: "0", count: 4 - digits.count) + digits
    return chance(0.5) ? padded.uppercased() : padded
  }

  mutating func string() -> String {
    var text = "\""
    for _ in 0..<int(0..<10) {
      let scalar = scalar()
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case _ where scalar.value < 0x20 || chance(0.2):
        if let short = ["\u{08}": "\\b", "\u{0C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "/": "\\/"][scalar], chance(0.7) {
          text += short
        } else {
          for unit in String(scalar).utf16 { text += "\\u" + hex(UInt32(unit)) }
        }
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text + "\""
  }

  mutating func number() -> String {
    let sign = chance(0.3) ? "-" : ""
    let digits = { (count: Int, random: inout TestRandom) -> String in
      String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }
    let integer = chance(0.2) ? "0" : String(int(1..<10)) + digits(pick([0, 1, 2, 5, 12, 17, 18, 19, 25]), &random)
    var text = sign + integer
    if chance(0.3) { text += "." + digits(int(1..<20), &random) }
    if chance(0.25) { text += pick(["e", "E"]) + pick(["", "+", "-"]) + String(int(0..<280)) }
    return chance(0.05) ? pick(["-0", "0.0", "-0.0", "1e308", "1.7976931348623157e308", "4.9e-324", "2.4e-324", "1e-400",
                                "9007199254740993", "9223372036854775807", "-9223372036854775808", "18446744073709551616"])
                       : text
  }

  mutating func value(depth: Int = 0) -> String {
    let kind = depth >= 4 ? int(0..<5) : int(0..<8)
    switch kind {
    case 0: return pick(["true", "false", "null"])
    case 1, 2: return number()
    case 3, 4: return string()
    case 5, 6:
      let elements = (0..<int(0..<5)).map { _ in whitespace() + value(depth: depth + 1) + whitespace() }
      return "[" + (elements.isEmpty ? whitespace() : elements.joined(separator: ",")) + "]"
    default:
      var keys = (0..<int(0..<5)).map { _ in string() }
      if !keys.isEmpty && chance(0.2) { keys.append(keys[0]) }  // a repeated key
      let members = keys.map { whitespace() + $0 + whitespace() + ":" + whitespace() + value(depth: depth + 1) + whitespace() }
      return "{" + (members.isEmpty ? whitespace() : members.joined(separator: ",")) + "}"
    }
  }

  /// `bytes` with one random change: a byte replaced, inserted or deleted, or the end cut off.
  mutating func corrupted(_ bytes: [UInt8]) -> [UInt8] {
    let noise: [UInt8] = Array("\"\\,:[]{} \t\n01-+.eEuatnD8".utf8) + [0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE4, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
    var bytes = bytes
    let position = int(0..<(bytes.count + 1))
    switch int(0..<4) {
    case 0 where position < bytes.count: bytes[position] = pick(noise)
    case 1: bytes.insert(pick(noise), at: position)
    case 2 where position < bytes.count: bytes.remove(at: position)
    default: bytes.removeSubrange(min(position, bytes.count)...)
    }
    return bytes
  }
}

@Suite struct JSONLineReaderTests {
  private func read(_ text: String) throws(JSONReadError) -> TestJSON { try TestJSON.reader(Array(text.utf8)) }

  private func failure(_ bytes: [UInt8]) -> JSONReadError? {
    do {
      _ = try TestJSON.reader(bytes)
      return nil
    } catch {
      return error
    }
  }

  /// The reader agrees with JSONSerialization: same value when it accepts, rejection when it
  /// rejects. The one accepted difference is a trailing comma, which only JSONSerialization takes.
  private func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let reference = TestJSON.foundation(bytes)
    let text = String(decoding: bytes, as: UTF8.self).debugDescription
    do {
      let value = try TestJSON.reader(bytes)
      #expect(reference == value, "\(text)", sourceLocation: sourceLocation)
    } catch {
      guard reference != nil else { return }
      #expect(error.reason == .trailingComma, "JSONSerialization accepts \(text), the reader says \(error)",
              sourceLocation: sourceLocation)
      let after = bytes[(error.offset + 1)...].drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
      #expect(bytes[error.offset] == UInt8(ascii: ",") && [UInt8(ascii: "]"), UInt8(ascii: "}")].contains(after.first),
              sourceLocation: sourceLocation)
    }
  }

  @Test func randomValuesReadAsJSONSerializationReadsThem() {
    var generator = RandomJSON(random: TestRandom(seed: 8259))
    for _ in 0..<1500 {
      let text = generator.whitespace() + generator.value() + generator.whitespace()
      let bytes = Array(text.utf8)
      #expect(TestJSON.foundation(bytes) != nil, "generator made invalid JSON: \(text.debugDescription)")
      expectAgreement(bytes)
    }
  }

  @Test func corruptedValuesAreRejectedWhenJSONSerializationRejectsThem() {
    var generator = RandomJSON(random: TestRandom(seed: 3629))
    var rejected = 0, total = 0
    for _ in 0..<1500 {
      var bytes = Array(generator.value().utf8)
      for _ in 0..<3 {
        bytes = generator.corrupted(bytes)
        total += 1
        if TestJSON.foundation(bytes) == nil { rejected += 1 }
        expectAgreement(bytes)
      }
    }
    #expect(rejected > total / 3, "the corruptions should mostly break the JSON (\(rejected) of \(total))")
  }

  @Test func decodesEveryEscape() throws {
    #expect(try read(#""\"\\\/\b\f\n\r\t""#) == .string(Array("\"\\/\u{08}\u{0C}\n\r\t".utf8)))
    #expect(try read(#""\u0000\u00e9\u4E2D\uFFFF""#) == .string(Array("\u{0}é中\u{FFFF}".utf8)))
    #expect(try read(#""\uD83D\uDE00 \ud83d\ude00 😀""#) == .string(Array("😀 😀 😀".utf8)))
    #expect(try read(#""\uDBFF\uDFFF""#) == .string(Array("\u{10FFFF}".utf8)))
  }

  @Test(arguments: [
    (#""\uD83D""#, JSONReadError.Reason.unpairedSurrogate),
    (#""\uD83Dx""#, .unpairedSurrogate),
    (#""\uD83D\u0041""#, .unpairedSurrogate),
    (#""\uD83D\uD83D""#, .unpairedSurrogate),
    (#""\uDE00""#, .unpairedSurrogate),
    (#""\uDE00\uD83D""#, .unpairedSurrogate),
    (#""\a""#, .invalidEscape),
    (#""\U0041""#, .invalidEscape),
    (#""\u00G1""#, .invalidEscape),
    (#""\u12""#, .invalidEscape),
    ("\"a\u{01}\"", .controlCharacterInString),
    ("\"a\nb\"", .controlCharacterInString),
    (#""abc"#, .unexpectedEnd),
    (#""\"#, .unexpectedEnd),
    ("01", .leadingZero), ("-01", .leadingZero), ("[00]", .leadingZero),
    ("1.", .unexpectedEnd), ("[1.]", .unexpectedCharacter), (".5", .unexpectedCharacter), ("-", .unexpectedEnd),
    ("+1", .unexpectedCharacter), ("1e", .unexpectedEnd), ("[1e+]", .unexpectedCharacter), ("[1.e5]", .unexpectedCharacter),
    ("[-e1]", .unexpectedCharacter), ("[1.2.3]", .unexpectedCharacter), ("[1e5.0]", .unexpectedCharacter),
    ("[0x10]", .unexpectedCharacter), ("[NaN]", .unexpectedCharacter), ("[Infinity]", .unexpectedCharacter),
    ("1e400", .numberOutOfRange), ("[-1e309]", .numberOutOfRange), ("1" + String(repeating: "0", count: 400), .numberOutOfRange),
    ("tru", .unexpectedEnd), ("True", .unexpectedCharacter), ("nul", .unexpectedEnd), ("[truex]", .unexpectedCharacter),
    ("nulls", .textAfterValue), (#"{"a":1} x"#, .textAfterValue), ("{}}", .textAfterValue), ("[1]]", .textAfterValue),
    (#"{"a" 1}"#, .unexpectedCharacter), (#"{"a":}"#, .unexpectedCharacter), ("{1:2}", .unexpectedCharacter),
    ("{'a':1}", .unexpectedCharacter), (#"["a""b"]"#, .unexpectedCharacter), ("[1 2]", .unexpectedCharacter),
    ("[1,,2]", .unexpectedCharacter), ("[,]", .unexpectedCharacter), ("{,}", .unexpectedCharacter),
    ("", .unexpectedEnd), ("  ", .unexpectedEnd), ("[", .unexpectedEnd), (#"{"a""#, .unexpectedEnd), (#"{"a":1"#, .unexpectedEnd),
    ("\u{0C}{}", .unexpectedCharacter), ("{}\u{0B}", .textAfterValue), ("{\u{A0}}", .unexpectedCharacter),
    ("{}\u{FEFF}", .textAfterValue),
  ] as [(String, JSONReadError.Reason)])
  func rejectsWhatJSONSerializationRejects(text: String, reason: JSONReadError.Reason) {
    let bytes = Array(text.utf8)
    #expect(failure(bytes)?.reason == reason, "\(text.debugDescription): \(String(describing: failure(bytes)))")
    #expect(TestJSON.foundation(bytes) == nil, "JSONSerialization accepts \(text.debugDescription)")
  }

  @Test(arguments: [
    [0xFF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
    [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80],
    [0xE4, 0xB8], [0xE4, 0x41, 0x80], [0xF0, 0x9F, 0x98], [0xC3],
  ] as [[UInt8]])
  func rejectsInvalidUTF8InStrings(sequence: [UInt8]) {
    let bytes = Array(#"["a"#.utf8) + sequence + Array(#"b"]"#.utf8)
    #expect(failure(bytes) == JSONReadError(.invalidUTF8, at: 3))
    #expect(TestJSON.foundation(bytes) == nil)
    #expect(String(validating: bytes, as: UTF8.self) == nil)
  }

  @Test func acceptsEveryValidUTF8Boundary() throws {
    let text = "\u{80}\u{7FF}\u{800}\u{FFF}\u{1000}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{3FFFF}\u{40000}\u{FFFFF}\u{100000}\u{10FFFF}"
    #expect(try read("\"\(text)\"") == .string(Array(text.utf8)))
  }

  @Test func numbersReadAsJSONSerializationReadsThem() {
    for text in ["0", "-0", "-0.0", "0.0", "1", "-1", "1.5", "1E2", "1e05", "1.0e+2", "2.5E-3", "123456789012345678",
                 "1234567890123456789", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                 "-9223372036854775809", "18446744073709551615", "18446744073709551616", "123456789012345678901",
                 "9007199254740993", "9007199254740993.0", "0.1", "1.7976931348623157e308", "1.7976931348623158e308",
                 "4.9e-324", "2.4e-324", "1e-400", "0e99999", "-999999999999999999999999999999",
                 "0.1000000000000000055511151231257827021181583404541015625", "2.2250738585072011e-308"] {
      expectAgreement(Array(text.utf8))
    }
  }

  @Test func nestingIsLimitedWithoutRecursion() {
    for open in ["[", #"{"a":"#] {
      let close = open == "[" ? "]" : "}"
      let deepest = String(repeating: open, count: JSONLineReader.maximumDepth) + "1" + String(repeating: close, count: JSONLineReader.maximumDepth)
      #expect(failure(Array(deepest.utf8)) == nil)
      #expect(TestJSON.foundation(Array(deepest.utf8)) != nil)
      let tooDeep = open + deepest + close
      #expect(failure(Array(tooDeep.utf8))?.reason == .tooDeep)
      #expect(TestJSON.foundation(Array(tooDeep.utf8)) == nil)
      // Hostile depth: rejected at the limit, not by running out of stack.
      let hostile = Array(String(repeating: open, count: 200_000).utf8)
      #expect(failure(hostile) == JSONReadError(.tooDeep, at: JSONLineReader.maximumDepth * open.utf8.count))
    }
  }

  @Test func repeatedKeysKeepTheLastValueAsJSONSerialization() throws {
    expectAgreement(Array(#"{"a": 1, "b": [2], "a": {"c": 3}}"#.utf8))
    expectAgreement(Array(#"{"id": 1, "i\u0064": 2}"#.utf8))
    expectAgreement(Array("{\"é\": 1, \"e\u{301}\": 2}".utf8))  // one key for Swift dictionaries
    #expect(try read(#"{"a": 1, "a": 2}"#) == .object(["a": .number(2, integer: 2)]))
  }

  @Test func leadingByteOrderMarkIsIgnoredAsJSONSerializationDoes() throws {
    expectAgreement([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))
    #expect(try TestJSON.reader([0xEF, 0xBB, 0xBF] + Array("[]".utf8)) == .array([]))
  }

  // MARK: Deliberate differences from JSONSerialization

  @Test func trailingCommasAreRejectedUnlikeJSONSerialization() {
    for text in ["[1,]", "[1 , ]", #"{"a":1,}"#, #"{"a":[1,],}"#, "[{},]"] {
      #expect(failure(Array(text.utf8))?.reason == .trailingComma, "\(text)")
      #expect(TestJSON.foundation(Array(text.utf8)) != nil, "JSONSerialization used to accept \(text)")
    }
  }

  @Test func byteOrderMarkCharacterStartingAStringIsKeptUnlikeJSONSerialization() throws {
    // JSONSerialization drops a U+FEFF that starts a string or follows an escape; RFC 8259 keeps it.
    for text in ["\"\u{FEFF}x\"", "\"\\u0041\u{FEFF}x\""] {
      let value = try read(text)
      #expect(value == .string(Array(text.utf8.dropFirst().dropLast()).replacing(Array("\\u0041".utf8), with: [0x41])))
      #expect(TestJSON.foundation(Array(text.utf8)) != value)
    }
  }

  @Test func utf16IsNotGuessedUnlikeJSONSerialization() {
    let utf16 = Array("{}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    #expect(TestJSON.foundation(utf16) == .object([:]))
    #expect(failure(utf16)?.reason == .unexpectedCharacter)
  }

  @Test func errorsSayWhatAndWhere() {
    #expect(failure(Array(#"{"a": tru}"#.utf8))?.description == "unexpected character at byte 10")
    #expect(failure(Array("[1,]".utf8))?.description == "trailing comma at byte 3")
    #expect(failure(Array(#"{"a": "\x"}"#.utf8))?.description == "invalid escape sequence at byte 8")
  }
}
