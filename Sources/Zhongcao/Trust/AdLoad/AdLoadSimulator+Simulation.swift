import Foundation

// The machinery behind AdLoadSimulator.run(): the world (notes, assignment), the per-user
// simulation (one random stream per user, so the output does not depend on the thread count),
// and the assembly of the logs and the truth. The model is documented on AdLoadSimulator.

/// Sums over the users and sessions of one group (arm, all users, or the pre-period) in one week.
struct AdLoadTally: Sendable {
  var users = 0
  var activeUsers = 0
  var sessions = 0
  var impressions = 0
  var ads = 0
  var organic = 0
  /// Σ p over organic impressions.
  var expectedEngagements = 0.0
  /// Σ p / T^κ over organic impressions.
  var untrustedEngagements = 0.0
  /// Σ L_u g(d) T^κ_L over sessions.
  var expectedLength = 0.0
  /// Σ L_u T^κ_L and Σ L_u over sessions.
  var trustedLengthScale = 0.0
  var lengthScale = 0.0
  /// Σ a_u T^κ_R and Σ a_u over users.
  var expectedSessions = 0.0
  var activity = 0.0
  /// Σ T over users at the end of the week.
  var trustAtEnd = 0.0

  mutating func add(_ other: AdLoadTally) {
    users += other.users
    activeUsers += other.activeUsers
    sessions += other.sessions
    impressions += other.impressions
    ads += other.ads
    organic += other.organic
    expectedEngagements += other.expectedEngagements
    untrustedEngagements += other.untrustedEngagements
    expectedLength += other.expectedLength
    trustedLengthScale += other.trustedLengthScale
    lengthScale += other.lengthScale
    expectedSessions += other.expectedSessions
    activity += other.activity
    trustAtEnd += other.trustAtEnd
  }

  /// The truth's summary of this tally.
  var outcomes: AdLoadTruth.Outcomes {
    AdLoadTruth.Outcomes(
      users: users, activeUsers: activeUsers, sessions: sessions, impressions: impressions, adImpressions: ads,
      organicImpressions: organic,
      expectedOrganicEngagementRate: organic > 0 ? expectedEngagements / Double(organic) : nil,
      meanTrust: users > 0 ? trustAtEnd / Double(users) : 1,
      expectedSessionLength: sessions > 0 ? expectedLength / Double(sessions) : nil,
      expectedSessionsPerUser: users > 0 ? expectedSessions / Double(users) : 0,
      engagementTrustFactor: untrustedEngagements > 0 ? expectedEngagements / untrustedEngagements : nil,
      sessionLengthTrustFactor: lengthScale > 0 ? trustedLengthScale / lengthScale : nil,
      returnTrustFactor: activity > 0 ? expectedSessions / activity : 1)
  }
}

/// Sums over users of their steady state at one density.
struct AdLoadSteadyTally: Sendable {
  /// Σ T*.
  var trust = 0.0
  /// Σ W_u: steady-state organic impressions per week.
  var organicWeight = 0.0
  /// Σ W_u p_u f(d) T*^κ.
  var engagement = 0.0
  /// Σ a_u T*^κ_R.
  var sessionRate = 0.0
  /// Σ a_u T*^κ_R · L_u g(d) T*^κ_L.
  var sessionLength = 0.0

  mutating func add(_ other: AdLoadSteadyTally) {
    trust += other.trust
    organicWeight += other.organicWeight
    engagement += other.engagement
    sessionRate += other.sessionRate
    sessionLength += other.sessionLength
  }
}

/// The impression and session columns of one period for a range of users; indices are global
/// (users, notes with ads after the organic notes, arms), sessions local to the columns.
struct AdLoadColumns: Sendable {
  var users: [Int32] = []
  var sessions: [Int32] = []
  var positions: [Int32] = []
  var notes: [Int32] = []
  var sponsored: [Bool] = []
  var engagements: [Float] = []
  var dwell: [Float] = []
  var timestamps: [Int64] = []
  var arms: [Int32] = []
  var sessionUsers: [Int32] = []
  var sessionNumbers: [Int32] = []
  var sessionDensities: [Double] = []

  /// Appends `other`, renumbering its sessions after these.
  mutating func append(contentsOf other: AdLoadColumns) {
    let offset = Int32(sessionUsers.count)
    users.append(contentsOf: other.users)
    sessions.append(contentsOf: other.sessions.lazy.map { $0 + offset })
    positions.append(contentsOf: other.positions)
    notes.append(contentsOf: other.notes)
    sponsored.append(contentsOf: other.sponsored)
    engagements.append(contentsOf: other.engagements)
    dwell.append(contentsOf: other.dwell)
    timestamps.append(contentsOf: other.timestamps)
    arms.append(contentsOf: other.arms)
    sessionUsers.append(contentsOf: other.sessionUsers)
    sessionNumbers.append(contentsOf: other.sessionNumbers)
    sessionDensities.append(contentsOf: other.sessionDensities)
  }
}

