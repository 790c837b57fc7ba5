import Foundation

/// One bin of a dose-response curve: the outcome rate of the cells whose density falls in
/// [``low``, ``high``), with a cluster-bootstrap interval (users resampled).
public struct DoseResponseBin: Sendable, Hashable, Codable {
  /// The bin's lower edge.
  public var low: Double
  /// The bin's upper edge (the last bin includes it).
  public var high: Double
  /// The exposure-weighted mean density of the bin's cells.
  public var density: Double
  /// Σ outcome ÷ Σ exposure over the bin's cells.
  public var rate: Double
  /// 95% percentile interval of ``rate`` over bootstrap resamples of users.
  public var rateLow: Double
  /// 95% percentile interval of ``rate``.
  public var rateHigh: Double
  /// Users with cells in the bin.
  public var users: Int
  /// Σ exposure of the bin.
  public var exposure: Double
}

/// The dose-response of one outcome on ad density.
public struct OutcomeStudy: Sendable, Hashable, Codable {
  /// The outcome (`organicEngagementRate`, `sessionLength`, `returnRate`).
  public var outcome: String
  /// What one cell is and what its rate means.
  public var definition: String
  /// The binned curve (bins with fewer than the minimum users are left out).
  public var curve: [DoseResponseBin]
  /// Pooled fits (linear and log-linear): confounded when heavier users see more ads.
  public var pooled: [DensitySlope]
  /// Within-user fits (a level per user): only density changes within a user identify them.
  public var withinUser: [DensitySlope]

  /// The pooled fit of a shape.
  public func pooled(_ shape: DoseResponseShape) -> DensitySlope? { pooled.first { $0.shape == shape } }
  /// The within-user fit of a shape.
  public func withinUser(_ shape: DoseResponseShape) -> DensitySlope? { withinUser.first { $0.shape == shape } }
}

/// Which ad load a study measures.
public enum DensityMeasure: String, Sendable, Hashable, Codable, CaseIterable {
  /// Paid slots only.
  case paid
  /// Paid slots plus organic notes perceived as advertising (disclosed partnerships, detected
  /// undisclosed promotion).
  case perceived
}

/// The data a study read, at a glance.
public struct ImpressionOverview: Sendable, Hashable, Codable {
  /// Impressions.
  public var impressions: Int
  /// Sessions.
  public var sessions: Int
  /// Users.
  public var users: Int
  /// Paid slots ÷ slots.
  public var paidDensity: Double
  /// (Paid + perceived organic advertising) ÷ slots.
  public var perceivedDensity: Double
  /// Engagements with organic notes ÷ organic impressions.
  public var organicEngagementRate: Double
  /// Share of sessions with some window of ``AdDensityStudy/Options/window`` slots more than 30%
  /// ads (the Coalition for Better Ads' mobile density limit, as a reference).
  public var sessionsAbove30Percent: Double
}

/// The result of an ad-density study; its JSON (``json()``) is the input of the planner.
public struct AdDensityStudyResult: Sendable, Hashable, Codable {
  /// Version of the JSON shape.
  public var format = "zhongcao-ad-density-study-1"
  /// The data.
  public var overview: ImpressionOverview
  /// The density the curves are on.
  public var measure: DensityMeasure
  /// With a window: the density of each organic impression is that of the `window` slots before
  /// it; without: each session's density.
  public var window: Int?
  /// Bootstrap resamples behind the bins' intervals.
  public var bootstrapSamples: Int
  /// Organic engagement rate.
  public var organicEngagement: OutcomeStudy
  /// Slots per session.
  public var sessionLength: OutcomeStudy
  /// Share of sessions followed by another session of the user within the return window (when
  /// the log has timestamps).
  public var returnRate: OutcomeStudy?
  /// The experiment's analysis (when the log has arms).
  public var experiment: ExperimentAnalysis?

  /// The result as pretty-printed JSON with sorted keys.
  public func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
  }

  /// Reads a result written by ``json()``.
  ///
  /// - Throws: ``ZhongcaoError/Code/invalidInput`` when the text is not a study of this format.
  public static func decode(_ data: Data, name: String) throws(ZhongcaoError) -> AdDensityStudyResult {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      let result = try decoder.decode(AdDensityStudyResult.self, from: data)
      guard result.format == "zhongcao-ad-density-study-1" else {
        throw ZhongcaoError(.invalidInput, "\(name) is a study of format '\(result.format)'; this version reads zhongcao-ad-density-study-1",
                            location: .init(file: name))
      }
      return result
    } catch let error as ZhongcaoError {
      throw error
    } catch {
      throw ZhongcaoError(.invalidInput, "\(name) is not an ad-density study written by `recotrain ads study --json`: \(error)",
                          location: .init(file: name))
    }
  }
}

