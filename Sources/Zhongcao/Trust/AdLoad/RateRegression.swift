import Foundation

/// One observation of an ad-density regression: `outcome` events over `exposure` opportunities
/// at ad density `density`, in cluster `cluster` (the user: errors are clustered by user).
///
/// For the organic engagement rate a cell is a session (or a user's organic impressions at one
/// window density): outcome = engagements with organic notes, exposure = organic impressions.
public struct DensityCell: Sendable, Hashable {
  /// The cluster (user index).
  public var cluster: Int32
  /// Ad density in 0…1.
  public var density: Double
  /// Opportunities (organic impressions, or 1 for a per-session outcome).
  public var exposure: Double
  /// Events (engagements, slots, returns).
  public var outcome: Double

  /// A cell.
  public init(cluster: Int32, density: Double, exposure: Double, outcome: Double) {
    self.cluster = cluster
    self.density = density
    self.exposure = exposure
    self.outcome = outcome
  }
}

/// How the outcome rate depends on density in a fitted model.
public enum DoseResponseShape: String, Sendable, Hashable, Codable, CaseIterable {
  /// rate = a + b·density (Pandora found listening demand linear in ads per hour).
  case linear
  /// rate = exp(a + b·density): a constant percent change per point of density (Poisson
  /// quasi-likelihood, so zero outcomes are fine).
  case logLinear = "log-linear"
}

/// A fitted effect of ad density, expressed as the percent change of the outcome rate per +10
/// points of density (0.10), with a 95% interval from cluster-robust (by user) standard errors.
public struct DensitySlope: Sendable, Hashable, Codable {
  /// The model's shape.
  public var shape: DoseResponseShape
  /// Whether user fixed effects absorb each user's own level (within-user estimate).
  public var withinUser: Bool
  /// The fitted rate at density 0 (for the within-user fit: the mean of the users' levels).
  public var baseline: Double
  /// The coefficient of density: rate per unit density (linear) or log rate per unit density.
  public var coefficient: Double
  /// Its cluster-robust standard error.
  public var standardError: Double
  /// Percent change of the rate per +10 points of density, relative to density 0.
  public var percentPer10Points: Double
  /// 95% interval of ``percentPer10Points``.
  public var low: Double
  /// 95% interval of ``percentPer10Points``.
  public var high: Double
  /// Clusters (users) that inform the fit.
  public var clusters: Int
  /// Cells in the fit.
  public var cells: Int

  /// The rate the fit predicts at `density`.
  public func rate(at density: Double) -> Double {
    switch shape {
    case .linear: baseline + coefficient * density
    case .logLinear: baseline * Foundation.exp(coefficient * density)
    }
  }
}

/// Least-squares and Poisson quasi-likelihood fits of an outcome rate on ad density, pooled or
/// with user fixed effects, with standard errors clustered by user (CR1: the sandwich scaled by
/// G/(G − 1) for G clusters).
enum RateRegression {
  /// The normal quantile of a two-sided 95% interval.
  static let z95 = 1.959963984540054

  /// Fits `shape` to the cells; `withinUser` adds a level per user.
  ///
  /// - Throws: ``ZhongcaoError/Code/invalidInput`` when the cells cannot identify a slope (no
  ///   exposure, no events, no variation in density, fewer than two clusters).
  static func fit(_ cells: [DensityCell], shape: DoseResponseShape, withinUser: Bool) throws(ZhongcaoError) -> DensitySlope {
    let usable = cells.filter { $0.exposure > 0 && $0.density.isFinite && $0.outcome.isFinite }
    let clusters = Dictionary(grouping: usable.indices, by: { usable[$0].cluster })
    guard clusters.count >= 2 else {
      throw ZhongcaoError(.invalidInput, "an ad-density slope needs at least two users with impressions, got \(clusters.count)")
    }
    let exposure = usable.reduce(0) { $0 + $1.exposure }, events = usable.reduce(0) { $0 + $1.outcome }
    let meanDensity = usable.reduce(0) { $0 + $1.exposure * $1.density } / exposure
    let densityVariance = usable.reduce(0) { $0 + $1.exposure * ($1.density - meanDensity) * ($1.density - meanDensity) } / exposure
    guard events > 0 else { throw ZhongcaoError(.invalidInput, "an ad-density slope needs at least one event; the outcome is zero everywhere") }
    guard densityVariance > 1e-12 else {
      throw ZhongcaoError(.invalidInput, "an ad-density slope needs variation in density; every impression has density \(meanDensity)")
    }
    let groups = Array(clusters.values)
    var slope: DensitySlope
    switch (shape, withinUser) {
    case (.linear, false): slope = try pooledLinear(usable, groups: groups)
    case (.logLinear, false): slope = try pooledPoisson(usable, groups: groups, exposure: exposure, events: events)
    case (.linear, true): slope = try withinLinear(usable, groups: groups)
    case (.logLinear, true): slope = try withinPoisson(usable, groups: groups)
    }
    slope.cells = usable.count
    return slope
  }

