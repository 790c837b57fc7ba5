import Foundation
import Testing
@testable import Zhongcao

/// A small planted world: each user has a base engagement propensity; each session gets an ad
/// density; organic engagement is Bernoulli(p_user · exp(β · density)).
private struct PlantedWorld {
  var users = 150
  var sessionsPerUser = 4
  var slots = 20
  /// Percent change of the organic rate per +10 points of density (log-linear).
  var percentPer10Points = -8.0
  /// Observational confounding: heavy users (high propensity) get this much more density.
  var confounding = 0.0
  /// Arms of a persistent experiment (densities); empty: density varies by session.
  var arms: [Double] = []
  var seed: UInt64 = 1

  var beta: Double { log(1 + percentPer10Points / 100) / 0.1 }

  /// The log and, with arms, a pre-period log of the same users at density 0.
  func generate(prePeriodSessions: Int = 0) throws -> (ImpressionLog, ImpressionLog?) {
    var random = TestRandom(seed: seed)
    var log = ImpressionLog(), pre = ImpressionLog()
    for user in 0..<users {
      let heaviness = Double(random.normal())
      let propensity = min(0.6, 0.12 * exp(0.5 * heaviness))
      let arm = arms.isEmpty ? nil : Int(random.next() % UInt64(arms.count))
      func session(_ id: String, density: Double, into log: inout ImpressionLog, armName: String?) throws {
        let ads = Int((density * Double(slots)).rounded())
        var adSlots = Set<Int>()
        while adSlots.count < ads { adSlots.insert(Int(random.next() % UInt64(slots))) }
        let realised = Double(ads) / Double(slots)
        for slot in 0..<slots {
          let isAd = adSlots.contains(slot)
          let p = propensity * exp(beta * realised)
          let engaged: Float = !isAd && Double(random.uniform()) < p ? 1 : 0
          try log.append(user: "u\(user)", session: id, position: Int32(slot + 1), note: isAd ? "ad\(slot)" : "n\(random.next() % 500)",
                         sponsored: isAd, engagement: engaged, timestamp: Int64(slot), arm: armName)
        }
      }
      for s in 0..<sessionsPerUser {
        let density: Double
        if let arm { density = arms[arm] } else {
          density = min(0.45, max(0, 0.15 + confounding * heaviness + 0.08 * Double(random.normal())))
        }
        try session("s\(s)", density: density, into: &log, armName: arm.map { "arm\($0)" })
      }
      for s in 0..<prePeriodSessions { try session("p\(s)", density: 0, into: &pre, armName: nil) }
    }
    return (log, prePeriodSessions > 0 ? pre : nil)
  }
}

@Suite struct AdDensityStudyTests {
  private func study(bootstrap: Int = 0) -> AdDensityStudy {
    var options = AdDensityStudy.Options()
    options.bootstrapSamples = bootstrap
    return AdDensityStudy(options: options)
  }

  @Test func plantedSlopeIsInsideTheIntervalInAtLeast90Of100Replications() throws {
    var pooledCovered = 0, withinCovered = 0
    for replication in 0..<100 {
      let world = PlantedWorld(seed: UInt64(1_000 + replication))
      let (log, _) = try world.generate()
      let result = try study().run(log)
      let pooled = try #require(result.organicEngagement.pooled(.logLinear))
      let within = try #require(result.organicEngagement.withinUser(.logLinear))
      if pooled.low <= world.percentPer10Points && world.percentPer10Points <= pooled.high { pooledCovered += 1 }
      if within.low <= world.percentPer10Points && world.percentPer10Points <= within.high { withinCovered += 1 }
    }
    #expect(pooledCovered >= 90, "pooled log-linear interval covered the planted slope in \(pooledCovered) of 100")
    #expect(withinCovered >= 90, "within-user log-linear interval covered the planted slope in \(withinCovered) of 100")
    // Intervals that always cover are useless: they must also exclude a wrong value most of the time.
    let (log, _) = try PlantedWorld(users: 600, seed: 7).generate()
    let slope = try #require(try study().run(log).organicEngagement.pooled(.logLinear))
    #expect(slope.high < 0, "a −8%/10 points effect on 600 users is detected: \(slope.low)…\(slope.high)")
  }

