import Foundation
import Testing
@testable import Zhongcao

@Suite("Split")
struct SplitTests {
  /// 400 users × 150 notes × 8,000 timestamped events, with repeated pairs.
  static let generated = FeedGenerator(FeedGenerator.Configuration.small).generate().interactions

  /// A log from `(user, note, time)` triples (weight 1).
  static func log(_ events: [(String, String, Int64)]) -> Interactions {
    var log = Interactions()
    for (user, note, time) in events { try! log.append(user: user, note: note, weight: 1, timestamp: time) }
    return log
  }

  /// The distinct (user, note) pairs of a log.
  static func pairs(_ log: Interactions) -> Set<Pair> {
    Set(zip(log.userIndices, log.noteIndices).map { Pair(log.users[Int($0)], log.notes[Int($1)]) })
  }

  static func testPairs(_ split: DataSplit) -> [Pair] {
    zip(split.testUsers, split.testNotes).flatMap { user, notes in notes.map { Pair(user, $0) } }
  }

  static func foldInPairs(_ split: DataSplit) -> [Pair] {
    zip(split.testUsers, split.foldInHistory ?? []).flatMap { user, history in history.map { Pair(user, $0.note) } }
  }

  /// Per pair: earliest and latest event time.
  static func times(_ log: Interactions) -> [Pair: (first: Int64, last: Int64)] {
    var result: [Pair: (first: Int64, last: Int64)] = [:]
    for e in 0..<log.count {
      let pair = Pair(log.users[Int(log.userIndices[e])], log.notes[Int(log.noteIndices[e])])
      let t = log.timestamps![e]
      let old = result[pair] ?? (t, t)
      result[pair] = (min(old.first, t), max(old.last, t))
    }
    return result
  }

  struct Pair: Hashable, CustomStringConvertible {
    var user: String, note: String
    init(_ user: String, _ note: String) { self.user = user; self.note = note }
    var description: String { "\(user)·\(note)" }
  }

  static func sameSplit(_ a: DataSplit, _ b: DataSplit) -> Bool {
    a.train == b.train && a.testUsers == b.testUsers && a.testNotes == b.testNotes && a.counts == b.counts
      && (a.foldInHistory?.map { $0.map(\.note) } ?? []) == (b.foldInHistory?.map { $0.map(\.note) } ?? [])
  }

  static let allStrategies: [SplitStrategy] = [.holdout(fraction: 0.2), .leaveLast(count: 2), .timeCutoff(cutoffOfGenerated), .heldOutUsers(count: 60)]

  /// A time two thirds into the generated log.
  static let cutoffOfGenerated: Int64 = {
    let times = generated.timestamps!.sorted()
    return times[times.count * 2 / 3]
  }()

  // MARK: Every strategy

  @Test(arguments: allStrategies)
  func sameSeedSameSplitOtherSeedOtherSplit(_ strategy: SplitStrategy) throws {
    let a = try Self.generated.split(strategy, seed: 5)
    let b = try Self.generated.split(strategy, seed: 5)
    #expect(Self.sameSplit(a, b))
    if case .holdout = strategy {
      #expect(!Self.sameSplit(a, try Self.generated.split(strategy, seed: 6)))
    } else if case .heldOutUsers = strategy {
      #expect(!Self.sameSplit(a, try Self.generated.split(strategy, seed: 6)))
    } else {
      // The time-based splits use no randomness.
      #expect(Self.sameSplit(a, try Self.generated.split(strategy, seed: 6)))
    }
  }

