import Dispatch

/// Generates synthetic note-feed interaction logs with a planted, known preference structure.
///
/// The world: `notes` notes, each with a popularity from a Zipf-like law and a topic vector — a
/// sparse mixture of one to ``Configuration/maxTopicsPerNote`` of the `tasteDimensions` topics
/// (non-negative, summing to 1); `users` users, each with a taste vector (one standard-normal
/// weight per topic: users can also dislike topics) and an activity level drawn log-normal.
/// User `u` produces events on note `i` with probability
///
///     P(i | u)  ∝  popularity_i · exp(tasteStrength · affinity(u, i)),
///     affinity(u, i) = taste_u · topic_i,
///
/// so the log-preference matrix has rank `tasteDimensions` plus a popularity column: a model
/// that recovers the tastes beats a popularity ranking by a wide margin, and
/// ``PlantedTruth/score(user:note:)`` is the best possible ranking. Events are drawn with
/// replacement, so active users touch some notes more than once (the pairs add up in an
/// ``InteractionMatrix``).
///
/// Every event also gets a kind (view, like, collect, comment, share, purchase) whose weight in
/// ``EventWeights/default`` becomes the event weight: views are the most common, purchases the
/// rarest, and the engaged kinds are likelier the closer a note is to the user's favourite topic.
/// Timestamps are uniform over ``Configuration/days`` days from ``Configuration/epoch``
/// (2026-01-01 UTC) and ascending within each user.
///
/// Output is a pure function of the configuration: the same seed gives identical events on every
/// run and with any number of threads (each user draws from its own random stream, so users are
/// generated in parallel); other platforms agree up to rare last-bit differences of `exp`/`log`. Sampling is exact (rejection from a per-topic mixture
/// proposal, O(1) expected work per event): 2·10⁶ events take about half a second and 10⁷ about
/// two seconds in a release build on two cores.
///
///     var configuration = FeedGenerator.Configuration()
///     configuration.users = 50_000
///     configuration.notes = 20_000
///     configuration.interactions = 2_000_000
///     let output = try FeedGenerator(validating: configuration).generate()
///     let matrix = InteractionMatrix(output.interactions)
public struct FeedGenerator: Sendable {
  /// The kind of a generated event.
  public enum EventKind: UInt8, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case view, like, collect, comment, share, purchase

    /// The lower-case name, as used by ``EventWeights`` and the `event` column of interaction files.
    public var name: String {
      switch self {
      case .view: "view"
      case .like: "like"
      case .collect: "collect"
      case .comment: "comment"
      case .share: "share"
      case .purchase: "purchase"
      }
    }

    /// How much engagement the kind expresses (view 0, like 1, collect and comment 2, share and
    /// purchase 3); higher levels gain probability with affinity.
    public var engagementLevel: Int {
      switch self {
      case .view: 0
      case .like: 1
      case .collect, .comment: 2
      case .share, .purchase: 3
      }
    }

    /// The kind's weight in ``EventWeights/default``.
    public var defaultWeight: Float { EventWeights.default.weight(of: name) ?? 1 }

    /// The kind named `name` (case-insensitive), or nil.
    public init?(name: some StringProtocol) {
      guard let kind = EventKind.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
      self = kind
    }

