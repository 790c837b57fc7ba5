import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain demo`: the main job on built-in data, ending in the feed-health report.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Generate a note world, run every step (train, evaluate, trust, ads, feeds) and write report.html.",
    discussion: """
      Generates users, authors, brands and notes in Chinese and English (organic shares, disclosed \
      ads of every grade, undisclosed promotion, campaigns), the users' interactions with those \
      notes, and a five-arm ad-load experiment; then trains the ALS feed model, evaluates it \
      against EASE and popularity, scans the notes for paid promotion, studies ad density and \
      plans it, composes sample feeds, and writes every result to --out: the model, the JSON of \
      each step (the same files the separate commands write; see `recotrain help report`), the \
      inputs as files, and report.html. The small size takes about 20 s on 2 cores (release \
      build); the same seed gives the same files (timings aside).

      Example:
        recotrain demo --out demo/      # then open demo/report.html in a browser
      """)

  /// The sizes offered on the command line (tiny is for tests).
  enum Size: String, ExpressibleByArgument, CaseIterable {
    case tiny, small, medium
    var world: NoteWorld.Size { NoteWorld.Size(rawValue: rawValue)! }
  }

  @Option(help: "Folder for the results (created if missing).") var out: String = "zhongcao-demo"
  @Option(help: "small (about 20 s in a release build) or medium (about a minute and a half); tiny is for tests.") var size: Size = .small
  @Option(help: "Seed of every generator.") var seed: UInt64 = 7
  @Option(help: "Detector for the trust scan (default: Models/trust-detector-v1.json of this checkout when found, else one trained on the generated notes).")
  var detector: String?
  @Option(help: "Worker threads (0 = one per core this process may use: CPU affinity and cgroup quota count).") var threads: Int = 0
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let detectorPath = detector ?? Self.shippedDetector()
      let summary = try Self.run(size: size.world, seed: seed, out: out, threads: threads, detector: detectorPath) { line in
        if !quiet { Console.note(line) }
      }
      print(summary)
    }
  }

  /// The shipped detector, `Models/trust-detector-v1.json`, looked up in the working directory
  /// and above the executable (`.build/<configuration>/recotrain` in a checkout); nil if absent.
  static func shippedDetector() -> String? {
    let name = "Models/trust-detector-v1.json"
    var candidates = [name]
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      folder = folder.deletingLastPathComponent()
      candidates.append(folder.appending(path: name).path)
    }
    return candidates.first { FileManager.default.fileExists(atPath: $0) }
  }

  /// The relative path of `name` in the output folder.
  private static func path(_ out: String, _ name: String) -> String { (out as NSString).appendingPathComponent(name) }

  /// Runs the whole demo, reporting progress lines to `progress`; returns the closing summary.
  static func run(
    size: NoteWorld.Size, seed: UInt64, out: String, threads: Int, detector: String?, progress: (String) -> Void
  ) throws(ZhongcaoError) -> String {
    do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
      throw ZhongcaoError(.io, "cannot create \(out): \(error.localizedDescription)", location: .init(file: out))
    }
    let clock = ContinuousClock(), start = clock.now
    var stepStart = clock.now
    let steps = 8
    func step(_ number: Int, _ text: String) {
      stepStart = clock.now
      progress("[\(number)/\(steps)] \(text) …")
    }
    func done(_ text: String) { progress("      \(text) (\(formatSeconds(seconds(clock.now - stepStart))))") }
    func writeText(_ text: String, _ name: String) throws(ZhongcaoError) {
      try AtomicFile.write(Array((text.hasSuffix("\n") ? text : text + "\n").utf8), to: path(out, name))
    }
    func writeJSON(_ object: [String: Any], _ name: String) throws(ZhongcaoError) {
      guard let text = Console.jsonText(object) else { throw ZhongcaoError(.invalidInput, "\(name): not valid JSON") }
      try writeText(text, name)
    }

    // 1. The world.
    let configuration = NoteWorld.Configuration.preset(size, seed: seed)
    step(1, "generating a \(size.rawValue) note world (seed \(seed)): \(configuration.users) users, \(configuration.notes) notes, \(configuration.interactions) events")
    let world = try NoteWorld.generate(configuration)
    try world.corpus.writeNotes(to: path(out, "notes.jsonl"))
    try world.corpus.writeTruth(to: path(out, "truth.jsonl"))
    try GenerateCommand.writeTSV(world.feed, to: path(out, "interactions.tsv"))
    var engagement = "user\tnote\tweight\ttimestamp\n"
    for event in world.corpus.engagementEvents { engagement += "\(event.user)\t\(event.note)\t1\t\(Int64(event.timestamp))\n" }
    try AtomicFile.write(Array(engagement.utf8), to: path(out, "engagement.tsv"))
    let worldSummary = FeedHealthReport.WorldSummary(world)
    try writeText(worldSummary.json(), FeedHealthReport.Files.world)
    let kinds = worldSummary.corpus.kinds
    done("\(world.corpus.notes.count) notes (\(kinds["organic"] ?? 0) organic, \(kinds["disclosedAd"] ?? 0) disclosed ads, \(kinds["undisclosedPromotion"] ?? 0) undisclosed, \(kinds["campaign"] ?? 0) in \(worldSummary.corpus.campaigns) campaigns), \(world.feed.interactions.count) interactions")

    // 2. Train.
    var als = ALSConfiguration()
    als.threads = threads
    let settings = ModelSettings.als(als)
    step(2, "training the feed model: \(settings.summary)")
    let matrix = InteractionMatrix(world.feed.interactions)
    let model = try ModelTrainer(settings).train(on: matrix)
    let modelPath = path(out, "feed.zcm")
    let saveStart = clock.now
    try model.save(to: modelPath)
    let saveSeconds = seconds(clock.now - saveStart)
    try writeJSON(TrainCommand.summary(
      model: modelPath, settings: settings, eventCount: world.feed.interactions.count, provenance: model.provenance,
      skippedLines: 0, loadSeconds: 0, saveSeconds: saveSeconds, interactionMatrixBytes: matrix.storageBytes,
      memory: (ProcessMemory.residentBytes, ProcessMemory.peakResidentBytes, ProcessMemory.peakResidentBytes, false)),
      FeedHealthReport.Files.training)
    done("\(matrix.users.count) users × \(matrix.notes.count) notes, \(matrix.pairCount) pairs → feed.zcm, train.json")

    // 3. Evaluate.
    let split = try world.feed.interactions.split(try SplitStrategy(parsing: "holdout:0.2"), seed: 42)
    step(3, "evaluating ALS, EASE and popularity on \(split.testUsers.count) held-out users (200 bootstrap resamples)")
    let evaluator = Evaluator(split: split, cutoffs: [10, 20], bootstrapSamples: 200, threads: threads)
    var results: [Evaluator.Result] = []
    for kind in [ModelKind.als, .ease, .popularity] {
      var each = ModelOptions.defaults(for: kind)
      if case .als(var configuration) = each { configuration.threads = threads; each = .als(configuration) }
      results.append(try evaluator.evaluate(each))
    }
    try writeJSON(EvaluationOutput(split: split, results: results).jsonObject, FeedHealthReport.Files.evaluation)
    done(results.map { "\($0.settings.kind.rawValue) NDCG@10 \(String(format: "%.3f", $0.report.metrics["ndcg@10"]?.mean ?? .nan))" }.joined(separator: ", ") + " → evaluate.json")

    // 4. Trust.
    step(4, "scanning \(world.corpus.notes.count) notes for disclosure, undisclosed promotion and campaigns "
         + (detector.map { "(detector \($0))" } ?? "(detector trained on these notes)"))
    let scanStart = clock.now
    var scanner = TrustScanner.Configuration()
    // The world's brands are known, as a platform knows its advertisers (`trust scan --brands brands.txt`).
    scanner.brands = BrandList(world.corpus.brands.map { BrandList.Brand(name: $0) })
    try writeText(world.corpus.brands.joined(separator: "\n"), "brands.txt")
    if let detector { scanner.detector = try SponsoredDetector(contentsOf: detector) }
    let scan = try TrustScanner(configuration: scanner).scan(world.corpus.notes, engagement: world.corpus.engagementEvents)
    let scanSeconds = seconds(clock.now - scanStart)
    try TrustScanCommand.writeFlags(scan, to: path(out, "flags.jsonl"))
    try writeJSON(TrustScanCommand.summary(scan, top: 5, loadSeconds: 0, scanSeconds: scanSeconds), FeedHealthReport.Files.trustScan)
    let verdicts = scan.verdictCounts
    done("\(verdicts[.disclosedAd] ?? 0) disclosed ads, \(verdicts[.suspectedUndisclosedPromotion] ?? 0) suspected undisclosed, \(scan.campaigns.count) campaigns; sponsored share \(String(format: "%.1f%%", 100 * scan.prevalence.estimate)) → flags.jsonl, trust-scan.json")

    // 5. Ads: simulate the experiment and study it.
    step(5, "simulating a 5-arm ad-load experiment (\(world.adLoad.users) users, \(world.adLoad.weeks) weeks) and studying it")
    let simulation = try AdLoadSimulator(configuration: world.adLoad).run()
    try simulation.impressions.write(to: path(out, "impressions.tsv"))
    if let pre = simulation.prePeriod { try pre.write(to: path(out, "impressions-pre.tsv")) }
    try simulation.truth.write(to: path(out, "ads-truth.json"))
    var options = AdDensityStudy.Options()
    options.measure = .paid
    options.bootstrapSamples = 200
    let study = try AdDensityStudy(options: options).run(
      simulation.impressions, prePeriod: simulation.prePeriod, perceived: simulation.truth.perceivedAdvertising)
    try writeText(study.json(), FeedHealthReport.Files.adsStudy)
    done("\(study.overview.impressions) impressions → impressions.tsv, ads-study.json")

    // 6. Plan.
    step(6, "planning the ad density (at most 2% lost organic engagement, revenue 0.5 per ad)")
    let plan = try AdDensityPlanner(maximumLoss: 0.02, revenuePerAd: 0.5).plan(from: study)
    try writeText(try AdsPlanCommand.json(plan), FeedHealthReport.Files.adsPlan)
    try study.doseResponseChart(plannedDensity: plan.density).write(to: path(out, "ads-dose-response.svg"))
    done("recommended density \(String(format: "%.1f%%", 100 * plan.density)) → ads-plan.json, ads-dose-response.svg")

    // 7. Feeds.
    step(7, "composing sample feeds for 3 of the 200 most active users")
    let flags = scan.assessments.map(NoteFlag.init)
    let candidates = try SampleFeed.compose(model: model, users: SampleFeed.activeUsers(of: model, count: 200), flags: flags,
                                            notes: world.corpus.notes, count: 12)
    let feeds = SampleFeed.varied(candidates, count: 3)
    try writeText(SampleFeed.json(feeds), FeedHealthReport.Files.feeds)
    done("\(feeds.count) feeds → feeds.json")

    // 8. Report.
    step(8, "writing the report")
    let reportPath = try ReportCommand.write(from: out, to: nil)
    let bytes = (try? FileManager.default.attributesOfItem(atPath: reportPath)[.size] as? Int) ?? 0
    done("\(reportPath) (\(bytes / 1024) KB)")

    let best = results.max { ($0.report.metrics["ndcg@10"]?.mean ?? -1) < ($1.report.metrics["ndcg@10"]?.mean ?? -1) }
    let p = scan.prevalence
    return """

      Zhongcao demo (\(size.rawValue), seed \(seed)) finished in \(formatSeconds(seconds(clock.now - start))).
        ranking      best NDCG@10 \(String(format: "%.3f", best?.report.metrics["ndcg@10"]?.mean ?? .nan)) (\(best?.settings.kind.rawValue ?? "?")); \
      \(results.map { "\($0.settings.kind.rawValue) \(String(format: "%.3f", $0.report.metrics["ndcg@10"]?.mean ?? .nan))" }.joined(separator: ", "))
        trust        sponsored share \(String(format: "%.1f%% [%.1f, %.1f]", 100 * p.estimate, 100 * p.lower, 100 * p.upper)) (planted \(String(format: "%.1f%%", 100 * worldSummary.corpus.sponsoredShare))), \
      \(verdicts[.suspectedUndisclosedPromotion] ?? 0) notes suspected of undisclosed promotion, \(scan.campaigns.count) campaigns
        ads          recommended ad density \(String(format: "%.1f%%", 100 * plan.density)) (limited by the \(plan.limitedBy))
      Results in \(out)/; open the report:
        \(reportPath)
      """
  }
}
