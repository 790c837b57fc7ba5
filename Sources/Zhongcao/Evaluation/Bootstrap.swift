import Dispatch
import Foundation

/// The mean of one metric over users, with its bootstrap percentile interval.
///
/// JSON: `{"mean": 0.1234, "low": 0.1200, "high": 0.1270, "users": 1000}`; `mean`, `low` and
/// `high` are `null` when undefined (no user has the metric, or no resampling was done).
public struct MetricSummary: Sendable, Equatable, Codable {
  /// The mean over the users for whom the metric is defined.
  public var mean: Double?
  /// The lower end of the percentile interval.
  public var low: Double?
  /// The upper end of the percentile interval.
  public var high: Double?
  /// The number of users the mean is over.
  public var users: Int

  /// A summary with every field given.
  public init(mean: Double?, low: Double?, high: Double?, users: Int) {
    self.mean = mean
    self.low = low
    self.high = high
    self.users = users
  }

  private enum CodingKeys: String, CodingKey { case mean, low, high, users }

  /// Encodes every key, writing `null` for an undefined (or non-finite) value.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    for (key, value) in [(CodingKeys.mean, mean), (.low, low), (.high, high)] {
      if let value, value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
    }
    try container.encode(users, forKey: .users)
  }

  /// `0.1234 [0.1200, 0.1270]`, `0.1234` without an interval, `—` without a mean.
  public var formatted: String {
    guard let mean else { return "—" }
    guard let low, let high else { return MetricsReport.decimal(mean) }
    return "\(MetricsReport.decimal(mean)) [\(MetricsReport.decimal(low)), \(MetricsReport.decimal(high))]"
  }
}

/// The summary of a ranking evaluation, made by
/// ``RankingMetrics/evaluate(rankings:relevant:cutoffs:catalog:users:itemVectors:bootstrapSamples:seed:confidence:)``.
///
/// Its JSON shape (``json()``, keys sorted) is stable:
///
///     {
///       "users": 9998,              // evaluated users (non-empty relevant set)
///       "skippedUsers": 2,          // users left out for an empty relevant set
///       "catalogSize": 20000,
///       "cutoffs": [10, 20],
///       "bootstrap": {"samples": 1000, "confidence": 0.95, "seed": 42},
///       "metrics": {                // per-user metrics: mean and interval over users
///         "precision@10": {"mean": 0.1234, "low": 0.1200, "high": 0.1270, "users": 9998},
///         …  // recall, recallTruncated, ndcg, map, hitRate, novelty, arp, diversity (@K); mrr, auc
///       },
///       "beyondAccuracy": {         // over all lists; null where undefined
///         "coverage@10": 0.41, "entropy@10": 11.2, "normalizedEntropy@10": 0.78,
///         "gini@10": 0.62, "popularityLift@10": 3.1, …
///       }
///     }
///
/// `diversity@K` appears only when note vectors were given. See ``RankingMetrics`` for the
/// definitions.
public struct MetricsReport: Sendable, Equatable, Codable {
  /// How the intervals were made.
  public struct BootstrapSettings: Sendable, Equatable, Codable {
    /// Number of resamples of the users (0: no intervals).
    public var samples: Int
    /// The intervals' nominal coverage, e.g. 0.95.
    public var confidence: Double
    /// The resampling seed.
    public var seed: UInt64

    /// Settings with every field given.
    public init(samples: Int, confidence: Double, seed: UInt64) {
      self.samples = samples
      self.confidence = confidence
      self.seed = seed
    }
  }

  /// Number of evaluated users.
  public var users: Int
  /// Number of users left out because they had no relevant note.
  public var skippedUsers: Int
  /// Number of catalogue notes.
  public var catalogSize: Int
  /// The cutoffs `K`, ascending.
  public var cutoffs: [Int]
  /// How the intervals were made.
  public var bootstrap: BootstrapSettings
  /// Per-user metrics by name (`ndcg@10`, `mrr`, …).
  public var metrics: [String: MetricSummary]
  /// Aggregate beyond-accuracy metrics by name (`coverage@10`, …); nil where undefined.
  public var beyondAccuracy: [String: Double?]

