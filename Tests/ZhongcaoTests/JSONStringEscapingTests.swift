import Foundation
import Testing
@testable import Zhongcao

/// `JSONBytes`, which the corpus writer and `recotrain trust scan --out` use, against Foundation's
/// JSON parser as the reference for strings, and `"\(value)"` for numbers.
struct JSONStringEscapingTests {
  @Test func escapedStringsParseBackToTheOriginal() throws {
    var random = TestRandom(seed: 5)
    let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "a", "种草", "😀", "é", "\u{301}", "/", "\u{2028}", " "]
    // The last ones outgrow the buffer's first capacity, all escapes and all plain.
    var samples = ["", "plain", "种草笔记 #好物分享", "quote \" and backslash \\ at the end\\",
                   String(repeating: "种\"\u{1}x\n", count: 3000), String(repeating: "\u{1}", count: 5000), String(repeating: "好", count: 5000)]
    for _ in 0..<300 {
      samples.append((0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
    }
    for text in samples {
      var line = JSONBytes(capacity: 16)
      line.append("prefix,")
      line.append("", string: text)
      #expect(line.bytes.starts(with: "prefix,\"".utf8))
      let literal = Array(line.bytes.dropFirst("prefix,".utf8.count))
      let parsed = try JSONSerialization.jsonObject(with: Data(literal), options: [.fragmentsAllowed]) as? String
      #expect(parsed == text, "\(String(decoding: literal, as: UTF8.self).debugDescription)")
    }
  }

  /// The exact escapes: the short ones for quote, backslash, LF, CR and tab, `\u00xx` in
  /// lowercase hex for the other control characters, nothing else escaped.
  @Test func escapesAreTheShortOnesThenLowercaseHex() {
    let expected = #""\u0000\u0001\u0008\t\n\u000b\u000c\r\u001a\u001f \"\\/"# + "\u{7F}种😀\""
    var line = JSONBytes()
    line.append("", string: "\u{0}\u{1}\u{8}\t\n\u{B}\u{C}\r\u{1A}\u{1F} \"\\/\u{7F}种😀")
    #expect(String(decoding: line.bytes, as: UTF8.self) == expected)
  }

  /// Every byte next to the escaping boundaries, at every position of strings up to 24 bytes
  /// (an escaper may take whole words at a time): each byte is written as it is alone (whose
  /// exact escapes the test above checks), whatever surrounds it.
  @Test func everyPositionAndBoundaryByteEscapesAsItDoesAlone() {
    func quoted(_ bytes: [UInt8]) -> String {
      var line = JSONBytes()
      line.append("", string: String(decoding: bytes, as: UTF8.self))
      return String(decoding: line.bytes, as: UTF8.self)
    }
    func alone(_ byte: UInt8) -> Substring { quoted([byte]).dropFirst().dropLast() }
    for special: UInt8 in [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F] {
      for length in 1...24 {
        for position in 0..<length {
          var bytes = (0..<length).map { UInt8(ascii: "a") &+ UInt8($0 % 26) }
          bytes[position] = special
          let expected = "\"" + bytes.map { alone($0) }.joined() + "\""
          #expect(quoted(bytes) == expected, "byte \(special) at \(position) of \(length)")
        }
      }
    }
    #expect(alone(0x22) == #"\""# && alone(0x01) == #"\u0001"# && alone(0x61) == "a")
  }

  @Test func integersAndNumbersAreWrittenAsInterpolationWritesThem() {
    var random = TestRandom(seed: 9)
    var integers: [Int] = [0, 1, -1, 9, 10, 99, 100, -100, Int.max, Int.min, Int(Int32.max), Int(Int32.min)]
    for _ in 0..<500 { integers.append(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 64)) }
    for value in integers {
      var line = JSONBytes()
      line.append("", value)
      line.append(",", value)
      #expect(String(decoding: line.bytes, as: UTF8.self) == "\(value),\(value)")
    }
    var doubles: [Double] = [0, -0.0, 1, 0.1, 1e-300, .leastNonzeroMagnitude, 1e16, 123456.789, .greatestFiniteMagnitude]
    for _ in 0..<500 { doubles.append(Double(bitPattern: random.next())) }
    for value in doubles {
      var line = JSONBytes()
      line.append("", number: value)
      #expect(String(decoding: line.bytes, as: UTF8.self) == (value.isFinite ? "\(value)" : "null"))
    }
    var line = JSONBytes()
    line.append("", true)
    line.append(",", false)
    #expect(String(decoding: line.bytes, as: UTF8.self) == "true,false")
  }
}
