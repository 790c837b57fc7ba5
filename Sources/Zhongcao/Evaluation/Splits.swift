/// How ``Interactions/split(_:seed:)`` divides a log into training data and a test set.
///
/// Every strategy first sums the events of each (user, note) pair into one pair; a pair goes to
/// training or to test as a whole, never partly. Random choices come from ``SeededRandom``
/// streams named by the seed (one stream per user), so a split is a pure function of the log, the
/// strategy and the seed.
///
/// The textual form (``description``, ``init(parsing:)``, and the `Codable` form, a single
/// string) is `holdout:0.2`, `last:1`, `cutoff:1700000000` and `users:1000`.
public enum SplitStrategy: Sendable, Equatable, Codable, CustomStringConvertible {
  /// Per-user random holdout ("weak generalization"): of a user's `n` pairs,
  /// `round(fraction · n)` (half away from zero), clamped to `1...n−1`, go to test, chosen
  /// uniformly at random. Users with a single pair stay in training. `fraction` is in (0, 1).
  case holdout(fraction: Double)
  /// Leave-last-`count`-out: of every user with more than `count` pairs, the `count` latest
  /// pairs go to test. A pair's time is its latest event; ties go by position in the log (the
  /// later event counts as later). Users with `count` pairs or fewer stay in training. Needs
  /// timestamps.
  case leaveLast(count: Int)
  /// Global time cutoff (seconds since 1970): pairs whose first event is at or after the cutoff
  /// go to test. Training holds only events before the cutoff: later events of pairs that began
  /// before it are dropped (``SplitCounts/droppedLateEvents``), so nothing from the test period
  /// leaks into training. Test users without any training pair are dropped. Needs timestamps.
  case timeCutoff(Int64)
  /// Strong generalization (Liang et al. 2018, "Variational Autoencoders for Collaborative
  /// Filtering"): `count` users, drawn at random among users with at least two pairs, are removed
  /// from training entirely. Each one's pairs on notes that remain in training are split at
  /// random into a fold-in history (80%) and test (`⌊0.2 · n⌋` pairs, clamped to `1...n−1`, as
  /// in the paper's code). Held-out users left with fewer than two such pairs are dropped.
  case heldOutUsers(count: Int)
  /// A split that was given, not made: training and test logs prepared elsewhere
  /// (``DataSplit/init(train:test:)``). It cannot be applied to a log.
  case predefined

  /// Parses `holdout:FRACTION`, `last:COUNT`, `cutoff:TIME` (seconds since 1970 or an ISO 8601
  /// date such as `2026-03-01` or `2026-03-01T12:00:00Z`) or `users:COUNT`. The long names
  /// `leaveLast`, `timeCutoff` and `heldOutUsers` are accepted too; names are case-insensitive.
  /// Throws ``ZhongcaoError/Code/invalidArgument`` naming what is wrong.
  public init(parsing text: String) throws(ZhongcaoError) {
    let expected = "expected holdout:FRACTION, last:COUNT, cutoff:TIME or users:COUNT"
    guard let colon = text.firstIndex(of: ":") else {
      throw ZhongcaoError(.invalidArgument, "split strategy '\(text)' has no ':'; \(expected)")
    }
    let name = text[..<colon].trimmingSpaces().lowercased()
    let value = String(text[text.index(after: colon)...].trimmingSpaces())
    func count(_ what: String) throws(ZhongcaoError) -> Int {
      guard let count = Int(value), count >= 1 else {
        throw ZhongcaoError(.invalidArgument, "split strategy '\(text)': \(what) must be a whole number ≥ 1, got '\(value)'")
      }
      return count
    }
    switch name {
    case "holdout":
      guard let fraction = Double(value), fraction > 0, fraction < 1 else {
        throw ZhongcaoError(.invalidArgument, "split strategy '\(text)': the holdout fraction must be a number strictly between 0 and 1, got '\(value)'")
      }
      self = .holdout(fraction: fraction)
    case "last", "leavelast", "leave-last":
      self = .leaveLast(count: try count("the number of last pairs"))
    case "cutoff", "timecutoff", "time-cutoff":
      guard let time = FieldParsing.timestamp(ArraySlice(value.utf8)) else {
        throw ZhongcaoError(.invalidArgument, "split strategy '\(text)': the cutoff must be seconds since 1970 or an ISO 8601 date (2026-03-01, 2026-03-01T12:00:00Z), got '\(value)'")
      }
      self = .timeCutoff(time)
    case "users", "heldoutusers", "held-out-users":
      self = .heldOutUsers(count: try count("the number of held-out users"))
    default:
      throw ZhongcaoError(.invalidArgument, "unknown split strategy '\(name)' in '\(text)'; \(expected)")
    }
  }