  @Test(arguments: allStrategies)
  func trainAndTestAreDisjointAndCountsAddUp(_ strategy: SplitStrategy) throws {
    let split = try Self.generated.split(strategy, seed: 1)
    let train = Self.pairs(split.train), test = Self.testPairs(split), foldIn = Self.foldInPairs(split)
    let all = Self.pairs(Self.generated)
    #expect(Set(test).count == test.count, "a test pair is listed twice")
    #expect(train.isDisjoint(with: test))
    #expect(train.isDisjoint(with: foldIn))
    #expect(Set(test).isDisjoint(with: foldIn))
    #expect(train.union(test).union(foldIn).isSubset(of: all))
    let c = split.counts
    #expect(c.pairs == all.count)
    #expect(c.trainPairs == train.count)
    #expect(c.trainEvents == split.train.count)
    #expect(c.testPairs == test.count)
    #expect(c.foldInPairs == foldIn.count)
    #expect(c.testUsers == split.testUsers.count)
    #expect(c.pairs == c.trainPairs + c.testPairs + c.foldInPairs + c.droppedColdNotePairs + c.droppedUserPairs)
    // Every test note is known to training; no test user is empty.
    let trainNotes = Set(split.train.notes.ids)
    #expect(split.testNotes.allSatisfy { !$0.isEmpty && $0.allSatisfy(trainNotes.contains) })
    #expect(split.foldInHistory?.allSatisfy { $0.allSatisfy { trainNotes.contains($0.note) } } ?? true)
    // Training keeps only ids that occur in it.
    #expect(Set(split.train.userIndices).count == split.train.users.count)
    #expect(Set(split.train.noteIndices).count == split.train.notes.count)
    #expect(split.strategy == strategy)
    #expect(split.seed == 1)
  }

  @Test(arguments: allStrategies)
  func pairsStayWhole(_ strategy: SplitStrategy) throws {
    // Every event of a training pair is in training (the time cutoff drops late ones, counted).
    let split = try Self.generated.split(strategy, seed: 2)
    var eventsPerPair: [Pair: Int] = [:]
    for e in 0..<Self.generated.count {
      let t = Self.generated.timestamps![e]
      if case .timeCutoff(let cutoff) = strategy, t >= cutoff { continue }
      eventsPerPair[Pair(Self.generated.users[Int(Self.generated.userIndices[e])], Self.generated.notes[Int(Self.generated.noteIndices[e])]), default: 0] += 1
    }
    let train = Self.pairs(split.train)
    #expect(split.train.count == train.reduce(0) { $0 + eventsPerPair[$1]! })
  }

  // MARK: Holdout

  @Test func holdoutUnionIsAllPairs() throws {
    // Every note is shared by all users: nothing is cold, so train ∪ test = all pairs.
    var events: [(String, String, Int64)] = []
    for u in 0..<30 { for i in 0..<(2 + u % 9) { events.append(("u\(u)", "n\(i)", Int64(i))) } }
    for u in 0..<30 { events.append(("u\(u)", "n0", 99)) }  // a repeat
    for i in 0..<12 { events.append(("all", "n\(i)", 0)) }
    for i in 0..<12 { events.append(("keep\(i)", "n\(i)", 0)) }  // single-pair users keep every note in training
    let log = Self.log(events)
    let split = try log.split(.holdout(fraction: 0.3), seed: 9)
    let train = Self.pairs(split.train), test = Set(Self.testPairs(split))
    #expect(split.counts.droppedColdNotePairs == 0)
    #expect(train.union(test) == Self.pairs(log))
    #expect(train.isDisjoint(with: test))
  }

