import Foundation

/// The effect of one arm against control on a per-user metric.
public struct ArmEffect: Sendable, Hashable, Codable {
  /// Treatment mean − control mean.
  public var difference: Double
  /// 95% interval of the difference (Welch standard error).
  public var differenceLow: Double
  /// 95% interval of the difference.
  public var differenceHigh: Double
  /// The difference as a percent of the control mean.
  public var percent: Double
  /// 95% interval of ``percent`` (delta method).
  public var percentLow: Double
  /// 95% interval of ``percent``.
  public var percentHigh: Double
}

/// One arm of an experiment on one per-user metric.
public struct ArmSummary: Sendable, Hashable, Codable {
  /// The arm's name.
  public var arm: String
  /// Users with the metric defined.
  public var users: Int
  /// The arm's measured ad density (paid or perceived, as the study's): ad slots ÷ slots.
  public var density: Double
  /// The mean of the metric over the arm's users.
  public var mean: Double
  /// Its standard error.
  public var standardError: Double
  /// The CUPED-adjusted mean (when a pre-period was given).
  public var cupedMean: Double?
  /// The effect against control (nil for the control arm).
  public var effect: ArmEffect?
  /// The CUPED-adjusted effect against control.
  public var cupedEffect: ArmEffect?
}

/// A per-user metric of a randomized ad-load experiment: arms against control, CUPED, and the
/// dose-response line across arms.
public struct ExperimentMetric: Sendable, Hashable, Codable {
  /// The metric's name (`organicEngagementRate`, `sessionsPerUser`).
  public var metric: String
  /// The arms, control first.
  public var arms: [ArmSummary]
  /// The dose-response line across arms: percent change of the metric per +10 points of the
  /// arms' measured density, from a user-level least-squares fit (CUPED-adjusted when a
  /// pre-period was given) with heteroskedasticity-robust errors.
  public var slope: DensitySlope?
  /// CUPED: θ, the pre/post correlation of the metric over users, and the variance reduction
  /// of the metric (1 − var(adjusted) / var(raw)); nil without a pre-period.
  public var cuped: CUPEDSummary?
}

/// An arm's pooled organic engagement rate: its users' engagements with organic notes ÷ their
/// organic impressions, with a 95% interval from the user-clustered (linearised) variance.
public struct ArmRate: Sendable, Hashable, Codable {
  /// The arm's name.
  public var arm: String
  /// The arm's measured ad density.
  public var density: Double
  /// Σ engagements ÷ Σ organic impressions.
  public var rate: Double
  /// 95% interval of ``rate``.
  public var low: Double
  /// 95% interval of ``rate``.
  public var high: Double
}

/// What CUPED did.
public struct CUPEDSummary: Sendable, Hashable, Codable {
  /// The regression coefficient of the metric on its pre-period value.
  public var theta: Double
  /// The correlation of the metric with its pre-period value over users with both.
  public var correlation: Double
  /// 1 − var(adjusted) / var(raw) over all users: about correlation² when every user has a pre-period.
  public var varianceReduction: Double
  /// Users with a pre-period value (the others are left unadjusted).
  public var usersWithPrePeriod: Int
}

/// The effects in one week since assignment.
public struct WeeklyEffect: Sendable, Hashable, Codable {
  /// Week since the start of the experiment, from 1.
  public var week: Int
  /// The organic engagement rate metric computed on that week's impressions only.
  public var organicEngagementRate: ExperimentMetric
  /// The impression-weighted dose-response line across arms on that week's impressions
  /// (linear and log-linear; see ``ExperimentAnalysis/organicEngagementLine``). Its estimand is
  /// the effect among the users who still come that week: when ads drive users away, the
  /// effect on the whole assigned population differs.
  public var organicEngagementLine: [DensitySlope]
}