/// Per-user organic sums of one period, for the pre/post correlation.
struct AdLoadPeriodSums: Sendable {
  var organic = 0
  var engaged = 0
  var expected = 0.0
}

/// What a chunk of users produced.
struct AdLoadChunk: Sendable {
  var post = AdLoadColumns()
  var pre = AdLoadColumns()
  /// The assigned users, index `group * weeks + week`.
  var postTallies: [AdLoadTally]
  /// Every user under every arm (experiments), index `group * weeks + week`.
  var populationTallies: [AdLoadTally]
  /// Index `week`.
  var preTallies: [AdLoadTally]
  /// Index of the world's steady-state density.
  var steady: [AdLoadSteadyTally]
  /// Σ a_u L_u p_u, Σ a_u L_u, Σ a_u.
  var baselineEngagement = 0.0
  var baselineWeight = 0.0
  var baselineSessions = 0.0
  var propensities = 0.0
  var cappedPropensities = 0
  var clampedHazards = 0
  /// Per user with organic impressions in both periods: realised and expected rates.
  var preRates: [Double] = []
  var postRates: [Double] = []
  var preExpectedRates: [Double] = []
  var postExpectedRates: [Double] = []
  /// Observational data: per user, a_u and m_u.
  var activities: [Double] = []
  var meanDensities: [Double] = []
}

/// One session's counts.
struct AdLoadSessionOutcome {
  var impressions = 0
  var ads = 0
  var organic = 0
  var engagedOrganic = 0
  var expectedEngagements = 0.0
  var untrustedEngagements = 0.0
  var disclosed = 0
  var undisclosed = 0
}

/// Scratch space and counters of one worker.
struct AdLoadRunScratch {
  var starts: [Int64] = []
  var clampedHazards = 0
}

/// One user's fixed values and trust while they are simulated.
struct AdLoadUser {
  var index: Int
  var activity: Double
  var propensity: Double
  var lengthScale: Double
  /// r̄_u.
  var meanRelevance: Double
  /// m_u (observational) or the arm's density (experiment).
  var density: Double
  /// Arm index (experiment) or 0.
  var group: Int
  var trust = 1.0
  var sessionCount: Int32 = 0
  /// Cumulative feed probabilities of the categories.
  var cumulative: [Double]
  /// rel_uc / r̄_u: the engagement factor of each category.
  var engagementFactor: [Double]
  /// q of each category.
  var leaveFactor: [Double]
  /// π_U,u and π_D,u: the undisclosed and disclosed shares of the user's organic impressions.
  var undisclosedShare: Double
  var disclosedShare: Double
}

/// The notes, the assignment and the derived constants of one simulation.
struct AdLoadWorld: Sendable {
  let configuration: AdLoadSimulator.Configuration
  /// Organic notes of each category.
  let categoryNotes: [[Int32]]
  /// 0 plain, 1 disclosed partnership, 2 undisclosed promotion, per organic note.
  let promotion: [UInt8]
  let undisclosedShareOfCategory: [Double]
  let disclosedShareOfCategory: [Double]
  /// The arm of every user (experiment) or empty.
  let armOfUser: [Int32]
  /// The arms' names and densities (experiment) or `all` with no density.
  let groupNames: [String]
  let groupDensities: [Double?]
  /// Densities of the steady-state table: 0, 0.1, then the arms' densities.
  let steadyDensities: [Double]
  let maximumEngagementFactor: Double
  let minimumLengthFactor: Double

  enum Stream: UInt64 {
    case notes = 1, assignment, users
  }

  static func random(_ configuration: AdLoadSimulator.Configuration, _ stream: Stream, _ index: Int = 0) -> SeededRandom {
    SeededRandom(seed: SplitMix64.mix(configuration.seed &+ stream.rawValue &* 0x9E37_79B9_7F4A_7C15), stream: UInt64(index))
  }

  var isExperiment: Bool { !armOfUser.isEmpty }
  /// Whether every user is simulated under every arm (experiments asking for it).
  var simulatesEveryArm: Bool { isExperiment && configuration.simulatesCounterfactualArms }

