/// Finds commercial-intent signals in a note, each with evidence spans on the original text.
///
/// Everything is matched in ``TextNormalizer`` form by hand-written scanners (no per-note regex
/// work). The rules and their fixed strengths:
///
/// | Kind | Rule | Strength |
/// |---|---|---|
/// | `couponCode` | lexicon `coupon` term followed (within 3 separators) by a code of 3–20 letters/digits holding a digit or written in capitals | 0.9 |
/// | `couponCode` | lexicon `coupon` term alone | 0.5 |
/// | `affiliateLink` | URL with `tag=`, `ref=`, `aff`, `utm_`, `linkcode=`, `pid=mm_`, `unionid`, or an affiliate network / redirector host | 0.9 |
/// | `purchaseLink` | 淘口令 token | 0.9 |
/// | `purchaseLink` | shop or marketplace URL (taobao, tmall, jd, pinduoduo, amazon…) | 0.8 |
/// | `purchaseLink` | short link (t.cn, b23.tv, bit.ly…, unresolved) | 0.6 |
/// | `purchaseLink` | lexicon `purchase` term (小黄车, 链接, 下单, 店铺, "link in bio") | 0.6 |
/// | `purchaseLink` | any other URL | 0.3 |
/// | `contact` | WeChat id or phone after a WeChat token; QQ number after a QQ token | 0.95 |
/// | `contact` | Chinese mobile `1[3-9]` + 9 digits (spaces, `-`, `.` between groups; `+86` prefix), landline `0xx(x)-xxxxxxx(x)` | 0.9 |
/// | `contact` | e-mail address | 0.8 |
/// | `diversion` | WeChat token (vx, V❤, 薇…) | 0.8 |
/// | `diversion` | lexicon `diversion` term (私信, 加我, "DM me") | 0.7 |
/// | `diversion` | QQ token alone | 0.5 |
/// | `callToAction` | lexicon `callToAction` term (预约, 到店, "book now") | 0.5 |
/// | `urgency` | lexicon `urgency` term; 最后/仅剩/还剩 + a number + 天/小时/个/件/名/单 | 0.5 |
/// | `price` | currency + number (¥ 99, $19.99, rmb 99), number + 元/块/r/rmb/yuan/刀 | 0.4 |
/// | `price` | lexicon `price` term (到手价, "% off") | 0.4 |
/// | `brandMention` | a brand or alias of the ``BrandList`` | 0.3 |
///
/// Signals are returned in field order (title, body, tags, brand label), then text order.
public struct SignalDetector: Sendable {
  /// The lexicon the keyword signals come from.
  public let lexicon: Lexicon
  /// The brands that count as mentions.
  public let brands: BrandList
  /// The lexicon's patterns (source 0) and, when there are brands, the brands' (source 1): one
  /// scan per field finds both.
  let matcher: LexiconMatcher
  private let normalizer = TextNormalizer()

  /// A detector over `lexicon` and `brands`.
  public init(lexicon: Lexicon = .default, brands: BrandList = BrandList()) {
    self.lexicon = lexicon
    self.brands = brands
    matcher =
      brands.brands.isEmpty ? lexicon.matcher : LexiconMatcher(combining: lexicon.matcher, brands.lexicon.matcher)
  }

  /// The signals in `note`.
  public func signals(in note: Note) -> [Signal] {
    signals(in: NormalizedNote(note, normalizer: normalizer))
  }

  /// The signals in a note normalized beforehand (share it with ``DisclosureGrader``).
  public func signals(in note: NormalizedNote) -> [Signal] {
    var result: [Signal] = []
    for field in Note.Field.allCases {
      note.withFieldText(field) { text in
        guard text.normalized.count > 0 else { return }
        var candidates: [LexiconMatcher.Candidate] = []
        matcher.collectCandidates(in: text.values, allowingLabels: false, into: &candidates)
        collectSignals(
          in: text, lexiconMatches: matcher.resolve(candidates), brandMatches: matcher.resolve(candidates, source: 1),
          into: &result)
      }
    }
    return result
  }

