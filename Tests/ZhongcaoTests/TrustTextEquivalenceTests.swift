import Testing

@testable import Zhongcao

/// The one-pass normalizer and note reader against the step-by-step pipeline they replaced
/// (Reference/ReferenceTextPipeline.swift), on random text built to hit every rule.
@Suite("Trust: fast text pipeline equals the reference")
struct TrustTextEquivalenceTests {
  /// Pieces random texts are made of: evasions and near misses, links, full-width and
  /// compatibility forms (some expanding to many scalars), invisible characters, combining marks,
  /// astral scalars, emoji and symbol separators, currency symbols, CJK, kana and Hangul.
  static let pieces: [String] = [
    "a", "d", "x", "V", "w", "Q", "e", "I", " ", "  ", "\n", "\t", "\r\n", "1", "3", "8", "0", "99", "13812345678",
    "vx", "VX", "ｖｘ", "wx", "WeChat", "weixin", "微信", "威信", "薇", "薇信", "徽信", "v信", "vx信", "扣扣", "qq", "QQ",
    "加", "+", "➕", "＋", "❤", "💗", "✨", "😀", "🇨🇳", "·", ".", "_", "-", "~", "|", "/", "\\", "^", "*", "`", "'", "\"",
    ":", "：", "，", "。", "！", "【", "】", "「", "」", "#", "＃", "@", "＠",
    "http://", "https://", "www.", "t.cn/", "bit.ly/", "xhslink.com/", "qq.com", "abc", "?ref=vx", ".com", "a_b",
    "￥", "¥", "$", "€", "£", "₤", "¢", "₳", "₴", "₰", "Ω", "￡", "￠", "￦", "AbC1234xYz", "abcdef", "ABC123",
    "ＡＤ", "Ａ", "１２", "　", "Ⓥ", "𝐚𝐝", "㍱", "ﬁ", "①", "㎖", "½", "\u{FDFA}", "Ǆ", "ß", "İ", "Σ",
    "\u{200B}", "\u{200D}", "\u{FE0F}", "\u{00AD}", "\u{E0100}", "\u{2060}", "e\u{301}", "a\u{308}", "\u{301}",
    "\u{E000}", "\u{E001}", "\u{E002}", "广", "告", "合", "作", "的", "天", "最后", "仅剩", "还剩", "3天", "元", "块",
    "𠀀", "𪚥", "カ", "ｶ", "가", "é", "Ω", "ж", "λ", "・", "゛", "ー", "〜", "→", "©",
  ]

  /// A random text of `1...maxPieces` pieces, some from `extra`.
  static func randomText(_ random: inout TestRandom, maxPieces: Int, extra: [String] = []) -> String {
    var text = ""
    for _ in 0..<Int.random(in: 1...maxPieces, using: &random) {
      if !extra.isEmpty && Int.random(in: 0..<4, using: &random) == 0 {
        text += extra[Int.random(in: 0..<extra.count, using: &random)]
      } else {
        text += pieces[Int.random(in: 0..<pieces.count, using: &random)]
      }
    }
    return text
  }

  @Test func normalizerEqualsReferenceOnRandomText() {
    var random = TestRandom(seed: 20_240_501)
    let normalizer = TextNormalizer()
    let scratch = NormalizerScratch(capacity: 16)  // small, so that growing is exercised
    var mismatches = 0
    for round in 0..<12_000 {
      let text = Self.randomText(&random, maxPieces: round % 10 == 0 ? 120 : 24)
      let expected = ReferenceNormalizer.normalize(text)
      let reused = normalizer.normalize(text, using: scratch)
      let fresh = normalizer.normalize(text)
      // What the fold and the separator step measure on the way.
      var utf8 = text
      let (columns, scripts, counted) = utf8.withUTF8 { utf8 in
        let field = TextNormalizer.normalize(utf8: utf8, into: scratch)
        var collection = DisclosureGrader.MarkerCollection()
        collection.countScripts(field.values)
        return (field.originalColumns, field.scriptCounts, (collection.cjkCount, collection.latinCount))
      }
      #expect(columns == DisclosureGrader.columns(of: text))
      #expect(scripts.map { [$0.cjk, $0.latin] } == [counted.0, counted.1])
      if reused != expected || fresh != expected {
        mismatches += 1
        #expect(reused == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        if mismatches > 5 { return }
      }
    }
  }

  @Test(arguments: ["", "\u{200B}", "\u{FDFA}\u{FDFA}\u{FDFA}\u{FDFA}", String(repeating: "\u{FDFA}", count: 300), "a"])
  func normalizerEqualsReferenceOnEdgeCases(_ text: String) {
    #expect(TextNormalizer().normalize(text) == ReferenceNormalizer.normalize(text))
    #expect(TextNormalizer().normalize(text, using: NormalizerScratch(capacity: 1)) == ReferenceNormalizer.normalize(text))
  }

  /// Lexicon terms as written and as hashtags, brand names and long filler, so that markers,
  /// signals, exclusions, labels and buried markers all occur.
  static func notePieces(brands: [String]) -> [String] {
    var pieces = Lexicon.default.entries.map { $0.mode == .hashtag ? "#" + $0.term : $0.term }
    pieces += Lexicon.default.entries.flatMap(\.exclusions)
    pieces += brands + brands.map { $0.uppercased() }
    pieces += [
      "今天天气很好我们一起去公园散步然后喝了一杯咖啡感觉非常不错", "This is a long and honest review of my morning routine, ",
      "优惠码：ZC2024 ", "code SAVEBIG ", "¥ 99", "$19.99", "9.9r", "199 rmb", "最后3天", "仅剩 两 件", "vx: abc_123 ",
      "扣扣 12345678", "QQ12345", "+86 138-1234-5678", "010-12345678", "400-123-4567", "ab@qq.com", "https://item.taobao.com/x?id=1",
      "https://amzn.to/3x", "t.cn/Ab12", "￥AbC1234xYz￥", "Ad | ", "【广告】", "#ad ", "#sp ",
    ]
    return pieces
  }