    public var description: String { name }
  }

  /// Relative probabilities of the event kinds for a note in the user's favourite topic; they
  /// need not sum to 1. Notes further from the user's taste shift toward views (see
  /// ``Configuration/engagementLift``), so the realised mix has somewhat more views than this.
  public struct EventMix: Sendable, Equatable, Codable {
    public var view: Double = 0.70
    public var like: Double = 0.15
    public var collect: Double = 0.07
    public var comment: Double = 0.04
    public var share: Double = 0.025
    public var purchase: Double = 0.015

    /// The default mix: 70% views, 15% likes, 7% collects, 4% comments, 2.5% shares, 1.5% purchases.
    public init() {}

    /// A mix of the given relative probabilities.
    public init(view: Double, like: Double, collect: Double, comment: Double, share: Double, purchase: Double) {
      self.view = view
      self.like = like
      self.collect = collect
      self.comment = comment
      self.share = share
      self.purchase = purchase
    }

    /// The relative probability of `kind`.
    public subscript(kind: EventKind) -> Double {
      switch kind {
      case .view: view
      case .like: like
      case .collect: collect
      case .comment: comment
      case .share: share
      case .purchase: purchase
      }
    }
  }

  /// What to generate. Every field has a default; ``validate()`` names the first bad value.
  public struct Configuration: Sendable, Equatable, Codable {
    /// Number of users (ids `u000000`, `u000001`, …; at least six digits).
    public var users: Int = 2_000
    /// Number of notes (ids `n00000`, `n00001`, …; at least five digits).
    public var notes: Int = 1_000
    /// Number of events: every user gets one, and the rest are shared out in proportion to the
    /// users' activity. Must be at least `users`.
    public var interactions: Int = 50_000
    /// Number of topics: the rank of the planted preference structure.
    public var tasteDimensions: Int = 16
    /// Each note mixes one to this many topics: one, plus each further topic with probability ½
    /// (up to this maximum), with weights uniform on the simplex.
    public var maxTopicsPerNote: Int = 3
    /// Zipf exponent of note popularity: the note of popularity rank r (1, 2, …) has base weight
    /// (r + popularityHeadFraction · notes)^−exponent (0 = all notes equally popular).
    public var popularityExponent: Double = 1.0
    /// Flattens the head of the Zipf law (Zipf–Mandelbrot offset, as a fraction of the catalog) so
    /// the top 1% of notes draw the same share of events at every catalog size (about a third at
    /// the defaults) and no single note dominates a large catalog; 0 gives a pure Zipf law.
    public var popularityHeadFraction: Double = 0.001
    /// σ of the log-normal user activity (0 = all users equally active).
    public var activitySigma: Double = 1.0
    /// Multiplier of the affinity in the log-probability of an event; 0 leaves only popularity.
    /// Affinities of random pairs have a standard deviation of about 0.9, and a user's favourite
    /// topic has a taste weight of about 1.5–2, so at the default 2 its notes are e³–e⁴ times
    /// likelier than equally popular notes of an indifferent topic.
    public var tasteStrength: Double = 2.0
    /// How strongly engaged kinds depend on affinity: a kind of engagement level `l` on a note
    /// whose affinity is `d` below the user's best topic has its probability multiplied by
    /// exp(−engagementLift · l · d).
    public var engagementLift: Double = 0.5
    /// Relative probabilities of the event kinds.
    public var eventMix = EventMix()
    /// Timestamps span this many days from ``epoch``.
    public var days: Int = 30
    /// The seed: equal seeds give identical output.
    public var seed: UInt64 = 42

    /// The start of the timestamp window: 2026-01-01T00:00:00Z, in seconds since 1970.
    public static let epoch: Int64 = 1_767_225_600

    /// The defaults: 2,000 users × 1,000 notes × 50,000 events.
    public init() {}

    /// Checks every value, naming the first bad one.
    public func validate() throws(ZhongcaoError) {
      func fail(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidArgument, message) }
      func check(_ value: Double, _ name: String, _ range: ClosedRange<Double>) throws(ZhongcaoError) {
        guard value.isFinite, range.contains(value) else {
          throw fail("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
      }
      let maxIndex = Int(Int32.max)
      guard users >= 1, users <= maxIndex else { throw fail("users must be in 1...\(maxIndex), got \(users)") }
      guard notes >= 1, notes <= maxIndex else { throw fail("notes must be in 1...\(maxIndex), got \(notes)") }
      guard interactions >= users else {
        throw fail("interactions must be at least users (\(users)), since every user gets one event or more; got \(interactions)")
      }
      guard interactions <= 1 << 40 else { throw fail("interactions must be at most 2⁴⁰, got \(interactions)") }
      guard tasteDimensions >= 1, tasteDimensions <= 1024 else {
        throw fail("taste dimensions must be in 1...1024, got \(tasteDimensions)")
      }
      guard maxTopicsPerNote >= 1, maxTopicsPerNote <= 64 else {
        throw fail("topics per note must be in 1...64, got \(maxTopicsPerNote)")
      }
      try check(popularityExponent, "popularity exponent", 0...5)
      try check(popularityHeadFraction, "popularity head fraction", 0...1)
      try check(activitySigma, "activity sigma", 0...5)
      try check(tasteStrength, "taste strength", 0...20)
      try check(engagementLift, "engagement lift", 0...10)
      var mixTotal = 0.0
      for kind in EventKind.allCases {
        try check(eventMix[kind], "event mix probability of \(kind.name)", 0...1e9)
        mixTotal += eventMix[kind]
      }
      guard mixTotal > 0 else { throw fail("event mix probabilities cannot all be 0") }
      guard days >= 1, days <= 36_500 else { throw fail("days must be in 1...36500, got \(days)") }
    }
  }

  /// The hidden truth behind a generated log: what a perfect model would know.
  ///
  /// Index `u` is user `interactions.users[u]` and index `i` is note `interactions.notes[i]` of
  /// the same ``Output``. Matrices are row-major: user `u`'s taste is
  /// `userTastes[u * tasteDimensions ..< (u + 1) * tasteDimensions]`.
  public struct PlantedTruth: Sendable, Equatable {
    /// Number of topics.
    public let tasteDimensions: Int
    /// The multiplier of the affinity in the log-probability.
    public let tasteStrength: Double
    /// users × tasteDimensions standard-normal taste weights, row-major.
    public let userTastes: [Float]
    /// notes × tasteDimensions topic mixtures (non-negative, each row sums to 1), row-major.
    public let noteTopics: [Float]
    /// Popularity of every note (Zipf weights, summing to 1).
    public let notePopularity: [Float]
    /// Relative activity of every user (log-normal, mean 1 over users).
    public let userActivity: [Float]

    /// Number of users.
    public var userCount: Int { userActivity.count }
    /// Number of notes.
    public var noteCount: Int { notePopularity.count }

    /// taste_u · topic_i.
    public func affinity(user: Int, note: Int) -> Float {
      let d = tasteDimensions
      var sum: Float = 0
      for k in 0..<d { sum += userTastes[user * d + k] * noteTopics[note * d + k] }
      return sum
    }

    /// log(popularity_i) + tasteStrength · affinity(u, i): the log of the unnormalised
    /// probability that user `u`'s next event is on note `i`, hence the ideal ranking score.
    public func score(user: Int, note: Int) -> Float {
      log(notePopularity[note]) + Float(tasteStrength) * affinity(user: user, note: note)
    }
  }

  /// A generated log and the truth behind it.
  public struct Output: Sendable {
    /// The events, grouped by user (in user order) and ascending in time within each user, with
    /// every user and note of the world in the id maps (notes that drew no event included) in
    /// index order. Weights are the kinds' ``EventWeights/default`` weights; timestamps are set.
    public var interactions: Interactions
    /// The kind of every event, parallel to the columns of ``interactions``.
    public var eventKinds: [EventKind]
    /// The planted world.
    public var truth: PlantedTruth
  }

  /// What this generator produces.
  public let configuration: Configuration

  /// A generator for `configuration`; an invalid configuration is a programmer error (use
  /// ``init(validating:)`` for values from users).
  public init(_ configuration: Configuration) {
    do { try configuration.validate() } catch { preconditionFailure("invalid FeedGenerator configuration: \(error)") }
    self.configuration = configuration
  }

  /// A generator for `configuration`, or an error naming its first invalid value.
  public init(validating configuration: Configuration) throws(ZhongcaoError) {
    try configuration.validate()
    self.configuration = configuration
  }

  /// Generates the log. Deterministic; uses every core.
  public func generate() -> Output {
    let world = World(configuration)
    let eventCounts = world.eventCounts()
    let userCount = configuration.users
    let chunkSize = max(1, min(4096, userCount / 256))
    let chunkCount = (userCount + chunkSize - 1) / chunkSize

    let parts = parallelMap(count: chunkCount, chunkSize: 1, workspace: {}) { _, chunk in
      world.events(for: chunk * chunkSize..<min(userCount, (chunk + 1) * chunkSize), counts: eventCounts)
    }

    let total = eventCounts.reduce(0, +)
    var userIndices = [Int32](); userIndices.reserveCapacity(total)
    var noteIndices = [Int32](); noteIndices.reserveCapacity(total)
    var kinds = [EventKind](); kinds.reserveCapacity(total)
    var timestamps = [Int64](); timestamps.reserveCapacity(total)
    for block in parts {
      userIndices.append(contentsOf: block.users)
      noteIndices.append(contentsOf: block.notes)
      kinds.append(contentsOf: block.kinds)
      timestamps.append(contentsOf: block.timestamps)
    }
    let weightOfKind = EventKind.allCases.map(\.defaultWeight)
    let weights = kinds.map { weightOfKind[Int($0.rawValue)] }

    let interactions = Interactions(
      users: IDMap(Self.ids(prefix: "u", count: configuration.users, minimumDigits: 6)),
      notes: IDMap(Self.ids(prefix: "n", count: configuration.notes, minimumDigits: 5)),
      userIndices: userIndices, noteIndices: noteIndices, weights: weights, timestamps: timestamps)
    return Output(interactions: interactions, eventKinds: kinds, truth: world.truth)
  }

  /// `prefix` followed by the zero-padded index, e.g. `u000123`.
  package static func ids(prefix: String, count: Int, minimumDigits: Int) -> [String] {
    let digits = max(minimumDigits, String(max(count - 1, 0)).count)
    return (0..<count).map { index in
      let number = String(index)
      return prefix + String(repeating: "0", count: digits - number.count) + number
    }
  }
}

