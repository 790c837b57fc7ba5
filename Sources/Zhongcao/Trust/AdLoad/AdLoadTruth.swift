import Foundation

/// Everything an ``AdLoadSimulator`` planted, and the population truth it computed from the
/// simulated users, as a JSON truth file (sorted keys: byte-for-byte stable for a seed).
///
/// The planted parameters are ``configuration`` (with the slopes β of the two density effects
/// spelled out). The rest says what a study of the simulated logs should find:
/// - ``arms``: per arm, the planted short-run ratios f(d)/f(d_control) and g(d)/g(d_control) —
///   the exact estimands of pooled per-arm ratios without trust dynamics — and the long-run ratios;
/// - ``weeks``: per week since assignment and arm, for the users assigned to the arm (the exact
///   conditional estimands of per-arm, per-week rates computed from the log) and for the whole
///   population simulated under every arm (composition-free comparisons between arms): expected
///   organic engagement rate, mean trust, expected session length and return;
/// - ``weeklyEffects`` and ``longRun``: the effect per +10 points week by week and at the steady
///   state, in the shape of the planted effect;
/// - ``prePeriod``: the pre-period and the pre/post correlation of per-user organic rates (CUPED);
/// - ``notes``: which organic notes are promotion, so that a study can compute perceived load.
public struct AdLoadTruth: Sendable, Codable, Equatable {
  /// The ``format`` of every truth file.
  public static let fileFormat = "zhongcao-adload-truth"
  /// The ``version`` written by this release.
  public static let fileVersion = 1

  /// Always ``fileFormat``.
  public var format: String
  /// The file version (``fileVersion``).
  public var version: Int
  /// Every planted parameter.
  public var configuration: AdLoadSimulator.Configuration
  /// β of the organic engagement effect f (see ``AdLoadSimulator/DensityEffect/slope``).
  public var organicEngagementSlope: Double
  /// β of the session length effect g.
  public var sessionLengthSlope: Double
  /// The assignment time (``AdLoadSimulator/start``), seconds since 1970.
  public var start: Int64
  /// Note ids and which of them are promotion.
  public var notes: Notes
  /// Per arm (experiment design only; empty for observational data), control first.
  public var arms: [Arm]
  /// Per post-period week (1, 2, …) and arm (or one group `all` for observational data).
  public var weeks: [Week]
  /// The effects per +10 points in each week (experiments with counterfactual arms and two or
  /// more distinct densities; empty otherwise).
  public var weeklyEffects: [WeekEffect]
  /// The pre-period, when simulated.
  public var prePeriod: PrePeriod?
  /// The steady state of the trust dynamics.
  public var longRun: LongRun
  /// Population facts of the simulated users.
  public var population: Population

  /// The notes of the simulated world. Organic note `i` (id `n` + zero-padded i, at least five
  /// digits) is in category `i mod categories`; ads are `ad-` + zero-padded index (at least four digits).
  public struct Notes: Sendable, Codable, Equatable {
    /// Number of organic notes.
    public var organic: Int
    /// Number of paid ads.
    public var ads: Int
    /// Ids of the organic notes that are undisclosed promotion, ascending.
    public var undisclosedPromotion: [String]
    /// Ids of the organic notes that are disclosed partnerships, ascending.
    public var disclosedPartnership: [String]
  }

  /// One experiment arm's planted and long-run truth.
  public struct Arm: Sendable, Codable, Equatable {
    /// The arm's name.
    public var name: String
    /// Its paid-ad density.
    public var density: Double
    /// Users assigned to it.
    public var users: Int
    /// f(d)/f(d_control): the estimand of the ratio of pooled organic engagement rates (organic
    /// impressions only) of this arm and the control, without trust dynamics.
    public var organicEngagementRatio: Double
    /// g(d)/g(d_control): the estimand of the ratio of mean session lengths (impressions per
    /// session, pooled over sessions), without trust dynamics.
    public var sessionLengthRatio: Double
    /// Share of the arm's post-period impressions that are paid ads (realised).
    public var realisedAdShare: Double
    /// Mean over all users of the steady-state trust T*_u(d).
    public var steadyStateTrust: Double
    /// Long-run ratio of the population's organic engagement rate at this arm's density to that
    /// at the control's (every user at the steady state; see ``LongRun``).
    public var longRunOrganicEngagementRatio: Double
    /// Long-run ratio of mean session lengths (session-weighted), this arm over the control.
    public var longRunSessionLengthRatio: Double
    /// Long-run ratio of sessions per user per week, this arm over the control.
    public var longRunReturnRatio: Double
  }

