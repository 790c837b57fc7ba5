import Foundation

/// A non-decreasing map from a classifier score to a probability, fitted by isotonic regression
/// (pool-adjacent-violators, Ayer et al. 1955; Zadrozny & Elkan 2002) and evaluated by linear
/// interpolation between block centres, flat beyond the ends.
///
/// ``fit(scores:numerators:denominators:)`` fits a *ratio* `Σ numerator / Σ denominator` per block,
/// which is what positive–unlabeled calibration needs: with numerator `1/e(aᵢ)` for a disclosed
/// note (its inverse labelling propensity) and 0 otherwise, and denominator 1 for every note, a
/// block's value is the Horvitz–Thompson estimate of the share of sponsored notes among the
/// notes of that score range. ``fit(scores:labels:)`` is the ordinary case with known labels.
public struct IsotonicCalibration: Sendable, Equatable, Codable {
  /// Block centres (weighted mean score of each block), strictly increasing.
  public private(set) var scores: [Double]
  /// The probability at each centre, non-decreasing, in [0, 1].
  public private(set) var probabilities: [Double]

  /// A calibration from knots. Traps unless the arrays have equal, non-zero length, `scores`
  /// strictly increases and `probabilities` is non-decreasing within [0, 1].
  public init(scores: [Double], probabilities: [Double]) {
    precondition(Self.isValid(scores: scores, probabilities: probabilities), "invalid calibration knots")
    self.scores = scores
    self.probabilities = probabilities
  }

  static func isValid(scores: [Double], probabilities: [Double]) -> Bool {
    guard !scores.isEmpty, scores.count == probabilities.count else { return false }
    guard scores.allSatisfy(\.isFinite), probabilities.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return false }
    for index in scores.indices.dropFirst() {
      if !(scores[index - 1] < scores[index]) || probabilities[index - 1] > probabilities[index] { return false }
    }
    return true
  }

  /// The calibrated probability of `score`.
  public func probability(forScore score: Double) -> Double {
    if score <= scores[0] { return probabilities[0] }
    if score >= scores[scores.count - 1] { return probabilities[scores.count - 1] }
    var low = 0
    var high = scores.count - 1
    while high - low > 1 {
      let middle = (low + high) / 2
      if scores[middle] <= score { low = middle } else { high = middle }
    }
    let fraction = (score - scores[low]) / (scores[high] - scores[low])
    return probabilities[low] + fraction * (probabilities[high] - probabilities[low])
  }

  /// Fits `P(y = 1 | score)` to 0/1 labels.
  public static func fit(scores: [Double], labels: [Bool]) -> IsotonicCalibration {
    fit(scores: scores, numerators: labels.map { $0 ? 1 : 0 }, denominators: Array(repeating: 1, count: labels.count))
  }

  /// Fits a non-decreasing ratio `Σ numerator / Σ denominator` over score order, clipped to [0, 1].
  ///
  /// - Parameters:
  ///   - scores: Finite scores, at least one.
  ///   - numerators: Non-negative numerator per score.
  ///   - denominators: Positive denominator (weight) per score.
  /// - Complexity: O(n log n).
  public static func fit(scores: [Double], numerators: [Double], denominators: [Double]) -> IsotonicCalibration {
    precondition(!scores.isEmpty && scores.count == numerators.count && scores.count == denominators.count, "mismatched calibration input")
    precondition(scores.allSatisfy(\.isFinite), "calibration scores must be finite")
    precondition(denominators.allSatisfy { $0 > 0 } && numerators.allSatisfy { $0 >= 0 }, "bad calibration weights")
    let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    // Blocks: (numerator, denominator, score·denominator); equal scores start in one block.
    var blockNumerators: [Double] = []
    var blockDenominators: [Double] = []
    var blockScoreSums: [Double] = []
    var previousScore = -Double.infinity
    for index in order {
      let score = scores[index]
      if score == previousScore, !blockNumerators.isEmpty {
        blockNumerators[blockNumerators.count - 1] += numerators[index]
        blockDenominators[blockDenominators.count - 1] += denominators[index]
        blockScoreSums[blockScoreSums.count - 1] += score * denominators[index]
      } else {
        blockNumerators.append(numerators[index])
        blockDenominators.append(denominators[index])
        blockScoreSums.append(score * denominators[index])
      }
      previousScore = score
      // Pool while the last two blocks violate monotonicity.
      while blockNumerators.count >= 2 {
        let last = blockNumerators.count - 1
        let lastValue = blockNumerators[last] / blockDenominators[last]
        let previousValue = blockNumerators[last - 1] / blockDenominators[last - 1]
        if previousValue < lastValue { break }
        blockNumerators[last - 1] += blockNumerators.removeLast()
        blockDenominators[last - 1] += blockDenominators.removeLast()
        blockScoreSums[last - 1] += blockScoreSums.removeLast()
      }
    }
    var knots: [Double] = []
    var values: [Double] = []
    for block in blockNumerators.indices {
      let centre = blockScoreSums[block] / blockDenominators[block]
      let value = min(1, blockNumerators[block] / blockDenominators[block])
      if let last = knots.last, !(centre > last) { continue }
      if let last = values.last, value < last { continue }
      knots.append(centre)
      values.append(value)
    }
    return IsotonicCalibration(scores: knots, probabilities: values)
  }
}
