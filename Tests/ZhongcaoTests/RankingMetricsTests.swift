import Foundation
import Testing
@testable import Zhongcao

/// RankingMetrics and the bootstrap against values computed by hand on tiny examples.
///
/// Unless a test says otherwise the catalogue is five notes a…e seen in training by 4, 2, 1, 1
/// and 0 of |U| = 4 users: pop = 1, ½, ¼, ¼, 0, and the self-information `−log₂ pop` (floored
/// at 1/|U| = ¼) is 0, 1, 2, 2, 2 bits. `1/log₂ 3 = 0.6309298`, `1/log₂ 5 = 0.4306766`.
@Suite struct RankingMetricsTests {
  static let catalog = try! CatalogStatistics(notes: ["a", "b", "c", "d", "e"], userCounts: [4, 2, 1, 1, 0], trainUserCount: 4)

  /// Per-user values, no bootstrap.
  static func evaluate(_ rankings: [[String]], _ relevant: [Set<String>], cutoffs: [Int],
                       users: [String]? = nil, catalog: CatalogStatistics = catalog,
                       vectors: ((String) -> [Float]?)? = nil) throws -> RankingEvaluation {
    try RankingMetrics.perUser(rankings: rankings, relevant: relevant, cutoffs: cutoffs, catalog: catalog,
                               users: users, itemVectors: vectors)
  }

  /// Expects `metric` of every evaluated user to match `expected` (NaN matches NaN) to `tolerance`.
  static func expect(_ evaluation: RankingEvaluation, _ metric: String, _ expected: [Double], tolerance: Double = 1e-9,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    guard let got = evaluation.values(of: metric) else {
      Issue.record("no metric \(metric) in \(evaluation.metricNames)", sourceLocation: sourceLocation)
      return
    }
    let same = got.count == expected.count && zip(got, expected).allSatisfy { g, w in
      (g.isNaN && w.isNaN) || abs(g - w) <= tolerance
    }
    #expect(same, "\(metric): got \(got), want \(expected)", sourceLocation: sourceLocation)
  }

  /// Expects the aggregate `metric` to be `expected` to 1e-9 (nil: undefined).
  static func expectAggregate(_ evaluation: RankingEvaluation, _ metric: String, _ expected: Double?,
                              sourceLocation: SourceLocation = #_sourceLocation) {
    guard let got = evaluation.aggregates[metric] else {
      Issue.record("no aggregate \(metric) in \(evaluation.aggregateNames)", sourceLocation: sourceLocation)
      return
    }
    switch (got, expected) {
    case (nil, nil): break
    case let (g?, w?): #expect(abs(g - w) <= 1e-9, "\(metric): got \(g), want \(w)", sourceLocation: sourceLocation)
    default: Issue.record("\(metric): got \(String(describing: got)), want \(String(describing: expected))", sourceLocation: sourceLocation)
    }
  }

  // MARK: Accuracy

  @Test func accuracyMetricsOfOneListAtTwoCutoffs() throws {
    // L = [a, b, c, d], T = {b, d, e}: rel = 0, 1, 0, 1; hits@2 = 1, hits@4 = 2, |T| = 3.
    let e = try Self.evaluate([["a", "b", "c", "d"]], [["b", "d", "e"]], cutoffs: [4, 2, 4])
    #expect(e.cutoffs == [2, 4])
    Self.expect(e, "precision@2", [1.0 / 2])        // 1/2
    Self.expect(e, "precision@4", [2.0 / 4])        // 2/4
    Self.expect(e, "recall@2", [1.0 / 3])           // 1/|T|
    Self.expect(e, "recall@4", [2.0 / 3])
    Self.expect(e, "recallTruncated@2", [1.0 / 2])  // 1/min(2, 3)
    Self.expect(e, "recallTruncated@4", [2.0 / 3])  // 2/min(4, 3)
    // DCG@2 = 1/log₂3 = 0.6309298; IDCG@2 = 1 + 1/log₂3 = 1.6309298 → 0.3868528.
    Self.expect(e, "ndcg@2", [0.6309297535714575 / 1.6309297535714575])
    // DCG@4 = 1/log₂3 + 1/log₂5 = 1.0616064; IDCG@4 (min(4, 3) = 3 hits) = 1 + 1/log₂3 + 1/2 = 2.1309298 → 0.4981893.
    Self.expect(e, "ndcg@4", [0.4981892574664129])
    Self.expect(e, "map@2", [0.5 / 2])              // P@2·rel₂ = 1/2, over min(2, 3) = 2 → 0.25
    Self.expect(e, "map@4", [(0.5 + 0.5) / 3])      // P@2 + P@4 = 1/2 + 2/4, over min(4, 3) = 3 → 1/3
    Self.expect(e, "hitRate@2", [1])
    Self.expect(e, "hitRate@4", [1])
    Self.expect(e, "mrr", [1.0 / 2])                // first hit at rank 2
    // AUC: N = 5 − 3 relevant = 2 (a, c). b (rank 2): 2 − 1 = 1; d (rank 4): 2 − 2 = 0; e unlisted: ½·1·(2 − 2) = 0.
    // Pairs: (b,a)✗ (b,c)✓ (d,a)✗ (d,c)✗ (e,a)✗ (e,c)✗ → 1/6.
    Self.expect(e, "auc", [1.0 / 6])
  }