/// Measures how ad density shifts engagement in a log of feed impressions.
///
/// For each outcome — organic engagement rate, session length, return rate — it gives a binned
/// dose-response curve with cluster-bootstrap intervals (users resampled), pooled linear and
/// log-linear fits, and the same fits within users (a level per user, so users who see more
/// ads because they are heavy users cannot bias them), all with errors clustered by user. When
/// the log has arms it analyses the randomized experiment (``ExperimentAnalysis``): arms against
/// control, CUPED with a pre-period, the line across arms, and effects week by week.
///
/// What the fits can and cannot tell:
/// - Pooled fits compare users with each other: when heavier users see more ads (and engage
///   more), they are confounded — compare them with the within-user fits.
/// - Per-session fits use each session's realised ad share; in short sessions that measures the
///   density the user was served only roughly, which attenuates the fits.
/// - When users leave after irrelevant notes, a session's engagements per impression depend on
///   its length, and density shortens sessions; per-session fits (pooled or within-user) then
///   drift from the per-impression effect (in the simulator: −4.0% for a planted −5%).
/// - A randomized experiment's line across arms (``ExperimentAnalysis/organicEngagementLine``)
///   has none of these problems: it is the estimate to plan with when there is one.
public struct AdDensityStudy: Sendable {
  /// Settings of a study.
  public struct Options: Sendable {
    /// Which load the curves are on.
    public var measure: DensityMeasure = .paid
    /// With a window W, each organic impression's density is the ad share of the W slots before
    /// it in its session (the first slot of a session has none and is left out); without, each
    /// session's density. Also the width of the peak-window density in the overview.
    public var window: Int? = nil
    /// Width of the curve's bins; nil picks a round width giving about 10 bins.
    public var binWidth: Double? = nil
    /// Bins with fewer users are left out of the curve.
    public var minimumBinUsers = 20
    /// Bootstrap resamples for the bins' intervals.
    public var bootstrapSamples = 200
    /// Seed of the bootstrap.
    public var seed: UInt64 = 42
    /// A session counts as returned when the user's next session starts within this many
    /// seconds; sessions closer than this to the end of the log are left out.
    public var returnWindow: Int64 = 7 * 86_400
    /// The experiment's control arm; nil takes the arm with the lowest measured density.
    public var control: String? = nil
    /// When the experiment started (seconds since 1970); nil takes the first impression.
    public var experimentStart: Int64? = nil

    /// The defaults.
    public init() {}
  }

  /// The settings.
  public var options: Options

  /// A study with these settings.
  public init(options: Options = Options()) {
    self.options = options
  }

