import Foundation

/// A feed-health report: one self-contained HTML page (inline CSS and SVG, no scripts, no
/// network) that shows the data, the ranking quality of each model with intervals, sample feeds
/// with every slot's trust label and evidence, the disclosure grades and the sponsored share,
/// the largest campaigns, the ad-density dose-response with the planner's recommendation, and
/// how each figure was computed.
///
/// Its inputs are the JSON results of the `recotrain` commands, read from one directory by
/// ``load(directory:)`` (file names in ``Files``); any of them may be missing, and the page then
/// says which command makes it. `recotrain demo` writes all of them and the page;
/// `recotrain report --from DIR` rebuilds the page from them.
///
///     let report = try FeedHealthReport.load(directory: "demo-out")
///     try AtomicFile.write(Array(report.html().utf8), to: "demo-out/report.html")
///
/// Every piece of text that comes from the data (ids, titles, evidence, brand names, model
/// summaries) is HTML-escaped.
public struct FeedHealthReport: Sendable {
  /// The file names ``load(directory:)`` reads, and the commands that write them.
  public enum Files {
    /// `recotrain train --json > train.json`.
    public static let training = "train.json"
    /// `recotrain evaluate --compare als,ease,popularity --json > evaluate.json`.
    public static let evaluation = "evaluate.json"
    /// `recotrain trust scan --json > trust-scan.json`.
    public static let trustScan = "trust-scan.json"
    /// `recotrain ads study --out ads-study.json`.
    public static let adsStudy = "ads-study.json"
    /// `recotrain ads plan --json > ads-plan.json`.
    public static let adsPlan = "ads-plan.json"
    /// `recotrain feeds --out feeds.json`.
    public static let feeds = "feeds.json"
    /// Written by `recotrain demo` only: what was planted in the generated world.
    public static let world = "world.json"
    /// The page.
    public static let report = "report.html"
  }

  /// The report's title.
  public var title = "Zhongcao feed-health report"
  /// What `recotrain train --json` printed.
  public var training: TrainingSummary?
  /// What `recotrain evaluate --json` printed.
  public var evaluation: EvaluationSummary?
  /// What `recotrain trust scan --json` printed.
  public var trust: TrustSummary?
  /// The ad-density study (`recotrain ads study --out`).
  public var study: AdDensityStudyResult?
  /// The plan (`recotrain ads plan --json`).
  public var plan: AdDensityPlan?
  /// Sample feeds (`recotrain feeds --out`).
  public var feeds: [SampleFeed]?
  /// What a generated world planted (`recotrain demo` only).
  public var world: WorldSummary?

  /// An empty report: every section says how to produce its input.
  public init() {}

  /// Reads every input file present in `directory` (see ``Files``).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` naming a file that is present but
  ///   not what its name says; ``ZhongcaoError/Code-swift.struct/notFound`` when none is there.
  public static func load(directory: String) throws(ZhongcaoError) -> FeedHealthReport {
    var report = FeedHealthReport()
    func data(_ name: String) -> (Data, String)? {
      let path = (directory as NSString).appendingPathComponent(name)
      return FileManager.default.contents(atPath: path).map { ($0, path) }
    }
    if let (bytes, path) = data(Files.training) { report.training = try decode(TrainingSummary.self, bytes, path) }
    if let (bytes, path) = data(Files.evaluation) { report.evaluation = try decode(EvaluationSummary.self, bytes, path) }
    if let (bytes, path) = data(Files.trustScan) { report.trust = try decode(TrustSummary.self, bytes, path) }
    if let (bytes, path) = data(Files.adsStudy) { report.study = try AdDensityStudyResult.decode(bytes, name: path) }
    if let (bytes, path) = data(Files.adsPlan) { report.plan = try decode(AdDensityPlan.self, bytes, path) }
    if let (bytes, path) = data(Files.feeds) { report.feeds = try SampleFeed.decode(bytes, name: path) }
    if let (bytes, path) = data(Files.world) { report.world = try decode(WorldSummary.self, bytes, path) }
    guard report.training != nil || report.evaluation != nil || report.trust != nil || report.study != nil
            || report.feeds != nil else {
      throw ZhongcaoError(.notFound, "\(directory) holds none of \(Files.training), \(Files.evaluation), \(Files.trustScan), \(Files.adsStudy), \(Files.feeds)",
                          location: .init(file: directory))
    }
    return report
  }

  static func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ path: String) throws(ZhongcaoError) -> T {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do { return try decoder.decode(type, from: data) } catch {
      // `evaluate --json` writes non-finite numbers as "Infinity"/"NaN".
      let other = JSONDecoder()
      other.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
      if let value = try? other.decode(type, from: data) { return value }
      throw ZhongcaoError(.invalidInput, "\((path as NSString).lastPathComponent) is not what the report expects: \(Self.describe(error))",
                          location: .init(file: path))
    }
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      "missing key '\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted(let context):
      "not JSON (\(context.debugDescription))"
    default: "\(error)"
    }
  }
}

extension FeedHealthReport {
  /// The part of `recotrain train --json` the report shows.
  public struct TrainingSummary: Sendable, Hashable, Codable {
    /// The model kind (`als`, …).
    public var kind: String
    /// Events read.
    public var events: Int
    /// Users.
    public var users: Int
    /// Notes.
    public var notes: Int
    /// Distinct (user, note) pairs.
    public var pairs: Int
    /// Training seconds.
    public var trainSeconds: Double
    /// ALS factors.
    public var factors: Int?
    /// ALS iterations.
    public var iterations: Int?
    /// The OpenBLAS kernel.
    public var blasCore: String
    /// Worker threads.
    public var threads: Int
  }

