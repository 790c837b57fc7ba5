import Foundation
import Testing
@testable import Zhongcao

@Suite("AdLoadSimulator")
struct AdLoadSimulatorTests {
  typealias Configuration = AdLoadSimulator.Configuration
  typealias DensityEffect = AdLoadSimulator.DensityEffect

  static func configuration(_ change: (inout Configuration) -> Void) -> Configuration {
    var configuration = Configuration()
    change(&configuration)
    return configuration
  }

  /// A small experiment with a pre-period, for shape and round-trip tests.
  static let small = configuration {
    $0.users = 300
    $0.weeks = 2
    $0.prePeriodWeeks = 1
    $0.organicNotes = 500
    $0.adNotes = 30
  }

  static func arms(_ densities: [Double]) -> AdLoadSimulator.Design {
    .experiment(arms: densities.enumerated().map { .init(name: $0 == 0 ? "control" : "d\(Int(($1 * 100).rounded()))", density: $1) })
  }

  /// Per arm name: organic impressions, engagements on them, sessions and impressions.
  struct ArmCounts {
    var organic = 0, engaged = 0, sessions = 0, impressions = 0
  }

  static func countsByArm(_ log: ImpressionLog) -> [String: ArmCounts] {
    var counts: [String: ArmCounts] = [:]
    var lastSession: Int32 = -1
    for index in 0..<log.count {
      let arm = log.arms[Int(log.armIndices![index])]
      counts[arm, default: ArmCounts()].impressions += 1
      if log.sessionIndices[index] != lastSession {
        lastSession = log.sessionIndices[index]
        counts[arm, default: ArmCounts()].sessions += 1
      }
      if !log.sponsored[index] {
        counts[arm, default: ArmCounts()].organic += 1
        counts[arm, default: ArmCounts()].engaged += Int(log.engagements[index])
      }
    }
    return counts
  }

  /// Per user id: (organic impressions, engagements on them).
  static func organicByUser(_ log: ImpressionLog) -> [String: (organic: Int, engaged: Int)] {
    var result: [String: (organic: Int, engaged: Int)] = [:]
    for index in 0..<log.count where !log.sponsored[index] {
      let user = log.users[Int(log.userIndices[index])]
      result[user, default: (0, 0)].organic += 1
      result[user, default: (0, 0)].engaged += Int(log.engagements[index])
    }
    return result
  }

  // MARK: Determinism

  @Test func sameSeedGivesIdenticalOutput() throws {
    let a = try AdLoadSimulator(configuration: Self.small).run()
    let b = try AdLoadSimulator(configuration: Self.small).run()
    #expect(a.impressions.count > 1_000)
    #expect(a.impressions == b.impressions)
    #expect(a.prePeriod == b.prePeriod)
    #expect(a.sessionDensities == b.sessionDensities)
    #expect(a.truth == b.truth)
    #expect(a.truth.json() == b.truth.json())
  }

  @Test func differentSeedsGiveDifferentOutput() throws {
    var other = Self.small
    other.seed = 43
    let a = try AdLoadSimulator(configuration: Self.small).run()
    let b = try AdLoadSimulator(configuration: other).run()
    #expect(a.impressions.noteIndices != b.impressions.noteIndices)
    #expect(a.impressions.timestamps != b.impressions.timestamps)
    #expect(a.truth.notes.undisclosedPromotion != b.truth.notes.undisclosedPromotion)
    #expect(a.truth.population.meanPropensity != b.truth.population.meanPropensity)
  }

  @Test func counterfactualArmsDoNotChangeTheLog() throws {
    var without = Self.small
    without.simulatesCounterfactualArms = false
    let a = try AdLoadSimulator(configuration: Self.small).run()
    let b = try AdLoadSimulator(configuration: without).run()
    #expect(a.impressions == b.impressions)
    #expect(a.truth.weeks.map(\.assigned) == b.truth.weeks.map(\.assigned))
    #expect(a.truth.weeks.allSatisfy { $0.population != nil })
    #expect(b.truth.weeks.allSatisfy { $0.population == nil && $0.organicEngagementRatio == nil })
    #expect(b.truth.weeklyEffects.isEmpty)
  }