  /// The parseable form: `holdout:0.2`, `last:1`, `cutoff:1700000000`, `users:1000`.
  public var description: String {
    switch self {
    case .holdout(let fraction): "holdout:\(fraction)"
    case .leaveLast(let count): "last:\(count)"
    case .timeCutoff(let time): "cutoff:\(time)"
    case .heldOutUsers(let count): "users:\(count)"
    case .predefined: "predefined"
    }
  }

  /// Decodes the textual form (a single string, see ``init(parsing:)``).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    if text == "predefined" {
      self = .predefined
      return
    }
    do {
      self = try SplitStrategy(parsing: text)
    } catch {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
    }
  }

  /// Encodes the textual form, ``description``, as a single string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Throws if a parameter is out of range (values built in code bypass the parser's checks).
  func validate() throws(ZhongcaoError) {
    switch self {
    case .holdout(let fraction) where !(fraction > 0 && fraction < 1):
      throw ZhongcaoError(.invalidArgument, "the holdout fraction must be strictly between 0 and 1, got \(fraction)")
    case .leaveLast(let count) where count < 1:
      throw ZhongcaoError(.invalidArgument, "leave-last needs a count ≥ 1, got \(count)")
    case .heldOutUsers(let count) where count < 1:
      throw ZhongcaoError(.invalidArgument, "held-out users needs a count ≥ 1, got \(count)")
    default: break
    }
  }
}

/// How many pairs and events ended where, in a ``DataSplit``.
///
/// Every distinct (user, note) pair of the log is counted exactly once:
/// `pairs == trainPairs + testPairs + foldInPairs + droppedColdNotePairs + droppedUserPairs`.
public struct SplitCounts: Sendable, Equatable, Codable {
  /// Distinct (user, note) pairs in the log.
  public var pairs: Int
  /// Pairs in training.
  public var trainPairs: Int
  /// Events in training (``DataSplit/train``'s `count`).
  public var trainEvents: Int
  /// Pairs in the test set (the total length of ``DataSplit/testNotes``).
  public var testPairs: Int
  /// Pairs in the fold-in histories (``SplitStrategy/heldOutUsers(count:)`` only).
  public var foldInPairs: Int
  /// Users in the test set.
  public var testUsers: Int
  /// Test (or held-out) pairs left out because their note never occurs in training: no model
  /// trained on the split can recommend such a note.
  public var droppedColdNotePairs: Int
  /// Pairs of users that cannot be evaluated, left out: for a time cutoff, the test pairs of
  /// users with no training pair; for held-out users, the pairs of a user left with fewer than two
  /// pairs on training notes.
  public var droppedUserPairs: Int
  /// Events at or after a time cutoff that belong to pairs which began before it (left out of
  /// training; ``SplitStrategy/timeCutoff(_:)`` only).
  public var droppedLateEvents: Int

  /// Counts with every field given.
  public init(pairs: Int = 0, trainPairs: Int = 0, trainEvents: Int = 0, testPairs: Int = 0, foldInPairs: Int = 0,
              testUsers: Int = 0, droppedColdNotePairs: Int = 0, droppedUserPairs: Int = 0, droppedLateEvents: Int = 0) {
    self.pairs = pairs
    self.trainPairs = trainPairs
    self.trainEvents = trainEvents
    self.testPairs = testPairs
    self.foldInPairs = foldInPairs
    self.testUsers = testUsers
    self.droppedColdNotePairs = droppedColdNotePairs
    self.droppedUserPairs = droppedUserPairs
    self.droppedLateEvents = droppedLateEvents
  }
}

