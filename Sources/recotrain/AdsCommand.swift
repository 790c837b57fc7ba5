import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain ads`: how ad density shifts engagement, and how much to show.
struct AdsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ads",
    abstract: "Measure how ad density shifts organic engagement, simulate it, and plan the ad load.",
    discussion: """
      Impressions are TSV/CSV: user session position note sponsored engaged [dwell] [timestamp] [arm] \
      (a header may name them in any order).

      Typical session:
        recotrain ads simulate --users 20000 --weeks 8 --pre-weeks 2 --out impressions.tsv --pre pre.tsv \\
          --truth truth.json --perceived-out perceived.txt
        recotrain ads study --impressions impressions.tsv --pre pre.tsv --perceived perceived.txt \\
          --plot curve.svg --out study.json
        recotrain ads plan --study study.json --max-loss 0.02 --revenue-per-ad 0.8
      """,
    subcommands: [AdsSimulateCommand.self, AdsStudyCommand.self, AdsPlanCommand.self])
}

/// `recotrain ads simulate`.
struct AdsSimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Simulate feed impressions under a planted ad-density effect, with the truth written down.",
    discussion: """
      Users with tastes, activity and a trust state that falls with perceived ad load (paid ads, \
      disclosed partnerships, undisclosed promotion) and recovers slowly; engagement and session \
      length depend on relevance, density and trust. A persistent multi-arm experiment (--arms) or \
      observational data where heavier users see more ads (--observational). Every planted \
      parameter and the exact estimands go to --truth (JSON). AdLoadSimulator's documentation has \
      the equations.

      Examples:
        recotrain ads simulate --users 20000 --weeks 12 --arms control=0,low=0.1,high=0.2 --out impressions.tsv --truth truth.json
        recotrain ads simulate --observational 0.15 --confounding 0.6 --no-trust --out observational.tsv --truth truth.json
      """)

  @Option(help: "Users.") var users: Int = 20_000
  @Option(help: "Weeks after assignment.") var weeks: Int = 8
  @Option(help: "Weeks before assignment at the control density, written to --pre (for CUPED).") var preWeeks: Int = 0
  @Option(help: "Experiment arms as name=density, the control first.")
  var arms: String = "d05=0.05,d10=0.10,d15=0.15,d20=0.20,d25=0.25"
  @Option(help: "Observational data instead of an experiment: the mean session ad density.") var observational: Double?
  @Option(help: "With --observational: how strongly heavier users get more ads (0 = not at all).") var confounding: Double = 0.5
  @Option(parsing: .unconditional, help: "Planted change of the organic engagement rate per +10 points of density, in percent.") var effect: Double = -2
  @Option(help: "Shape of the planted engagement effect: linear or log-linear.") var shape: DoseResponseShape = .logLinear
  @Option(parsing: .unconditional, help: "Planted change of session length per +10 points of density, in percent.") var sessionLengthEffect: Double = -3
  @Flag(help: "Switch trust dynamics off (effects then do not grow over the weeks).") var noTrust = false
  @Option(help: "Random seed.") var seed: UInt64 = 42
  @Option(help: "Where to write the impressions (TSV).") var out: String
  @Option(help: "Where to write the pre-period impressions (needs --pre-weeks).") var pre: String?
  @Option(help: "Where to write the truth (JSON).") var truth: String?
  @Option(help: "Where to write the ids of organic notes perceived as advertising (for `ads study --perceived`).")
  var perceivedOut: String?
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      var configuration = AdLoadSimulator.Configuration()
      configuration.users = users
      configuration.weeks = weeks
      configuration.prePeriodWeeks = preWeeks
      configuration.seed = seed
      configuration.organicEngagementEffect = AdLoadSimulator.DensityEffect(shape, percentPer10Points: effect)
      configuration.sessionLengthEffect = .logLinear(percentPer10Points: sessionLengthEffect)
      if noTrust { configuration.trust = .off }
      if let observational {
        configuration.design = .observational(meanDensity: observational, confounding: confounding)
      } else {
        configuration.design = .experiment(arms: try Self.arms(arms))
      }
      guard pre == nil || preWeeks > 0 else {
        throw ZhongcaoError(.invalidArgument, "--pre needs --pre-weeks (the weeks to simulate before assignment)")
      }
      let clock = ContinuousClock(), start = clock.now
      let simulation = try AdLoadSimulator(configuration: configuration).run()
      let simulated = seconds(clock.now - start)
      try simulation.impressions.write(to: out)
      if let pre, let prePeriod = simulation.prePeriod { try prePeriod.write(to: pre) }
      if let truth { try simulation.truth.write(to: truth) }
      if let perceivedOut {
        let ids = simulation.truth.perceivedAdvertising.notes.sorted()
        try AtomicFile.write(Array(ids.map { $0 + "\n" }.joined().utf8), to: perceivedOut)
      }
      if !quiet {
        Console.note("simulated \(simulation.impressions.count) impressions in \(simulation.impressions.sessionCount) sessions of \(users) users in \(formatSeconds(simulated))")
        for path in [out, pre, truth, perceivedOut].compactMap({ $0 }) { Console.note("wrote \(path)") }
      }
    }
  }

  /// Arms from `name=density,…`.
  static func arms(_ text: String) throws(ZhongcaoError) -> [AdLoadSimulator.Arm] {
    var arms: [AdLoadSimulator.Arm] = []
    for part in text.split(separator: ",") {
      let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard pieces.count == 2, !pieces[0].isEmpty, let density = Double(pieces[1]) else {
        throw ZhongcaoError(.invalidArgument, "--arms takes name=density pairs separated by commas (control=0,more=0.2), got '\(part)'")
      }
      arms.append(AdLoadSimulator.Arm(name: pieces[0], density: density))
    }
    return arms
  }
}

/// `recotrain ads study`.
struct AdsStudyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "study",
    abstract: "Dose-response of organic engagement, session length and return rate on ad density.",
    discussion: """
      Prints, for organic engagement (engagements with organic notes ÷ organic impressions), session \
      length and return rate: the binned curve with cluster-bootstrap intervals (users resampled), \
      pooled and within-user linear and log-linear fits as "% change per +10 points of density" \
      with user-clustered 95% intervals. With an arm column: arms against control, CUPED with \
      --pre, the line across arms, and short-run (week 1) vs long-run (last quarter of the weeks) \
      effects. With --notes, organic notes a trust scan judges advertising count in the \
      perceived ad load.

      Example:
        recotrain ads study --impressions impressions.tsv --pre pre.tsv --window 10 --plot curve.svg
      """)

  @Option(help: "Impressions (TSV/CSV).") var impressions: String
  @Option(help: "Impressions of the same users before the experiment, for CUPED.") var pre: String?
  @Option(help: "Notes (JSON Lines) to scan for disclosed partnerships and undisclosed promotion (perceived load).")
  var notes: String?
  @Option(help: "A detector trained with `recotrain trust train`, for --notes (default: train on those notes).")
  var model: String?
  @Option(help: "Note ids perceived as advertising, one per line (e.g. from `ads simulate --perceived-out`); added to --notes.")
  var perceived: String?
  @Option(help: "Density of each organic impression over the W slots before it (default: per session).") var window: Int?
  @Option(help: "Which ad load the curves are on: paid or perceived (default: perceived with --notes, else paid).")
  var density: DensityMeasure?
  @Option(help: "The experiment's control arm (default: the arm with the lowest measured density).") var control: String?
  @Option(help: "Bootstrap resamples for the curve's intervals.") var bootstrap: Int = 200
  @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 42
  @Option(help: "Write the study as JSON here (the input of `ads plan`).") var out: String?
  @Option(help: "Write the dose-response plot (SVG) here.") var plot: String?
  @Flag(help: "Skip malformed impression lines instead of failing.") var skipInvalid = false
  @Flag(help: "Print the study as JSON on stdout.") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let clock = ContinuousClock()
      let start = clock.now
      if !quiet && !json { Console.note("reading \(impressions) …") }
      let (log, report) = try ImpressionLog.load(contentsOf: impressions, skipInvalid: skipInvalid)
      if report.skipped > 0 && !quiet {
        Console.note("recotrain: skipped \(report.skipped) invalid line(s) of \(impressions); first: \(report.firstProblems.first.map { "\($0)" } ?? "")")
      }
      let prePeriod = try pre.map { path throws(ZhongcaoError) in try ImpressionLog.load(contentsOf: path, skipInvalid: skipInvalid).0 }
      var perceivedNotes = PerceivedAdvertising()
      if let notes {
        if !quiet && !json { Console.note("scanning \(notes) for perceived advertising …") }
        let (corpus, _) = try NoteLoader.load(contentsOf: notes)
        var configuration = TrustScanner.Configuration()
        if let model { configuration.detector = try SponsoredDetector(contentsOf: model) }
        perceivedNotes = PerceivedAdvertising(scan: try TrustScanner(configuration: configuration).scan(corpus))
      }
      if let perceived {
        let text: String
        do { text = try String(contentsOfFile: perceived, encoding: .utf8) } catch {
          throw ZhongcaoError(.io, "cannot read perceived-advertising list \(perceived): \(error.localizedDescription)",
                              location: .init(file: perceived))
        }
        let ids = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        perceivedNotes.notes.formUnion(ids)
      }
      var options = AdDensityStudy.Options()
      options.measure = density ?? (notes == nil && perceived == nil ? .paid : .perceived)
      options.window = window
      options.control = control
      options.bootstrapSamples = bootstrap
      options.seed = seed
      if !quiet && !json { Console.note("studying \(log.count) impressions in \(log.sessionCount) sessions …") }
      let result = try AdDensityStudy(options: options).run(log, prePeriod: prePeriod, perceived: perceivedNotes)
      let elapsed = seconds(clock.now - start)
      if let out { try AtomicFile.write(Array((result.json() + "\n").utf8), to: out) }
      if let plot { try result.doseResponseChart().write(to: plot) }
      if json {
        print(result.json())
      } else {
        print(Self.text(result))
        if !quiet {
          Console.note("done in \(formatSeconds(elapsed)), peak memory \(ProcessMemory.peakResidentBytes >> 20) MiB")
          for path in [out, plot].compactMap({ $0 }) { Console.note("wrote \(path)") }
        }
      }
    }
  }

  /// The study as text for people.
  static func text(_ result: AdDensityStudyResult) -> String {
    let overview = result.overview
    var lines = [
      "\(overview.impressions) impressions, \(overview.sessions) sessions, \(overview.users) users",
      "ad density: paid \(percent(overview.paidDensity)), perceived \(percent(overview.perceivedDensity)); "
        + "organic engagement rate \(decimal(overview.organicEngagementRate)); "
        + "sessions with a window over 30% ads: \(percent(overview.sessionsAbove30Percent))",
      "",
      "Organic engagement rate by \(result.measure.rawValue) ad density"
        + (result.window.map { " (the \($0) slots before each organic impression)" } ?? " (per session)")
        + ", 95% cluster-bootstrap intervals:",
    ]
    lines.append("  density        rate                       users")
    for bin in result.organicEngagement.curve {
      lines.append("  " + pad("\(percent(bin.low))–\(percent(bin.high))", 14) + " "
                   + pad("\(decimal(bin.rate)) [\(decimal(bin.rateLow)), \(decimal(bin.rateHigh))]", 26) + " \(bin.users)")
    }
    for study in [result.organicEngagement, result.sessionLength] + (result.returnRate.map { [$0] } ?? []) {
      lines.append("")
      lines.append("\(study.outcome): % change per +10 points of density (95% interval, errors clustered by user)")
      for slope in study.pooled + study.withinUser {
        lines.append("  " + pad("\(slope.withinUser ? "within-user" : "pooled") \(slope.shape.rawValue)", 24) + " " + describe(slope))
      }
    }
    if let experiment = result.experiment {
      lines.append("")
      lines.append("Experiment (control: \(experiment.control)), organic engagement rate per user:")
      lines.append("  arm            users   \(result.measure == .perceived ? "perceived" : "paid     ") mean       effect vs control            CUPED effect")
      for arm in experiment.organicEngagementRate.arms {
        let effect = arm.effect.map { "\(signed($0.percent))% [\(signed($0.percentLow)), \(signed($0.percentHigh))]" } ?? "—"
        let cuped = arm.cupedEffect.map { "\(signed($0.percent))% [\(signed($0.percentLow)), \(signed($0.percentHigh))]" } ?? "—"
        lines.append("  " + pad(arm.arm, 14) + " " + pad("\(arm.users)", 7) + " " + pad(percent(arm.density), 9) + " "
                     + pad(decimal(arm.mean), 10) + " " + pad(effect, 28) + " " + cuped)
      }
      if let cuped = experiment.organicEngagementRate.cuped {
        lines.append("  CUPED: pre/post correlation \(decimal(cuped.correlation)), variance reduced by \(percent(cuped.varianceReduction)) (\(cuped.usersWithPrePeriod) users with a pre-period)")
      }
      for line in experiment.organicEngagementLine {
        lines.append("  line across arms, \(line.shape.rawValue) (impression-weighted): " + describe(line))
      }
      if let slope = experiment.organicEngagementRate.slope { lines.append("  line across arms, mean of users' rates: " + describe(slope)) }
      if let short = experiment.shortRun, let long = experiment.longRun, experiment.weekly.count > 1 {
        lines.append("  short run (week 1, log-linear line across arms): \(describe(short))")
        lines.append("  long run (last \(max(1, experiment.weekly.count / 4)) of \(experiment.weekly.count) weeks): \(describe(long))")
      }
    }
    return lines.joined(separator: "\n")
  }

  static func describe(_ slope: DensitySlope) -> String {
    "\(signed(slope.percentPer10Points))% [\(signed(slope.low)), \(signed(slope.high))] (\(slope.clusters) users)"
  }

  static func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
  static func decimal(_ value: Double) -> String { String(format: "%.4f", value) }
  static func signed(_ value: Double) -> String { String(format: "%+.2f", value) }
  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}

/// `recotrain ads plan`.
struct AdsPlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "The ad density that maximizes revenue within a limit on organic engagement loss.",
    discussion: """
      Reads a study written by `recotrain ads study --out`. Revenue per session at density d is \
      revenue-per-ad × d × the fitted session length; the loss is the fitted drop of the organic \
      engagement rate (--loss rate) or of organic engagements per session (--loss per-session, \
      which also counts the organic slots ads take). Uses the experiment's line across arms when \
      the study has one, else the within-user fit; never plans beyond the studied densities.

      Example:
        recotrain ads plan --study study.json --max-loss 0.02 --revenue-per-ad 0.8
      """)

  @Option(help: "A study written by `recotrain ads study --out`.") var study: String
  @Option(help: "Largest allowed loss of organic engagement, a fraction (0.02 = 2%).") var maxLoss: Double
  @Option(help: "Revenue per ad shown.") var revenuePerAd: Double
  @Option(help: "What the loss is on: rate or per-session.") var loss: AdDensityPlanner.LossMeasure = .rate
  @Option(help: "Shape of the fitted curves: linear or log-linear.") var shape: DoseResponseShape = .logLinear
  @Option(help: "Write the study's dose-response plot with the planned density marked (SVG) here.") var plot: String?
  @Flag(help: "Print the plan as JSON on stdout.") var json = false

  func run() throws {
    try runReportingErrors {
      let data: Data
      do { data = try FileContents.read(study) } catch {
        throw ZhongcaoError(.io, "cannot read study \(study): \(error.localizedDescription)", location: .init(file: study))
      }
      let result = try AdDensityStudyResult.decode(data, name: study)
      let plan = try AdDensityPlanner(maximumLoss: maxLoss, revenuePerAd: revenuePerAd, lossMeasure: loss, shape: shape).plan(from: result)
      if let plot { try result.doseResponseChart(plannedDensity: plan.density).write(to: plot) }
      if json {
        print(try Self.json(plan))
        return
      }
      let expected = plan.expected
      print("""
        Recommended ad density: \(AdsStudyCommand.percent(plan.density)) (limited by the \(plan.limitedBy))
          revenue per session \(String(format: "%.4f", expected.revenuePerSession)), organic engagement \
        \(AdsStudyCommand.signed(expected.organicEngagementChange))% (\(plan.lossMeasure.rawValue)), session length \
        \(AdsStudyCommand.signed(expected.sessionLengthChange))%
          based on \(plan.basis); studied up to \(AdsStudyCommand.percent(plan.studiedMaximum))

        density   revenue/session   organic engagement   session length   within limit
        """)
      for point in plan.tradeOff {
        print("  " + AdsStudyCommand.pad(AdsStudyCommand.percent(point.density), 9)
              + AdsStudyCommand.pad(String(format: "%.4f", point.revenuePerSession), 18)
              + AdsStudyCommand.pad("\(AdsStudyCommand.signed(point.organicEngagementChange))%", 21)
              + AdsStudyCommand.pad("\(AdsStudyCommand.signed(point.sessionLengthChange))%", 17) + (point.allowed ? "yes" : "no"))
      }
    }
  }
}

extension AdsPlanCommand {
  /// The plan as `--json` prints it (the report's ads-plan.json).
  static func json(_ plan: AdDensityPlan) throws(ZhongcaoError) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    guard let data = try? encoder.encode(plan) else { throw ZhongcaoError(.invalidInput, "the plan cannot be written as JSON") }
    return String(decoding: data, as: UTF8.self)
  }
}

extension DensityMeasure: ExpressibleByArgument {}
extension DoseResponseShape: ExpressibleByArgument {}
extension AdDensityPlanner.LossMeasure: ExpressibleByArgument {}
