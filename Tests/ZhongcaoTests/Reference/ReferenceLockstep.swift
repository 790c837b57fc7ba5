import Foundation
@testable import Zhongcao

/// `LockstepDetector.groups(in:)` as it was before it was made faster: the original
/// implementation, kept as the oracle the equivalence tests compare the fast one with (string
/// interning through dictionaries, the earliest engagement per (note, user) in a dictionary, tuple
/// sorts, pair counting in a dictionary). Not used outside the tests.
struct ReferenceLockstepDetector {
  /// The thresholds in use (not validated here; the tests pass valid ones).
  let configuration: LockstepConfiguration

  private struct Engagement {
    var note: Int32
    var user: Int32
    var time: Double
  }

  /// The lockstep groups among `events`.
  func groups(in events: [EngagementEvent]) -> [LockstepGroup] {
    let minimumUsers = configuration.minimumUsers, minimumNotes = configuration.minimumNotes
    let window = configuration.window
    // Intern ids in sorted order, so numbering (and every tie below) is input-order independent.
    // One hash lookup per id: number in order of first appearance, then renumber by sorted name.
    func intern(_ name: String, _ ids: inout [String: Int32], _ names: inout [String]) -> Int32 {
      let next = Int32(names.count)
      let id = ids[name, default: next]
      if id == next {
        ids[name] = next
        names.append(name)
      }
      return id
    }
    func sortedNumbering(_ names: [String]) -> (names: [String], rank: [Int32]) {
      let order = names.indices.sorted { names[$0] < names[$1] }
      var rank = [Int32](repeating: 0, count: names.count)
      for (sortedIndex, firstSeen) in order.enumerated() { rank[firstSeen] = Int32(sortedIndex) }
      return (order.map { names[$0] }, rank)
    }
    var userIDs: [String: Int32] = [:], noteIDs: [String: Int32] = [:]
    var seenUsers: [String] = [], seenNotes: [String] = []
    var rawKeys: [UInt64] = []
    rawKeys.reserveCapacity(events.count)
    for event in events {
      let note = intern(event.note, &noteIDs, &seenNotes), user = intern(event.user, &userIDs, &seenUsers)
      rawKeys.append(UInt64(UInt32(note)) << 32 | UInt64(UInt32(user)))
    }
    userIDs = [:]
    noteIDs = [:]
    let (userNames, userRank) = sortedNumbering(seenUsers)
    let (noteNames, noteRank) = sortedNumbering(seenNotes)
    var earliest: [UInt64: Double] = [:]
    earliest.reserveCapacity(events.count)
    for (event, raw) in zip(events, rawKeys) where event.timestamp.isFinite {
      let key = UInt64(UInt32(noteRank[Int(raw >> 32)])) << 32 | UInt64(UInt32(userRank[Int(raw & 0xFFFF_FFFF)]))
      if let seen = earliest[key], seen <= event.timestamp { continue }
      earliest[key] = event.timestamp
    }
    rawKeys = []
    var byNote = earliest.map { Engagement(note: Int32($0.key >> 32), user: Int32($0.key & 0xFFFF_FFFF), time: $0.value) }
    earliest = [:]
    byNote.sort { ($0.note, $0.time, $0.user) < ($1.note, $1.time, $1.user) }

    // Co-engagement counts of user pairs.
    var pairCounts: [UInt64: Int32] = [:]
    var runStart = 0
    while runStart < byNote.count {
      var runEnd = runStart + 1
      while runEnd < byNote.count, byNote[runEnd].note == byNote[runStart].note { runEnd += 1 }
      for i in runStart..<runEnd {
        for j in (i + 1)..<min(runEnd, i + 1 + configuration.maximumComparisonsPerEvent) {
          if byNote[j].time - byNote[i].time > window { break }
          let a = UInt64(UInt32(min(byNote[i].user, byNote[j].user)))
          let b = UInt64(UInt32(max(byNote[i].user, byNote[j].user)))
          pairCounts[a << 32 | b, default: 0] += 1
        }
      }
      runStart = runEnd
    }
    var unionFind = UnionFind(count: userNames.count)
    var linked = Set<Int32>()
    for (pair, count) in pairCounts where Int(count) >= minimumNotes {
      let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
      unionFind.union(a, b)
      linked.insert(Int32(a))
      linked.insert(Int32(b))
    }
    pairCounts = [:]
    var seeds: [Int: [Int32]] = [:]
    for user in linked { seeds[unionFind.find(Int(user)), default: []].append(user) }

    // Each user's engagements, for refinement.
    var byUser = byNote
    byUser.sort { ($0.user, $0.note) < ($1.user, $1.note) }
    var userStart = [Int](repeating: 0, count: userNames.count + 1)
    for engagement in byUser { userStart[Int(engagement.user) + 1] += 1 }
    for index in 0..<userNames.count { userStart[index + 1] += userStart[index] }

    var groups: [LockstepGroup] = []
    for seed in seeds.values where seed.count >= minimumUsers {
      var members = Set(seed)
      var kept: [(note: Int32, users: [Int32], times: ClosedRange<Double>)] = []
      for _ in 0..<50 {
        var perNote: [Int32: [(time: Double, user: Int32)]] = [:]
        for user in members {
          for engagement in byUser[userStart[Int(user)]..<userStart[Int(user) + 1]] {
            perNote[engagement.note, default: []].append((engagement.time, user))
          }
        }
        kept = []
        for (note, raw) in perNote where raw.count >= minimumUsers {
          let engaged = raw.sorted { ($0.time, $0.user) < ($1.time, $1.user) }
          var best = (start: 0, end: 0), end = 0
          for start in engaged.indices {
            end = max(end, start)
            while end < engaged.count, engaged[end].time - engaged[start].time <= window { end += 1 }
            if end - start > best.end - best.start { best = (start, end) }
          }
          guard best.end - best.start >= minimumUsers else { continue }
          let inWindow = engaged[best.start..<best.end]
          kept.append((note, inWindow.map(\.user), inWindow.first!.time...inWindow.last!.time))
        }
        var hits: [Int32: Int] = [:]
        for entry in kept { for user in entry.users { hits[user, default: 0] += 1 } }
        let survivors = Set(hits.filter { $0.value >= minimumNotes }.keys)
        if survivors == members { break }
        members = survivors
        if members.count < minimumUsers { break }
      }
      kept = kept.filter { $0.users.count >= minimumUsers }
      guard members.count >= minimumUsers, kept.count >= minimumNotes else { continue }
      kept.sort { noteNames[Int($0.note)] < noteNames[Int($1.note)] }
      let support = kept.reduce(0) { $0 + $1.users.count { members.contains($0) } }
      groups.append(LockstepGroup(
        users: members.map { userNames[Int($0)] }.sorted(),
        notes: kept.map { noteNames[Int($0.note)] },
        noteWindows: kept.map(\.times),
        window: kept.map(\.times.lowerBound).min()!...kept.map(\.times.upperBound).max()!,
        support: support))
    }
    return groups.sorted { a, b in
      a.window.lowerBound != b.window.lowerBound ? a.window.lowerBound < b.window.lowerBound : a.users[0] < b.users[0]
    }
  }
}
