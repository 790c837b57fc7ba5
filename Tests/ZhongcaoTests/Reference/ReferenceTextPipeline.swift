import Foundation
@testable import Zhongcao

// The text pipeline as it was before it read notes in one pass per field (moved here from
// Sources as the reference the tests compare the fast paths with): the normalizer's four
// steps over growing arrays, the grader's loop over a whole NormalizedNote, the masked text and
// the feature vector.

/// Scalar values with, for each, the original range it came from and a link flag.
struct ScalarBuffer {
  static let urlFlag: UInt8 = 1
  static let emailFlag: UInt8 = 2

  var values: [UInt32] = []
  var starts: [Int32] = []
  var ends: [Int32] = []
  var flags: [UInt8] = []

  init(capacity: Int = 0) {
    values.reserveCapacity(capacity)
    starts.reserveCapacity(capacity)
    ends.reserveCapacity(capacity)
    flags.reserveCapacity(capacity)
  }

  var count: Int { values.count }

  mutating func append(_ value: UInt32, start: Int32, end: Int32, flag: UInt8 = 0) {
    values.append(value)
    starts.append(start)
    ends.append(end)
    flags.append(flag)
  }

  /// Appends `other[range]` unchanged.
  mutating func append(from other: ScalarBuffer, range: Range<Int>) {
    if range.isEmpty { return }
    values.append(contentsOf: other.values[range])
    starts.append(contentsOf: other.starts[range])
    ends.append(contentsOf: other.ends[range])
    flags.append(contentsOf: other.flags[range])
  }

  /// Appends `other[index]` unchanged.
  mutating func append(from other: ScalarBuffer, at index: Int) {
    append(other.values[index], start: other.starts[index], end: other.ends[index], flag: other.flags[index])
  }

  /// Appends `value` standing for `other[range]`.
  mutating func append(_ value: UInt32, standingFor range: Range<Int>, in other: ScalarBuffer) {
    append(value, start: other.starts[range.lowerBound], end: other.ends[range.upperBound - 1])
  }
}


/// The four steps of the normalizer before it worked in one decoding pass over reusable lanes:
/// the reference ``TextNormalizer`` is tested against.
enum ReferenceNormalizer {
  typealias CanonicalToken = TextNormalizer.CanonicalToken
  static let wechatLatin = TextNormalizer.wechatLatin, wechatCJK = TextNormalizer.wechatCJK
  static let qqCJK = TextNormalizer.qqCJK, qqLatin = TextNormalizer.qqLatin
  static let httpLiteral = TextNormalizer.httpLiteral, wwwLiteral = TextNormalizer.wwwLiteral
  static let schemeSeparator = TextNormalizer.schemeSeparator, shortLinkHosts = TextNormalizer.shortLinkHosts

  static func hasPrefix(_ values: [UInt32], _ prefix: [UInt32], at index: Int) -> Bool {
    TextNormalizer.hasPrefix(values, prefix, at: index)
  }

  static func isShortLinkFirst(_ value: UInt32) -> Bool {
    TextNormalizer.isShortLinkFirst(value, masks: TextNormalizer.shortLinkFirsts)
  }

  static func isLinkCharacter(_ value: UInt32) -> Bool { TextNormalizer.isLinkCharacter(value) }
  static func isEmailLocalCharacter(_ value: UInt32) -> Bool { TextNormalizer.isEmailLocalCharacter(value) }
  static func isTaokoulingSymbol(_ value: UInt32) -> Bool { TextNormalizer.isTaokoulingSymbol(value) }
  static func isAddPrefix(_ value: UInt32) -> Bool { TextNormalizer.isAddPrefix(value) }


  /// The normalized text of `text`, step by step.
  static func normalize(_ text: String) -> NormalizedText {
    var original: [UInt32] = []
    original.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars { original.append(scalar.value) }
    if original.isEmpty { return normalizedText(ScalarBuffer(), originalCount: 0) }
    var buffer = fold(original)
    markLinks(&buffer)
    buffer = mapEvasions(buffer)
    buffer = collapseSeparators(buffer)
    buffer = mapEvasions(buffer)
    return normalizedText(buffer, originalCount: original.count)
  }

