import Foundation
import Testing
@testable import Zhongcao

/// The fast featurisation and the fused ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)``
/// against ``DetectorReference``: bitwise features, scores and probabilities, identical explanations.
@Suite struct DetectorFastPathTests {
  /// Texts that stress the tokeniser: empty, emoji only, long runs, non-ASCII Latin (precomposed
  /// and decomposed), other scripts, full-width forms, CJK extension B and compatibility
  /// ideographs, kana with and without combining marks, Hangul syllables and jamo, digits.
  static let edgeTexts = [
    "", " ", "🔥✨💯", "😀😀 😀", "\n\t  ,,, !!!",
    String(repeating: "a", count: 5_000), String(repeating: "Ab1", count: 700),
    (0..<400).map { "w\($0 % 37)" }.joined(separator: " "),
    String(repeating: "好用", count: 600), String(repeating: "好", count: 50),
    "Café CAFÉ café", "Cafe\u{301} Café, café cafe\u{301}", "ÀÉÎÕÜ ÆØÅ ß ÿ Þ × ÷ µ ª º ¹²³ ¼½¾",
    "Straße STRASSE ẞ", "İstanbul ISTANBUL ΣΑΣ σας ǅ ǈ Ǳ", "Привет МИР мир", "ＨＥＬＬＯ ｗｏｒｌｄ １２３ ＯＫ",
    "𠀀𠀁𪚥 𠀀 abc𠀁", "\u{2F800}\u{4E3D} \u{F900}豈\u{8C48} \u{FA0E}", "2024年12月 99.9% 1,000 ²³ ½ ①②",
    "がか\u{3099}の か\u{3099} ガ カ\u{3099}", "한국어 한국어 \u{1112}\u{1161}\u{11AB}", "buy 链接 now", "a中b中c d",
    "\u{301}\u{301}a\u{301}", "Ω\u{2126} K\u{212A} k Å\u{212B}", "zero\u{200D}width\u{200B}joiner",
    "私信领取 Use CODE now! 私信领取 use code NOW", "#ad 品牌合作 Paid partnership #广告", "々〇 〇〇 々",
    "ab𝐀𝐁 𝐚𝐛", "🅰🅱 🄰 café☕", "today coffee discount code in bio 私信领取优惠",
  ]

  /// A detector over `featurizer` with weights drawn from a few values (so that terms often tie
  /// exactly), both signs, and a mild calibration.
  static func detector(_ featurizer: TextFeaturizer, seed: UInt64) -> SponsoredDetector {
    var random = SeededRandom(seed: seed)
    let levels = [-1.0, -0.5, 0, 0.25, 0.5, 1, 2]
    let weights = (0..<featurizer.dimension).map { _ in levels[Int(random.next() % UInt64(levels.count))] }
    let names = (0..<featurizer.extraFeatureCount).map { "extra_\($0)" }.dropLast(featurizer.extraFeatureCount > 1 ? 1 : 0)
    return SponsoredDetector(
      featurizer: featurizer, extraFeatureNames: Array(names),
      classifier: LogisticRegression(weights: weights, bias: -0.3),
      calibration: IsotonicCalibration(scores: [-2, -0.5, 0.5, 2], probabilities: [0.05, 0.3, 0.6, 0.9]),
      propensity: LogisticRegression(weights: [0.5, 0.2], bias: -1), minimumPropensity: 0.02,
      classPrior: 0.2, classPriorInterval: 0.1...0.3, classPriorStandardError: 0.05, labelFrequency: 0.3, confidence: 0.95,
      mostWeightedFeatures: [],
      summary: .init(trainingNotes: 0, trainingDisclosed: 0, heldOutNotes: 0, heldOutDisclosed: 0, anchorNotes: 0,
                     propensityModel: .attributes, classifierIterations: 0, seed: seed))
  }

  /// The shipped detector, `Models/trust-detector-v1.json`.
  static let shipped: SponsoredDetector = {
    let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return try! SponsoredDetector(contentsOf: root.appending(path: "Models/trust-detector-v1.json").path)
  }()

  /// Checks one note against the reference: features, grams, score, probability, and the
  /// explanation for each of `counts`.
  static func expectMatch(
    _ detector: SponsoredDetector, text: String, extra: [Double], attributes: [Double]?, counts: [Int],
    workspace: inout SponsoredDetector.Workspace, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let featurizer = detector.featurizer
    let expected = DetectorReference.features(featurizer, text: text, extra: extra)
    let got = featurizer.features(text: text, extra: extra)
    #expect(got.indices == expected.indices, "\(text.prefix(80))", sourceLocation: sourceLocation)
    #expect(got.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "\(text.prefix(80))", sourceLocation: sourceLocation)
    #expect(featurizer.grams(of: text) == DetectorReference.grams(featurizer, of: text), "\(text.prefix(80))", sourceLocation: sourceLocation)
    let score = detector.classifier.logit(expected)
    let probability = DetectorReference.probability(detector, text: text, extra: extra, propensityAttributes: attributes)
    for count in counts {
      let assessment = detector.assess(text: text, extra: extra, propensityAttributes: attributes, explainCount: count, workspace: &workspace)
      #expect(assessment.score.bitPattern == score.bitPattern, sourceLocation: sourceLocation)
      #expect(assessment.probability.bitPattern == probability.bitPattern, sourceLocation: sourceLocation)
      let reference = DetectorReference.topFeatures(detector, text: text, extra: extra, count: count)
      #expect(assessment.explanation == reference, "count \(count): \(text.prefix(80))", sourceLocation: sourceLocation)
      #expect(detector.topFeatures(text: text, extra: extra, count: count) == reference, sourceLocation: sourceLocation)
      // A positive threshold: the first pass records nothing and an explained note is hashed again.
      let conditional = detector.assess(text: text, extra: extra, propensityAttributes: attributes, explainCount: count,
                                        explainThreshold: .leastNonzeroMagnitude, workspace: &workspace)
      #expect(conditional.explanation == (probability > 0 ? reference : []), sourceLocation: sourceLocation)
    }
  }

