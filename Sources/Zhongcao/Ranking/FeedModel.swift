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

/// A trained feed model of any kind (ALS, EASE, item-kNN, popularity): immutable, `Sendable`,
/// safe to call from any number of threads. Every kind serves through the same calls.
///
///     let model = try FeedModel(contentsOf: "feed.zcm")
///     let feed = try model.recommendations(for: "u42", count: 20)
///     let similar = try model.similarNotes(to: "n7", count: 10)
///     let newcomer = try model.recommendations(forEvents: [("n7", 4), ("n9", 1)], count: 20)
public struct FeedModel: Sendable {
  package let contents: ModelContents
  /// `YᵀY` of the note factors (ALS fold-in and explanations; empty for other kinds).
  private let noteGram: Matrix
  /// `1 / ‖y_i‖` (0 for zero vectors), for cosine similarity of ALS notes.
  private let inverseNoteNorms: [Float]

  package init(contents: ModelContents) {
    self.contents = contents
    if case .factors(_, let notes) = contents.parameters {
      noteGram = notes.gram()
      let k = notes.rows
      inverseNoteNorms = notes.storage.withUnsafeBufferPointer { factors in
        (0..<notes.columns).map { i in
          var sum: Float = 0
          for f in 0..<k { let v = factors[i * k + f]; sum += v * v }
          return sum > 0 ? 1 / sum.squareRoot() : 0
        }
      }
    } else {
      noteGram = Matrix(rows: 0, columns: 0)
      inverseNoteNorms = []
    }
  }

  /// Loads a model file. Refuses truncated, corrupted, foreign or hostile files with
  /// ``ZhongcaoError/Code-swift.struct/invalidModel``.
  ///
  /// - Parameters:
  ///   - storage: ``ModelStorage/inMemory`` (the default) reads the file into memory of the
  ///     model's own; ``ModelStorage/memoryMapped`` serves from the file's pages, with no second
  ///     copy (for models of millions of users; the file must then not be modified in place).
  ///   - verification: ``ModelVerification/full`` (the default) checks every checksum;
  ///     ``ModelVerification/structure`` skips those of the factor blocks for a faster start.
  public init(contentsOf path: String, storage: ModelStorage = .inMemory,
              verification: ModelVerification = .full) throws(ZhongcaoError) {
    switch storage {
    case .inMemory: self.init(contents: try ModelFile.read(from: path, verification: verification))
    case .memoryMapped: self.init(contents: try ModelFile.map(from: path, verification: verification))
    }
  }

  /// Whether the model serves from a memory-mapped file (see ``ModelStorage``).
  public var isMemoryMapped: Bool {
    switch contents.parameters {
    case .factors(_, let notes), .noteWeights(let notes): notes.storage.isMapped
    case .noteNeighbours(let neighbours): neighbours.values.isMapped
    case .noteScores: contents.seen.offsets.isMapped
    }
  }

  /// Writes the model atomically (temporary file, fsync, rename).
  public func save(to path: String) throws(ZhongcaoError) {
    try ModelFile.write(contents, to: path)
  }

  /// The users the model knows.
  public var users: IDMap { contents.users }
  /// The notes the model can recommend.
  public var notes: IDMap { contents.notes }
  /// The kind of model.
  public var kind: ModelKind { contents.kind }
  /// The hyper-parameters it was trained with.
  public var settings: ModelSettings { contents.settings }
  /// The ALS hyper-parameters, for an ALS model.
  public var alsConfiguration: ALSConfiguration? {
    if case .als(let configuration) = contents.settings { return configuration }
    return nil
  }
  /// Latent factors per vector (ALS; 0 for other kinds).
  public var factorCount: Int {
    if case .factors(_, let notes) = contents.parameters { return notes.rows }
    return 0
  }
  /// Where it came from.
  public var provenance: TrainingProvenance { contents.provenance }

  /// The factor vector of a known user (ALS only).
  public func userVector(_ user: String) -> [Float]? {
    guard case .factors(let users, _) = contents.parameters else { return nil }
    return contents.users.index(of: user).map { users.column($0) }
  }

  /// The factor vector of a known note (ALS only).
  public func noteVector(_ note: String) -> [Float]? {
    guard case .factors(_, let notes) = contents.parameters else { return nil }
    return contents.notes.index(of: note).map { notes.column($0) }
  }