  /// The buffer as normalized text: runs of one link flag are links.
  static func normalizedText(_ buffer: ScalarBuffer, originalCount: Int) -> NormalizedText {
    var links: [NormalizedText.Link] = []
    var index = 0
    while index < buffer.flags.count {
      let flag = buffer.flags[index]
      if flag == 0 {
        index += 1
        continue
      }
      var end = index + 1
      while end < buffer.flags.count && buffer.flags[end] == flag { end += 1 }
      links.append(NormalizedText.Link(range: index..<end, isEmail: flag == ScalarBuffer.emailFlag))
      index = end
    }
    return NormalizedText(
      values: buffer.values, starts: buffer.starts, ends: buffer.ends, links: links, originalCount: originalCount)
  }

  /// Step 1: width and case folding, invisible characters dropped.
  static func fold(_ original: [UInt32]) -> ScalarBuffer {
    var buffer = ScalarBuffer(capacity: original.count)
    for (offset, value) in original.enumerated() {
      let start = Int32(offset), end = Int32(offset + 1)
      if value < 0x80 {
        buffer.append(value >= 0x41 && value <= 0x5A ? value + 0x20 : value, start: start, end: end)
        continue
      }
      if ScalarClass.isCJK(value) {
        buffer.append(value, start: start, end: end)
        continue
      }
      if value < 0x10000 ? ScalarClass.table.has(value, ScalarClass.invisibleBit) : ScalarClass.isInvisible(value) {
        continue
      }
      switch value {
      case 0xFF01...0xFF5E:
        let folded = value - 0xFEE0
        buffer.append(folded >= 0x41 && folded <= 0x5A ? folded + 0x20 : folded, start: start, end: end)
        continue
      case 0x3000: buffer.append(0x20, start: start, end: end); continue
      case 0xFFE5: buffer.append(0xA5, start: start, end: end); continue
      case 0xFFE0: buffer.append(0xA2, start: start, end: end); continue
      case 0xFFE1: buffer.append(0xA3, start: start, end: end); continue
      case 0xFFE6: buffer.append(0x20A9, start: start, end: end); continue
      default: break
      }
      guard let scalar = Unicode.Scalar(value) else { continue }
      if scalar.properties.changesWhenNFKCCaseFolded {
        let folded = String(scalar).precomposedStringWithCompatibilityMapping.lowercased()
        for piece in folded.unicodeScalars where !ScalarClass.isInvisible(piece.value) {
          buffer.append(piece.value, start: start, end: end)
        }
      } else {
        buffer.append(value, start: start, end: end)
      }
    }
    return buffer
  }

  /// Step 2: flags URLs and e-mail addresses so the later steps copy them unchanged.
  static func markLinks(_ buffer: inout ScalarBuffer) {
    let values = buffer.values
    let http = httpLiteral, www = wwwLiteral
    var index = 0
    while index < values.count {
      let value = values[index]
      let boundary = index == 0 || !ScalarClass.isASCIIAlphanumeric(values[index - 1])
      if boundary && (value == 0x68 || value == 0x77 || isShortLinkFirst(value)) {
        var isLink = false
        if hasPrefix(values, http, at: index) {
          var after = index + 4
          if after < values.count && values[after] == 0x73 { after += 1 }
          isLink = hasPrefix(values, schemeSeparator, at: after)
        } else if hasPrefix(values, www, at: index) {
          isLink = true
        } else {
          isLink = shortLinkHosts.contains { hasPrefix(values, $0, at: index) }
        }
        if isLink {
          var end = index
          while end < values.count && isLinkCharacter(values[end]) { end += 1 }
          // Trailing sentence punctuation is not part of the link.
          while end > index, [0x2E, 0x2C, 0x21, 0x3F, 0x3B, 0x3A].contains(values[end - 1]) { end -= 1 }
          for position in index..<end { buffer.flags[position] = ScalarBuffer.urlFlag }
          index = end
          continue
        }
      }
      if value == 0x40, index > 0, index + 1 < values.count, buffer.flags[index - 1] == 0,
        isEmailLocalCharacter(values[index - 1]), ScalarClass.isASCIIAlphanumeric(values[index + 1])
      {
        var start = index
        while start > 0 && isEmailLocalCharacter(values[start - 1]) && buffer.flags[start - 1] == 0 { start -= 1 }
        var end = index + 1
        var sawDot = false
        while end < values.count && (ScalarClass.isASCIIAlphanumeric(values[end]) || values[end] == 0x2E || values[end] == 0x2D) {
          if values[end] == 0x2E { sawDot = true }
          end += 1
        }
        while end > index + 1 && values[end - 1] == 0x2E { end -= 1 }
        if sawDot {
          for position in start..<end { buffer.flags[position] = ScalarBuffer.emailFlag }
          index = end
          continue
        }
      }
      index += 1
    }
  }