/// A log divided into training events and per-user test notes by ``Interactions/split(_:seed:)``.
///
/// The test set is a list of users (``testUsers``) with, aligned, the notes each interacted with
/// in the test part (``testNotes``). Every test note occurs in ``train``, and every test user has
/// at least one test note; for ``SplitStrategy/heldOutUsers(count:)`` the test users are absent
/// from ``train`` and ``foldInHistory`` holds what a model may see of them.
public struct DataSplit: Sendable {
  /// The training events with their weights and timestamps, in log order. Its id maps hold only
  /// the users and notes that occur in it (same id strings as the log, new dense indices).
  public var train: Interactions
  /// The test users, in order of first appearance in the log.
  public var testUsers: [String]
  /// The test notes of each test user (aligned with ``testUsers``; no duplicates, in order of
  /// first appearance in the log).
  public var testNotes: [[String]]
  /// For ``SplitStrategy/heldOutUsers(count:)``: each test user's fold-in history (aligned with
  /// ``testUsers``), pairs with their summed weights in order of first appearance, disjoint from
  /// the user's test notes. Nil for the other strategies.
  public var foldInHistory: [[(note: String, weight: Float)]]?
  /// The strategy used.
  public var strategy: SplitStrategy
  /// The seed used.
  public var seed: UInt64
  /// Where the pairs went.
  public var counts: SplitCounts

  /// The test notes as sets, aligned with ``testUsers`` (the `relevant` argument of
  /// ``RankingMetrics/evaluate(rankings:relevant:cutoffs:catalog:users:itemVectors:bootstrapSamples:seed:confidence:)``).
  public var relevant: [Set<String>] { testNotes.map(Set.init) }
}

extension Interactions {
  /// Splits the log into training events and a test set; see ``SplitStrategy`` for the rules.
  ///
  /// Events are first summed per (user, note) pair, and a pair lands wholly in training or in
  /// test. Test pairs whose note never occurs in training are dropped (counted in
  /// ``SplitCounts/droppedColdNotePairs``), and users left with no test note are not test users.
  /// The result depends only on the log, the strategy and `seed` (not on the machine or thread
  /// count); runs in O(events + pairs·log) time.
  ///
  /// Throws ``ZhongcaoError/Code/invalidArgument`` when the strategy's parameter is out of range,
  /// when ``SplitStrategy/leaveLast(count:)`` or ``SplitStrategy/timeCutoff(_:)`` meets a log
  /// without timestamps, or when ``SplitStrategy/heldOutUsers(count:)`` asks for more users than
  /// have two pairs (or for all users).
  ///
  ///     let split = try log.split(.holdout(fraction: 0.2), seed: 7)
  ///     let matrix = InteractionMatrix(split.train)
  public func split(_ strategy: SplitStrategy, seed: UInt64) throws(ZhongcaoError) -> DataSplit {
    try strategy.validate()
    switch strategy {
    case .predefined:
      throw ZhongcaoError(.invalidArgument, "a predefined split comes from two logs; use DataSplit(train:test:)")
    case .leaveLast, .timeCutoff:
      guard timestamps != nil || count == 0 else {
        throw ZhongcaoError(.invalidArgument, "the '\(strategy)' split needs event timestamps, and this log has none; use holdout:FRACTION or users:COUNT")
      }
    default: break
    }
    guard count <= Int(Int32.max) else {
      throw ZhongcaoError(.invalidArgument, "cannot split more than \(Int32.max) events (got \(count))")
    }
    var splitter = Splitter(self)
    return try splitter.run(strategy, seed: seed)
  }
}

// MARK: - Implementation

/// The pairs of a log, grouped by user, and the state of each during a split.
private struct Splitter {
  enum State: UInt8 { case train, test, foldIn, droppedColdNote, droppedUser }