  @Test func scalarTableMatchesTheDefinition() {
    var mismatches: [UInt32] = []
    for value in 0..<UInt32(ScalarTable.count) {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let expected: UInt8 = switch TextFeaturizer.scalarClass(of: scalar) {
      case .separator: ScalarTable.separator
      case .word: ScalarTable.word
      case .cjk: ScalarTable.cjk
      }
      if ScalarTable.entries[Int(value)] & 3 != expected { mismatches.append(value) }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
  }

  /// Every word scalar below U+3000 and the full-width forms, alone, inside ASCII words, next to
  /// CJK and upper/lower pairs: the lowercasing fast paths agree with `String.lowercased()`.
  @Test func wordScalarsHashAsDefined() {
    let featurizer = TextFeaturizer(bucketBits: 16)
    var workspace = SponsoredDetector.Workspace()
    let detector = Self.detector(featurizer, seed: 1)
    let ranges: [ClosedRange<UInt32>] = [0x80...0x2FFF, 0xFF00...0xFFEF, 0x1D400...0x1D4FF]
    for range in ranges {
      let scalars = range.compactMap(Unicode.Scalar.init).filter { TextFeaturizer.scalarClass(of: $0) == .word }
      for chunk in stride(from: 0, to: scalars.count, by: 48) {
        let part = scalars[chunk..<min(scalars.count, chunk + 48)]
        let text = part.map { "ab\($0)CD \($0) 中\($0)文 \($0)\($0)" }.joined(separator: " ")
        Self.expectMatch(detector, text: text, extra: [], attributes: nil, counts: [3], workspace: &workspace)
      }
    }
  }

  @Test func edgeCasesMatchTheReference() {
    let featurizers = [
      TextFeaturizer(), TextFeaturizer(bucketBits: 10, extraFeatureCount: 3),
      TextFeaturizer(bucketBits: 12, characterGrams: 2...4, wordBigrams: false, extraFeatureCount: 1, seed: 9),
      TextFeaturizer(bucketBits: 24, characterGrams: 1...5), TextFeaturizer(bucketBits: 17, characterGrams: 3...3),
    ]
    for (index, featurizer) in featurizers.enumerated() {
      let detector = Self.detector(featurizer, seed: UInt64(index))
      var workspace = SponsoredDetector.Workspace()
      for (offset, text) in Self.edgeTexts.enumerated() {
        let extra = (0..<featurizer.extraFeatureCount).map { Double(($0 + offset) % 3) * 0.5 }
        Self.expectMatch(detector, text: text, extra: extra, attributes: offset % 2 == 0 ? nil : [1, 0],
                         counts: [0, 1, 3, 10, 100], workspace: &workspace)
      }
    }
  }

  /// With 2^10 buckets a long note has many collisions (several grams per bucket, signs
  /// cancelling), and quantised weights make many terms tie at the top-`count` boundary.
  @Test func collisionsAndTiesMatchTheReference() {
    let featurizer = TextFeaturizer(bucketBits: 10, extraFeatureCount: 2)
    let detector = Self.detector(featurizer, seed: 7)
    var random = SeededRandom(seed: 8)
    var workspace = SponsoredDetector.Workspace()
    let words = ["code", "link", "bio", "buy", "now", "Sale", "deal", "好物", "链接", "私信", "领取", "优惠", "Café", "naïve", "１２３"]
    var sharedBuckets = 0
    for _ in 0..<60 {
      let text = (0..<Int(random.next() % 300 + 20)).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
      let extra = [Double(random.next() % 3), 0.5]
      Self.expectMatch(detector, text: text, extra: extra, attributes: nil, counts: [1, 2, 3, 5, 8, 20, 64, 65, 500], workspace: &workspace)
      let explanation = detector.topFeatures(text: text, extra: extra, count: 20)
      let buckets = explanation.compactMap { item in item.kind.map { featurizer.bucket(of: TextGram(text: item.feature, kind: $0, start: 0, end: 0)).index } }
      sharedBuckets += buckets.count - Set(buckets).count
    }
    #expect(sharedBuckets > 0, "the test should exercise grams sharing a bucket")
  }

  /// Random strings over a pool of scalars of every class, CJK and Latin runs of every length.
  @Test func randomTextsMatchTheReference() {
    let pool = Array("aZ09 ,.!#@\n中文好用链接私信の가한𠀀々ÉéßÀ\u{301}\u{3099}Ｆｆ１😀🔥ΣσДд-_/:")
    var random = SeededRandom(seed: 11)
    for bucketBits in [10, 18] {
      let featurizer = TextFeaturizer(bucketBits: bucketBits, extraFeatureCount: 1)
      let detector = Self.detector(featurizer, seed: UInt64(bucketBits))
      var workspace = SponsoredDetector.Workspace()
      for _ in 0..<300 {
        let text = String((0..<Int(random.next() % 120)).map { _ in pool[Int(random.next() % UInt64(pool.count))] })
        Self.expectMatch(detector, text: text, extra: [Double(random.next() % 2)], attributes: nil, counts: [1, 3, 50], workspace: &workspace)
      }
    }
  }

  /// The shipped detector on a generated corpus, inputs built as the trust scan builds them.
  @Test func generatedCorpusMatchesTheReference() throws {
    var generator = NoteCorpusGenerator(notes: 3_000, authors: 600, seed: 5)
    generator.engagementsPerNote = 0
    let notes = generator.generate().notes
    let (reads, attributes, _, _) = try TrustScanner().read(notes)
    // The masked texts as the scan lays them out, one buffer reused from note to note.
    var buffer: [UInt8] = []
    let texts = notes.indices.map { i in
      TrustFeatures.writeMaskedUTF8(of: notes[i], markers: reads[i].disclosure.markers, into: &buffer)
      return String(decoding: buffer, as: UTF8.self)
    }
    #expect(texts == notes.indices.map { ReferenceReading.maskedText(of: notes[$0], markers: reads[$0].disclosure.markers) })
    #expect(reads.contains { !$0.disclosure.markers.isEmpty })
    let detector = Self.shipped
    var workspace = SponsoredDetector.Workspace()
    var explained = 0
    for (index, read) in reads.enumerated() {
      let counts = index % 5 == 0 ? [1, 3, 10] : [3]
      Self.expectMatch(detector, text: texts[index], extra: read.extra, attributes: attributes[index], counts: counts, workspace: &workspace)
      explained += detector.topFeatures(text: texts[index], extra: read.extra, count: 3).isEmpty ? 0 : 1
    }
    #expect(explained > reads.count / 2)
    #expect(texts.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } })
    #expect(texts.contains { !$0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } })
  }

  @Test func explanationOnlyAtOrAboveTheThreshold() {
    let detector = Self.detector(TextFeaturizer(bucketBits: 12), seed: 3)
    let text = "today coffee discount code in bio 私信领取优惠"
    let plain = detector.assess(text: text, explainCount: 3)
    #expect(!plain.explanation.isEmpty)
    #expect(detector.assess(text: text, explainCount: 3, explainThreshold: plain.probability).explanation == plain.explanation)
    let above = detector.assess(text: text, explainCount: 3, explainThreshold: plain.probability.nextUp)
    #expect(above.explanation.isEmpty && above.probability == plain.probability && above.score == plain.score)
    #expect(detector.assess(text: text).explanation.isEmpty)
  }

  /// The ordered hash table against a dictionary: random buckets, a few buckets repeated many
  /// times (long clusters, cancelling signs), every size from empty up.
  @Test func bucketCounterMatchesADictionary() {
    var random = SplitMix64(seed: 5)
    for bucketBits in [10, 16, 18, 24] {
      for count in [0, 1, 2, 15, 16, 17, 100, 1_000, 5_000] {
        for distinct in [1, 3, 40, 1 << bucketBits] {
          let codes = (0..<count).map { _ in UInt32(random.next() % UInt64(distinct)) << 1 | UInt32(random.next() & 1) }
          var expected: [Int32: Int] = [:]
          for code in codes { expected[Int32(code >> 1), default: 0] += code & 1 == 0 ? 1 : -1 }
          let counter = BucketCounter(gramCount: count, bucketBits: bucketBits)
          var table = [UInt64](repeating: 0, count: counter.tableSize)
          var occupied = [UInt64](repeating: 0, count: counter.tableSize / 64 + 1)
          var got: [(bucket: Int32, sum: Int)] = []
          codes.withUnsafeBufferPointer { codes in
            table.withUnsafeMutableBufferPointer { table in
              occupied.withUnsafeMutableBufferPointer { occupied in
                counter.insert(codes, table: table, occupied: occupied)
                counter.removeAll(table: table, occupied: occupied) { got.append(($0, $1)) }
              }
            }
          }
          #expect(got.map(\.bucket) == expected.keys.sorted(), "bits \(bucketBits), count \(count), distinct \(distinct)")
          #expect(got.allSatisfy { expected[$0.bucket] == $0.sum })
          #expect(table.allSatisfy { $0 == 0 } && occupied.allSatisfy { $0 == 0 }, "the table is left empty")
        }
      }
    }
  }
}
