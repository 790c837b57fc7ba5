import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

@Suite struct FeedModelTests {
  /// A model with random factors quantised to a few levels, so many scores tie.
  static func randomModel(users: Int, notes: Int, factors: Int, seed: UInt64) throws -> FeedModel {
    var rng = TestRandom(seed: seed)
    var log = Interactions()
    for u in 0..<users {
      for i in 0..<notes where rng.uniform() < 0.15 { try log.append(user: "u\(u)", note: "n\(i)", weight: 1) }
      try log.append(user: "u\(u)", note: "n\(u % notes)", weight: 2)
    }
    for i in 0..<notes { try log.append(user: "u\(i % users)", note: "n\(i)", weight: 1) }
    let matrix = InteractionMatrix(log)
    let quantised = { (count: Int) in (0..<(factors * count)).map { _ in Float(Int(rng.uniform() * 4)) - 1.5 } }
    let contents = ModelContents(
      algorithm: "als", configuration: ALSConfiguration(),
      provenance: TrainingProvenance(dataHash: matrix.contentHash, users: users, notes: notes, pairs: matrix.pairCount,
                                     trainingSeconds: 0, lossHistory: [], blasCore: "", threads: 1, zhongcaoVersion: "", trainedAt: ""),
      users: matrix.users, notes: matrix.notes,
      userFactors: Matrix(rows: factors, columns: matrix.users.count, storage: quantised(matrix.users.count)),
      noteFactors: Matrix(rows: factors, columns: matrix.notes.count, storage: quantised(matrix.notes.count)),
      seen: matrix.byUser)
    return FeedModel(contents: contents)
  }

  /// The oracle: score every note, filter, sort by (score desc, index asc), take `count`.
  static func fullSort(_ model: FeedModel, user: String, count: Int, filter: RecommendationFilter) throws -> [Recommendation] {
    let seen = Set(model.seenNotes(of: user).map(\.note))
    var all: [(Int, Recommendation)] = []
    for i in 0..<model.notes.count {
      let note = model.notes[i]
      if filter.excludeSeen && seen.contains(note) { continue }
      if filter.excluded.contains(note) { continue }
      if let allowed = filter.allowed, !allowed.contains(note) { continue }
      all.append((i, Recommendation(note: note, score: try model.score(user: user, note: note))))
    }
    all.sort { $0.1.score > $1.1.score || ($0.1.score == $1.1.score && $0.0 < $1.0) }
    return all.prefix(count).map(\.1)
  }

  @Test(arguments: [0, 1, 7, 40, 500])
  func topKEqualsFullSortWithTies(count: Int) throws {
    let model = try Self.randomModel(users: 30, notes: 120, factors: 3, seed: UInt64(count) + 1)
    var rng = TestRandom(seed: 9)
    let filters = [
      RecommendationFilter(),
      RecommendationFilter(excludeSeen: false),
      RecommendationFilter(excluded: Set((0..<40).map { _ in "n\(Int(rng.uniform() * 120))" } + ["not-a-note"])),
      RecommendationFilter(allowed: Set((0..<25).map { _ in "n\(Int(rng.uniform() * 120))" } + ["ghost"])),
      RecommendationFilter(excludeSeen: true, excluded: ["n1", "n2", "n3"], allowed: Set((0..<60).map { "n\($0)" })),
    ]
    for filter in filters {
      let users = (0..<30).map { "u\($0)" }
      let batch = try model.recommendations(for: users, count: count, filter: filter, threads: 2)
      #expect(batch.unknownUsers.isEmpty)
      for (user, feed) in batch.feeds {
        let expected = try Self.fullSort(model, user: user, count: count, filter: filter)
        #expect(feed == expected, "user \(user) filter \(filter)")
        #expect(try model.recommendations(for: user, count: count, filter: filter) == expected)
      }
    }
  }

  @Test func unknownUsersAreReportedInOrder() throws {
    let model = try Self.randomModel(users: 5, notes: 20, factors: 2, seed: 3)
    let batch = try model.recommendations(for: ["u1", "ghost", "u2", "nobody"], count: 3)
    #expect(batch.feeds.map(\.user) == ["u1", "u2"])
    #expect(batch.unknownUsers == ["ghost", "nobody"])
    #expect(throws: ZhongcaoError.self) { try model.recommendations(for: "ghost") }
    #expect(throws: ZhongcaoError.self) { try model.recommendations(for: "u1", count: -1) }
  }