  let log: Interactions
  /// Pairs of user `u` are `userOffsets[u]..<userOffsets[u + 1]`, in order of first appearance.
  var userOffsets: [Int]
  var pairNote: [Int32] = []
  var pairWeight: [Float] = []
  /// Earliest and latest event time of each pair (empty without timestamps).
  var pairFirstTime: [Int64] = []
  var pairLastTime: [Int64] = []
  /// Log position of the pair's latest event (the last one in the log among equal times).
  var pairLastPosition: [Int] = []
  /// The pair of each event.
  var eventPair: [Int32]
  var state: [State] = []

  init(_ log: Interactions) {
    self.log = log
    let userCount = log.users.count, noteCount = log.notes.count
    // The events of each user, in log order.
    let eventsByUser = IndexGroups(keys: log.userIndices, groupCount: userCount)
    // Number the pairs user by user; `slot[i]` is note i's pair when `slotOwner[i]` is the user.
    userOffsets = [Int](repeating: 0, count: userCount + 1)
    eventPair = [Int32](repeating: 0, count: log.count)
    var slot = [Int32](repeating: 0, count: noteCount)
    var slotOwner = [Int32](repeating: -1, count: noteCount)
    let times = log.timestamps
    for u in 0..<userCount {
      userOffsets[u] = pairNote.count
      for e in eventsByUser[u] {
        let i = Int(log.noteIndices[e])
        if slotOwner[i] != Int32(u) {
          slotOwner[i] = Int32(u)
          slot[i] = Int32(pairNote.count)
          pairNote.append(Int32(i))
          pairWeight.append(0)
          if let times {
            pairFirstTime.append(times[e])
            pairLastTime.append(times[e])
            pairLastPosition.append(e)
          }
        }
        let p = Int(slot[i])
        eventPair[e] = Int32(p)
        pairWeight[p] += log.weights[e]
        if let times {
          let t = times[e]
          if t < pairFirstTime[p] { pairFirstTime[p] = t }
          // Events come in log order, so `>=` keeps the last of equal times.
          if t >= pairLastTime[p] {
            pairLastTime[p] = t
            pairLastPosition[p] = e
          }
        }
      }
    }
    userOffsets[userCount] = pairNote.count
    state = [State](repeating: .train, count: pairNote.count)
  }

  var userCount: Int { log.users.count }

  func pairs(of u: Int) -> Range<Int> { userOffsets[u]..<userOffsets[u + 1] }

