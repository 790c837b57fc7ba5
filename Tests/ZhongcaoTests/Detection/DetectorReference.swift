import Foundation
@testable import Zhongcao

/// The detector's original, straightforward featurisation and explanation, kept as the oracle of
/// the fast path (``TextFeaturizer/features(text:extra:)``, ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:)``):
/// scalars in an array, one byte buffer per gram hashed from scratch, a stable sort of
/// (bucket, sign) pairs, and every gram named as a `String`.
enum DetectorReference {
  /// The hashed features of `text`, with `extra` appended.
  static func features(_ featurizer: TextFeaturizer, text: String, extra: [Double] = []) -> SparseFeatures {
    precondition(extra.count == featurizer.extraFeatureCount)
    var signed: [(bucket: Int32, sign: Double)] = []
    forEachTaggedGram(featurizer, in: text) { _, bytes, _, _ in signed.append(featurizer.hashed(taggedBytes: bytes)) }
    signed.sort { $0.bucket < $1.bucket }
    var indices: [Int32] = []
    var values: [Double] = []
    var position = 0
    while position < signed.count {
      let bucket = signed[position].bucket
      var sum = 0.0
      while position < signed.count && signed[position].bucket == bucket {
        sum += signed[position].sign
        position += 1
      }
      if sum != 0 {
        indices.append(bucket)
        values.append(sum > 0 ? 1 + log(sum) : -(1 + log(-sum)))
      }
    }
    var norm = 0.0
    for value in values { norm += value * value }
    if norm > 0 {
      let scale = 1 / norm.squareRoot()
      for position in values.indices { values[position] *= scale }
    }
    for (offset, value) in extra.enumerated() where value != 0 {
      indices.append(Int32(featurizer.bucketCount + offset))
      values.append(value)
    }
    return SparseFeatures(indices: indices, values: values)
  }

  /// Every gram of `text` in order of position.
  static func grams(_ featurizer: TextFeaturizer, of text: String) -> [TextGram] {
    var grams: [TextGram] = []
    forEachTaggedGram(featurizer, in: text) { kind, bytes, start, end in
      grams.append(TextGram(text: String(decoding: bytes[1...], as: UTF8.self), kind: kind, start: start, end: end))
    }
    return grams
  }

  /// The calibrated probability, through the reference features.
  static func probability(_ detector: SponsoredDetector, text: String, extra: [Double], propensityAttributes: [Double]?) -> Double {
    let h = detector.calibration.probability(forScore: detector.classifier.logit(features(detector.featurizer, text: text, extra: extra)))
    guard let attributes = propensityAttributes else { return h }
    let e = detector.propensityAttributeCount == 0 ? LogisticRegression.sigmoid(detector.propensity.bias)
      : detector.propensity.probability(SparseFeatures(dense: attributes))
    return SponsoredDetector.undisclosedPosterior(h, propensity: max(detector.minimumPropensity, e))
  }