  @Test func listShorterThanKAndKLargerThanTheCatalogue() throws {
    // L = [a, b] (2 notes), T = {b}, K = 5 (= catalogue) and K = 10 (> catalogue): precision divides by K.
    let e = try Self.evaluate([["a", "b"]], [["b"]], cutoffs: [5, 10])
    Self.expect(e, "precision@5", [1.0 / 5])
    Self.expect(e, "precision@10", [1.0 / 10])
    Self.expect(e, "recall@10", [1])
    Self.expect(e, "recallTruncated@10", [1])       // 1/min(10, 1)
    Self.expect(e, "ndcg@10", [0.6309297535714575]) // (1/log₂3) / 1
    Self.expect(e, "map@10", [0.5])                 // P@2 = 1/2, over min(10, 1) = 1
    Self.expect(e, "hitRate@10", [1])
    Self.expect(e, "mrr", [0.5])
    // N = 5 − 1 = 4 (a, c, d, e). b (rank 2): 4 − 1 = 3; nothing unlisted → 3/4.
    Self.expect(e, "auc", [3.0 / 4])
    // Novelty and ARP average over the 2 listed notes, not over K: (0 + 1)/2 and (1 + ½)/2.
    Self.expect(e, "novelty@10", [0.5])
    Self.expect(e, "arp@10", [0.75])
    Self.expectAggregate(e, "coverage@10", 2.0 / 5)
  }

  @Test func perfectListsScoreOne() throws {
    // User 0: T = {a, b}, L = the catalogue in order. User 1: T = {a, b, c} (|T| > K = 2), L = [a, b, c].
    let e = try Self.evaluate([["a", "b", "c", "d", "e"], ["a", "b", "c"]], [["a", "b"], ["a", "b", "c"]], cutoffs: [2, 5])
    Self.expect(e, "precision@2", [1, 1])
    Self.expect(e, "precision@5", [2.0 / 5, 3.0 / 5])
    Self.expect(e, "recall@2", [1, 2.0 / 3])         // user 1: 2 of 3 found
    Self.expect(e, "recallTruncated@2", [1, 1])      // 2/min(2, 3): 1 for a perfect list even when |T| > K
    Self.expect(e, "recallTruncated@5", [1, 1])
    Self.expect(e, "ndcg@2", [1, 1])
    Self.expect(e, "ndcg@5", [1, 1])
    Self.expect(e, "map@2", [1, 1])                  // (1 + 1)/min(2, |T|) = 2/2
    Self.expect(e, "map@5", [1, 1])                  // user 1: (1 + 1 + 1)/3
    Self.expect(e, "hitRate@2", [1, 1])
    Self.expect(e, "mrr", [1, 1])
    Self.expect(e, "auc", [1, 1])                    // every relevant note above every other
  }

  @Test func listsWithoutHitsScoreZero() throws {
    // User 0: T = {e}, L = [a, b, c]: no hit anywhere. User 1: T = {d}, L = [a, b, c, d]: hit at 4, beyond K = 2.
    let e = try Self.evaluate([["a", "b", "c"], ["a", "b", "c", "d"]], [["e"], ["d"]], cutoffs: [2])
    for metric in ["precision@2", "recall@2", "recallTruncated@2", "ndcg@2", "map@2", "hitRate@2"] {
      Self.expect(e, metric, [0, 0])
    }
    Self.expect(e, "mrr", [0, 1.0 / 4])              // the whole list counts for MRR
    // User 0: N = 4 (a–d); e unlisted, tied with d below a, b, c: ½·1·(4 − 3) = ½ → ½/4 = 1/8.
    // User 1: N = 4 (a, b, c, e); d at rank 4 has 3 non-relevant above: 4 − 3 = 1 → 1/4.
    Self.expect(e, "auc", [1.0 / 8, 1.0 / 4])
  }