// MARK: - The world and its sampler

/// The events of a range of users.
private struct EventBlock: Sendable {
  var users: [Int32] = []
  var notes: [Int32] = []
  var kinds: [FeedGenerator.EventKind] = []
  var timestamps: [Int64] = []
}

/// Vose's alias table: O(1) draws from a fixed discrete distribution.
private struct AliasTable: Sendable {
  /// Keep slot `i` when the low 32 random bits are below `threshold[i]`, else take `alias[i]`.
  private var threshold: [UInt32]
  private var alias: [Int32]

  /// A table for `weights` (non-negative, not all zero).
  init(weights: [Double]) {
    let n = weights.count
    threshold = Array(repeating: UInt32.max, count: n)
    alias = Array(0..<Int32(n))
    let total = weights.reduce(0, +)
    guard n > 0, total > 0 else { return }
    var scaled = weights.map { $0 * Double(n) / total }
    var small: [Int] = [], large: [Int] = []
    for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
    while let s = small.popLast() {
      guard let l = large.last else { scaled[s] = 1; break }
      threshold[s] = UInt32(min(scaled[s] * 0x1p32, Double(UInt32.max)))
      alias[s] = Int32(l)
      scaled[l] -= 1 - scaled[s]
      if scaled[l] < 1 {
        large.removeLast()
        small.append(l)
      }
    }
    // Whatever is left is (up to rounding) exactly full.
    for i in large { threshold[i] = UInt32.max }
    for i in small { threshold[i] = UInt32.max }
  }

