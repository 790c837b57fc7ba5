import Foundation

/// The ad density a planner recommends, with the trade-off behind it.
public struct AdDensityPlan: Sendable, Hashable, Codable {
  /// One point of the trade-off curve.
  public struct Point: Sendable, Hashable, Codable {
    /// Ad density (ad slots ÷ slots).
    public var density: Double
    /// Expected revenue per session: revenue per ad × density × expected session length.
    public var revenuePerSession: Double
    /// Expected change of the organic engagement measure against density 0, in percent.
    public var organicEngagementChange: Double
    /// Expected change of session length against density 0, in percent.
    public var sessionLengthChange: Double
    /// Whether the loss limit allows this density.
    public var allowed: Bool
  }

  /// The recommended density.
  public var density: Double
  /// The trade-off there.
  public var expected: Point
  /// The trade-off at round densities up to the studied maximum (and at the recommendation).
  public var tradeOff: [Point]
  /// The loss limit (a fraction: 0.02 = 2%).
  public var maximumLoss: Double
  /// Revenue per ad shown.
  public var revenuePerAd: Double
  /// Which organic engagement measure the loss is on.
  public var lossMeasure: AdDensityPlanner.LossMeasure
  /// Which fits the plan rests on (e.g. "organic engagement: experiment arms (linear); session length: within-user log-linear").
  public var basis: String
  /// Why the plan stops where it does: `loss limit`, `revenue maximum` or `studied range`.
  public var limitedBy: String
  /// The highest density the study observed; the planner does not extrapolate beyond it.
  public var studiedMaximum: Double
}

