import Foundation
import Testing
@testable import Zhongcao

@Suite("FeedGenerator")
struct FeedGeneratorTests {
  /// The default configuration (2,000 users × 1,000 notes × 50,000 events), generated once.
  static let standard = FeedGenerator(FeedGenerator.Configuration()).generate()

  static func configuration(_ change: (inout FeedGenerator.Configuration) -> Void) -> FeedGenerator.Configuration {
    var configuration = FeedGenerator.Configuration()
    change(&configuration)
    return configuration
  }

  static func eventsPerUser(_ output: FeedGenerator.Output) -> [Int] {
    var counts = [Int](repeating: 0, count: output.interactions.users.count)
    for u in output.interactions.userIndices { counts[Int(u)] += 1 }
    return counts
  }

  static func eventsPerNote(_ output: FeedGenerator.Output) -> [Int] {
    var counts = [Int](repeating: 0, count: output.interactions.notes.count)
    for i in output.interactions.noteIndices { counts[Int(i)] += 1 }
    return counts
  }

  // MARK: Determinism

  @Test func sameSeedGivesIdenticalOutput() {
    let configuration = Self.configuration { $0.users = 300; $0.notes = 200; $0.interactions = 6_000 }
    let a = FeedGenerator(configuration).generate()
    let b = FeedGenerator(configuration).generate()
    #expect(a.interactions == b.interactions)
    #expect(a.eventKinds == b.eventKinds)
    #expect(a.truth == b.truth)
  }

  @Test func differentSeedGivesDifferentOutput() {
    let a = Self.configuration { $0.users = 300; $0.notes = 200; $0.interactions = 6_000 }
    var b = a
    b.seed = 43
    let first = FeedGenerator(a).generate(), second = FeedGenerator(b).generate()
    #expect(first.interactions.noteIndices != second.interactions.noteIndices)
    #expect(first.interactions.timestamps != second.interactions.timestamps)
    #expect(first.truth.userTastes != second.truth.userTastes)
    #expect(first.truth.notePopularity != second.truth.notePopularity)
  }

  // MARK: Shape

  @Test func idsAreZeroPaddedAndCoverTheWorld() {
    let log = Self.standard.interactions
    #expect(log.users.count == 2_000)
    #expect(log.notes.count == 1_000)
    #expect(log.users[0] == "u000000")
    #expect(log.users[1_999] == "u001999")
    #expect(log.notes[0] == "n00000")
    #expect(log.notes[999] == "n00999")
    #expect(FeedGenerator.ids(prefix: "u", count: 1_234_567, minimumDigits: 6).last == "u1234566")
    #expect(FeedGenerator.ids(prefix: "n", count: 100_000, minimumDigits: 5).last == "n99999")
    #expect(FeedGenerator.ids(prefix: "n", count: 1, minimumDigits: 5) == ["n00000"])
  }

  @Test(arguments: [
    (2_000, 1_000, 50_000, 1.0),
    (500, 300, 10_000, 2.0),
    (1_000, 5_000, 1_000, 1.0),
    (200, 50, 30_000, 0.0),
  ])
  func eventCountIsNearTheTarget(users: Int, notes: Int, interactions: Int, sigma: Double) {
    let configuration = Self.configuration {
      $0.users = users; $0.notes = notes; $0.interactions = interactions; $0.activitySigma = sigma
    }
    let output = FeedGenerator(configuration).generate()
    let count = output.interactions.count
    #expect(abs(Double(count) / Double(interactions) - 1) < 0.05, "got \(count) events for a target of \(interactions)")
    #expect(output.eventKinds.count == count)
    #expect(Self.eventsPerUser(output).allSatisfy { $0 >= 1 }, "every user has at least one event")
  }

