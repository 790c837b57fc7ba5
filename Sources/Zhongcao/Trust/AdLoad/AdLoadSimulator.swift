import Foundation

/// Simulates note-feed impressions under a planted ad-density effect, with users whose trust
/// falls with perceived ad load and recovers slowly, and writes down everything it planted
/// (``AdLoadTruth``) so that ad-density studies can be checked against a known answer.
///
/// ## The world
///
/// - `organicNotes` organic notes; note `i` is in category `i mod categories`. Each note is,
///   independently, *undisclosed promotion* with probability ``Configuration/undisclosedPromotionShare``,
///   else a *disclosed partnership* with probability ``Configuration/disclosedPartnershipShare``,
///   else plain. Both kinds are organic slots (`sponsored` = false) that count in the *perceived*
///   ad load; their ids are listed in ``AdLoadTruth/Notes``.
/// - `adNotes` paid ads, ids `ad-0000`, `ad-0001`, … (never equal to an organic id `n00000`, …).
///
/// ## Users (each from its own random stream)
///
/// With `z, ζ, ξ, t_c ~ N(0, 1)` independent:
///
///     activity     a_u = S̄ · exp(σ_a z − σ_a²/2)                  mean sessions per week at full trust
///     relevance    rel_uc = exp(τ · (t_c − max_c t_c)) ∈ (0, 1]    1 for the favourite category
///     feed mix     P_u(c) = rel_uc / Σ_c rel_uc                     the feed shows category c this often
///     mean rel.    r̄_u = Σ_c P_u(c) · rel_uc
///     propensity   p_u = min(p̄ · exp(σ_p (ρ z + √(1−ρ²) ζ) − σ_p²/2),  r̄_u / f_max)
///     length       L_u = max(L̄ · exp(σ_L ξ − σ_L²/2),  (1 + λ) / g_min)
///
/// S̄ = ``Configuration/meanSessionsPerWeek``, σ_a = ``Configuration/activitySigma``,
/// τ = ``Configuration/tasteStrength``, p̄ = ``Configuration/baseOrganicEngagementRate``,
/// σ_p = ``Configuration/propensitySigma``, ρ = ``Configuration/propensityActivityCorrelation``
/// (heavier users engage more when ρ > 0), L̄ = ``Configuration/meanFeedLength``,
/// σ_L = ``Configuration/feedLengthSigma``, λ = ``Configuration/leaveRelevanceSensitivity``.
/// The two caps keep every probability ≤ 1 without ever clamping one (f_max and g_min are the
/// largest engagement factor and the smallest length factor over the densities the design can
/// reach); ``AdLoadTruth/Population/cappedPropensities`` counts the users the first cap touched.
///
/// Trust `T_u` starts at 1.
///
/// ## Designs
///
/// - ``Design/experiment(arms:)``: every user is assigned one arm for good (balanced: a seeded
///   permutation of the users deals them to the arms in turn); every session of the user has the
///   arm's density. The first arm is the control.
/// - ``Design/observational(meanDensity:confounding:withinUserSpread:)``: user `u`'s mean density is
///   `m_u = min(d̄ · exp(c z − c²/2), 0.9)` with the same `z` as the activity, so for `c > 0`
///   heavier users get more ads; each session's density is, independently,
///   `d = clamp(m_u + w · (2U − 1), 0, 0.9)`, `U ~ U(0, 1)`. With ρ > 0 heavier users also engage
///   more, so a pooled regression across users is confounded; comparisons within a user are not.
///
/// ## A week
///
/// User `u` starts `K ~ Poisson(a_u · T^κ_R)` sessions in a week (T at the week's start),
/// at times uniform over the week, in time order. After the post-period's `weeks` (and the
/// optional pre-period before them) the simulation ends.
///
/// ## A session of density d
///
/// - **Ad slots.** With a phase `φ ~ U(0, 1)` per session, slot `k = 1, 2, …` is a paid ad iff
///   `⌊k·d + φ⌋ > ⌊(k−1)·d + φ⌋`: every slot is an ad with probability exactly `d`, and the first
///   `n` slots hold `⌊n·d + φ⌋` ads, within one of `n·d` (so a session's realised ad share
///   `x = ads / n` satisfies `E[x | n] = d` and `|x − d| < 1/n`). The ad is uniform over the ads.
/// - **Organic slots.** A category `c ~ P_u`, then a note uniform within it.
/// - **Engagement** (0/1), with `f` the planted ``Configuration/organicEngagementEffect``:
///
///       organic:  p = p_u · (rel_uc / r̄_u) · f(d) · T^κ
///       ad:       p = adEngagementRate · T^κ
///
/// - **Leaving.** After slot `k` the user leaves with probability
///   `H_k = min(1, q_k / (L_u · g(d) · T^κ_L))`, with `g` the planted
///   ``Configuration/sessionLengthEffect``, `q_k = 1` after an ad and
///   `q_k = (1 + λ(1 − rel_uc)) / (1 + λ(1 − r̄_u))` after an organic note (users leave after
///   irrelevant notes; `q` has mean 1 for either kind of slot, and the `min` never bites while
///   T = 1). Sessions are at least one impression long and have no other cap.
/// - **Dwell** (seconds, rounded to 0.1): organic 0.5 + Exp(mean 2.5), or 4 + Exp(mean 25) when
///   engaged; ads 1 + Exp(mean 1.5), or 3 + Exp(mean 10) when engaged. Each impression's
///   timestamp is the session start plus the dwell of the earlier impressions plus one second
///   of scrolling per earlier impression.
/// - **Trust**, after the session, with `P` the session's perceived load (paid + disclosed +
///   undisclosed slots, as a share of its `n` slots) and `U` its undisclosed share:
///
///       T ← T + r·(1 − T) − s·P·T − s_U·U·T          (r, s, s_U: ``TrustDynamics``)
///
///   which stays in [r, 1] because r + s + s_U ≤ 1.
///
/// ## What a study can recover (exact estimands)
///
/// With trust dynamics off (``TrustDynamics/off``: T ≡ 1), for every user and density:
///
/// 1. **Organic engagement.** The slot kinds and notes are independent of whether the user is
///    still there (leaving after slot k depends on slots 1…k only), so by Wald's identity
///    `E[organic engagements] = E[organic impressions] · p_u · f(d)`, and the expected number of
///    organic impressions per session is `(1 − d) · g(d) · L_u` — a factor of d times a factor
///    of u. Hence the *pooled* organic engagement rate (engagements on organic impressions ÷
///    organic impressions) of an arm of density d has expectation `f(d) · C`, with C the same for
///    every arm: the ratio of two arms' pooled rates estimates `f(d_a) / f(d_b)` exactly
///    (in expectation over users and assignment). Within one user, expected engagements over
///    expected organic impressions of the sessions of density d is `p_u · f(d)`, so within-user
///    comparisons of impression-weighted rates in the observational design estimate
///    `f(d)/f(d′)` too. Per-session *unweighted* averages of session rates are exact only with
///    λ = 0 (then session length is independent of what was shown); with λ > 0, sessions that
///    end early end more often on an irrelevant note, which moves them slightly.
/// 2. **Session length.** The leave hazard has mean `1 / (L_u g(d))` for every slot whatever
///    came before, so the number of impressions of a session is geometric with mean
///    `L_u · g(d)`, independent of the ad pattern: the ratio of two arms' mean session lengths
///    (impressions per session, pooled over sessions) estimates `g(d_a)/g(d_b)` exactly.
/// 3. **Return.** Sessions per week are Poisson(a_u): no density effect without trust.
///
/// Regress on the planned density (the arm's, or ``AdLoadSimulation/sessionDensities``) for these
/// estimands. A session's realised ad share `x` is unbiased for d but noisy when the session is
/// short (a one-impression session has x = 0 or 1), so a per-session regression on `x` is
/// attenuated, and one of session length on `x` is biased besides (extreme shares come from short
/// sessions).
///
/// In the observational design a session's density is drawn independently of the trust the
/// user brings to it, so with trust dynamics on the within-user comparison still estimates
/// `f(d)/f(d′)` — the short-run effect only; the learned, long-run part needs persistent arms.
///
/// With trust dynamics on, arms diverge week after week. ``AdLoadTruth/weeks`` gives, per arm
/// and week, (a) for the users assigned to the arm, the expected pooled organic rate given the
/// simulated users and impressions (Σ p ÷ organic impressions: the exact conditional estimand of
/// the per-week rate a study computes from the log), mean trust, expected session length and
/// return; (b) the same for the whole population simulated under every arm (each user is also run,
/// unrecorded, under the arms they were not assigned to, from their state and random stream at
/// assignment), and from it the composition-free ratios to the control, e.g.
/// `f(d_a)/f(d_c) · (engagement trust factor_a / factor_c)`, fitted into
/// ``AdLoadTruth/weeklyEffects``. ``AdLoadTruth/LongRun`` gives the steady state,
/// `T*_u(d) = r / (r + s·(d + (1 − d)·π_u) + s_U·(1 − d)·π_U,u)` with π_u the share of the
/// user's organic impressions that are promotion (disclosed or not) and π_U,u the undisclosed
/// share — the fixed point of the expected trust recursion — and the population's rates there.
///
/// ## Output
///
/// Users `u000000`, …; sessions `s1`, `s2`, … per user (numbered through the pre-period and the
/// post-period); positions 1…n; timestamps in seconds from ``start`` (the assignment; the
/// pre-period lies in the weeks before it); an arm column in the experiment design. Ids are
/// numbered in order of first appearance, so writing a log and loading it gives an equal log.
///
/// Output is a pure function of the configuration: the same seed gives identical logs and truth
/// on every run and with any number of threads (each user draws from its own random stream;
/// users are simulated in parallel in fixed chunks). A million impressions of the default
/// four-arm experiment take about 0.25 s in a release build on two cores, counterfactual arms
/// included (`zhongcao-bench ad-load`).
///
///     var configuration = AdLoadSimulator.Configuration()
///     configuration.design = .experiment(arms: [.init(name: "control", density: 0.1),
///                                               .init(name: "heavy", density: 0.2)])
///     configuration.trust = .off
///     let simulation = try AdLoadSimulator(configuration: configuration).run()
///     try simulation.impressions.write(to: "impressions.tsv")
///     try simulation.truth.write(to: "truth.json")
public struct AdLoadSimulator: Sendable {
  /// How a density changes a rate: `.linear` makes the factor `1 + β·d`, `.logLinear` makes it
  /// `exp(β·d)`, with β chosen so that the factor at density 0.10 is `1 + percentPer10Points/100`
  /// times the factor at density 0 — the same percent-per-10-points that ``DensitySlope`` reports
  /// for a fit of that shape.
  public struct DensityEffect: Sendable, Codable, Equatable {
    /// The functional form: `1 + β·d` (the same absolute change per point of density) or
    /// `exp(β·d)` (the same relative change per point).
    public var shape: DoseResponseShape
    /// Percent change of the rate from density 0 to density 0.10 (e.g. −2).
    public var percentPer10Points: Double