  /// What one group of users did in one week, and what was expected of it.
  public struct Outcomes: Sendable, Codable, Equatable {
    /// Users in the group (whether active or not).
    public var users: Int
    /// Users with at least one session in the week.
    public var activeUsers: Int
    /// Sessions in the week.
    public var sessions: Int
    /// Impressions in the week.
    public var impressions: Int
    /// Paid-ad impressions in the week.
    public var adImpressions: Int
    /// Organic impressions in the week.
    public var organicImpressions: Int
    /// Σ over the week's organic impressions of the engagement probability p ÷ organic
    /// impressions: the expected pooled organic engagement rate given the users and impressions
    /// (a realised rate differs from it by binomial noise only).
    public var expectedOrganicEngagementRate: Double?
    /// Mean over the users of trust at the end of the week.
    public var meanTrust: Double
    /// Mean over the week's sessions of the expected session length `L_u · g(d) · T^κ_L`.
    public var expectedSessionLength: Double?
    /// Mean over the users of the weekly session rate `a_u · T^κ_R` (T at the week's start).
    public var expectedSessionsPerUser: Double
    /// How much trust lowered organic engagement: Σ p ÷ Σ p/T^κ over organic impressions (1 without trust dynamics).
    public var engagementTrustFactor: Double?
    /// How much trust shortened sessions: Σ L_u T^κ_L ÷ Σ L_u over sessions (1 without trust dynamics).
    public var sessionLengthTrustFactor: Double?
    /// How much trust lowered return: Σ a_u T^κ_R ÷ Σ a_u over users (1 without trust dynamics).
    public var returnTrustFactor: Double
  }

  /// One arm (or group) in one week.
  public struct Week: Sendable, Codable, Equatable {
    /// Week number: 1 is the first week after assignment (pre-period weeks are numbered 1… too,
    /// within ``PrePeriod/weeks``).
    public var week: Int
    /// The arm's name, `all` (observational post-period) or `pre` (pre-period).
    public var arm: String
    /// The arm's density (nil for observational data, whose sessions vary).
    public var density: Double?
    /// The users assigned to the arm, as the impressions log shows them: the exact conditional
    /// estimand of a per-arm, per-week pooled rate is ``Outcomes/expectedOrganicEngagementRate``.
    public var assigned: Outcomes
    /// Every user of the population under this arm (experiments only): each user is simulated
    /// under every arm from the same state and random stream at assignment (common random
    /// numbers); only the assigned arm is written to the log. Comparisons between arms here
    /// involve the same users, so they carry no noise from which users an arm drew.
    public var population: Outcomes?
    /// `f(d)/f(d_control) · engagementTrustFactor / engagementTrustFactor_control` (population):
    /// the arm's organic engagement relative to the control in this week. Equals the planted
    /// ratio without trust dynamics; the trust factors carry the learned part.
    public var organicEngagementRatio: Double?
    /// `g(d)/g(d_control) · sessionLengthTrustFactor / sessionLengthTrustFactor_control` (population).
    public var sessionLengthRatio: Double?
    /// `returnTrustFactor / returnTrustFactor_control` (population): sessions per user, relative to the control.
    public var returnRatio: Double?

    /// A row with the given values.
    public init(week: Int, arm: String, density: Double?, assigned: Outcomes, population: Outcomes? = nil,
                organicEngagementRatio: Double? = nil, sessionLengthRatio: Double? = nil, returnRatio: Double? = nil) {
      self.week = week
      self.arm = arm
      self.density = density
      self.assigned = assigned
      self.population = population
      self.organicEngagementRatio = organicEngagementRatio
      self.sessionLengthRatio = sessionLengthRatio
      self.returnRatio = returnRatio
    }
  }

