import Foundation
import Testing
@testable import Zhongcao

/// A synthetic positive–unlabeled corpus with selection bias (SAR).
///
/// - 15 % of notes are sponsored. A sponsored note draws each word from a sponsorship vocabulary
///   with probability 0.22 … 0.50 (rising with author size: bigger accounts write more polished
///   ads), else from the organic vocabulary; organic notes draw sponsorship words too, 5 % of the
///   time, and 12 % of them ("experience shares" that talk about prices and links) 20 % of the
///   18 % of the time. Several words (推荐, 入手, love, new, price, buy…) sit in both vocabularies.
/// - Chinese notes (55 %) are written without spaces; English notes with spaces.
/// - One extra signal, "has a purchase link": 45 % of sponsored, 12 % of organic notes.
/// - A sponsored note is disclosed with propensity `σ(−1.7 + (log₁₀ followers − 4) + 1.6·after)`,
///   where followers are 10² … 10⁶ and `after` marks the second half of the period (a rule took
///   effect): about 30 % of sponsored notes overall. Disclosed notes carry a marker (#ad, Paid
///   partnership, #广告, 品牌合作) that ``mask(_:)`` removes before training.
struct SyntheticPU {
  struct Note {
    var text: String
    var extra: [Double]
    var attributes: [Double]
    var sponsored: Bool
    var disclosed: Bool
  }

  static let organicEnglish = [
    "today", "tried", "my", "morning", "routine", "weekend", "coffee", "honest", "thoughts", "skin", "feels",
    "soft", "texture", "bought", "myself", "last", "month", "really", "like", "color", "trip", "photo", "friends",
    "dinner", "cozy", "favorite", "simple", "look", "outfit", "rain", "city", "walk", "book", "reading", "finally",
    "home", "cooking", "recipe", "love", "nice", "new", "price", "buy", "worth",
  ]
  static let sponsoredEnglish = [
    "link", "code", "discount", "limited", "offer", "official", "store", "shop", "deal", "save", "partner",
    "gifted", "launch", "collection", "exclusive", "price", "buy", "now", "bio", "promo", "sale", "brand",
    "ambassador", "off", "love", "new", "worth",
  ]
  static let organicChinese = [
    "今天", "分享", "自己", "买的", "真的", "好用", "喜欢", "周末", "日常", "早餐", "咖啡", "出门", "记录", "生活",
    "朋友", "旅行", "拍照", "穿搭", "心情", "回购", "平价", "学生党", "空瓶", "素颜", "通勤", "推荐", "入手", "价格",
  ]
  static let sponsoredChinese = [
    "链接", "优惠", "私信", "下单", "福利", "品牌", "官方", "折扣", "限时", "旗舰店", "专属", "赠品", "抢购", "新品",
    "合作", "种草", "推荐", "入手", "价格", "活动",
  ]
  static let markers = ["#ad", "Paid partnership", "#广告", "品牌合作"]

  /// Removes the disclosure markers: what the disclosure grader's masking does for real notes.
  static func mask(_ text: String) -> String {
    var masked = text
    for marker in markers { masked = masked.replacingOccurrences(of: marker, with: " ") }
    return masked
  }

  static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

  static func make(count: Int, seed: UInt64, share: Double = 0.15) -> [Note] {
    var random = SeededRandom(seed: seed)
    var notes: [Note] = []
    notes.reserveCapacity(count)
    for _ in 0..<count {
      let sponsored = random.unitDouble() < share
      let size = 2 + 4 * random.unitDouble()
      let after = random.unitDouble() < 0.5 ? 0.0 : 1.0
      let chinese = random.unitDouble() < 0.55
      let length = 8 + random.index(below: 9)
      let rate: Double
      if sponsored {
        rate = 0.22 + 0.07 * (size - 2)
      } else {
        rate = random.unitDouble() < 0.12 ? 0.18 : 0.05
      }
      var words: [String] = []
      for _ in 0..<length {
        let fromSponsored = random.unitDouble() < rate
        let vocabulary = chinese
          ? (fromSponsored ? sponsoredChinese : organicChinese)
          : (fromSponsored ? sponsoredEnglish : organicEnglish)
        words.append(vocabulary[random.index(below: vocabulary.count)])
      }
      let hasLink = random.unitDouble() < (sponsored ? 0.45 : 0.12)
      let disclosed = sponsored && random.unitDouble() < sigmoid(-1.7 + (size - 4) + 1.6 * after)
      var text = chinese ? words.joined() : words.joined(separator: " ")
      if disclosed {
        let marker = chinese ? markers[2 + random.index(below: 2)] : markers[random.index(below: 2)]
        text = random.unitDouble() < 0.5 ? marker + " " + text : text + " " + marker
      }
      notes.append(Note(
        text: text, extra: [hasLink ? 1 : 0], attributes: [size - 4, after], sponsored: sponsored, disclosed: disclosed))
    }
    return notes
  }