  /// A random note whose fields come from `pieces` and the text pieces.
  static func randomNote(_ random: inout TestRandom, index: Int, pieces: [String]) -> Note {
    let labels: [String?] = [nil, nil, nil, "", " ", "品牌合作", "Paid partnership", "\u{200B}", "合作"]
    return Note(
      id: "r\(index)", author: "a\(index % 7)", title: randomText(&random, maxPieces: 6, extra: pieces),
      body: randomText(&random, maxPieces: index % 5 == 0 ? 90 : 25, extra: pieces),
      tags: (0..<Int.random(in: 0...7, using: &random)).map { _ in randomText(&random, maxPieces: 2, extra: pieces) },
      brandLabel: labels[Int.random(in: 0..<labels.count, using: &random)])
  }

  /// The signals of `note` with every scanner run (no hints), the lexicon and the brands scanned
  /// separately.
  static func ungatedSignals(_ note: NormalizedNote, detector: SignalDetector) -> [Signal] {
    var result: [Signal] = []
    for field in Note.Field.allCases {
      note.withFieldText(field, hinted: false) { text in
        guard text.normalized.count > 0 else { return }
        let matches = detector.lexicon.matches(in: note[field], allowingLabels: false)
        let brands = detector.brands.lexicon.matches(in: note[field], allowingLabels: false)
        detector.collectSignals(in: text, lexiconMatches: matches, brandMatches: brands, into: &result)
      }
    }
    return result
  }

  /// Compares the reader with the reference pipeline on `notes`; returns the number of notes that differ.
  static func compare(_ notes: [Note], grader: DisclosureGrader, detector: SignalDetector) -> Int {
    var reader = NoteTextReader(grader: grader, detector: detector)
    var mismatches = 0
    for (index, note) in notes.enumerated() {
      let zScores: (collect: Double?, comment: Double?) = index % 3 == 0 ? (nil, nil) : (Double(index % 13) - 6, 7.5)
      let reading = reader.read(note, zScores: zScores)
      let normalized = NormalizedNote(note)
      let disclosure = ReferenceReading.assess(normalized, by: grader)
      let signals = ungatedSignals(normalized, detector: detector)
      let same =
        reading.disclosure == disclosure && grader.assess(normalized) == disclosure && reading.signals == signals
        && detector.signals(in: normalized) == signals
        && TrustFeatures.maskedText(of: note, markers: reading.disclosure.markers)
          == ReferenceReading.maskedText(of: note, markers: disclosure.markers)
        && reading.extra == ReferenceReading.vector(signals: signals, zScores: zScores)
        && (disclosure.markers + disclosure.negativeDeclarations).allSatisfy { $0.span.text(in: note) == $0.text }
        && signals.allSatisfy { $0.spans[0].text(in: note) == $0.text }
      if !same {
        mismatches += 1
        #expect(reading.disclosure == disclosure, "\(note)")
        #expect(reading.signals == signals, "\(note)")
        #expect(TrustFeatures.maskedText(of: note, markers: reading.disclosure.markers)
                == ReferenceReading.maskedText(of: note, markers: disclosure.markers), "\(note)")
        if mismatches > 3 { break }
      }
    }
    return mismatches
  }

  static let brandNames = ["Lancôme", "完美日记", "Nike", "花西子", "SK-II", "Mira Goods"]

  @Test func readerEqualsReferenceOnGeneratedNotes() {
    let corpus = NoteCorpusGenerator(notes: 1_500, authors: 300, seed: 5).generate()
    let detector = SignalDetector(brands: BrandList(corpus.brands.map { BrandList.Brand(name: $0) }))
    #expect(Self.compare(corpus.notes, grader: DisclosureGrader(), detector: detector) == 0)
  }

  @Test func readerEqualsReferenceOnRandomNotes() {
    var random = TestRandom(seed: 77)
    let pieces = Self.notePieces(brands: Self.brandNames)
    let notes = (0..<1_500).map { Self.randomNote(&random, index: $0, pieces: pieces) }
    let detector = SignalDetector(brands: BrandList(Self.brandNames.map { BrandList.Brand(name: $0) }))
    #expect(Self.compare(notes, grader: DisclosureGrader(), detector: detector) == 0)
  }

  /// A detector with a lexicon of its own: the reader scans the two lexicons separately.
  @Test func readerEqualsReferenceWithTwoLexicons() throws {
    var random = TestRandom(seed: 78)
    let pieces = Self.notePieces(brands: Self.brandNames)
    let notes = (0..<300).map { Self.randomNote(&random, index: $0, pieces: pieces) }
    let extra = try Lexicon(
      parsing: """
        # version: extra
        term\tlanguage\tclass\tmode\tsource\teffective\tnote
        天气\tzh\turgency\tsubstring\theuristic\t2024\t
        广告\tzh\tprice\tword\theuristic\t2024\t
        """)
    let detector = SignalDetector(lexicon: Lexicon.default.merging(extra), brands: BrandList())
    #expect(Self.compare(notes, grader: DisclosureGrader(configuration: .init(foldColumns: 20, longBodyColumns: 40)), detector: detector) == 0)
  }
}