    /// An effect of `percentPer10Points` percent per +10 points of density, of the given shape.
    public init(_ shape: DoseResponseShape, percentPer10Points: Double) {
      self.shape = shape
      self.percentPer10Points = percentPer10Points
    }

    /// `1 + β·d` with `1 + 0.1·β = 1 + percentPer10Points/100`.
    public static func linear(percentPer10Points: Double) -> DensityEffect {
      DensityEffect(.linear, percentPer10Points: percentPer10Points)
    }

    /// `exp(β·d)` with `exp(0.1·β) = 1 + percentPer10Points/100`.
    public static func logLinear(percentPer10Points: Double) -> DensityEffect {
      DensityEffect(.logLinear, percentPer10Points: percentPer10Points)
    }

    /// No effect: the factor is 1 at every density.
    public static let none = DensityEffect(.logLinear, percentPer10Points: 0)

    /// β: `percentPer10Points / 10` for `.linear`, `10 · ln(1 + percentPer10Points/100)` for `.logLinear`.
    public var slope: Double {
      switch shape {
      case .linear: percentPer10Points / 10
      case .logLinear: 10 * log1p(percentPer10Points / 100)
      }
    }

    /// The factor at `density`: `1 + β·d` or `exp(β·d)` (1 at density 0).
    public func factor(atDensity density: Double) -> Double {
      switch shape {
      case .linear: 1 + slope * density
      case .logLinear: exp(slope * density)
      }
    }
  }

