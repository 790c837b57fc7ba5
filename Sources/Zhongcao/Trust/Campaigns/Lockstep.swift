
/// The thresholds of ``LockstepDetector``: a group is at least ``minimumUsers`` accounts that
/// each engaged with at least ``minimumNotes`` of the group's notes, each engagement inside that
/// note's ``window``.
public struct LockstepConfiguration: Sendable, Hashable, Codable {
  /// Smallest group (CopyCatch's m). Default 5: smaller coincidences are common among friends.
  public var minimumUsers: Int
  /// Notes each member must have engaged with in lockstep (CopyCatch's n). Default 3: two users
  /// engaging with the same note within a few hours happens organically on popular notes; doing
  /// so on three different notes rarely does.
  public var minimumNotes: Int
  /// Width of a note's window in seconds: a group's engagements with one note must all fall in
  /// `[c, c + window]` for some start c. Default 10,800 (three hours): bought engagement
  /// arrives in bursts within hours of publication, not all in the same hour. On the generated
  /// 100,000-note corpus (planted groups engage within three hours of publication) one hour found
  /// 747 of 1,831 planted accounts and three hours 1,826, with no organic account flagged at
  /// three or six hours (`zhongcao-bench campaigns 100000 3`).
  public var window: Double
  /// When counting co-engagement, each engagement is paired with at most this many later
  /// engagements of the same note within the window. Default 200: bounds the work on a viral note
  /// (O(E·200) for E events) at the cost of missing pairs inside bursts denser than that.
  public var maximumComparisonsPerEvent: Int

  /// A configuration; every parameter has the default documented on its property.
  public init(minimumUsers: Int = 5, minimumNotes: Int = 3, window: Double = 10_800, maximumComparisonsPerEvent: Int = 200) {
    self.minimumUsers = minimumUsers
    self.minimumNotes = minimumNotes
    self.window = window
    self.maximumComparisonsPerEvent = maximumComparisonsPerEvent
  }

  /// Throws when a parameter is out of range.
  func validate() throws(ZhongcaoError) {
    func check(_ condition: Bool, _ message: String) throws(ZhongcaoError) {
      if !condition { throw ZhongcaoError(.invalidArgument, "lockstep detection: " + message) }
    }
    try check(minimumUsers >= 2, "minimumUsers must be ≥ 2, got \(minimumUsers)")
    try check(minimumNotes >= 1, "minimumNotes must be ≥ 1, got \(minimumNotes)")
    try check(window.isFinite && window >= 0, "window must be finite and ≥ 0, got \(window)")
    try check(maximumComparisonsPerEvent >= 1, "maximumComparisonsPerEvent must be ≥ 1, got \(maximumComparisonsPerEvent)")
  }
}

/// Accounts that engaged with the same notes in the same windows.
public struct LockstepGroup: Sendable, Hashable, Codable {
  /// The accounts, sorted.
  public var users: [String]
  /// The notes, sorted.
  public var notes: [String]
  /// For each note (parallel to ``notes``), the first and last in-window engagement by a member.
  public var noteWindows: [ClosedRange<Double>]
  /// The earliest to the latest in-window engagement over all notes.
  public var window: ClosedRange<Double>
  /// In-window engagements of members with the group's notes.
  public var support: Int
  /// `support / (users × notes)`: 1 when every member engaged with every note in its window.
  public var density: Double { Double(support) / Double(max(users.count * notes.count, 1)) }

  /// A group with the given fields.
  public init(users: [String], notes: [String], noteWindows: [ClosedRange<Double>], window: ClosedRange<Double>, support: Int) {
    self.users = users
    self.notes = notes
    self.noteWindows = noteWindows
    self.window = window
    self.support = support
  }
}