  @Test func underConfoundingTheNaiveEstimateIsBiasedAndTheWithinUserOneIsNot() throws {
    // Heavy users engage more and see more ads: the pooled slope is pulled up (less negative).
    var naiveMisses = 0, withinCovered = 0, naiveAbove = 0
    for replication in 0..<20 {
      let world = PlantedWorld(users: 300, confounding: 0.08, seed: UInt64(50 + replication))
      let (log, _) = try world.generate()
      let result = try study().run(log)
      let naive = try #require(result.organicEngagement.pooled(.logLinear))
      let within = try #require(result.organicEngagement.withinUser(.logLinear))
      if !(naive.low <= world.percentPer10Points && world.percentPer10Points <= naive.high) { naiveMisses += 1 }
      if naive.percentPer10Points > world.percentPer10Points { naiveAbove += 1 }
      if within.low <= world.percentPer10Points && world.percentPer10Points <= within.high { withinCovered += 1 }
    }
    #expect(naiveAbove == 20, "the naive slope is biased upwards in every replication (\(naiveAbove) of 20)")
    #expect(naiveMisses >= 15, "the naive interval misses the planted slope in \(naiveMisses) of 20")
    #expect(withinCovered >= 17, "the within-user interval covers it in \(withinCovered) of 20")
  }

  @Test func linearAndLogLinearFitsMatchClosedFormsOnExactData() throws {
    // Noise-free cells: rate = 0.2·(1 − 0.5·d) is exactly linear; the linear fit recovers it.
    let cells = (0..<40).map { index in
      let density = Double(index % 8) / 20
      return DensityCell(cluster: Int32(index / 2), density: density, exposure: 100, outcome: 100 * 0.2 * (1 - 0.5 * density))
    }
    let linear = try RateRegression.fit(cells, shape: .linear, withinUser: false)
    #expect(abs(linear.baseline - 0.2) < 1e-9 && abs(linear.coefficient + 0.1) < 1e-9)
    #expect(abs(linear.percentPer10Points + 5) < 1e-6)
    #expect(linear.standardError < 1e-9)
    let within = try RateRegression.fit(cells, shape: .linear, withinUser: true)
    #expect(abs(within.coefficient + 0.1) < 1e-9)
    // Exactly log-linear data: the Poisson fit recovers the coefficient.
    let exponential = (0..<40).map { index in
      let density = Double(index % 8) / 20
      return DensityCell(cluster: Int32(index / 2), density: density, exposure: 50, outcome: 50 * 0.3 * exp(-1.2 * density))
    }
    let logLinear = try RateRegression.fit(exponential, shape: .logLinear, withinUser: false)
    #expect(abs(logLinear.coefficient + 1.2) < 1e-8 && abs(logLinear.baseline - 0.3) < 1e-8)
    #expect(abs(logLinear.percentPer10Points - 100 * (exp(-0.12) - 1)) < 1e-6)
    let withinLog = try RateRegression.fit(exponential, shape: .logLinear, withinUser: true)
    #expect(abs(withinLog.coefficient + 1.2) < 1e-8)
    // Without variation in density there is no slope.
    let flat = cells.map { DensityCell(cluster: $0.cluster, density: 0.1, exposure: $0.exposure, outcome: $0.outcome) }
    #expect(throws: ZhongcaoError.self) { try RateRegression.fit(flat, shape: .linear, withinUser: false) }
  }