  /// Trust: how it falls with perceived ad load and undisclosed promotion, how fast it recovers,
  /// and how strongly it scales engagement, session length and return (see ``AdLoadSimulator``).
  public struct TrustDynamics: Sendable, Codable, Equatable {
    /// r: the share of the gap to full trust recovered after every session.
    public var recoveryRate: Double = 0.03
    /// s: the relative loss of trust per session per unit of perceived load (the session's share
    /// of paid, disclosed-partnership and undisclosed-promotion slots).
    public var loadSensitivity: Double = 0.015
    /// s_U: the extra relative loss per unit of the session's undisclosed-promotion share.
    public var undisclosedSensitivity: Double = 0.05
    /// κ: engagement probabilities are multiplied by `T^κ`.
    public var engagementExponent: Double = 1
    /// κ_L: expected session length is multiplied by `T^κ_L`.
    public var sessionLengthExponent: Double = 0.5
    /// κ_R: the weekly session rate is multiplied by `T^κ_R`.
    public var returnExponent: Double = 1

    /// The defaults: r = 0.03, s = 0.015, s_U = 0.05, κ = 1, κ_L = 0.5, κ_R = 1. With the default
    /// configuration (13% promotion among organic notes, about 3 sessions a week) steady-state
    /// trust at 10% paid density is about 0.82, trust needs some 10 weeks to settle, and the
    /// long-run organic engagement effect of +10 points (≈ −3.4%) is about 2.7 times the first
    /// week's (≈ −1.3%) and 1.7 times the fourth week's (Pandora found the long-run effect of ad
    /// load about 3 times a one-month experiment's).
    public init() {}