  /// Number of outcomes.
  var count: Int { threshold.count }

  /// One draw.
  @inline(__always)
  func sample(using random: inout SeededRandom) -> Int {
    let bits = random.next()
    let slot = Int(truncatingIfNeeded: ((bits >> 32) &* UInt64(threshold.count)) >> 32)
    return UInt32(truncatingIfNeeded: bits) < threshold[slot] ? slot : Int(alias[slot])
  }
}

/// Everything drawn once per world: popularity, topics, tastes, activity, and the samplers.
private struct World: Sendable {
  let configuration: FeedGenerator.Configuration
  let truth: FeedGenerator.PlantedTruth
  /// Sparse note topics: note `i` mixes `topicIndex[topicStart[i]..<topicStart[i+1]]` with
  /// weights `topicWeight[…]`.
  let topicStart: [Int]
  let topicIndex: [Int32]
  let topicWeight: [Double]
  /// Per topic k: the notes mixing it and an alias table over popularity_i · topic_ik.
  let topicMembers: [[Int32]]
  let topicTables: [AliasTable]
  /// Σ_i popularity_i · topic_ik.
  let topicMass: [Double]

  enum Stream: UInt64 {
    case popularity = 1, topics, tastes, activity, users
  }

  static func random(_ configuration: FeedGenerator.Configuration, _ stream: Stream, _ index: Int = 0) -> SeededRandom {
    SeededRandom(seed: SplitMix64.mix(configuration.seed &+ stream.rawValue &* 0x9E37_79B9_7F4A_7C15),
                 stream: UInt64(index))
  }

