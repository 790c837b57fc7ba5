import Testing

@testable import Zhongcao

@Suite("Trust: compiled matcher and class table equal their references")
struct TrustMatcherEquivalenceTests {
  /// A small deterministic generator (SplitMix64), so failures reproduce.
  struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
  }

  @Test func classTableEqualsUnicodeProperties() {
    var mismatches: [UInt32] = []
    for value in UInt32(0)..<0x10000 {
      let wide = Unicode.Scalar(value).map(DisclosureGrader.isWide) ?? false
      let folds = (Unicode.Scalar(value)?.properties.changesWhenNFKCCaseFolded ?? false) || TextNormalizer.widthFolded(value) != nil
      if ScalarClass.isWordCharacter(value) != ScalarClass.isWordCharacterSlow(value)
        || ScalarClass.isSymbolSeparator(value) != ScalarClass.isSymbolSeparatorSlow(value)
        || ScalarClass.table.has(value, ScalarClass.invisibleBit) != ScalarClass.isInvisible(value)
        || ScalarClass.table.has(value, ScalarClass.cjkBit) != ScalarClass.isCJK(value)
        || ScalarClass.table.has(value, ScalarClass.wideBit) != wide
        || ScalarClass.table.has(value, ScalarClass.foldsBit) != folds
        || ScalarClass.table.has(value, ScalarClass.triggerBit) != (value >= 0x80 && !TextHints.triggers(value).isEmpty)
        || (value >= 0x80 && !TextHints.triggers(value).isEmpty && !ScalarClass.mayTrigger(value))
        || (!ScalarClass.isUnifiedIdeograph(value)
          && (ScalarClass.table.bits[Int(value)] & 15) << 2 != TextNormalizer.classBits(value) & ~TextNormalizer.letterClass)
        || (ScalarClass.isUnifiedIdeograph(value) && TextNormalizer.classBits(value) != TextNormalizer.cjkClass)
      {
        mismatches.append(value)
      }
    }
    #expect(mismatches.isEmpty)
  }

  /// The fold's classes of astral scalars (with their shortcuts for pictographs) against the
  /// Unicode properties.
  @Test func astralFoldBitsEqualUnicodeProperties() {
    var mismatches: [UInt32] = []
    for value in Array(UInt32(0x10000)..<0x40000) + Array(UInt32(0xE0000)..<0xE1000) {
      guard let scalar = Unicode.Scalar(value) else { continue }
      var bits: UInt8 = 0
      if ScalarClass.isCJK(value) { bits |= ScalarClass.cjkBit }
      if ScalarClass.isInvisible(value) { bits |= ScalarClass.invisibleBit }
      if scalar.properties.changesWhenNFKCCaseFolded { bits |= ScalarClass.foldsBit }
      if DisclosureGrader.isWide(scalar) { bits |= ScalarClass.wideBit }
      if TextNormalizer.astralBits(value) != bits
        || TextNormalizer.astralClassBits(value) != TextNormalizer.classBits(value)
      {
        mismatches.append(value)
      }
    }
    #expect(mismatches.isEmpty)
  }

  /// Random texts built from pieces of lexicon terms, exclusions, brand names, hashtags and
  /// boundary characters, so that matches, near misses, overlaps and exclusions all occur.
  @Test(arguments: [false, true])
  func lexiconMatcherEqualsBruteForce(allowingLabels: Bool) {
    let brands = BrandList(["Lancôme", "完美日记", "Nike", "花西子", "SK-II"].map { BrandList.Brand(name: $0) })
    for lexicon in [Lexicon.default, brands.lexicon] {
      let matcher = lexicon.matcher
      var pieces: [[UInt32]] = matcher.patterns.map(\.values)
      pieces += matcher.patterns.flatMap { $0.exclusions.map(\.values) }
      pieces += ["#", " ", "a", "x", "1", "广", "的", "!", "【", "】", "é", "😀", "\u{E000}", "𠀀", "ad", "s"].map {
        $0.unicodeScalars.map(\.value)
      }
      var random = SplitMix(state: allowingLabels ? 7 : 11)
      for _ in 0..<4_000 {
        var text: [UInt32] = []
        for _ in 0..<(1 + random.below(8)) {
          var piece = pieces[random.below(pieces.count)]
          if !piece.isEmpty && random.below(5) == 0 { piece.removeLast() }  // near misses
          text += piece
        }
        let fast = matcher.matches(in: text, allowingLabels: allowingLabels)
        let reference = matcher.bruteForceMatches(in: text, allowingLabels: allowingLabels)
        #expect(fast == reference, "\(text)")
        if fast != reference { return }
      }
    }
  }

  /// One scan of the lexicon and a brand list together (a brand that is also a lexicon term
  /// included) finds what each finds alone, labels allowed or not.
  @Test func combinedMatcherEqualsSeparateMatchers() {
    let brands = BrandList(["Lancôme", "完美日记", "Nike", "花西子", "SK-II", "广告", "Ad"].map { BrandList.Brand(name: $0) })
    let lexicon = Lexicon.default.matcher, brandMatcher = brands.lexicon.matcher
    let combined = LexiconMatcher(combining: lexicon, brandMatcher)
    var pieces: [[UInt32]] = (lexicon.patterns + brandMatcher.patterns).map(\.values)
    pieces += ["#", " ", "a", "1", "广", "!", "【", "😀", "𠀀", "ad"].map { $0.unicodeScalars.map(\.value) }
    var random = SplitMix(state: 13)
    for _ in 0..<3_000 {
      var text: [UInt32] = []
      for _ in 0..<(1 + random.below(8)) { text += pieces[random.below(pieces.count)] }
      for labels in [false, true] {
        var candidates: [LexiconMatcher.Candidate] = []
        text.withUnsafeBufferPointer { combined.collectCandidates(in: $0, allowingLabels: labels, into: &candidates) }
        let same =
          combined.resolve(candidates) == lexicon.matches(in: text, allowingLabels: labels)
          && combined.resolve(candidates, includingLabels: false) == lexicon.matches(in: text, allowingLabels: false)
          && combined.resolve(candidates, source: 1) == brandMatcher.matches(in: text, allowingLabels: false)
        #expect(same, "\(text)")
        if !same { return }
      }
    }
  }

  /// The matcher on every field of generated notes, against the reference.
  @Test func lexiconMatcherEqualsBruteForceOnGeneratedNotes() {
    let corpus = NoteCorpusGenerator(notes: 600, authors: 120, seed: 3).generate()
    let matcher = Lexicon.default.matcher
    for note in corpus.notes.prefix(150) {
      let normalized = NormalizedNote(note)
      for field in [Note.Field.title, .body, .tags, .brandLabel] {
        let values = normalized[field].values
        #expect(
          matcher.matches(in: values, allowingLabels: true) == matcher.bruteForceMatches(in: values, allowingLabels: true))
      }
    }
  }
}