  /// Steps 3 and 5: evasive spellings to canonical tokens.
  static func mapEvasions(_ input: ScalarBuffer) -> ScalarBuffer {
    let values = input.values
    // Unchanged scalars are copied in runs, when a token is emitted and at the end: most text
    // has no evasions and comes back as is.
    var output = ScalarBuffer()
    var copied = 0
    let wechat = CanonicalToken.wechat.scalar.value, qq = CanonicalToken.qq.scalar.value
    var index = 0
    func leftBoundary(_ index: Int) -> Bool { index == 0 || !ScalarClass.isWordCharacter(values[index - 1]) }
    func noLetterAt(_ index: Int) -> Bool { index >= values.count || !ScalarClass.isASCIILetter(values[index]) }
    func emit(_ token: UInt32, _ length: Int) {
      if copied == 0 { output = ScalarBuffer(capacity: values.count) }
      output.append(from: input, range: copied..<index)
      output.append(token, standingFor: index..<(index + length), in: input)
      copied = index + length
      index += length
    }
    scan: while index < values.count {
      let value = values[index]
      if input.flags[index] != 0 || value < 0x24 {
        index += 1
        continue
      }
      switch value {
      case 0x76, 0x77:  // v, w
        if value == 0x76 {
          for literal in wechatCJK where hasPrefix(values, literal, at: index) && leftBoundary(index) {
            emit(wechat, literal.count)
            continue scan
          }
        }
        if leftBoundary(index) {
          for literal in wechatLatin where hasPrefix(values, literal, at: index) && noLetterAt(index + literal.count) {
            emit(wechat, literal.count)
            continue scan
          }
        }
        if value == 0x76 && leftBoundary(index) || (index > 0 && isAddPrefix(values[index - 1])) {
          // v❤ (v and a heart or other pictograph) and ➕v / +v / 加v.
          if value == 0x76 && index + 1 < values.count && values[index + 1] >= 0x2000
            && ScalarClass.isSymbolSeparator(values[index + 1]) && CanonicalToken(scalarValue: values[index + 1]) == nil
          {
            emit(wechat, 2)
            continue scan
          }
          if value == 0x76 && index > 0 && isAddPrefix(values[index - 1]) && noLetterAt(index + 1) {
            emit(wechat, 1)
            continue scan
          }
        }
      case 0x71:  // q
        if leftBoundary(index) && hasPrefix(values, qqLatin, at: index) && noLetterAt(index + 2) {
          emit(qq, 2)
          continue scan
        }
      case 0x5FAE, 0x5A01, 0x8587, 0x5FBD:  // 微 威 薇 徽
        for literal in wechatCJK where hasPrefix(values, literal, at: index) {
          emit(wechat, literal.count)
          continue scan
        }
        if value == 0x8587 {
          var next = index + 1
          while next < values.count && next < index + 3 && (values[next] == 0x20 || values[next] == 0x3A) { next += 1 }
          let beforeID = next < values.count && ScalarClass.isASCIIAlphanumeric(values[next])
          let afterAdd = index > 0 && isAddPrefix(values[index - 1])
          if beforeID || afterAdd {
            emit(wechat, 1)
            continue scan
          }
        }
      case 0x6263:  // 扣
        if hasPrefix(values, qqCJK, at: index) {
          emit(qq, 2)
          continue scan
        }
      default:
        if isTaokoulingSymbol(value) {
          var end = index + 1
          while end < values.count && end - index <= 15 && ScalarClass.isASCIIAlphanumeric(values[end]) { end += 1 }
          let length = end - index - 1
          if length >= 6 && length <= 14 && end < values.count && isTaokoulingSymbol(values[end])
            && values[(index + 1)..<end].contains(where: ScalarClass.isASCIILetter)
          {
            emit(CanonicalToken.taokouling.scalar.value, end - index + 1)
            continue scan
          }
        }
      }
      index += 1
    }
    if copied == 0 { return input }
    output.append(from: input, range: copied..<values.count)
    return output
  }