  @Test func eventsAreGroupedByUserAndAscendingInTime() throws {
    let log = Self.standard.interactions
    let timestamps = try #require(log.timestamps)
    let start = FeedGenerator.Configuration.epoch, end = start + 30 * 86_400
    #expect(timestamps.allSatisfy { $0 >= start && $0 < end })
    for e in 1..<log.count {
      #expect(log.userIndices[e - 1] <= log.userIndices[e])
      if log.userIndices[e - 1] == log.userIndices[e] { #expect(timestamps[e - 1] <= timestamps[e]) }
    }
    // The window is covered, not just its start.
    #expect(timestamps.min()! < start + 86_400)
    #expect(timestamps.max()! >= end - 86_400)
  }

  @Test func timestampsFollowTheConfiguredDays() throws {
    let output = FeedGenerator(Self.configuration { $0.users = 100; $0.notes = 50; $0.interactions = 2_000; $0.days = 1 }).generate()
    let timestamps = try #require(output.interactions.timestamps)
    let start = FeedGenerator.Configuration.epoch
    #expect(timestamps.allSatisfy { $0 >= start && $0 < start + 86_400 })
  }

  // MARK: Distributions

  @Test func popularityIsHeavyTailed() {
    let perNote = Self.eventsPerNote(Self.standard).sorted(by: >)
    let total = perNote.reduce(0, +)
    let topShare = Double(perNote.prefix(10).reduce(0, +)) / Double(total)  // top 1% of 1,000 notes
    #expect(topShare > 0.15, "top 1% of notes draw \(topShare) of events")
    let median = perNote[perNote.count / 2]
    #expect(perNote[0] > 20 * median, "busiest note \(perNote[0]) vs median \(median)")

    let flat = FeedGenerator(Self.configuration { $0.popularityExponent = 0 }).generate()
    let flatPerNote = Self.eventsPerNote(flat).sorted(by: >)
    let flatShare = Double(flatPerNote.prefix(10).reduce(0, +)) / Double(flatPerNote.reduce(0, +))
    #expect(flatShare < topShare / 2, "without a popularity law the top 1% draw \(flatShare)")
  }

  @Test func activityIsLogNormal() {
    let counts = Self.eventsPerUser(Self.standard).map(Double.init)
    let logs = counts.map { Foundation.log($0) }
    let mean = logs.reduce(0, +) / Double(logs.count)
    let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count)).squareRoot()
    #expect(sd > 0.75 && sd < 1.25, "σ of log events per user is \(sd), configured 1")
    let sorted = counts.sorted()
    #expect(sorted.last! > 8 * sorted[sorted.count / 2], "the most active user is far above the median")

