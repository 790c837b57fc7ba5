import Foundation

extension SponsoredDetector {
  /// One training note.
  public struct Example: Sendable, Hashable {
    /// The note's text with its disclosure markers masked, so the classifier learns sponsorship
    /// rather than the markers that define the label.
    public var text: String
    /// Extra (signal) features, ``TextFeaturizer/extraFeatureCount`` of them.
    public var extra: [Double]
    /// Attributes the disclosure decision depends on (e.g. `log10(followers)`, a 0/1 "after the
    /// rule took effect", category indicators); the same count for every example.
    public var propensityAttributes: [Double]
    /// Whether the note is disclosed (a labelled positive).
    public var isDisclosed: Bool
    /// An example.
    public init(text: String, extra: [Double] = [], propensityAttributes: [Double] = [], isDisclosed: Bool) {
      self.text = text
      self.extra = extra
      self.propensityAttributes = propensityAttributes
      self.isDisclosed = isDisclosed
    }
  }

  /// Training settings.
  public struct Configuration: Sendable, Equatable, Hashable, Codable {
    /// How the labelling propensity is modelled.
    public enum PropensityModel: String, Sendable, Hashable, Codable {
      /// SCAR: every sponsored note is disclosed with the same probability c (Elkan & Noto 2008).
      case constant
      /// SAR: `e(a) = σ(θ·a + θ₀)` over the propensity attributes (Bekker, Robberechts & Davis 2019).
      case attributes
    }

    /// The text featurizer (its ``TextFeaturizer/extraFeatureCount`` fixes the extra features).
    public var featurizer: TextFeaturizer
    /// Names of the extra features, for evidence; empty or one per extra feature.
    public var extraFeatureNames: [String]
    /// The classifier's optimiser and L2 penalty.
    public var classifier: LogisticRegression.Configuration
    /// The share of notes held out (stratified by disclosure) for propensity, prior and calibration.
    public var heldOutFraction: Double
    /// The share of held-out notes, by highest score, taken as the anchor set of near-certain
    /// sponsored notes on which the propensity is fitted; must be below the class prior.
    public var anchorFraction: Double
    /// SAR or SCAR.
    public var propensityModel: PropensityModel
    /// L2 penalty of the propensity model.
    public var propensityL2: Double
    /// Floor on propensities before inversion (caps any one note's inverse weight).
    public var minimumPropensity: Double
    /// Bootstrap resamples of the held-out set for the class prior's interval (0 skips it).
    public var bootstrapSamples: Int
    /// Level of the class prior's interval.
    public var confidence: Double
    /// How many n-grams ``SponsoredDetector/mostWeightedFeatures`` keeps.
    public var reverseMapSize: Int
    /// Seed of the split and the bootstrap.
    public var seed: UInt64

    /// Settings.
    public init(
      featurizer: TextFeaturizer = TextFeaturizer(), extraFeatureNames: [String] = [],
      classifier: LogisticRegression.Configuration = .init(l2: 1e-4), heldOutFraction: Double = 0.35,
      anchorFraction: Double = 0.04, propensityModel: PropensityModel = .attributes, propensityL2: Double = 1e-3,
      minimumPropensity: Double = 0.02, bootstrapSamples: Int = 200, confidence: Double = 0.95,
      reverseMapSize: Int = 200, seed: UInt64 = 0
    ) {
      self.featurizer = featurizer
      self.extraFeatureNames = extraFeatureNames
      self.classifier = classifier
      self.heldOutFraction = heldOutFraction
      self.anchorFraction = anchorFraction
      self.propensityModel = propensityModel
      self.propensityL2 = propensityL2
      self.minimumPropensity = minimumPropensity
      self.bootstrapSamples = bootstrapSamples
      self.confidence = confidence
      self.reverseMapSize = reverseMapSize
      self.seed = seed
    }
  }

