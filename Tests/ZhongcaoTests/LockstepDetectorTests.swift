import Foundation
import Testing
@testable import Zhongcao

/// Planted lockstep groups among organic engagement with popularity skew, a viral burst, and
/// group members who also engage organically (camouflage).
enum LockstepFixture {
  struct Data {
    var events: [EngagementEvent]
    /// Planted group of each planted user.
    var planted: [String: Int]
  }

  static let day = 86_400.0

  static func events(seed: UInt64, groups groupSizes: [Int] = [12, 20, 8], organicUsers: Int = 1_500, notes: Int = 400) -> Data {
    var random = TestRandom(seed: seed)
    var events: [EngagementEvent] = []
    func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    // Zipf-like popularity: note k drawn with weight 1/(k+1)^0.8.
    let weights = (0..<notes).map { 1 / pow(Double($0 + 1), 0.8) }
    let total = weights.reduce(0, +)
    var cumulative: [Double] = []
    var running = 0.0
    for weight in weights { running += weight / total; cumulative.append(running) }
    func popularNote() -> Int {
      let u = uniform()
      return min(cumulative.firstIndex { $0 >= u } ?? notes - 1, notes - 1)
    }
    func organic(_ user: String) {
      for _ in 0..<(10 + Int(random.next() % 31)) {
        events.append(EngagementEvent(user: user, note: "note\(popularNote())", timestamp: uniform() * 30 * day))
      }
    }
    for user in 0..<organicUsers { organic("u\(user)") }
    // A viral moment: 300 organic users on note0 within one hour.
    for _ in 0..<300 {
      events.append(EngagementEvent(user: "u\(random.next() % UInt64(organicUsers))", note: "note0", timestamp: 10 * day + uniform() * 3_600))
    }
    var planted: [String: Int] = [:]
    for (group, size) in groupSizes.enumerated() {
      // Eight target notes, some popular (so members hide among organic engagers), each with its own burst.
      let targets = (0..<8).map { index in index < 3 ? "note\(random.next() % 20)" : "note\(50 + random.next() % UInt64(notes - 50))" }
      let centres = targets.map { _ in uniform() * 29 * day }
      for member in 0..<size {
        let user = "g\(group)-\(member)"
        planted[user] = group
        organic(user)
        for (note, centre) in zip(targets, centres) where uniform() < 0.85 {
          events.append(EngagementEvent(user: user, note: note, timestamp: centre + uniform() * 2_400))
        }
      }
    }
    events.shuffle(using: &random)
    return Data(events: events, planted: planted)
  }
}

@Suite struct LockstepDetectorTests {
  @Test(arguments: [1, 2, 3] as [UInt64]) func plantedGroupsAreRecovered(seed: UInt64) throws {
    let data = LockstepFixture.events(seed: seed)
    let detector = try LockstepDetector(configuration: LockstepConfiguration(minimumUsers: 5, minimumNotes: 3, window: 3_600))
    let groups = detector.groups(in: data.events)
    let found = Set(groups.flatMap(\.users))
    let truth = Set(data.planted.keys)
    let precision = found.isEmpty ? 1 : Double(found.intersection(truth).count) / Double(found.count)
    let recall = Double(found.intersection(truth).count) / Double(truth.count)
    print(String(format: "lockstep seed %d: users P %.3f R %.3f, %d groups %@", seed, precision, recall, groups.count,
                 groups.map { "\($0.users.count)u×\($0.notes.count)n d=\(String(format: "%.2f", $0.density))" }.joined(separator: ", ")))
    #expect(precision >= 0.95 && recall >= 0.95)
    // One group per planted group, each pure, notes inside their one-hour windows.
    #expect(groups.count == 3)
    for group in groups {
      #expect(Set(group.users.compactMap { data.planted[$0] }).count == 1)
      #expect(group.notes.count >= 3 && group.noteWindows.count == group.notes.count)
      #expect(group.noteWindows.allSatisfy { $0.upperBound - $0.lowerBound <= 3_600 })
      #expect(group.support >= group.users.count * 3)
    }
  }

