/// JSON text built as UTF-8 bytes: literals, decimal integers, escaped strings and numbers are
/// appended straight to a byte array, without making a `String` per piece (the flags and corpus
/// writers append millions of small pieces).
package struct JSONBytes {
  /// The text so far.
  package var bytes: [UInt8] = []

  /// Empty text with room for `capacity` bytes.
  package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Removes the text, keeping the storage.
  package mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  /// Appends a literal as is (JSON punctuation, keys with their quotes, `null`…).
  package mutating func append(_ literal: StaticString) {
    literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// Appends a string's UTF-8 as is, without quotes or escaping.
  package mutating func appendRaw(_ text: String) { bytes.append(contentsOf: text.utf8) }

  /// Appends `value` in decimal, as `"\(value)"` writes it.
  package mutating func append(_ value: Int) { append(Int64(value)) }

  /// Appends `value` in decimal, as `"\(value)"` writes it.
  package mutating func append(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    // At most 19 digits; written backwards into a fixed buffer, then appended in one call.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var start = 20
      repeat {
        start -= 1
        digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
    }
  }

  /// Appends `true` or `false`.
  package mutating func append(_ value: Bool) { append(value ? "true" : "false") }

  /// Appends a finite double as `"\(value)"` writes it (Swift's shortest round-trip form), and
  /// anything else as `null`.
  package mutating func appendNumber(_ value: Double) {
    if value.isFinite { bytes.append(contentsOf: value.description.utf8) } else { append("null") }
  }

  /// Appends a literal (an object member's key, with the comma before it) and then `value` as a
  /// JSON string literal.
  package mutating func append(_ literal: StaticString, string value: String) {
    append(literal)
    appendString(value)
  }

  /// Appends a literal and then `value` in decimal.
  package mutating func append(_ literal: StaticString, _ value: Int) {
    append(literal)
    append(value)
  }

  /// Appends a literal and then `value` in decimal.
  package mutating func append(_ literal: StaticString, _ value: Int64) {
    append(literal)
    append(value)
  }

  /// Appends a literal and then `value` as ``appendNumber(_:)`` writes it.
  package mutating func append(_ literal: StaticString, number value: Double) {
    append(literal)
    appendNumber(value)
  }

  /// Appends `text` as a JSON string literal: quotes, backslashes and control characters
  /// escaped (`\"`, `\\`, `\n`, `\r`, `\t`, otherwise `\u00xx` with lowercase hex), everything
  /// else, non-ASCII included, as is.
  package mutating func appendString(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { Self.appendEscaped($0, to: &bytes) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Appends the UTF-8 `utf8` escaped for a JSON string (without the quotes). Only ASCII needs
  /// escaping, and ASCII bytes never occur inside a multi-byte UTF-8 sequence, so the runs between
  /// escaped bytes are copied whole.
  private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
    var plainStart = 0
    for index in utf8.indices {
      let byte = utf8[index]
      guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
      bytes.append(UInt8(ascii: "\\"))
      switch byte {
      case 0x22: bytes.append(UInt8(ascii: "\""))
      case 0x5C: bytes.append(UInt8(ascii: "\\"))
      case 0x0A: bytes.append(UInt8(ascii: "n"))
      case 0x0D: bytes.append(UInt8(ascii: "r"))
      case 0x09: bytes.append(UInt8(ascii: "t"))
      default:
        let hex: StaticString = "0123456789abcdef"
        bytes.append(UInt8(ascii: "u"))
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "0"))
        hex.withUTF8Buffer { digits in
          bytes.append(digits[Int(byte >> 4)])
          bytes.append(digits[Int(byte & 15)])
        }
      }
      plainStart = index + 1
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
  }
}
