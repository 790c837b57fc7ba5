import ZhongcaoLinearAlgebra

/// One recommended note with its score.
public struct Recommendation: Sendable, Hashable, Codable {
  /// The note id.
  public var note: String
  /// The model's score `x_uᵀy_i` (or the cosine for similar notes); higher is better.
  public var score: Float

  /// A recommendation.
  public init(note: String, score: Float) {
    self.note = note
    self.score = score
  }
}

/// Which notes a feed may contain.
public struct RecommendationFilter: Sendable, Equatable {
  /// Leave out the notes the user interacted with in training (default true).
  public var excludeSeen: Bool
  /// Notes never to return (e.g. removed or already shown). Unknown ids are ignored.
  public var excluded: Set<String>
  /// When set, only these notes may be returned (a whitelist). Unknown ids are ignored.
  public var allowed: Set<String>?

  /// A filter; by default seen notes are excluded and nothing else.
  public init(excludeSeen: Bool = true, excluded: Set<String> = [], allowed: Set<String>? = nil) {
    self.excludeSeen = excludeSeen
    self.excluded = excluded
    self.allowed = allowed
  }
}

/// Feeds for many users at once.
public struct BatchRecommendations: Sendable {
  /// The known users, in request order, with their feeds.
  public var feeds: [(user: String, recommendations: [Recommendation])]
  /// Requested users the model has never seen (in request order).
  public var unknownUsers: [String]
}

/// Why a note was recommended: how much each of the user's past notes contributed to its score
/// (Hu, Koren & Volinsky 2008, section 5).
public struct Explanation: Sendable {
  /// The explained note.
  public var note: String
  /// Its score for the user (equals the sum of all contributions).
  public var score: Float
  /// Past notes with their contribution `c_uj · y_iᵀ W_u y_j`, largest first.
  public var contributions: [(note: String, contribution: Float)]
}

/// A trained feed model: immutable, `Sendable`, safe to call from any number of threads.
///
///     let model = try FeedModel(contentsOf: "feed.zcm")
///     let feed = try model.recommendations(for: "u42", count: 20)
///     let similar = try model.similarNotes(to: "n7", count: 10)
///     let newcomer = try model.recommendations(forEvents: [("n7", 4), ("n9", 1)], count: 20)
public struct FeedModel: Sendable {
  package let contents: ModelContents
  /// `YᵀY` of the note factors (fold-in and explanations).
  private let noteGram: Matrix
  /// `1 / ‖y_i‖` (0 for zero vectors), for cosine similarity.
  private let inverseNoteNorms: [Float]

  package init(contents: ModelContents) {
    self.contents = contents
    noteGram = contents.noteFactors.gram()
    let k = contents.noteFactors.rows
    inverseNoteNorms = (0..<contents.noteFactors.columns).map { i in
      var sum: Float = 0
      for f in 0..<k { let v = contents.noteFactors.storage[i * k + f]; sum += v * v }
      return sum > 0 ? 1 / sum.squareRoot() : 0
    }
  }

  /// Loads a model file. Refuses truncated, corrupted, foreign or hostile files with
  /// ``ZhongcaoError/Code-swift.struct/invalidModel``.
  public init(contentsOf path: String) throws(ZhongcaoError) {
    self.init(contents: try ModelFile.read(from: path))
  }

  /// Writes the model atomically (temporary file, fsync, rename).
  public func save(to path: String) throws(ZhongcaoError) {
    try ModelFile.write(contents, to: path)
  }

  /// The users the model knows.
  public var users: IDMap { contents.users }
  /// The notes the model can recommend.
  public var notes: IDMap { contents.notes }
  /// Latent factors per vector.
  public var factorCount: Int { contents.noteFactors.rows }
  /// The hyper-parameters it was trained with.
  public var configuration: ALSConfiguration { contents.configuration }
  /// Where it came from.
  public var provenance: TrainingProvenance { contents.provenance }

  /// The vector of a known user.
  public func userVector(_ user: String) -> [Float]? {
    contents.users.index(of: user).map { contents.userFactors.column($0) }
  }

  /// The vector of a known note.
  public func noteVector(_ note: String) -> [Float]? {
    contents.notes.index(of: note).map { contents.noteFactors.column($0) }
  }

  /// The notes a user interacted with in training, with their summed weights.
  public func seenNotes(of user: String) -> [(note: String, weight: Float)] {
    guard let u = contents.users.index(of: user) else { return [] }
    return contents.seen.range(ofRow: u).map { (contents.notes[Int(contents.seen.indices[$0])], contents.seen.values[$0]) }
  }

