import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

/// A random interaction matrix: each pair present with probability `density`, weights in
/// {0.5, 1, …, 4}, repeated events summed; every note has at least one user.
func randomInteractionMatrix(users: Int, notes: Int, density: Float, seed: UInt64) throws -> InteractionMatrix {
  var random = TestRandom(seed: seed)
  var log = Interactions()
  for i in 0..<notes { try log.append(user: "u\(Int(random.next() % UInt64(users)))", note: "n\(i)", weight: 1) }
  for u in 0..<users {
    for i in 0..<notes where random.uniform() < density {
      try log.append(user: "u\(u)", note: "n\(i)", weight: 0.5 * Float(1 + random.next() % 8))
    }
  }
  return InteractionMatrix(log)
}

/// `X` of a matrix as dense Double rows (users × notes).
func denseInteractions(_ matrix: InteractionMatrix, binary: Bool) -> [[Double]] {
  let byUser = matrix.byUser
  var x = [[Double]](repeating: [Double](repeating: 0, count: byUser.columnCount), count: byUser.rowCount)
  for u in 0..<byUser.rowCount {
    for e in byUser.range(ofRow: u) { x[u][Int(byUser.indices[e])] = binary ? 1 : Double(byUser.values[e]) }
  }
  return x
}

/// Inverts a dense matrix in Double by Gauss–Jordan elimination with partial pivoting.
func gaussJordanInverse(_ matrix: [[Double]]) -> [[Double]] {
  let n = matrix.count
  var a = matrix
  var inverse = (0..<n).map { r in (0..<n).map { c in r == c ? 1.0 : 0.0 } }
  for column in 0..<n {
    let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
    a.swapAt(column, pivot)
    inverse.swapAt(column, pivot)
    let scale = a[column][column]
    for c in 0..<n {
      a[column][c] /= scale
      inverse[column][c] /= scale
    }
    for row in 0..<n where row != column {
      let factor = a[row][column]
      if factor == 0 { continue }
      for c in 0..<n {
        a[row][c] -= factor * a[column][c]
        inverse[row][c] -= factor * inverse[column][c]
      }
    }
  }
  return inverse
}

@Suite struct EASETests {
  /// Steck's B in Double: G = XᵀX + λI, P = G⁻¹, B_ij = −P_ij / P_jj, B_jj = 0.
  static func referenceWeights(_ matrix: InteractionMatrix, binary: Bool, regularization: Double) -> [[Double]] {
    let x = denseInteractions(matrix, binary: binary)
    let n = matrix.notes.count
    var gram = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for row in x {
      for i in 0..<n where row[i] != 0 { for j in 0..<n { gram[i][j] += row[i] * row[j] } }
    }
    for i in 0..<n { gram[i][i] += regularization }
    let p = gaussJordanInverse(gram)
    return (0..<n).map { i in (0..<n).map { j in i == j ? 0 : -p[i][j] / p[j][j] } }
  }

  /// Trains on a random matrix and returns the largest error of `W` against the reference, both
  /// entry by entry relative to |B_ji| (floored at 10⁻⁴·max|B|) and relative to max|B|.
  static func errors(users: Int, notes: Int, lambda: Float, binary: Bool) throws -> (entrywise: Double, normwise: Double) {
    let matrix = try randomInteractionMatrix(users: users, notes: notes, density: 0.35, seed: UInt64(users * 1000 + notes))
    var configuration = EASEConfiguration()
    configuration.regularization = lambda
    configuration.binary = binary
    configuration.threads = 2
    let weights = try configuration.noteWeights(for: matrix)
    #expect(weights.rows == notes && weights.columns == notes)
    let want = Self.referenceWeights(matrix, binary: binary, regularization: Double(lambda))
    var largest = 0.0
    for row in want { for value in row { largest = max(largest, abs(value)) } }
    var entrywise = 0.0, normwise = 0.0
    for i in 0..<notes {
      for j in 0..<notes {
        // Column j of W is row j of B.
        let error = abs(Double(weights.storage[j * notes + i]) - want[j][i])
        entrywise = max(entrywise, error / (abs(want[j][i]) + 1e-4 * largest))
        normwise = max(normwise, error / largest)
      }
    }
    return (entrywise, normwise)
  }