  @Test func defaultsFindTheGeneratedCorpusLockstepGroups() throws {
    // The generator's groups engage with their campaign's notes within three hours of
    // publication, among organic engagement that also clusters after publication.
    var generator = NoteCorpusGenerator(notes: 20_000, authors: 4_000, seed: 8)
    generator.users = 10_000
    generator.campaigns = 40
    let corpus = generator.generate()
    let planted = Set(corpus.lockstepGroups.joined())
    let found = Set(try LockstepDetector().groups(in: corpus.engagementEvents).flatMap(\.users))
    let recall = Double(found.intersection(planted).count) / Double(planted.count)
    print(String(format: "lockstep on a generated corpus: %d of %d planted accounts found (%.3f), %d others flagged",
                 found.intersection(planted).count, planted.count, recall, found.subtracting(planted).count))
    #expect(recall >= 0.95)
    #expect(found.isSubset(of: planted))
  }

  @Test func organicEngagementFormsNoGroup() throws {
    let data = LockstepFixture.events(seed: 4, groups: [])
    #expect(try LockstepDetector().groups(in: data.events).isEmpty)
    #expect(try LockstepDetector(configuration: LockstepConfiguration(minimumUsers: 4, minimumNotes: 3)).groups(in: data.events).isEmpty)
  }

  @Test func outputIsIndependentOfInputOrderAndDuplicates() throws {
    let data = LockstepFixture.events(seed: 5, groups: [10], organicUsers: 300, notes: 100)
    var random = TestRandom(seed: 6)
    let detector = try CampaignDetector()
    let first = detector.lockstepGroups(in: data.events)
    // Repeated engagements (a later like after an unlike) change nothing: the earliest counts.
    let repeated = data.events + data.events.prefix(500).map {
      EngagementEvent(user: $0.user, note: $0.note, timestamp: $0.timestamp + 10)
    }
    #expect(first == detector.lockstepGroups(in: repeated.shuffled(using: &random)))
    #expect(first.count == 1)
  }

  @Test func exactSmallGroup() throws {
    // Five users like the same three notes within minutes; a sixth likes them a day later.
    var events: [EngagementEvent] = []
    for (index, note) in ["a", "b", "c"].enumerated() {
      for user in 0..<5 { events.append(EngagementEvent(user: "s\(user)", note: note, timestamp: Double(index) * 86_400 + Double(user) * 60)) }
      events.append(EngagementEvent(user: "late", note: note, timestamp: Double(index) * 86_400 + 86_000))
    }
    let groups = try LockstepDetector().groups(in: events)
    #expect(groups == [LockstepGroup(
      users: ["s0", "s1", "s2", "s3", "s4"], notes: ["a", "b", "c"],
      noteWindows: [0...240, 86_400...86_640, 172_800...173_040], window: 0...173_040, support: 15)])
    #expect(groups.first?.density == 1)
    #expect(try LockstepDetector(configuration: LockstepConfiguration(minimumNotes: 4)).groups(in: events).isEmpty)
  }
}