  /// Appends the signals of one field in text order, given the lexicon's and the brands' matches
  /// in it (labels not allowed). Scanners whose trigger scalars the field lacks (``TextHints``)
  /// are skipped.
  func collectSignals(
    in text: FieldText, lexiconMatches: [Lexicon.Match], brandMatches: [Lexicon.Match], into result: inout [Signal]
  ) {
    var scanner = FieldScanner(text: text)
    let hints = text.normalized.hints
    scanner.scanLexicon(lexiconMatches, entries: lexicon.entries)
    scanner.scanLinks()
    if hints.contains(.token) { scanner.scanTokens() }
    if hints.contains(.digit) {
      scanner.scanPhones()
      scanner.scanPrices()
    }
    if hints.contains(.countdown) { scanner.scanCountdowns() }
    if !brands.brands.isEmpty { scanner.scanBrands(brandMatches, brands: brands) }
    scanner.signals.sort { $0.range.lowerBound < $1.range.lowerBound }
    for found in scanner.signals { result.append(found.signal) }
  }
}

/// The scanners over one normalized field.
struct FieldScanner {
  /// The field, normalized and as written.
  let text: FieldText
  /// The normalized values.
  let values: UnsafeBufferPointer<UInt32>
  var signals: [(range: Range<Int>, signal: Signal)] = []
  /// Normalized ranges already claimed by contact details, links and codes (no price or phone
  /// inside them).
  var claimed: [Range<Int>] = []

  init(text: FieldText) {
    self.text = text
    self.values = text.values
    if !text.normalized.links.isEmpty { claimed = text.normalized.links.map(\.range) }
  }

  func isClaimed(_ range: Range<Int>) -> Bool { claimed.contains { $0.overlaps(range) } }

  mutating func emit(
    _ kind: Signal.Kind, _ range: Range<Int>, strength: Double, detail: String, contact: Signal.ContactKind? = nil
  ) {
    let span = text.span(of: range)
    signals.append(
      (range, Signal(kind: kind, contactKind: contact, spans: [span], text: text.originalText(span), strength: strength, detail: detail)))
  }

  // MARK: Lexicon keywords and coupon codes

  /// Keyword signals from the lexicon's `matches` (of `entries`), coupon codes after coupon terms.
  mutating func scanLexicon(_ matches: [Lexicon.Match], entries: [Lexicon.Entry]) {
    for match in matches {
      let entry = entries[match.entryIndex]
      switch entry.entryClass {
      case .purchase: emit(.purchaseLink, match.range, strength: 0.6, detail: entry.term)
      case .price: emit(.price, match.range, strength: 0.4, detail: entry.term)
      case .urgency: emit(.urgency, match.range, strength: 0.5, detail: entry.term)
      case .diversion: emit(.diversion, match.range, strength: 0.7, detail: entry.term)
      case .callToAction: emit(.callToAction, match.range, strength: 0.5, detail: entry.term)
      case .coupon:
        if let code = couponCode(after: match.range.upperBound) {
          let range = match.range.lowerBound..<code.upperBound
          let codeText = text.originalText(text.span(of: code))
          emit(.couponCode, range, strength: 0.9, detail: "\(entry.term) \(codeText)")
          claimed.append(range)
        } else {
          emit(.couponCode, match.range, strength: 0.5, detail: entry.term)
        }
      case .sufficient, .platformLabel, .vague, .negative:
        break
      }
    }
  }

  /// Skips up to `limit` separators (space, `:`, `=`, quotes, brackets, `-`, 号, 是) from `index`.
  func skipSeparators(from index: Int, limit: Int = 3) -> Int {
    var position = index
    while position < values.count && position - index < limit {
      switch values[position] {
      case 0x20, 0x3A, 0x3D, 0x22, 0x2D, 0x300C, 0x3010, 0x201C, 0x300E, 0x53F7, 0x662F, 0x4E3A: position += 1
      default: return position
      }
    }
    return position
  }

