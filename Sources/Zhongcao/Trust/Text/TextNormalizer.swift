import Foundation

/// Folds note text into the one form every marker and signal is matched in, and remembers where
/// each folded scalar came from.
///
/// The steps, in order:
/// 1. **Width and case folding.** Full-width ASCII (`ＡＤ`, `＃`, `￥`) becomes ASCII, the ideographic
///    space a space, everything lowercase; other compatibility characters (circled or
///    mathematical letters such as `Ⓥ`, `𝐚𝐝`) get their NFKC case-folded form. Zero-width
///    characters, joiners, soft hyphens and variation selectors are dropped.
/// 2. **Links kept intact.** URLs (`http…`, `www.…`, known short-link hosts such as `t.cn/…`) and
///    e-mail addresses are found first and pass through the later steps unchanged, so that
///    `wx.qq.com` or `vx123@qq.com` is not rewritten as a diversion token.
/// 3. **Evasions to canonical tokens** (``CanonicalToken``): `vx`, `wx`, `wechat`, `weixin`,
///    `微信`, `威信`, `薇信`, `徽信`, `v信`, `v❤`, `➕v` / `+v` / `加v`, and `薇` before an id or after
///    `加` become ``CanonicalToken/wechat``; `qq` and `扣扣` become ``CanonicalToken/qq``; 淘口令
///    (`￥AbC123xYz￥`, `€…€` and the other currency-symbol pairs around 6–14 letters and digits)
///    become ``CanonicalToken/taokouling``. Latin forms need a word boundary on the left and no
///    letter on the right (`vx123` is one, `vxyz` is not).
/// 4. **Separators.** A run of emoji or symbols (`广❤告`, `广·告`) between two CJK characters is
///    removed unless it holds a space or a delimiter (`|`, `/`, `\\`: `广告｜新品` keeps its bar); a
///    run of single Latin letters split by symbols or single spaces (`a d`, `a.d`,
///    `s-p-o-n`) is glued; other emoji and non-ASCII symbols become one space (a word boundary,
///    so `#ad✨` still ends at `d`); runs of whitespace become one space. Plain spaces between CJK
///    characters are kept, so separator removal never glues two ordinary words.
/// 5. Step 3 again, so that `微❤信` (glued in step 4) becomes a token too.
///
/// Every normalized scalar maps back to a range of scalar offsets in the original text
/// (``NormalizedText/originalRange(of:)``), which is how matches become ``TextSpan``s.
public struct TextNormalizer: Sendable {
  /// A normalizer. It has no settings: the rules above are the contract.
  public init() {}

  /// Canonical tokens that evasive spellings are rewritten to. Each is one private-use scalar in
  /// the normalized text, so it can never be confused with ordinary letters.
  public enum CanonicalToken: String, Sendable, Hashable, CaseIterable, Codable {
    /// WeChat diversion (vx, V❤, 薇, ➕v, 加v, 威信, wx, 微信…).
    case wechat
    /// QQ diversion (qq, 扣扣).
    case qq
    /// A Taobao share password, 淘口令 (`￥AbC123xYz￥`).
    case taokouling

    /// The private-use scalar that stands for the token in ``NormalizedText``.
    public var scalar: Unicode.Scalar {
      switch self {
      case .wechat: "\u{E000}"
      case .qq: "\u{E001}"
      case .taokouling: "\u{E002}"
      }
    }

    /// The token a private-use scalar value stands for, if any.
    public init?(scalarValue: UInt32) {
      switch scalarValue {
      case 0xE000: self = .wechat
      case 0xE001: self = .qq
      case 0xE002: self = .taokouling
      default: return nil
      }
    }
  }

  /// Normalizes `text`.
  public func normalize(_ text: String) -> NormalizedText {
    var original: [UInt32] = []
    original.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars { original.append(scalar.value) }
    if original.isEmpty { return NormalizedText(buffer: ScalarBuffer(), originalCount: 0) }
    var buffer = Self.fold(original)
    Self.markLinks(&buffer)
    buffer = Self.mapEvasions(buffer)
    buffer = Self.collapseSeparators(buffer)
    buffer = Self.mapEvasions(buffer)
    return NormalizedText(buffer: buffer, originalCount: original.count)
  }
}

/// Text after ``TextNormalizer/normalize(_:)``, with the way back to the original.
public struct NormalizedText: Sendable, Hashable {
  /// The normalized scalar values. Canonical tokens are private-use scalars
  /// (``TextNormalizer/CanonicalToken/scalar``).
  public let values: [UInt32]
  let starts: [Int32]
  let ends: [Int32]
  /// Ranges (in normalized offsets) of URLs and e-mail addresses, found before evasion mapping.
  let links: [Link]
  /// The number of Unicode scalars in the original text.
  public let originalCount: Int

  struct Link: Sendable, Hashable {
    var range: Range<Int>
    var isEmail: Bool
  }

  init(buffer: ScalarBuffer, originalCount: Int) {
    values = buffer.values
    starts = buffer.starts
    ends = buffer.ends
    self.originalCount = originalCount
    var links: [Link] = []
    var index = 0
    while index < buffer.flags.count {
      let flag = buffer.flags[index]
      if flag == 0 {
        index += 1
        continue
      }
      var end = index + 1
      while end < buffer.flags.count && buffer.flags[end] == flag { end += 1 }
      links.append(Link(range: index..<end, isEmail: flag == ScalarBuffer.emailFlag))
      index = end
    }
    self.links = links
  }

  /// The number of normalized scalars.
  public var count: Int { values.count }

  /// The normalized text as a string (canonical tokens appear as private-use characters).
  public var text: String {
    var view = String.UnicodeScalarView()
    for value in values { if let scalar = Unicode.Scalar(value) { view.append(scalar) } }
    return String(view)
  }

