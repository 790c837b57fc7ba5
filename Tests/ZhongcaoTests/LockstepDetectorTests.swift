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
