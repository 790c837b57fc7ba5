import Foundation

/// The sponsored share of a corpus or feed, with a two-sided interval and a one-sided lower bound.
///
/// Two estimators, for the two kinds of classifier output:
///
/// - ``meanProbability(_:confidence:calibrationRelativeError:bootstrapSamples:seed:)``: the mean
///   of calibrated probabilities. If `P(sponsored | note)` is calibrated, its mean is an unbiased
///   estimate of the share ("probabilistic classify and count", Bella et al. 2010). The interval
///   is a percentile bootstrap over notes, widened for the calibration's own uncertainty (for a
///   PU detector, the relative standard error of its class prior: a calibration fitted with a
///   prior off by a factor k scales the probabilities by about k).
/// - ``misclassificationCorrected(flagged:total:truePositiveRate:falsePositiveRate:validationPositives:validationNegatives:confidence:)``:
///   hard flags corrected for classifier error (Rogan & Gladen 1978), as Ershov, He & Seiler do
///   for undisclosed sponsorship: with flag rate q, `π = (q − FPR) / (TPR − FPR)`, clipped to
///   [0, 1]. TPR and FPR come from a labelled validation sample; the delta-method variance counts
///   the uncertainty of all three rates.
///
/// In both, the lower bound is one-sided at ``confidence`` (e.g. "at least 12 % of notes are
/// sponsored, with 95 % confidence"), so it is tighter than the interval's lower end.
public struct PrevalenceEstimate: Sendable, Equatable, Hashable, Codable {
  /// How the estimate was made.
  public enum Method: String, Sendable, Hashable, Codable {
    /// Mean of calibrated probabilities, bootstrap interval.
    case meanProbability = "mean_probability"
    /// Rogan–Gladen correction of a flag rate, delta-method interval.
    case misclassificationCorrected = "misclassification_corrected"
  }

  /// The estimator.
  public var method: Method
  /// The estimated share, in [0, 1].
  public var estimate: Double
  /// Lower end of the two-sided interval.
  public var lower: Double
  /// Upper end of the two-sided interval.
  public var upper: Double
  /// One-sided lower confidence bound at ``confidence``.
  public var lowerBound: Double
  /// The standard error used for the bound.
  public var standardError: Double
  /// The confidence level, e.g. 0.95.
  public var confidence: Double
  /// The number of notes the estimate is about.
  public var count: Int

  /// An estimate from its parts.
  public init(
    method: Method, estimate: Double, lower: Double, upper: Double, lowerBound: Double,
    standardError: Double, confidence: Double, count: Int
  ) {
    self.method = method
    self.estimate = estimate
    self.lower = lower
    self.upper = upper
    self.lowerBound = lowerBound
    self.standardError = standardError
    self.confidence = confidence
    self.count = count
  }

  /// Whether `share` lies in the two-sided interval.
  public func covers(_ share: Double) -> Bool { lower <= share && share <= upper }

