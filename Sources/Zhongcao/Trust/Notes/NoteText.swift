/// How ``NoteLoader`` reads tags, display counts and date strings, on the UTF-8 of a field.
///
/// The rules are those the loader always had, in Foundation's and the standard library's terms:
/// tags are `split(separator: ",")` (by grapheme clusters), each `trimmingCharacters(in:
/// .whitespaces)` (by Unicode scalars), one leading `#` or `＃` character dropped, empties
/// dropped. The common cases are done on the bytes without intermediate strings; whatever the
/// byte-level shortcut cannot decide exactly (a comma with a combining mark on it, a tag that
/// needs trimming) goes through those `String` operations. All input is valid UTF-8.
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
  static func trimmingWhitespace(_ text: String) -> Substring {
    let scalars = text.unicodeScalars
    var start = scalars.startIndex, end = scalars.endIndex
    while start < end && isWhitespace(scalars[start]) { scalars.formIndex(after: &start) }
    while end > start && isWhitespace(scalars[scalars.index(before: end)]) { scalars.formIndex(before: &end) }
    return Substring(scalars[start..<end])
  }

  /// A tag as the loader keeps it: trimmed, one leading `#` or `＃` dropped; nil if nothing is left.
  static func cleanedTag(_ tag: String) -> String? {
    var tag = String(trimmingWhitespace(tag))
    if tag.hasPrefix("#") || tag.hasPrefix("＃") { tag = String(tag.dropFirst()) }
    return tag.isEmpty ? nil : tag
  }

  /// Appends the tag `bytes`, cleaned as ``cleanedTag(_:)`` does, unless nothing is left.
  static func appendTag(_ bytes: ArraySlice<UInt8>, to tags: inout [String]) {
    guard let first = scalar(at: bytes.startIndex, in: bytes), let last = scalar(endingAt: bytes.endIndex, in: bytes) else {
      return
    }
    if isWhitespace(first.scalar) || first.scalar == "#" || first.scalar == "＃" || isWhitespace(last.scalar) {
      if let tag = cleanedTag(String(decoding: bytes, as: UTF8.self)) { tags.append(tag) }
    } else {
      tags.append(String(decoding: bytes, as: UTF8.self))
    }
  }

  /// Appends the tags of a comma-separated list, each as ``appendTag(_:to:)`` does.
  ///
  /// `split(separator: ",")` splits only at commas that are grapheme clusters of their own. A
  /// comma is one when the scalar before it is not a prepended concatenation mark and the one after
  /// it neither a combining mark nor a joiner; ASCII and CJK ideographs (U+4000–U+9FFF) are neither, so
  /// commas between them are split here, and any other list is split by the standard library.
  static func appendTags(commaSeparated bytes: ArraySlice<UInt8>, to tags: inout [String]) {
    func isPlain(_ lead: UInt8) -> Bool { lead < 0x80 || (0xE4...0xE9).contains(lead) }
    for comma in bytes.indices where bytes[comma] == UInt8(ascii: ",") {
      let before = comma == bytes.startIndex || bytes[comma - 1] < 0x80
        || (comma - 3 >= bytes.startIndex && (0xE4...0xE9).contains(bytes[comma - 3]))
      let after = comma + 1 == bytes.endIndex || isPlain(bytes[comma + 1])
      guard before && after else {
        for piece in String(decoding: bytes, as: UTF8.self).split(separator: ",") {
          if let tag = cleanedTag(String(piece)) { tags.append(tag) }
        }
        return
      }
    }
    var start = bytes.startIndex
    for comma in bytes.indices where bytes[comma] == UInt8(ascii: ",") {
      appendTag(bytes[start..<comma], to: &tags)
      start = comma + 1
    }
    appendTag(bytes[start...], to: &tags)
  }

  /// A display count (`123`, `1,234`, `1.2万`, `3亿`, `10+`, `1.5w`, `2k`) → the count; nil for
  /// anything else.
  ///
  /// The rules: trim whitespace (``isWhitespace(_:)``), drop every comma, then one trailing `+`,
  /// then one trailing multiplier (万 w W ×10⁴, 亿 ×10⁸, k K and the Kelvin sign K, which Swift
  /// takes for K, ×10³); what is left must be ASCII digits and dots that `Double` reads, and the
  /// rounded product below 9·10¹⁵.
  static func count(_ bytes: ArraySlice<UInt8>) -> Int? {
    var start = bytes.startIndex, end = bytes.endIndex
    while let first = scalar(at: start, in: bytes[start..<end]), isWhitespace(first.scalar) { start += first.length }
    while let last = scalar(endingAt: end, in: bytes[start..<end]), isWhitespace(last.scalar) { end -= last.length }
    func lastNonComma(before end: Int) -> Int? {
      bytes[start..<end].lastIndex { $0 != UInt8(ascii: ",") }
    }
    if let last = lastNonComma(before: end), bytes[last] == UInt8(ascii: "+") { end = last }
    var scale = 1.0
    if let last = lastNonComma(before: end) {
      switch bytes[last] {
      case UInt8(ascii: "w"), UInt8(ascii: "W"): scale = 1e4
      case UInt8(ascii: "k"), UInt8(ascii: "K"): scale = 1e3
      case 0x80...:
        switch last - 2 >= start ? (bytes[last - 2], bytes[last - 1], bytes[last]) : (0, 0, 0) {
        case (0xE4, 0xB8, 0x87): scale = 1e4  // 万
        case (0xE4, 0xBA, 0xBF): scale = 1e8  // 亿
        case (0xE2, 0x84, 0xAA): scale = 1e3  // K KELVIN SIGN
        default: return nil
        }
      default: break
      }
      if scale != 1 { end = bytes[last] < 0x80 ? last : last - 2 }
    }
    var integer = 0, digits = 0, hasDot = false
    for byte in bytes[start..<end] where byte != UInt8(ascii: ",") {
      if byte &- UInt8(ascii: "0") < 10 {
        if digits < 18 { integer = integer * 10 + Int(byte &- UInt8(ascii: "0")) }
        digits += 1
      } else if byte == UInt8(ascii: ".") {
        hasDot = true
      } else {
        return nil
      }
    }
    let value: Double
    if !hasDot && digits > 0 && digits <= 15 {
      value = Double(integer)  // exact, as Double(text) would give
    } else {
      var text = ""
      for byte in bytes[start..<end] where byte != UInt8(ascii: ",") { text.unicodeScalars.append(Unicode.Scalar(byte)) }
      guard let parsed = Double(text) else { return nil }
      value = parsed
    }
    guard value.isFinite, value >= 0 else { return nil }
    let scaled = (value * scale).rounded()
    guard scaled < 9.0e15 else { return nil }
    return Int(scaled)
  }

  /// The scalar that starts at `index` of valid UTF-8, and its length in bytes; nil at the end.
  private static func scalar(at index: Int, in bytes: ArraySlice<UInt8>) -> (scalar: Unicode.Scalar, length: Int)? {
    guard index < bytes.endIndex else { return nil }
    let lead = bytes[index]
    let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    guard index + length <= bytes.endIndex else { return nil }
    var value = length == 1 ? UInt32(lead) : UInt32(lead) & (0xFF >> (length + 1))
    for i in (index + 1)..<(index + length) { value = value << 6 | UInt32(bytes[i] & 0x3F) }
    return Unicode.Scalar(value).map { ($0, length) }
  }

  /// The scalar that ends just before `end` in valid UTF-8, and its length; nil at the start.
  private static func scalar(endingAt end: Int, in bytes: ArraySlice<UInt8>) -> (scalar: Unicode.Scalar, length: Int)? {
    var start = end - 1
    while start > bytes.startIndex && bytes[start] & 0xC0 == 0x80 { start -= 1 }
    guard start >= bytes.startIndex else { return nil }
    return scalar(at: start, in: bytes)
  }
}
