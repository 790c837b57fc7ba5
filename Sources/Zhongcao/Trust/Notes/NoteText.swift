/// How ``NoteLoader`` reads tags, display counts and date strings.
///
/// The rules are those the loader always had, in Foundation's and the standard library's terms:
/// tags are `split(separator: ",")` (by grapheme clusters), each `trimmingCharacters(in:
/// .whitespaces)` (by Unicode scalars), one leading `#` or `＃` character dropped, empties
/// dropped. The common cases are decided on the UTF-8 bytes (valid UTF-8, as the loader checked);
/// whatever the byte-level shortcut cannot decide exactly (a comma with a combining mark on it, a
/// tag that needs trimming) goes through those `String` operations.
enum NoteText {
  /// Whether `scalar` is in Foundation's `CharacterSet.whitespaces`: tab and the space
  /// separators (category Zs), and, as Foundation has it, U+200B ZERO WIDTH SPACE.
  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
    default: false
    }
  }

  /// `text` without leading and trailing ``isWhitespace(_:)`` scalars, as
  /// `text.trimmingCharacters(in: .whitespaces)` gives it.
  static func trimmingWhitespace(_ text: some StringProtocol) -> Substring {
    var scalars = Substring(text).unicodeScalars[...]
    while let first = scalars.first, isWhitespace(first) { scalars.removeFirst() }
    while let last = scalars.last, isWhitespace(last) { scalars.removeLast() }
    return Substring(scalars)
  }

  /// A tag as the loader keeps it: trimmed, one leading `#` or `＃` dropped; nil if nothing is left.
  static func cleanedTag(_ tag: some StringProtocol) -> String? {
    var tag = trimmingWhitespace(tag)
    if tag.hasPrefix("#") || tag.hasPrefix("＃") { tag = tag.dropFirst() }
    return tag.isEmpty ? nil : String(tag)
  }

  /// Appends the tag whose valid UTF-8 is `bytes`, cleaned as ``cleanedTag(_:)`` does, unless
  /// nothing is left.
  static func appendTag(_ bytes: Span<UInt8>, to tags: inout [String]) {
    guard !bytes.isEmpty else { return }
    // Only these first bytes can start whitespace (tab, space, C2 A0, E1 9A 80, E2 80 80…, E3 80
    // 80) or a # (23, EF BC 83), and only these last bytes can end whitespace; most tags have
    // neither and need no look at their scalars.
    var mayNeedCleaning: Bool
    switch bytes[0] {
    case 0x09, 0x20, 0x23, 0xC2, 0xE1, 0xE2, 0xE3, 0xEF: mayNeedCleaning = true
    default: mayNeedCleaning = false
    }
    switch bytes[bytes.count - 1] {
    case 0x09, 0x20, 0x80...0x8B, 0x9F, 0xA0, 0xAF: mayNeedCleaning = true
    default: break
    }
    if mayNeedCleaning {
      let first = scalar(startingAt: 0, in: bytes), last = scalar(endingAt: bytes.count, in: bytes)
      if isWhitespace(first) || first == "#" || first == "＃" || isWhitespace(last) {
        if let cleaned = cleanedTag(string(bytes)) { tags.append(cleaned) }
        return
      }
    }
    tags.append(string(bytes))  // nothing to clean
  }

  /// The string whose UTF-8 is `bytes` (the pointer lives only for the copy).
  static func string(_ bytes: Span<UInt8>) -> String {
    bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
  }

  /// Appends the tags of the comma-separated list whose valid UTF-8 is `bytes`, each as
  /// ``appendTag(_:to:)`` does.
  ///
  /// `split(separator: ",")` splits only at commas that are grapheme clusters of their own. A
  /// comma is one when the scalar before it is not a prepended concatenation mark and the one after
  /// it neither a combining mark nor a joiner; ASCII and CJK ideographs (U+4000–U+9FFF, lead bytes
  /// E4–E9) are neither, so commas between them are split here, and any other list is split by
  /// the standard library.
  static func appendTags(commaSeparated bytes: Span<UInt8>, to tags: inout [String]) {
    func isPlain(_ lead: UInt8) -> Bool { lead < 0x80 || (0xE4...0xE9).contains(lead) }
    var commas = 0
    for index in 0..<bytes.count where bytes[index] == UInt8(ascii: ",") {
      let plainBefore = index == 0 || bytes[index - 1] < 0x80 || (index >= 3 && (0xE4...0xE9).contains(bytes[index - 3]))
      guard plainBefore && (index + 1 == bytes.count || isPlain(bytes[index + 1])) else {
        for piece in string(bytes).split(separator: ",") {
          if let cleaned = cleanedTag(piece) { tags.append(cleaned) }
        }
        return
      }
      commas += 1
    }
    tags.reserveCapacity(tags.count + commas + 1)
    var pieceStart = 0
    for index in 0..<bytes.count where bytes[index] == UInt8(ascii: ",") {
      appendTag(bytes.extracting(pieceStart..<index), to: &tags)
      pieceStart = index + 1
    }
    appendTag(bytes.extracting(pieceStart...), to: &tags)
  }

  /// The scalar whose valid UTF-8 starts at `start`.
  private static func scalar(startingAt start: Int, in bytes: Span<UInt8>) -> Unicode.Scalar {
    let lead = bytes[start]
    guard lead >= 0x80 else { return Unicode.Scalar(lead) }
    let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    var value = UInt32(lead) & (0x7F >> length)
    for index in (start + 1)..<(start + length) { value = value << 6 | UInt32(bytes[index] & 0x3F) }
    return Unicode.Scalar(value) ?? "\u{FFFD}"
  }

  /// The scalar whose valid UTF-8 ends just before `end`.
  private static func scalar(endingAt end: Int, in bytes: Span<UInt8>) -> Unicode.Scalar {
    var start = end - 1
    while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
    return scalar(startingAt: start, in: bytes)
  }

  /// A display count (`123`, `1,234`, `1.2万`, `3亿`, `10+`, `1.5w`, `2k`), given as valid UTF-8
  /// → the count; nil for anything else.
  ///
  /// The rules: trim whitespace (``isWhitespace(_:)``), drop every comma, then one trailing `+`,
  /// then one trailing multiplier (万 w W ×10⁴, 亿 ×10⁸, k K and the Kelvin sign K, which Swift
  /// takes for K, ×10³); what is left must be ASCII digits and dots that `Double` reads, and the
  /// rounded product below 9·10¹⁵.
  static func count(_ bytes: Span<UInt8>) -> Int? {
    // The usual case, plain digits, without the general rules' copy.
    guard (1...15).contains(bytes.count) else { return count(string(bytes)[...]) }
    var value = 0
    for index in 0..<bytes.count {
      let digit = bytes[index] &- UInt8(ascii: "0")
      guard digit < 10 else { return count(string(bytes)[...]) }
      value = value * 10 + Int(digit)
    }
    return value
  }

  private static func count(_ text: Substring) -> Int? {
    let bytes = Array(trimmingWhitespace(text).utf8.lazy.filter { $0 != UInt8(ascii: ",") })
    var end = bytes.count
    if end > 0 && bytes[end - 1] == UInt8(ascii: "+") { end -= 1 }
    var scale = 1.0
    if end > 0 {
      switch bytes[end - 1] {
      case UInt8(ascii: "w"), UInt8(ascii: "W"): (scale, end) = (1e4, end - 1)
      case UInt8(ascii: "k"), UInt8(ascii: "K"): (scale, end) = (1e3, end - 1)
      case 0x80...:
        guard end >= 3 else { return nil }
        switch (bytes[end - 3], bytes[end - 2], bytes[end - 1]) {
        case (0xE4, 0xB8, 0x87): scale = 1e4  // 万
        case (0xE4, 0xBA, 0xBF): scale = 1e8  // 亿
        case (0xE2, 0x84, 0xAA): scale = 1e3  // K KELVIN SIGN
        default: return nil
        }
        end -= 3
      default: break
      }
    }
    var integer = 0, hasDot = false
    for byte in bytes[..<end] {
      if byte &- UInt8(ascii: "0") < 10 {
        integer = integer &* 10 &+ Int(byte &- UInt8(ascii: "0"))
      } else if byte == UInt8(ascii: ".") {
        hasDot = true
      } else {
        return nil
      }
    }
    let value: Double
    if !hasDot && end > 0 && end <= 15 {
      value = Double(integer)  // exact, as Double(text) would give
    } else {
      guard let parsed = Double(String(decoding: bytes[..<end], as: UTF8.self)) else { return nil }
      value = parsed
    }
    guard value.isFinite, value >= 0 else { return nil }
    let scaled = (value * scale).rounded()
    guard scaled < 9.0e15 else { return nil }
    return Int(scaled)
  }
}