  /// The range of a coupon code after a coupon keyword ending at `index`.
  func couponCode(after index: Int) -> Range<Int>? {
    let start = skipSeparators(from: index)
    var end = start
    while end < values.count && ScalarClass.isASCIIAlphanumeric(values[end]) { end += 1 }
    guard (3...20).contains(end - start) else { return nil }
    if end < values.count && ScalarClass.isWordCharacter(values[end]) { return nil }
    if values[start..<end].contains(where: ScalarClass.isDigit) { return start..<end }
    // Letters only: a code when written in capitals in the original (SAVEBIG, not "here").
    let original = text.originalText(text.span(of: start..<end))
    if end - start >= 4 && original.unicodeScalars.allSatisfy({ $0.properties.isUppercase || ("Ａ"..."Ｚ").contains($0) }) {
      return start..<end
    }
    return nil
  }

  // MARK: Links

  static let affiliateMarkers: [String] = [
    "tag=", "ref=", "ref_=", "aff", "utm_", "linkcode=", "pid=mm_", "mm_", "unionid", "s.click.taobao.com", "union.jd.com",
    "u.jd.com", "p.pinduoduo.com", "amzn.to", "liketk.it", "rstyle.me", "shareasale", "anrdoezrs.net", "jdoqocy.com",
    "tkqlhce.com", "dpbolvw.net", "kqzyfj.com", "linksynergy.com", "awin1.com", ".sjv.io", ".pxf.io", "invite_code=",
    "referral", "share_code=",
  ]
  static let shopHosts: [String] = [
    "taobao.com", "tmall.com", "jd.com", "3.cn", "pinduoduo.com", "yangkeduo.com", "amazon.", "tb.cn", "m.tb.cn",
    "xiaohongshu.com/goods", "shop", "store", "etsy.com", "aliexpress", "vip.com", "dewu.com", "youzan.com", "weidian.com",
  ]
  static let shortHosts: [String] = [
    "t.cn/", "bit.ly/", "b23.tv/", "dwz.cn/", "url.cn/", "xhslink.com/", "tinyurl.com/", "goo.gl/", "ow.ly/", "is.gd/",
    "v.douyin.com/",
  ]

  static let affiliatePatterns = affiliateMarkers.map { $0.unicodeScalars.map(\.value) }
  static let shopPatterns = shopHosts.map { $0.unicodeScalars.map(\.value) }
  static let shortPatterns = shortHosts.map { $0.unicodeScalars.map(\.value) }

  mutating func scanLinks() {
    for link in text.normalized.links {
      let url = Array(values[link.range])
      func find(_ patterns: [[UInt32]]) -> String? {
        patterns.first { TextNormalizer.firstIndex(of: $0, in: url) != nil }.map { String(decoding: $0.map { UInt8($0) }, as: UTF8.self) }
      }
      if link.isEmail {
        emit(.contact, link.range, strength: 0.8, detail: "email", contact: .email)
      } else if let marker = find(Self.affiliatePatterns) {
        emit(.affiliateLink, link.range, strength: 0.9, detail: marker)
      } else if let host = find(Self.shopPatterns) {
        emit(.purchaseLink, link.range, strength: 0.8, detail: host)
      } else if let host = find(Self.shortPatterns) {
        emit(.purchaseLink, link.range, strength: 0.6, detail: "short link \(host) (unresolved)")
      } else {
        emit(.purchaseLink, link.range, strength: 0.3, detail: "link")
      }
    }
  }

  // MARK: Canonical tokens and the ids after them