  @Test func usersWithoutTestNotesAreSkipped() throws {
    // User 1 has no test notes: left out of every metric, counted in skippedUsers, its list (d, e) not covered.
    let e = try Self.evaluate([["a", "b"], ["d", "e"], ["c", "a"]], [["a"], [], ["a"]], cutoffs: [2])
    #expect(e.users == [0, 2])
    #expect(e.skippedUsers == 1)
    Self.expect(e, "precision@2", [0.5, 0.5])
    Self.expect(e, "mrr", [1, 0.5])
    Self.expectAggregate(e, "coverage@2", 3.0 / 5)  // a, b, c
    let report = try e.report(bootstrapSamples: 0)
    #expect(report.users == 2 && report.skippedUsers == 1)
    #expect(report["mrr"] == MetricSummary(mean: 0.75, low: nil, high: nil, users: 2))
  }

  @Test func aNoteListedTwiceCountsOnceAtItsFirstPlace() throws {
    // L = [b, b, a], T = {b}: one hit (rank 1); the repeat is a non-relevant place.
    let e = try Self.evaluate([["b", "b", "a"]], [["b"]], cutoffs: [3])
    Self.expect(e, "precision@3", [1.0 / 3])
    Self.expect(e, "recall@3", [1])
    Self.expect(e, "ndcg@3", [1])
    Self.expect(e, "map@3", [1])
  }

  @Test func aucHalvesTiesOfUnlistedNotes() throws {
    // T = {c, e}, L = [c, a]. N = 5 − 2 = 3 (a, b, d). c (rank 1): 3 − 0 = 3.
    // e unlisted: ½·1·(3 − 1) = 1 (tied with b and d, below a). (3 + 1)/(2·3) = 2/3.
    let e = try Self.evaluate([["c", "a"]], [["c", "e"]], cutoffs: [2])
    Self.expect(e, "auc", [2.0 / 3])
  }

  @Test func catalogueFromTrainingAndAUCWithoutTrainingNotes() throws {
    // Training: u1 {a, b}, u2 {a, b}, u3 {a, c}, u4 {a, d} → |U| = 4, pop a = 1, b = ½, c = d = ¼.
    var log = Interactions()
    for (user, note) in [("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b"), ("u3", "a"), ("u3", "c"), ("u4", "a"), ("u4", "d")] {
      try log.append(user: user, note: note, weight: 1)
    }
    let catalog = CatalogStatistics(train: log)
    #expect(catalog.count == 4 && catalog.trainUserCount == 4)
    #expect(catalog.popularity(of: "a") == 1 && catalog.popularity(of: "b") == 0.5 && catalog.popularity(of: "c") == 0.25)
    #expect(catalog.popularity(of: "zz") == 0)
    #expect(catalog.trainNoteCount(ofUser: "u3") == 2 && catalog.trainNoteCount(ofUser: "nobody") == 0)
    // u3, T = {d}, L = [b, d]. With users: N = 4 − 2 (a, c seen) − 1 = 1 (b), above d → 0/1.
    // Without: N = 4 − 1 = 3 (a, b, c); d at rank 2 with 1 above → (3 − 1)/3 = 2/3.
    let withUsers = try Self.evaluate([["b", "d"]], [["d"]], cutoffs: [2], users: ["u3"], catalog: catalog)
    let without = try Self.evaluate([["b", "d"]], [["d"]], cutoffs: [2], catalog: catalog)
    Self.expect(withUsers, "auc", [0])
    Self.expect(without, "auc", [2.0 / 3])
    // No negatives at all (N = 4 − 3 − 1 = 0 for a user who saw a, b, c and wants d): undefined.
    var seenAll = log
    try seenAll.append(user: "u5", note: "a", weight: 1)
    try seenAll.append(user: "u5", note: "b", weight: 1)
    try seenAll.append(user: "u5", note: "c", weight: 1)
    let none = try Self.evaluate([["d"]], [["d"]], cutoffs: [1], users: ["u5"], catalog: CatalogStatistics(train: seenAll))
    Self.expect(none, "auc", [.nan])
    #expect(none.mean(of: "auc") == nil)
  }

