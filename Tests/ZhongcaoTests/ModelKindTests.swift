import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

/// Every model kind serves through the same calls: top-K equals a full sort of `score`, filters
/// apply, files round-trip, fold-in-free kinds serve new users from their events.
@Suite struct ModelKindTests {
  static let kinds: [ModelKind] = [.ease, .itemKNN, .popularity]

  /// A random model of `kind` over a random interaction matrix, with quantised parameters so
  /// that many scores tie.
  static func randomModel(_ kind: ModelKind, users: Int = 25, notes: Int = 60, seed: UInt64 = 1) throws -> FeedModel {
    var rng = TestRandom(seed: seed)
    var log = Interactions()
    for u in 0..<users {
      for i in 0..<notes where rng.uniform() < 0.12 { try log.append(user: "u\(u)", note: "n\(i)", weight: 1 + Float(i % 3)) }
      try log.append(user: "u\(u)", note: "n\(u % notes)", weight: 2)
    }
    for i in 0..<notes { try log.append(user: "u\(i % users)", note: "n\(i)", weight: 1) }
    let matrix = InteractionMatrix(log)
    let level = { Float(Int(rng.uniform() * 5)) - 2 }
    let settings: ModelSettings, parameters: ModelParameters
    switch kind {
    case .ease:
      var configuration = EASEConfiguration()
      configuration.binary = seed % 2 == 0
      settings = .ease(configuration)
      var weights = Matrix(rows: notes, columns: notes)
      for j in 0..<notes { for i in 0..<notes where i != j { weights[i, j] = level() } }
      parameters = .noteWeights(weights)
    case .itemKNN:
      var configuration = ItemKNNConfiguration()
      configuration.binary = seed % 2 == 1
      settings = .itemKNN(configuration)
      var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
      for j in 0..<notes {
        for i in 0..<notes where i != j && rng.uniform() < 0.2 {
          rows.append(Int32(j)); columns.append(Int32(i)); values.append(level())
        }
      }
      parameters = .noteNeighbours(SparseRows(rowCount: notes, columnCount: notes, rows: rows, columns: columns, values: values))
    case .popularity:
      settings = .popularity(PopularityConfiguration())
      parameters = .noteScores((0..<notes).map { _ in level() })
    case .als:
      preconditionFailure("ALS models come from training")
    }
    let provenance = TrainingProvenance(dataHash: matrix.contentHash, users: users, notes: notes, pairs: matrix.pairCount,
                                        trainingSeconds: 0, lossHistory: [], blasCore: "", threads: 1,
                                        zhongcaoVersion: Zhongcao.version, trainedAt: "")
    return FeedModel(contents: ModelContents(settings: settings, provenance: provenance, users: matrix.users,
                                             notes: matrix.notes, parameters: parameters, seen: matrix.byUser))
  }

  @Test(arguments: kinds, [0, 1, 9, 100])
  func topKEqualsFullSort(kind: ModelKind, count: Int) throws {
    for seed in [UInt64(2), 3] {
      let model = try Self.randomModel(kind, seed: seed)
      let filters = [
        RecommendationFilter(),
        RecommendationFilter(excludeSeen: false),
        RecommendationFilter(excluded: ["n1", "n5", "n8", "n13"]),
        RecommendationFilter(allowed: Set((0..<12).map { "n\($0 * 5)" })),
      ]
      for filter in filters {
        let batch = try model.recommendations(for: (0..<25).map { "u\($0)" }, count: count, filter: filter, threads: 2)
        for (user, feed) in batch.feeds {
          #expect(feed == (try FeedModelTests.fullSort(model, user: user, count: count, filter: filter)), "\(kind) \(user)")
        }
      }
    }
  }

  @Test(arguments: kinds)
  func roundTripThroughTheModelFile(kind: ModelKind) throws {
    let model = try Self.randomModel(kind, seed: 5)
    let bytes = ModelFile.encode(model.contents)
    let decoded = try ModelFile.decode(bytes, name: "<memory>")
    #expect(decoded == model.contents)
    #expect(decoded.kind == kind)
    // Every truncation is refused.
    for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400)) {
      #expect(throws: ZhongcaoError.self) { try ModelFile.decode(Array(bytes[..<length]), name: "<memory>") }
    }
  }

  @Test(arguments: [ModelKind.ease, .itemKNN])
  func newUsersAreScoredFromTheirEvents(kind: ModelKind) throws {
    let model = try Self.randomModel(kind, seed: 7)
    for user in ["u0", "u3", "u11"] {
      let history = model.seenNotes(of: user)
      #expect(try model.recommendations(forEvents: history, count: 10) == model.recommendations(for: user, count: 10))
    }
    #expect(throws: ZhongcaoError.self) { try model.foldIn(events: model.seenNotes(of: "u0")) }
  }

  @Test(arguments: [ModelKind.ease, .itemKNN])
  func explanationsAddUpToTheScore(kind: ModelKind) throws {
    let model = try Self.randomModel(kind, seed: 9)
    let feed = try model.recommendations(for: "u4", count: 3)
    for item in feed {
      let explanation = try model.explain(user: "u4", note: item.note, count: 1000)
      #expect(explanation.score == item.score)
      #expect(explanation.contributions.count == model.seenNotes(of: "u4").count)
    }
  }

  @Test func similarNotesFollowTheNoteToNoteWeights() throws {
    let ease = try Self.randomModel(.ease, seed: 4)
    guard case .noteWeights(let weights) = ease.contents.parameters else { Issue.record("not EASE"); return }
    let j = try #require(ease.notes.index(of: "n3"))
    let expected = (0..<ease.notes.count).filter { $0 != j }
      .sorted { (weights[$0, j], -$0) > (weights[$1, j], -$1) }.prefix(5).map { ease.notes[$0] }
    #expect(try ease.similarNotes(to: "n3", count: 5).map(\.note) == Array(expected))
    #expect(throws: ZhongcaoError.self) { try Self.randomModel(.popularity).similarNotes(to: "n3") }
  }
}