  /// A report with every field given.
  public init(users: Int, skippedUsers: Int, catalogSize: Int, cutoffs: [Int], bootstrap: BootstrapSettings,
              metrics: [String: MetricSummary], beyondAccuracy: [String: Double?]) {
    self.users = users
    self.skippedUsers = skippedUsers
    self.catalogSize = catalogSize
    self.cutoffs = cutoffs
    self.bootstrap = bootstrap
    self.metrics = metrics
    self.beyondAccuracy = beyondAccuracy
  }

  /// The summary of one metric, e.g. `report["ndcg@10"]?.mean`.
  public subscript(metric: String) -> MetricSummary? { metrics[metric] }

  /// The report as pretty-printed JSON with sorted keys (byte-for-byte stable).
  public func json() -> String {
    var copy = self
    // JSON has no NaN or infinity: write them as null.
    copy.beyondAccuracy = beyondAccuracy.mapValues { $0.flatMap { $0.isFinite ? $0 : nil } }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(copy) else { preconditionFailure("a metrics report always encodes") }
    return String(decoding: data, as: UTF8.self)
  }

  /// A readable, aligned table: one row per metric, `mean [low, high]`, then the beyond-accuracy
  /// values.
  ///
  ///     9998 users (2 without test notes skipped), catalogue of 20000 notes; 95% bootstrap intervals (1000 resamples)
  ///     metric            mean    95% interval
  ///     precision@10      0.1234  [0.1200, 0.1270]
  ///     …
  public func table() -> String {
    let level = Self.decimal(bootstrap.confidence * 100, places: 0)
    var lines = ["\(users) users" + (skippedUsers > 0 ? " (\(skippedUsers) without test notes skipped)" : "")
                 + ", catalogue of \(catalogSize) notes"
                 + (bootstrap.samples > 0 ? "; \(level)% bootstrap intervals (\(bootstrap.samples) resamples)" : "")]
    let accuracyNames = Self.ordered(Array(metrics.keys), families: RankingMetrics.cutoffFamilies + RankingMetrics.listFamilies)
    let beyondNames = Self.ordered(Array(beyondAccuracy.keys), families: RankingMetrics.aggregateFamilies)
    let width = (accuracyNames + beyondNames + ["metric"]).map(\.count).max()! + 2
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    func number(_ value: Double?) -> String {
      guard let value, value.isFinite else { return "—" }
      let text = Self.decimal(value)
      return String(repeating: " ", count: max(0, 7 - text.count)) + text
    }
    lines.append(pad("metric", width) + pad("   mean", 8) + (bootstrap.samples > 0 ? "\(level)% interval" : ""))
    for name in accuracyNames {
      let summary = metrics[name]!
      var line = pad(name, width) + pad(number(summary.mean), 8)
      if let low = summary.low, let high = summary.high { line += "[\(Self.decimal(low)), \(Self.decimal(high))]" }
      lines.append(line)
    }
    if !beyondNames.isEmpty {
      lines.append("beyond accuracy (all top-K lists)")
      for name in beyondNames { lines.append(pad(name, width) + number(beyondAccuracy[name] ?? nil)) }
    }
    return lines.joined(separator: "\n")
  }

  /// Names sorted by family (in the given order; unknown families last, alphabetically), then
  /// by cutoff.
  static func ordered(_ names: [String], families: [String]) -> [String] {
    func key(_ name: String) -> (Int, String, Int) {
      let parts = name.split(separator: "@", maxSplits: 1)
      let family = String(parts[0])
      let k = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
      return (families.firstIndex(of: family) ?? families.count, family, k)
    }
    return names.sorted { key($0) < key($1) }
  }

  /// `value` with a fixed number of decimals (4 by default), without Foundation's locale.
  static func decimal(_ value: Double, places: Int = 4) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 1e15 else { return "\(value)" }
    let whole = Int(scaled) / Int(scale), fraction = Int(scaled) % Int(scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard places > 0 else { return "\(sign)\(whole)" }
    let digits = String(fraction)
    return "\(sign)\(whole).\(String(repeating: "0", count: places - digits.count))\(digits)"
  }
}