  /// Step 4: separator runs removed between CJK characters and single letters, emoji to spaces,
  /// whitespace collapsed.
  static func collapseSeparators(_ input: ScalarBuffer) -> ScalarBuffer {
    let values = input.values
    var output = ScalarBuffer()
    // Scalars copied unchanged are kept as a run of the input, `keptStart..<keptEnd`, and appended
    // in one go when something else is appended (or at the end); text without separators to
    // collapse comes back as is.
    var keptStart = 0, keptEnd = 0
    var index = 0
    func flush() {
      if keptStart == keptEnd { return }
      if output.count == 0 { output = ScalarBuffer(capacity: values.count) }
      output.append(from: input, range: keptStart..<keptEnd)
      keptStart = keptEnd
    }
    func keep(_ position: Int) {
      if position != keptEnd {
        flush()
        keptStart = position
      }
      keptEnd = position + 1
    }
    func appendSpace(standingFor range: Range<Int>) {
      if range.count == 1 && values[range.lowerBound] == 0x20 {
        keep(range.lowerBound)  // the same scalar, range and (no) flag as the input's space
        return
      }
      flush()
      if output.count == 0 { output = ScalarBuffer(capacity: values.count) }
      output.append(0x20, standingFor: range, in: input)
    }
    /// The last scalar appended so far.
    func last() -> UInt32? { keptStart < keptEnd ? values[keptEnd - 1] : output.values.last }
    @inline(__always) func isSeparator(_ position: Int) -> Bool {
      position < values.count && input.flags[position] == 0
        && (ScalarClass.isSymbolSeparator(values[position]) || ScalarClass.isSpace(values[position]))
    }
    /// The end of the separator run starting at `position` (at most 4 scalars).
    func runEnd(_ position: Int) -> Int {
      var end = position
      while end < values.count && end - position < 4 && isSeparator(end) { end += 1 }
      return end
    }
    func isSingleLetter(_ position: Int) -> Bool {
      guard position < values.count, input.flags[position] == 0, ScalarClass.isASCIILetter(values[position]) else {
        return false
      }
      let before = position == 0 || !ScalarClass.isWordCharacter(values[position - 1])
      let after = position + 1 >= values.count || !ScalarClass.isWordCharacter(values[position + 1])
      return before && after
    }
    while index < values.count {
      let value = values[index]
      if input.flags[index] != 0 {
        keep(index)
        index += 1
        continue
      }
      // Single letters split by separators: "a d", "a.d", "s-p-o-n".
      if isSingleLetter(index) {
        var letters = [index]
        var next = index + 1
        while true {
          let end = runEnd(next)
          guard end > next, end - next <= 2, isSingleLetter(end) else { break }
          letters.append(end)
          next = end + 1
        }
        if letters.count >= 2 {
          for letter in letters { keep(letter) }
          index = next
          continue
        }
      }
      if ScalarClass.isSpace(value) || ScalarClass.isSymbolSeparator(value) {
        let end = runEnd(index)
        let onlySpaces = values[index..<end].allSatisfy(ScalarClass.isSpace)
        let previous = last().map { ScalarClass.isCJK($0) } ?? false
        let next = end < values.count && ScalarClass.isCJK(values[end])
        let delimits = values[index..<end].contains { $0 == 0x7C || $0 == 0x2F || $0 == 0x5C || ScalarClass.isSpace($0) }
        if previous && next && !delimits {
          index = end  // 广❤告 → 广告
          continue
        }
        if onlySpaces {
          if last() != 0x20 { appendSpace(standingFor: index..<end) }
          index = end
          continue
        }
        if value >= 0x80 {
          // Emoji and other symbols: one word boundary.
          if last() != 0x20 { appendSpace(standingFor: index..<(index + 1)) }
          index += 1
          continue
        }
      }
      keep(index)
      index += 1
    }
    if output.count == 0 && keptStart == 0 && keptEnd == values.count { return input }
    flush()
    return output
  }
}