  /// Runs the study.
  ///
  /// - Parameters:
  ///   - log: the impressions.
  ///   - prePeriod: impressions of the same users before the experiment, for CUPED.
  ///   - perceived: organic notes perceived as advertising.
  /// - Throws: ``ZhongcaoError/Code/invalidArgument`` for bad options,
  ///   ``ZhongcaoError/Code/invalidInput`` when the data cannot identify the effect (no organic
  ///   engagement, no variation in density, one user).
  public func run(_ log: ImpressionLog, prePeriod: ImpressionLog? = nil, perceived: PerceivedAdvertising = .init())
    throws(ZhongcaoError) -> AdDensityStudyResult
  {
    let options = self.options
    if let window = options.window, !(1...10_000).contains(window) {
      throw ZhongcaoError(.invalidArgument, "the window must be 1 to 10000 slots, got \(window)")
    }
    if let width = options.binWidth, !(width > 0 && width <= 1) {
      throw ZhongcaoError(.invalidArgument, "the bin width must be in (0, 1], got \(width)")
    }
    guard options.bootstrapSamples >= 0, options.minimumBinUsers >= 1, options.returnWindow > 0 else {
      throw ZhongcaoError(.invalidArgument, "bootstrap samples must be ≥ 0, minimum bin users ≥ 1 and the return window > 0")
    }
    let window = options.window ?? 10
    let sessions = log.sessionSummaries(perceived: perceived, window: window)
    let perceivedMeasure = options.measure == .perceived
    func density(_ session: SessionSummary) -> Double { perceivedMeasure ? session.perceivedDensity : session.paidDensity }

    var slots = 0, paid = 0, perceivedSlots = 0, organic = 0, engagements = 0.0, above = 0
    for session in sessions {
      slots += session.slots
      paid += session.paid
      perceivedSlots += session.paid + session.perceivedOrganic
      organic += session.organic
      engagements += session.organicEngagements
      if session.peakWindowDensity > 0.3 { above += 1 }
    }
    let overview = ImpressionOverview(
      impressions: log.count, sessions: sessions.count, users: log.users.count,
      paidDensity: Double(paid) / Double(max(slots, 1)), perceivedDensity: Double(perceivedSlots) / Double(max(slots, 1)),
      organicEngagementRate: organic > 0 ? engagements / Double(organic) : 0,
      sessionsAbove30Percent: Double(above) / Double(max(sessions.count, 1)))

    let engagementCells = options.window.map { log.windowCells(window: $0, perceived: perceivedMeasure ? perceived : nil) }
      ?? sessions.compactMap { $0.organic > 0 ? DensityCell(cluster: $0.user, density: density($0), exposure: Double($0.organic), outcome: $0.organicEngagements) : nil }
    let organicEngagement = try outcome(
      "organicEngagementRate", options.window == nil
        ? "engagements with organic notes ÷ organic impressions; one cell per session at the session's ad density"
        : "engagements with organic notes ÷ organic impressions; one cell per user and density of the \(window) slots before the impression",
      cells: engagementCells)
    let lengthCells = sessions.map { DensityCell(cluster: $0.user, density: density($0), exposure: 1, outcome: Double($0.slots)) }
    let sessionLength = try outcome(
      "sessionLength", "slots per session at the session's ad density (observational: a session's realised density and its length are measured together)",
      cells: lengthCells)
    var returnRate: OutcomeStudy? = nil
    if log.timestamps != nil {
      let cells = returnCells(sessions, density: density)
      if cells.contains(where: { $0.outcome > 0 }) {
        returnRate = try? outcome(
          "returnRate", "share of sessions followed by another session of the user within \(options.returnWindow / 3_600) hours, at the session's ad density",
          cells: cells)
      }
    }
    let experiment = log.armIndices == nil ? nil : try ExperimentAnalyzer.analyse(
      log: log, sessions: sessions, prePeriod: prePeriod, perceived: perceivedMeasure, control: options.control,
      start: options.experimentStart)
    return AdDensityStudyResult(
      overview: overview, measure: options.measure, window: options.window, bootstrapSamples: options.bootstrapSamples,
      organicEngagement: organicEngagement, sessionLength: sessionLength, returnRate: returnRate, experiment: experiment)
  }

  /// The curve and fits of one outcome.
  func outcome(_ name: String, _ definition: String, cells: [DensityCell]) throws(ZhongcaoError) -> OutcomeStudy {
    let pooled = try DoseResponseShape.allCases.map { shape throws(ZhongcaoError) in
      try RateRegression.fit(cells, shape: shape, withinUser: false)
    }
    // Within-user fits need users whose density varies; report none rather than fail without.
    let within = DoseResponseShape.allCases.compactMap { try? RateRegression.fit(cells, shape: $0, withinUser: true) }
    return OutcomeStudy(outcome: name, definition: definition, curve: curve(cells), pooled: pooled, withinUser: within)
  }

  /// Sessions as return cells: outcome 1 when the user's next session starts within the return
  /// window; sessions within the window of the log's end are left out (censored).
  func returnCells(_ sessions: [SessionSummary], density: (SessionSummary) -> Double) -> [DensityCell] {
    let end = sessions.compactMap(\.start).max() ?? 0
    let byUser = Dictionary(grouping: sessions.indices.filter { sessions[$0].start != nil }, by: { sessions[$0].user })
    var cells: [DensityCell] = []
    for (user, indices) in byUser {
      let ordered = indices.sorted { sessions[$0].start! < sessions[$1].start! }
      for (position, index) in ordered.enumerated() {
        let start = sessions[index].start!
        guard end - start >= options.returnWindow else { continue }
        let returned = position + 1 < ordered.count && sessions[ordered[position + 1]].start! - start <= options.returnWindow
        cells.append(DensityCell(cluster: user, density: density(sessions[index]), exposure: 1, outcome: returned ? 1 : 0))
      }
    }
    return cells
  }