  @Test func cupedCutsVarianceByAboutTheSquaredPrePostCorrelation() throws {
    let world = PlantedWorld(users: 2_000, sessionsPerUser: 3, arms: [0, 0.1, 0.2, 0.3], seed: 11)
    let (log, pre) = try world.generate(prePeriodSessions: 3)
    let result = try study().run(log, prePeriod: pre)
    let experiment = try #require(result.experiment)
    let cuped = try #require(experiment.organicEngagementRate.cuped)
    let predicted = cuped.correlation * cuped.correlation
    #expect(cuped.correlation > 0.3, "users' pre and post rates share their propensity: ρ = \(cuped.correlation)")
    #expect(abs(cuped.varianceReduction - predicted) < 0.03, "variance reduction \(cuped.varianceReduction) vs ρ² = \(predicted)")
    // The adjusted effects are tighter and the control arm is the lowest density.
    #expect(experiment.control == "arm0")
    for arm in experiment.organicEngagementRate.arms.dropFirst() {
      let plain = try #require(arm.effect), adjusted = try #require(arm.cupedEffect)
      #expect(adjusted.percentHigh - adjusted.percentLow < plain.percentHigh - plain.percentLow)
    }
    // The line across arms recovers the planted effect (linear approximation of −8%/10 points at
    // these densities: between −9% and −6.5%).
    let slope = try #require(experiment.organicEngagementRate.slope)
    #expect(slope.low < -6.5 && slope.high > -9.2 && slope.percentPer10Points < -5, "\(slope)")
  }

  @Test func armsRecoverPlantedEffectsAgainstControl() throws {
    let world = PlantedWorld(users: 3_000, sessionsPerUser: 4, arms: [0, 0.2], seed: 5)
    let (log, _) = try world.generate()
    let experiment = try #require(try study().run(log).experiment)
    let treatment = try #require(experiment.organicEngagementRate.arms.last?.effect)
    let planted = 100 * (exp(world.beta * 0.2) - 1)
    #expect(treatment.percentLow <= planted && planted <= treatment.percentHigh, "\(treatment) vs planted \(planted)")
    #expect(abs(experiment.organicEngagementRate.arms[1].density - 0.2) < 1e-9)
    #expect(experiment.weekly.count == 1)
  }

  @Test func binnedCurveMatchesBruteForceAndItsIntervalsContainTheRate() throws {
    let (log, _) = try PlantedWorld(users: 300, seed: 9).generate()
    let result = try study(bootstrap: 100).run(log)
    let sessions = log.sessionSummaries()
    let maximum = sessions.map(\.paidDensity).max()!  // the last bin is closed on the right
    for bin in result.organicEngagement.curve {
      let inside = sessions.filter { session in
        let d = session.paidDensity
        return d >= bin.low - 1e-9 && (d < bin.high - 1e-9 || (bin.high >= maximum - 1e-9 && d <= bin.high + 1e-9))
      }
      let rate = inside.reduce(0) { $0 + $1.organicEngagements } / Double(inside.reduce(0) { $0 + $1.organic })
      #expect(abs(rate - bin.rate) < 1e-12)
      #expect(bin.rateLow <= bin.rate && bin.rate <= bin.rateHigh && bin.rateLow < bin.rateHigh)
    }
    #expect(result.organicEngagement.curve.count >= 4)
    // Reproducible for a seed.
    #expect(try study(bootstrap: 100).run(log).organicEngagement.curve == result.organicEngagement.curve)
  }

  @Test func windowCellsMatchABruteForceCount() throws {
    var log = ImpressionLog()
    var random = TestRandom(seed: 4)
    for session in 0..<30 {
      let length = 1 + Int(random.next() % 15)
      // Positions shuffled in the file: the window must follow positions, not file order.
      for position in (0..<length).shuffled(using: &random) {
        try log.append(user: "u\(session % 7)", session: "s\(session)", position: Int32(position * 3),
                       note: "n\(random.next() % 20)", sponsored: random.next() % 3 == 0, engagement: Float(random.next() % 2))
      }
    }
    let perceived = PerceivedAdvertising(notes: ["n1", "n2", "n3"])
    for window in [1, 3, 5] {
      for set in [nil, perceived] {
        var expected: [String: (Double, Double)] = [:]
        for session in 0..<log.sessionCount {
          let slots = (0..<log.count).filter { log.sessionIndices[$0] == session }.sorted { log.positions[$0] < log.positions[$1] }
          for (offset, index) in slots.enumerated() where offset > 0 && !log.sponsored[index] {
            let before = slots[max(0, offset - window)..<offset]
            let ads = before.filter { log.sponsored[$0] || (set?.notes.contains(log.notes[Int(log.noteIndices[$0])]) ?? false) }.count
            let key = "\(log.sessionUsers[session]) \(ads)/\(before.count)"
            expected[key, default: (0, 0)].0 += 1
            expected[key, default: (0, 0)].1 += Double(log.engagements[index])
          }
        }
        let cells = log.windowCells(window: window, perceived: set)
        #expect(cells.count == expected.count)
        for cell in cells {
          let matching = expected.filter { $0.key.hasPrefix("\(cell.cluster) ") }
            .filter { entry in
              let parts = entry.key.split(separator: " ")[1].split(separator: "/")
              return abs(Double(parts[0])! / Double(parts[1])! - cell.density) < 1e-12 && entry.value.0 == cell.exposure
                && entry.value.1 == cell.outcome
            }
          #expect(!matching.isEmpty, "window \(window): no brute-force cell for \(cell)")
        }
      }
    }
  }