/// The bootstrap over users behind ``MetricsReport``'s intervals.
enum Bootstrap {
  static func validate(samples: Int, confidence: Double) throws(ZhongcaoError) {
    guard samples >= 0 else {
      throw ZhongcaoError(.invalidArgument, "the number of bootstrap samples must be ≥ 0, got \(samples)")
    }
    guard confidence > 0, confidence < 1 else {
      throw ZhongcaoError(.invalidArgument, "the confidence level must be strictly between 0 and 1, got \(confidence)")
    }
  }

  /// Percentile intervals of the mean of each row of `values` (one value per user; NaN where
  /// undefined for that user).
  ///
  /// Each of `samples` resamples draws `n` users with replacement (resample `b` from
  /// `SeededRandom(seed:stream: b)`, so the result does not depend on the thread count) and
  /// takes, for every metric, the mean over the drawn users for whom it is defined. The interval
  /// is the `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of those means (linear
  /// interpolation between order statistics). Nil for a metric without resampled means (no
  /// samples, no users, or never defined).
  static func percentileIntervals(_ values: [[Double]], samples: Int, seed: UInt64, confidence: Double) -> [(low: Double, high: Double)?] {
    let metricCount = values.count
    let n = values.first?.count ?? 0
    guard samples > 0, n > 0 else { return Array(repeating: nil, count: metricCount) }
    // Undefined values become 0 with weight 0; the weights are kept only where some are 0.
    let filled = values.map { row in row.map { $0.isNaN ? 0 : $0 } }
    let weights: [[Double]?] = values.map { row in row.contains(where: \.isNaN) ? row.map { $0.isNaN ? 0 : 1 } : nil }

    let chunkSize = 8
    let chunkCount = (samples + chunkSize - 1) / chunkSize
    // Chunk results go to disjoint slots (`parallelMap`), not through a lock: ThreadSanitizer
    // cannot see the futex under `Mutex` and reported the hand-over as a race.
    let parts = parallelMap(count: chunkCount, chunkSize: 1, workspace: {}) { _, chunk -> [[Double]] in
      let resamples = (chunk * chunkSize)..<min(samples, (chunk + 1) * chunkSize)
      var means = [[Double]](repeating: [], count: metricCount)
      var drawn = [Double](repeating: 0, count: n)
      for b in resamples {
        var random = SeededRandom(seed: seed, stream: UInt64(b))
        for j in 0..<n { drawn[j] = 0 }
        // A uniform index below n (as `index(below:)`, written out: unspecialised generics are slow in debug builds).
        let bound = UInt64(n)
        for _ in 0..<n { drawn[Int(truncatingIfNeeded: ((random.next() >> 32) &* bound) >> 32)] += 1 }
        for m in 0..<metricCount {
          let total = dot(drawn, filled[m])
          let weight = weights[m].map { dot(drawn, $0) } ?? Double(n)
          means[m].append(weight > 0 ? total / weight : .nan)
        }
      }
      return means
    }
    var means = [[Double]](repeating: [], count: metricCount)
    for part in parts {
      for m in 0..<metricCount { means[m].append(contentsOf: part[m]) }
    }
    let tail = (1 - confidence) / 2
    return means.map { row in
      let sorted = row.filter { !$0.isNaN }.sorted()
      guard !sorted.isEmpty else { return nil }
      return (quantile(sorted, tail), quantile(sorted, 1 - tail))
    }
  }

  /// `Σ x_j y_j`, with four running sums so the additions pipeline.
  static func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count)
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    let n = x.count, blocked = n & ~3
    var j = 0
    while j < blocked {
      s0 += x[j] * y[j]
      s1 += x[j + 1] * y[j + 1]
      s2 += x[j + 2] * y[j + 2]
      s3 += x[j + 3] * y[j + 3]
      j += 4
    }
    while j < n {
      s0 += x[j] * y[j]
      j += 1
    }
    return (s0 + s1) + (s2 + s3)
  }

  /// The `q`-quantile of ascending `sorted` (non-empty), interpolating linearly between the
  /// order statistics at `q · (count − 1)`.
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
  }
}