  /// A slope with its percent-per-10-points summary; `percentGradient` is the gradient of the
  /// percent with respect to (baseline-parameter, coefficient) for the delta method.
  private static func summary(shape: DoseResponseShape, withinUser: Bool, baseline: Double, coefficient: Double,
                              variance: Double, clusters: Int) -> DensitySlope {
    let standardError = variance.squareRoot()
    let percent: (Double) -> Double
    switch shape {
    case .logLinear: percent = { 100 * (Foundation.exp(0.1 * $0) - 1) }
    case .linear: percent = { 100 * 0.1 * $0 / baseline }
    }
    // Monotone in the coefficient: the interval's ends map through directly.
    let ends = [percent(coefficient - z95 * standardError), percent(coefficient + z95 * standardError)]
    return DensitySlope(shape: shape, withinUser: withinUser, baseline: baseline, coefficient: coefficient,
                        standardError: standardError, percentPer10Points: percent(coefficient),
                        low: ends.min()!, high: ends.max()!, clusters: clusters, cells: 0)
  }

  /// The CR1 small-sample factor.
  private static func clusterFactor(_ clusters: Int) -> Double { Double(clusters) / Double(max(clusters - 1, 1)) }

  /// Weighted least squares of rate = outcome/exposure on (1, density), weights = exposure.
  private static func pooledLinear(_ cells: [DensityCell], groups: [[Int]]) throws(ZhongcaoError) -> DensitySlope {
    var a = SymmetricTwo(), right = (0.0, 0.0)
    for cell in cells {
      a.add(weight: cell.exposure, cell.density)
      right.0 += cell.outcome
      right.1 += cell.outcome * cell.density
    }
    guard let inverse = a.inverse else { throw ZhongcaoError(.invalidInput, "the linear ad-density fit is singular") }
    let intercept = inverse.xx * right.0 + inverse.xy * right.1, coefficient = inverse.xy * right.0 + inverse.yy * right.1
    guard intercept > 0 else {
      throw ZhongcaoError(.invalidInput, "the linear ad-density fit gives a rate of \(intercept) at density 0; a percent change is undefined")
    }
    var meat = SymmetricTwo()
    for group in groups {
      var score = (0.0, 0.0)
      for index in group {
        let cell = cells[index]
        let residual = cell.outcome - cell.exposure * (intercept + coefficient * cell.density)
        score.0 += residual
        score.1 += residual * cell.density
      }
      meat.addOuter(score)
    }
    let covariance = inverse.sandwich(meat).scaled(clusterFactor(groups.count))
    // Delta method for 100·0.1·b/a: gradient (−10b/a², 10/a).
    let gradient = (-10 * coefficient / (intercept * intercept), 10 / intercept)
    let percentVariance = covariance.quadratic(gradient)
    var slope = summary(shape: .linear, withinUser: false, baseline: intercept, coefficient: coefficient,
                        variance: covariance.yy, clusters: groups.count)
    let percentError = percentVariance.squareRoot()
    slope.low = slope.percentPer10Points - z95 * percentError
    slope.high = slope.percentPer10Points + z95 * percentError
    return slope
  }