  @Test func perceivedLoadCountsDisclosedAndDetectedOrganicNotes() throws {
    var log = ImpressionLog()
    for (position, note, paid) in [(1, "a", false), (2, "ad", true), (3, "partner", false), (4, "b", false), (5, "covert", false)] {
      try log.append(user: "u", session: "s", position: Int32(position), note: note, sponsored: paid, engagement: 0)
    }
    let summary = try #require(log.sessionSummaries(perceived: PerceivedAdvertising(notes: ["partner", "covert"]), window: 2).first)
    #expect(summary.paidDensity == 0.2 && summary.perceivedDensity == 0.6 && summary.organic == 4)
    #expect(summary.peakWindowDensity == 0.5)
  }

  @Test func plannerPicksTheKnownOptimum() throws {
    // Engagement falls 2% per +10 points (log-linear); session length does not move: revenue
    // grows with density, so the 2% loss limit binds exactly at 10%.
    let beta = log(0.98) / 0.1
    let planner = AdDensityPlanner(maximumLoss: 0.02, revenuePerAd: 1.5)
    let plan = try planner.plan(engagement: { 0.1 * exp(beta * $0) }, sessionLength: { _ in 20 }, studiedMaximum: 0.4)
    #expect(abs(plan.density - 0.1) < 0.0006 && plan.limitedBy == "loss limit")
    #expect(abs(plan.expected.revenuePerSession - 1.5 * plan.density * 20) < 1e-9)
    // Session length falling as exp(−5d): revenue d·e^(−5d) peaks at d = 0.2, inside a loose limit.
    let loose = AdDensityPlanner(maximumLoss: 0.5, revenuePerAd: 1)
    let peak = try loose.plan(engagement: { 0.1 * exp(beta * $0) }, sessionLength: { 20 * exp(-5 * $0) }, studiedMaximum: 0.4)
    #expect(abs(peak.density - 0.2) < 0.0006 && peak.limitedBy == "revenue maximum")
    // The per-session measure also counts displaced organic slots: 2% allows far less.
    var perSession = planner
    perSession.lossMeasure = .perSession
    let strict = try perSession.plan(engagement: { 0.1 * exp(beta * $0) }, sessionLength: { _ in 20 }, studiedMaximum: 0.4)
    #expect(strict.density < 0.02 && strict.expected.organicEngagementChange >= -2 - 1e-9)
    // Never beyond the studied range.
    let capped = try loose.plan(engagement: { _ in 0.1 }, sessionLength: { _ in 20 }, studiedMaximum: 0.25)
    #expect(capped.density == 0.25 && capped.limitedBy == "studied range")
    #expect(throws: ZhongcaoError.self) { try AdDensityPlanner(maximumLoss: 1.2, revenuePerAd: 1).plan(engagement: { _ in 1 }, sessionLength: { _ in 1 }, studiedMaximum: 0.3) }
  }