  /// Trains a detector by positive–unlabeled learning with a labelling-propensity correction.
  ///
  /// Disclosed notes are the labelled positives (s = 1); every other note is unlabelled and may
  /// or may not be sponsored (y). The method, step by step:
  ///
  /// 1. **Split.** The notes are split, stratified by s and seeded, into a training part and a
  ///    held-out part (``Configuration/heldOutFraction``).
  /// 2. **Non-traditional classifier** (Elkan & Noto 2008): L2-regularised logistic regression
  ///    `g(x) = P(s = 1 | x)` on the training part, over hashed n-grams and the extra signals.
  ///    If the propensity attributes carry no information about the text beyond y, `g(x) =
  ///    c̄·P(y = 1 | x)`, so g ranks notes exactly as the true posterior does.
  /// 3. **Anchor set.** The held-out notes with the top ``Configuration/anchorFraction`` of
  ///    scores are taken to be sponsored (the "anchor"/irreducibility assumption that makes the
  ///    class prior identifiable at all in PU learning; Elkan & Noto's estimator e₁ and
  ///    mixture-proportion estimators rest on the same assumption).
  /// 4. **Propensity** (SAR, Bekker, Robberechts & Davis 2019, in a two-step form rather than
  ///    their EM): within the anchor set P(s = 1 | a) = e(a), so a logistic regression of s on
  ///    the propensity attributes there estimates `e(a) = P(s = 1 | y = 1, a)`. Under SCAR
  ///    the model has only an intercept, and e is the anchor set's disclosure rate (the
  ///    label frequency c).
  /// 5. **Class prior** (Horvitz–Thompson): each disclosed held-out note stands for
  ///    `1/e(aᵢ)` sponsored notes, so `π = Σ_{s=1} 1/e(aᵢ) / n_held-out`. The label frequency
  ///    is `c = n_disclosed / (n·π)`.
  /// 6. **Calibration without negatives**: `P(y = 1 | score)` is the share of sponsored notes
  ///    among held-out notes of that score, estimated by the same inverse-propensity weights and
  ///    made monotone by isotonic regression (``IsotonicCalibration/fit(scores:numerators:denominators:)``).
  ///    Its mean over the held-out notes is π by construction.
  /// 7. **Uncertainty**: steps 3–5 are repeated on ``Configuration/bootstrapSamples`` bootstrap
  ///    resamples of the held-out notes (the classifier is kept fixed), giving a percentile
  ///    interval and a standard error for π.
  ///
  /// The estimate of π is biased upwards by the anchor set's impurity (negatives among the top
  /// scores lower the apparent propensity), so keep ``Configuration/anchorFraction`` well below
  /// the prior you expect.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` when an example has the wrong
  ///   number of extra features or propensity attributes, or when the training or held-out part
  ///   has no disclosed notes or no undisclosed ones; ``ZhongcaoError/Code-swift.struct/invalidArgument``
  ///   for settings out of range.
  /// - Complexity: O(classifier iterations · nnz + bootstrap · n log n).
  public static func train(_ examples: [Example], configuration: Configuration = Configuration()) throws(ZhongcaoError) -> SponsoredDetector {
    let featurizer = configuration.featurizer
    guard configuration.heldOutFraction > 0 && configuration.heldOutFraction < 1,
          configuration.anchorFraction > 0 && configuration.anchorFraction < 1,
          configuration.minimumPropensity > 0 && configuration.minimumPropensity <= 1,
          configuration.confidence > 0 && configuration.confidence < 1,
          configuration.bootstrapSamples >= 0, configuration.propensityL2 >= 0 else {
      throw ZhongcaoError(.invalidArgument, "detector settings out of range: heldOutFraction and anchorFraction in (0, 1), minimumPropensity in (0, 1], confidence in (0, 1)")
    }
    guard configuration.extraFeatureNames.isEmpty || configuration.extraFeatureNames.count == featurizer.extraFeatureCount else {
      throw ZhongcaoError(.invalidArgument, "\(configuration.extraFeatureNames.count) extra feature names for \(featurizer.extraFeatureCount) extra features")
    }
    let attributeCount = examples.first?.propensityAttributes.count ?? 0
    for (index, example) in examples.enumerated() {
      guard example.extra.count == featurizer.extraFeatureCount else {
        throw ZhongcaoError(.invalidInput, "example \(index) has \(example.extra.count) extra features, expected \(featurizer.extraFeatureCount)")
      }
      guard example.propensityAttributes.count == attributeCount else {
        throw ZhongcaoError(.invalidInput, "example \(index) has \(example.propensityAttributes.count) propensity attributes, expected \(attributeCount) like example 0")
      }
      guard example.extra.allSatisfy(\.isFinite), example.propensityAttributes.allSatisfy(\.isFinite) else {
        throw ZhongcaoError(.invalidInput, "example \(index) has a non-finite feature or attribute")
      }
    }

    // 1. Stratified split.
    var random = SeededRandom(seed: configuration.seed, stream: 0x5350_4C49)
    var heldOut: [Int] = []
    var training: [Int] = []
    for disclosed in [true, false] {
      var group = examples.indices.filter { examples[$0].isDisclosed == disclosed }
      group.shuffle(using: &random)
      let heldCount = Int((Double(group.count) * configuration.heldOutFraction).rounded())
      heldOut += group[..<heldCount]
      training += group[heldCount...]
    }
    heldOut.sort()
    training.sort()
    let trainingDisclosed = training.count { examples[$0].isDisclosed }
    let heldOutDisclosed = heldOut.count { examples[$0].isDisclosed }
    guard trainingDisclosed > 0, trainingDisclosed < training.count, heldOutDisclosed > 0, heldOutDisclosed < heldOut.count else {
      throw ZhongcaoError(.invalidInput, "need disclosed and undisclosed notes in both the training part (\(trainingDisclosed) of \(training.count) disclosed) and the held-out part (\(heldOutDisclosed) of \(heldOut.count))")
    }

    // 2. The non-traditional classifier.
    let trainingFeatures = training.map { featurizer.features(text: examples[$0].text, extra: examples[$0].extra) }
    let fit = LogisticRegression.train(
      features: trainingFeatures, targets: training.map { examples[$0].isDisclosed ? 1 : 0 },
      dimension: featurizer.dimension, configuration: configuration.classifier)
    let classifier = fit.model

    // 3–5 on the held-out part.
    let scores = heldOut.map { classifier.logit(featurizer.features(text: examples[$0].text, extra: examples[$0].extra)) }
    let disclosed = heldOut.map { examples[$0].isDisclosed }
    let attributes = heldOut.map { examples[$0].propensityAttributes }
    let useAttributes = configuration.propensityModel == .attributes
    let estimate = estimatePrior(
      scores: scores, disclosed: disclosed, attributes: attributes, sample: Array(scores.indices),
      useAttributes: useAttributes, attributeCount: attributeCount, configuration: configuration)

    // 6. Calibration from inverse-propensity weights.
    let calibration = IsotonicCalibration.fit(
      scores: scores,
      numerators: scores.indices.map { disclosed[$0] ? 1 / estimate.propensities[$0] : 0 },
      denominators: Array(repeating: 1, count: scores.count))

    // 7. Bootstrap of the prior.
    var priors: [Double] = []
    var bootstrapRandom = SeededRandom(seed: configuration.seed, stream: 0x424F_4F54)
    for _ in 0..<configuration.bootstrapSamples {
      let sample = scores.indices.map { _ in bootstrapRandom.index(below: scores.count) }
      priors.append(estimatePrior(
        scores: scores, disclosed: disclosed, attributes: attributes, sample: sample,
        useAttributes: useAttributes, attributeCount: attributeCount, configuration: configuration).prior)
    }
    var interval = estimate.prior...estimate.prior
    var standardError = 0.0
    if priors.count >= 2 {
      priors.sort()
      let alpha = 1 - configuration.confidence
      interval = PrevalenceEstimate.quantile(sorted: priors, alpha / 2)...PrevalenceEstimate.quantile(sorted: priors, 1 - alpha / 2)
      let mean = priors.reduce(0, +) / Double(priors.count)
      standardError = (priors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(priors.count - 1)).squareRoot()
    }

    let summary = TrainingSummary(
      trainingNotes: training.count, trainingDisclosed: trainingDisclosed, heldOutNotes: heldOut.count,
      heldOutDisclosed: heldOutDisclosed, anchorNotes: estimate.anchorCount, propensityModel: configuration.propensityModel,
      classifierIterations: fit.iterations, seed: configuration.seed)
    return SponsoredDetector(
      featurizer: featurizer, extraFeatureNames: configuration.extraFeatureNames, classifier: classifier,
      calibration: calibration, propensity: estimate.propensityModel, minimumPropensity: configuration.minimumPropensity,
      classPrior: estimate.prior, classPriorInterval: interval, classPriorStandardError: standardError,
      labelFrequency: estimate.prior > 0 ? min(1, Double(heldOutDisclosed) / (Double(heldOut.count) * estimate.prior)) : 1,
      confidence: configuration.confidence,
      mostWeightedFeatures: reverseMap(examples: training.map { examples[$0].text }, classifier: classifier, featurizer: featurizer, size: configuration.reverseMapSize),
      summary: summary)
  }

