/// A slot of a phrase template (`{p}`, `{b}` …).
enum CorpusSlot: UInt8, Sendable {
  case product, brand, aspect, aspect2, category, number, big, price, price2, pct, emoji, con, code, handle
  case phone, url, tkl, place, addr, who, hours

  static let names: [String: CorpusSlot] = [
    "p": .product, "b": .brand, "a": .aspect, "a2": .aspect2, "c": .category, "n": .number, "big": .big,
    "price": .price, "price2": .price2, "pct": .pct, "e": .emoji, "con": .con, "code": .code, "handle": .handle,
    "phone": .phone, "url": .url, "tkl": .tkl, "place": .place, "addr": .addr, "who": .who, "hours": .hours,
  ]
}

/// A phrase template parsed once: literal text and slots.
struct CorpusTemplate: Sendable {
  enum Piece: Sendable {
    case text(String)
    case slot(CorpusSlot)
  }

  let pieces: [Piece]
  /// Whether the template names the brand.
  let mentionsBrand: Bool

  init(_ source: String) {
    var pieces: [Piece] = []
    var rest = Substring(source)
    while let open = rest.firstIndex(of: "{") {
      if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
      guard let close = rest[open...].firstIndex(of: "}") else {
        preconditionFailure("unterminated slot in template \(source)")
      }
      let name = String(rest[rest.index(after: open)..<close])
      guard let slot = CorpusSlot.names[name] else { preconditionFailure("unknown slot {\(name)} in template \(source)") }
      pieces.append(.slot(slot))
      rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { pieces.append(.text(String(rest))) }
    self.pieces = pieces
    mentionsBrand = pieces.contains { if case .slot(.brand) = $0 { true } else { false } }
  }

  static func compile(_ sources: [String]) -> [CorpusTemplate] { sources.map(CorpusTemplate.init) }
}

/// The templates of one language, compiled from ``CorpusLanguageVocabulary``.
struct CorpusPhrasebook: Sendable {
  let words: CorpusLanguageVocabulary
  let openers, organicTitles, promoTitles, organicSentences, sharedSentences, promoSentences, leadIns, asides: [CorpusTemplate]
  let conSentences, selfPaidSentences, noAdSentences, couponSentences, purchaseSentences: [CorpusTemplate]
  let diversionSentences, venueSentences, closers, promoClosers, shopSentences, shopTitles: [CorpusTemplate]
  let sufficientTitlePrefixes, sufficientBodyPrefixes, platformTextPrefixes, vagueBodySuffixes, buriedBodySuffixes: [CorpusTemplate]

  init(_ words: CorpusLanguageVocabulary) {
    self.words = words
    let c = CorpusTemplate.compile
    openers = c(words.openers)
    organicTitles = c(words.organicTitles)
    promoTitles = c(words.promoTitles)
    organicSentences = c(words.organicSentences)
    sharedSentences = c(words.sharedSentences)
    promoSentences = c(words.promoSentences)
    leadIns = c(words.leadIns)
    asides = c(words.asides)
    conSentences = c(words.conSentences)
    selfPaidSentences = c(words.selfPaidSentences)
    noAdSentences = c(words.noAdSentences)
    couponSentences = c(words.couponSentences)
    purchaseSentences = c(words.purchaseSentences)
    diversionSentences = c(words.diversionSentences)
    venueSentences = c(words.venueSentences)
    closers = c(words.closers)
    promoClosers = c(words.promoClosers)
    shopSentences = c(words.shopSentences)
    shopTitles = c(words.shopTitles)
    sufficientTitlePrefixes = c(words.markers.sufficientTitlePrefixes)
    sufficientBodyPrefixes = c(words.markers.sufficientBodyPrefixes)
    platformTextPrefixes = c(words.markers.platformTextPrefixes)
    vagueBodySuffixes = c(words.markers.vagueBodySuffixes)
    buriedBodySuffixes = c(words.markers.buriedBodySuffixes)
  }

  static let chinese = CorpusPhrasebook(CorpusVocabulary.chinese)
  static let english = CorpusPhrasebook(CorpusVocabulary.english)
}

/// The random draws of one note. Ordinary notes draw everything from `shared`. Campaign copies
/// share `shared` (seeded by the campaign, so every copy makes the same structural choices) and
/// redraw numbers and emoji from their own stream with probability `variation`.
struct NoteDraw {
  var shared: SeededRandom
  var own: SeededRandom
  let variation: Double

  init(shared: SeededRandom, own: SeededRandom, variation: Double) {
    self.shared = shared
    self.own = own
    self.variation = variation
  }

  init(_ random: SeededRandom) { self.init(shared: random, own: random, variation: 0) }

  /// A structural choice in `0..<bound`.
  mutating func pick(_ bound: Int) -> Int { shared.index(below: bound) }
  /// A structural coin.
  mutating func chance(_ probability: Double) -> Bool { shared.unitDouble() < probability }
  /// A structural uniform double.
  mutating func uniform(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + shared.unitDouble() * (range.upperBound - range.lowerBound)
  }
  /// A variable choice in `0..<bound`: a campaign copy redraws it now and then.
  mutating func vary(_ bound: Int) -> Int {
    let value = shared.index(below: bound)
    guard variation > 0, own.unitDouble() < variation else { return value }
    return own.index(below: bound)
  }
  mutating func element<T>(_ array: [T]) -> T { array[pick(array.count)] }
}

/// What a note's slots are filled with.
struct NoteSlots {
  let book: CorpusPhrasebook
  let english: Bool
  let category: CorpusCategory
  let brand: String?
  let product: String
  let aspect: String
  let aspect2: String
  let code: String
  let handle: String