  init(_ configuration: AdLoadSimulator.Configuration) {
    self.configuration = configuration
    let categories = configuration.categories
    var random = Self.random(configuration, .notes)
    var members = [[Int32]](repeating: [], count: categories)
    var promotion = [UInt8](repeating: 0, count: configuration.organicNotes)
    var undisclosed = [Double](repeating: 0, count: categories), disclosed = undisclosed
    for note in 0..<configuration.organicNotes {
      let category = note % categories
      members[category].append(Int32(note))
      let draw = random.unitDouble()
      if draw < configuration.undisclosedPromotionShare {
        promotion[note] = 2
        undisclosed[category] += 1
      } else if draw < configuration.undisclosedPromotionShare + configuration.disclosedPartnershipShare {
        promotion[note] = 1
        disclosed[category] += 1
      }
    }
    categoryNotes = members
    self.promotion = promotion
    undisclosedShareOfCategory = (0..<categories).map { undisclosed[$0] / Double(members[$0].count) }
    disclosedShareOfCategory = (0..<categories).map { disclosed[$0] / Double(members[$0].count) }

    switch configuration.design {
    case .experiment(let arms):
      random = Self.random(configuration, .assignment)
      var order = Array(0..<Int32(configuration.users))
      for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.index(below: i + 1)) }
      var armOfUser = [Int32](repeating: 0, count: configuration.users)
      for (position, user) in order.enumerated() { armOfUser[Int(user)] = Int32(position % arms.count) }
      self.armOfUser = armOfUser
      groupNames = arms.map(\.name)
      groupDensities = arms.map(\.density)
      steadyDensities = [0, 0.1] + arms.map(\.density)
    case .observational:
      armOfUser = []
      groupNames = ["all"]
      groupDensities = [nil]
      steadyDensities = [0, 0.1]
    }
    maximumEngagementFactor = configuration.maximumEngagementFactor
    minimumLengthFactor = configuration.minimumLengthFactor
  }

  // MARK: Users

  /// Simulates `users`, each from its own random stream; in experiments each user also under
  /// every other arm, from the same state and random stream at assignment, without recording.
  func simulate(users: Range<Int>) -> AdLoadChunk {
    let weeks = configuration.weeks, preWeeks = configuration.prePeriodWeeks
    let empty = Array(repeating: AdLoadTally(), count: groupNames.count * weeks)
    var chunk = AdLoadChunk(
      postTallies: empty, populationTallies: simulatesEveryArm ? empty : [],
      preTallies: Array(repeating: AdLoadTally(), count: preWeeks),
      steady: Array(repeating: AdLoadSteadyTally(), count: steadyDensities.count))
    var post = AdLoadColumns(), pre = AdLoadColumns(), unrecorded = AdLoadColumns()
    var postTallies = chunk.postTallies, preTallies = chunk.preTallies, populationTallies = chunk.populationTallies
    var run = AdLoadRunScratch()
    let preStart = AdLoadSimulator.start - Int64(preWeeks) * AdLoadSimulator.secondsPerWeek
    for index in users {
      var random = Self.random(configuration, .users, index)
      let drawn = drawUser(index, &random, &chunk)
      var user = drawn
      var preSums = AdLoadPeriodSums(), postSums = AdLoadPeriodSums()
      for week in 0..<preWeeks {
        var tally = AdLoadTally()
        simulateWeek(&user, start: preStart + Int64(week) * AdLoadSimulator.secondsPerWeek, pre: true,
                     tally: &tally, sums: &preSums, columns: &pre, record: true, run: &run, random: &random)
        preTallies[week].add(tally)
      }
      for group in simulatesEveryArm ? groupNames.indices : drawn.group..<drawn.group + 1 {
        let assigned = group == drawn.group
        var armUser = user, armRandom = random, sums = AdLoadPeriodSums()
        // The assigned arm writes to the log; the others to a column set that stays empty.
        if assigned { swap(&post, &unrecorded) }
        if isExperiment {
          armUser.group = group
          armUser.density = groupDensities[group]!
        }
        for week in 0..<weeks {
          var tally = AdLoadTally()
          simulateWeek(&armUser, start: AdLoadSimulator.start + Int64(week) * AdLoadSimulator.secondsPerWeek, pre: false,
                       tally: &tally, sums: &sums, columns: &unrecorded, record: assigned,
                       run: &run, random: &armRandom)
          if assigned { postTallies[group * weeks + week].add(tally) }
          if simulatesEveryArm { populationTallies[group * weeks + week].add(tally) }
        }
        if assigned {
          swap(&post, &unrecorded)
          postSums = sums
        }
      }
      if preSums.organic > 0 && postSums.organic > 0 {
        chunk.preRates.append(Double(preSums.engaged) / Double(preSums.organic))
        chunk.postRates.append(Double(postSums.engaged) / Double(postSums.organic))
        chunk.preExpectedRates.append(preSums.expected / Double(preSums.organic))
        chunk.postExpectedRates.append(postSums.expected / Double(postSums.organic))
      }
      addSteadyState(of: drawn, to: &chunk)
    }
    chunk.post = post
    chunk.pre = pre
    chunk.postTallies = postTallies
    chunk.preTallies = preTallies
    chunk.populationTallies = populationTallies
    chunk.clampedHazards = run.clampedHazards
    return chunk
  }

  /// Draws user `index`'s activity, tastes, propensity, length scale and density (model on ``AdLoadSimulator``).
  func drawUser(_ index: Int, _ random: inout SeededRandom, _ chunk: inout AdLoadChunk) -> AdLoadUser {
    let c = configuration
    let z = random.standardNormal(), zeta = random.standardNormal(), xi = random.standardNormal()
    let activity = c.meanSessionsPerWeek * exp(c.activitySigma * z - c.activitySigma * c.activitySigma / 2)

    var tastes = (0..<c.categories).map { _ in random.standardNormal() }
    let best = tastes.max()!
    for k in tastes.indices { tastes[k] = exp(c.tasteStrength * (tastes[k] - best)) }
    let relevance = tastes
    let total = relevance.reduce(0, +)
    var cumulative = [Double](repeating: 0, count: c.categories)
    var running = 0.0, meanRelevance = 0.0, undisclosed = 0.0, disclosed = 0.0
    for k in relevance.indices {
      let share = relevance[k] / total
      running += share
      cumulative[k] = running
      meanRelevance += share * relevance[k]
      undisclosed += share * undisclosedShareOfCategory[k]
      disclosed += share * disclosedShareOfCategory[k]
    }
    cumulative[c.categories - 1] = .infinity  // rounding can leave the total a hair below 1

    let rho = c.propensityActivityCorrelation, sigma = c.propensitySigma
    let uncapped = c.baseOrganicEngagementRate * exp(sigma * (rho * z + (1 - rho * rho).squareRoot() * zeta) - sigma * sigma / 2)
    let cap = meanRelevance / maximumEngagementFactor
    let propensity = min(uncapped, cap)
    if uncapped > cap { chunk.cappedPropensities += 1 }
    chunk.propensities += propensity

    let lambda = c.leaveRelevanceSensitivity
    let lengthScale = max(c.meanFeedLength * exp(c.feedLengthSigma * xi - c.feedLengthSigma * c.feedLengthSigma / 2),
                          (1 + lambda) / minimumLengthFactor)
    let leaveNorm = 1 / (1 + lambda * (1 - meanRelevance))

    var density = 0.0, group = 0
    switch c.design {
    case .experiment(let arms):
      group = Int(armOfUser[index])
      density = arms[group].density
    case .observational(let meanDensity, let confounding, _):
      density = min(meanDensity * exp(confounding * z - confounding * confounding / 2), AdLoadSimulator.maximumObservationalDensity)
      chunk.activities.append(activity)
      chunk.meanDensities.append(density)
    }
    chunk.baselineEngagement += activity * lengthScale * propensity
    chunk.baselineWeight += activity * lengthScale
    chunk.baselineSessions += activity
    return AdLoadUser(
      index: index, activity: activity, propensity: propensity, lengthScale: lengthScale, meanRelevance: meanRelevance,
      density: density, group: group, cumulative: cumulative,
      engagementFactor: relevance.map { $0 / meanRelevance },
      leaveFactor: relevance.map { (1 + lambda * (1 - $0)) * leaveNorm },
      undisclosedShare: undisclosed, disclosedShare: disclosed)
  }

  /// The density of the user's next session: pre-period experiment sessions have the control's.
  func sessionDensity(_ user: AdLoadUser, pre: Bool, _ random: inout SeededRandom) -> Double {
    switch configuration.design {
    case .experiment(let arms):
      return pre ? arms[0].density : user.density
    case .observational(_, _, let spread):
      let draw = user.density + spread * (2 * random.unitDouble() - 1)
      return min(max(draw, 0), AdLoadSimulator.maximumObservationalDensity)
    }
  }

  /// One week: Poisson(a_u T^κ_R) sessions at uniform times, in time order.
  func simulateWeek(_ user: inout AdLoadUser, start: Int64, pre: Bool, tally: inout AdLoadTally, sums: inout AdLoadPeriodSums,
                    columns: inout AdLoadColumns, record: Bool, run: inout AdLoadRunScratch, random: inout SeededRandom) {
    let rate = user.activity * pow(user.trust, configuration.trust.returnExponent)
    tally.users += 1
    tally.expectedSessions += rate
    tally.activity += user.activity
    let count = Self.poisson(mean: rate, &random)
    run.starts.removeAll(keepingCapacity: true)
    for _ in 0..<count { run.starts.append(Int64(random.index(below: Int(AdLoadSimulator.secondsPerWeek)))) }
    run.starts.sort()
    if count > 0 { tally.activeUsers += 1 }
    for sessionIndex in 0..<count {
      let density = sessionDensity(user, pre: pre, &random)
      let outcome = simulateSession(&user, density: density, start: start + run.starts[sessionIndex], columns: &columns,
                                    record: record, tally: &tally, clamped: &run.clampedHazards, random: &random)
      sums.organic += outcome.organic
      sums.engaged += outcome.engagedOrganic
      sums.expected += outcome.expectedEngagements
    }
    tally.trustAtEnd += user.trust
  }

  /// One session of density `density` (model on ``AdLoadSimulator``); updates trust afterwards.
  func simulateSession(_ user: inout AdLoadUser, density: Double, start: Int64, columns: inout AdLoadColumns, record: Bool,
                       tally: inout AdLoadTally, clamped: inout Int, random: inout SeededRandom) -> AdLoadSessionOutcome {
    let c = configuration, trust = c.trust
    let trustFactor = pow(user.trust, trust.engagementExponent)
    let untrustedBase = user.propensity * c.organicEngagementEffect.factor(atDensity: density)
    let organicBase = untrustedBase * trustFactor
    let adProbability = c.adEngagementRate * trustFactor
    let trustedLengthScale = user.lengthScale * pow(user.trust, trust.sessionLengthExponent)
    let expectedLength = trustedLengthScale * c.sessionLengthEffect.factor(atDensity: density)
    let leaveScale = 1 / expectedLength
    let organicCount = Int32(c.organicNotes), adCount = c.adNotes, categories = c.categories

    user.sessionCount += 1
    let session = Int32(columns.sessionUsers.count)
    if record {
      columns.sessionUsers.append(Int32(user.index))
      columns.sessionNumbers.append(user.sessionCount)
      columns.sessionDensities.append(density)
    }
    tally.sessions += 1
    tally.expectedLength += expectedLength
    tally.trustedLengthScale += trustedLengthScale
    tally.lengthScale += user.lengthScale

    var outcome = AdLoadSessionOutcome()
    let phase = random.unitDouble()
    var previousFloor = 0.0, elapsed = 0.0
    var position: Int32 = 0
    while true {
      position += 1
      let slotFloor = (Double(position) * density + phase).rounded(.down)
      let isAd = slotFloor > previousFloor
      previousFloor = slotFloor
      let note: Int32, probability: Double, leave: Double
      if isAd {
        note = organicCount + Int32(random.index(below: adCount))
        probability = adProbability
        leave = leaveScale
        outcome.ads += 1
      } else {
        let draw = random.unitDouble()
        var low = 0, high = categories - 1
        while low < high {
          let mid = (low + high) / 2
          if user.cumulative[mid] > draw { high = mid } else { low = mid + 1 }
        }
        let members = categoryNotes[low]
        note = members[random.index(below: members.count)]
        probability = organicBase * user.engagementFactor[low]
        leave = leaveScale * user.leaveFactor[low]
        outcome.organic += 1
        outcome.expectedEngagements += probability
        outcome.untrustedEngagements += untrustedBase * user.engagementFactor[low]
        switch promotion[Int(note)] {
        case 1: outcome.disclosed += 1
        case 2: outcome.undisclosed += 1
        default: break
        }
      }
      let engaged = random.unitDouble() < probability
      if engaged && !isAd { outcome.engagedOrganic += 1 }
      let dwell: Double = switch (isAd, engaged) {
      case (false, false): 0.5 + 2.5 * Self.exponential(&random)
      case (false, true): 4 + 25 * Self.exponential(&random)
      case (true, false): 1 + 1.5 * Self.exponential(&random)
      case (true, true): 3 + 10 * Self.exponential(&random)
      }
      let roundedDwell = (dwell * 10).rounded() / 10
      if record {
        columns.users.append(Int32(user.index))
        columns.sessions.append(session)
        columns.positions.append(position)
        columns.notes.append(note)
        columns.sponsored.append(isAd)
        columns.engagements.append(engaged ? 1 : 0)
        columns.dwell.append(Float(roundedDwell))
        columns.timestamps.append(start + Int64(elapsed))
        columns.arms.append(Int32(user.group))
      }
      elapsed += roundedDwell + 1
      if leave > 1 && record { clamped += 1 }
      if random.unitDouble() < leave { break }
    }
    outcome.impressions = Int(position)
    tally.impressions += outcome.impressions
    tally.ads += outcome.ads
    tally.organic += outcome.organic
    tally.expectedEngagements += outcome.expectedEngagements
    tally.untrustedEngagements += outcome.untrustedEngagements

    let slots = Double(outcome.impressions)
    let perceived = Double(outcome.ads + outcome.disclosed + outcome.undisclosed) / slots
    let undisclosed = Double(outcome.undisclosed) / slots
    let t = user.trust
    user.trust = min(1, max(0, t + trust.recoveryRate * (1 - t) - trust.loadSensitivity * perceived * t
                                - trust.undisclosedSensitivity * undisclosed * t))
    return outcome
  }

  /// Adds the user's steady state at every steady-state density.
  func addSteadyState(of user: AdLoadUser, to chunk: inout AdLoadChunk) {
    let trust = configuration.trust
    for (index, density) in steadyDensities.enumerated() {
      let promotion = user.undisclosedShare + user.disclosedShare
      let steady = trust.steadyState(perceivedLoad: density + (1 - density) * promotion,
                                     undisclosedShare: (1 - density) * user.undisclosedShare)
      let sessionRate = user.activity * pow(steady, trust.returnExponent)
      let length = user.lengthScale * configuration.sessionLengthEffect.factor(atDensity: density)
        * pow(steady, trust.sessionLengthExponent)
      let weight = sessionRate * length * (1 - density)
      chunk.steady[index].trust += steady
      chunk.steady[index].organicWeight += weight
      chunk.steady[index].engagement += weight * user.propensity
        * configuration.organicEngagementEffect.factor(atDensity: density) * pow(steady, trust.engagementExponent)
      chunk.steady[index].sessionRate += sessionRate
      chunk.steady[index].sessionLength += sessionRate * length
    }
  }

  /// An Exp(1) draw.
  @inline(__always)
  static func exponential(_ random: inout SeededRandom) -> Double {
    -log(random.positiveUnitDouble())
  }

  /// A Poisson(mean) draw: Knuth's product of uniforms, in steps of at most 30 (a sum of
  /// independent Poisson draws is Poisson), so that exp(−step) never underflows.
  static func poisson(mean: Double, _ random: inout SeededRandom) -> Int {
    var remaining = mean, count = 0
    while remaining > 0 {
      let step = min(remaining, 30)
      remaining -= step
      let limit = exp(-step)
      var product = random.unitDouble()
      while product > limit {
        count += 1
        product *= random.unitDouble()
      }
    }
    return count
  }
}