  /// The share as the mean of calibrated probabilities.
  ///
  /// - Parameters:
  ///   - probabilities: Calibrated `P(sponsored)` per note, each in [0, 1]; at least one.
  ///   - confidence: Two-sided interval level, in (0, 1).
  ///   - calibrationRelativeError: The relative standard error of the calibration's scale (for a
  ///     ``SponsoredDetector``, ``SponsoredDetector/classPriorRelativeError``); 0 ignores it.
  ///   - bootstrapSamples: Bootstrap resamples (≥ 10).
  ///   - seed: Seed of the resampling.
  ///   - bootstrapLimit: Above this many probabilities the bootstrap is replaced by its large-sample
  ///     limit, the normal interval `mean ± z·s/√n` (s the sample standard deviation): the
  ///     percentile bootstrap of a mean of n ≥ 20,000 bounded values agrees with it to well under
  ///     a tenth of the interval's width, at O(n) instead of O(B·n) (a second per 10⁵ notes).
  /// - Returns: The estimate; the interval is the bootstrap percentile interval with each half
  ///   widened in quadrature by `z·estimate·calibrationRelativeError`, and the lower bound is
  ///   `estimate − z₁·se` with `se² = bootstrap variance + (estimate·calibrationRelativeError)²`.
  public static func meanProbability(
    _ probabilities: [Double], confidence: Double = 0.95, calibrationRelativeError: Double = 0,
    bootstrapSamples: Int = 1000, seed: UInt64 = 0, bootstrapLimit: Int = 20_000
  ) -> PrevalenceEstimate {
    precondition(!probabilities.isEmpty, "no probabilities")
    precondition(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 }, "probabilities must lie in [0, 1]")
    precondition(confidence > 0 && confidence < 1 && bootstrapSamples >= 10 && calibrationRelativeError >= 0, "bad settings")
    let count = probabilities.count
    let mean = probabilities.reduce(0, +) / Double(count)
    let alpha = 1 - confidence
    let zTwoSided = normalQuantile(1 - alpha / 2)
    let bootstrapLow: Double, bootstrapHigh: Double, bootstrapVariance: Double
    if count > bootstrapLimit {
      let sampleVariance = probabilities.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
      bootstrapVariance = sampleVariance / Double(count)
      bootstrapLow = mean - zTwoSided * bootstrapVariance.squareRoot()
      bootstrapHigh = mean + zTwoSided * bootstrapVariance.squareRoot()
    } else {
      var random = SeededRandom(seed: seed, stream: 0x5052_4556)
      var means: [Double] = []
      means.reserveCapacity(bootstrapSamples)
      for _ in 0..<bootstrapSamples {
        var sum = 0.0
        for _ in 0..<count { sum += probabilities[random.index(below: count)] }
        means.append(sum / Double(count))
      }
      means.sort()
      bootstrapLow = quantile(sorted: means, alpha / 2)
      bootstrapHigh = quantile(sorted: means, 1 - alpha / 2)
      let bootstrapMean = means.reduce(0, +) / Double(means.count)
      bootstrapVariance = means.reduce(0) { $0 + ($1 - bootstrapMean) * ($1 - bootstrapMean) } / Double(max(means.count - 1, 1))
    }
    let calibrationError = mean * calibrationRelativeError
    let widen = zTwoSided * calibrationError
    let lower = mean - ((mean - bootstrapLow) * (mean - bootstrapLow) + widen * widen).squareRoot()
    let upper = mean + ((bootstrapHigh - mean) * (bootstrapHigh - mean) + widen * widen).squareRoot()
    let standardError = (bootstrapVariance + calibrationError * calibrationError).squareRoot()
    return PrevalenceEstimate(
      method: .meanProbability, estimate: mean, lower: max(0, lower), upper: min(1, upper),
      lowerBound: max(0, mean - normalQuantile(confidence) * standardError),
      standardError: standardError, confidence: confidence, count: count)
  }

  /// The share from a flag rate corrected for the classifier's error rates (Rogan–Gladen).
  ///
  /// - Parameters:
  ///   - flagged: Notes flagged in the corpus.
  ///   - total: Notes in the corpus (> 0).
  ///   - truePositiveRate: P(flag | sponsored), measured on validation data.
  ///   - falsePositiveRate: P(flag | not sponsored); must be below `truePositiveRate`.
  ///   - validationPositives: Sponsored notes the TPR was measured on (> 0).
  ///   - validationNegatives: Non-sponsored notes the FPR was measured on (> 0).
  ///   - confidence: Interval level, in (0, 1).
  /// - Returns: `π = (q − FPR)/(TPR − FPR)` clipped to [0, 1], with delta-method standard error
  ///   `√(q(1−q)/n + π²·TPR(1−TPR)/n₊ + (1−π)²·FPR(1−FPR)/n₋) / (TPR − FPR)`, a normal
  ///   interval clipped to [0, 1] and the one-sided bound `π − z₁·se`.
  public static func misclassificationCorrected(
    flagged: Int, total: Int, truePositiveRate: Double, falsePositiveRate: Double,
    validationPositives: Int, validationNegatives: Int, confidence: Double = 0.95
  ) -> PrevalenceEstimate {
    precondition(total > 0 && flagged >= 0 && flagged <= total, "flagged must lie in 0...total, total > 0")
    precondition(validationPositives > 0 && validationNegatives > 0, "validation counts must be positive")
    precondition(truePositiveRate > falsePositiveRate, "TPR must exceed FPR for the correction to exist")
    precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
    let rate = Double(flagged) / Double(total)
    let youden = truePositiveRate - falsePositiveRate
    let share = min(1, max(0, (rate - falsePositiveRate) / youden))
    let variance = rate * (1 - rate) / Double(total)
      + share * share * truePositiveRate * (1 - truePositiveRate) / Double(validationPositives)
      + (1 - share) * (1 - share) * falsePositiveRate * (1 - falsePositiveRate) / Double(validationNegatives)
    let standardError = variance.squareRoot() / youden
    let z = normalQuantile(1 - (1 - confidence) / 2)
    return PrevalenceEstimate(
      method: .misclassificationCorrected, estimate: share,
      lower: max(0, share - z * standardError), upper: min(1, share + z * standardError),
      lowerBound: max(0, share - normalQuantile(confidence) * standardError),
      standardError: standardError, confidence: confidence, count: total)
  }

  static func quantile(sorted values: [Double], _ p: Double) -> Double {
    let position = p * Double(values.count - 1)
    let low = Int(position.rounded(.down))
    let high = min(low + 1, values.count - 1)
    return values[low] + (position - Double(low)) * (values[high] - values[low])
  }

  /// The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error
  /// below 1.2·10⁻⁹).
  static func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "p must lie in (0, 1)")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
      let q = (-2 * log(p)).squareRoot()
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low { return -normalQuantile(1 - p) }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
      / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  }
}