  /// The score of one note for one user.
  public func score(user: String, note: String) throws(ZhongcaoError) -> Float {
    let u = try userIndex(user), i = try noteIndex(note)
    let k = factorCount
    var sum: Float = 0
    for f in 0..<k { sum += contents.userFactors.storage[u * k + f] * contents.noteFactors.storage[i * k + f] }
    return sum
  }

  // MARK: Feeds

  /// The `count` best notes for a known user, best first.
  ///
  /// Ties are broken by note index (order of first appearance in training), so the result equals a
  /// full sort. Fewer than `count` come back only when fewer notes pass the filter.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/notFound`` for an unknown user.
  public func recommendations(
    for user: String, count: Int = 10, filter: RecommendationFilter = RecommendationFilter()
  ) throws(ZhongcaoError) -> [Recommendation] {
    let u = try userIndex(user)
    try Self.checkCount(count)
    return rank(queries: contents.userFactors, columns: [u], count: count, filter: filter,
                seen: contents.seen, threads: 1)[0]
  }

  /// Feeds for many users with blocked GEMM scoring on `threads` workers (0 = one per core).
  /// Unknown users are listed in ``BatchRecommendations/unknownUsers``, not dropped silently.
  public func recommendations(
    for users: [String], count: Int = 10, filter: RecommendationFilter = RecommendationFilter(), threads: Int = 0
  ) throws(ZhongcaoError) -> BatchRecommendations {
    try Self.checkCount(count)
    var known: [(String, Int)] = [], unknown: [String] = []
    known.reserveCapacity(users.count)
    for user in users {
      if let u = contents.users.index(of: user) { known.append((user, u)) } else { unknown.append(user) }
    }
    let ranked = rank(queries: contents.userFactors, columns: known.map(\.1), count: count, filter: filter,
                      seen: contents.seen, threads: threads == 0 ? WorkerPool.defaultThreads : threads)
    return BatchRecommendations(feeds: zip(known, ranked).map { ($0.0, $1) }, unknownUsers: unknown)
  }

  /// A feed for a user the model has never seen, from their events (fold-in: one k×k solve with
  /// the training hyper-parameters). Their own notes are excluded when `filter.excludeSeen`.
  public func recommendations(
    forEvents events: [(note: String, weight: Float)], count: Int = 10,
    filter: RecommendationFilter = RecommendationFilter()
  ) throws(ZhongcaoError) -> [Recommendation] {
    try Self.checkCount(count)
    let (entries, vector) = try foldInEntries(events)
    let query = Matrix(rows: factorCount, columns: 1, storage: vector)
    let seen = SparseRows(rowCount: 1, columnCount: contents.notes.count, offsets: [0, entries.count],
                          indices: entries.map(\.0), values: entries.map(\.1))
    return rank(queries: query, columns: [0], count: count, filter: filter, seen: seen, threads: 1)[0]
  }

  /// The notes most similar to `note` by cosine of their factor vectors, excluding itself.
  public func similarNotes(to note: String, count: Int = 10) throws(ZhongcaoError) -> [Recommendation] {
    let i = try noteIndex(note)
    try Self.checkCount(count)
    let scale = inverseNoteNorms[i]
    let ranked = TopK.select(
      queries: contents.noteFactors, queryColumns: [i], items: contents.noteFactors, count: count,
      itemScale: inverseNoteNorms.map { $0 * scale }, filter: CandidateFilter(excludedForAll: [Int32(i)]), threads: 1)
    return ranked[0].map { Recommendation(note: contents.notes[Int($0.index)], score: $0.score) }
  }

  // MARK: Fold-in and explanations

  /// The vector training would give a user with these events (repeated notes add up; unknown
  /// notes are ignored). Solves `(α₀YᵀY + Σ(c−α₀)y yᵀ + λ_u I)x = Σ c·y` exactly.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for a negative or non-finite
  ///   weight, or when no event names a known note.
  public func foldIn(events: [(note: String, weight: Float)]) throws(ZhongcaoError) -> [Float] {
    try foldInEntries(events).vector
  }

  /// Which of a known user's past notes contributed most to `note`'s score.
  public func explain(user: String, note: String, count: Int = 10) throws(ZhongcaoError) -> Explanation {
    let u = try userIndex(user), i = try noteIndex(note)
    let entries = contents.seen.range(ofRow: u).map { (contents.seen.indices[$0], contents.seen.values[$0]) }
    guard !entries.isEmpty else { return Explanation(note: note, score: 0, contributions: []) }
    let (system, _) = normalEquations(entries)
    guard let z = LAPACK.solve(system, contents.noteFactors.column(i)) else {
      throw ZhongcaoError(.trainingFailed, "the system of user '\(user)' is not positive definite")
    }
    let k = factorCount, alpha = configuration.alpha
    var contributions: [(note: String, contribution: Float)] = entries.map { entry in
      var dot: Float = 0
      let base = Int(entry.0) * k
      for f in 0..<k { dot += z[f] * contents.noteFactors.storage[base + f] }
      return (contents.notes[Int(entry.0)], (1 + alpha * entry.1) * dot)
    }
    let total = contributions.reduce(Float(0)) { $0 + $1.contribution }
    contributions.sort { $0.contribution > $1.contribution || ($0.contribution == $1.contribution && $0.note < $1.note) }
    return Explanation(note: note, score: total, contributions: Array(contributions.prefix(max(count, 0))))
  }