  mutating func scanTokens() {
    let wechat = TextNormalizer.CanonicalToken.wechat.scalar.value
    let qq = TextNormalizer.CanonicalToken.qq.scalar.value
    let taokouling = TextNormalizer.CanonicalToken.taokouling.scalar.value
    for index in values.indices {
      switch values[index] {
      case wechat:
        let start = skipSeparators(from: index + 1, limit: 4)
        if let phone = phoneNumber(at: start) {
          emit(.contact, index..<phone.upperBound, strength: 0.95, detail: "WeChat id (phone)", contact: .wechat)
          claimed.append(index..<phone.upperBound)
        } else if let id = weChatID(at: start) {
          emit(.contact, index..<id.upperBound, strength: 0.95, detail: "WeChat id", contact: .wechat)
          claimed.append(index..<id.upperBound)
        } else {
          emit(.diversion, index..<(index + 1), strength: 0.8, detail: "WeChat")
        }
      case qq:
        let start = skipSeparators(from: index + 1, limit: 4)
        var end = start
        while end < values.count && ScalarClass.isDigit(values[end]) { end += 1 }
        if (5...11).contains(end - start) && (end == values.count || !ScalarClass.isWordCharacter(values[end])) {
          emit(.contact, index..<end, strength: 0.9, detail: "QQ number", contact: .qq)
          claimed.append(index..<end)
        } else {
          emit(.diversion, index..<(index + 1), strength: 0.5, detail: "QQ")
        }
      case taokouling:
        emit(.purchaseLink, index..<(index + 1), strength: 0.9, detail: "淘口令")
        claimed.append(index..<(index + 1))
      default:
        break
      }
    }
  }

  /// A WeChat id at `start`: a letter, then 5–19 letters, digits, `_` or `-`.
  func weChatID(at start: Int) -> Range<Int>? {
    guard start < values.count, ScalarClass.isASCIILetter(values[start]) else { return nil }
    var end = start + 1
    while end < values.count
      && (ScalarClass.isASCIIAlphanumeric(values[end]) || values[end] == 0x5F || values[end] == 0x2D)
    {
      end += 1
    }
    guard (6...20).contains(end - start), end == values.count || !ScalarClass.isWordCharacter(values[end]) else {
      return nil
    }
    return start..<end
  }

  // MARK: Phone numbers

  /// A Chinese mobile number starting at `start`: 11 digits `1[3-9]…`, with at most one space,
  /// `-` or `.` between digits.
  func phoneNumber(at start: Int) -> Range<Int>? {
    guard start < values.count, values[start] == 0x31 else { return nil }
    if start > 0 && (ScalarClass.isDigit(values[start - 1])) { return nil }
    var digits = 0, index = start
    while index < values.count && digits < 11 {
      let value = values[index]
      if ScalarClass.isDigit(value) {
        if digits == 1 && !(0x33...0x39).contains(value) { return nil }
        digits += 1
        index += 1
      } else if (value == 0x20 || value == 0x2D || value == 0x2E) && digits > 0 && index + 1 < values.count
        && ScalarClass.isDigit(values[index + 1])
      {
        index += 1
      } else {
        break
      }
    }
    guard digits == 11 else { return nil }
    if index < values.count && (ScalarClass.isDigit(values[index]) || ScalarClass.isASCIILetter(values[index])) { return nil }
    return start..<index
  }

  static let plus86: [UInt32] = [0x2B, 0x38, 0x36]
  static let eightySix: [UInt32] = [0x38, 0x36]
  static let fourHundred: [UInt32] = [0x34, 0x30, 0x30]

  mutating func scanPhones() {
    var index = 0
    // A number starts at a digit, or at the `+` of `+86` right before one: positions further
    // from the next digit start nothing.
    var nextDigit = -1
    while index < values.count {
      if nextDigit < index {
        nextDigit = index
        while nextDigit < values.count && !ScalarClass.isDigit(values[nextDigit]) { nextDigit += 1 }
        if nextDigit == values.count { break }
      }
      if index < nextDigit - 1 { index = nextDigit - 1 }
      let value = values[index]
      guard ScalarClass.isDigit(value) || value == 0x2B else {
        index += 1
        continue
      }
      if index > 0 && (ScalarClass.isDigit(values[index - 1]) || ScalarClass.isASCIILetter(values[index - 1])) {
        index += 1
        continue
      }
      // Optional +86 / 86 prefix.
      var start = index
      if TextNormalizer.hasPrefix(values, Self.plus86, at: index) { start = index + 3 }
      else if TextNormalizer.hasPrefix(values, Self.eightySix, at: index) && index + 2 < values.count
        && (values[index + 2] == 0x20 || values[index + 2] == 0x2D) { start = index + 2 }
      if start != index { while start < values.count && (values[start] == 0x20 || values[start] == 0x2D) { start += 1 } }
      if let phone = phoneNumber(at: start), !isClaimed(index..<phone.upperBound) {
        emit(.contact, index..<phone.upperBound, strength: 0.9, detail: "mobile number", contact: .phone)
        claimed.append(index..<phone.upperBound)
        index = phone.upperBound
        continue
      }
      if let landline = landline(at: index), !isClaimed(landline) {
        emit(.contact, landline, strength: 0.9, detail: "landline number", contact: .phone)
        claimed.append(landline)
        index = landline.upperBound
        continue
      }
      index += 1
    }
  }

