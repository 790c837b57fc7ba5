import Foundation

/// A trained detector of sponsored notes: hashed n-gram logistic regression learned from
/// positive–unlabeled data, with a labelling-propensity model and a calibration.
///
/// Train with ``train(_:configuration:)`` on notes whose disclosure markers have been masked
/// (disclosed notes are the positives, every other note is unlabelled); the result is immutable
/// and `Sendable`, so any number of threads may score with it at once.
///
///     let detector = try SponsoredDetector.train(examples, configuration: .init(seed: 7))
///     let p = detector.probability(text: maskedText, extra: signals)        // P(sponsored | text)
///     let q = detector.probability(text: maskedText, extra: signals,
///                                  propensityAttributes: [logFollowers, afterRule])
///     let why = detector.topFeatures(text: maskedText, extra: signals, count: 5)
///
///     var workspace = SponsoredDetector.Workspace()                          // one per thread
///     let note = detector.assess(text: maskedText, extra: signals, propensityAttributes: attributes,
///                                explainCount: 3, explainThreshold: 0.5, workspace: &workspace)
///     // note.probability, and note.explanation when note.probability >= 0.5
///     try detector.save(to: "Models/sponsored-detector.json")
///
/// The method is documented on ``train(_:configuration:)``.
public struct SponsoredDetector: Sendable, Equatable {
  /// The featurizer the classifier was trained with.
  public let featurizer: TextFeaturizer
  /// Names of the extra (signal) features, one per ``TextFeaturizer/extraFeatureCount``, used in evidence.
  public let extraFeatureNames: [String]
  /// The non-traditional classifier `g(x) = P(disclosed | x)` whose log-odds rank notes.
  public let classifier: LogisticRegression
  /// Maps the classifier's log-odds to `P(sponsored | x)`.
  public let calibration: IsotonicCalibration
  /// The labelling propensity `e(a) = P(disclosed | sponsored, a)` over the propensity attributes
  /// (intercept only under SCAR).
  public let propensity: LogisticRegression
  /// The floor applied to propensities before they are inverted.
  public let minimumPropensity: Double
  /// The estimated class prior π = P(sponsored) of the training corpus.
  public let classPrior: Double
  /// The bootstrap interval of ``classPrior`` at ``confidence``.
  public let classPriorInterval: ClosedRange<Double>
  /// The bootstrap standard error of ``classPrior``.
  public let classPriorStandardError: Double
  /// The estimated label frequency c = P(disclosed | sponsored), averaged over the corpus.
  public let labelFrequency: Double
  /// The level of ``classPriorInterval``.
  public let confidence: Double
  /// The n-grams with the largest weights towards "sponsored", most sponsored first (a small
  /// reverse map kept at training time, for model cards and audits).
  public let mostWeightedFeatures: [WeightedFeature]
  /// Counts and settings of the training run.
  public let summary: TrainingSummary

  /// An n-gram and its weight in the classifier's log-odds.
  public struct WeightedFeature: Sendable, Hashable, Codable {
    /// The gram's text.
    public var text: String
    /// The gram's kind.
    public var kind: TextGram.Kind
    /// Its signed weight (bucket weight times hash sign), in log-odds per unit feature value.
    public var weight: Double
    /// A feature.
    public init(text: String, kind: TextGram.Kind, weight: Double) {
      self.text = text
      self.kind = kind
      self.weight = weight
    }
  }

  /// What was trained on, for model cards.
  public struct TrainingSummary: Sendable, Hashable, Codable {
    /// Notes used to fit the classifier.
    public var trainingNotes: Int
    /// Disclosed notes among them.
    public var trainingDisclosed: Int
    /// Held-out notes used for the propensity, prior and calibration.
    public var heldOutNotes: Int
    /// Disclosed notes among them.
    public var heldOutDisclosed: Int
    /// Held-out notes in the anchor set (highest scores, assumed sponsored).
    public var anchorNotes: Int
    /// Whether the propensity used attributes (SAR) or was constant (SCAR).
    public var propensityModel: Configuration.PropensityModel
    /// L-BFGS iterations of the classifier.
    public var classifierIterations: Int
    /// The seed.
    public var seed: UInt64
    /// A summary.
    public init(
      trainingNotes: Int, trainingDisclosed: Int, heldOutNotes: Int, heldOutDisclosed: Int,
      anchorNotes: Int, propensityModel: Configuration.PropensityModel, classifierIterations: Int, seed: UInt64
    ) {
      self.trainingNotes = trainingNotes
      self.trainingDisclosed = trainingDisclosed
      self.heldOutNotes = heldOutNotes
      self.heldOutDisclosed = heldOutDisclosed
      self.anchorNotes = anchorNotes
      self.propensityModel = propensityModel
      self.classifierIterations = classifierIterations
      self.seed = seed
    }
  }

  /// One note to score.
  public struct Input: Sendable, Hashable {
    /// The note's text (title, body and tags), disclosure markers masked.
    public var text: String
    /// The extra (signal) features, ``TextFeaturizer/extraFeatureCount`` of them.
    public var extra: [Double]
    /// The propensity attributes, or nil for `P(sponsored | text)` alone.
    public var propensityAttributes: [Double]?
    /// An input.
    public init(text: String, extra: [Double] = [], propensityAttributes: [Double]? = nil) {
      self.text = text
      self.extra = extra
      self.propensityAttributes = propensityAttributes
    }
  }

