import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

@Suite struct ImplicitALSTests {
  /// A random tiny problem: weights on ~40% of pairs.
  static func tinyProblem(users: Int, notes: Int, seed: UInt64) -> SparseRows {
    var rng = TestRandom(seed: seed)
    var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
    for u in 0..<users {
      for i in 0..<notes where rng.uniform() < 0.4 || i == u % notes {
        rows.append(Int32(u)); columns.append(Int32(i)); values.append(1 + 3 * rng.uniform())
      }
    }
    return SparseRows(rowCount: users, columnCount: notes, rows: rows, columns: columns, values: values)
  }

  /// The dense normal equations of every row, solved in Double.
  static func bruteForce(fixed: Matrix, interactions: SparseRows, settings: LeastSquaresSettings) -> [[Double]] {
    let k = fixed.rows
    return (0..<interactions.rowCount).map { u in
      var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
      var b = [Double](repeating: 0, count: k)
      var confidence = [Double](repeating: Double(settings.unobservedWeight), count: fixed.columns)
      var observed = Set<Int>()
      for e in interactions.range(ofRow: u) {
        let i = Int(interactions.indices[e])
        confidence[i] = 1 + Double(settings.confidenceScale) * Double(interactions.values[e])
        observed.insert(i)
      }
      for i in 0..<fixed.columns {
        for r in 0..<k {
          for c in 0..<k { a[r][c] += confidence[i] * Double(fixed[r, i]) * Double(fixed[c, i]) }
          if observed.contains(i) { b[r] += confidence[i] * Double(fixed[r, i]) }
        }
      }
      let lambda = Double(settings.regularization(observed: observed.count, fixedCount: fixed.columns))
      for r in 0..<k { a[r][r] += lambda }
      return observed.isEmpty ? [Double](repeating: 0, count: k) : denseSolve(a, b)
    }
  }

  @Test(arguments: [
    (3, Float(1), Float(0)), (5, Float(0.3), Float(1)), (1, Float(1), Float(0.5)), (8, Float(2), Float(0)),
  ])
  func halfSweepMatchesDenseSolve(factors: Int, unobservedWeight: Float, exponent: Float) throws {
    let interactions = Self.tinyProblem(users: 9, notes: 7, seed: UInt64(factors))
    var rng = TestRandom(seed: 7)
    let fixed = Matrix(rows: factors, columns: 7, storage: (0..<(factors * 7)).map { _ in rng.normal() })
    for steps in [nil, 60] as [Int?] {
      let settings = LeastSquaresSettings(confidenceScale: 2, unobservedWeight: unobservedWeight, regularization: 0.1,
                                          regularizationExponent: exponent, conjugateGradientSteps: steps, threads: 2)
      var targets = Matrix(rows: factors, columns: 9, storage: (0..<(factors * 9)).map { _ in 0.01 * rng.uniform() })
      try ImplicitLeastSquares.solve(targets: &targets, fixed: fixed, interactions: interactions, settings: settings)
      let expected = Self.bruteForce(fixed: fixed, interactions: interactions, settings: settings)
      let tolerance: Double = steps == nil ? 2e-4 : 2e-3
      for u in 0..<9 {
        for f in 0..<factors {
          let got = Double(targets[f, u]), want = expected[u][f]
          #expect(abs(got - want) <= tolerance * max(1, abs(want)), "row \(u) factor \(f) solver \(String(describing: steps)): \(got) vs \(want)")
        }
      }
    }
  }