// MARK: - Assembly

extension AdLoadWorld {
  /// Joins the chunks (in user order) into the logs and computes the truth.
  func assemble(_ chunks: [AdLoadChunk]) -> AdLoadSimulation {
    let c = configuration
    var post = AdLoadColumns(), pre = AdLoadColumns()
    var postTallies = Array(repeating: AdLoadTally(), count: groupNames.count * c.weeks)
    var populationTallies = simulatesEveryArm ? postTallies : []
    var preTallies = Array(repeating: AdLoadTally(), count: c.prePeriodWeeks)
    var steady = Array(repeating: AdLoadSteadyTally(), count: steadyDensities.count)
    var total = AdLoadChunk(postTallies: [], populationTallies: [], preTallies: [], steady: [])
    for chunk in chunks {
      post.append(contentsOf: chunk.post)
      pre.append(contentsOf: chunk.pre)
      for index in postTallies.indices { postTallies[index].add(chunk.postTallies[index]) }
      for index in populationTallies.indices { populationTallies[index].add(chunk.populationTallies[index]) }
      for index in preTallies.indices { preTallies[index].add(chunk.preTallies[index]) }
      for index in steady.indices { steady[index].add(chunk.steady[index]) }
      total.baselineEngagement += chunk.baselineEngagement
      total.baselineWeight += chunk.baselineWeight
      total.baselineSessions += chunk.baselineSessions
      total.propensities += chunk.propensities
      total.cappedPropensities += chunk.cappedPropensities
      total.clampedHazards += chunk.clampedHazards
      total.preRates += chunk.preRates
      total.postRates += chunk.postRates
      total.preExpectedRates += chunk.preExpectedRates
      total.postExpectedRates += chunk.postExpectedRates
      total.activities += chunk.activities
      total.meanDensities += chunk.meanDensities
    }

    let userIDs = FeedGenerator.ids(prefix: "u", count: c.users, minimumDigits: 6)
    let noteIDs = FeedGenerator.ids(prefix: "n", count: c.organicNotes, minimumDigits: 5)
      + FeedGenerator.ids(prefix: "ad-", count: c.adNotes, minimumDigits: 4)
    let impressions = Self.impressionLog(post, userIDs: userIDs, noteIDs: noteIDs, armNames: isExperiment ? groupNames : nil)
    let prePeriod = c.prePeriodWeeks > 0 ? Self.impressionLog(pre, userIDs: userIDs, noteIDs: noteIDs, armNames: nil) : nil

    let truth = AdLoadTruth(
      format: AdLoadTruth.fileFormat, version: AdLoadTruth.fileVersion, configuration: c,
      organicEngagementSlope: c.organicEngagementEffect.slope, sessionLengthSlope: c.sessionLengthEffect.slope,
      start: AdLoadSimulator.start, notes: notesTruth(noteIDs), arms: [], weeks: [], weeklyEffects: [],
      prePeriod: nil, longRun: longRunTruth(steady), population: AdLoadTruth.Population(
        users: c.users, activeUsers: impressions.users.count, meanPropensity: total.propensities / Double(c.users),
        cappedPropensities: total.cappedPropensities, clampedLeaveHazards: total.clampedHazards,
        baselineOrganicEngagementRate: total.baselineEngagement / total.baselineWeight,
        baselineSessionLength: total.baselineWeight / total.baselineSessions,
        activityDensityCorrelation: isExperiment ? nil : pearsonCorrelation(total.activities, total.meanDensities)))
    var result = AdLoadSimulation(
      impressions: impressions, prePeriod: prePeriod, sessionDensities: post.sessionDensities,
      prePeriodSessionDensities: pre.sessionDensities, truth: truth)
    addWeeks(assigned: postTallies, population: populationTallies, steady: steady, to: &result.truth)
    if c.prePeriodWeeks > 0 {
      let controlDensity: Double? = isExperiment ? groupDensities[0] : nil
      result.truth.prePeriod = AdLoadTruth.PrePeriod(
        weeks: preTallies.enumerated().map {
          AdLoadTruth.Week(week: $0 + 1, arm: "pre", density: controlDensity, assigned: $1.outcomes)
        },
        meanTrustAtAssignment: preTallies[c.prePeriodWeeks - 1].trustAtEnd / Double(c.users),
        usersInBoth: total.preRates.count,
        perUserRateCorrelation: pearsonCorrelation(total.preRates, total.postRates),
        perUserExpectedRateCorrelation: pearsonCorrelation(total.preExpectedRates, total.postExpectedRates))
    }
    return result
  }