/// `LockstepDetector.groups(in:)` against the original implementation (ReferenceLockstepDetector)
/// on inputs built to reach every tie and edge: planted groups among organic noise, repeated
/// (user, note) events (later, earlier and at the same time, ±0), NaN and ±∞ timestamps, integer
/// times so that ties are common, windows from 0 to longer than the data, caps of 1 to 200
/// comparisons per event, ids that are non-ASCII or canonically equivalent but spelled with other
/// bytes, and a generated corpus's events. Outputs must agree to the byte, not just under `==`
/// (which treats -0.0 as 0.0 and equivalent spellings as one).
@Suite struct LockstepEquivalenceTests {
  /// Random events; `scale` > 1 makes 1,000 × scale organic ones (and more repeats).
  static func randomEvents(seed: UInt64, scale: Int = 1) -> (events: [EngagementEvent], configuration: LockstepConfiguration) {
    var random = TestRandom(seed: seed)
    func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    let userCount = 5 + below(seed % 3 == 0 ? 400 : 60), noteCount = 1 + below(seed % 4 == 0 ? 120 : 25)
    // Some seeds name users and notes with non-ASCII and canonically equivalent spellings
    // ("é" as one scalar or as "e" + U+0301): the same id to `String ==`, different bytes. The
    // numbers have a fixed width: Swift's `<` is inconsistent (neither a < b nor b < a) when one
    // id's normalized form is a proper prefix of an equivalently spelled other's ("é1" and
    // "e\u{301}13"), which makes the reference's own output depend on Set iteration order.
    let spellings = seed % 5 == 0 ? ["u", "ü", "é", "e\u{301}", "用户", "\u{212A}", "K"] : ["u"]
    func padded(_ number: Int) -> String { String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number) }
    func user(_ index: Int) -> String { spellings[index % spellings.count] + padded(index / spellings.count) }
    func note(_ index: Int) -> String {
      guard spellings.count > 1 else { return "n\(index)" }
      return ["ń", "n\u{301}", "n"][index % 3] + padded(index / 3)
    }
    let span = [100, 3_000, 86_400, 1_000_000][below(4)]
    func time() -> Double {
      switch below(40) {
      case 0: .nan
      case 1: .infinity
      case 2: -.infinity
      case 3: -0.0
      case 4: 0.0
      default: Double(below(span))
      }
    }
    var events: [EngagementEvent] = []
    for _ in 0..<(scale > 1 ? 1_000 * scale : below(1_500)) { events.append(EngagementEvent(user: user(below(userCount)), note: note(below(noteCount)), timestamp: time())) }
    // Planted groups: members engage with each target note inside a short burst.
    for _ in 0..<below(4) {
      let members = (0..<(3 + below(10))).map { _ in below(userCount) }
      for _ in 0..<(2 + below(5)) {
        let target = below(noteCount), centre = Double(below(span)), width = Double(1 + below(120))
        for member in members where below(10) < 9 {
          events.append(EngagementEvent(user: user(member), note: note(target), timestamp: (centre + Double(below(Int(width)))).rounded()))
        }
      }
    }
    // Repeats of existing (user, note) pairs: later, earlier, the same time, and the other zero.
    for _ in 0..<(events.isEmpty ? 0 : below(events.count / 2 + 1)) {
      let event = events[below(events.count)]
      let shifted: Double = switch below(4) {
      case 0: event.timestamp + Double(below(100))
      case 1: event.timestamp - Double(below(100))
      case 2: event.timestamp
      default: event.timestamp == 0 ? (event.timestamp.sign == .minus ? 0.0 : -0.0) : time()
      }
      events.append(EngagementEvent(user: event.user, note: event.note, timestamp: shifted))
    }
    events.shuffle(using: &random)
    let configuration = LockstepConfiguration(
      minimumUsers: 2 + below(5), minimumNotes: 1 + below(4),
      window: [0, 1, 30, 600, 3_600, 1e7][below(6)],
      maximumComparisonsPerEvent: [1, 2, 3, 5, 200][below(5)])
    return (events, configuration)
  }

  /// Checks the fast and reference outputs agree exactly; returns the number of groups.
  @discardableResult
  static func expectSameGroups(_ events: [EngagementEvent], _ configuration: LockstepConfiguration,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    let fast = try LockstepDetector(configuration: configuration).groups(in: events)
    let reference = ReferenceLockstepDetector(configuration: configuration).groups(in: events)
    #expect(fast == reference, sourceLocation: sourceLocation)
    #expect(Array("\(fast)".utf8) == Array("\(reference)".utf8), sourceLocation: sourceLocation)
    return reference.count
  }

  @Test func randomInputsMatchTheReference() throws {
    var groupsFound = 0
    for seed in 0..<300 as Range<UInt64> {
      let (events, configuration) = Self.randomEvents(seed: seed)
      groupsFound += try Self.expectSameGroups(events, configuration)
    }
    // The inputs must exercise refinement, not just agree on nothing.
    #expect(groupsFound > 100)
  }

  /// Inputs large enough for the parallel paths (names numbered on two cores, notes in chunks).
  @Test func largeRandomInputsMatchTheReference() throws {
    var sizes: [Int] = []
    for seed in [1_000, 1_003, 1_005] as [UInt64] {
      var (events, configuration) = Self.randomEvents(seed: seed, scale: 30)
      configuration.maximumComparisonsPerEvent = min(configuration.maximumComparisonsPerEvent, 5)
      sizes.append(events.count)
      try Self.expectSameGroups(events, configuration)
    }
    #expect(sizes.allSatisfy { $0 >= LockstepEngagements.parallelEvents })
  }

  @Test func emptyAndDegenerateInputsMatchTheReference() throws {
    let configuration = LockstepConfiguration(minimumUsers: 2, minimumNotes: 1)
    try Self.expectSameGroups([], configuration)
    try Self.expectSameGroups([EngagementEvent(user: "a", note: "x", timestamp: .nan)], configuration)
    let pair = [EngagementEvent(user: "a", note: "x", timestamp: 0), EngagementEvent(user: "b", note: "x", timestamp: -0.0)]
    #expect(try Self.expectSameGroups(pair, configuration) == 1)
    #expect(try Self.expectSameGroups(pair.reversed(), configuration) == 1)
  }

  @Test(arguments: [(5, 3, 3_600.0, 200), (3, 2, 7_200.0, 4), (2, 1, 60.0, 1)])
  func fixtureEventsMatchTheReference(minimumUsers: Int, minimumNotes: Int, window: Double, cap: Int) throws {
    let data = LockstepFixture.events(seed: 7, organicUsers: 600, notes: 150)
    let configuration = LockstepConfiguration(minimumUsers: minimumUsers, minimumNotes: minimumNotes, window: window,
                                              maximumComparisonsPerEvent: cap)
    #expect(try Self.expectSameGroups(data.events, configuration) > 0)
  }

  /// The same events as an ``Interactions`` log (times as whole seconds; events without a finite
  /// time left out of both, since a log holds integer timestamps): the log path numbers the
  /// loader's distinct ids instead of every event's names, and must give the same groups, to the
  /// byte, for non-ASCII and canonically equivalent spellings too.
  static func expectSameGroupsFromLog(_ events: [EngagementEvent], _ configuration: LockstepConfiguration,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    let timed = events.filter(\.timestamp.isFinite).map {
      EngagementEvent(user: $0.user, note: $0.note, timestamp: Double(Int64($0.timestamp.rounded(.down))))
    }
    var log = Interactions()
    for event in timed { try log.append(user: event.user, note: event.note, timestamp: Int64(event.timestamp)) }
    let detector = try LockstepDetector(configuration: configuration)
    let fromLog = try detector.groups(in: log), fromEvents = detector.groups(in: timed)
    #expect(Array("\(fromLog)".utf8) == Array("\(fromEvents)".utf8), sourceLocation: sourceLocation)
    return fromEvents.count
  }

  @Test func logInputsMatchTheEventInputs() throws {
    var groupsFound = 0
    for seed in 0..<150 as Range<UInt64> {
      let (events, configuration) = Self.randomEvents(seed: seed)
      groupsFound += try Self.expectSameGroupsFromLog(events, configuration)
    }
    // Large enough for the parallel numbering, with non-ASCII spellings (seed % 5 == 0).
    var (events, configuration) = Self.randomEvents(seed: 1_005, scale: 30)
    configuration.maximumComparisonsPerEvent = min(configuration.maximumComparisonsPerEvent, 5)
    #expect(events.count >= LockstepEngagements.parallelEvents)
    groupsFound += try Self.expectSameGroupsFromLog(events, configuration)
    #expect(groupsFound > 50)
  }

  @Test func logWithoutTimestampsIsAnErrorAndAnEmptyLogHasNoGroups() throws {
    let untimed = try Interactions([(user: "a", note: "x", weight: 1), (user: "b", note: "x", weight: 1)])
    #expect(throws: ZhongcaoError.self) { try LockstepDetector().groups(in: untimed) }
    #expect(try LockstepDetector().groups(in: Interactions()).isEmpty)
  }

  @Test func generatedCorpusMatchesTheReference() throws {
    var generator = NoteCorpusGenerator(notes: 6_000, authors: 1_200, seed: 9)
    generator.users = 3_000
    generator.campaigns = 12
    let events = generator.generate().engagementEvents
    #expect(events.count >= LockstepEngagements.parallelEvents)
    #expect(try Self.expectSameGroups(events, LockstepConfiguration()) > 0)
    try Self.expectSameGroups(events, LockstepConfiguration(minimumUsers: 3, minimumNotes: 2, maximumComparisonsPerEvent: 3))
  }
}