  /// The notes a user interacted with in training, with their summed weights.
  public func seenNotes(of user: String) -> [(note: String, weight: Float)] {
    guard let u = contents.users.index(of: user) else { return [] }
    return contents.seen.range(ofRow: u).map { (contents.notes[Int(contents.seen.indices[$0])], contents.seen.values[$0]) }
  }

  /// The score of one note for one user.
  public func score(user: String, note: String) throws(ZhongcaoError) -> Float {
    let u = try userIndex(user), i = try noteIndex(note)
    switch contents.parameters {
    case .factors(let users, let notes):
      let k = notes.rows
      var sum: Float = 0
      for f in 0..<k { sum += users.storage[u * k + f] * notes.storage[i * k + f] }
      return sum
    default:
      return contributions(row: contents.seen.range(ofRow: u).map { (contents.seen.indices[$0], contents.seen.values[$0]) },
                           note: i).reduce(0) { $0 + $1.1 }
    }
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
    return rank(source: knownUserSource, queries: [u], count: count, filter: filter, seen: contents.seen, threads: 1)[0]
  }

  /// Feeds for many users with blocked scoring on `threads` workers (0 = one per core).
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
    let ranked = rank(source: knownUserSource, queries: known.map(\.1), count: count, filter: filter,
                      seen: contents.seen, threads: threads == 0 ? WorkerPool.defaultThreads : threads)
    return BatchRecommendations(feeds: zip(known, ranked).map { ($0.0, $1) }, unknownUsers: unknown)
  }

  /// A feed for a user the model has never seen, from their events: ALS folds them in (one k×k
  /// solve with the training hyper-parameters); the note-to-note kinds score the events
  /// directly. Their own notes are excluded when `filter.excludeSeen`.
  public func recommendations(
    forEvents events: [(note: String, weight: Float)], count: Int = 10,
    filter: RecommendationFilter = RecommendationFilter()
  ) throws(ZhongcaoError) -> [Recommendation] {
    guard try !Self.summedEntries(events, notes: contents.notes).isEmpty else {
      throw ZhongcaoError(.invalidArgument, "none of the \(events.count) events names a note the model knows")
    }
    return try feeds(forHistories: [events], count: count, filter: filter, threads: 1)[0]
  }

  /// Feeds for many users the model has never seen (held-out users in evaluation), one history
  /// each, on `threads` workers (0 = one per core). A history naming no known note gets an
  /// all-zero score (ALS) or the kind's plain scores.
  public func feeds(
    forHistories histories: [[(note: String, weight: Float)]], count: Int = 10,
    filter: RecommendationFilter = RecommendationFilter(), threads: Int = 0
  ) throws(ZhongcaoError) -> [[Recommendation]] {
    try Self.checkCount(count)
    var offsets = [0], indices: [Int32] = [], values: [Float] = []
    for events in histories {
      for (index, weight) in try Self.summedEntries(events, notes: contents.notes) {
        indices.append(index)
        values.append(weight)
      }
      offsets.append(indices.count)
    }
    let rows = SparseRows(rowCount: histories.count, columnCount: contents.notes.count, offsets: offsets,
                          indices: indices, values: values)
    let source: ScoreSource
    switch contents.parameters {
    case .factors(_, let notes):
      var vectors = Matrix(rows: notes.rows, columns: histories.count)
      for h in 0..<histories.count {
        let entries = rows.range(ofRow: h).map { (rows.indices[$0], rows.values[$0]) }
        guard !entries.isEmpty else { continue }
        vectors.setColumn(h, to: try solveFoldIn(entries))
      }
      source = .factors(queries: vectors, items: notes)
    default:
      source = noteToNoteSource(rows: rows)
    }
    let threadCount = threads == 0 ? WorkerPool.defaultThreads : threads
    return rank(source: source, queries: Array(0..<histories.count), count: count, filter: filter, seen: rows,
                threads: threadCount)
  }

  /// The notes most similar to `note`, excluding itself: cosine of factor vectors (ALS), the
  /// weights from `note` (EASE), its neighbours (item-kNN).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for a popularity model, which
  ///   has no notion of similarity.
  public func similarNotes(to note: String, count: Int = 10) throws(ZhongcaoError) -> [Recommendation] {
    let i = try noteIndex(note)
    try Self.checkCount(count)
    let ranked: [ScoredIndex]
    switch contents.parameters {
    case .factors(_, let notes):
      let scale = inverseNoteNorms[i]
      ranked = TopK.select(
        queries: notes, queryColumns: [i], items: notes, count: count, itemScale: inverseNoteNorms.map { $0 * scale },
        filter: CandidateFilter(excludedForAll: [Int32(i)]), threads: 1)[0]
    case .noteWeights, .noteNeighbours:
      let row = SparseRows(rowCount: 1, columnCount: contents.notes.count, offsets: [0, 1], indices: [Int32(i)], values: [1])
      ranked = TopK.select(source: noteToNoteSource(rows: row, binary: true), queryColumns: [0], count: count,
                           filter: CandidateFilter(excludedForAll: [Int32(i)]), threads: 1)[0]
    case .noteScores:
      throw ZhongcaoError(.invalidArgument, "a popularity model has no note similarity; train als, ease or itemknn")
    }
    return ranked.map { Recommendation(note: contents.notes[Int($0.index)], score: $0.score) }
  }

  // MARK: Fold-in and explanations

  /// The vector ALS training would give a user with these events (repeated notes add up; unknown
  /// notes are ignored). Solves `(α₀YᵀY + Σ(c−α₀)y yᵀ + λ_u I)x = Σ c·y` exactly.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for a model that is not ALS,
  ///   a negative or non-finite weight, or when no event names a known note.
  public func foldIn(events: [(note: String, weight: Float)]) throws(ZhongcaoError) -> [Float] {
    guard case .factors = contents.parameters else {
      throw ZhongcaoError(.invalidArgument, "fold-in vectors exist only for ALS models; this is \(kind.rawValue)")
    }
    let entries = try Self.summedEntries(events, notes: contents.notes)
    guard !entries.isEmpty else {
      throw ZhongcaoError(.invalidArgument, "none of the \(events.count) events names a note the model knows")
    }
    return try solveFoldIn(entries)
  }

  /// Which of a known user's past notes contributed most to `note`'s score: for ALS the terms
  /// `c_uj · y_iᵀ W_u y_j` of Hu et al. (2008, section 5); for EASE and item-kNN the terms
  /// `x_uj · W[j, i]`; a popularity score has no per-note terms. The terms add up to the score.
  public func explain(user: String, note: String, count: Int = 10) throws(ZhongcaoError) -> Explanation {
    let u = try userIndex(user), i = try noteIndex(note)
    let entries = contents.seen.range(ofRow: u).map { (contents.seen.indices[$0], contents.seen.values[$0]) }
    var terms: [(note: String, contribution: Float)]
    var total: Float
    switch contents.parameters {
    case .factors(_, let notes):
      guard !entries.isEmpty, let configuration = alsConfiguration else {
        return Explanation(note: note, score: 0, contributions: [])
      }
      let (system, _) = normalEquations(entries, noteFactors: notes, configuration: configuration)
      guard let z = LAPACK.solve(system, notes.column(i)) else {
        throw ZhongcaoError(.trainingFailed, "the system of user '\(user)' is not positive definite")
      }
      let k = notes.rows
      terms = entries.map { entry in
        var dot: Float = 0
        let base = Int(entry.0) * k
        for f in 0..<k { dot += z[f] * notes.storage[base + f] }
        return (contents.notes[Int(entry.0)], (1 + configuration.alpha * entry.1) * dot)
      }
      total = terms.reduce(0) { $0 + $1.contribution }
    case .noteScores(let scores):
      return Explanation(note: note, score: scores[i], contributions: [])
    default:
      terms = contributions(row: entries, note: i).map { (contents.notes[Int($0.0)], $0.1) }
      total = terms.reduce(0) { $0 + $1.contribution }
    }
    terms.sort { $0.contribution > $1.contribution || ($0.contribution == $1.contribution && $0.note < $1.note) }
    return Explanation(note: note, score: total, contributions: Array(terms.prefix(max(count, 0))))
  }

  // MARK: Internals

  private func userIndex(_ user: String) throws(ZhongcaoError) -> Int {
    guard let u = contents.users.index(of: user) else {
      throw ZhongcaoError(.notFound, "unknown user '\(user)': the model was trained on \(contents.users.count) users; use recommendations(forEvents:) for new users")
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

  /// Whether the note-to-note kinds read `x_uj` as 1.
  private var binaryRows: Bool {
    switch contents.settings {
    case .ease(let configuration): configuration.binary
    case .itemKNN(let configuration): configuration.binary
    default: true
    }
  }

  /// The score source for known users (queries are user indices).
  private var knownUserSource: ScoreSource {
    if case .factors(let users, let notes) = contents.parameters { return .factors(queries: users, items: notes) }
    return noteToNoteSource(rows: contents.seen)
  }

  /// The score source of the note-to-note kinds and popularity, with queries as rows of `rows`.
  private func noteToNoteSource(rows: SparseRows, binary: Bool? = nil) -> ScoreSource {
    switch contents.parameters {
    case .factors: preconditionFailure("factor models score with their vectors")
    case .noteWeights(let weights): .noteWeights(rows: rows, binary: binary ?? binaryRows, weights: weights)
    case .noteNeighbours(let neighbours): .noteNeighbours(rows: rows, binary: binary ?? binaryRows, neighbours: neighbours)
    case .noteScores(let scores): .constant(scores)
    }
  }

  /// `x_uj · W[j, i]` for each of a user's entries (note-to-note kinds).
  private func contributions(row entries: [(Int32, Float)], note i: Int) -> [(Int32, Float)] {
    let binary = binaryRows
    switch contents.parameters {
    case .noteWeights(let weights):
      let n = weights.rows
      return entries.map { ($0.0, (binary ? 1 : $0.1) * weights.storage[i + Int($0.0) * n]) }
    case .noteNeighbours(let neighbours):
      return entries.map { entry in
        let range = neighbours.range(ofRow: Int(entry.0))
        let slice = neighbours.indices[range]
        let position = slice.firstIndex(of: Int32(i))
        return (entry.0, position.map { (binary ? 1 : entry.1) * neighbours.values[$0] } ?? 0)
      }
    case .noteScores(let scores):
      return [(Int32(i), scores[i])]
    case .factors:
      preconditionFailure("factor contributions come from the normal equations")
    }
  }

  private func rank(
    source: ScoreSource, queries: [Int], count: Int, filter: RecommendationFilter, seen: SparseRows, threads: Int
  ) -> [[Recommendation]] {
    let candidateFilter = CandidateFilter(
      excludedPerQuery: filter.excludeSeen ? seen : nil, excludedForAll: sortedIndices(filter.excluded),
      allowed: filter.allowed.map(sortedIndices))
    let ranked = TopK.select(source: source, queryColumns: queries, count: count, filter: candidateFilter, threads: threads)
    return ranked.map { list in list.map { Recommendation(note: contents.notes[Int($0.index)], score: $0.score) } }
  }

  /// Sums events per known note (unknown notes are ignored), sorted by note index.
  private static func summedEntries(_ events: [(note: String, weight: Float)], notes: IDMap) throws(ZhongcaoError) -> [(Int32, Float)] {
    var summed: [Int32: Float] = [:]
    for event in events {
      guard event.weight.isFinite, event.weight >= 0 else {
        throw ZhongcaoError(.invalidArgument, "event weight for note '\(event.note)' must be finite and ≥ 0, got \(event.weight)")
      }
      if let i = notes.index(of: event.note) { summed[Int32(i), default: 0] += event.weight }
    }
    return summed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  /// The ALS fold-in solve for entries sorted by note.
  private func solveFoldIn(_ entries: [(Int32, Float)]) throws(ZhongcaoError) -> [Float] {
    guard case .factors(_, let notes) = contents.parameters, let configuration = alsConfiguration else {
      preconditionFailure("fold-in needs an ALS model")
    }
    let (system, rhs) = normalEquations(entries, noteFactors: notes, configuration: configuration)
    guard let vector = LAPACK.solve(system, rhs) else {
      throw ZhongcaoError(.trainingFailed, "the fold-in system is not positive definite; the model's regularization is too small")
    }
    return vector
  }

  /// `A = α₀YᵀY + λ_u I + Σ (c−α₀) y yᵀ` and `b = Σ c·y` for one user's entries.
  private func normalEquations(_ entries: [(Int32, Float)], noteFactors: Matrix, configuration: ALSConfiguration) -> (Matrix, [Float]) {
    let k = noteFactors.rows, n = entries.count
    let settings = configuration.leastSquaresSettings(threads: 1)
    var gathered = Matrix(rows: k, columns: n), scaled = Matrix(rows: k, columns: n)
    var confidence = [Float](repeating: 0, count: n)
    for (j, entry) in entries.enumerated() {
      let c = 1 + settings.confidenceScale * entry.1
      confidence[j] = c
      let d = c - settings.unobservedWeight
      let base = Int(entry.0) * k
      for f in 0..<k {
        let value = noteFactors.storage[base + f]
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
