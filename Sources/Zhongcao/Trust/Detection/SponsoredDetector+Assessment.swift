import Foundation

extension SponsoredDetector {
  /// One note's score and, when asked for, the evidence behind it: the result of
  /// ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)``.
  public struct Assessment: Sendable, Hashable {
    /// The classifier's log-odds, bitwise ``SponsoredDetector/score(text:extra:)``.
    public var score: Double
    /// The calibrated probability, bitwise ``SponsoredDetector/probability(text:extra:propensityAttributes:)``.
    public var probability: Double
    /// The features that pushed the log-odds up the most, exactly
    /// ``SponsoredDetector/topFeatures(text:extra:count:)``; empty unless an explanation was asked
    /// for and the probability reached the threshold.
    public var explanation: [FeatureContribution]

    /// An assessment.
    public init(score: Double, probability: Double, explanation: [FeatureContribution]) {
      self.score = score
      self.probability = probability
      self.explanation = explanation
    }
  }

  /// Reusable working memory for
  /// ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)``:
  /// keep one per thread or task and pass it to every call, so scoring a note allocates nothing.
  /// Any workspace works with any detector; its contents between calls are unspecified.
  public struct Workspace: Sendable {
    var featurizer = FeaturizerWorkspace()

    /// An empty workspace; it grows to the longest note it has seen.
    public init() {}
  }

  /// Scores a note and, only when asked for, explains the score, featurising the text once.
  ///
  /// The result is bitwise what ``score(text:extra:)``, ``probability(text:extra:propensityAttributes:)``
  /// and ``topFeatures(text:extra:count:)`` give, at a fraction of their cost. The explanation is
  /// found by ranking the note's buckets by contribution and naming only the grams of the buckets
  /// that can reach the top `explainCount`.
  ///
  /// Where the grams are is recorded during the one pass when an explanation is always wanted
  /// (`explainThreshold` ≤ 0). When it depends on the probability, the pass records nothing, and
  /// for a note that reaches the threshold the text is walked once more, reading the buckets the
  /// pass computed instead of hashing, to record the grams of the buckets that can make the top:
  /// in a scan, where most notes are not explained, that costs less than recording every note's
  /// grams.
  ///
  /// - Parameters:
  ///   - text: The note's text with disclosure markers masked.
  ///   - extra: The extra (signal) features, ``TextFeaturizer/extraFeatureCount`` of them.
  ///   - propensityAttributes: As in ``probability(text:extra:propensityAttributes:)``.
  ///   - explainCount: How many features to explain (0: none).
  ///   - explainThreshold: Explain only when the probability is at least this (the default 0
  ///     always explains); a scan passes its suspicion threshold and explains only suspects.
  ///   - workspace: Working memory reused between calls.
  /// - Complexity: O(n) in the text's length.
  public func assess(
    text: String, extra: [Double] = [], propensityAttributes: [Double]? = nil, explainCount: Int = 0,
    explainThreshold: Double = 0, workspace: inout Workspace
  ) -> Assessment {
    TextFeaturizer.withUTF8(text) { bytes in
      assess(utf8: bytes, extra: extra, propensityAttributes: propensityAttributes, explainCount: explainCount,
             explainThreshold: explainThreshold, workspace: &workspace)
    }
  }

  /// ``assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)`` of the
  /// text whose (valid) UTF-8 is `bytes`.
  func assess(
    utf8 bytes: UnsafeBufferPointer<UInt8>, extra: [Double], propensityAttributes: [Double]?, explainCount: Int,
    explainThreshold: Double, workspace: inout Workspace
  ) -> Assessment {
    precondition(extra.count == featurizer.extraFeatureCount, "\(extra.count) extra features, expected \(featurizer.extraFeatureCount)")
    let recording = explainCount > 0 && !(explainThreshold > 0)
    featurizer.featurize(bytes, into: &workspace.featurizer, recording: recording)
    let score = classifier.logit(textFeatures: workspace.featurizer, extra: extra, extraStart: featurizer.bucketCount)
    var probability = calibration.probability(forScore: score)
    if let attributes = propensityAttributes {
      probability = Self.undisclosedPosterior(probability, propensity: propensity(attributes: attributes))
    }
    guard explainCount > 0, probability >= explainThreshold else {
      return Assessment(score: score, probability: probability, explanation: [])
    }
    return Assessment(score: score, probability: probability,
                      explanation: explanation(count: explainCount, extra: extra, workspace: &workspace.featurizer, bytes: bytes))
  }