    /// Dynamics with every value given.
    public init(recoveryRate: Double, loadSensitivity: Double, undisclosedSensitivity: Double,
                engagementExponent: Double = 1, sessionLengthExponent: Double = 0.5, returnExponent: Double = 1) {
      self.recoveryRate = recoveryRate
      self.loadSensitivity = loadSensitivity
      self.undisclosedSensitivity = undisclosedSensitivity
      self.engagementExponent = engagementExponent
      self.sessionLengthExponent = sessionLengthExponent
      self.returnExponent = returnExponent
    }

    /// No trust dynamics: nothing lowers trust, so it stays exactly 1.
    public static let off = TrustDynamics(recoveryRate: 0.03, loadSensitivity: 0, undisclosedSensitivity: 0)

    /// Whether anything can lower trust (s > 0 or s_U > 0).
    public var isEnabled: Bool { loadSensitivity > 0 || undisclosedSensitivity > 0 }

    /// The steady state `r / (r + s·load + s_U·undisclosed)` of the expected recursion for a
    /// constant expected perceived load and undisclosed share per session (1 when disabled).
    public func steadyState(perceivedLoad load: Double, undisclosedShare undisclosed: Double) -> Double {
      guard isEnabled else { return 1 }
      return recoveryRate / (recoveryRate + loadSensitivity * load + undisclosedSensitivity * undisclosed)
    }
  }

  /// An experiment arm: a name (the `arm` column) and the share of each session's slots that are paid ads.
  public struct Arm: Sendable, Codable, Equatable {
    /// The arm's name, as written in the impressions' arm column.
    public var name: String
    /// Paid-ad density in [0, 1): the probability that a slot is a paid ad.
    public var density: Double

    /// An arm named `name` serving paid ads at `density`.
    public init(name: String, density: Double) {
      self.name = name
      self.density = density
    }
  }

  /// How sessions get their density.
  public enum Design: Sendable, Codable, Equatable {
    /// Persistent user-level random assignment to `arms` (balanced); the first arm is the control.
    case experiment(arms: [Arm])
    /// No experiment: user means `min(meanDensity · exp(c z − c²/2), 0.9)` follow the activity's
    /// latent z (`confounding` c > 0: heavier users get more ads; c < 0: fewer; 0: unrelated) and
    /// sessions vary uniformly by ±`withinUserSpread` around the user's mean, clamped to [0, 0.9].
    case observational(meanDensity: Double, confounding: Double, withinUserSpread: Double = 0.1)
  }

