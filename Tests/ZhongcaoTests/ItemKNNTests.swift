import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

@Suite struct ItemKNNTests {
  /// The weighted `X` of the doc comment, computed from scratch in Double (users × notes).
  static func referenceEntries(_ matrix: InteractionMatrix, _ configuration: ItemKNNConfiguration) -> [[Double]] {
    var x = denseInteractions(matrix, binary: configuration.binary)
    guard configuration.weighting == .bm25 else { return x }
    let users = x.count, notes = matrix.notes.count
    var lengths = [Double](repeating: 0, count: notes)
    for row in x { for i in 0..<notes { lengths[i] += row[i] } }
    let average = lengths.reduce(0, +) / Double(notes)
    let k1 = Double(configuration.bm25K1), b = Double(configuration.bm25B)
    for u in 0..<users {
      let present = Set(matrix.byUser.range(ofRow: u).map { Int(matrix.byUser.indices[$0]) })
      let documentFrequency = Double(present.count)
      let idf = log(1 + (Double(notes) - documentFrequency + 0.5) / (documentFrequency + 0.5))
      for i in present where x[u][i] > 0 {
        let t = x[u][i]
        x[u][i] = idf * t * (k1 + 1) / (t + k1 * (1 - b + b * lengths[i] / average))
      }
    }
    return x
  }

  /// All-pairs shrunk cosine in Double; per note the best `neighbours` with score > 0 by
  /// (score desc, index asc), as (index, score) sorted by index. Also returns every score.
  static func bruteForce(_ x: [[Double]], notes: Int, shrinkage: Float, neighbours: Int)
    -> (kept: [[(Int, Double)]], all: [[Double]])
  {
    let norms = (0..<notes).map { i in x.reduce(0.0) { $0 + $1[i] * $1[i] }.squareRoot() }
    var all = [[Double]](repeating: [Double](repeating: 0, count: notes), count: notes)
    let kept = (0..<notes).map { i -> [(Int, Double)] in
      var candidates: [(Int, Double)] = []
      for j in 0..<notes where j != i {
        let dot = x.reduce(0.0) { $0 + $1[i] * $1[j] }
        let denominator = norms[i] * norms[j] + Double(shrinkage)
        let score = denominator > 0 ? dot / denominator : 0
        all[i][j] = score
        if Float(score) > 0 { candidates.append((j, score)) }
      }
      candidates.sort { Float($0.1) > Float($1.1) || (Float($0.1) == Float($1.1) && $0.0 < $1.0) }
      return candidates.prefix(neighbours).sorted { $0.0 < $1.0 }
    }
    return (kept, all)
  }