  @Test func invalidInputsThrow() throws {
    #expect(throws: ZhongcaoError.self) { try Self.evaluate([["a"]], [], cutoffs: [1]) }
    #expect(throws: ZhongcaoError.self) { try Self.evaluate([["a"]], [["a"]], cutoffs: [0]) }
    #expect(throws: ZhongcaoError.self) { try Self.evaluate([["a"]], [["a"]], cutoffs: []) }
    #expect(throws: ZhongcaoError.self) { try Self.evaluate([["a"]], [["a"]], cutoffs: [1], users: []) }
    #expect(throws: ZhongcaoError.self) { try CatalogStatistics(notes: ["a", "a"], userCounts: [1, 1], trainUserCount: 1) }
    #expect(throws: ZhongcaoError.self) { try CatalogStatistics(notes: ["a"], userCounts: [2], trainUserCount: 1) }
  }

  // MARK: Beyond accuracy

  @Test func noveltyPopularityAndDistributionOfListings() throws {
    // Top-2 lists [a, b], [a, c], [b, a]: a listed 3×, b 2×, c 1×, d and e 0× (6 places).
    let e = try Self.evaluate([["a", "b", "c"], ["a", "c", "e"], ["b", "a", "d"]], [["c"], ["e"], ["d"]], cutoffs: [2, 3])
    // Novelty@2 = mean self-information in bits: (0 + 1)/2, (0 + 2)/2, (1 + 0)/2.
    Self.expect(e, "novelty@2", [0.5, 1, 0.5])
    // @3: (0 + 1 + 2)/3 = 1; (0 + 2 + 2)/3 with e (never seen) floored to pop ¼ → 2 bits; (1 + 0 + 2)/3.
    Self.expect(e, "novelty@3", [1, 4.0 / 3, 1])
    // ARP@2 = mean pop: (1 + ½)/2, (1 + ¼)/2, (½ + 1)/2; @3 adds c = ¼, e = 0, d = ¼.
    Self.expect(e, "arp@2", [0.75, 0.625, 0.75])
    Self.expect(e, "arp@3", [1.75 / 3, 1.25 / 3, 1.75 / 3])
    Self.expectAggregate(e, "coverage@2", 3.0 / 5)   // a, b, c of 5
    Self.expectAggregate(e, "coverage@3", 1)
    // Entropy@2 of (3, 2, 1)/6: ½·1 + ⅓·log₂3 + ⅙·log₂6 = 0.5 + 0.5283208 + 0.4308271 = 1.4591479 bits.
    Self.expectAggregate(e, "entropy@2", 1.4591479170272448)
    Self.expectAggregate(e, "normalizedEntropy@2", 1.4591479170272448 / log2(5.0))  // / 2.3219281 = 0.6284208
    // Gini@2: ascending f = 0, 0, 1, 2, 3 (n = 5, Σf = 6), weights 2j − 6 = −4, −2, 0, 2, 4:
    // (0 + 0 + 0 + 4 + 12)/(5·6) = 16/30. Check: Σ|fᵢ − fⱼ| over ordered pairs = 32, / (2n²μ) = 32/60.
    Self.expectAggregate(e, "gini@2", 16.0 / 30)
    // Gini@3: f = 1, 1, 2, 2, 3 (Σ = 9): (−4 − 2 + 0 + 4 + 12)/(5·9) = 10/45.
    Self.expectAggregate(e, "gini@3", 10.0 / 45)
    // Lift@2: mean pop of the 6 places (1 + ½ + 1 + ¼ + ½ + 1)/6 = 4.25/6, over the catalogue's
    // mean pop (1 + ½ + ¼ + ¼ + 0)/5 = 0.4 → 1.7708333.
    Self.expectAggregate(e, "popularityLift@2", 4.25 / 6 / 0.4)
  }

  @Test func uniformListingsHaveFullEntropyAndZeroGini() throws {
    // Five one-note lists, one per catalogue note: every frequency 1.
    let notes = ["a", "b", "c", "d", "e"]
    let e = try Self.evaluate(notes.map { [$0] }, notes.map { [$0] }, cutoffs: [1])
    Self.expectAggregate(e, "coverage@1", 1)
    Self.expectAggregate(e, "entropy@1", log2(5.0))   // 2.3219281 bits
    Self.expectAggregate(e, "normalizedEntropy@1", 1)
    Self.expectAggregate(e, "gini@1", 0)              // (−4 − 2 + 0 + 2 + 4)/(5·5)
    Self.expectAggregate(e, "popularityLift@1", 1)    // every note once: the catalogue mean
    // Novelty@1 per user is the note's self-information: 0, 1, 2, 2, 2.
    Self.expect(e, "novelty@1", [0, 1, 2, 2, 2])
  }