  // MARK: Internals

  private func userIndex(_ user: String) throws(ZhongcaoError) -> Int {
    guard let u = contents.users.index(of: user) else {
      throw ZhongcaoError(.notFound, "unknown user '\(user)': the model was trained on \(contents.users.count) users; use fold-in for new users")
    }
    return u
  }

  private func noteIndex(_ note: String) throws(ZhongcaoError) -> Int {
    guard let i = contents.notes.index(of: note) else {
      throw ZhongcaoError(.notFound, "unknown note '\(note)': the model knows \(contents.notes.count) notes")
    }
    return i
  }

  private static func checkCount(_ count: Int) throws(ZhongcaoError) {
    guard count >= 0 else { throw ZhongcaoError(.invalidArgument, "count must be ≥ 0, got \(count)") }
  }

  private func sortedIndices(_ ids: Set<String>) -> [Int32] {
    ids.compactMap { contents.notes.index(of: $0).map(Int32.init) }.sorted()
  }

  private func rank(
    queries: Matrix, columns: [Int], count: Int, filter: RecommendationFilter, seen: SparseRows, threads: Int
  ) -> [[Recommendation]] {
    let candidateFilter = CandidateFilter(
      excludedPerQuery: filter.excludeSeen ? seen : nil, excludedForAll: sortedIndices(filter.excluded),
      allowed: filter.allowed.map(sortedIndices))
    let ranked = TopK.select(queries: queries, queryColumns: columns, items: contents.noteFactors, count: count,
                             filter: candidateFilter, threads: threads)
    return ranked.map { list in list.map { Recommendation(note: contents.notes[Int($0.index)], score: $0.score) } }
  }

  /// Sums events per known note and solves for the vector.
  private func foldInEntries(_ events: [(note: String, weight: Float)]) throws(ZhongcaoError) -> (entries: [(Int32, Float)], vector: [Float]) {
    var summed: [Int32: Float] = [:]
    for event in events {
      guard event.weight.isFinite, event.weight >= 0 else {
        throw ZhongcaoError(.invalidArgument, "event weight for note '\(event.note)' must be finite and ≥ 0, got \(event.weight)")
      }
      if let i = contents.notes.index(of: event.note) { summed[Int32(i), default: 0] += event.weight }
    }
    guard !summed.isEmpty else {
      throw ZhongcaoError(.invalidArgument, "none of the \(events.count) events names a note the model knows")
    }
    let entries = summed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    let (system, rhs) = normalEquations(entries)
    guard let vector = LAPACK.solve(system, rhs) else {
      throw ZhongcaoError(.trainingFailed, "the fold-in system is not positive definite; the model's regularization is too small")
    }
    return (entries, vector)
  }

  /// `A = α₀YᵀY + λ_u I + Σ (c−α₀) y yᵀ` and `b = Σ c·y` for one user's entries.
  private func normalEquations(_ entries: [(Int32, Float)]) -> (Matrix, [Float]) {
    let k = factorCount, n = entries.count
    let settings = configuration.leastSquaresSettings(threads: 1)
    var gathered = Matrix(rows: k, columns: n), scaled = Matrix(rows: k, columns: n)
    var confidence = [Float](repeating: 0, count: n)
    for (j, entry) in entries.enumerated() {
      let c = 1 + settings.confidenceScale * entry.1
      confidence[j] = c
      let d = c - settings.unobservedWeight
      let base = Int(entry.0) * k
      for f in 0..<k {
        let value = contents.noteFactors.storage[base + f]
        gathered.storage[j * k + f] = value
        scaled.storage[j * k + f] = value * d
      }
    }
    var system = noteGram
    for index in system.storage.indices { system.storage[index] *= settings.unobservedWeight }
    let lambda = settings.regularization(observed: n, fixedCount: contents.notes.count)
    for f in 0..<k { system[f, f] += lambda }
    BLAS.multiply(gathered, by: scaled, transposingRight: true, beta: 1, into: &system)
    return (system, BLAS.product(gathered, vector: confidence))
  }
}