    let even = FeedGenerator(Self.configuration { $0.activitySigma = 0 }).generate()
    let evenCounts = Self.eventsPerUser(even)
    #expect(evenCounts.allSatisfy { $0 == 25 }, "σ = 0 gives every user 50,000 / 2,000 events")
  }

  @Test func eventWeightsAreTheKindsDefaultWeights() {
    let output = Self.standard
    for (weight, kind) in zip(output.interactions.weights, output.eventKinds) {
      #expect(weight == EventWeights.default.weight(of: kind.name))
    }
    #expect(Set(output.interactions.weights) == Set([1, 2, 4, 6, 10]))
  }

  @Test func kindsFollowTheMixAndEngagementRisesWithAffinity() {
    let output = Self.standard
    var counts = [Int](repeating: 0, count: FeedGenerator.EventKind.allCases.count)
    var affinity = [Double](repeating: 0, count: counts.count)
    for e in 0..<output.interactions.count {
      let kind = Int(output.eventKinds[e].rawValue)
      counts[kind] += 1
      affinity[kind] += Double(output.truth.affinity(user: Int(output.interactions.userIndices[e]),
                                                     note: Int(output.interactions.noteIndices[e])))
    }
    // view > like > collect > comment > share > purchase.
    for index in 1..<counts.count { #expect(counts[index - 1] > counts[index], "\(counts)") }
    let share = Double(counts[0]) / Double(output.interactions.count)
    #expect(share > 0.65 && share < 0.85, "views are \(share) of events")
    let meanAffinity = zip(affinity, counts).map { $0 / Double($1) }
    #expect(meanAffinity[FeedGenerator.EventKind.purchase.rawValue.asInt] > meanAffinity[0])
    #expect(meanAffinity[FeedGenerator.EventKind.collect.rawValue.asInt] > meanAffinity[0])
  }

  @Test func eventKindNamesRoundTrip() {
    for kind in FeedGenerator.EventKind.allCases {
      #expect(FeedGenerator.EventKind(name: kind.name) == kind)
      #expect(FeedGenerator.EventKind(name: kind.name.uppercased()) == kind)
      #expect(EventWeights.default.weight(of: kind.name) != nil)
    }
    #expect(FeedGenerator.EventKind(name: "impression") == nil)
  }

  @Test func plantedTruthIsConsistent() {
    let truth = Self.standard.truth
    let d = truth.tasteDimensions
    #expect(truth.userTastes.count == 2_000 * d)
    #expect(truth.noteTopics.count == 1_000 * d)
    #expect(abs(truth.notePopularity.reduce(0, +) - 1) < 1e-3)
    for i in 0..<truth.noteCount {
      let row = truth.noteTopics[i * d..<(i + 1) * d]
      #expect(row.allSatisfy { $0 >= 0 })
      #expect(abs(row.reduce(0, +) - 1) < 1e-4)
      #expect(row.count { $0 > 0 } <= 3)
    }
    let meanActivity = truth.userActivity.reduce(0, +) / Float(truth.userCount)
    #expect(abs(meanActivity - 1) < 0.15)
  }

  /// The sampler is exact: in a tiny world, note frequencies match popularity · exp(s·affinity).
  @Test func eventsFollowThePlantedDistribution() {
    let configuration = Self.configuration {
      $0.users = 1; $0.notes = 12; $0.interactions = 120_000; $0.tasteDimensions = 4; $0.tasteStrength = 3
    }
    let output = FeedGenerator(configuration).generate()
    let weights = (0..<12).map { Double(output.truth.score(user: 0, note: $0)) }.map { Foundation.exp($0) }
    let total = weights.reduce(0, +)
    let counts = Self.eventsPerNote(output)
    for note in 0..<12 {
      let expected = weights[note] / total * Double(output.interactions.count)
      let tolerance = 5 * expected.squareRoot() + 5
      #expect(abs(Double(counts[note]) - expected) < tolerance, "note \(note): \(counts[note]) events, expected \(expected)")
    }
  }

  // MARK: Planted structure

  /// Held-out events are ranked far better by the planted score than by popularity, and taste
  /// alone (ignoring popularity) still beats popularity: the data rewards a model that learns tastes.
  @Test func plantedAffinityPredictsHeldOutEventsBetterThanPopularity() {
    let output = Self.standard
    let log = output.interactions, truth = output.truth
    var random = SeededRandom(seed: 7)
    // Per-user 80/20 holdout of distinct notes (users with ≥ 2 notes).
    var train = [[Int32]](), test = [[Int32]]()
    var start = 0
    while start < log.count {
      var end = start
      while end < log.count && log.userIndices[end] == log.userIndices[start] { end += 1 }
      var notes = Array(Set(log.noteIndices[start..<end])).sorted()
      notes.shuffle(using: &random)
      let held = notes.count >= 2 ? min(notes.count - 1, max(1, Int((0.2 * Double(notes.count)).rounded()))) : 0
      test.append(Array(notes[..<held]))
      train.append(Array(notes[held...]))
      start = end
    }
    var popularity = [Double](repeating: 0, count: truth.noteCount)
    for notes in train { for note in notes { popularity[Int(note)] += 1 } }

    func auc(_ score: (Int, Int) -> Double) -> Double {
      var sum = 0.0, users = 0
      for u in stride(from: 0, to: train.count, by: 4) where !test[u].isEmpty {
        let excluded = Set(train[u]), positives = Set(test[u])
        var ranked: [(score: Double, positive: Bool)] = []
        for note in 0..<truth.noteCount where !excluded.contains(Int32(note)) {
          ranked.append((score(u, note), positives.contains(Int32(note))))
        }
        ranked.sort { $0.score < $1.score }
        // Mann–Whitney U with average ranks for ties.
        var rankSum = 0.0, index = 0
        while index < ranked.count {
          var tieEnd = index
          while tieEnd < ranked.count && ranked[tieEnd].score == ranked[index].score { tieEnd += 1 }
          let averageRank = Double(index + tieEnd + 1) / 2
          for t in index..<tieEnd where ranked[t].positive { rankSum += averageRank }
          index = tieEnd
        }
        let p = Double(positives.count), n = Double(ranked.count) - p
        guard n > 0 else { continue }
        sum += (rankSum - p * (p + 1) / 2) / (p * n)
        users += 1
      }
      return sum / Double(users)
    }

    let popularityAUC = auc { _, note in popularity[note] }
    let affinityAUC = auc { user, note in Double(truth.affinity(user: user, note: note)) }
    let plantedAUC = auc { user, note in Double(truth.score(user: user, note: note)) }
    // Measured at the defaults: planted score 0.917, affinity alone 0.837, popularity 0.809.
    #expect(plantedAUC > popularityAUC + 0.08, "planted score AUC \(plantedAUC) vs popularity AUC \(popularityAUC)")
    #expect(affinityAUC > popularityAUC + 0.01, "affinity AUC \(affinityAUC) vs popularity AUC \(popularityAUC)")
    #expect(plantedAUC > affinityAUC)
  }

  // MARK: Configuration

  static let invalidConfigurations: [(String, FeedGenerator.Configuration)] = [
    ("users", configuration { $0.users = 0 }),
    ("users", configuration { $0.users = -5 }),
    ("notes", configuration { $0.notes = 0 }),
    ("interactions", configuration { $0.interactions = 1_999 }),
    ("interactions", configuration { $0.interactions = -1 }),
    ("taste dimensions", configuration { $0.tasteDimensions = 0 }),
    ("topics per note", configuration { $0.maxTopicsPerNote = 0 }),
    ("popularity exponent", configuration { $0.popularityExponent = -1 }),
    ("popularity head", configuration { $0.popularityHeadFraction = 2 }),
    ("activity sigma", configuration { $0.activitySigma = .infinity }),
    ("taste strength", configuration { $0.tasteStrength = .nan }),
    ("engagement lift", configuration { $0.engagementLift = -0.5 }),
    ("event mix", configuration { $0.eventMix.purchase = -0.1 }),
    ("event mix", configuration {
      $0.eventMix = FeedGenerator.EventMix(view: 0, like: 0, collect: 0, comment: 0, share: 0, purchase: 0)
    }),
    ("days", configuration { $0.days = 0 }),
  ]

  @Test(arguments: invalidConfigurations)
  func invalidConfigurationsAreRejected(field: String, configuration: FeedGenerator.Configuration) {
    let error = #expect(throws: ZhongcaoError.self) { try configuration.validate() }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains(field) == true, "message '\(error?.message ?? "")' should name \(field)")
    #expect(throws: ZhongcaoError.self) { try FeedGenerator(validating: configuration) }
  }

  @Test func defaultConfigurationIsValidAndCodable() throws {
    let configuration = FeedGenerator.Configuration()
    try configuration.validate()
    #expect(configuration.users == 2_000 && configuration.notes == 1_000 && configuration.interactions == 50_000)
    #expect(configuration.tasteDimensions == 16 && configuration.days == 30 && configuration.seed == 42)
    var changed = configuration
    changed.seed = 7
    changed.eventMix.share = 0.5
    let decoded = try JSONDecoder().decode(FeedGenerator.Configuration.self, from: JSONEncoder().encode(changed))
    #expect(decoded == changed)
  }

  @Test func popularityOnlyWorldIgnoresTastes() {
    // With taste strength 0 the planted score is popularity alone, and a single-topic world works.
    let output = FeedGenerator(Self.configuration {
      $0.users = 50; $0.notes = 20; $0.interactions = 500; $0.tasteStrength = 0; $0.tasteDimensions = 1
    }).generate()
    #expect(output.interactions.count == 500)
    #expect(output.truth.score(user: 0, note: 3) == Foundation.log(output.truth.notePopularity[3]))
  }
}