  /// Bins of density with their rates and cluster (Poisson) bootstrap intervals: each resample
  /// weighs every user by an independent Poisson(1) count drawn from a hash of (seed, resample,
  /// user), so resamples are reproducible and computed in parallel.
  func curve(_ cells: [DensityCell]) -> [DoseResponseBin] {
    let usable = cells.filter { $0.exposure > 0 && $0.density.isFinite }
    guard let maximum = usable.map(\.density).max(), let minimum = usable.map(\.density).min() else { return [] }
    let width = options.binWidth ?? Self.niceWidth(range: maximum - minimum)
    let origin = (minimum / width).rounded(.down) * width
    // The last bin is closed on the right, so a maximum on an edge (e.g. a session of ads only,
    // density 1) does not open a bin of its own beyond it.
    let binCount = max(1, Int(((maximum - origin) / width - 1e-9).rounded(.up)))
    func bin(_ density: Double) -> Int { min(binCount - 1, max(0, Int(((density - origin) / width + 1e-9).rounded(.down)))) }
    // Per user: its totals in each bin (sparse), for the bootstrap.
    var perUser: [Int32: [Int: (exposure: Double, outcome: Double, density: Double)]] = [:]
    for cell in usable {
      perUser[cell.cluster, default: [:]][bin(cell.density), default: (0, 0, 0)].exposure += cell.exposure
      perUser[cell.cluster]![bin(cell.density)]!.outcome += cell.outcome
      perUser[cell.cluster]![bin(cell.density)]!.density += cell.exposure * cell.density
    }
    let users = perUser.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { ($0.key, $0.value) }) }
    var exposure = [Double](repeating: 0, count: binCount), outcome = exposure, densitySum = exposure
    var userCount = [Int](repeating: 0, count: binCount)
    for (_, bins) in users {
      for (index, totals) in bins {
        exposure[index] += totals.exposure
        outcome[index] += totals.outcome
        densitySum[index] += totals.density
        userCount[index] += 1
      }
    }
    let samples = options.bootstrapSamples, seed = options.seed
    let replicates = parallelMap(count: samples, chunkSize: 1, workspace: {}) { _, sample -> [Double] in
      var e = [Double](repeating: 0, count: binCount), o = e
      let sampleSeed = SplitMix64.mix(seed &+ UInt64(sample) &* 0x9E37_79B9_7F4A_7C15)
      for (user, bins) in users {
        let weight = Double(Self.poissonOne(SplitMix64.mix(sampleSeed ^ UInt64(UInt32(bitPattern: user)))))
        guard weight > 0 else { continue }
        for (index, totals) in bins {
          e[index] += weight * totals.exposure
          o[index] += weight * totals.outcome
        }
      }
      return (0..<binCount).map { e[$0] > 0 ? o[$0] / e[$0] : .nan }
    }
    return (0..<binCount).compactMap { index -> DoseResponseBin? in
      guard userCount[index] >= options.minimumBinUsers, exposure[index] > 0 else { return nil }
      let rates = replicates.map { $0[index] }.filter { !$0.isNaN }.sorted()
      let rate = outcome[index] / exposure[index]
      let low = rates.isEmpty ? rate : Self.quantile(rates, 0.025), high = rates.isEmpty ? rate : Self.quantile(rates, 0.975)
            let edge = { (index: Int) in ((origin + Double(index) * width) * 1e12).rounded() / 1e12 }
      return DoseResponseBin(low: edge(index), high: edge(index + 1),
                             density: densitySum[index] / exposure[index], rate: rate, rateLow: low, rateHigh: high,
                             users: userCount[index], exposure: exposure[index])
    }
  }

  /// A round bin width (1, 2, 2.5 or 5 × 10ⁿ) giving about 10 bins over `range`.
  static func niceWidth(range: Double) -> Double {
    guard range > 0 else { return 0.05 }
    let raw = range / 10, magnitude = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
    let step = [1, 2, 2.5, 5, 10].first { $0 * magnitude >= raw } ?? 10
    return step * magnitude
  }

  /// The `q` quantile of sorted values (linear interpolation).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
  }

  /// A Poisson(1) draw from 64 random bits (inversion over the CDF).
  static func poissonOne(_ bits: UInt64) -> Int {
    let u = Double(bits >> 11) * 0x1p-53
    var k = 0, probability = Foundation.exp(-1.0), cumulative = probability
    while u > cumulative, k < 20 {
      k += 1
      probability /= Double(k)
      cumulative += probability
    }
    return k
  }
}