  /// The CSR invariants the scorer relies on.
  static func checkInvariants(_ s: SparseRows, notes: Int, neighbours: Int) {
    #expect(s.rowCount == notes && s.columnCount == notes)
    for j in 0..<notes {
      let row = s.range(ofRow: j)
      #expect(row.count <= neighbours)
      for e in row {
        #expect(Int(s.indices[e]) != j, "note \(j) is its own neighbour")
        #expect(s.values[e].isFinite && s.values[e] > 0)
        if e > row.lowerBound { #expect(s.indices[e - 1] < s.indices[e], "row \(j) is not sorted") }
      }
    }
  }

  @Test(arguments: [1, 3, 11, 50])
  func cosineMatchesBruteForceExactly(neighbours: Int) throws {
    for (seed, binary, shrinkage) in [(UInt64(1), true, Float(0)), (2, true, 10), (3, false, 0), (4, false, 2.5)] {
      let matrix = try randomInteractionMatrix(users: 25, notes: 12, density: 0.3, seed: seed)
      var configuration = ItemKNNConfiguration()
      configuration.neighbours = neighbours
      configuration.shrinkage = shrinkage
      configuration.binary = binary
      configuration.threads = 2
      let s = try configuration.noteNeighbours(for: matrix)
      Self.checkInvariants(s, notes: 12, neighbours: neighbours)
      let want = Self.bruteForce(Self.referenceEntries(matrix, configuration), notes: 12, shrinkage: shrinkage,
                                 neighbours: neighbours).kept
      for j in 0..<12 {
        let got = s.range(ofRow: j).map { (Int(s.indices[$0]), s.values[$0]) }
        #expect(got.map(\.0) == want[j].map(\.0), "seed \(seed), note \(j): \(got.map(\.0)) != \(want[j].map(\.0))")
        #expect(got.map(\.1) == want[j].map { Float($0.1) }, "seed \(seed), note \(j): scores differ")
      }
    }
  }

  @Test(arguments: [1, 4, 11, 50])
  func bm25MatchesBruteForce(neighbours: Int) throws {
    for (seed, binary, shrinkage, k1, b) in [
      (UInt64(5), false, Float(0), Float(1.2), Float(0.75)), (6, true, 1, 1.2, 0.75),
      (7, false, 3, 0, 1), (8, false, 0.5, 100, 0.8), (9, true, 0, 2, 0),
    ] {
      let matrix = try randomInteractionMatrix(users: 30, notes: 12, density: 0.3, seed: seed)
      var configuration = ItemKNNConfiguration()
      configuration.weighting = .bm25
      configuration.neighbours = neighbours
      configuration.shrinkage = shrinkage
      configuration.binary = binary
      configuration.bm25K1 = k1
      configuration.bm25B = b
      configuration.threads = 2
      let s = try configuration.noteNeighbours(for: matrix)
      Self.checkInvariants(s, notes: 12, neighbours: neighbours)
      let (want, all) = Self.bruteForce(Self.referenceEntries(matrix, configuration), notes: 12, shrinkage: shrinkage,
                                        neighbours: neighbours)
      let tolerance = 1e-5
      for j in 0..<12 {
        let got = s.range(ofRow: j).map { (Int(s.indices[$0]), Double(s.values[$0])) }
        #expect(got.count == want[j].count, "seed \(seed), note \(j): \(got.count) neighbours, want \(want[j].count)")
        // Every kept score is the true similarity…
        for (i, score) in got {
          #expect(abs(score - all[j][i]) <= tolerance * max(1, abs(all[j][i])), "seed \(seed): s[\(j), \(i)] = \(score), want \(all[j][i])")
        }
        // …and the kept set is a top set: the sorted scores agree with the reference's.
        let gotSorted = got.map(\.1).sorted(by: >), wantSorted = want[j].map(\.1).sorted(by: >)
        for (g, w) in zip(gotSorted, wantSorted) {
          #expect(abs(g - w) <= tolerance * max(1, abs(w)), "seed \(seed), note \(j): rank scores \(g) vs \(w)")
        }
      }
    }
  }

  @Test func resultIsThreadIndependent() throws {
    let matrix = try randomInteractionMatrix(users: 200, notes: 90, density: 0.1, seed: 21)
    for weighting in ItemKNNConfiguration.Weighting.allCases {
      var configuration = ItemKNNConfiguration()
      configuration.weighting = weighting
      configuration.neighbours = 7
      configuration.threads = 1
      let one = try configuration.noteNeighbours(for: matrix)
      configuration.threads = 2
      #expect(try configuration.noteNeighbours(for: matrix) == one)
    }
  }

  @Test func refusesEmptyMatricesAndBadSettings() throws {
    do {
      _ = try ItemKNNConfiguration().noteNeighbours(for: InteractionMatrix(Interactions()))
      Issue.record("item-kNN trained on an empty matrix")
    } catch {
      #expect(error.code == .invalidArgument && error.message == "cannot train on an empty matrix")
    }
    var configuration = ItemKNNConfiguration()
    configuration.neighbours = 0
    let matrix = try randomInteractionMatrix(users: 3, notes: 2, density: 0.5, seed: 1)
    #expect(throws: ZhongcaoError.self) { try configuration.noteNeighbours(for: matrix) }
  }
}

@Suite struct PopularityTests {
  @Test func countsDistinctUsersAndSumsWeights() throws {
    var log = Interactions()
    for (user, note, weight) in [("a", "x", 1), ("a", "x", 2), ("b", "x", 0.5), ("a", "y", 4), ("c", "z", 0), ("c", "x", 1)]
      as [(String, String, Float)]
    {
      try log.append(user: user, note: note, weight: weight)
    }
    let matrix = InteractionMatrix(log)
    let x = matrix.notes.index(of: "x")!, y = matrix.notes.index(of: "y")!, z = matrix.notes.index(of: "z")!
    var configuration = PopularityConfiguration()
    let users = configuration.noteScores(for: matrix)
    #expect(users.count == 3)
    #expect(users[x] == 3 && users[y] == 1 && users[z] == 1)
    configuration.measure = .weight
    let weights = configuration.noteScores(for: matrix)
    #expect(weights[x] == 4.5 && weights[y] == 4 && weights[z] == 0)
    #expect(PopularityConfiguration().noteScores(for: InteractionMatrix(Interactions())).isEmpty)
  }
}