  /// The effects in one post-period week, fitted over the arms' ratios of the week (see
  /// ``AdLoadTruth/percentPer10Points(densities:ratios:shape:)``).
  public struct WeekEffect: Sendable, Codable, Equatable {
    /// Week number (1 = first week after assignment).
    public var week: Int
    /// Percent change of organic engagement per +10 points, from the arms'
    /// ``Week/organicEngagementRatio`` in the shape of f. Without trust dynamics it equals the planted percent.
    public var organicEngagementPercentPer10Points: Double
    /// The same for session length, from ``Week/sessionLengthRatio`` in the shape of g.
    public var sessionLengthPercentPer10Points: Double
    /// The same for sessions per user, from ``Week/returnRatio`` (log-linear; 0 without trust dynamics).
    public var returnPercentPer10Points: Double
  }

  /// The pre-period (before assignment) and how it predicts the post-period (CUPED).
  public struct PrePeriod: Sendable, Codable, Equatable {
    /// Per pre-period week, one group `pre` with all users.
    public var weeks: [Week]
    /// Mean trust over all users at assignment.
    public var meanTrustAtAssignment: Double
    /// Users with at least one organic impression in both periods.
    public var usersInBoth: Int
    /// Pearson correlation, over ``usersInBoth``, of each user's realised organic engagement rate
    /// (engagements on organic impressions ÷ organic impressions) in the pre-period and in the
    /// post-period, as a study computes it from the two logs (nil with fewer than 3 users or no variance).
    public var perUserRateCorrelation: Double?
    /// The same correlation of the users' expected rates (Σ p ÷ organic impressions): the part
    /// carried by the users' propensities, without binomial noise.
    public var perUserExpectedRateCorrelation: Double?
  }

  /// The steady state: every user at the fixed point `T*_u(d)` of the expected trust recursion
  /// (see ``AdLoadSimulator``), at each density, for the whole population. Exact when trust is
  /// off; otherwise it neglects the small session-to-session spread of trust around `T*`.
  public struct LongRun: Sendable, Codable, Equatable {
    /// Mean over users of T*_u at density 0.
    public var trustAtZeroDensity: Double
    /// Mean over users of T*_u at density 0.10.
    public var trustAt10Points: Double
    /// Long-run percent change of the organic engagement rate per +10 points: fitted over the
    /// arms like ``WeekEffect`` (experiments), or from density 0 to 0.10 (observational data).
    /// The population rate at density d is Σ_u W_u p_u f(d) T*^κ / Σ_u W_u, weighted by the
    /// steady-state organic impressions per week W_u = a_u T*^κ_R · L_u g(d) T*^κ_L · (1 − d).
    /// Nil for an experiment whose arms all have one density.
    public var organicEngagementPercentPer10Points: Double?
    /// The same for mean session length (sessions weighted by the steady-state session rate),
    /// in the shape of the planted session length effect.
    public var sessionLengthPercentPer10Points: Double?
    /// The same for sessions per user per week (log-linear fit).
    public var returnPercentPer10Points: Double?
    /// ``organicEngagementPercentPer10Points`` ÷ the first week's effect: how much larger the
    /// long-run effect is (1 without trust dynamics; nil when the first week's effect is 0).
    public var learningRatio: Double?
  }

  /// Facts about the simulated population.
  public struct Population: Sendable, Codable, Equatable {
    /// Users simulated.
    public var users: Int
    /// Users with at least one post-period session (the users the impressions log knows).
    public var activeUsers: Int
    /// Mean of the propensities p_u.
    public var meanPropensity: Double
    /// Users whose propensity the cap `r̄_u / f_max` lowered.
    public var cappedPropensities: Int
    /// Leave decisions in the written impressions whose hazard exceeded 1 and was clamped (only
    /// possible with trust dynamics on; the expected session lengths assume none).
    public var clampedLeaveHazards: Int
    /// The organic engagement rate of the population at density 0 and full trust:
    /// Σ_u a_u L_u p_u / Σ_u a_u L_u (users weighted by their organic impressions).
    public var baselineOrganicEngagementRate: Double
    /// Mean session length at density 0 and full trust: Σ_u a_u L_u / Σ_u a_u.
    public var baselineSessionLength: Double
    /// Observational data: Pearson correlation over users of the activity a_u and the mean
    /// density m_u (positive when heavier users get more ads); nil for experiments.
    public var activityDensityCorrelation: Double?
  }