@Suite("SeededRandom")
struct SeededRandomTests {
  @Test func splitMix64MatchesTheReferenceSequence() {
    // First outputs of SplitMix64 seeded with 0 (reference implementation by Vigna).
    var random = SplitMix64(seed: 0)
    #expect(random.next() == 0xE220_A839_7B1D_CDAF)
    #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(random.next() == 0x06C4_5D18_8009_454F)
  }

  @Test func sameSeedSameSequenceAndStreamsDiffer() {
    var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
    let first = (0..<8).map { _ in a.next() }
    #expect(first == (0..<8).map { _ in b.next() })
    #expect(first != (0..<8).map { _ in c.next() })
    var s0 = SeededRandom(seed: 42, stream: 0), s1 = SeededRandom(seed: 42, stream: 1)
    #expect((0..<4).map { _ in s0.next() } != (0..<4).map { _ in s1.next() })
  }

  @Test func drawsAreUniform() {
    var random = SeededRandom(seed: 1)
    var buckets = [Int](repeating: 0, count: 10)
    for _ in 0..<100_000 { buckets[random.index(below: 10)] += 1 }
    #expect(buckets.allSatisfy { abs($0 - 10_000) < 500 }, "\(buckets)")
    let mean = (0..<100_000).reduce(0.0) { sum, _ in sum + random.unitDouble() } / 100_000
    #expect(abs(mean - 0.5) < 0.01)
    let normals = (0..<100_000).map { _ in random.standardNormal() }
    let normalMean = normals.reduce(0, +) / 100_000
    let variance = normals.map { ($0 - normalMean) * ($0 - normalMean) }.reduce(0, +) / 100_000
    #expect(abs(normalMean) < 0.02 && abs(variance - 1) < 0.03)
  }
}

private extension UInt8 {
  var asInt: Int { Int(self) }
}