/// The analysis of a persistent multi-arm ad-load experiment.
public struct ExperimentAnalysis: Sendable, Hashable, Codable {
  /// The control arm's name (the arm with the lowest measured density unless named).
  public var control: String
  /// Users per arm, in arm order.
  public var users: [String: Int]
  /// Organic engagement rate per user: the user's engagements with organic notes ÷ organic impressions.
  public var organicEngagementRate: ExperimentMetric
  /// The dose-response line across arms, impression-weighted: each user is a cell (outcome =
  /// engagements with organic notes, exposure = organic impressions) at the measured density of
  /// the user's arm, fitted pooled (linear and log-linear) with errors clustered by user. As the
  /// arms are randomized and the density is the arm's rather than each session's realised share,
  /// it estimates the causal ratio rate(arm a) ÷ rate(arm b) without confounding or attenuation.
  public var organicEngagementLine: [DensitySlope]
  /// The line across arms of session length: each user a cell (outcome = slots, exposure =
  /// sessions) at the arm's density, pooled linear and log-linear, errors clustered by user.
  public var sessionLengthLine: [DensitySlope]
  /// Each arm's pooled organic engagement rate (what the line across arms is fitted to), control first.
  public var organicEngagementByArm: [ArmRate]
  /// Sessions per user over the experiment.
  public var sessionsPerUser: ExperimentMetric
  /// Effects by week since assignment (when the log has timestamps).
  public var weekly: [WeeklyEffect]
  /// The log-linear line across arms in the first week (short run).
  public var shortRun: DensitySlope?
  /// The same, inverse-variance pooled over the last quarter of the weeks (at least one; long run).
  public var longRun: DensitySlope?

  /// The line across arms of a shape.
  public func organicEngagementLine(_ shape: DoseResponseShape) -> DensitySlope? {
    organicEngagementLine.first { $0.shape == shape }
  }

  /// The session-length line across arms of a shape.
  public func sessionLengthLine(_ shape: DoseResponseShape) -> DensitySlope? {
    sessionLengthLine.first { $0.shape == shape }
  }
}

enum ExperimentAnalyzer {
  /// Per-user totals of a log's sessions.
  struct UserTotals {
    var organic = 0.0, engagements = 0.0, sessions = 0.0, slots = 0.0, adSlots = 0.0
    var arm: Int32 = -1
  }

