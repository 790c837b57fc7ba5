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
        recotrain ads simulate --users 20000 --weeks 8 --out impressions.tsv --pre pre.tsv --truth truth.json
        recotrain ads study --impressions impressions.tsv --pre pre.tsv --plot curve.svg --out study.json
        recotrain ads plan --study study.json --max-loss 0.02 --revenue-per-ad 0.8
      """,
    subcommands: [AdsStudyCommand.self, AdsPlanCommand.self])
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
      var perceived = PerceivedAdvertising()
      if let notes {
        if !quiet && !json { Console.note("scanning \(notes) for perceived advertising …") }
        let (corpus, _) = try NoteLoader.load(contentsOf: notes)
        var configuration = TrustScanner.Configuration()
        if let model { configuration.detector = try SponsoredDetector(contentsOf: model) }
        perceived = PerceivedAdvertising(scan: try TrustScanner(configuration: configuration).scan(corpus))
      }
      var options = AdDensityStudy.Options()
      options.measure = density ?? (notes == nil ? .paid : .perceived)
      options.window = window
      options.control = control
      options.bootstrapSamples = bootstrap
      options.seed = seed
      if !quiet && !json { Console.note("studying \(log.count) impressions in \(log.sessionCount) sessions …") }
      let result = try AdDensityStudy(options: options).run(log, prePeriod: prePeriod, perceived: perceived)
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
      lines.append("  arm            users   density   mean       effect vs control            CUPED effect")
      for arm in experiment.organicEngagementRate.arms {
        let effect = arm.effect.map { "\(signed($0.percent))% [\(signed($0.percentLow)), \(signed($0.percentHigh))]" } ?? "—"
        let cuped = arm.cupedEffect.map { "\(signed($0.percent))% [\(signed($0.percentLow)), \(signed($0.percentHigh))]" } ?? "—"
        lines.append("  " + pad(arm.arm, 14) + " " + pad("\(arm.users)", 7) + " " + pad(percent(arm.density), 9) + " "
                     + pad(decimal(arm.mean), 10) + " " + pad(effect, 28) + " " + cuped)
      }
      if let cuped = experiment.organicEngagementRate.cuped {
        lines.append("  CUPED: pre/post correlation \(decimal(cuped.correlation)), variance reduced by \(percent(cuped.varianceReduction)) (\(cuped.usersWithPrePeriod) users with a pre-period)")
      }
      if let slope = experiment.organicEngagementRate.slope { lines.append("  line across arms: " + describe(slope)) }
      if let short = experiment.shortRun, let long = experiment.longRun, experiment.weekly.count > 1 {
        lines.append("  short run (week 1): \(describe(short))")
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
      do { data = try Data(contentsOf: URL(fileURLWithPath: study)) } catch {
        throw ZhongcaoError(.io, "cannot read study \(study): \(error.localizedDescription)", location: .init(file: study))
      }
      let result = try AdDensityStudyResult.decode(data, name: study)
      let plan = try AdDensityPlanner(maximumLoss: maxLoss, revenuePerAd: revenuePerAd, lossMeasure: loss, shape: shape).plan(from: result)
      if let plot { try result.doseResponseChart(plannedDensity: plan.density).write(to: plot) }
      if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try! encoder.encode(plan), as: UTF8.self))
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

extension DensityMeasure: ExpressibleByArgument {}
extension DoseResponseShape: ExpressibleByArgument {}
extension AdDensityPlanner.LossMeasure: ExpressibleByArgument {}
