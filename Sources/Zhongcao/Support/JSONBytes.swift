/// JSON text built as UTF-8 bytes: literals, decimal integers, escaped strings and numbers are
/// written straight into one growing buffer, without making a `String` per piece and without an
/// `Array` append per piece (the flags and corpus writers append millions of small pieces; each
/// append here reserves room once and then copies).
///
/// Every value is appended after a literal: the key before it (with its quotes, colon and the comma
/// before it), punctuation, or `""`.
package struct JSONBytes: ~Copyable {
  private var storage: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// The number of bytes written.
  package private(set) var count = 0

  /// Empty text with room for `capacity` bytes.
  package init(capacity: Int = 256) {
    self.capacity = max(capacity, 16)
    storage = .allocate(capacity: self.capacity)
  }

  deinit { storage.deallocate() }

  /// The text so far.
  package var bytes: [UInt8] { withBytes { Array($0) } }

  /// Calls `body` with the text so far.
  package func withBytes<Result, Failure: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
    try body(UnsafeBufferPointer(start: storage, count: count))
  }

  /// Removes the text, keeping the storage.
  package mutating func removeAll() { count = 0 }

  /// Appends a literal as is (JSON punctuation, keys with their quotes, `null`…).
  package mutating func append(_ literal: StaticString) {
    literal.withUTF8Buffer { append(bytes: $0) }
  }

  /// Appends a string's UTF-8 as is, without quotes or escaping.
  package mutating func appendRaw(_ text: String) {
    var text = text
    text.withUTF8 { append(bytes: $0) }
  }

  /// Appends a literal, then `value` in decimal, as `"\(value)"` writes it.
  package mutating func append(_ literal: StaticString, _ value: Int) {
    append(literal)
    reserve(20)
    if value < 0 { write(UInt8(ascii: "-")) }
    // At most 19 digits: counted first, then written from the last.
    var magnitude = value.magnitude, digits = 1
    while magnitude >= 10 {
      magnitude /= 10
      digits += 1
    }
    magnitude = value.magnitude
    for position in stride(from: count + digits - 1, through: count, by: -1) {
      storage[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
      magnitude /= 10
    }
    count += digits
  }

  /// Appends a literal, then `true` or `false`.
  package mutating func append(_ literal: StaticString, _ value: Bool) {
    append(literal)
    append(value ? "true" : "false")
  }

  /// Appends a literal, then a finite double as `"\(value)"` writes it (Swift's shortest
  /// round-trip form), and anything else as `null`.
  package mutating func append(_ literal: StaticString, number value: Double) {
    append(literal)
    if value.isFinite { appendRaw(value.description) } else { append("null") }
  }

  /// Appends a literal, then `value` as a JSON string literal: quotes, backslashes and control
  /// characters escaped (`\"`, `\\`, `\n`, `\r`, `\t`, otherwise `\u00xx` with lowercase hex),
  /// everything else, non-ASCII included, as is.
  package mutating func append(_ literal: StaticString, string value: String) {
    append(literal)
    var value = value
    value.withUTF8 { appendQuoted($0) }
  }

  /// Appends `utf8` quoted and escaped. Only ASCII needs escaping, and ASCII bytes never occur
  /// inside a multi-byte UTF-8 sequence, so the runs between escaped bytes are copied whole.
  private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
    reserve(utf8.count * 6 + 2)  // every byte escaped as \u00xx at the most
    write(UInt8(ascii: "\""))
    var plainStart = 0
    for index in utf8.indices {
      let byte = utf8[index]
      guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
      write(UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
      write(UInt8(ascii: "\\"))
      switch byte {
      case 0x22: write(UInt8(ascii: "\""))
      case 0x5C: write(UInt8(ascii: "\\"))
      case 0x0A: write(UInt8(ascii: "n"))
      case 0x0D: write(UInt8(ascii: "r"))
      case 0x09: write(UInt8(ascii: "t"))
      default:
        let hex: StaticString = "0123456789abcdef"
        write(UInt8(ascii: "u"))
        write(UInt8(ascii: "0"))
        write(UInt8(ascii: "0"))
        hex.withUTF8Buffer { digits in
          write(digits[Int(byte >> 4)])
          write(digits[Int(byte & 15)])
        }
      }
      plainStart = index + 1
    }
    write(UnsafeBufferPointer(rebasing: utf8[plainStart...]))
    write(UInt8(ascii: "\""))
  }

  private mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
    reserve(bytes.count)
    write(bytes)
  }

  /// Makes room for `extra` more bytes.
  private mutating func reserve(_ extra: Int) {
    guard count + extra > capacity else { return }
    let grown = max(count + extra, capacity * 2)
    let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
    new.initialize(from: storage, count: count)
    storage.deallocate()
    storage = new
    capacity = grown
  }

  /// Writes `bytes` into room already reserved.
  private mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress else { return }
    (storage + count).initialize(from: source, count: bytes.count)
    count += bytes.count
  }

  /// Writes `byte` into room already reserved.
  private mutating func write(_ byte: UInt8) {
    storage[count] = byte
    count += 1
  }
}