  /// Rows too heavy for a worker's gathered panel are streamed in chunks; both paths must agree
  /// with the dense solve.
  @Test func heavyRowsMatchDenseSolve() throws {
    let columns = 12_000
    var rng = TestRandom(seed: 31)
    var rows: [Int32] = [], indices: [Int32] = [], values: [Float] = []
    for (row, count) in [(0, 9_000), (1, 5), (2, 8_000), (3, 11_000)] {
      var chosen = Set<Int32>()
      while chosen.count < count { chosen.insert(Int32(rng.next() % UInt64(columns))) }
      for column in chosen {
        rows.append(Int32(row)); indices.append(column); values.append(1 + 2 * rng.uniform())
      }
    }
    let interactions = SparseRows(rowCount: 4, columnCount: columns, rows: rows, columns: indices, values: values)
    let factors = 3
    let fixed = Matrix(rows: factors, columns: columns, storage: (0..<(factors * columns)).map { _ in 0.1 * rng.normal() })
    for steps in [nil, 40] as [Int?] {
      let settings = LeastSquaresSettings(confidenceScale: 0.5, unobservedWeight: 0.8, regularization: 0.3,
                                          regularizationExponent: 0.3, conjugateGradientSteps: steps, threads: 2)
      var targets = Matrix(rows: factors, columns: 4)
      try ImplicitLeastSquares.solve(targets: &targets, fixed: fixed, interactions: interactions, settings: settings)
      let expected = Self.bruteForce(fixed: fixed, interactions: interactions, settings: settings)
      for u in 0..<4 {
        for f in 0..<factors {
          let got = Double(targets[f, u]), want = expected[u][f]
          // Tight: dropping even one entry of the 9,000 in a streamed row moves the solution more.
          #expect(abs(got - want) <= 2e-5 * max(1, abs(want)), "row \(u) factor \(f) solver \(String(describing: steps)): \(got) vs \(want)")
        }
      }
    }
  }

  @Test func emptyRowsGetZeroVectors() throws {
    let interactions = SparseRows(rowCount: 3, columnCount: 2, rows: [0], columns: [1], values: [1])
    let fixed = Matrix(rows: 2, columns: 2, storage: [1, 0, 0, 1])
    var targets = Matrix(rows: 2, columns: 3, storage: [Float](repeating: 0.5, count: 6))
    for steps in [nil, 3] as [Int?] {
      let settings = LeastSquaresSettings(confidenceScale: 1, unobservedWeight: 1, regularization: 0.1,
                                          regularizationExponent: 0, conjugateGradientSteps: steps, threads: 1)
      try ImplicitLeastSquares.solve(targets: &targets, fixed: fixed, interactions: interactions, settings: settings)
      #expect(targets.column(1) == [0, 0] && targets.column(2) == [0, 0])
      #expect(targets[1, 0] > 0.5)
    }
  }