  static func examples(_ notes: [Note]) -> [SponsoredDetector.Example] {
    notes.map { .init(text: mask($0.text), extra: $0.extra, propensityAttributes: $0.attributes, isDisclosed: $0.disclosed) }
  }

  static func configuration(_ model: SponsoredDetector.Configuration.PropensityModel = .attributes, bootstrap: Int = 200, seed: UInt64 = 11) -> SponsoredDetector.Configuration {
    .init(
      featurizer: TextFeaturizer(bucketBits: 18, extraFeatureCount: 1), extraFeatureNames: ["purchase_link"],
      propensityModel: model, bootstrapSamples: bootstrap, seed: seed)
  }
}

/// Area under the ROC curve of `scores` for positives against negatives (ties count half).
func areaUnderCurve(positives: [Double], negatives: [Double]) -> Double {
  let negativesSorted = negatives.sorted()
  var total = 0.0
  for score in positives {
    var low = 0, high = negativesSorted.count
    while low < high { let middle = (low + high) / 2; if negativesSorted[middle] < score { low = middle + 1 } else { high = middle } }
    let below = low
    var equalEnd = below
    while equalEnd < negativesSorted.count && negativesSorted[equalEnd] == score { equalEnd += 1 }
    total += Double(below) + 0.5 * Double(equalEnd - below)
  }
  return total / (Double(positives.count) * Double(negativesSorted.count))
}

/// Expected calibration error with equal-width bins: Σ_bins (n_b/n)·|mean p − positive rate|.
func expectedCalibrationError(probabilities: [Double], truth: [Bool], bins: Int = 15) -> Double {
  var sums = [Double](repeating: 0, count: bins), positives = [Double](repeating: 0, count: bins), counts = [Double](repeating: 0, count: bins)
  for (p, y) in zip(probabilities, truth) {
    let bin = min(bins - 1, Int(p * Double(bins)))
    sums[bin] += p
    positives[bin] += y ? 1 : 0
    counts[bin] += 1
  }
  var error = 0.0
  for bin in 0..<bins where counts[bin] > 0 { error += abs(sums[bin] - positives[bin]) }
  return error / Double(probabilities.count)
}

/// The corpus and the SAR detector trained once and shared by the tests below.
struct TrainedDetectorFixture: Sendable {
  let training: [SyntheticPU.Note]
  let test: [SyntheticPU.Note]
  let detector: SponsoredDetector

  init() {
    training = SyntheticPU.make(count: 20_000, seed: 1)
    test = SyntheticPU.make(count: 10_000, seed: 2)
    detector = try! SponsoredDetector.train(SyntheticPU.examples(training), configuration: SyntheticPU.configuration())
  }

  var trueTrainingShare: Double { Double(training.count { $0.sponsored }) / Double(training.count) }
}

let detectorFixture = TrainedDetectorFixture()