  /// The normalized text with canonical tokens spelled `⟨wechat⟩`, `⟨qq⟩`, `⟨taokouling⟩`: for
  /// explanations and debugging.
  public var readableText: String {
    var result = ""
    for value in values {
      if let token = TextNormalizer.CanonicalToken(scalarValue: value) {
        result += "⟨\(token.rawValue)⟩"
      } else if let scalar = Unicode.Scalar(value) {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// The original scalar offsets that the normalized range `range` came from.
  public func originalRange(of range: Range<Int>) -> Range<Int> {
    precondition(range.lowerBound >= 0 && range.upperBound <= values.count, "range \(range) outside 0..<\(values.count)")
    if range.isEmpty {
      let position = range.lowerBound < values.count ? Int(starts[range.lowerBound]) : originalCount
      return position..<position
    }
    var lower = Int(starts[range.lowerBound]), upper = Int(ends[range.upperBound - 1])
    for index in range {
      lower = min(lower, Int(starts[index]))
      upper = max(upper, Int(ends[index]))
    }
    return lower..<upper
  }

  /// The span of `field`'s original text that the normalized range `range` came from.
  public func span(of range: Range<Int>, in field: Note.Field) -> TextSpan {
    let original = originalRange(of: range)
    return TextSpan(field: field, start: original.lowerBound, end: original.upperBound)
  }
}

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

extension TextNormalizer {
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

  /// Hosts of short links that are recognised without a scheme.
  static let shortLinkHosts: [[UInt32]] = [
    "t.cn/", "bit.ly/", "amzn.to/", "b23.tv/", "dwz.cn/", "url.cn/", "m.tb.cn/", "tb.cn/", "u.jd.com/",
    "3.cn/", "xhslink.com/", "tinyurl.com/", "goo.gl/", "ow.ly/", "is.gd/", "liketk.it/", "rstyle.me/",
    "v.douyin.com/", "e.tb.cn/",
  ].map { $0.unicodeScalars.map(\.value) }

  /// Bit per ASCII scalar (two words): some short-link host starts with it.
  static let shortLinkFirsts: (low: UInt64, high: UInt64) = shortLinkHosts.reduce((0, 0)) { masks, host in
    let first = host[0]
    precondition(first < 0x80, "short-link hosts start with ASCII")
    return first < 64 ? (masks.0 | 1 << UInt64(first), masks.1) : (masks.0, masks.1 | 1 << UInt64(first - 64))
  }

  @inline(__always)
  static func isShortLinkFirst(_ value: UInt32) -> Bool {
    if value >= 0x80 { return false }
    let masks = shortLinkFirsts
    return value < 64 ? masks.low & (1 << UInt64(value)) != 0 : masks.high & (1 << UInt64(value - 64)) != 0
  }

  static let httpLiteral: [UInt32] = "http".unicodeScalars.map(\.value)
  static let wwwLiteral: [UInt32] = "www.".unicodeScalars.map(\.value)
  static let schemeSeparator: [UInt32] = [0x3A, 0x2F, 0x2F]

  /// The first offset of `needle` in `values` (a plain loop: the generic `firstRange(of:)` is
  /// far slower on `[UInt32]`).
  static func firstIndex(of needle: [UInt32], in values: [UInt32]) -> Int? {
    guard !needle.isEmpty, needle.count <= values.count else { return needle.isEmpty ? 0 : nil }
    let first = needle[0]
    for start in 0...(values.count - needle.count) where values[start] == first && hasPrefix(values, needle, at: start) {
      return start
    }
    return nil
  }

  static func hasPrefix(_ values: [UInt32], _ prefix: [UInt32], at index: Int) -> Bool {
    guard index + prefix.count <= values.count else { return false }
    for offset in 0..<prefix.count where values[index + offset] != prefix[offset] { return false }
    return true
  }

  /// Characters a URL or e-mail address runs over.
  @inline(__always)
  static func isLinkCharacter(_ value: UInt32) -> Bool {
    guard value > 0x20 && value < 0x7F else { return false }
    switch value {
    case 0x22, 0x27, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C, 0x5C, 0x5E, 0x60, 0x28, 0x29: return false
    default: return true
    }
  }

  @inline(__always)
  static func isEmailLocalCharacter(_ value: UInt32) -> Bool {
    ScalarClass.isASCIIAlphanumeric(value) || value == 0x2E || value == 0x5F || value == 0x2D || value == 0x2B
      || value == 0x25
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

  static let wechatLatin: [[UInt32]] = ["wechat", "weixin", "vx", "wx"].map { $0.unicodeScalars.map(\.value) }
  static let wechatCJK: [[UInt32]] = ["微信", "威信", "薇信", "徽信", "v信", "vx信"].map { $0.unicodeScalars.map(\.value) }
  static let qqCJK: [UInt32] = "扣扣".unicodeScalars.map(\.value)
  static let taokoulingSymbols: Set<UInt32> = [0xA5, 0x24, 0x20AC, 0xA3, 0x20A4, 0xA2, 0x20B3, 0x20B4, 0x20B0, 0x2126]

  /// Whether `value` is one of ``taokoulingSymbols`` (a switch: hashing is slow in the hot loop).
  @inline(__always)
  static func isTaokoulingSymbol(_ value: UInt32) -> Bool {
    switch value {
    case 0xA5, 0x24, 0x20AC, 0xA3, 0x20A4, 0xA2, 0x20B3, 0x20B4, 0x20B0, 0x2126: true
    default: false
    }
  }

  static let qqLatin: [UInt32] = [0x71, 0x71]

  @inline(__always)
  static func isAddPrefix(_ value: UInt32) -> Bool { value == 0x52A0 || value == 0x2B || value == 0x2795 || value == 0xFF0B }

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