  /// Analyses an experiment: `sessions` from ``ImpressionLog/sessionSummaries(perceived:window:)``.
  static func analyse(log: ImpressionLog, sessions: [SessionSummary], prePeriod: ImpressionLog?, perceived: Bool,
                      control: String?, start: Int64?) throws(ZhongcaoError) -> ExperimentAnalysis {
    guard log.armIndices != nil else { throw ZhongcaoError(.invalidInput, "the impressions have no arm column: no experiment to analyse") }
    let totals = try userTotals(log: log, sessions: sessions, perceived: perceived)
    let armCount = log.arms.count
    var armSlots = [Double](repeating: 0, count: armCount), armAds = [Double](repeating: 0, count: armCount)
    var armUsers = [Int](repeating: 0, count: armCount)
    for user in totals where user.arm >= 0 {
      armSlots[Int(user.arm)] += user.slots
      armAds[Int(user.arm)] += user.adSlots
      armUsers[Int(user.arm)] += 1
    }
    let density = (0..<armCount).map { armSlots[$0] > 0 ? armAds[$0] / armSlots[$0] : 0 }
    let controlIndex: Int
    if let control {
      guard let index = log.arms.index(of: control) else {
        throw ZhongcaoError(.invalidArgument, "no arm named '\(control)'; the arms are \(log.arms.ids.joined(separator: ", "))")
      }
      controlIndex = index
    } else {
      controlIndex = (0..<armCount).min { (density[$0], $0) < (density[$1], $1) }!
    }
    guard armCount >= 2 else { throw ZhongcaoError(.invalidInput, "an experiment needs at least two arms, found \(armCount)") }

    // Pre-period metric per user of the main log (by user id).
    var preRate: [Double?] = Array(repeating: nil, count: log.users.count)
    var preSessions: [Double?] = Array(repeating: nil, count: log.users.count)
    if let prePeriod {
      let preTotals = try userTotals(log: prePeriod, sessions: prePeriod.sessionSummaries(), perceived: false, needsArms: false)
      for (index, user) in prePeriod.users.ids.enumerated() {
        guard let main = log.users.index(of: user) else { continue }
        if preTotals[index].organic > 0 { preRate[main] = preTotals[index].engagements / preTotals[index].organic }
        preSessions[main] = preTotals[index].sessions
      }
    }
    let arms = totals.map { Int($0.arm) }
    let rate = totals.map { $0.organic > 0 ? $0.engagements / $0.organic : nil as Double? }
    let sessionCounts = totals.map { $0.sessions as Double? }
    let names = log.arms.ids
    let engagement = metric("organicEngagementRate", values: rate, pre: prePeriod == nil ? nil : preRate, arms: arms,
                            names: names, density: density, control: controlIndex)
    let activity = metric("sessionsPerUser", values: sessionCounts, pre: prePeriod == nil ? nil : preSessions, arms: arms,
                          names: names, density: density, control: controlIndex)

    var weekly: [WeeklyEffect] = []
    if log.timestamps != nil {
      let first = start ?? sessions.compactMap(\.start).min() ?? 0
      // Sessions before the start (a given start after the first impression) belong to no week.
      let week = sessions.map { session in
        let offset = (session.start ?? first) - first
        return offset >= 0 ? Int(offset / (7 * 86_400)) : -1
      }
      let weeks = (week.max() ?? -1) + 1
      if weeks >= 1 {
        // Sessions bucketed by week; one pair of per-user arrays reused across weeks.
        var byWeek = [[Int32]](repeating: [], count: weeks)
        for (index, w) in week.enumerated() where w >= 0 { byWeek[w].append(Int32(index)) }
        var organic = [Double](repeating: 0, count: log.users.count), engaged = organic
        for w in 0..<weeks {
          for index in byWeek[w] {
            let session = sessions[Int(index)]
            organic[Int(session.user)] += Double(session.organic)
            engaged[Int(session.user)] += session.organicEngagements
          }
          let values = (0..<log.users.count).map { organic[$0] > 0 ? engaged[$0] / organic[$0] : nil as Double? }
          weekly.append(WeeklyEffect(
            week: w + 1,
            organicEngagementRate: metric("organicEngagementRate", values: values, pre: prePeriod == nil ? nil : preRate,
                                          arms: arms, names: names, density: density, control: controlIndex),
            organicEngagementLine: armLine(organic: organic, engagements: engaged, arms: arms, density: density)))
          for index in byWeek[w] {
            organic[Int(sessions[Int(index)].user)] = 0
            engaged[Int(sessions[Int(index)].user)] = 0
          }
        }
      }
    }
    let lastQuarter = weekly.suffix(max(1, weekly.count / 4))
    return ExperimentAnalysis(
      control: names[controlIndex], users: Dictionary(uniqueKeysWithValues: zip(names, armUsers)),
      organicEngagementRate: engagement,
      organicEngagementLine: armLine(organic: totals.map(\.organic), engagements: totals.map(\.engagements), arms: arms,
                                     density: density),
      sessionLengthLine: armLine(organic: totals.map(\.sessions), engagements: totals.map(\.slots), arms: arms, density: density),
      organicEngagementByArm: armRates(totals, arms: arms, names: names, density: density, control: controlIndex),
      sessionsPerUser: activity, weekly: weekly,
      shortRun: weekly.first?.organicEngagementLine.first { $0.shape == .logLinear },
      longRun: pooledSlope(lastQuarter.compactMap { week in week.organicEngagementLine.first { $0.shape == .logLinear } }))
  }

  /// The impression-weighted line across arms: one cell per user with organic impressions, at
  /// the arm's measured density; both shapes, those the data identify.
  static func armLine(organic: [Double], engagements: [Double], arms: [Int], density: [Double]) -> [DensitySlope] {
    var cells: [DensityCell] = []
    for user in organic.indices where organic[user] > 0 && arms[user] >= 0 {
      cells.append(DensityCell(cluster: Int32(user), density: density[arms[user]], exposure: organic[user], outcome: engagements[user]))
    }
    return DoseResponseShape.allCases.compactMap { try? RateRegression.fit(cells, shape: $0, withinUser: false) }
  }