  init(_ configuration: FeedGenerator.Configuration) {
    self.configuration = configuration
    let notes = configuration.notes, users = configuration.users, d = configuration.tasteDimensions

    // Popularity: Zipf–Mandelbrot weights over a random order of the notes.
    var random = World.random(configuration, .popularity)
    var rankOf = Array(0..<notes)
    for i in stride(from: notes - 1, to: 0, by: -1) { rankOf.swapAt(i, random.index(below: i + 1)) }
    let offset = configuration.popularityHeadFraction * Double(notes)
    var popularity = rankOf.map { pow(Double($0 + 1) + offset, -configuration.popularityExponent) }
    let popularityTotal = popularity.reduce(0, +)
    for i in 0..<notes { popularity[i] /= popularityTotal }

    // Topics: one, plus each further one with probability ½ up to the maximum; weights uniform
    // on the simplex of the chosen topics.
    random = World.random(configuration, .topics)
    let maxTopics = min(configuration.maxTopicsPerNote, d)
    var topicStart = [0], topicIndex: [Int32] = [], topicWeight: [Double] = []
    var noteTopics = [Float](repeating: 0, count: notes * d)
    var chosen: [Int] = [], raw: [Double] = []
    for i in 0..<notes {
      var count = 1
      while count < maxTopics && random.unitDouble() < 0.5 { count += 1 }
      chosen.removeAll(keepingCapacity: true)
      raw.removeAll(keepingCapacity: true)
      while chosen.count < count {
        let k = random.index(below: d)
        if !chosen.contains(k) { chosen.append(k) }
      }
      for _ in 0..<count { raw.append(-log(random.positiveUnitDouble())) }
      let sum = raw.reduce(0, +)
      for (k, w) in zip(chosen, raw) {
        topicIndex.append(Int32(k))
        topicWeight.append(w / sum)
        noteTopics[i * d + k] = Float(w / sum)
      }
      topicStart.append(topicIndex.count)
    }
    var members = [[Int32]](repeating: [], count: d)
    var memberWeights = [[Double]](repeating: [], count: d)
    var mass = [Double](repeating: 0, count: d)
    for i in 0..<notes {
      for e in topicStart[i]..<topicStart[i + 1] {
        let k = Int(topicIndex[e]), w = popularity[i] * topicWeight[e]
        members[k].append(Int32(i))
        memberWeights[k].append(w)
        mass[k] += w
      }
    }
    self.topicStart = topicStart
    self.topicIndex = topicIndex
    self.topicWeight = topicWeight
    topicMembers = members
    topicTables = memberWeights.map { AliasTable(weights: $0) }
    topicMass = mass

    // Tastes: standard normal per topic.
    random = World.random(configuration, .tastes)
    var tastes = [Float](repeating: 0, count: users * d)
    for index in tastes.indices { tastes[index] = Float(random.standardNormal()) }

    // Activity: log-normal with mean 1.
    random = World.random(configuration, .activity)
    let sigma = configuration.activitySigma
    let activity = (0..<users).map { _ in Float(exp(sigma * random.standardNormal() - sigma * sigma / 2)) }

    truth = FeedGenerator.PlantedTruth(
      tasteDimensions: d, tasteStrength: configuration.tasteStrength, userTastes: tastes,
      noteTopics: noteTopics, notePopularity: popularity.map(Float.init), userActivity: activity)
  }