/// The grader's loop, the masked text and the feature vector before the one-pass reader.
enum ReferenceReading {
  /// The grade of `normalized` by `grader`, the body measured column by column up front.
  static func assess(_ normalized: NormalizedNote, by grader: DisclosureGrader) -> DisclosureAssessment {
    let configuration = grader.configuration, lexicon = grader.lexicon
    var markers: [DisclosureMarker] = [], negatives: [DisclosureMarker] = []
    // Display columns, not scalars: a CJK character takes two columns, so 140 Chinese characters
    // fill the same lines (and reach the same fold) as 280 Latin letters.
    var columnsBefore = [0]
    columnsBefore.reserveCapacity(normalized.note.body.unicodeScalars.count + 1)
    for scalar in normalized.note.body.unicodeScalars {
      let value = scalar.value
      let wide = value < 0x80 ? false : value < 0x10000 ? ScalarClass.table.has(value, ScalarClass.wideBit) : DisclosureGrader.isWide(scalar)
      columnsBefore.append(columnsBefore[columnsBefore.count - 1] + (wide ? 2 : 1))
    }
    let longBody = columnsBefore[columnsBefore.count - 1] > configuration.longBodyColumns
    for field in [Note.Field.title, .body, .tags, .brandLabel] {
      let text = normalized[field]
      if text.count == 0 { continue }
      let matches = lexicon.matches(in: text, allowingLabels: field == .title || field == .body)
      var sawPlatformLabel = false
      for match in matches {
        let entry = lexicon.entries[match.entryIndex]
        guard entry.entryClass.isDisclosure else { continue }
        let span = text.span(of: match.range, in: field)
        var prominent = true
        let hashtagsBefore = text.values.withUnsafeBufferPointer {
          DisclosureGrader.hashtagCount(in: $0, before: match.range.lowerBound)
        }
        switch field {
        case .title, .brandLabel:
          prominent = true
        case .body:
          let belowFold = longBody && columnsBefore[min(span.start, columnsBefore.count - 1)] >= configuration.foldColumns
          let crowded = text.values[match.range.lowerBound] == 0x23 && hashtagsBefore >= configuration.hashtagCrowd
          prominent = !belowFold && !crowded
        case .tags:
          prominent = hashtagsBefore < configuration.hashtagCrowd && !longBody
        }
        if entry.entryClass == .platformLabel { sawPlatformLabel = true }
        let marker = DisclosureMarker(
          markerClass: entry.entryClass, span: span, text: originalText(span, in: normalized.note), term: entry.term,
          language: entry.language, source: entry.source, isProminent: prominent)
        if entry.entryClass == .negative { negatives.append(marker) } else { markers.append(marker) }
      }
      if field == .brandLabel && !sawPlatformLabel {
        let label = normalized.note.brandLabel ?? ""
        if !label.allSatisfy(\.isWhitespace) {
          let isChinese = normalized.brandLabel.values.contains(where: ScalarClass.isCJK)
          markers.append(DisclosureGrader.platformLabelMarker(label, chinese: isChinese))
        }
      }
    }
    return DisclosureGrader.decide(markers: markers, negatives: negatives, chinese: isChinese(normalized))
  }
  static func isChinese(_ note: NormalizedNote) -> Bool {
    var cjk = 0, latin = 0
    for text in [note.title, note.body] {
      for value in text.values {
        if ScalarClass.isCJK(value) { cjk += 1 } else if ScalarClass.isASCIILetter(value) { latin += 1 }
      }
    }
    return cjk > 0 && cjk * 3 >= latin
  }
  /// The original text of `span` in `note` (the scalars of ``Note/text(of:)`` at its offsets).
  static func originalText(_ span: TextSpan, in note: Note) -> String {
    let text = note.text(of: span.field)
    var view = String.UnicodeScalarView()
    var offset = 0
    for scalar in text.unicodeScalars {
      if offset >= span.end { break }
      if offset >= span.start { view.append(scalar) }
      offset += 1
    }
    return String(view)
  }

  /// The note's words with the scalars of its markers blanked, scalar by scalar.
  static func maskedText(of note: Note, markers: [DisclosureMarker]) -> String {
    var result = ""
    for field in [Note.Field.title, .body, .tags] {
      if field != .title { result.unicodeScalars.append("\n") }
      let text = note.text(of: field)
      guard markers.contains(where: { $0.span.field == field }) else {
        result += text
        continue
      }
      // Blank the scalars at the offsets of this field's markers.
      var blank = [Bool](repeating: false, count: text.unicodeScalars.count)
      for marker in markers where marker.span.field == field {
        let range = max(0, marker.span.start)..<min(blank.count, marker.span.end)
        for i in range { blank[i] = true }
      }
      var offset = 0
      for scalar in text.unicodeScalars {
        result.unicodeScalars.append(blank[offset] ? " " : scalar)
        offset += 1
      }
    }
    return result
  }
  /// The extra feature vector of a note.
  static func vector(signals: [Signal], zScores: (collect: Double?, comment: Double?)) -> [Double] {
    var strongest = [Double](repeating: 0, count: Signal.Kind.allCases.count)
    for signal in signals {
      let k = Signal.Kind.allCases.firstIndex(of: signal.kind)!
      strongest[k] = max(strongest[k], signal.strength)
    }
    let kinds = Double(strongest.count { $0 > 0 }) / 4
    func clipped(_ z: Double?) -> Double { z.map { max(-5, min(5, $0)) / 5 } ?? 0 }
    return strongest + [kinds, clipped(zScores.collect), clipped(zScores.comment)]
  }}