  /// `0` + 2–3 digits, `-`, 7–8 digits; or `400-xxx-xxxx`.
  func landline(at start: Int) -> Range<Int>? {
    guard start < values.count, values[start] == 0x30 || values[start] == 0x34 else { return nil }
    // The digit groups between single hyphens: how many, and the lengths of the first three.
    var index = start, current = 0, groupCount = 0
    var lengths: (Int, Int, Int) = (0, 0, 0)
    func endGroup() {
      switch groupCount {
      case 0: lengths.0 = current
      case 1: lengths.1 = current
      case 2: lengths.2 = current
      default: break
      }
      groupCount += 1
      current = 0
    }
    while index < values.count {
      if ScalarClass.isDigit(values[index]) {
        current += 1
      } else if values[index] == 0x2D && current > 0 && index + 1 < values.count && ScalarClass.isDigit(values[index + 1]) {
        endGroup()
      } else {
        break
      }
      index += 1
    }
    endGroup()
    if index < values.count && ScalarClass.isASCIILetter(values[index]) { return nil }
    let isAreaCode = values[start] == 0x30 && groupCount == 2 && (3...4).contains(lengths.0) && (7...8).contains(lengths.1)
    let isFourHundred = TextNormalizer.hasPrefix(values, Self.fourHundred, at: start) && groupCount == 3
      && lengths == (3, 3, 4)
    return isAreaCode || isFourHundred ? start..<index : nil
  }

  // MARK: Prices

  static let currencyPrefixes: [[UInt32]] = ["¥", "$", "€", "£", "rmb", "usd", "us$", "hk$"].map { $0.unicodeScalars.map(\.value) }
  /// Whether some currency prefix starts with `value` (¥ $ € £ r u h).
  @inline(__always)
  static func mayStartCurrencyPrefix(_ value: UInt32) -> Bool {
    switch value {
    case 0xA5, 0x24, 0x20AC, 0xA3, 0x72, 0x75, 0x68: true
    default: false
    }
  }

  /// Whether some currency prefix may start at `index`: its first scalar and, for the Latin
  /// ones (rmb, usd, us$, hk$), its second.
  func mayStartCurrencyPrefix(at index: Int) -> Bool {
    let value = values[index]
    guard Self.mayStartCurrencyPrefix(value) else { return false }
    guard value == 0x72 || value == 0x75 || value == 0x68 else { return true }
    guard index + 1 < values.count else { return false }
    switch (value, values[index + 1]) {
    case (0x72, 0x6D), (0x75, 0x73), (0x68, 0x6B): return true
    default: return false
    }
  }

  static let currencySuffixes: [[UInt32]] = ["元", "块", "rmb", "yuan", "usd", "刀", "r"].map { $0.unicodeScalars.map(\.value) }

  /// The end of a number (digits, `,` thousands, `.` decimals) starting at `start`.
  func numberEnd(from start: Int) -> Int? {
    guard start < values.count, ScalarClass.isDigit(values[start]) else { return nil }
    var end = start
    while end < values.count {
      if ScalarClass.isDigit(values[end]) {
        end += 1
      } else if (values[end] == 0x2E || values[end] == 0x2C) && end + 1 < values.count && ScalarClass.isDigit(values[end + 1]) {
        end += 1
      } else {
        break
      }
    }
    return end
  }