  /// Poisson quasi-likelihood: E[outcome] = exposure·exp(a + b·density), by Newton's method.
  private static func pooledPoisson(_ cells: [DensityCell], groups: [[Int]], exposure: Double, events: Double)
    throws(ZhongcaoError) -> DensitySlope
  {
    var a = Foundation.log(events / exposure), b = 0.0
    var information = SymmetricTwo()
    for _ in 0..<100 {
      information = SymmetricTwo()
      var score = (0.0, 0.0)
      for cell in cells {
        let mean = cell.exposure * Foundation.exp(a + b * cell.density)
        information.add(weight: mean, cell.density)
        score.0 += cell.outcome - mean
        score.1 += (cell.outcome - mean) * cell.density
      }
      guard let inverse = information.inverse else { throw ZhongcaoError(.invalidInput, "the log-linear ad-density fit is singular") }
      let step = (inverse.xx * score.0 + inverse.xy * score.1, inverse.xy * score.0 + inverse.yy * score.1)
      a += step.0
      b += step.1
      guard a.isFinite, b.isFinite else { throw ZhongcaoError(.invalidInput, "the log-linear ad-density fit diverged") }
      if abs(step.0) + abs(step.1) < 1e-10 { break }
    }
    guard let inverse = information.inverse else { throw ZhongcaoError(.invalidInput, "the log-linear ad-density fit is singular") }
    var meat = SymmetricTwo()
    for group in groups {
      var score = (0.0, 0.0)
      for index in group {
        let cell = cells[index]
        let residual = cell.outcome - cell.exposure * Foundation.exp(a + b * cell.density)
        score.0 += residual
        score.1 += residual * cell.density
      }
      meat.addOuter(score)
    }
    let covariance = inverse.sandwich(meat).scaled(clusterFactor(groups.count))
    return summary(shape: .logLinear, withinUser: false, baseline: Foundation.exp(a), coefficient: b,
                   variance: covariance.yy, clusters: groups.count)
  }

  /// Within-user weighted least squares: each user's rates and densities centred on the user's
  /// exposure-weighted means. The baseline is the exposure-weighted mean of the users' levels
  /// at density 0.
  private static func withinLinear(_ cells: [DensityCell], groups: [[Int]]) throws(ZhongcaoError) -> DensitySlope {
    var numerator = 0.0, denominator = 0.0
    var means: [(density: Double, rate: Double, exposure: Double)] = []
    means.reserveCapacity(groups.count)
    for group in groups {
      var exposure = 0.0, density = 0.0, events = 0.0
      for index in group {
        exposure += cells[index].exposure
        density += cells[index].exposure * cells[index].density
        events += cells[index].outcome
      }
      let meanDensity = density / exposure, meanRate = events / exposure
      means.append((meanDensity, meanRate, exposure))
      for index in group {
        let cell = cells[index], centred = cell.density - meanDensity
        numerator += cell.exposure * centred * (cell.outcome / cell.exposure - meanRate)
        denominator += cell.exposure * centred * centred
      }
    }
    guard denominator > 1e-12 else {
      throw ZhongcaoError(.invalidInput, "the within-user ad-density fit needs users whose density varies between sessions")
    }
    let coefficient = numerator / denominator
    var meat = 0.0, informative = 0
    for (group, mean) in zip(groups, means) {
      var score = 0.0, varies = false
      for index in group {
        let cell = cells[index], centred = cell.density - mean.density
        if abs(centred) > 1e-12 { varies = true }
        score += cell.exposure * centred * ((cell.outcome / cell.exposure - mean.rate) - coefficient * centred)
      }
      meat += score * score
      if varies { informative += 1 }
    }
    let totalExposure = means.reduce(0) { $0 + $1.exposure }
    let baseline = means.reduce(0) { $0 + $1.exposure * ($1.rate - coefficient * $1.density) } / totalExposure
    guard baseline > 0 else {
      throw ZhongcaoError(.invalidInput, "the within-user linear fit gives a rate of \(baseline) at density 0; a percent change is undefined")
    }
    let variance = meat / (denominator * denominator) * clusterFactor(informative)
    return summary(shape: .linear, withinUser: true, baseline: baseline, coefficient: coefficient, variance: variance,
                   clusters: informative)
  }