/// Finds lockstep engagement (Beutel et al., "CopyCatch", WWW 2013): groups of at least m accounts
/// that each engaged with at least n of the same notes, each engagement within a window of width
/// Δt placed per note.
///
/// ```swift
/// let detector = try LockstepDetector(configuration: LockstepConfiguration(minimumUsers: 5, minimumNotes: 3))
/// for group in detector.groups(in: likes) { print(group.users.count, group.notes, group.window) }
/// ```
///
/// ## Method
/// 1. Each (user, note) keeps its earliest engagement; events with non-finite times are ignored.
/// 2. **Co-engagement counting.** Per note, engagements in time order; each is paired with the
///    later ones at most Δt after it (at most ``LockstepConfiguration/maximumComparisonsPerEvent``).
///    A user pair's count is the number of notes they engaged with within Δt of each other.
/// 3. Pairs with count ≥ n are edges; connected components with ≥ m users are seeds.
/// 4. **Refinement**, CopyCatch's alternating step: for each note the seed's users engaged with,
///    place the window of width Δt holding the most of them (ties: earliest); keep notes with ≥ m
///    users in their window; keep users in the windows of ≥ n kept notes; repeat until stable.
///    What survives with ≥ m users and ≥ n notes is a group.
///
/// - Complexity: O(E log E) sorting plus O(E·c) pair counting for E events and c comparisons per
///   event; memory O(E + P) for P co-engaging user pairs, which is the limit: on 10⁸ events with
///   dense organic co-engagement P can reach 10⁹, so shard by time or note category first.
///   Refinement costs O(events of the seed's users) per round.
/// - Note: Two planted groups joined by members who serve both come out as one group. Output is
///   deterministic, ordered by window start, then first user.
public struct LockstepDetector: Sendable {
  /// The thresholds in use.
  public let configuration: LockstepConfiguration

  /// A detector.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when a threshold is out of range.
  public init(configuration: LockstepConfiguration = LockstepConfiguration()) throws(ZhongcaoError) {
    try configuration.validate()
    self.configuration = configuration
  }

  /// A detector whose configuration was already validated.
  init(validated configuration: LockstepConfiguration) { self.configuration = configuration }

  /// The lockstep groups among `events`.
  ///
  /// Steps 1–2 run on all cores for large inputs (names numbered on one core each for users and
  /// notes, then notes in chunks); see LockstepEngagements.swift. The output does not depend on
  /// the number of cores.
  public func groups(in events: [EngagementEvent]) -> [LockstepGroup] {
    let (users, notes) = LockstepEngagements.numberNames(of: events)
    return groups(users: users, notes: notes, timestamps: events.map(\.timestamp))
  }

  /// The lockstep groups among the events of `log` (each event a user engaging with a note at its
  /// timestamp; weights are ignored), as loaded by ``Interactions/load(contentsOf:options:)``:
  /// the same groups as for the same events given as ``EngagementEvent``s, without a string per
  /// event or hashing every event's names again.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` when the log has events but no
  ///   timestamps.
  public func groups(in log: Interactions) throws(ZhongcaoError) -> [LockstepGroup] {
    guard log.count > 0 else { return [] }
    guard let timestamps = log.timestamps else {
      throw ZhongcaoError(.invalidInput, "lockstep detection needs a timestamp for every engagement event; the log has none")
    }
    let (users, notes) = LockstepEngagements.numberNames(of: log)
    return groups(users: users, notes: notes, timestamps: timestamps.map(Double.init))
  }

  /// The groups among events numbered by sorted user and note name (steps 2–4).
  private func groups(
    users: LockstepEngagements.Numbering, notes: LockstepEngagements.Numbering, timestamps: [Double]
  ) -> [LockstepGroup] {
    let minimumUsers = configuration.minimumUsers, minimumNotes = configuration.minimumNotes
    let window = configuration.window
    let engagements = LockstepEngagements(timestamps: timestamps, users: users, notes: notes, configuration: configuration)
    let seeds = engagements.seeds().filter { $0.count >= minimumUsers }
    guard !seeds.isEmpty else { return [] }

    // Each seed user's engagements, for refinement.
    let (userStart, byUser) = engagements.byUser(in: seeds)
    var groups: [(group: LockstepGroup, firstUser: Int32)] = []
    for seed in seeds {
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
      // Numbers are in name order, so sorting numbers sorts names.
      kept.sort { $0.note < $1.note }
      let support = kept.reduce(0) { $0 + $1.users.count { members.contains($0) } }
      let sortedMembers = members.sorted()
      groups.append((LockstepGroup(
        users: sortedMembers.map { users.names[Int($0)] },
        notes: kept.map { notes.names[Int($0.note)] },
        noteWindows: kept.map(\.times),
        window: kept.map(\.times.lowerBound).min()!...kept.map(\.times.upperBound).max()!,
        support: support), sortedMembers[0]))
    }
    return groups.sorted { a, b in
      a.group.window.lowerBound != b.group.window.lowerBound
        ? a.group.window.lowerBound < b.group.window.lowerBound : a.firstUser < b.firstUser
    }.map(\.group)
  }
}