  /// Pooled rates per arm with user-clustered intervals (ratio estimator, linearised).
  static func armRates(_ totals: [UserTotals], arms: [Int], names: [String], density: [Double], control: Int) -> [ArmRate] {
    let order = [control] + names.indices.filter { $0 != control }.sorted { (density[$0], $0) < (density[$1], $1) }
    return order.compactMap { arm -> ArmRate? in
      var organic = 0.0, engaged = 0.0, users = 0
      for user in totals.indices where arms[user] == arm && totals[user].organic > 0 {
        organic += totals[user].organic
        engaged += totals[user].engagements
        users += 1
      }
      guard organic > 0 else { return nil }
      let rate = engaged / organic
      var sum = 0.0
      for user in totals.indices where arms[user] == arm && totals[user].organic > 0 {
        let residual = totals[user].engagements - rate * totals[user].organic
        sum += residual * residual
      }
      let error = (sum * Double(users) / Double(max(users - 1, 1))).squareRoot() / organic
      return ArmRate(arm: names[arm], density: density[arm], rate: rate, low: rate - RateRegression.z95 * error,
                     high: rate + RateRegression.z95 * error)
    }
  }

  /// Per-user totals; every user must stay in one arm when `needsArms`.
  static func userTotals(log: ImpressionLog, sessions: [SessionSummary], perceived: Bool, needsArms: Bool = true)
    throws(ZhongcaoError) -> [UserTotals]
  {
    var totals = [UserTotals](repeating: UserTotals(), count: log.users.count)
    for session in sessions {
      let user = Int(session.user)
      totals[user].organic += Double(session.organic)
      totals[user].engagements += session.organicEngagements
      totals[user].sessions += 1
      totals[user].slots += Double(session.slots)
      totals[user].adSlots += Double(perceived ? session.paid + session.perceivedOrganic : session.paid)
      if needsArms, let arm = session.arm {
        if totals[user].arm >= 0, totals[user].arm != arm {
          let previous = log.arms[Int(totals[user].arm)], current = log.arms[Int(arm)]
          throw ZhongcaoError(.invalidInput, "user '\(log.users[user])' appears in arms '\(previous)' and '\(current)'; a persistent experiment assigns each user to one arm")
        }
        totals[user].arm = arm
      }
    }
    return totals
  }

  /// The inverse-variance mean of several slopes (for the long-run summary over weeks).
  static func pooledSlope(_ slopes: [DensitySlope]) -> DensitySlope? {
    guard var result = slopes.last else { return nil }
    guard slopes.count > 1 else { return result }
    let weights = slopes.map { 1 / max($0.standardError * $0.standardError, 1e-300) }
    let total = weights.reduce(0, +)
    let coefficient = zip(slopes, weights).reduce(0) { $0 + $1.0.coefficient * $1.1 } / total
    let baseline = zip(slopes, weights).reduce(0) { $0 + $1.0.baseline * $1.1 } / total
    let error = (1 / total).squareRoot()
    result.coefficient = coefficient
    result.baseline = baseline
    result.standardError = error
    func percent(_ value: Double) -> Double {
      result.shape == .logLinear ? 100 * (Foundation.exp(0.1 * value) - 1) : 100 * 0.1 * value / baseline
    }
    result.percentPer10Points = percent(coefficient)
    result.low = percent(coefficient - RateRegression.z95 * error)
    result.high = percent(coefficient + RateRegression.z95 * error)
    return result
  }