  @Test func plannerReadsAStudyBackFromJSON() throws {
    let (log, _) = try PlantedWorld(users: 400, percentPer10Points: -10, seed: 21).generate()
    let result = try study().run(log)
    let decoded = try AdDensityStudyResult.decode(Data(result.json().utf8), name: "study.json")
    #expect(decoded == result)
    let plan = try AdDensityPlanner(maximumLoss: 0.05, revenuePerAd: 1).plan(from: decoded)
    let engagement = try #require(decoded.organicEngagement.withinUser(.logLinear))
    #expect(abs(engagement.rate(at: plan.density) / engagement.baseline - 0.95) < 0.002)
    #expect(plan.basis.contains("within-user"))
    #expect(throws: ZhongcaoError.self) { try AdDensityStudyResult.decode(Data("{\"format\": 3}".utf8), name: "bad.json") }
  }

  @Test func impressionsRoundTripAndLoaderErrorsNameLineAndField() throws {
    let (log, _) = try PlantedWorld(users: 5, sessionsPerUser: 2, slots: 4, arms: [0, 0.25], seed: 2).generate()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("impressions-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("log.tsv").path
    try log.write(to: path)
    let (back, report) = try ImpressionLog.load(contentsOf: path)
    #expect(back == log && report.hadHeader && report.columns.contains("arm"))
    // Sessions are per user: 300 users each with sessions "s0", "s1" are 600 sessions (user
    // indices past 127 are not UTF-8 bytes, which once merged sessions of different users).
    let (many, _) = try PlantedWorld(users: 300, sessionsPerUser: 2, slots: 2, seed: 3).generate()
    try many.write(to: path)
    let manyBack = try ImpressionLog.load(contentsOf: path).0
    #expect(manyBack == many && manyBack.sessionCount == 600)

    func failure(_ text: String) -> ZhongcaoError? {
      do { _ = try ImpressionLog.parse(Array(text.utf8), name: "x.tsv"); return nil } catch { return error }
    }
    let header = "user\tsession\tposition\tnote\tsponsored\tengaged\n"
    let cases: [(String, Int, String, String)] = [
      (header + "u\ts\t1\tn\t0\t1\nu\ts\tx\tn\t0\t1\n", 3, "position", "not an integer"),
      (header + "u\ts\t1\tn\tmaybe\t1\n", 2, "sponsored", "1/0"),
      (header + "u\ts\t1\tn\t0\t-2\n", 2, "engaged", "non-negative"),
      (header + "u\ts\t1\t\t0\t1\n", 2, "note", "empty"),
      (header + "u\ts\t1\tn\n", 2, "sponsored", "needs 6"),
      ("u\ts\t1\tn\t0\n", 1, "engaged", "at least 6"),
      ("user\tnote\tengaged\nu\tn\t1\n", 2, "session", "no session column"),
      (header.dropLast() + "\tdwell\nu\ts\t1\tn\t0\t1\t-3\n", 2, "dwell", "non-negative"),
      // Ids over 4,096 bytes, and a stray quote that swallows the lines up to the next quote
      // (one never closed is an error of its own).
      (header + "u\ts\t1\t\(String(repeating: "n", count: 4097))\t0\t1\n", 2, "note", "4097 bytes long"),
      (header + "u\t\(String(repeating: "s", count: 5000))\t1\tn\t0\t1\n", 2, "session", "5000 bytes long"),
      (header + "u\ts\t1\tn\t0\t1\n\"u" + String(repeating: "\tv\ts\t1\tn\t0\t1\n", count: 500) + "\"\ts\t1\tn\t0\t1\n", 3, "user", "never closed"),
    ]
    for (text, line, field, words) in cases {
      let error = try #require(failure(text), "\(text) should fail")
      #expect(error.location?.line == line && error.location?.field == field && error.message.contains(words), "\(error)")
    }
    #expect(failure(header)?.message.contains("no impressions") == true)
    let skipped = try ImpressionLog.parse(Array((header + "u\ts\t1\tn\t0\t1\nu\ts\tx\tn\t0\t1\n").utf8), name: "x.tsv", skipInvalid: true)
    #expect(skipped.0.count == 1 && skipped.1.skipped == 1)
    // A user who changes arms breaks a persistent experiment.
    let moved = "user\tsession\tposition\tnote\tsponsored\tengaged\tarm\nu\ts\t1\tn\t0\t1\ta\nu\tt\t1\tn\t1\t0\tb\nv\ts\t1\tn\t0\t1\ta\n"
    let (movedLog, _) = try ImpressionLog.parse(Array(moved.utf8), name: "moved.tsv")
    #expect(throws: ZhongcaoError.self) { try study().run(movedLog) }
  }
}

/// The studies against the simulator's planted truth.
@Suite struct AdDensityStudySimulationTests {
  private func configuration(users: Int, weeks: Int, seed: UInt64) -> AdLoadSimulator.Configuration {
    var configuration = AdLoadSimulator.Configuration()
    configuration.users = users
    configuration.weeks = weeks
    configuration.seed = seed
    configuration.organicNotes = 500
    configuration.simulatesCounterfactualArms = false
    return configuration
  }