  /// Events per user: one each, plus the rest of the target split in proportion to activity,
  /// rounded so that the running total tracks the running expectation (the total is exact).
  func eventCounts() -> [Int] {
    let activity = truth.userActivity
    let total = activity.reduce(0.0) { $0 + Double($1) }
    let rest = Double(configuration.interactions - configuration.users)
    var counts = [Int](repeating: 1, count: activity.count)
    var cumulative = 0.0, assigned = 0
    for u in activity.indices {
      cumulative += Double(activity[u]) / total * rest
      let upTo = Int(cumulative.rounded())
      counts[u] += upTo - assigned
      assigned = upTo
    }
    return counts
  }

  /// The events of `users`, each user from its own random stream.
  func events(for users: Range<Int>, counts: [Int]) -> EventBlock {
    let d = configuration.tasteDimensions
    let strength = configuration.tasteStrength
    let lift = configuration.engagementLift
    let kinds = FeedGenerator.EventKind.allCases
    let mix = kinds.map { configuration.eventMix[$0] }
    let levels = kinds.map(\.engagementLevel)
    let span = Int64(configuration.days) * 86_400
    let epoch = FeedGenerator.Configuration.epoch

    var block = EventBlock()
    let total = users.reduce(0) { $0 + counts[$1] }
    block.users.reserveCapacity(total)
    block.notes.reserveCapacity(total)
    block.kinds.reserveCapacity(total)
    block.timestamps.reserveCapacity(total)

    var taste = [Double](repeating: 0, count: d)
    var tilt = [Double](repeating: 0, count: d)  // exp(strength · (taste_k − best))
    var cumulative = [Double](repeating: 0, count: d)
    var kindWeight = [Double](repeating: 0, count: kinds.count)
    var times: [Int64] = []

    for u in users {
      var random = World.random(configuration, .users, u)
      var best = -Double.infinity
      for k in 0..<d {
        taste[k] = Double(truth.userTastes[u * d + k])
        best = max(best, taste[k])
      }
      var running = 0.0
      for k in 0..<d {
        tilt[k] = exp(strength * (taste[k] - best))
        running += tilt[k] * topicMass[k]
        cumulative[k] = running
      }

      let n = counts[u]
      times.removeAll(keepingCapacity: true)
      for _ in 0..<n { times.append(epoch + Int64(random.index(below: Int(span)))) }
      times.sort()

      for event in 0..<n {
        // Propose a topic ∝ tilt_k · mass_k, then a note of it ∝ popularity · weight; accept
        // with exp(s·affinity) / Σ_k weight_k·exp(s·taste_k) ≤ 1 (Jensen), which makes the
        // accepted note exactly ∝ popularity · exp(s·affinity).
        var note = 0
        var gap = 0.0  // best − affinity ≥ 0
        for attempt in 0... {
          let x = random.unitDouble() * running
          var topic = 0
          var low = 0, high = d - 1
          while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > x { high = mid } else { low = mid + 1 }
          }
          topic = low
          let table = topicTables[topic]
          guard table.count > 0 else { continue }
          note = Int(topicMembers[topic][table.sample(using: &random)])
          var affinity = 0.0, bound = 0.0
          for e in topicStart[note]..<topicStart[note + 1] {
            let k = Int(topicIndex[e]), w = topicWeight[e]
            affinity += w * taste[k]
            bound += w * tilt[k]
          }
          gap = max(0, best - affinity)
          if attempt >= 10_000 || random.unitDouble() * bound < exp(-strength * gap) { break }
        }

        // Kind: the mix, tilted toward views as the note's affinity falls below the user's best.
        let damp = exp(-lift * gap)
        var kindTotal = 0.0
        for (index, level) in levels.enumerated() {
          var factor = 1.0
          for _ in 0..<level { factor *= damp }
          kindTotal += mix[index] * factor
          kindWeight[index] = kindTotal
        }
        let y = random.unitDouble() * kindTotal
        var kind = kinds.count - 1
        for index in 0..<kinds.count where y < kindWeight[index] {
          kind = index
          break
        }

        block.users.append(Int32(u))
        block.notes.append(Int32(note))
        block.kinds.append(kinds[kind])
        block.timestamps.append(times[event])
      }
    }
    return block
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