  /// The promotion note lists.
  func notesTruth(_ noteIDs: [String]) -> AdLoadTruth.Notes {
    AdLoadTruth.Notes(
      organic: configuration.organicNotes, ads: configuration.adNotes,
      undisclosedPromotion: promotion.indices.filter { promotion[$0] == 2 }.map { noteIDs[$0] },
      disclosedPartnership: promotion.indices.filter { promotion[$0] == 1 }.map { noteIDs[$0] })
  }

  /// The steady-state summary: experiments fit over the arms' densities, observational data
  /// compares densities 0 and 0.1 (the first two steady-state densities).
  func longRunTruth(_ steady: [AdLoadSteadyTally]) -> AdLoadTruth.LongRun {
    let c = configuration
    let rates = steady.map { $0.engagement / $0.organicWeight }
    let lengths = steady.map { $0.sessionLength / $0.sessionRate }
    let returns = steady.map(\.sessionRate)
    let range = isExperiment ? 2..<steadyDensities.count : 0..<2
    let densities = Array(steadyDensities[range])
    func percent(_ values: [Double], _ shape: DoseResponseShape) -> Double? {
      let reference = values[range.lowerBound]
      return AdLoadTruth.percentPer10Points(densities: densities, ratios: values[range].map { $0 / reference }, shape: shape)
    }
    return AdLoadTruth.LongRun(
      trustAtZeroDensity: steady[0].trust / Double(c.users), trustAt10Points: steady[1].trust / Double(c.users),
      organicEngagementPercentPer10Points: percent(rates, c.organicEngagementEffect.shape),
      sessionLengthPercentPer10Points: percent(lengths, c.sessionLengthEffect.shape),
      returnPercentPer10Points: percent(returns, .logLinear), learningRatio: nil)
  }