/// Picks the ad density that maximizes revenue subject to a maximum loss of organic engagement,
/// from a study's fitted curves.
///
/// Revenue per session at density d is `revenuePerAd · d · L(d)`, with L the fitted session
/// length. The loss is `1 − E(d)/E(0)`, where E is the organic engagement rate (the default) or
/// organic engagements per session, `rate(d) · (1 − d) · L(d)`, which also counts the organic
/// slots ads displace and the sessions they shorten. Densities are searched on a 0.0005 grid from
/// 0 to the highest density the study observed.
///
/// The curves come from the most causal fit the study has: the lines across a randomized
/// experiment's arms (searched up to the densest arm), else the within-user fits, else the pooled
/// ones (searched up to the highest binned density); all of ``shape``.
public struct AdDensityPlanner: Sendable {
  /// Which organic engagement the loss limit is on.
  public enum LossMeasure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Engagements per organic impression.
    case rate
    /// Organic engagements per session (rate × organic slots × session length).
    case perSession = "per-session"
  }

  /// The largest allowed loss, a fraction in [0, 1) (0.02 = 2%).
  public var maximumLoss: Double
  /// Revenue per ad shown (any currency; ≥ 0).
  public var revenuePerAd: Double
  /// The loss measure.
  public var lossMeasure: LossMeasure = .rate
  /// The shape of the fits used.
  public var shape: DoseResponseShape = .logLinear

  /// A planner.
  public init(maximumLoss: Double, revenuePerAd: Double, lossMeasure: LossMeasure = .rate, shape: DoseResponseShape = .logLinear) {
    self.maximumLoss = maximumLoss
    self.revenuePerAd = revenuePerAd
    self.lossMeasure = lossMeasure
    self.shape = shape
  }

  /// Plans from a study.
  ///
  /// - Throws: ``ZhongcaoError/Code/invalidArgument`` for a loss limit outside [0, 1) or a
  ///   negative or non-finite revenue.
  public func plan(from study: AdDensityStudyResult) throws(ZhongcaoError) -> AdDensityPlan {
    let engagement: DensitySlope, engagementBasis: String
    if let line = study.experiment?.organicEngagementLine(shape) {
      (engagement, engagementBasis) = (line, "experiment arms \(shape.rawValue)")
    } else if let within = study.organicEngagement.withinUser(shape) {
      (engagement, engagementBasis) = (within, "within-user \(shape.rawValue)")
    } else if let pooled = study.organicEngagement.pooled(shape) {
      (engagement, engagementBasis) = (pooled, "pooled \(shape.rawValue)")
    } else {
      throw ZhongcaoError(.invalidInput, "the study has no organic engagement fit of shape \(shape.rawValue)")
    }
    let length: DensitySlope, lengthBasis: String
    if let line = study.experiment?.sessionLengthLine(shape) {
      (length, lengthBasis) = (line, "experiment arms \(shape.rawValue)")
    } else if let within = study.sessionLength.withinUser(shape) {
      (length, lengthBasis) = (within, "within-user \(shape.rawValue)")
    } else if let pooled = study.sessionLength.pooled(shape) {
      (length, lengthBasis) = (pooled, "pooled \(shape.rawValue)")
    } else {
      throw ZhongcaoError(.invalidInput, "the study has no session length fit of shape \(shape.rawValue)")
    }
    // An experiment's lines hold between its arms: plan no further than the densest arm.
    let armDensities = study.experiment?.organicEngagementByArm.map(\.density) ?? []
    let maximum = armDensities.max() ?? study.organicEngagement.curve.last?.high
      ?? max(study.overview.paidDensity, study.overview.perceivedDensity)
    var plan = try plan(engagement: { engagement.rate(at: $0) }, sessionLength: { length.rate(at: $0) },
                        studiedMaximum: min(max(maximum, 0), 1))
    plan.basis = "organic engagement: \(engagementBasis); session length: \(lengthBasis)"
    return plan
  }

  /// Plans from explicit curves: the organic engagement rate and the expected session length as
  /// functions of density, searched on [0, `studiedMaximum`].
  public func plan(engagement: (Double) -> Double, sessionLength: (Double) -> Double, studiedMaximum: Double)
    throws(ZhongcaoError) -> AdDensityPlan
  {
    guard maximumLoss >= 0, maximumLoss < 1 else {
      throw ZhongcaoError(.invalidArgument, "the maximum loss must be a fraction in [0, 1) (0.02 = 2%), got \(maximumLoss)")
    }
    guard revenuePerAd.isFinite, revenuePerAd >= 0 else {
      throw ZhongcaoError(.invalidArgument, "the revenue per ad must be finite and non-negative, got \(revenuePerAd)")
    }
    guard studiedMaximum.isFinite, (0...1).contains(studiedMaximum) else {
      throw ZhongcaoError(.invalidArgument, "the studied maximum density must be in 0…1, got \(studiedMaximum)")
    }
    let rate0 = engagement(0), length0 = sessionLength(0)
    guard rate0 > 0, length0 > 0, rate0.isFinite, length0.isFinite else {
      throw ZhongcaoError(.invalidInput, "the fitted curves must be positive at density 0 (engagement \(rate0), session length \(length0))")
    }
    let measure = lossMeasure
    func point(_ density: Double) -> AdDensityPlan.Point {
      let rate = engagement(density), length = sessionLength(density)
      let organic = measure == .rate ? rate / rate0 : rate * (1 - density) * length / (rate0 * length0)
      return AdDensityPlan.Point(density: density, revenuePerSession: revenuePerAd * density * max(length, 0),
                                 organicEngagementChange: 100 * (organic - 1), sessionLengthChange: 100 * (length / length0 - 1),
                                 allowed: 1 - organic <= maximumLoss + 1e-12)
    }
    let step = 0.0005
    let steps = Int((studiedMaximum / step).rounded(.down))
    var best = point(0), bestUnconstrained = point(0)
    for index in 0...steps {
      let candidate = point(Double(index) * step)
      if candidate.revenuePerSession > bestUnconstrained.revenuePerSession { bestUnconstrained = candidate }
      if candidate.allowed, candidate.revenuePerSession > best.revenuePerSession { best = candidate }
    }
    let limitedBy: String
    if best.density == bestUnconstrained.density {
      limitedBy = best.density >= Double(steps) * step - 1e-12 && steps > 0 ? "studied range" : "revenue maximum"
    } else {
      limitedBy = "loss limit"
    }
    var marks = stride(from: 0.0, through: studiedMaximum + 1e-9, by: 0.05).map { point(min($0, studiedMaximum)) }
    if !marks.contains(where: { abs($0.density - best.density) < 1e-9 }) { marks.append(best) }
    marks.sort { $0.density < $1.density }
    return AdDensityPlan(density: best.density, expected: best, tradeOff: marks, maximumLoss: maximumLoss,
                         revenuePerAd: revenuePerAd, lossMeasure: lossMeasure, basis: "given curves", limitedBy: limitedBy,
                         studiedMaximum: studiedMaximum)
  }
}