  /// What to simulate. Every field has a default; ``validate()`` names the first bad value.
  public struct Configuration: Sendable, Codable, Equatable {
    /// Number of users (ids `u000000`, …).
    public var users: Int = 5_000
    /// Weeks after assignment (the post-period).
    public var weeks: Int = 8
    /// Weeks of impressions before assignment, at the control density (experiment) or the users'
    /// usual densities (observational), written to ``AdLoadSimulation/prePeriod``; 0 for none.
    public var prePeriodWeeks: Int = 0
    /// S̄: mean over users of the weekly session rate at full trust.
    public var meanSessionsPerWeek: Double = 3
    /// σ_a of the log-normal user activity.
    public var activitySigma: Double = 0.8
    /// L̄: mean over users of the expected session length (impressions) at density 0 and full trust.
    public var meanFeedLength: Double = 20
    /// σ_L of the log-normal per-user session length scale.
    public var feedLengthSigma: Double = 0.4
    /// Number of organic notes (ids `n00000`, …).
    public var organicNotes: Int = 5_000
    /// Number of note categories (note i is in category i mod categories).
    public var categories: Int = 12
    /// Number of paid ads (ids `ad-0000`, …).
    public var adNotes: Int = 200
    /// Probability that an organic note is undisclosed promotion.
    public var undisclosedPromotionShare: Double = 0.08
    /// Probability that an organic note is a disclosed partnership (品牌合作).
    public var disclosedPartnershipShare: Double = 0.05
    /// p̄: mean over users of the organic engagement probability at density 0 and full trust
    /// (before the cap that keeps probabilities ≤ 1).
    public var baseOrganicEngagementRate: Double = 0.08
    /// σ_p of the log-normal engagement propensity.
    public var propensitySigma: Double = 0.5
    /// ρ: correlation of log propensity with log activity (heavier users engage more when > 0).
    public var propensityActivityCorrelation: Double = 0.5
    /// τ: how sharply relevance falls away from a user's favourite category (0: all relevant).
    public var tasteStrength: Double = 1.5
    /// λ: how much likelier users leave after an irrelevant note (0: the leave hazard ignores relevance).
    public var leaveRelevanceSensitivity: Double = 0.5
    /// Engagement probability of an ad at full trust.
    public var adEngagementRate: Double = 0.02
    /// f: the planted effect of density on the organic engagement probability.
    public var organicEngagementEffect: DensityEffect = .logLinear(percentPer10Points: -1)
    /// g: the planted effect of density on expected session length.
    public var sessionLengthEffect: DensityEffect = .logLinear(percentPer10Points: -3)
    /// Trust dynamics (``TrustDynamics/off`` for none).
    public var trust = TrustDynamics()
    /// The design: a persistent experiment or observational data.
    public var design: Design = .experiment(arms: [
      Arm(name: "control", density: 0.10), Arm(name: "d05", density: 0.05),
      Arm(name: "d15", density: 0.15), Arm(name: "d20", density: 0.20),
    ])
    /// Experiments: whether every user is also simulated, unrecorded, under every arm they were
    /// not assigned to (from the same state and random stream at assignment), for the population
    /// truth (``AdLoadTruth/Week/population``, the per-week ratios and ``AdLoadTruth/weeklyEffects``).
    /// It costs one more simulation per arm; the log is the same either way.
    public var simulatesCounterfactualArms = true
    /// The seed: equal seeds give identical output.
    public var seed: UInt64 = 42

    /// The defaults: 5,000 users over 8 weeks (about 2·10⁶ impressions), a four-arm experiment at
    /// 5–20% paid density with the control at 10%, −1% organic engagement and −3% session
    /// length per +10 points (log-linear) before trust, trust dynamics on.
    public init() {}

    /// The densities every session can have: the arms' densities, or [0, 0.9] for observational data.
    var densityRange: ClosedRange<Double> {
      switch design {
      case .experiment(let arms):
        let densities = arms.map(\.density)
        return (densities.min() ?? 0)...(densities.max() ?? 0)
      case .observational:
        return 0...AdLoadSimulator.maximumObservationalDensity
      }
    }