  /// Chooses `k` of `n` positions uniformly at random (partial Fisher–Yates) into `scratch[0..<k]`.
  static func choose(_ k: Int, of n: Int, using random: inout SeededRandom, scratch: inout [Int]) {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: 0..<n)
    for j in 0..<k {
      scratch.swapAt(j, j + random.index(below: n - j))
    }
  }

  mutating func run(_ strategy: SplitStrategy, seed: UInt64) throws(ZhongcaoError) -> DataSplit {
    var counts = SplitCounts(pairs: pairNote.count)
    var cutoff: Int64? = nil
    var scratch: [Int] = []
    switch strategy {
    case .holdout(let fraction):
      for u in 0..<userCount {
        let range = pairs(of: u), n = range.count
        guard n >= 2 else { continue }
        let k = min(max(Int((fraction * Double(n)).rounded()), 1), n - 1)
        var random = SeededRandom(seed: seed, stream: UInt64(u))
        Self.choose(k, of: n, using: &random, scratch: &scratch)
        for j in 0..<k { state[range.lowerBound + scratch[j]] = .test }
      }
    case .leaveLast(let count):
      for u in 0..<userCount {
        let range = pairs(of: u)
        guard range.count > count else { continue }
        let latestFirst = range.sorted {
          (pairLastTime[$0], pairLastPosition[$0]) > (pairLastTime[$1], pairLastPosition[$1])
        }
        for p in latestFirst.prefix(count) { state[p] = .test }
      }
    case .timeCutoff(let time):
      cutoff = time
      for p in state.indices where pairFirstTime[p] >= time { state[p] = .test }
    case .predefined:
      preconditionFailure("split(_:seed:) refuses predefined splits")
    case .heldOutUsers(let count):
      let eligible = (0..<userCount).filter { pairs(of: $0).count >= 2 }
      guard count <= eligible.count else {
        throw ZhongcaoError(.invalidArgument, "cannot hold out \(count) users: only \(eligible.count) users have at least two pairs")
      }
      guard count < userCount else {
        throw ZhongcaoError(.invalidArgument, "cannot hold out \(count) users out of \(userCount): no user would be left to train on")
      }
      var random = SeededRandom(seed: seed, stream: UInt64.max)
      Self.choose(count, of: eligible.count, using: &random, scratch: &scratch)
      for j in 0..<count {
        for p in pairs(of: eligible[scratch[j]]) { state[p] = .foldIn }
      }
    }

    // Training events (log order), with id maps of only what occurs in them.
    var trainUsers = IDMap(), trainNotes = IDMap()
    var userMap = [Int32](repeating: -1, count: userCount)
    var noteMap = [Int32](repeating: -1, count: log.notes.count)
    var userIndices: [Int32] = [], noteIndices: [Int32] = [], weights: [Float] = []
    var times: [Int64]? = log.timestamps == nil ? nil : []
    for e in 0..<log.count where state[Int(eventPair[e])] == .train {
      if let cutoff, log.timestamps![e] >= cutoff {
        counts.droppedLateEvents += 1
        continue
      }
      let u = Int(log.userIndices[e]), i = Int(log.noteIndices[e])
      if userMap[u] < 0 { userMap[u] = Int32(trainUsers.insert(log.users[u])) }
      if noteMap[i] < 0 { noteMap[i] = Int32(trainNotes.insert(log.notes[i])) }
      userIndices.append(userMap[u])
      noteIndices.append(noteMap[i])
      weights.append(log.weights[e])
      times?.append(log.timestamps![e])
    }
    let train = Interactions(users: trainUsers, notes: trainNotes, userIndices: userIndices,
                             noteIndices: noteIndices, weights: weights, timestamps: times)
    counts.trainEvents = train.count
    counts.trainPairs = state.lazy.filter { $0 == .train }.count

    // The test set: drop cold notes (and, for held-out users, split what remains).
    var testUsers: [String] = [], testNotes: [[String]] = []
    var histories: [[(note: String, weight: Float)]] = []
    for u in 0..<userCount {
      let range = pairs(of: u)
      guard range.contains(where: { state[$0] != .train }) else { continue }
      var known: [Int] = []
      for p in range where state[p] != .train {
        if noteMap[Int(pairNote[p])] < 0 {
          state[p] = .droppedColdNote
        } else {
          known.append(p)
        }
      }
      if case .heldOutUsers = strategy {
        let n = known.count
        guard n >= 2 else {
          for p in known { state[p] = .droppedUser }
          continue
        }
        let k = min(max(n / 5, 1), n - 1)
        var random = SeededRandom(seed: seed, stream: UInt64(u))
        Self.choose(k, of: n, using: &random, scratch: &scratch)
        for j in 0..<k { state[known[scratch[j]]] = .test }
        histories.append(known.filter { state[$0] == .foldIn }.map { (log.notes[Int(pairNote[$0])], pairWeight[$0]) })
      } else if userMap[u] < 0 {
        for p in known { state[p] = .droppedUser }
        continue
      }
      guard !known.isEmpty else { continue }
      testUsers.append(log.users[u])
      testNotes.append(known.filter { state[$0] == .test }.map { log.notes[Int(pairNote[$0])] })
    }
    for s in state {
      switch s {
      case .train: break
      case .test: counts.testPairs += 1
      case .foldIn: counts.foldInPairs += 1
      case .droppedColdNote: counts.droppedColdNotePairs += 1
      case .droppedUser: counts.droppedUserPairs += 1
      }
    }
    counts.testUsers = testUsers.count
    let isHeldOut: Bool = if case .heldOutUsers = strategy { true } else { false }
    return DataSplit(train: train, testUsers: testUsers, testNotes: testNotes,
                     foldInHistory: isHeldOut ? histories : nil, strategy: strategy, seed: seed, counts: counts)
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces and tabs.
  fileprivate func trimmingSpaces() -> SubSequence {
    var start = startIndex, end = endIndex
    while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
    while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" { end = index(before: end) }
    return self[start..<end]
  }
}