  /// Arms against control on one metric (users with a nil value are left out), with CUPED when
  /// `pre` is given and the line across arms.
  static func metric(_ name: String, values: [Double?], pre: [Double?]?, arms: [Int], names: [String],
                     density: [Double], control: Int) -> ExperimentMetric {
    var users: [(value: Double, arm: Int, pre: Double?)] = []
    for index in values.indices {
      guard let value = values[index], arms[index] >= 0 else { continue }
      users.append((value, arms[index], pre?[index] ?? nil))
    }
    // CUPED: θ = cov(Y, X) / var(X) over users with a pre-period value; the others keep Y.
    var adjusted = users.map(\.value)
    var cuped: CUPEDSummary? = nil
    if pre != nil {
      let both = users.filter { $0.pre != nil }
      if both.count >= 3 {
        let meanX = both.reduce(0) { $0 + $1.pre! } / Double(both.count)
        let meanY = both.reduce(0) { $0 + $1.value } / Double(both.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for user in both {
          sxy += (user.pre! - meanX) * (user.value - meanY)
          sxx += (user.pre! - meanX) * (user.pre! - meanX)
          syy += (user.value - meanY) * (user.value - meanY)
        }
        if sxx > 0, syy > 0 {
          let theta = sxy / sxx
          adjusted = users.map { user in user.pre.map { user.value - theta * ($0 - meanX) } ?? user.value }
          let rawVariance = variance(users.map(\.value)), adjustedVariance = variance(adjusted)
          cuped = CUPEDSummary(theta: theta, correlation: sxy / (sxx * syy).squareRoot(),
                               varianceReduction: rawVariance > 0 ? 1 - adjustedVariance / rawVariance : 0,
                               usersWithPrePeriod: both.count)
        }
      }
    }
    func moments(_ values: [Double], arm: Int) -> (mean: Double, error: Double, count: Int) {
      let selected = zip(values, users).filter { $0.1.arm == arm }.map(\.0)
      guard !selected.isEmpty else { return (.nan, .nan, 0) }
      let mean = selected.reduce(0, +) / Double(selected.count)
      return (mean, (variance(selected) / Double(selected.count)).squareRoot(), selected.count)
    }
    func effect(_ treatment: (mean: Double, error: Double, count: Int), _ base: (mean: Double, error: Double, count: Int)) -> ArmEffect? {
      guard treatment.count >= 2, base.count >= 2, base.mean != 0 else { return nil }
      let difference = treatment.mean - base.mean
      let error = (treatment.error * treatment.error + base.error * base.error).squareRoot()
      let percent = 100 * difference / base.mean
      // Delta method for 100·(t/c − 1).
      let percentError = 100 * ((treatment.error / base.mean) * (treatment.error / base.mean)
        + (treatment.mean * base.error / (base.mean * base.mean)) * (treatment.mean * base.error / (base.mean * base.mean))).squareRoot()
      let z = RateRegression.z95
      return ArmEffect(difference: difference, differenceLow: difference - z * error, differenceHigh: difference + z * error,
                       percent: percent, percentLow: percent - z * percentError, percentHigh: percent + z * percentError)
    }
    let order = [control] + names.indices.filter { $0 != control }.sorted { (density[$0], $0) < (density[$1], $1) }
    let raw = users.map(\.value)
    let controlRaw = moments(raw, arm: control), controlAdjusted = moments(adjusted, arm: control)
    let summaries = order.map { arm -> ArmSummary in
      let plain = moments(raw, arm: arm), adjustedMoments = moments(adjusted, arm: arm)
      return ArmSummary(arm: names[arm], users: plain.count, density: density[arm], mean: plain.mean,
                        standardError: plain.error, cupedMean: cuped == nil ? nil : adjustedMoments.mean,
                        effect: arm == control ? nil : effect(plain, controlRaw),
                        cupedEffect: arm == control || cuped == nil ? nil : effect(adjustedMoments, controlAdjusted))
    }
    // The line across arms: user-level least squares of the (adjusted) metric on arm density.
    let cells = zip(users, adjusted).enumerated().map { index, pair in
      DensityCell(cluster: Int32(index), density: density[pair.0.arm], exposure: 1, outcome: pair.1)
    }
    let slope = try? RateRegression.fit(cells, shape: .linear, withinUser: false)
    return ExperimentMetric(metric: name, arms: summaries, slope: slope, cuped: cuped)
  }

  /// The sample variance (n − 1), 0 for fewer than two values.
  static func variance(_ values: [Double]) -> Double {
    guard values.count >= 2 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
  }
}