  /// The per-week rows, the weekly effects, the arms and the learning ratio.
  func addWeeks(assigned: [AdLoadTally], population: [AdLoadTally], steady: [AdLoadSteadyTally], to truth: inout AdLoadTruth) {
    let c = configuration, weeks = c.weeks
    let f = c.organicEngagementEffect, g = c.sessionLengthEffect
    for week in 0..<weeks {
      var rows: [AdLoadTruth.Week] = []
      for group in groupNames.indices {
        rows.append(AdLoadTruth.Week(week: week + 1, arm: groupNames[group], density: groupDensities[group],
                                     assigned: assigned[group * weeks + week].outcomes))
      }
      if simulatesEveryArm {
        let densities = groupDensities.map { $0! }
        let outcomes = groupNames.indices.map { population[$0 * weeks + week].outcomes }
        for group in rows.indices {
          let ours = outcomes[group], control = outcomes[0], density = densities[group]
          rows[group].population = ours
          if let factor = ours.engagementTrustFactor, let controlFactor = control.engagementTrustFactor {
            rows[group].organicEngagementRatio = f.factor(atDensity: density) / f.factor(atDensity: densities[0]) * factor / controlFactor
          }
          if let factor = ours.sessionLengthTrustFactor, let controlFactor = control.sessionLengthTrustFactor {
            rows[group].sessionLengthRatio = g.factor(atDensity: density) / g.factor(atDensity: densities[0]) * factor / controlFactor
          }
          rows[group].returnRatio = ours.returnTrustFactor / control.returnTrustFactor
        }
        let organic = rows.compactMap(\.organicEngagementRatio), length = rows.compactMap(\.sessionLengthRatio)
        if organic.count == rows.count, length.count == rows.count,
           let organicPercent = AdLoadTruth.percentPer10Points(densities: densities, ratios: organic, shape: f.shape),
           let lengthPercent = AdLoadTruth.percentPer10Points(densities: densities, ratios: length, shape: g.shape),
           let returnPercent = AdLoadTruth.percentPer10Points(densities: densities, ratios: rows.compactMap(\.returnRatio), shape: .logLinear) {
          truth.weeklyEffects.append(AdLoadTruth.WeekEffect(
            week: week + 1, organicEngagementPercentPer10Points: organicPercent,
            sessionLengthPercentPer10Points: lengthPercent, returnPercentPer10Points: returnPercent))
        }
      }
      truth.weeks += rows
    }
    if let first = truth.weeklyEffects.first, first.week == 1, abs(first.organicEngagementPercentPer10Points) > 1e-12,
       let longRun = truth.longRun.organicEngagementPercentPer10Points {
      truth.longRun.learningRatio = longRun / first.organicEngagementPercentPer10Points
    }
    guard isExperiment else { return }
    let controlDensity = groupDensities[0]!
    let controlSteady = steady[2]
    for group in groupNames.indices {
      let density = groupDensities[group]!, armSteady = steady[2 + group]
      var ads = 0, impressions = 0
      for week in 0..<weeks {
        ads += assigned[group * weeks + week].ads
        impressions += assigned[group * weeks + week].impressions
      }
      truth.arms.append(AdLoadTruth.Arm(
        name: groupNames[group], density: density, users: assigned[group * weeks].users,
        organicEngagementRatio: f.factor(atDensity: density) / f.factor(atDensity: controlDensity),
        sessionLengthRatio: g.factor(atDensity: density) / g.factor(atDensity: controlDensity),
        realisedAdShare: impressions > 0 ? Double(ads) / Double(impressions) : 0,
        steadyStateTrust: armSteady.trust / Double(c.users),
        longRunOrganicEngagementRatio: (armSteady.engagement / armSteady.organicWeight)
          / (controlSteady.engagement / controlSteady.organicWeight),
        longRunSessionLengthRatio: (armSteady.sessionLength / armSteady.sessionRate)
          / (controlSteady.sessionLength / controlSteady.sessionRate),
        longRunReturnRatio: armSteady.sessionRate / controlSteady.sessionRate))
    }
  }