  /// ``assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)`` with a
  /// workspace of its own (allocated for this call).
  public func assess(
    text: String, extra: [Double] = [], propensityAttributes: [Double]? = nil, explainCount: Int = 0,
    explainThreshold: Double = 0
  ) -> Assessment {
    var workspace = Workspace()
    return assess(text: text, extra: extra, propensityAttributes: propensityAttributes, explainCount: explainCount,
                  explainThreshold: explainThreshold, workspace: &workspace)
  }

  /// The top `count` contributions of the note just featurised into `workspace` (recorded).
  ///
  /// Every distinct gram is credited with its bucket's term `weight × value`, so the entries at or
  /// above the `count`-th largest bucket or extra term are enough: each such term stands for at
  /// least one entry. Only the grams of those buckets are named, unless the note has grams that
  /// are not canonically inert: then two different grams may be equal strings (é and e + ◌́) and
  /// share one entry, as `String` keys always made them, so every gram is named.
  private func explanation(count: Int, extra: [Double], workspace: inout FeaturizerWorkspace, bytes: UnsafeBufferPointer<UInt8>)
    -> [FeatureContribution]
  {
    let weights = classifier.weights
    let buckets = workspace.buckets[..<workspace.featureCount], values = workspace.values[..<workspace.featureCount]
    var entries: [FeatureContribution] = []
    /// Adds `gram` to its entry (grams are equal when their kinds and `String`s are), or a new one.
    var entryOfGram: [GramKey: Int] = [:]  // used once there are many entries
    func credit(_ gram: GramOccurrence, contribution: () -> Double) {
      let text = TextFeaturizer.name(of: gram, in: bytes)
      let range = Int(gram.start)..<Int(gram.end)
      let entry = entries.count <= 16
        ? entries.firstIndex { $0.kind == gram.kind && $0.feature == text }
        : entryOfGram[GramKey(kind: gram.kind, text: text)]
      if let entry {
        entries[entry].ranges.append(range)
        return
      }
      if entries.count == 16 {
        for (index, entry) in entries.enumerated() { entryOfGram[GramKey(kind: entry.kind!, text: entry.feature)] = index }
      }
      if entries.count >= 16 { entryOfGram[GramKey(kind: gram.kind, text: text)] = entries.count }
      entries.append(FeatureContribution(feature: text, kind: gram.kind, contribution: contribution(), ranges: [range]))
    }
    /// The term of `bucket` (0 for a bucket whose signs cancelled).
    func contribution(of bucket: Int32) -> Double {
      var low = 0, high = buckets.count
      while low < high {
        let middle = (low + high) / 2
        if buckets[middle] < bucket { low = middle + 1 } else { high = middle }
      }
      return weights[Int(bucket)] * (low < buckets.count && buckets[low] == bucket ? values[low] : 0)
    }
    var minimum = 0.0
    if !workspace.hasUncommonScalars || Self.gramScalarsAreInert(bytes) {
      // The `count`-th largest positive term, buckets and extras alike (0 when there are fewer).
      var top = TopValues(count: count)
      for index in buckets.indices { top.insert(weights[Int(buckets[index])] * values[index]) }
      for (offset, value) in extra.enumerated() where value != 0 { top.insert(weights[featurizer.bucketCount + offset] * value) }
      minimum = top.threshold
      // The buckets that can make the top (increasing), and their grams: those the pass recorded,
      // or else found by hashing the text once more, recording only the grams of these buckets.
      let bar = minimum > 0 ? minimum : .leastNonzeroMagnitude
      var chosen: [Int32] = []
      for index in buckets.indices where weights[Int(buckets[index])] * values[index] >= bar { chosen.append(buckets[index]) }
      let recordedAll = workspace.recorded != .nothing && workspace.recorded != .someBuckets
      if !recordedAll && !chosen.isEmpty {
        featurizer.hashGrams(bytes, into: &workspace, recording: true, onlyBuckets: chosen, sameText: true)
      }
      let chosenSet = recordedAll && chosen.count > 16 ? Set(chosen) : []
      workspace.occurrences.withUnsafeBufferPointer { occurrences in
        for gram in occurrences[..<workspace.occurrenceCount]
        where !recordedAll || (chosenSet.isEmpty ? chosen.contains(gram.bucket) : chosenSet.contains(gram.bucket)) {
          credit(gram) { contribution(of: gram.bucket) }
        }
      }
    } else {
      // The first of equal grams names their entry and gives its term: take every gram, in order.
      if workspace.recorded != .all(byStart: true) { featurizer.hashGrams(bytes, into: &workspace, recording: true, byStart: true) }
      for gram in workspace.occurrences[..<workspace.occurrenceCount] { credit(gram) { contribution(of: gram.bucket) } }
    }
    for (offset, value) in extra.enumerated() where value != 0 {
      let contribution = weights[featurizer.bucketCount + offset] * value
      guard contribution > 0 && contribution >= minimum else { continue }
      let name = offset < extraFeatureNames.count ? extraFeatureNames[offset] : "extra[\(offset)]"
      entries.append(FeatureContribution(feature: name, kind: nil, contribution: contribution, ranges: []))
    }
    entries.removeAll { !($0.contribution > 0) }
    entries.sort(by: Self.ranksBefore)
    if entries.count > count { entries.removeLast(entries.count - count) }
    return entries
  }