  private struct PriorEstimate {
    var prior: Double
    var propensityModel: LogisticRegression
    /// Floored propensity of each held-out note (all of them, not only the sample).
    var propensities: [Double]
    var anchorCount: Int
  }

  /// Steps 3–5 on `sample` (indices into the held-out arrays, repeats allowed).
  private static func estimatePrior(
    scores: [Double], disclosed: [Bool], attributes: [[Double]], sample: [Int], useAttributes: Bool,
    attributeCount: Int, configuration: Configuration
  ) -> PriorEstimate {
    let ordered = sample.sorted { (scores[$0], $1) > (scores[$1], $0) }
    let anchorCount = max(1, Int((Double(sample.count) * configuration.anchorFraction).rounded()))
    let anchors = ordered.prefix(anchorCount)
    let dimension = useAttributes ? attributeCount : 0
    let model = LogisticRegression.train(
      features: anchors.map { useAttributes ? SparseFeatures(dense: attributes[$0]) : SparseFeatures(indices: [], values: []) },
      targets: anchors.map { disclosed[$0] ? 1 : 0 }, dimension: dimension,
      configuration: .init(l2: configuration.propensityL2, maximumIterations: 100)).model
    let propensities = attributes.map { row in
      max(configuration.minimumPropensity, model.probability(useAttributes ? SparseFeatures(dense: row) : SparseFeatures(indices: [], values: [])))
    }
    var total = 0.0
    for index in sample where disclosed[index] { total += 1 / propensities[index] }
    return PriorEstimate(prior: min(1, total / Double(sample.count)), propensityModel: model, propensities: propensities, anchorCount: anchorCount)
  }