  @Test func everythingOnOneNote() throws {
    // Three lists [a]: f = 0, 0, 0, 0, 3; Gini = (4·3)/(5·3) = 0.8 = 1 − 1/n; entropy 0; lift 1/0.4.
    let e = try Self.evaluate([["a"], ["a"], ["a"]], [["a"], ["b"], ["c"]], cutoffs: [1])
    Self.expectAggregate(e, "coverage@1", 1.0 / 5)
    Self.expectAggregate(e, "entropy@1", 0)
    Self.expectAggregate(e, "gini@1", 0.8)
    Self.expectAggregate(e, "popularityLift@1", 2.5)
  }

  @Test func intraListDiversityIsMeanCosineDistance() throws {
    // a = (1, 0), b = (0, 1), c = (3, 3) (unit (1, 1)/√2), d = (−1, 0), e: no vector.
    let vectors: [String: [Float]] = ["a": [1, 0], "b": [0, 1], "c": [3, 3], "d": [-1, 0]]
    let e = try Self.evaluate([["a", "b", "c"], ["a", "d"], ["a", "e", "b"]], [["a"], ["a"], ["a"]],
                              cutoffs: [2, 3], vectors: { vectors[$0] })
    // [a, b, c]: cos(a,b) = 0, cos(a,c) = cos(b,c) = 1/√2 → (1 + 2(1 − 0.7071068))/3 = 0.5285955.
    // [a, d]: cos = −1 → distance 2. [a, e, b]: only a and b have vectors → 1 − 0 = 1; at K = 2 only a: undefined.
    let threeWay = (1 + 2 * (1 - 1 / 2.0.squareRoot())) / 3
    // Unit vectors are stored as Float: agreement to 1e-6.
    Self.expect(e, "diversity@2", [1, 2, .nan], tolerance: 1e-6)
    Self.expect(e, "diversity@3", [threeWay, 2, 1], tolerance: 1e-6)
    let meanDiversity = try #require(e.mean(of: "diversity@2"))
    #expect(abs(meanDiversity - 1.5) < 1e-6)  // (1 + 2)/2, over the two defined users
    let report = try e.report(bootstrapSamples: 0)
    #expect(report["diversity@2"]?.users == 2)
    // Without vectors there is no diversity metric.
    #expect(try Self.evaluate([["a", "b"]], [["a"]], cutoffs: [2]).values(of: "diversity@2") == nil)
  }

  // MARK: Bootstrap

  /// Four users with different hit rates and reciprocal ranks (hitRate@1 = 1, 0, 0, 1; mrr = 1, ½, ⅓, 1).
  static func mixed() throws -> RankingEvaluation {
    try evaluate([["a", "b"], ["a", "b"], ["a", "b", "c"], ["c"]], [["a"], ["b"], ["c"], ["c"]], cutoffs: [1])
  }

  @Test func intervalsContainTheMeanAndAreReproducible() throws {
    let e = try Self.mixed()
    let report = try e.report(bootstrapSamples: 500, seed: 7, confidence: 0.95)
    let mrr = try #require(report["mrr"])
    let mrrMean = try #require(mrr.mean), mrrLow = try #require(mrr.low), mrrHigh = try #require(mrr.high)
    #expect(abs(mrrMean - (1 + 0.5 + 1.0 / 3 + 1) / 4) < 1e-12)   // 0.7083333
    for (name, summary) in report.metrics {
      let mean = try #require(summary.mean), low = try #require(summary.low), high = try #require(summary.high)
      #expect(low <= mean && mean <= high, "\(name): \(summary.formatted)")
      // Resampled means lie between the smallest and largest per-user value.
      let values = try #require(e.values(of: name)).filter { !$0.isNaN }
      #expect(low >= values.min()! - 1e-12 && high <= values.max()! + 1e-12, "\(name): \(summary.formatted)")
    }
    // hitRate@1 varies (1, 0, 0, 1), so its interval has width.
    let hit = try #require(report["hitRate@1"])
    let hitLow = try #require(hit.low), hitHigh = try #require(hit.high)
    #expect(hitLow < 0.5 && 0.5 < hitHigh, "\(hit.formatted)")
    // Same seed, same report; another seed moves the intervals.
    #expect(try e.report(bootstrapSamples: 500, seed: 7, confidence: 0.95) == report)
    #expect(try e.report(bootstrapSamples: 500, seed: 8, confidence: 0.95) != report)
    // The same resamples at a lower confidence give a nested interval.
    let narrow = try #require(try e.report(bootstrapSamples: 500, seed: 7, confidence: 0.5)["mrr"])
    let narrowLow = try #require(narrow.low), narrowHigh = try #require(narrow.high)
    #expect(mrrLow <= narrowLow && narrowLow <= narrowHigh && narrowHigh <= mrrHigh, "\(mrr.formatted) vs \(narrow.formatted)")
    #expect(report.bootstrap == .init(samples: 500, confidence: 0.95, seed: 7))
  }