  /// A gram's identity in an explanation: texts compare as `String`s (canonical equivalence), as
  /// ``topFeatures(text:extra:count:)`` has always grouped them.
  private struct GramKey: Hashable {
    var kind: TextGram.Kind
    var text: String
  }

  /// The `count` largest positive values seen, to find the `count`-th largest.
  private struct TopValues {
    let count: Int
    /// The largest so far, decreasing (all of them, unsorted, above ``sortLimit``).
    var values: [Double] = []
    /// What a value must exceed to matter: 0 until `count` are kept, then the smallest of them.
    var bar = 0.0
    static let sortLimit = 64

    init(count: Int) {
      self.count = count
      values.reserveCapacity(min(count, Self.sortLimit))
    }

    /// Considers `value` (one comparison for most values, which fall below the bar).
    @inline(__always)
    mutating func insert(_ value: Double) {
      if value > bar { keep(value) }
    }

    private mutating func keep(_ value: Double) {
      if count > Self.sortLimit {
        values.append(value)
        return
      }
      if values.count == count { values.removeLast() }
      var slot = values.count
      while slot > 0 && values[slot - 1] < value { slot -= 1 }
      values.insert(value, at: slot)
      if values.count == count { bar = values[count - 1] }
    }

    /// The `count`-th largest value, or 0 when fewer were seen.
    var threshold: Double {
      guard values.count >= count else { return 0 }
      return count > Self.sortLimit ? values.sorted(by: >)[count - 1] : values[count - 1]
    }
  }

  /// The order of an explanation: larger contribution first, then feature text ascending. Texts
  /// that `String` comparison cannot order (equal strings of different kinds, or a pair it finds
  /// neither smaller, larger nor equal, such as U+0F9C and U+0F9D) go by their scalars, then by
  /// kind (characters, word, word pair, extra), so the order never depends on dictionary order.
  static func ranksBefore(_ a: FeatureContribution, _ b: FeatureContribution) -> Bool {
    if a.contribution != b.contribution { return a.contribution > b.contribution }
    if a.feature < b.feature { return true }
    if b.feature < a.feature { return false }
    if !a.feature.unicodeScalars.elementsEqual(b.feature.unicodeScalars) {
      return a.feature.unicodeScalars.lexicographicallyPrecedes(b.feature.unicodeScalars)
    }
    func rank(_ kind: TextGram.Kind?) -> Int {
      switch kind {
      case .characters: 0
      case .word: 1
      case .wordPair: 2
      case nil: 3
      }
    }
    return rank(a.kind) < rank(b.kind)
  }

  /// Whether every scalar of the text that can be part of a gram is canonically inert
  /// (``ScalarTable/inert``); scalars beyond the tables count as inert only when they are CJK
  /// ideographs without a decomposition.
  private static func gramScalarsAreInert(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let inert = ScalarTable.inert
    var position = 0
    while position < bytes.count {
      let (value, length, _) = TextFeaturizer.decodeScalar(bytes, at: position)
      position += length
      if value < UInt32(ScalarTable.count) {
        if !inert[Int(value)] { return false }
        continue
      }
      switch TextFeaturizer.scalarClass(of: Unicode.Scalar(value)!) {
      case .separator: continue
      case .cjk where !(0x2F800...0x2FA1F).contains(value): continue
      default: return false
      }
    }
    return true
  }
}

extension LogisticRegression {
  /// The log-odds of the text features a pass left in `textFeatures` followed by dense extras at
  /// indices from `extraStart`: bitwise ``logit(_:)`` of the same sparse vector (same terms, same
  /// order), without building it.
  func logit(textFeatures: FeaturizerWorkspace, extra: [Double], extraStart: Int) -> Double {
    var sum = bias
    weights.withUnsafeBufferPointer { weights in
      textFeatures.buckets.withUnsafeBufferPointer { buckets in
        textFeatures.values.withUnsafeBufferPointer { values in
          for index in 0..<textFeatures.featureCount where Int(buckets[index]) < weights.count {
            sum += weights[Int(buckets[index])] * values[index]
          }
        }
      }
      for (offset, value) in extra.enumerated() where value != 0 && extraStart + offset < weights.count {
        sum += weights[extraStart + offset] * value
      }
    }
    return sum
  }
}