  mutating func scanPrices() {
    let prefixes = Self.currencyPrefixes, suffixes = Self.currencySuffixes
    var index = 0
    // Every price has a number, and a currency prefix ends at most 4 scalars before its first
    // digit (`rmb 9`): positions further from the next digit start nothing.
    var nextDigit = -1
    while index < values.count {
      if nextDigit < index {
        nextDigit = index
        while nextDigit < values.count && !ScalarClass.isDigit(values[nextDigit]) { nextDigit += 1 }
        if nextDigit == values.count { break }
      }
      if index < nextDigit - 4 { index = nextDigit - 4 }
      // Currency first: ¥ 99, $19.99, rmb 99.
      if !ScalarClass.isDigit(values[index]) {
        if mayStartCurrencyPrefix(at: index),
          index == 0 || !ScalarClass.isASCIIAlphanumeric(values[index - 1]),
          let prefix = prefixes.first(where: { TextNormalizer.hasPrefix(values, $0, at: index) })
        {
          var start = index + prefix.count
          if start < values.count && values[start] == 0x20 { start += 1 }
          if let end = numberEnd(from: start), !isClaimed(index..<end) {
            emit(.price, index..<end, strength: 0.4, detail: "price")
            index = end
            continue
          }
        }
        index += 1
        continue
      }
      // A number, then a currency word: 99元, 9.9r, 199 rmb.
      if index > 0 && (ScalarClass.isASCIIAlphanumeric(values[index - 1]) || values[index - 1] == 0x2E) {
        index += 1
        continue
      }
      guard let end = numberEnd(from: index) else {
        index += 1
        continue
      }
      var after = end
      if after < values.count && values[after] == 0x20 { after += 1 }
      if let suffix = suffixes.first(where: { TextNormalizer.hasPrefix(values, $0, at: after) }) {
        let suffixEnd = after + suffix.count
        let isLatin = ScalarClass.isASCIILetter(suffix[0])
        let bounded = suffixEnd >= values.count || !ScalarClass.isWordCharacter(values[suffixEnd])
        // The single-letter suffix r only when glued to the number: 9.9r, not "3 rooms".
        let glued = suffix.count > 1 || after == end
        if (!isLatin || bounded) && glued && !isClaimed(index..<suffixEnd) {
          emit(.price, index..<suffixEnd, strength: 0.4, detail: "price")
          index = suffixEnd
          continue
        }
      }
      index = end
    }
  }

  // MARK: Countdowns

  static let countdownStarts: [[UInt32]] = ["最后", "仅剩", "还剩", "只剩", "仅限"].map { $0.unicodeScalars.map(\.value) }
  static let countdownUnits: Set<UInt32> = Set("天小时个件名单瓶套份位日周".unicodeScalars.map(\.value))
  static let chineseNumerals: Set<UInt32> = Set("一二两三四五六七八九十百".unicodeScalars.map(\.value))

  mutating func scanCountdowns() {
    for index in values.indices {
      switch values[index] {
      case 0x6700, 0x4EC5, 0x8FD8, 0x53EA: break  // 最 仅 还 只: the first scalars of countdownStarts
      default: continue
      }
      guard Self.countdownStarts.contains(where: { TextNormalizer.hasPrefix(values, $0, at: index) }) else { continue }
      var end = index + 2
      if end < values.count && values[end] == 0x20 { end += 1 }
      let numberStart = end
      while end < values.count && end - numberStart < 4
        && (ScalarClass.isDigit(values[end]) || Self.chineseNumerals.contains(values[end]))
      {
        end += 1
      }
      guard end > numberStart, end < values.count else { continue }
      if values[end] == 0x20 { end += 1 }
      guard end < values.count, Self.countdownUnits.contains(values[end]) else { continue }
      let range = index..<(end + 1)
      if !signals.contains(where: { $0.signal.kind == .urgency && $0.range.overlaps(range) }) {
        emit(.urgency, range, strength: 0.5, detail: "countdown")
      }
    }
  }

  // MARK: Brands

  /// Brand mentions from the brand lexicon's `matches`.
  mutating func scanBrands(_ matches: [Lexicon.Match], brands: BrandList) {
    for match in matches {
      emit(.brandMention, match.range, strength: 0.3, detail: brands.brands[brands.entryBrand[match.entryIndex]].name)
    }
  }
}