  private func study(_ simulation: AdLoadSimulation) throws -> AdDensityStudyResult {
    var options = AdDensityStudy.Options()
    options.bootstrapSamples = 0
    return try AdDensityStudy(options: options).run(simulation.impressions, prePeriod: simulation.prePeriod)
  }

  @Test func theLineAcrossArmsCoversThePlantedSlopeInAtLeast90Of100Replications() throws {
    var covered = 0, linearCovered = 0, lengthCovered = 0
    for replication in 0..<100 {
      var configuration = configuration(users: 300, weeks: 2, seed: UInt64(7_000 + replication))
      configuration.trust = .off
      configuration.organicEngagementEffect = .logLinear(percentPer10Points: -6)
      configuration.design = .experiment(arms: [.init(name: "control", density: 0), .init(name: "low", density: 0.15),
                                                .init(name: "high", density: 0.3)])
      let simulation = try AdLoadSimulator(configuration: configuration).run()
      let experiment = try #require(try study(simulation).experiment)
      let line = try #require(experiment.organicEngagementLine(.logLinear))
      if line.low <= -6 && -6 <= line.high { covered += 1 }
      // Session length: the simulator's default planted effect, −3% per +10 points (log-linear).
      let length = try #require(experiment.sessionLengthLine(.logLinear))
      if length.low <= -3 && -3 <= length.high { lengthCovered += 1 }
      // The truth's own arm ratios, fitted in the same shape, give the same planted value.
      #expect(abs(simulation.truth.organicEngagementSlope - log(0.94) / 0.1) < 1e-12)
      if let linear = try study(simulation).experiment?.organicEngagementLine(.linear) {
        let plantedLinear = 100 * 0.1 * (exp(log(0.94) / 0.1 * 0.15) - 1) / 0.15  // chord slope, for reference only
        if linear.low <= plantedLinear + 1 && plantedLinear - 1 <= linear.high { linearCovered += 1 }
      }
    }
    #expect(covered >= 90, "the log-linear line across arms covered −6%/10 points in \(covered) of 100 replications")
    #expect(lengthCovered >= 90, "the session-length line covered −3%/10 points in \(lengthCovered) of 100")
    #expect(linearCovered >= 80, "the linear line is close to the chord in \(linearCovered) of 100")
  }

  @Test func underSimulatedConfoundingTheNaiveSlopeIsBiasedAndTheWithinUserOneIsNot() throws {
    var configuration = configuration(users: 3_000, weeks: 3, seed: 17)
    configuration.trust = .off
    configuration.organicEngagementEffect = .logLinear(percentPer10Points: -5)
    configuration.propensityActivityCorrelation = 0.8
    // Long sessions and a wide spread within users: a session's realised ad share then measures
    // its density closely (short sessions would attenuate any fit on realised shares).
    configuration.meanFeedLength = 80
    configuration.feedLengthSigma = 0.1
    // Leaving after irrelevant notes makes a session's engagements per impression depend on its
    // length, and density shortens sessions: per-session fits then drift (−4.0% for −5%; see the
    // study's documentation). Without it the within-user estimate is unbiased.
    configuration.leaveRelevanceSensitivity = 0
    configuration.design = .observational(meanDensity: 0.15, confounding: 0.8, withinUserSpread: 0.15)
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let result = try study(simulation)
    let naive = try #require(result.organicEngagement.pooled(.logLinear))
    let within = try #require(result.organicEngagement.withinUser(.logLinear))
    #expect(naive.low > -5, "the naive interval lies above the planted −5%: \(naive.low)…\(naive.high)")
    #expect(within.low <= -5 && -5 <= within.high, "the within-user interval covers −5%: \(within.low)…\(within.high)")
  }