  init(book: CorpusPhrasebook, english: Bool, category: CorpusCategory, brand: String?, draw: inout NoteDraw) {
    self.book = book
    self.english = english
    self.category = category
    self.brand = brand
    let products = english ? category.englishProducts : category.chineseProducts
    let aspects = english ? category.englishAspects : category.chineseAspects
    product = draw.element(products)
    let first = draw.pick(aspects.count)
    aspect = aspects[first]
    aspect2 = aspects[(first + 1 + draw.pick(aspects.count - 1)) % aspects.count]
    let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
    var code = ""
    if let brand, brand.unicodeScalars.first.map({ $0.isASCII }) == true {
      code = String(brand.uppercased().filter { $0.isLetter }.prefix(4))
    }
    while code.count < 4 { code.append(letters[draw.pick(letters.count)]) }
    code += String(10 + 5 * draw.pick(7))
    self.code = code
    let lower = Array("abcdefghijkmnopqrstuvwxyz")
    var handle = ""
    for _ in 0..<(4 + draw.pick(4)) { handle.append(lower[draw.pick(lower.count)]) }
    handle += (draw.chance(0.5) ? "_" : "") + String(10 + draw.pick(9_990))
    self.handle = handle
  }

  /// Renders `template`, appending to `text`.
  func render(_ template: CorpusTemplate, into text: inout String, draw: inout NoteDraw) {
    for piece in template.pieces {
      switch piece {
      case .text(let literal): text += literal
      case .slot(let slot): fill(slot, into: &text, draw: &draw)
      }
    }
  }

  func render(_ template: CorpusTemplate, draw: inout NoteDraw) -> String {
    var text = ""
    render(template, into: &text, draw: &draw)
    return text
  }

  /// A template from `pool`, avoiding brand-naming ones when there is no brand.
  func choose(_ pool: [CorpusTemplate], draw: inout NoteDraw) -> CorpusTemplate {
    var template = pool[draw.pick(pool.count)]
    var attempts = 0
    while brand == nil, template.mentionsBrand, attempts < 8 {
      template = pool[draw.pick(pool.count)]
      attempts += 1
    }
    return template
  }

  private func price(_ draw: inout NoteDraw) -> Int {
    let low = category.prices.lowerBound, high = category.prices.upperBound
    var value = low + draw.vary(high - low + 1)
    if english { value = max(1, value / 7) }
    // Prices end in 9 or 0 more often than not, as shop prices do.
    if value >= 20 { value = value / 10 * 10 + (draw.vary(3) == 0 ? 0 : 9) }
    return value
  }

  private func digits(_ count: Int, _ draw: inout NoteDraw) -> String {
    var text = ""
    for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(draw.vary(10))))) }
    return text
  }

  private func fill(_ slot: CorpusSlot, into text: inout String, draw: inout NoteDraw) {
    let words = book.words
    switch slot {
    case .product: text += product
    case .brand: text += brand ?? (english ? "this brand" : "这个牌子")
    case .aspect: text += aspect
    case .aspect2: text += aspect2
    case .category: text += english ? category.english : category.chinese
    case .number: text += String(2 + draw.vary(11))
    case .big: text += String(3 + draw.vary(18))
    case .price: text += String(price(&draw))
    case .price2: text += String(price(&draw) * (3 + draw.vary(6)))
    case .pct: text += String(10 + 5 * draw.vary(9))
    case .emoji: text += words.emojis[draw.vary(words.emojis.count)]
    case .con: text += words.cons[draw.pick(words.cons.count)]
    case .code: text += code
    case .handle: text += handle
    case .phone:
      if english {
        text += "(" + String(201 + draw.vary(700)) + ") " + digits(3, &draw) + "-" + digits(4, &draw)
      } else if category.isVenue && draw.chance(0.5) {
        text += ["021-", "010-", "020-", "0755-", "028-"][draw.pick(5)] + String(5 + draw.vary(4)) + digits(7, &draw)
      } else {
        let prefix = "1" + ["3", "5", "7", "8", "9"][draw.vary(5)] + digits(1, &draw)
        let separator = ["", " ", "-"][draw.pick(3)]
        text += prefix + separator + digits(4, &draw) + separator + digits(4, &draw)
      }
    case .url:
      let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
      let host = english ? ["amzn.to/", "liketk.it/", "bit.ly/", "rstyle.me/+"][draw.pick(4)] : "m.tb.cn/h."
      text += host
      for _ in 0..<7 { text.append(alphabet[draw.vary(alphabet.count)]) }
    case .tkl:
      let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
      text += "￥"
      for _ in 0..<11 { text.append(alphabet[draw.vary(alphabet.count)]) }
      text += "￥"
    case .place: text += words.places[draw.pick(words.places.count)]
    case .addr:
      let district = words.districts[draw.pick(words.districts.count)]
      let street = words.streets[draw.pick(words.streets.count)]
      let number = String(1 + draw.vary(399))
      text += english ? "\(number) \(street), \(district)" : "\(district)\(street)\(number)\(words.numberSuffix)"
    case .who: text += words.personas[draw.pick(words.personas.count)]
    case .hours:
      text += ["10:00-22:00", "09:30-21:30", "11:00-23:00", "08:00-20:00", "10:00-02:00"][draw.pick(5)]
    }
  }
}