  /// A feature's contribution to one note's log-odds: the evidence behind a score.
  public struct FeatureContribution: Sendable, Hashable, Codable {
    /// The gram's text, or the extra feature's name.
    public var feature: String
    /// The gram's kind, or nil for an extra feature.
    public var kind: TextGram.Kind?
    /// Added to the log-odds by this feature (weight × value).
    public var contribution: Double
    /// Where the gram occurs in the scored text, in Unicode scalar offsets (empty for extras).
    public var ranges: [Range<Int>]
    /// A contribution.
    public init(feature: String, kind: TextGram.Kind?, contribution: Double, ranges: [Range<Int>]) {
      self.feature = feature
      self.kind = kind
      self.contribution = contribution
      self.ranges = ranges
    }
  }

  init(
    featurizer: TextFeaturizer, extraFeatureNames: [String], classifier: LogisticRegression,
    calibration: IsotonicCalibration, propensity: LogisticRegression, minimumPropensity: Double,
    classPrior: Double, classPriorInterval: ClosedRange<Double>, classPriorStandardError: Double,
    labelFrequency: Double, confidence: Double, mostWeightedFeatures: [WeightedFeature], summary: TrainingSummary
  ) {
    self.featurizer = featurizer
    self.extraFeatureNames = extraFeatureNames
    self.classifier = classifier
    self.calibration = calibration
    self.propensity = propensity
    self.minimumPropensity = minimumPropensity
    self.classPrior = classPrior
    self.classPriorInterval = classPriorInterval
    self.classPriorStandardError = classPriorStandardError
    self.labelFrequency = labelFrequency
    self.confidence = confidence
    self.mostWeightedFeatures = mostWeightedFeatures
    self.summary = summary
  }

  /// The relative standard error of the class prior, `se(π)/π`: the calibration's scale
  /// uncertainty, for ``PrevalenceEstimate/meanProbability(_:confidence:calibrationRelativeError:bootstrapSamples:seed:)``.
  public var classPriorRelativeError: Double { classPrior > 0 ? classPriorStandardError / classPrior : 0 }

  /// The number of propensity attributes the detector expects (0 for a SCAR detector, which
  /// accepts any).
  public var propensityAttributeCount: Int { propensity.dimension }

  /// The classifier's log-odds of being disclosed: the uncalibrated ranking score.
  public func score(text: String, extra: [Double] = []) -> Double {
    assess(text: text, extra: extra).score
  }

  /// The labelling propensity `e(a)`, floored at ``minimumPropensity``. A SCAR detector
  /// (``propensityAttributeCount`` 0) ignores the attributes and returns its constant.
  public func propensity(attributes: [Double]) -> Double {
    if propensityAttributeCount == 0 { return max(minimumPropensity, LogisticRegression.sigmoid(propensity.bias)) }
    precondition(attributes.count == propensityAttributeCount, "\(attributes.count) propensity attributes, expected \(propensityAttributeCount)")
    return max(minimumPropensity, LogisticRegression.sigmoid(propensity.logit(dense: attributes)))
  }

  /// The calibrated probability that a note is sponsored.
  ///
  /// - Parameters:
  ///   - text: The note's text with disclosure markers masked.
  ///   - extra: The extra (signal) features.
  ///   - propensityAttributes: nil gives `h(x) = P(sponsored | text, signals)`. Given, the note is
  ///     taken to be *undisclosed* and the result is the posterior
  ///     `P(sponsored | x, a, undisclosed) = h(1 − e)/(1 − h·e)` with `e = e(a)`: an undisclosed
  ///     note from an author who nearly always discloses is less likely to be sponsored.
  /// - Returns: A probability in [0, 1].
  public func probability(text: String, extra: [Double] = [], propensityAttributes: [Double]? = nil) -> Double {
    assess(text: text, extra: extra, propensityAttributes: propensityAttributes).probability
  }

  /// ``probability(text:extra:propensityAttributes:)`` for many notes, in order, with one
  /// ``Workspace`` for all of them.
  public func probabilities(_ inputs: [Input]) -> [Double] {
    var workspace = Workspace()
    return inputs.map {
      assess(text: $0.text, extra: $0.extra, propensityAttributes: $0.propensityAttributes, workspace: &workspace).probability
    }
  }

  /// The features that pushed a note's log-odds up the most, largest first.
  ///
  /// Each distinct gram of the text is credited with its bucket's term `weight × value` (rare
  /// hash collisions credit every gram of a shared bucket); extra features are named by
  /// ``extraFeatureNames``. Equal terms are ordered by feature text (see
  /// ``assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)``, which
  /// gives the same list at a lower cost).
  public func topFeatures(text: String, extra: [Double] = [], count: Int = 10) -> [FeatureContribution] {
    assess(text: text, extra: extra, explainCount: max(0, count)).explanation
  }

  static func undisclosedPosterior(_ h: Double, propensity e: Double) -> Double {
    let denominator = 1 - h * e
    return denominator > 0 ? min(1, max(0, h * (1 - e) / denominator)) : 1
  }
}