@Suite struct DetectorPUTests {
  @Test func findsUndisclosedPromotionWithMarkersMasked() {
    let fixture = detectorFixture
    let detector = fixture.detector
    let probabilities = fixture.test.map { detector.probability(text: SyntheticPU.mask($0.text), extra: $0.extra) }
    let hidden = fixture.test.indices.filter { fixture.test[$0].sponsored && !fixture.test[$0].disclosed }.map { probabilities[$0] }
    let negatives = fixture.test.indices.filter { !fixture.test[$0].sponsored }.map { probabilities[$0] }
    let scores = fixture.test.map { detector.score(text: SyntheticPU.mask($0.text), extra: $0.extra) }
    let hiddenScores = fixture.test.indices.filter { fixture.test[$0].sponsored && !fixture.test[$0].disclosed }.map { scores[$0] }
    let negativeScores = fixture.test.indices.filter { !fixture.test[$0].sponsored }.map { scores[$0] }
    let auc = areaUnderCurve(positives: hiddenScores, negatives: negativeScores)
    let calibratedAUC = areaUnderCurve(positives: hidden, negatives: negatives)
    let ece = expectedCalibrationError(probabilities: probabilities, truth: fixture.test.map(\.sponsored))
    let undisclosed = fixture.test.filter { !$0.disclosed }
    let posterior = undisclosed.map { detector.probability(text: SyntheticPU.mask($0.text), extra: $0.extra, propensityAttributes: $0.attributes) }
    let posteriorECE = expectedCalibrationError(probabilities: posterior, truth: undisclosed.map(\.sponsored))
    print("detector: AUC(score) \(auc) AUC(calibrated) \(calibratedAUC) ECE \(ece) posterior ECE (undisclosed) \(posteriorECE)")
    print("detector: prior \(detector.classPrior) \(detector.classPriorInterval) se \(detector.classPriorStandardError) truth \(fixture.trueTrainingShare) c \(detector.labelFrequency) summary \(detector.summary)")
    print("detector: top features \(detector.mostWeightedFeatures.prefix(12).map { "\($0.text) \(($0.weight * 100).rounded() / 100)" })")
    #expect(auc >= 0.9)
    #expect(ece <= 0.05)
    #expect(posteriorECE <= 0.05)
  }

  @Test func estimatesTheClassPriorAndLabelFrequency() {
    let fixture = detectorFixture
    let truth = fixture.trueTrainingShare
    let sponsored = fixture.training.filter(\.sponsored)
    let trueLabelFrequency = Double(sponsored.count { $0.disclosed }) / Double(sponsored.count)
    #expect(abs(fixture.detector.classPrior - truth) <= 0.03)
    #expect(abs(fixture.detector.labelFrequency - trueLabelFrequency) <= 0.08)
  }

  @Test func prevalenceIntervalsCoverThePlantedShare() {
    let fixture = detectorFixture
    let detector = fixture.detector
    let truth = Double(fixture.test.count { $0.sponsored }) / Double(fixture.test.count)
    let probabilities = fixture.test.map { detector.probability(text: SyntheticPU.mask($0.text), extra: $0.extra) }
    let mean = PrevalenceEstimate.meanProbability(
      probabilities, calibrationRelativeError: detector.classPriorRelativeError, bootstrapSamples: 300, seed: 5)
    // Hard flags, with TPR and FPR from a small hand-labelled validation sample.
    let validation = SyntheticPU.make(count: 3000, seed: 3)
    let threshold = 0.5
    let validationFlags = validation.map { detector.probability(text: SyntheticPU.mask($0.text), extra: $0.extra) >= threshold }
    let positives = validation.indices.filter { validation[$0].sponsored }
    let negatives = validation.indices.filter { !validation[$0].sponsored }
    let tpr = Double(positives.count { validationFlags[$0] }) / Double(positives.count)
    let fpr = Double(negatives.count { validationFlags[$0] }) / Double(negatives.count)
    let corrected = PrevalenceEstimate.misclassificationCorrected(
      flagged: probabilities.count { $0 >= threshold }, total: probabilities.count, truePositiveRate: tpr,
      falsePositiveRate: fpr, validationPositives: positives.count, validationNegatives: negatives.count)
    print("detector: truth \(truth) mean-probability \(mean) Rogan-Gladen \(corrected) (TPR \(tpr), FPR \(fpr))")
    #expect(mean.covers(truth))
    #expect(mean.lowerBound <= truth && mean.lowerBound >= mean.lower)
    #expect(corrected.covers(truth))
    #expect(corrected.lowerBound <= truth)
  }
}