  @Test func holdoutSizesFollowRoundedFractionClamped() throws {
    // Pair counts per user 1, 2, 3, 5, 10, 11; notes shared by a helper user so none is cold.
    let sizes = [1, 2, 3, 5, 10, 11]
    var events: [(String, String, Int64)] = []
    for (u, n) in sizes.enumerated() { for i in 0..<n { events.append(("u\(u)", "n\(i)", 0)) } }
    for i in 0..<11 { events.append(("helper", "n\(i)", 0)) }
    for i in 0..<11 { events.append(("keep\(i)", "n\(i)", 0)) }  // single-pair users keep every note in training
    let split = try Self.log(events).split(.holdout(fraction: 0.25), seed: 3)
    var testSize: [String: Int] = [:]
    for (user, notes) in zip(split.testUsers, split.testNotes) { testSize[user] = notes.count }
    // round(0.25·n) half away from zero, clamped to 1...n−1; single-pair users stay in training.
    #expect(testSize["u0"] == nil)
    #expect(testSize["u1"] == 1)   // round(0.5) = 1
    #expect(testSize["u2"] == 1)   // round(0.75) = 1
    #expect(testSize["u3"] == 1)   // round(1.25) = 1
    #expect(testSize["u4"] == 3)   // round(2.5) = 3
    #expect(testSize["u5"] == 3)   // round(2.75) = 3
    #expect(testSize["helper"] == 3)
    let tiny = try Self.log(events).split(.holdout(fraction: 0.01), seed: 3)
    #expect(tiny.testNotes.allSatisfy { $0.count == 1 }, "at least one pair per user with two or more")
    let huge = try Self.log(events).split(.holdout(fraction: 0.99), seed: 3)
    let trainCounts = Dictionary(grouping: huge.train.userIndices, by: { huge.train.users[Int($0)] }).mapValues { Set($0).count }
    #expect(trainCounts.values.allSatisfy { $0 >= 1 } && trainCounts.count == Set(events.map(\.0)).count,
            "at least one pair per user stays in training")
  }

  @Test func holdoutDropsColdTestNotesAndSaysSo() throws {
    // u0's note "solo" is nobody else's: whenever it is held out it cannot stay in test.
    var events: [(String, String, Int64)] = [("u0", "solo", 0), ("u0", "shared", 0)]
    for u in 1..<5 { events.append(("u\(u)", "shared", 0)); events.append(("u\(u)", "other", 0)) }
    events += [("keep1", "shared", 0), ("keep2", "other", 0)]
    let log = Self.log(events)
    var sawSoloHeldOut = false, sawSoloKept = false
    for seed in UInt64(0)..<40 {
      let split = try log.split(.holdout(fraction: 0.5), seed: seed)
      #expect(!split.testNotes.joined().contains("solo"))
      if split.counts.droppedColdNotePairs == 1 {
        sawSoloHeldOut = true
        #expect(!split.testUsers.contains("u0"), "a user with no test note left is not a test user")
        #expect(!split.train.notes.ids.contains("solo"))
      } else {
        sawSoloKept = true
        #expect(split.train.notes.ids.contains("solo"))
        #expect(split.testUsers.contains("u0"))
      }
    }
    #expect(sawSoloHeldOut && sawSoloKept)
  }

  @Test func splittingDoesNotDependOnLaterUsers() throws {
    // Each user draws from its own stream: appending users leaves earlier users' test sets as they were.
    let base = try Self.generated.split(.holdout(fraction: 0.2), seed: 11)
    var extended = Self.generated
    for note in base.train.notes.ids.prefix(5) { try extended.append(user: "zz-new", note: note, weight: 1, timestamp: 0) }
    let more = try extended.split(.holdout(fraction: 0.2), seed: 11)
    #expect(Array(more.testUsers.prefix(base.testUsers.count)) == base.testUsers)
    #expect(Array(more.testNotes.prefix(base.testNotes.count)) == base.testNotes)
  }

  // MARK: Leave last

  @Test func leaveLastTakesTheLatestPairsWithTiesByLogPosition() throws {
    let log = Self.log([
      ("a", "n1", 10), ("a", "n2", 30), ("a", "n3", 20), ("a", "n1", 40),  // n1's latest event is 40
      ("b", "n2", 5), ("b", "n3", 5), ("b", "n1", 5),                      // all tied: log order decides
      ("c", "n1", 1),                                                      // one pair: stays in training
    ])
    let one = try log.split(.leaveLast(count: 1), seed: 0)
    #expect(one.testUsers == ["a", "b"])
    #expect(one.testNotes == [["n1"], ["n1"]])
    let two = try log.split(.leaveLast(count: 2), seed: 0)
    #expect(two.testUsers == ["a", "b"])
    #expect(two.testNotes.map(Set.init) == [["n1", "n2"], ["n3", "n1"]])
    // Test notes are listed in order of first appearance in the log.
    #expect(two.testNotes[0] == ["n1", "n2"])
    let three = try log.split(.leaveLast(count: 3), seed: 0)
    #expect(three.testUsers == [], "users need more than `count` pairs")
  }

  @Test func leaveLastRespectsTime() throws {
    let split = try Self.generated.split(.leaveLast(count: 2), seed: 0)
    let all = Self.times(Self.generated), trainPairs = Self.pairs(split.train)
    #expect(split.testUsers.count > 300)
    var latestTrain: [String: Int64] = [:]
    for pair in trainPairs { latestTrain[pair.user] = max(latestTrain[pair.user] ?? .min, all[pair]!.last) }
    for pair in Self.testPairs(split) {
      #expect(all[pair]!.last >= latestTrain[pair.user]!, "\(pair) is earlier than a training pair")
    }
  }

  @Test func timeSplitsNeedTimestamps() throws {
    let log = try Interactions([("u", "a", 1), ("u", "b", 1), ("v", "a", 1)])
    #expect(throws: ZhongcaoError.self) { try log.split(.leaveLast(count: 1), seed: 0) }
    do {
      _ = try log.split(.timeCutoff(5), seed: 0)
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(error.message.contains("timestamps"))
    }
    #expect(try log.split(.holdout(fraction: 0.5), seed: 0).counts.pairs == 3)
  }

  // MARK: Time cutoff

  @Test func timeCutoffSplitsByFirstEventAndDropsLateTrainingEvents() throws {
    let log = Self.log([
      ("a", "n1", 10), ("a", "n2", 20), ("a", "n1", 60),  // n1 began before 50: training; its event at 60 is dropped
      ("a", "n3", 50), ("a", "n3", 70),                   // begins at the cutoff: test
      ("b", "n2", 10), ("b", "n1", 55), ("b", "n9", 80),  // n9 is cold: dropped from test
      ("c", "n1", 51),                                    // c has nothing before: a cold user
      ("d", "n3", 1),
    ])
    let split = try log.split(.timeCutoff(50), seed: 0)
    #expect(split.testUsers == ["a", "b"])
    #expect(split.testNotes == [["n3"], ["n1"]])
    #expect(split.train.timestamps!.allSatisfy { $0 < 50 })
    #expect(Self.pairs(split.train) == [Pair("a", "n1"), Pair("a", "n2"), Pair("b", "n2"), Pair("d", "n3")])
    #expect(split.counts.droppedLateEvents == 1)
    #expect(split.counts.droppedColdNotePairs == 1)
    #expect(split.counts.droppedUserPairs == 1)
    #expect(!split.train.users.ids.contains("c"))
  }

  @Test func timeCutoffRespectsTime() throws {
    let cutoff = Self.cutoffOfGenerated
    let split = try Self.generated.split(.timeCutoff(cutoff), seed: 0)
    let all = Self.times(Self.generated)
    #expect(split.counts.testPairs > 100)
    #expect(split.train.timestamps!.allSatisfy { $0 < cutoff })
    for pair in Self.testPairs(split) { #expect(all[pair]!.first >= cutoff) }
    for pair in Self.pairs(split.train) { #expect(all[pair]!.first < cutoff) }
  }

  // MARK: Held-out users

  @Test func heldOutUsersAreAbsentFromTrainingAndSplit80_20() throws {
    let split = try Self.generated.split(.heldOutUsers(count: 60), seed: 4)
    let history = try #require(split.foldInHistory)
    #expect(history.count == split.testUsers.count)
    #expect(split.testUsers.count >= 55 && split.testUsers.count <= 60)
    let trainUsers = Set(split.train.users.ids)
    let matrix = InteractionMatrix(Self.generated)
    for (j, user) in split.testUsers.enumerated() {
      #expect(!trainUsers.contains(user))
      let test = Set(split.testNotes[j]), foldIn = Set(history[j].map(\.note))
      #expect(test.isDisjoint(with: foldIn))
      let n = test.count + foldIn.count
      #expect(test.count == min(max(n / 5, 1), n - 1), "⌊0.2·n⌋ test pairs")
      // Fold-in weights are the pairs' summed weights.
      let summed = Dictionary(uniqueKeysWithValues: matrix.notes(ofUser: user).map { ($0.note, $0.weight) })
      for entry in history[j] { #expect(entry.weight == summed[entry.note]) }
      // Held-out pairs cover all the user's pairs on training notes.
      let known = Set(summed.keys).intersection(split.train.notes.ids)
      #expect(test.union(foldIn) == known)
    }
    #expect(Set(Self.generated.userIndices).count - trainUsers.count == 60)
  }

  @Test func heldOutUsersNeedEnoughUsers() throws {
    let log = Self.log([("a", "n1", 0), ("a", "n2", 0), ("b", "n1", 0), ("c", "n1", 0), ("c", "n2", 0)])
    #expect(try log.split(.heldOutUsers(count: 1), seed: 0).testUsers.count == 1)
    #expect(throws: ZhongcaoError.self) { try log.split(.heldOutUsers(count: 3), seed: 0) }  // only a and c have two pairs
    let twoUsers = Self.log([("a", "n1", 0), ("a", "n2", 0), ("c", "n1", 0), ("c", "n2", 0)])
    #expect(throws: ZhongcaoError.self) { try twoUsers.split(.heldOutUsers(count: 2), seed: 0) }  // nobody left to train on
  }

  @Test func outOfRangeParametersThrow() {
    let log = Self.generated
    for strategy: SplitStrategy in [.holdout(fraction: 0), .holdout(fraction: 1), .holdout(fraction: .nan), .leaveLast(count: 0), .heldOutUsers(count: -1)] {
      #expect(throws: ZhongcaoError.self, "\(strategy)") { try log.split(strategy, seed: 0) }
    }
  }

  @Test func emptyLogSplitsIntoNothing() throws {
    for strategy in Self.allStrategies where strategy != .heldOutUsers(count: 60) {
      let split = try Interactions().split(strategy, seed: 0)
      #expect(split.train.count == 0 && split.testUsers.isEmpty && split.counts == SplitCounts())
    }
  }

  // MARK: Parsing

  @Test func parsesStrategies() throws {
    #expect(try SplitStrategy(parsing: "holdout:0.2") == .holdout(fraction: 0.2))
    #expect(try SplitStrategy(parsing: " Holdout : 0.25 ") == .holdout(fraction: 0.25))
    #expect(try SplitStrategy(parsing: "last:1") == .leaveLast(count: 1))
    #expect(try SplitStrategy(parsing: "leaveLast:3") == .leaveLast(count: 3))
    #expect(try SplitStrategy(parsing: "cutoff:1700000000") == .timeCutoff(1_700_000_000))
    #expect(try SplitStrategy(parsing: "cutoff:2026-03-01") == .timeCutoff(1_772_323_200))
    #expect(try SplitStrategy(parsing: "cutoff:2026-03-01T12:00:00Z") == .timeCutoff(1_772_366_400))
    #expect(try SplitStrategy(parsing: "users:1000") == .heldOutUsers(count: 1000))
    #expect(try SplitStrategy(parsing: "heldOutUsers:7") == .heldOutUsers(count: 7))
  }

  @Test(arguments: [
    ("holdout", "no ':'"), ("holdout:", "between 0 and 1"), ("holdout:1", "between 0 and 1"),
    ("holdout:0", "between 0 and 1"), ("holdout:-0.1", "between 0 and 1"), ("holdout:abc", "between 0 and 1"),
    ("last:0", "≥ 1"), ("last:1.5", "≥ 1"), ("users:-3", "≥ 1"), ("users:", "≥ 1"),
    ("cutoff:yesterday", "ISO 8601"), ("cutoff:", "ISO 8601"), ("random:0.2", "unknown split strategy"),
  ])
  func parsingErrorsSayWhatIsWrong(_ text: String, _ expected: String) {
    do {
      _ = try SplitStrategy(parsing: text)
      Issue.record("'\(text)' parsed")
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(error.message.contains(expected), "\(error.message)")
    }
  }

  @Test func descriptionAndCodableRoundTrip() throws {
    for strategy: SplitStrategy in [.holdout(fraction: 0.2), .holdout(fraction: 1.0 / 3), .leaveLast(count: 2),
                                    .timeCutoff(-5), .timeCutoff(1_700_000_000), .heldOutUsers(count: 10_000)] {
      #expect(try SplitStrategy(parsing: strategy.description) == strategy)
      let data = try JSONEncoder().encode([strategy])
      #expect(try JSONDecoder().decode([SplitStrategy].self, from: data) == [strategy])
    }
    #expect(SplitStrategy.holdout(fraction: 0.2).description == "holdout:0.2")
    #expect(String(decoding: try JSONEncoder().encode([SplitStrategy.leaveLast(count: 1)]), as: UTF8.self) == #"["last:1"]"#)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([SplitStrategy].self, from: Data(#"["last:x"]"#.utf8)) }
  }
}

extension FeedGenerator.Configuration {
  /// 400 users × 150 notes × 8,000 events.
  static var small: Self {
    var configuration = Self()
    configuration.users = 400
    configuration.notes = 150
    configuration.interactions = 8_000
    configuration.seed = 17
    return configuration
  }
}