  /// The impressions log of `columns`, with users, notes and arms numbered in order of first
  /// appearance (as ``ImpressionLog/load(contentsOf:skipInvalid:)`` numbers them).
  static func impressionLog(_ columns: AdLoadColumns, userIDs: [String], noteIDs: [String], armNames: [String]?) -> ImpressionLog {
    var users = columns.users, notes = columns.notes, arms = columns.arms
    let (userOrder, userIndex) = renumberByFirstAppearance(&users, count: userIDs.count)
    let (noteOrder, _) = renumberByFirstAppearance(&notes, count: noteIDs.count)
    var armMap = IDMap()
    if let armNames {
      let (armOrder, _) = renumberByFirstAppearance(&arms, count: armNames.count)
      armMap = IDMap(armOrder.map { armNames[$0] })
    }
    return ImpressionLog(
      users: IDMap(userOrder.map { userIDs[$0] }), notes: IDMap(noteOrder.map { noteIDs[$0] }), arms: armMap,
      sessionIDs: columns.sessionNumbers.map { "s\($0)" }, sessionUsers: columns.sessionUsers.map { userIndex[Int($0)] },
      userIndices: users, sessionIndices: columns.sessions, positions: columns.positions, noteIndices: notes,
      sponsored: columns.sponsored, engagements: columns.engagements, dwell: columns.dwell,
      timestamps: columns.timestamps, armIndices: armNames == nil ? nil : arms)
  }

  /// Renumbers `indices` (each in `0..<count`) in order of first appearance. Returns the old index
  /// of every new one, and the new index of every old one (−1 for those that never appear).
  static func renumberByFirstAppearance(_ indices: inout [Int32], count: Int) -> (order: [Int], newIndex: [Int32]) {
    var newIndex = [Int32](repeating: -1, count: count)
    var order: [Int] = []
    for position in indices.indices {
      let old = Int(indices[position])
      if newIndex[old] < 0 {
        newIndex[old] = Int32(order.count)
        order.append(old)
      }
      indices[position] = newIndex[old]
    }
    return (order, newIndex)
  }
}