    /// The largest organic engagement factor over the reachable densities (f is monotone).
    var maximumEngagementFactor: Double {
      max(organicEngagementEffect.factor(atDensity: densityRange.lowerBound),
          organicEngagementEffect.factor(atDensity: densityRange.upperBound))
    }

    /// The smallest session length factor over the reachable densities (g is monotone).
    var minimumLengthFactor: Double {
      min(sessionLengthEffect.factor(atDensity: densityRange.lowerBound),
          sessionLengthEffect.factor(atDensity: densityRange.upperBound))
    }

    /// Checks every value, naming the first bad one.
    public func validate() throws(ZhongcaoError) {
      func fail(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidArgument, "ad-load simulation: " + message) }
      func check(_ value: Double, _ name: String, _ range: ClosedRange<Double>) throws(ZhongcaoError) {
        guard value.isFinite, range.contains(value) else {
          throw fail("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
      }
      func check(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws(ZhongcaoError) {
        guard range.contains(value) else { throw fail("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)") }
      }
      try check(users, "users", 1...Int(Int32.max))
      try check(weeks, "weeks", 1...520)
      try check(prePeriodWeeks, "pre-period weeks", 0...520)
      try check(meanSessionsPerWeek, "mean sessions per week", 0.001...1_000)
      try check(activitySigma, "activity sigma", 0...3)
      try check(meanFeedLength, "mean feed length", 1...10_000)
      try check(feedLengthSigma, "feed length sigma", 0...3)
      try check(organicNotes, "organic notes", 1...Int(Int32.max) / 2)
      try check(categories, "categories", 1...min(1_024, organicNotes))
      try check(adNotes, "ad notes", 1...Int(Int32.max) / 2)
      try check(undisclosedPromotionShare, "undisclosed promotion share", 0...1)
      try check(disclosedPartnershipShare, "disclosed partnership share", 0...1)
      guard undisclosedPromotionShare + disclosedPartnershipShare <= 1 else {
        throw fail("undisclosed promotion share + disclosed partnership share must be at most 1, got "
                   + "\(undisclosedPromotionShare) + \(disclosedPartnershipShare)")
      }
      guard baseOrganicEngagementRate.isFinite, baseOrganicEngagementRate > 0, baseOrganicEngagementRate <= 1 else {
        throw fail("base organic engagement rate must be in (0, 1], got \(baseOrganicEngagementRate)")
      }
      try check(propensitySigma, "propensity sigma", 0...3)
      try check(propensityActivityCorrelation, "propensity–activity correlation", -1...1)
      try check(tasteStrength, "taste strength", 0...20)
      try check(leaveRelevanceSensitivity, "leave relevance sensitivity", 0...100)
      try check(adEngagementRate, "ad engagement rate", 0...1)
      try check(trust.recoveryRate, "trust recovery rate", 0...1)
      try check(trust.loadSensitivity, "trust load sensitivity", 0...1)
      try check(trust.undisclosedSensitivity, "trust undisclosed sensitivity", 0...1)
      guard trust.recoveryRate + trust.loadSensitivity + trust.undisclosedSensitivity <= 1 else {
        throw fail("trust recovery rate + load sensitivity + undisclosed sensitivity must be at most 1 (or trust "
                   + "could fall below 0 after one session), got \(trust.recoveryRate) + \(trust.loadSensitivity) + "
                   + "\(trust.undisclosedSensitivity)")
      }
      guard !trust.isEnabled || trust.recoveryRate > 0 else {
        throw fail("trust recovery rate must be positive when trust can fall (load or undisclosed sensitivity > 0), "
                   + "or trust would never recover")
      }
      try check(trust.engagementExponent, "trust engagement exponent", 0...10)
      try check(trust.sessionLengthExponent, "trust session length exponent", 0...10)
      try check(trust.returnExponent, "trust return exponent", 0...10)

      switch design {
      case .experiment(let arms):
        guard arms.count >= 2 else {
          throw fail("an experiment needs at least 2 arms (the first is the control), got \(arms.count)")
        }
        guard arms.count <= 1_000 else { throw fail("an experiment can have at most 1000 arms, got \(arms.count)") }
        var names = Set<String>()
        for arm in arms {
          guard !arm.name.isEmpty, arm.name.allSatisfy({ !$0.isWhitespace && $0 != "\"" }) else {
            throw fail("arm names must be non-empty, without blanks or quotes, got '\(arm.name)'")
          }
          guard names.insert(arm.name).inserted else { throw fail("arm name '\(arm.name)' appears twice") }
          guard arm.density.isFinite, arm.density >= 0, arm.density < 1 else {
            throw fail("arm '\(arm.name)': density must be in [0, 1) (the share of slots that are paid ads), got \(arm.density)")
          }
        }
      case .observational(let meanDensity, let confounding, let spread):
        try check(meanDensity, "observational mean density", 0...AdLoadSimulator.maximumObservationalDensity)
        try check(confounding, "observational confounding", -3...3)
        try check(spread, "observational within-user spread", 0...0.5)
      }

      for (effect, name) in [(organicEngagementEffect, "organic engagement effect"), (sessionLengthEffect, "session length effect")] {
        guard effect.percentPer10Points.isFinite, effect.percentPer10Points > -100, effect.percentPer10Points <= 100 else {
          throw fail("\(name) must be in (-100, 100] percent per 10 points, got \(effect.percentPer10Points)")
        }
        for density in [densityRange.lowerBound, densityRange.upperBound] where effect.factor(atDensity: density) <= 0 {
          throw fail("\(name): a \(effect.shape.rawValue) change of \(effect.percentPer10Points)% per 10 points makes the "
                     + "factor non-positive at density \(density), which the design reaches; use a smaller effect or .logLinear")
        }
      }
      let expected = Double(users) * Double(weeks + prePeriodWeeks) * meanSessionsPerWeek * meanFeedLength
      guard expected <= 1e9 else {
        throw fail("about \(Int(expected)) impressions expected (users × weeks × sessions per week × feed length); "
                   + "at most 10⁹ are supported")
      }
    }
  }

  /// The highest session density of the observational design.
  public static let maximumObservationalDensity = 0.9
  /// The assignment time and start of the first post-period week: 2026-01-05T00:00:00Z (a Monday),
  /// in seconds since 1970. Pre-period week `k` of `K` starts `K − k + 1` weeks earlier.
  public static let start: Int64 = 1_767_571_200
  /// Seconds in a week.
  public static let secondsPerWeek: Int64 = 604_800

  /// What this simulator produces.
  public let configuration: Configuration

  /// A simulator for `configuration` (checked by ``run()``).
  public init(configuration: Configuration) {
    self.configuration = configuration
  }

  /// Validates the configuration and simulates: deterministic for a seed, on all cores.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` naming the first invalid
  ///   configuration value.
  public func run() throws(ZhongcaoError) -> AdLoadSimulation {
    try configuration.validate()
    let world = AdLoadWorld(configuration)
    let chunkSize = 256
    let chunkCount = (configuration.users + chunkSize - 1) / chunkSize
    let chunks = parallelMap(count: chunkCount, chunkSize: 1, workspace: {}) { _, chunk in
      world.simulate(users: (chunk * chunkSize)..<min(configuration.users, (chunk + 1) * chunkSize))
    }
    return world.assemble(chunks)
  }
}

/// A simulated impressions log with the truth behind it.
public struct AdLoadSimulation: Sendable {
  /// The post-period impressions (from ``AdLoadSimulator/start``), with an arm column in the
  /// experiment design. Impressions are grouped by user and in time order within a user.
  public var impressions: ImpressionLog
  /// The pre-period impressions (before assignment, no arm column), or nil without a pre-period.
  public var prePeriod: ImpressionLog?
  /// The planned density d of each session of ``impressions``, by session index
  /// (`impressions.sessionIDs`): the arm's density, or the session's draw in the observational design.
  public var sessionDensities: [Double]
  /// The planned density of each session of ``prePeriod``, by session index (empty without one).
  public var prePeriodSessionDensities: [Double]
  /// Everything planted, and the population truth computed from the simulated users.
  public var truth: AdLoadTruth
}