  /// The features that pushed a note's log-odds up the most, largest first.
  static func topFeatures(_ detector: SponsoredDetector, text: String, extra: [Double] = [], count: Int = 10)
    -> [SponsoredDetector.FeatureContribution]
  {
    let featurizer = detector.featurizer
    let features = features(featurizer, text: text, extra: extra)
    var valueByIndex: [Int: Double] = [:]
    for (index, value) in zip(features.indices, features.values) { valueByIndex[Int(index)] = value }
    var byGram: [TextGram.Kind: [String: SponsoredDetector.FeatureContribution]] = [:]
    for gram in grams(featurizer, of: text) {
      if var existing = byGram[gram.kind]?[gram.text] {
        existing.ranges.append(gram.start..<gram.end)
        byGram[gram.kind]![gram.text] = existing
        continue
      }
      let bucket = featurizer.bucket(of: gram).index
      let contribution = detector.classifier.weights[bucket] * (valueByIndex[bucket] ?? 0)
      byGram[gram.kind, default: [:]][gram.text] = SponsoredDetector.FeatureContribution(
        feature: gram.text, kind: gram.kind, contribution: contribution, ranges: [gram.start..<gram.end])
    }
    var all = byGram.values.flatMap(\.values)
    for (offset, value) in extra.enumerated() where value != 0 {
      let name = offset < detector.extraFeatureNames.count ? detector.extraFeatureNames[offset] : "extra[\(offset)]"
      all.append(SponsoredDetector.FeatureContribution(
        feature: name, kind: nil, contribution: detector.classifier.weights[featurizer.bucketCount + offset] * value, ranges: []))
    }
    // The one change from the original: ties that `String` comparison cannot break (equal texts
    // of different kinds; pairs it finds neither smaller, larger nor equal, such as U+0F9C and
    // U+0F9D) are broken by scalars, then kind. The original left them to dictionary order,
    // which changes from process to process.
    func kindRank(_ kind: TextGram.Kind?) -> Int { kind.map { [.characters: 0, .word: 1, .wordPair: 2][$0]! } ?? 3 }
    return all.filter { $0.contribution > 0 }
      .sorted {
        if ($0.contribution, $1.feature) > ($1.contribution, $0.feature) { return true }
        if ($1.contribution, $0.feature) > ($0.contribution, $1.feature) { return false }
        let (left, right) = ($0.feature.unicodeScalars.map(\.value), $1.feature.unicodeScalars.map(\.value))
        return left != right ? left.lexicographicallyPrecedes(right) : kindRank($0.kind) < kindRank($1.kind)
      }
      .prefix(max(0, count)).map { $0 }
  }

  /// Calls `body(kind, bytes, start, end)` for every gram in position order (character grams of a
  /// run by start then length; a word, then the bigram ending at it); `bytes` is the gram's kind
  /// tag followed by its UTF-8.
  private static func forEachTaggedGram(
    _ featurizer: TextFeaturizer, in text: String, _ body: (TextGram.Kind, [UInt8], Int, Int) -> Void
  ) {
    let scalars = Array(text.unicodeScalars)
    var buffer: [UInt8] = []
    var previousWord: [UInt8] = []
    var previousStart = -1
    var word: [UInt8] = []
    var position = 0
    while position < scalars.count {
      let kind = TextFeaturizer.scalarClass(of: scalars[position])
      let start = position
      while position < scalars.count && TextFeaturizer.scalarClass(of: scalars[position]) == kind { position += 1 }
      switch kind {
      case .separator:
        continue
      case .cjk:
        previousStart = -1
        for gramStart in start..<position {
          for length in featurizer.minimumCharacterGram...featurizer.maximumCharacterGram where gramStart + length <= position {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(TextFeaturizer.tag(of: .characters))
            for scalar in scalars[gramStart..<gramStart + length] { UTF8.encode(scalar) { buffer.append($0) } }
            body(.characters, buffer, gramStart, gramStart + length)
          }
        }
      case .word:
        word.removeAll(keepingCapacity: true)
        if scalars[start..<position].allSatisfy(\.isASCII) {
          for scalar in scalars[start..<position] {
            let byte = UInt8(scalar.value)
            word.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
          }
        } else {
          var view = String.UnicodeScalarView()
          view.append(contentsOf: scalars[start..<position])
          word.append(contentsOf: String(view).lowercased().utf8)
        }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(TextFeaturizer.tag(of: .word))
        buffer.append(contentsOf: word)
        body(.word, buffer, start, position)
        if featurizer.wordBigrams && previousStart >= 0 {
          buffer.removeAll(keepingCapacity: true)
          buffer.append(TextFeaturizer.tag(of: .wordPair))
          buffer.append(contentsOf: previousWord)
          buffer.append(0x20)
          buffer.append(contentsOf: word)
          body(.wordPair, buffer, previousStart, position)
        }
        swap(&previousWord, &word)
        previousStart = start
      }
    }
  }
}
