import Foundation

/// Trains models on a split's training part and measures how well they rank each test user's
/// held-out notes: the one evaluation path behind `recotrain evaluate`, `recotrain tune` and test
/// suites that judge feed quality.
///
///     let split = try log.split(.holdout(fraction: 0.2), seed: 42)
///     let evaluator = Evaluator(split: split, cutoffs: [10, 20, 100])
///     let als = try evaluator.evaluate(.als(ALSConfiguration()))
///     print(als.report.metrics["ndcg@10"]?.mean ?? 0)
///
/// Lists exclude each user's training notes. For held-out users (strong generalization) the
/// model never saw them: their fold-in history is scored through
/// ``FeedModel/feeds(forHistories:count:filter:threads:)``, and excluded from their lists.
public struct Evaluator: Sendable {
  /// One model's evaluation.
  public struct Result: Sendable {
    /// What was trained.
    public var settings: ModelSettings
    /// The metrics with bootstrap intervals.
    public var report: MetricsReport
    /// Seconds to train the model.
    public var trainSeconds: Double
    /// Seconds to rank all test users to the largest cutoff.
    public var rankSeconds: Double
    /// Seconds to compute the metrics and their bootstrap intervals.
    public var metricSeconds: Double
    /// For a model trained elsewhere (``Evaluator/evaluate(trained:)``): who trained it, e.g.
    /// `Apache Spark 4.3.0`; nil when the evaluator trained it.
    public var trainedBy: String? = nil
  }

  /// The split.
  public let split: DataSplit
  /// Cutoffs K, ascending; lists are ranked to the largest.
  public let cutoffs: [Int]
  /// Bootstrap resamples for the intervals (0: none).
  public let bootstrapSamples: Int
  /// Worker threads for ranking (0 = one per core).
  public let threads: Int
  private let matrix: InteractionMatrix
  private let catalog: CatalogStatistics

  /// An evaluator for one split; builds the training matrix once.
  public init(split: DataSplit, cutoffs: [Int] = [10, 20, 100], bootstrapSamples: Int = 1000, threads: Int = 0) {
    self.split = split
    self.cutoffs = Set(cutoffs).sorted()
    self.bootstrapSamples = bootstrapSamples
    self.threads = threads
    matrix = InteractionMatrix(split.train)
    catalog = CatalogStatistics(train: matrix)
  }

  /// Trains a model with `settings` on the training part and evaluates it.
  public func evaluate(_ settings: ModelSettings) throws(ZhongcaoError) -> Result {
    let clock = ContinuousClock()
    let start = clock.now
    let model = try ModelTrainer(settings).train(on: matrix)
    return try evaluate(model, trainSeconds: Self.seconds(clock.now - start))
  }

  /// Evaluates a model trained elsewhere (e.g. imported from Spark) on exactly this split's
  /// training part: its provenance data hash must equal the training matrix's.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when the model was trained on
  ///   other data.
  public func evaluate(trained model: FeedModel) throws(ZhongcaoError) -> Result {
    guard model.provenance.dataHash == matrix.contentHash else {
      throw ZhongcaoError(.invalidArgument, "the model was trained on data with hash \(model.provenance.dataHash), but this split's training part has \(matrix.contentHash); train (or export for Spark) on the same training file")
    }
    var result = try evaluate(model, trainSeconds: model.provenance.trainingSeconds)
    result.trainedBy = model.provenance.blasCore.hasPrefix("Apache Spark") ? model.provenance.blasCore : "Zhongcao \(model.provenance.zhongcaoVersion)"
    return result
  }

  private func evaluate(_ model: FeedModel, trainSeconds: Double) throws(ZhongcaoError) -> Result {
    let clock = ContinuousClock()
    let start = clock.now
    let rankings = try rank(model)
    let ranked = clock.now
    let report = try RankingMetrics.evaluate(
      rankings: rankings, relevant: split.relevant, cutoffs: cutoffs, catalog: catalog,
      users: split.foldInHistory == nil ? split.testUsers : nil,
      itemVectors: model.kind == .als ? { model.noteVector($0) } : nil,
      bootstrapSamples: bootstrapSamples, seed: split.seed)
    return Result(settings: model.contents.settings, report: report, trainSeconds: trainSeconds,
                  rankSeconds: Self.seconds(ranked - start), metricSeconds: Self.seconds(clock.now - ranked))
  }

  /// The ranked lists (note ids, best first, `cutoffs.last` long) of every test user.
  public func rank(_ model: FeedModel) throws(ZhongcaoError) -> [[String]] {
    let count = cutoffs.last ?? 10
    if let histories = split.foldInHistory {
      return try model.feeds(forHistories: histories, count: count, threads: threads).map { $0.map(\.note) }
    }
    let batch = try model.recommendations(for: split.testUsers, count: count, threads: threads)
    var byUser: [String: [String]] = [:]
    for feed in batch.feeds { byUser[feed.user] = feed.recommendations.map(\.note) }
    return split.testUsers.map { byUser[$0] ?? [] }
  }

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }
}