  @Test func cupedCutsVarianceAsThePlantedPrePostCorrelationPredicts() throws {
    var configuration = configuration(users: 4_000, weeks: 2, seed: 23)
    configuration.prePeriodWeeks = 2
    configuration.design = .experiment(arms: [.init(name: "control", density: 0.05), .init(name: "more", density: 0.2)])
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let experiment = try #require(try study(simulation).experiment)
    let cuped = try #require(experiment.organicEngagementRate.cuped)
    let planted = try #require(simulation.truth.prePeriod?.perUserRateCorrelation)
    #expect(abs(cuped.correlation - planted) < 0.02, "study ρ \(cuped.correlation) vs simulator ρ \(planted)")
    // Users without a pre-period keep their raw value, so the reduction is ρ² scaled by their share.
    let share = Double(cuped.usersWithPrePeriod) / Double(experiment.organicEngagementRate.arms.reduce(0) { $0 + $1.users })
    #expect(abs(cuped.varianceReduction - planted * planted * share) < 0.05,
            "variance reduction \(cuped.varianceReduction) vs ρ²·share \(planted * planted * share)")
    let effect = try #require(experiment.organicEngagementRate.arms.last?.effect)
    let adjusted = try #require(experiment.organicEngagementRate.arms.last?.cupedEffect)
    #expect(adjusted.percentHigh - adjusted.percentLow < effect.percentHigh - effect.percentLow)
  }

  @Test func trustLearningMakesTheLongRunEffectLargerThanTheShortRun() throws {
    var configuration = configuration(users: 6_000, weeks: 12, seed: 29)
    configuration.simulatesCounterfactualArms = true
    configuration.design = .experiment(arms: [.init(name: "control", density: 0), .init(name: "mid", density: 0.15),
                                              .init(name: "high", density: 0.3)])
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    let experiment = try #require(try study(simulation).experiment)
    let short = try #require(experiment.shortRun), long = try #require(experiment.longRun)
    #expect(experiment.weekly.count == 12)
    #expect(long.percentPer10Points < short.percentPer10Points, "long run \(long.percentPer10Points) vs week 1 \(short.percentPer10Points)")
    // The estimand of a week's line is the arms' expected rates among that week's impressions
    // (the users who still come back): the truth's `assigned` outcomes, fitted in the same shape.
    func assignedTruth(week: Int) throws -> Double {
      let rows = simulation.truth.weeks.filter { $0.week == week }
      let rates = try rows.map { try #require($0.assigned.expectedOrganicEngagementRate) }
      return try #require(AdLoadTruth.percentPer10Points(densities: rows.map { $0.density ?? 0 }, ratios: rates, shape: .logLinear))
    }
    let truthWeek1 = try assignedTruth(week: 1)
    let truthLast = try (10...12).map(assignedTruth(week:)).reduce(0, +) / 3
    // The population effect (every user under every arm) grows the same way.
    let populationWeek1 = try #require(simulation.truth.weeklyEffects.first?.organicEngagementPercentPer10Points)
    let populationLast = try #require(simulation.truth.weeklyEffects.last?.organicEngagementPercentPer10Points)
    #expect(populationLast < populationWeek1)
    #expect(short.low <= truthWeek1 && truthWeek1 <= short.high, "week 1: \(short.low)…\(short.high) vs truth \(truthWeek1)")
    #expect(long.low <= truthLast && truthLast <= long.high, "long run: \(long.low)…\(long.high) vs truth \(truthLast)")
  }
}