  // MARK: Planted effects without trust dynamics

  /// With trust off and randomised density, the pooled organic engagement rate of each arm
  /// (engagements on organic impressions ÷ organic impressions) is f(d)·C with C the same for every
  /// arm; with one propensity for all users the binomial standard error applies.
  @Test(arguments: [DensityEffect.logLinear(percentPer10Points: -10), .linear(percentPer10Points: -8)])
  func armRatesRecoverThePlantedEffectsWithoutTrust(effect: DensityEffect) throws {
    let densities = [0.0, 0.1, 0.2, 0.3]
    let configuration = Self.configuration {
      $0.users = 4_000
      $0.weeks = 4
      $0.meanSessionsPerWeek = 10  // many short sessions: power for the session length ratio
      $0.meanFeedLength = 6
      $0.design = Self.arms(densities)
      $0.trust = .off
      $0.propensitySigma = 0
      $0.baseOrganicEngagementRate = 0.1
      $0.feedLengthSigma = 0
      $0.organicEngagementEffect = effect
      $0.sessionLengthEffect = .logLinear(percentPer10Points: -10)
      $0.simulatesCounterfactualArms = false
    }
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    #expect(simulation.impressions.count > 700_000)
    let counts = Self.countsByArm(simulation.impressions)
    let names = simulation.truth.arms.map(\.name)
    let control = try #require(counts["control"])
    let controlRate = Double(control.engaged) / Double(control.organic)

    // Session lengths of one user scale are geometric: sd ≈ mean.
    var lengthsByArm: [String: [Double]] = [:]
    var sessionStart = 0
    let log = simulation.impressions
    for index in 1...log.count where index == log.count || log.sessionIndices[index] != log.sessionIndices[index - 1] {
      lengthsByArm[log.arms[Int(log.armIndices![sessionStart])], default: []].append(Double(index - sessionStart))
      sessionStart = index
    }
    func meanAndStandardError(_ values: [Double]) -> (Double, Double) {
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
      return (mean, (variance / Double(values.count)).squareRoot())
    }
    let (controlLength, controlLengthError) = meanAndStandardError(lengthsByArm["control"]!)

    for (arm, density) in zip(names, densities).dropFirst() {
      let armCounts = try #require(counts[arm])
      let rate = Double(armCounts.engaged) / Double(armCounts.organic)
      let planted = effect.factor(atDensity: density) / effect.factor(atDensity: 0)
      let truthArm = try #require(simulation.truth.arms.first { $0.name == arm })
      #expect(abs(truthArm.organicEngagementRatio - planted) < 1e-12)
      let ratio = rate / controlRate
      let standardError = ratio * ((1 - rate) / (rate * Double(armCounts.organic))
                                   + (1 - controlRate) / (controlRate * Double(control.organic))).squareRoot()
      #expect(abs(ratio - planted) < 4 * standardError,
              "arm \(arm): organic rate ratio \(ratio), planted \(planted), standard error \(standardError)")
      #expect(4 * standardError < (1 - planted) / 2, "the test must be able to tell the planted effect from none")

      let (length, lengthError) = meanAndStandardError(lengthsByArm[arm]!)
      let lengthRatio = length / controlLength
      let plantedLength = configuration.sessionLengthEffect.factor(atDensity: density)
      #expect(abs(truthArm.sessionLengthRatio - plantedLength) < 1e-12)
      let lengthRatioError = lengthRatio * ((lengthError / length) * (lengthError / length)
                                            + (controlLengthError / controlLength) * (controlLengthError / controlLength)).squareRoot()
      #expect(abs(lengthRatio - plantedLength) < 4 * lengthRatioError,
              "arm \(arm): session length ratio \(lengthRatio), planted \(plantedLength), standard error \(lengthRatioError)")
      #expect(4 * lengthRatioError < (1 - plantedLength) / 2)
      #expect(abs(truthArm.realisedAdShare - density) < 0.005)
    }
  }

  /// Without trust dynamics the truth's weekly and long-run effects are the planted ones, and
  /// nothing about return depends on density.
  @Test(arguments: [DensityEffect.logLinear(percentPer10Points: -4), .linear(percentPer10Points: 3)])
  func truthEqualsThePlantedEffectsWithoutTrust(effect: DensityEffect) throws {
    var configuration = Self.small
    configuration.trust = .off
    configuration.design = Self.arms([0.1, 0.0, 0.25, 0.4])
    configuration.organicEngagementEffect = effect
    configuration.sessionLengthEffect = .linear(percentPer10Points: -6)
    let truth = try AdLoadSimulator(configuration: configuration).run().truth
    #expect(truth.weeklyEffects.count == configuration.weeks)
    for week in truth.weeklyEffects {
      #expect(abs(week.organicEngagementPercentPer10Points - effect.percentPer10Points) < 1e-9)
      #expect(abs(week.sessionLengthPercentPer10Points - -6) < 1e-9)
      #expect(abs(week.returnPercentPer10Points) < 1e-12)
    }
    #expect(abs(try #require(truth.longRun.organicEngagementPercentPer10Points) - effect.percentPer10Points) < 1e-9)
    #expect(abs(try #require(truth.longRun.sessionLengthPercentPer10Points) - -6) < 1e-9)
    #expect(abs(try #require(truth.longRun.returnPercentPer10Points)) < 1e-12)
    #expect(abs(try #require(truth.longRun.learningRatio) - 1) < 1e-9)
    #expect(truth.weeks.allSatisfy { $0.assigned.meanTrust == 1 && $0.population?.meanTrust == 1 })
    #expect(truth.arms.allSatisfy { $0.steadyStateTrust == 1 })
  }

  @Test func anExperimentWithOneDensityHasNoSlope() throws {
    var configuration = Self.small
    configuration.design = Self.arms([0.1, 0.1])
    let truth = try AdLoadSimulator(configuration: configuration).run().truth
    #expect(truth.weeklyEffects.isEmpty)
    #expect(truth.longRun.organicEngagementPercentPer10Points == nil && truth.longRun.learningRatio == nil)
    #expect(truth.weeks.allSatisfy { abs(($0.organicEngagementRatio ?? 0) - 1) < 0.05 })
  }

  @Test func densityEffectsHaveThePlantedPercentPer10Points() {
    for percent in [-30.0, -2, 0, 0.5, 12] {
      for effect in [DensityEffect.linear(percentPer10Points: percent), .logLinear(percentPer10Points: percent)] {
        #expect(abs(effect.factor(atDensity: 0.1) / effect.factor(atDensity: 0) - (1 + percent / 100)) < 1e-12)
        #expect(effect.factor(atDensity: 0) == 1)
        let densities = [0.05, 0.1, 0.3, 0.45]
        let ratios = densities.map { effect.factor(atDensity: $0) / effect.factor(atDensity: 0.1) }
        let fitted = AdLoadTruth.percentPer10Points(densities: densities, ratios: ratios, shape: effect.shape)
        #expect(abs((fitted ?? .nan) - percent) < 1e-9, "\(effect)")
      }
    }
    #expect(AdLoadTruth.percentPer10Points(densities: [0.1, 0.1], ratios: [1, 1], shape: .linear) == nil)
  }

  // MARK: Observational data

  /// Heavier users get more ads and engage more: the pooled slope of organic engagement on
  /// density is biased upward, the within-user slope recovers the planted effect.
  @Test func observationalDataIsConfoundedAcrossUsersButNotWithin() throws {
    let effect = DensityEffect.logLinear(percentPer10Points: -10)
    let configuration = Self.configuration {
      $0.users = 3_000
      $0.weeks = 4
      $0.design = .observational(meanDensity: 0.15, confounding: 1, withinUserSpread: 0.1)
      $0.activitySigma = 1
      $0.propensitySigma = 0.6
      $0.propensityActivityCorrelation = 0.9
      $0.organicEngagementEffect = effect
      $0.trust = .off
    }
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let log = simulation.impressions
    #expect(log.armIndices == nil)
    #expect(try #require(simulation.truth.population.activityDensityCorrelation) > 0.3)
    #expect(simulation.truth.arms.isEmpty && simulation.truth.weeklyEffects.isEmpty)
    #expect(simulation.truth.weeks.allSatisfy { $0.arm == "all" && $0.density == nil && $0.population == nil })
    #expect(abs(try #require(simulation.truth.longRun.organicEngagementPercentPer10Points) - -10) < 1e-9)

    // Per session: user, planned density, organic impressions, engagements, ads.
    let sessionCount = log.sessionCount
    var organic = [Double](repeating: 0, count: sessionCount), engaged = organic, ads = organic, slots = organic
    for index in 0..<log.count {
      let session = Int(log.sessionIndices[index])
      slots[session] += 1
      if log.sponsored[index] { ads[session] += 1 } else {
        organic[session] += 1
        engaged[session] += Double(log.engagements[index])
      }
    }
    #expect(simulation.sessionDensities.count == sessionCount)
    for session in 0..<sessionCount {
      #expect(abs(ads[session] / slots[session] - simulation.sessionDensities[session]) < 1 / slots[session] + 1e-12)
    }

    // Heavy users (more sessions) see more ads on average.
    var sessionsOfUser = [Double](repeating: 0, count: log.users.count), shareOfUser = sessionsOfUser
    for session in 0..<sessionCount {
      let user = Int(log.sessionUsers[session])
      sessionsOfUser[user] += 1
      shareOfUser[user] += ads[session] / slots[session]
    }
    let meanShare = zip(shareOfUser, sessionsOfUser).map { $0 / $1 }
    #expect(try #require(pearsonCorrelation(sessionsOfUser.map { Foundation.log($0) }, meanShare)) > 0.2)

    // Organic-impression-weighted least squares of the session rate on density, pooled and within users.
    func slope(demeaned: Bool) -> Double {
      var userOrganic = [Double](repeating: 0, count: log.users.count), userDensity = userOrganic, userEngaged = userOrganic
      for session in 0..<sessionCount where organic[session] > 0 {
        let user = Int(log.sessionUsers[session])
        userOrganic[user] += organic[session]
        userDensity[user] += organic[session] * simulation.sessionDensities[session]
        userEngaged[user] += engaged[session]
      }
      let totalOrganic = userOrganic.reduce(0, +)
      let meanDensity = userDensity.reduce(0, +) / totalOrganic, meanRate = userEngaged.reduce(0, +) / totalOrganic
      var sxx = 0.0, sxy = 0.0
      for session in 0..<sessionCount where organic[session] > 0 {
        let user = Int(log.sessionUsers[session])
        let x = simulation.sessionDensities[session] - (demeaned ? userDensity[user] / userOrganic[user] : meanDensity)
        let y = engaged[session] / organic[session] - (demeaned ? userEngaged[user] / userOrganic[user] : meanRate)
        sxx += organic[session] * x * x
        sxy += organic[session] * x * y
      }
      return sxy / sxx / meanRate  // relative to the mean rate: ≈ β for a log-linear effect
    }
    let naive = slope(demeaned: false), within = slope(demeaned: true)
    #expect(abs(within - effect.slope) < 0.4, "within-user relative slope \(within), planted β \(effect.slope)")
    #expect(naive > within + 1, "pooled relative slope \(naive) should be biased upward from \(within)")
  }

  // MARK: Trust dynamics

  @Test func trustFallsWithDensityAndTheEffectGrowsWeekByWeek() throws {
    let densities = [0.05, 0.15, 0.3, 0.45]
    let configuration = Self.configuration {
      $0.users = 800
      $0.weeks = 10
      $0.design = Self.arms(densities)
    }
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let truth = simulation.truth
    let lastWeek = truth.weeks.filter { $0.week == configuration.weeks }
    #expect(lastWeek.map(\.density) == densities)
    let populationTrust = lastWeek.map { $0.population!.meanTrust }
    let assignedTrust = lastWeek.map(\.assigned.meanTrust)
    #expect(zip(populationTrust, populationTrust.dropFirst()).allSatisfy { $0 > $1 }, "\(populationTrust)")
    #expect(zip(assignedTrust, assignedTrust.dropFirst()).allSatisfy { $0 > $1 }, "\(assignedTrust)")
    #expect(populationTrust.last! < 0.9)
    let steadyTrust = truth.arms.map(\.steadyStateTrust)
    #expect(zip(steadyTrust, steadyTrust.dropFirst()).allSatisfy { $0 > $1 })
    #expect(zip(steadyTrust, populationTrust).allSatisfy { $0 < $1 }, "trust is still falling toward its steady state")

    // Learning: the effect per +10 points grows week by week toward the long run.
    let effects = truth.weeklyEffects.map(\.organicEngagementPercentPer10Points)
    #expect(effects.count == configuration.weeks)
    #expect(effects[0] < 0)
    #expect(effects.last! < effects[0] - 1, "\(effects)")
    #expect(effects[4] < effects[0] && effects.last! < effects[4])
    #expect(try #require(truth.longRun.organicEngagementPercentPer10Points) < effects.last!)
    #expect(try #require(truth.longRun.learningRatio) > 2)
    #expect(truth.weeklyEffects[0].returnPercentPer10Points == 0, "first-week sessions start before any trust moved")
    #expect(truth.weeklyEffects.last!.returnPercentPer10Points < -0.5)
    #expect(truth.weeklyEffects.last!.sessionLengthPercentPer10Points < configuration.sessionLengthEffect.percentPer10Points)
    let longRunRatios = truth.arms.map(\.longRunOrganicEngagementRatio)
    #expect(zip(longRunRatios, longRunRatios.dropFirst()).allSatisfy { $0 > $1 })

    // The truth's expected engagements of the assigned users are what the log realised, up to binomial noise.
    let counts = Self.countsByArm(simulation.impressions)
    for arm in truth.arms {
      let rows = truth.weeks.filter { $0.arm == arm.name }
      let expected = rows.reduce(0.0) { $0 + $1.assigned.expectedOrganicEngagementRate! * Double($1.assigned.organicImpressions) }
      let organic = rows.reduce(0) { $0 + $1.assigned.organicImpressions }
      let realised = try #require(counts[arm.name])
      #expect(realised.organic == organic)
      let z = (Double(realised.engaged) - expected) / (expected * (1 - expected / Double(organic))).squareRoot()
      #expect(abs(z) < 4, "arm \(arm.name): \(realised.engaged) engagements, \(expected) expected")
    }
  }

  // MARK: Pre-period (CUPED)

  @Test func prePeriodCorrelationIsPositiveAndAsRecorded() throws {
    let configuration = Self.configuration {
      $0.users = 1_500
      $0.weeks = 3
      $0.prePeriodWeeks = 3
      $0.propensitySigma = 0.6
    }
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let pre = try #require(simulation.prePeriod)
    let prePeriod = try #require(simulation.truth.prePeriod)
    #expect(pre.armIndices == nil)
    #expect(pre.timestamps!.allSatisfy { $0 < AdLoadSimulator.start })
    #expect(simulation.impressions.timestamps!.allSatisfy { $0 >= AdLoadSimulator.start })
    #expect(simulation.prePeriodSessionDensities.count == pre.sessionCount)
    #expect(simulation.prePeriodSessionDensities.allSatisfy { $0 == 0.10 }, "the pre-period runs at the control density")
    #expect(prePeriod.weeks.count == 3 && prePeriod.weeks.allSatisfy { $0.arm == "pre" && $0.assigned.users == 1_500 })
    #expect(prePeriod.meanTrustAtAssignment < 1)

    let before = Self.organicByUser(pre), after = Self.organicByUser(simulation.impressions)
    var preRates: [Double] = [], postRates: [Double] = []
    for user in simulation.impressions.users.ids {
      guard let a = before[user], let b = after[user] else { continue }
      preRates.append(Double(a.engaged) / Double(a.organic))
      postRates.append(Double(b.engaged) / Double(b.organic))
    }
    #expect(preRates.count == prePeriod.usersInBoth)
    let recomputed = try #require(pearsonCorrelation(preRates, postRates))
    let recorded = try #require(prePeriod.perUserRateCorrelation)
    #expect(abs(recomputed - recorded) < 1e-9)
    #expect(recorded > 0.2)
    #expect(try #require(prePeriod.perUserExpectedRateCorrelation) > recorded, "binomial noise only lowers it")
  }

  // MARK: Truth file

  @Test func truthRoundTripsThroughJSON() throws {
    let truth = try AdLoadSimulator(configuration: Self.small).run().truth
    let json = truth.json()
    let decoded = try JSONDecoder().decode(AdLoadTruth.self, from: Data(json.utf8))
    #expect(decoded == truth)
    #expect(decoded.json() == json)
    #expect(json.range(of: "\"arms\"")!.lowerBound < json.range(of: "\"configuration\"")!.lowerBound)
    #expect(json.contains("\"format\" : \"zhongcao-adload-truth\""))

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adload-truth-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("truth.json").path
    try truth.write(to: path)
    #expect(try AdLoadTruth.load(contentsOf: path) == truth)

    let other = directory.appendingPathComponent("other.json").path
    try Data(json.replacingOccurrences(of: "zhongcao-adload-truth", with: "something-else").utf8).write(to: URL(fileURLWithPath: other))
    #expect(throws: ZhongcaoError.self) { try AdLoadTruth.load(contentsOf: other) }
    do {
      _ = try AdLoadTruth.load(contentsOf: other)
    } catch {
      #expect(error.code == .invalidInput)
      #expect(error.message.contains("something-else"))
    }
    #expect(throws: ZhongcaoError.self) { try AdLoadTruth.load(contentsOf: directory.appendingPathComponent("missing.json").path) }
  }

  // MARK: Logs

  @Test func writtenImpressionsReadBackEqual() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adload-logs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    var observational = Self.small
    observational.design = .observational(meanDensity: 0.2, confounding: 0.5)
    for configuration in [Self.small, observational] {
      let simulation = try AdLoadSimulator(configuration: configuration).run()
      for (name, log) in [("post", simulation.impressions), ("pre", try #require(simulation.prePeriod))] {
        let path = directory.appendingPathComponent("\(name).tsv").path
        try log.write(to: path)
        let (loaded, report) = try ImpressionLog.load(contentsOf: path)
        #expect(loaded == log, "\(name) log of \(configuration.design)")
        #expect(report.skipped == 0)
      }
    }
  }

  @Test func logsHaveTheDocumentedShape() throws {
    let simulation = try AdLoadSimulator(configuration: Self.small).run()
    let log = simulation.impressions, truth = simulation.truth
    #expect(log.arms.ids.sorted() == ["control", "d05", "d15", "d20"])
    #expect(log.users.ids.allSatisfy { $0.hasPrefix("u") && $0.count == 7 })
    let undisclosed = Set(truth.notes.undisclosedPromotion), disclosed = Set(truth.notes.disclosedPartnership)
    #expect(undisclosed.isDisjoint(with: disclosed))
    #expect(!undisclosed.isEmpty && !disclosed.isEmpty)
    #expect(undisclosed.union(disclosed).allSatisfy { $0.hasPrefix("n") })
    #expect(truth.perceivedAdvertising.notes == undisclosed.union(disclosed))
    var sawUndisclosed = false
    for index in 0..<log.count {
      let note = log.notes[Int(log.noteIndices[index])]
      #expect(note.hasPrefix("ad-") == log.sponsored[index])
      #expect(note.hasPrefix("n") == !log.sponsored[index])
      sawUndisclosed = sawUndisclosed || undisclosed.contains(note)
      #expect(log.engagements[index] == 0 || log.engagements[index] == 1)
      #expect(log.dwell![index] >= 0.5)
      if index > 0 && log.sessionIndices[index] == log.sessionIndices[index - 1] {
        #expect(log.positions[index] == log.positions[index - 1] + 1)
        #expect(log.timestamps![index] > log.timestamps![index - 1])
        #expect(log.userIndices[index] == log.userIndices[index - 1])
        #expect(log.armIndices![index] == log.armIndices![index - 1])
      } else {
        #expect(log.positions[index] == 1)
      }
    }
    #expect(sawUndisclosed)
    let end = AdLoadSimulator.start + Int64(Self.small.weeks) * AdLoadSimulator.secondsPerWeek
    #expect(log.timestamps!.allSatisfy { $0 >= AdLoadSimulator.start && $0 < end + 3_600 })
    // A user stays in one arm.
    var armOfUser: [Int32: Int32] = [:]
    for index in 0..<log.count {
      #expect(armOfUser[log.userIndices[index], default: log.armIndices![index]] == log.armIndices![index])
      armOfUser[log.userIndices[index]] = log.armIndices![index]
    }
    #expect(truth.arms.map(\.users) == [75, 75, 75, 75])
    #expect(truth.population.activeUsers == log.users.count)
    #expect(truth.population.clampedLeaveHazards == 0)
  }

  // MARK: Validation

  @Test func invalidConfigurationsAreRejectedWithTheirName() {
    let cases: [(String, (inout Configuration) -> Void)] = [
      ("users must be in 1", { $0.users = 0 }),
      ("weeks must be in 1...520", { $0.weeks = 0 }),
      ("pre-period weeks", { $0.prePeriodWeeks = -1 }),
      ("mean sessions per week", { $0.meanSessionsPerWeek = .nan }),
      ("categories must be in 1...", { $0.categories = 0 }),
      ("undisclosed promotion share + disclosed partnership share", {
        $0.undisclosedPromotionShare = 0.7; $0.disclosedPartnershipShare = 0.4
      }),
      ("base organic engagement rate", { $0.baseOrganicEngagementRate = 0 }),
      ("at least 2 arms", { $0.design = .experiment(arms: [.init(name: "control", density: 0.1)]) }),
      ("appears twice", { $0.design = .experiment(arms: [.init(name: "a", density: 0.1), .init(name: "a", density: 0.2)]) }),
      ("arm names must be non-empty", { $0.design = .experiment(arms: [.init(name: "a b", density: 0.1), .init(name: "c", density: 0.2)]) }),
      ("arm 'x': density must be in [0, 1)", { $0.design = .experiment(arms: [.init(name: "c", density: 0.1), .init(name: "x", density: 1)]) }),
      ("observational mean density", { $0.design = .observational(meanDensity: 0.95, confounding: 0) }),
      ("observational within-user spread", { $0.design = .observational(meanDensity: 0.1, confounding: 0, withinUserSpread: 0.6) }),
      ("organic engagement effect: a linear change of -15.0% per 10 points makes the factor non-positive at density 0.9", {
        $0.design = .observational(meanDensity: 0.1, confounding: 0)
        $0.organicEngagementEffect = .linear(percentPer10Points: -15)
      }),
      ("session length effect must be in (-100, 100]", { $0.sessionLengthEffect = .logLinear(percentPer10Points: -100) }),
      ("trust recovery rate + load sensitivity + undisclosed sensitivity must be at most 1", {
        $0.trust = .init(recoveryRate: 0.5, loadSensitivity: 0.4, undisclosedSensitivity: 0.2)
      }),
      ("trust recovery rate must be positive", { $0.trust = .init(recoveryRate: 0, loadSensitivity: 0.1, undisclosedSensitivity: 0) }),
      ("at most 10⁹ are supported", { $0.users = 100_000_000 }),
    ]
    for (fragment, change) in cases {
      let configuration = Self.configuration(change)
      do {
        _ = try AdLoadSimulator(configuration: configuration).run()
        Issue.record("expected an error containing '\(fragment)'")
      } catch {
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.message.hasPrefix("ad-load simulation: "))
      }
    }
    #expect(throws: Never.self) { try Configuration().validate() }
  }
}