  /// Poisson regression with a level per user, by the concentrated (conditional) likelihood:
  /// with w = exposure·exp(b·density), the score is Σ outcome·(density − user's w-weighted mean
  /// density) and the information Σ user's events × w-weighted variance of density.
  private static func withinPoisson(_ cells: [DensityCell], groups: [[Int]]) throws(ZhongcaoError) -> DensitySlope {
    func pass(_ b: Double, scores: ((Double, Bool) -> Void)? = nil) -> (score: Double, information: Double) {
      var score = 0.0, information = 0.0
      for group in groups {
        var weight = 0.0, weightedDensity = 0.0, weightedSquare = 0.0, events = 0.0, eventDensity = 0.0
        for index in group {
          let cell = cells[index], w = cell.exposure * Foundation.exp(b * cell.density)
          weight += w
          weightedDensity += w * cell.density
          weightedSquare += w * cell.density * cell.density
          events += cell.outcome
          eventDensity += cell.outcome * cell.density
        }
        let mean = weightedDensity / weight
        let userScore = eventDensity - events * mean
        score += userScore
        let spread = max(weightedSquare / weight - mean * mean, 0)
        information += events * spread
        scores?(userScore, events > 0 && spread > 1e-15)
      }
      return (score, information)
    }
    var b = 0.0
    for _ in 0..<100 {
      let (score, information) = pass(b)
      guard information > 1e-12 else {
        throw ZhongcaoError(.invalidInput, "the within-user ad-density fit needs users with events whose density varies between sessions")
      }
      let step = score / information
      b += step
      guard b.isFinite else { throw ZhongcaoError(.invalidInput, "the within-user log-linear ad-density fit diverged") }
      if abs(step) < 1e-12 { break }
    }
    var meat = 0.0, informative = 0
    let information = pass(b) { userScore, informs in
      meat += userScore * userScore
      if informs { informative += 1 }
    }.information
    // Baseline: total events over total exposure·exp(b·density), the users' pooled level at 0.
    var events = 0.0, expected = 0.0
    for cell in cells {
      events += cell.outcome
      expected += cell.exposure * Foundation.exp(b * cell.density)
    }
    let variance = meat / (information * information) * clusterFactor(max(informative, 2))
    return summary(shape: .logLinear, withinUser: true, baseline: events / expected, coefficient: b, variance: variance,
                   clusters: informative)
  }
}

/// A symmetric 2×2 matrix [[xx, xy], [xy, yy]] for the two-parameter fits.
private struct SymmetricTwo {
  var xx = 0.0, xy = 0.0, yy = 0.0

  /// Adds weight·(1, d)(1, d)ᵀ.
  mutating func add(weight: Double, _ d: Double) {
    xx += weight
    xy += weight * d
    yy += weight * d * d
  }

  /// Adds v·vᵀ.
  mutating func addOuter(_ v: (Double, Double)) {
    xx += v.0 * v.0
    xy += v.0 * v.1
    yy += v.1 * v.1
  }

  var inverse: SymmetricTwo? {
    let determinant = xx * yy - xy * xy
    guard determinant > 1e-300 * max(1, xx * yy), determinant.isFinite else { return nil }
    return SymmetricTwo(xx: yy / determinant, xy: -xy / determinant, yy: xx / determinant)
  }

  /// self · meat · self.
  func sandwich(_ meat: SymmetricTwo) -> SymmetricTwo {
    let left = (xx * meat.xx + xy * meat.xy, xx * meat.xy + xy * meat.yy, xy * meat.xx + yy * meat.xy, xy * meat.xy + yy * meat.yy)
    return SymmetricTwo(xx: left.0 * xx + left.1 * xy, xy: left.0 * xy + left.1 * yy, yy: left.2 * xy + left.3 * yy)
  }

  func scaled(_ factor: Double) -> SymmetricTwo { SymmetricTwo(xx: xx * factor, xy: xy * factor, yy: yy * factor) }

  /// gᵀ · self · g.
  func quadratic(_ g: (Double, Double)) -> Double { g.0 * g.0 * xx + 2 * g.0 * g.1 * xy + g.1 * g.1 * yy }
}