  @Test func choleskyLossNeverIncreases() throws {
    let (train, _) = plantedData(users: 120, notes: 80, perUser: 12, rank: 4, seed: 3)
    var configuration = ALSConfiguration()
    configuration.factors = 8
    configuration.iterations = 12
    configuration.solver = .cholesky
    configuration.computeLoss = true
    configuration.regularizationExponent = 0.5
    configuration.unobservedWeight = 0.5
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(train))
    let losses = model.provenance.lossHistory
    #expect(losses.count == 12)
    for (before, after) in zip(losses, losses.dropFirst()) {
      #expect(after <= before * (1 + 1e-5), "loss rose from \(before) to \(after)")
    }
    #expect(losses.last! < losses.first!)
  }

  @Test func conjugateGradientLossDecreasesOverall() throws {
    let (train, _) = plantedData(users: 120, notes: 80, perUser: 12, rank: 4, seed: 4)
    var configuration = ALSConfiguration()
    configuration.factors = 8
    configuration.regularization = 0.1
    configuration.alpha = 1
    configuration.iterations = 10
    configuration.computeLoss = true
    let losses = try ImplicitALS(configuration).train(on: InteractionMatrix(train)).provenance.lossHistory
    #expect(losses.last! < losses.first! * 0.9)
  }

  /// Held-out hit rate of ALS must be far above popularity's on planted low-rank data.
  @Test func recoversPlantedStructure() throws {
    let (train, test) = plantedData(users: 400, notes: 300, perUser: 25, rank: 4, seed: 11)
    var configuration = ALSConfiguration()
    configuration.factors = 16
    configuration.iterations = 10
    configuration.regularization = 1
    let matrix = InteractionMatrix(train)
    let model = try ImplicitALS(configuration).train(on: matrix)
    var popularity = [String: Int]()
    for i in 0..<matrix.notes.count { popularity[matrix.notes[i]] = matrix.byNote.count(ofRow: i) }
    var alsHits = 0, popularityHits = 0
    for (user, heldOut) in test {
      let feed = try model.recommendations(for: user, count: 10).map(\.note)
      alsHits += feed.filter(heldOut.contains).count
      let seen = Set(model.seenNotes(of: user).map(\.note))
      let popular = popularity.filter { !seen.contains($0.key) }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10).map(\.key)
      popularityHits += popular.filter(heldOut.contains).count
    }
    #expect(Double(alsHits) > 1.5 * Double(popularityHits), "ALS hits \(alsHits), popularity hits \(popularityHits)")
  }

  @Test func sameSeedIsBitwiseReproducibleAcrossThreadCounts() throws {
    let (train, _) = plantedData(users: 300, notes: 100, perUser: 10, rank: 3, seed: 5)
    let matrix = InteractionMatrix(train)
    var configuration = ALSConfiguration()
    configuration.factors = 12
    configuration.iterations = 4
    configuration.threads = 1
    let first = try ImplicitALS(configuration).train(on: matrix)
    configuration.threads = 2
    let second = try ImplicitALS(configuration).train(on: matrix)
    #expect(first.contents.userFactors.storage.map(\.bitPattern) == second.contents.userFactors.storage.map(\.bitPattern))
    #expect(first.contents.noteFactors.storage.map(\.bitPattern) == second.contents.noteFactors.storage.map(\.bitPattern))
    configuration.seed = 99
    let third = try ImplicitALS(configuration).train(on: matrix)
    #expect(third.contents.userFactors.storage != first.contents.userFactors.storage)
  }

  @Test func overflowingConfidenceIsRejectedUpFront() throws {
    var log = Interactions()
    try log.append(user: "a", note: "x", weight: 3e38)
    try log.append(user: "b", note: "y", weight: 1)
    var configuration = ALSConfiguration()
    configuration.factors = 2
    configuration.alpha = 100
    #expect {
      _ = try ImplicitALS(configuration).train(on: InteractionMatrix(log))
    } throws: { error in
      (error as? ZhongcaoError)?.code == .invalidArgument && "\(error)".contains("overflows")
    }
  }

  /// Confidences near Float's limit make the systems overflow inside the solver: both solvers
  /// must report divergence instead of returning stale or NaN factors.
  @Test(arguments: [ALSConfiguration.Solver.conjugateGradient, .cholesky])
  func divergenceIsReportedNotReturned(solver: ALSConfiguration.Solver) throws {
    var log = Interactions()
    for u in 0..<4 { for i in 0..<3 { try log.append(user: "u\(u)", note: "n\(i)", weight: u == 0 ? 1e37 : 1) } }
    var configuration = ALSConfiguration()
    configuration.factors = 2
    configuration.alpha = 30
    configuration.solver = solver
    #expect {
      _ = try ImplicitALS(configuration).train(on: InteractionMatrix(log))
    } throws: { error in
      guard let error = error as? ZhongcaoError else { return false }
      return error.code == .trainingFailed && error.message.contains("iteration 1")
    }
  }

  @Test func badHyperParametersAreRejected() {
    var configuration = ALSConfiguration()
    configuration.factors = 0
    #expect(throws: ZhongcaoError.self) { try configuration.validate() }
    configuration = ALSConfiguration()
    configuration.regularization = .nan
    #expect(throws: ZhongcaoError.self) { try configuration.validate() }
    configuration = ALSConfiguration()
    configuration.regularization = 0
    configuration.unobservedWeight = 0
    #expect(throws: ZhongcaoError.self) { try configuration.validate() }
  }
}