  /// The part of `recotrain evaluate --json` the report shows.
  public struct EvaluationSummary: Sendable, Equatable, Codable {
    /// The split.
    public struct Split: Sendable, Hashable, Codable {
      /// e.g. `holdout:0.2`.
      public var strategy: String
      /// Its seed.
      public var seed: UInt64
      /// Training pairs.
      public var trainPairs: Int
      /// Test pairs.
      public var testPairs: Int
      /// Users with test notes.
      public var testUsers: Int
    }

    /// One metric: mean over users and its bootstrap interval.
    public struct Metric: Sendable, Hashable, Codable {
      /// The mean; nil when undefined.
      public var mean: Double?
      /// Lower end of the interval (nil without a bootstrap).
      public var low: Double?
      /// Upper end.
      public var high: Double?
    }

    /// One evaluated model.
    public struct Model: Sendable, Equatable, Codable {
      /// `als`, `ease`, `popularity` …
      public var kind: String
      /// One line describing its settings.
      public var summary: String
      /// Users scored.
      public var users: Int
      /// Training notes.
      public var catalogSize: Int
      /// The cutoffs K.
      public var cutoffs: [Int]
      /// How the intervals were made.
      public var bootstrap: MetricsReport.BootstrapSettings
      /// Per-user metrics by name (`ndcg@10` …).
      public var metrics: [String: Metric]
      /// Catalogue-level metrics by name (`coverage@10` …).
      public var beyondAccuracy: [String: Double?]
      /// Training seconds.
      public var trainSeconds: Double
    }

    /// The split.
    public var split: Split
    /// The models, in the order evaluated.
    public var models: [Model]
  }

  /// The part of `recotrain trust scan --json` the report shows.
  public struct TrustSummary: Sendable, Hashable, Codable {
    /// The sponsored-share estimate.
    public struct Prevalence: Sendable, Hashable, Codable {
      /// Point estimate.
      public var estimate: Double
      /// Interval, low end.
      public var low: Double
      /// Interval, high end.
      public var high: Double
      /// The share of notes that are certainly advertising (disclosed or self-promotion).
      public var lowerBound: Double
      /// The interval's coverage.
      public var confidence: Double
    }

    /// The detector the scan used.
    public struct Detector: Sendable, Hashable, Codable {
      /// Where it came from (trained on the corpus, or a file).
      public var source: String
      /// Estimated share of sponsored notes.
      public var classPrior: Double
      /// Estimated share of sponsored notes that disclose.
      public var labelFrequency: Double
    }

    /// One campaign.
    public struct CampaignSummary: Sendable, Hashable, Codable {
      /// Its id.
      public var id: String
      /// Notes in it.
      public var notes: Int
      /// Distinct authors.
      public var authors: Int
      /// The brand promoted, when recognised.
      public var brand: String?
      /// First publication, seconds since 1970.
      public var start: Double?
      /// Last publication.
      public var end: Double?
      /// The text of one copy.
      public var sample: String
    }

    /// One author.
    public struct AuthorSummary: Sendable, Hashable, Codable {
      /// The author id.
      public var author: String
      /// Trust in 0...1.
      public var score: Double
      /// Notes by the author.
      public var notes: Int
      /// Smoothed share of undisclosed promotion.
      public var undisclosedRate: Double
      /// Share of the author's notes in campaigns.
      public var campaignShare: Double
    }

    /// Notes scanned.
    public var notes: Int
    /// Notes per ``DisclosureGrade`` raw value.
    public var grades: [String: Int]
    /// Notes per ``TrustVerdict`` raw value.
    public var verdicts: [String: Int]
    /// The sponsored share.
    public var prevalence: Prevalence
    /// The detector.
    public var detector: Detector
    /// Campaigns found.
    public var campaigns: Int
    /// The largest campaigns.
    public var largestCampaigns: [CampaignSummary]
    /// Lockstep engagement groups found.
    public var lockstepGroups: Int
    /// The least-trusted authors.
    public var leastTrustedAuthors: [AuthorSummary]
  }

  /// What `recotrain demo` planted in its generated world (`world.json`).
  public struct WorldSummary: Sendable, Hashable, Codable {
    /// The world's configuration.
    public var configuration: NoteWorld.Configuration
    /// The realised corpus counts: kinds, grades, languages, the planted sponsored share.
    public var corpus: NoteCorpus.Summary
    /// The planted change of organic engagement per +10 points of ad density, in percent.
    public var plantedEngagementEffect: Double

    /// A summary with every field given.
    public init(configuration: NoteWorld.Configuration, corpus: NoteCorpus.Summary, plantedEngagementEffect: Double) {
      self.configuration = configuration
      self.corpus = corpus
      self.plantedEngagementEffect = plantedEngagementEffect
    }

    /// The summary of a world.
    public init(_ world: NoteWorld) {
      self.init(configuration: world.configuration, corpus: world.corpus.summary,
                plantedEngagementEffect: world.adLoad.organicEngagementEffect.percentPer10Points)
    }

    /// As pretty-printed JSON with sorted keys (`world.json`).
    public func json() -> String {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
  }
}
