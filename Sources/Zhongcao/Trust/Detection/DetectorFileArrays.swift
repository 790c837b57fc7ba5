import Foundation

/// Reads a detector file faster than `JSONDecoder` alone: nearly all of a detector file is the
/// classifier's `indices` and `weights` arrays (a 1.5 MB file is 98% these two), which are read
/// here by hand, while `JSONDecoder` reads the rest, with each array replaced by `[]`.
///
/// The result is exactly what `JSONDecoder` gives for the whole file: integers as written (at most
/// 18 digits), doubles by `strtod` in the C locale, which `JSONDecoder` uses too (both round
/// correctly). Whenever the file is anything but the plain layout ``SponsoredDetector/save(to:)``
/// writes — the arrays not found exactly once where expected, an escaped key at their level, a
/// number this reader leaves to `JSONDecoder` (an index with a fraction or exponent or more than 18
/// digits, an out-of-range double), invalid UTF-8 or JSON anywhere else, another format or version —
/// ``fileContents(_:)`` returns nil and the caller reads the file with `JSONDecoder`, which gives
/// the same value or the same error as before.
///
/// Replacing the arrays keeps the text's validity: each replaced range is a whole array value of
/// numbers (checked against RFC 8259's grammar), outside any string, and `[]` is an array value too.
enum DetectorFileArrays {
  /// The contents of the detector file `data`, or nil to leave the file to `JSONDecoder`.
  static func fileContents(_ data: Data) -> SponsoredDetector.FileContents? {
    data.withUnsafeBytes { raw -> SponsoredDetector.FileContents? in
      let bytes = raw.bindMemory(to: UInt8.self)
      guard let arrays = locate(in: bytes.span) else { return nil }
      // The file with the two arrays emptied, for JSONDecoder.
      var rest = [UInt8]()
      rest.reserveCapacity(bytes.count - arrays.indices.range.count - arrays.weights.range.count + 4)
      var copied = 0
      for range in [arrays.indices.range, arrays.weights.range].sorted(by: { $0.lowerBound < $1.lowerBound }) {
        rest.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<range.lowerBound]))
        rest.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
        copied = range.upperBound
      }
      rest.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
      guard var contents = try? SponsoredDetector.fileDecoder().decode(SponsoredDetector.FileContents.self, from: Data(rest)),
            contents.format == SponsoredDetector.fileFormat, contents.version == SponsoredDetector.fileVersion,
            contents.classifier.indices.isEmpty, contents.classifier.weights.isEmpty,
            let indices = integers(in: bytes.span, arrays.indices), let weights = doubles(in: bytes, arrays.weights)
      else { return nil }
      contents.classifier.indices = indices
      contents.classifier.weights = weights
      return contents
    }
  }

  /// Where the classifier's arrays are: the byte ranges of `[…]` of `"indices"` and `"weights"` in
  /// the object that is the value of the top-level `"classifier"`; nil unless each is found once,
  /// is an array of numbers, and no key on the way is escaped.
  static func locate(in bytes: Span<UInt8>) -> (indices: ArrayValue, weights: ArrayValue)? {
    var i = JSONLineReader.skipWhitespace(bytes, from: 0)
    guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
    var depth = 0
    var key: Range<Int>?  // the last key read at depth 1, or at depth 2 in the classifier
    var inClassifier = false, classifierSeen = false
    var indices: ArrayValue?, weights: ArrayValue?
    while i < bytes.count {
      switch bytes[i] {
      case UInt8(ascii: "\""):
        var end = i + 1, escaped = false
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") {
          if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
          end += 1
        }
        guard end < bytes.count else { return nil }
        let next = JSONLineReader.skipWhitespace(bytes, from: end + 1)
        if next < bytes.count && bytes[next] == UInt8(ascii: ":") && (depth == 1 || (depth == 2 && inClassifier)) {
          guard !escaped else { return nil }
          key = (i + 1)..<end
        }
        i = end + 1
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        // Depth 1 is the top-level object and depth 2 in the classifier is its object, so a
        // container opened there is the value of the key just read.
        if depth == 2 && inClassifier && bytes[i] == UInt8(ascii: "["), let name = key,
           Self.bytes(bytes, name, are: "indices") || Self.bytes(bytes, name, are: "weights") {
          let isIndices = Self.bytes(bytes, name, are: "indices")
          guard (isIndices ? indices : weights) == nil, let array = numberArray(in: bytes, at: i) else { return nil }
          if isIndices { indices = array } else { weights = array }
          i = array.range.upperBound
          continue
        }
        if depth == 1 && bytes[i] == UInt8(ascii: "{"), let name = key, Self.bytes(bytes, name, are: "classifier") {
          guard !classifierSeen else { return nil }
          classifierSeen = true
          inClassifier = true
        }
        depth += 1
        i += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        guard depth >= 0 else { return nil }
        if depth <= 1 { inClassifier = false }
        i += 1
      default:
        i += 1
      }
    }
    guard let indices, let weights else { return nil }
    return (indices, weights)
  }

  /// An array of numbers in the file: its bytes from `[` to `]`, and where each number is.
  struct ArrayValue {
    var range: Range<Int>
    var numbers: [Range<Int>]
  }

  /// The array of numbers whose `[` is at `start`, each number checked against RFC 8259's grammar;
  /// nil if it is anything else.
  static func numberArray(in bytes: Span<UInt8>, at start: Int) -> ArrayValue? {
    var numbers: [Range<Int>] = []
    var i = JSONLineReader.skipWhitespace(bytes, from: start + 1)
    if i < bytes.count && bytes[i] == UInt8(ascii: "]") { return ArrayValue(range: start..<(i + 1), numbers: []) }
    while true {
      guard let end = numberEnd(in: bytes, from: i) else { return nil }
      numbers.append(i..<end)
      i = JSONLineReader.skipWhitespace(bytes, from: end)
      guard i < bytes.count else { return nil }
      if bytes[i] == UInt8(ascii: "]") { return ArrayValue(range: start..<(i + 1), numbers: numbers) }
      guard bytes[i] == UInt8(ascii: ",") else { return nil }
      i = JSONLineReader.skipWhitespace(bytes, from: i + 1)
    }
  }

  /// The end of the number at `start` (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`),
  /// or nil if there is none.
  static func numberEnd(in bytes: Span<UInt8>, from start: Int) -> Int? {
    func digits(from index: Int) -> Int {
      var index = index
      while index < bytes.count && bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
      return index
    }
    var i = start
    if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < bytes.count else { return nil }
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
    } else {
      let end = digits(from: i)
      guard end > i else { return nil }
      i = end
    }
    if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
      let end = digits(from: i + 1)
      guard end > i + 1 else { return nil }
      i = end
    }
    if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
      i += 1
      if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
      let end = digits(from: i)
      guard end > i else { return nil }
      i = end
    }
    // A digit right after a leading zero ("01") is not JSON.
    guard i == bytes.count || bytes[i] &- UInt8(ascii: "0") >= 10 else { return nil }
    return i
  }

  /// The array's numbers as `Int`s; nil if one has a fraction, an exponent or more than 18 digits.
  static func integers(in bytes: Span<UInt8>, _ array: ArrayValue) -> [Int]? {
    var values: [Int] = []
    values.reserveCapacity(array.numbers.count)
    for number in array.numbers {
      let negative = bytes[number.lowerBound] == UInt8(ascii: "-")
      let digits = (negative ? number.lowerBound + 1 : number.lowerBound)..<number.upperBound
      guard digits.count <= 18 else { return nil }
      var value = 0
      for index in digits {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        value = value * 10 + Int(digit)
      }
      values.append(negative ? -value : value)
    }
    return values
  }

  /// The array's numbers as `Double`s, each parsed by `strtod` in the C locale (what
  /// `JSONDecoder` and `Double(_: String)` use); nil if one is not finite.
  static func doubles(in bytes: UnsafeBufferPointer<UInt8>, _ array: ArrayValue) -> [Double]? {
    guard let base = bytes.baseAddress, let cLocale = newlocale(LC_CTYPE_MASK | LC_NUMERIC_MASK, "C", nil) else {
      return nil
    }
    // This thread reads numbers in the C locale until the end (whatever the process's locale).
    let previous = uselocale(cLocale)
    defer {
      uselocale(previous)
      freelocale(cLocale)
    }
    var values: [Double] = []
    values.reserveCapacity(array.numbers.count)
    for number in array.numbers {
      // The number is followed by `,`, `]` or whitespace inside the array (checked), where
      // strtod stops.
      let start = UnsafeRawPointer(base + number.lowerBound).assumingMemoryBound(to: CChar.self)
      var end: UnsafeMutablePointer<CChar>?
      let value = strtod(start, &end)
      guard let end, UnsafePointer(end) == start + number.count, value.isFinite else { return nil }
      values.append(value)
    }
    return values
  }

  /// Whether `bytes[range]` is the UTF-8 of `literal`.
  private static func bytes(_ bytes: Span<UInt8>, _ range: Range<Int>, are literal: StaticString) -> Bool {
    literal.withUTF8Buffer { expected in
      expected.count == range.count && expected.indices.allSatisfy { bytes[range.lowerBound + $0] == expected[$0] }
    }
  }
}