  @Test func intervalCollapsesWhenEveryUserHasTheSameValue() throws {
    // Three users, each T = {b} and L = [a, b, c]: every value identical (mrr ½, precision@3 ⅓, auc ¾).
    let e = try Self.evaluate(Array(repeating: ["a", "b", "c"], count: 3), Array(repeating: ["b"], count: 3), cutoffs: [3])
    let report = try e.report(bootstrapSamples: 200, seed: 3)
    for (name, expected) in [("mrr", 0.5), ("precision@3", 1.0 / 3), ("auc", 3.0 / 4)] {
      let summary = try #require(report[name])
      let mean = try #require(summary.mean), low = try #require(summary.low), high = try #require(summary.high)
      #expect(abs(mean - expected) < 1e-12 && abs(low - expected) < 1e-12 && abs(high - expected) < 1e-12,
              "\(name): \(summary.formatted), want \(expected)")
    }
  }

  @Test func percentilesOfATwoUserBootstrap() throws {
    // Values {0, 1}: a resample of 2 users has mean 0, ½ or 1 with probability ¼, ½, ¼.
    // 95%: the 2.5% and 97.5% quantiles fall among the 0s and the 1s → [0, 1].
    // 40%: the 30% and 70% quantiles both fall among the ½s (25%…75%) → [½, ½].
    let wide = Bootstrap.percentileIntervals([[0, 1]], samples: 2000, seed: 1, confidence: 0.95)
    let narrow = Bootstrap.percentileIntervals([[0, 1]], samples: 2000, seed: 1, confidence: 0.4)
    #expect(wide[0]?.low == 0 && wide[0]?.high == 1)
    #expect(narrow[0]?.low == 0.5 && narrow[0]?.high == 0.5)
    // Undefined (NaN) users are left out of each resample's mean: {2, NaN, 4} stays within [2, 4].
    let partial = try #require(Bootstrap.percentileIntervals([[2, .nan, 4]], samples: 500, seed: 1, confidence: 0.95)[0])
    #expect(partial.low == 2 && partial.high == 4)
    // No resamples, no users, or never defined: no interval.
    #expect(Bootstrap.percentileIntervals([[1, 2]], samples: 0, seed: 1, confidence: 0.95)[0] == nil)
    #expect(Bootstrap.percentileIntervals([[]], samples: 10, seed: 1, confidence: 0.95)[0] == nil)
    #expect(Bootstrap.percentileIntervals([[.nan, .nan]], samples: 10, seed: 1, confidence: 0.95)[0] == nil)
  }

  @Test func quantileInterpolatesBetweenOrderStatistics() {
    // Position q·(n − 1): [1, 2, 3, 4] at ½ → 1.5 → 2 + ½·(3 − 2) = 2.5; at ¼ → 0.75 → 1.75.
    #expect(Bootstrap.quantile([1, 2, 3, 4], 0.5) == 2.5)
    #expect(Bootstrap.quantile([1, 2, 3, 4], 0.25) == 1.75)
    #expect(Bootstrap.quantile([1, 2, 3, 4], 0) == 1)
    #expect(Bootstrap.quantile([1, 2, 3, 4], 1) == 4)
    #expect(Bootstrap.quantile([7], 0.3) == 7)
  }

  @Test func bootstrapSettingsAreValidated() throws {
    let e = try Self.mixed()
    #expect(throws: ZhongcaoError.self) { try e.report(bootstrapSamples: -1) }
    #expect(throws: ZhongcaoError.self) { try e.report(confidence: 1) }
    #expect(throws: ZhongcaoError.self) { try e.report(confidence: 0) }
    // evaluate = perUser + report with the same settings.
    let direct = try RankingMetrics.evaluate(rankings: [["a", "b"], ["a", "b"], ["a", "b", "c"], ["c"]],
                                             relevant: [["a"], ["b"], ["c"], ["c"]], cutoffs: [1], catalog: Self.catalog,
                                             bootstrapSamples: 100, seed: 5)
    #expect(direct == (try e.report(bootstrapSamples: 100, seed: 5)))
  }
}