  @Test func similarNotesAreTheCosineNeighbours() throws {
    let model = try Self.randomModel(users: 10, notes: 60, factors: 4, seed: 5)
    let query = "n7"
    let result = try model.similarNotes(to: query, count: 8)
    let q = model.noteVector(query)!
    func cosine(_ a: [Float], _ b: [Float]) -> Float {
      let dot = zip(a, b).map(*).reduce(0, +)
      let norms = (a.map { $0 * $0 }.reduce(0, +) * b.map { $0 * $0 }.reduce(0, +)).squareRoot()
      return norms > 0 ? dot / norms : 0
    }
    var all = (0..<60).filter { $0 != 7 }.map { ($0, cosine(q, model.noteVector("n\($0)")!)) }
    all.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    #expect(!result.contains { $0.note == query })
    #expect(result.count == 8)
    for (got, want) in zip(result, all.prefix(8)) {
      #expect(abs(got.score - want.1) < 1e-5, "\(got) vs \(want)")
    }
    #expect(result.map(\.score) == result.map(\.score).sorted(by: >))
  }

  /// Fold-in of a trained user's own events reproduces the trained vector: exactly (to float
  /// tolerance) for the Cholesky solver, closely for conjugate gradient.
  @Test(arguments: [ALSConfiguration.Solver.cholesky, .conjugateGradient])
  func foldInEqualsTrainedVector(solver: ALSConfiguration.Solver) throws {
    let (train, _) = plantedData(users: 150, notes: 90, perUser: 15, rank: 4, seed: 21)
    var configuration = ALSConfiguration()
    configuration.factors = 10
    configuration.iterations = 8
    configuration.solver = solver
    configuration.conjugateGradientSteps = 6
    configuration.regularizationExponent = 0.5
    configuration.unobservedWeight = 0.7
    configuration.alpha = 3
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(train))
    let tolerance: Float = solver == .cholesky ? 1e-3 : 5e-2
    for user in ["u0", "u17", "u99", "u149"] {
      let trained = model.userVector(user)!
      let folded = try model.foldIn(events: model.seenNotes(of: user))
      let scale = max(trained.map(abs).max()!, 1e-3)
      for (a, b) in zip(trained, folded) { #expect(abs(a - b) <= tolerance * scale, "\(user): \(trained) vs \(folded)") }
      // A new user with the same events gets (nearly) the same feed.
      if solver == .cholesky {
        let known = try model.recommendations(for: user, count: 10).map(\.note)
        let fresh = try model.recommendations(forEvents: model.seenNotes(of: user), count: 10).map(\.note)
        #expect(Set(known).intersection(fresh).count >= 9)
      }
    }
  }

  @Test func foldInRejectsBadEvents() throws {
    let model = try Self.randomModel(users: 5, notes: 20, factors: 2, seed: 3)
    #expect(throws: ZhongcaoError.self) { try model.foldIn(events: [("ghost", 1)]) }
    #expect(throws: ZhongcaoError.self) { try model.foldIn(events: [("n1", -1)]) }
    #expect(throws: ZhongcaoError.self) { try model.foldIn(events: [("n1", .nan)]) }
    #expect(throws: ZhongcaoError.self) { try model.foldIn(events: []) }
  }

  /// The contributions of Hu et al.'s explanation add up to the score of the exactly-solved user.
  @Test func explanationContributionsSumToTheScore() throws {
    let (train, _) = plantedData(users: 100, notes: 70, perUser: 12, rank: 3, seed: 8)
    var configuration = ALSConfiguration()
    configuration.factors = 6
    configuration.iterations = 6
    configuration.solver = .cholesky
    configuration.alpha = 2
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(train))
    for user in ["u3", "u50"] {
      let top = try model.recommendations(for: user, count: 3)
      for recommendation in top {
        let explanation = try model.explain(user: user, note: recommendation.note, count: 1000)
        #expect(abs(explanation.score - recommendation.score) < 1e-3 * max(1, abs(recommendation.score)))
        let sum = explanation.contributions.reduce(Float(0)) { $0 + $1.contribution }
        #expect(abs(sum - explanation.score) < 1e-4 * max(1, abs(sum)))
        #expect(explanation.contributions.count == model.seenNotes(of: user).count)
        let values = explanation.contributions.map(\.contribution)
        #expect(values == values.sorted(by: >))
      }
    }
  }

  @Test func concurrentCallsMatchSerialOnes() async throws {
    let model = try Self.randomModel(users: 64, notes: 300, factors: 8, seed: 12)
    let users = (0..<64).map { "u\($0)" }
    let serial = try users.map { try model.recommendations(for: $0, count: 15) }
    let serialSimilar = try (0..<20).map { try model.similarNotes(to: "n\($0)", count: 5) }
    try await withThrowingTaskGroup(of: (Int, [Recommendation], [Recommendation]).self) { group in
      for round in 0..<256 {
        group.addTask {
          let u = round % 64
          return (u, try model.recommendations(for: users[u], count: 15), try model.similarNotes(to: "n\(u % 20)", count: 5))
        }
      }
      for try await (u, feed, similar) in group {
        #expect(feed == serial[u])
        #expect(similar == serialSimilar[u % 20])
      }
    }
    let batch = try model.recommendations(for: users, count: 15, threads: 2)
    #expect(batch.feeds.map(\.recommendations) == serial)
  }
}