  @Test(arguments: [(7, 5, Float(0.5)), (7, 5, Float(4)), (7, 5, Float(500)), (12, 1, Float(2)), (9, 6, Float(1))])
  func matchesDenseReferenceSolve(shape: (Int, Int, Float)) throws {
    let (users, notes, lambda) = shape
    for binary in [true, false] {
      let (entrywise, _) = try Self.errors(users: users, notes: notes, lambda: lambda, binary: binary)
      #expect(entrywise <= 1e-3, "λ \(lambda), binary \(binary): worst relative error \(entrywise)")
    }
  }

  /// 270 notes span two blocks of the inverse; X has rank ≤ 60, so with a small λ G is far from
  /// the identity (κ in the thousands) and small entries of B carry Float32 noise of order
  /// κ·2⁻²⁴ relative to the largest, as with LAPACK: compare normwise.
  @Test(arguments: [Float(3), Float(300)])
  func matchesDenseReferenceAcrossBlocks(lambda: Float) throws {
    for binary in [true, false] {
      let (_, normwise) = try Self.errors(users: 60, notes: 270, lambda: lambda, binary: binary)
      #expect(normwise <= 1e-3, "λ \(lambda), binary \(binary): worst error \(normwise) of max |B|")
    }
  }

  @Test func diagonalIsZeroAndResultIsThreadIndependent() throws {
    let matrix = try randomInteractionMatrix(users: 40, notes: 30, density: 0.3, seed: 11)
    var configuration = EASEConfiguration()
    configuration.regularization = 1
    configuration.threads = 1
    let one = try configuration.noteWeights(for: matrix)
    configuration.threads = 2
    let two = try configuration.noteWeights(for: matrix)
    #expect(one.storage == two.storage)
    for j in 0..<30 { #expect(one[j, j] == 0) }
    #expect(one.storage.contains { $0 != 0 })
  }

  @Test func refusesWhenTheMatricesExceedTheMemoryLimit() throws {
    let matrix = try randomInteractionMatrix(users: 7, notes: 5, density: 0.4, seed: 3)
    var configuration = EASEConfiguration()
    configuration.maximumBytes = 1000
    configuration.threads = 1
    #expect(EASEConfiguration.requiredBytes(noteCount: 5, threads: 1) > 1000)
    do {
      _ = try configuration.noteWeights(for: matrix)
      Issue.record("EASE trained despite a 1000-byte limit")
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(error.message.hasPrefix("EASE needs about 0.00 GiB for 5 notes"), "\(error.message)")
      #expect(error.message.contains("the limit is 0.00 GiB — use ALS or item-kNN, or raise maximumBytes"), "\(error.message)")
    }
    // 20,000 notes need about 1.5 GiB: refused at 1 GiB, accepted (by the check) at 2 GiB.
    let twenty = EASEConfiguration.requiredBytes(noteCount: 20_000, threads: 2)
    #expect(twenty > Double(1 << 30) && twenty < Double(2 << 30))
  }

  @Test func refusesEmptyMatricesAndBadSettings() throws {
    do {
      _ = try EASEConfiguration().noteWeights(for: InteractionMatrix(Interactions()))
      Issue.record("EASE trained on an empty matrix")
    } catch {
      #expect(error.code == .invalidArgument && error.message == "cannot train on an empty matrix")
    }
    var configuration = EASEConfiguration()
    configuration.regularization = 0
    let matrix = try randomInteractionMatrix(users: 3, notes: 2, density: 0.5, seed: 1)
    #expect(throws: ZhongcaoError.self) { try configuration.noteWeights(for: matrix) }
  }

  @Test func overflowingWeightsFailTraining() throws {
    var log = Interactions()
    try log.append(user: "a", note: "x", weight: 3e38)
    try log.append(user: "a", note: "y", weight: 3e38)
    var configuration = EASEConfiguration()
    configuration.binary = false
    do {
      _ = try configuration.noteWeights(for: InteractionMatrix(log))
      Issue.record("EASE trained on a Gram matrix that overflows")
    } catch {
      #expect(error.code == .trainingFailed, "\(error)")
    }
  }
}