  /// The organic notes that count in perceived ad load besides the paid ads (disclosed
  /// partnerships and undisclosed promotion), for ``AdDensityStudy/run(_:prePeriod:perceived:)``.
  public var perceivedAdvertising: PerceivedAdvertising {
    PerceivedAdvertising(notes: Set(notes.undisclosedPromotion + notes.disclosedPartnership))
  }

  /// The truth as pretty-printed JSON with sorted keys (byte-for-byte stable).
  public func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(self) else { preconditionFailure("an ad-load truth always encodes (all numbers finite)") }
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// Writes ``json()`` to `path`, atomically.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when the file cannot be written.
  public func write(to path: String) throws(ZhongcaoError) {
    try AtomicFile.write(Array(json().utf8), to: path)
  }

  /// Reads a truth file written by ``write(to:)``.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when the file cannot be read;
  ///   ``ZhongcaoError/Code-swift.struct/invalidInput`` when it is not a truth file of this version.
  public static func load(contentsOf path: String) throws(ZhongcaoError) -> AdLoadTruth {
    let data: Data
    do { data = try FileContents.read(path) } catch {
      throw ZhongcaoError(.io, "cannot read ad-load truth file \(path): \(error.localizedDescription)", location: .init(file: path))
    }
    let truth: AdLoadTruth
    do { truth = try JSONDecoder().decode(AdLoadTruth.self, from: data) } catch {
      throw ZhongcaoError(.invalidInput, "\(path) is not an ad-load truth file: \(error)", location: .init(file: path))
    }
    guard truth.format == fileFormat, truth.version == fileVersion else {
      throw ZhongcaoError(.invalidInput, "\(path) has format '\(truth.format)' version \(truth.version); expected "
                          + "'\(fileFormat)' version \(fileVersion)", location: .init(file: path))
    }
    return truth
  }

  /// Percent change per +10 points of density implied by `ratios` (relative to any reference) at
  /// `densities`, fitted in `shape`: log-linear, the least-squares slope b of ln ratio on density
  /// gives 100·(exp(0.1·b) − 1); linear, ratio ≈ a + b·d gives 100·0.1·b/a. For ratios of a
  /// planted factor (exp(β·d) or 1 + β·d, divided by its value at any reference density) this
  /// returns the planted percent exactly. Nil with fewer than two distinct densities or a
  /// non-positive ratio (log-linear).
  public static func percentPer10Points(densities: [Double], ratios: [Double], shape: DoseResponseShape) -> Double? {
    precondition(densities.count == ratios.count, "one ratio per density")
    guard shape == .linear || ratios.allSatisfy({ $0 > 0 }) else { return nil }
    let y = shape == .linear ? ratios : ratios.map { log($0) }
    let n = Double(densities.count)
    let meanX = densities.reduce(0, +) / n, meanY = y.reduce(0, +) / n
    var sxx = 0.0, sxy = 0.0
    for (x, value) in zip(densities, y) {
      sxx += (x - meanX) * (x - meanX)
      sxy += (x - meanX) * (value - meanY)
    }
    guard sxx > 1e-18 else { return nil }
    let slope = sxy / sxx
    switch shape {
    case .logLinear:
      return 100 * expm1(0.1 * slope)
    case .linear:
      let intercept = meanY - slope * meanX
      return intercept == 0 ? nil : 100 * 0.1 * slope / intercept
    }
  }
}

/// Pearson correlation of two equally long series (nil with fewer than 3 pairs or no variance).
func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
  precondition(x.count == y.count, "series of equal length")
  guard x.count >= 3 else { return nil }
  let n = Double(x.count)
  let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
  var sxx = 0.0, syy = 0.0, sxy = 0.0
  for (a, b) in zip(x, y) {
    sxx += (a - meanX) * (a - meanX)
    syy += (b - meanY) * (b - meanY)
    sxy += (a - meanX) * (b - meanY)
  }
  guard sxx > 0, syy > 0 else { return nil }
  return sxy / (sxx * syy).squareRoot()
}