  /// The grams of the training texts whose bucket weights push hardest towards "sponsored".
  private static func reverseMap(examples texts: [String], classifier: LogisticRegression, featurizer: TextFeaturizer, size: Int) -> [WeightedFeature] {
    guard size > 0 else { return [] }
    // Candidate buckets: the largest |weight|s.
    let candidates = (0..<featurizer.bucketCount).filter { classifier.weights[$0] != 0 }
      .sorted { (abs(classifier.weights[$0]), $1) > (abs(classifier.weights[$1]), $0) }.prefix(size * 4)
    let candidateSet = Set(candidates)
    var seen: [TextGram.Kind: [String: Int]] = [:]
    for text in texts {
      for gram in featurizer.grams(of: text) {
        let bucket = featurizer.bucket(of: gram)
        if candidateSet.contains(bucket.index) { seen[gram.kind, default: [:]][gram.text, default: 0] += 1 }
      }
    }
    var features: [WeightedFeature] = []
    for (kind, grams) in seen {
      for (text, count) in grams where count >= 2 {
        let bucket = featurizer.bucket(of: TextGram(text: text, kind: kind, start: 0, end: 0))
        features.append(WeightedFeature(text: text, kind: kind, weight: classifier.weights[bucket.index] * bucket.sign))
      }
    }
    return features.filter { $0.weight > 0 }
      .sorted { ($0.weight, $1.text, $1.kind.rawValue) > ($1.weight, $0.text, $0.kind.rawValue) }
      .prefix(size).map { $0 }
  }
}
