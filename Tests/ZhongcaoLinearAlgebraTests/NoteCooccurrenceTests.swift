import Testing
@testable import ZhongcaoLinearAlgebra

/// SplitMix64, local to this test target.
private struct Generator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// A random user × note matrix with about `density` of the pairs present and weights in
/// [0.5, 4); one user is much heavier than the rest (the n_u² case).
private func randomInteractions(users: Int, notes: Int, density: Double, seed: UInt64) -> (byUser: SparseRows, byNote: SparseRows) {
  var random = Generator(state: seed)
  var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
  for u in 0..<users {
    let p = u == 0 ? min(1, density * 5) : density
    for i in 0..<notes where random.uniform() < p {
      rows.append(Int32(u))
      columns.append(Int32(i))
      values.append(Float(0.5 + 3.5 * random.uniform()))
    }
  }
  let byUser = SparseRows(rowCount: users, columnCount: notes, rows: rows, columns: columns, values: values)
  return (byUser, byUser.transposed())
}

/// The dense matrix X (users × notes) in Double.
private func dense(_ byUser: SparseRows, binary: Bool) -> [[Double]] {
  var x = [[Double]](repeating: [Double](repeating: 0, count: byUser.columnCount), count: byUser.rowCount)
  for u in 0..<byUser.rowCount {
    for e in byUser.range(ofRow: u) { x[u][Int(byUser.indices[e])] = binary ? 1 : Double(byUser.values[e]) }
  }
  return x
}

@Suite struct NoteCooccurrenceTests {
  @Test(arguments: [(0, 0), (1, 1), (3, 1), (7, 5), (40, 23), (120, 70)])
  func gramMatchesNaiveAndIsThreadIndependent(shape: (Int, Int)) {
    let (users, notes) = shape
    let (byUser, byNote) = randomInteractions(users: users, notes: notes, density: 0.2, seed: UInt64(users * 31 + notes))
    for binary in [true, false] {
      let x = dense(byUser, binary: binary)
      let one = NoteCooccurrence.gram(byUser: byUser, byNote: byNote, binary: binary, triangle: .full, threads: 1)
      let two = NoteCooccurrence.gram(byUser: byUser, byNote: byNote, binary: binary, triangle: .full, threads: 2)
      let upper = NoteCooccurrence.gram(byUser: byUser, byNote: byNote, binary: binary, triangle: .upper, threads: 2)
      #expect(one.rows == notes && one.columns == notes)
      #expect(one.storage == two.storage, "the Gram matrix depends on the thread count")
      for i in 0..<notes {
        for j in 0..<notes {
          var want = 0.0
          for u in 0..<users { want += x[u][i] * x[u][j] }
          #expect(abs(Double(one[i, j]) - want) <= 1e-6 * max(1, want), "G[\(i), \(j)] = \(one[i, j]), want \(want)")
          if binary { #expect(Double(one[i, j]) == want) }
          #expect(upper[i, j] == (i <= j ? one[i, j] : 0), "upper G[\(i), \(j)]")
        }
      }
    }
  }

  @Test func easeWeightsScaleRowsAndZeroTheDiagonal() {
    // P = [[2, 1, 0], [1, 4, -2], [0, -2, 5]]
    var p = Matrix(rows: 3, columns: 3, storage: [2, 1, 0, 1, 4, -2, 0, -2, 5])
    #expect(NoteCooccurrence.easeWeights(fromInverse: &p, threads: 2))
    // W[i, j] = −P_ij / P_ii
    let want: [[Float]] = [[0, -0.5, 0], [-0.25, 0, 0.5], [0, 0.4, 0]]
    for i in 0..<3 { for j in 0..<3 { #expect(abs(p[i, j] - want[i][j]) < 1e-7, "W[\(i), \(j)]") } }
    var bad = Matrix(rows: 2, columns: 2, storage: [1, 0, 0, 0])
    #expect(!NoteCooccurrence.easeWeights(fromInverse: &bad, threads: 1))
    #expect(bad.storage == [1, 0, 0, 0])
  }

  /// All-pairs shrunk cosine in Double, then top-k by (Float score desc, index asc).
  private func bruteForceNeighbours(_ byUser: SparseRows, shrinkage: Float, count: Int) -> [[(Int32, Float)]] {
    let x = dense(byUser, binary: false)
    let notes = byUser.columnCount
    var norms = [Double](repeating: 0, count: notes)
    for i in 0..<notes {
      var sum = 0.0
      for u in 0..<byUser.rowCount { sum += x[u][i] * x[u][i] }
      norms[i] = sum.squareRoot()
    }
    return (0..<notes).map { i in
      var candidates: [(Int32, Float)] = []
      for j in 0..<notes where j != i {
        var dot = 0.0
        for u in 0..<byUser.rowCount { dot += x[u][i] * x[u][j] }
        let denominator = norms[i] * norms[j] + Double(shrinkage)
        guard denominator > 0 else { continue }
        let score = Float(dot / denominator)
        if score > 0 { candidates.append((Int32(j), score)) }
      }
      candidates.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
      return Array(candidates.prefix(count)).sorted { $0.0 < $1.0 }
    }
  }

  @Test(arguments: [(1, Float(0)), (3, Float(0)), (3, Float(2)), (100, Float(0.5))])
  func neighboursMatchBruteForceAndAreThreadIndependent(setting: (Int, Float)) {
    let (count, shrinkage) = setting
    // Binary-like values (all 1) make exact ties common, so the tie rule is exercised.
    for (seed, binary) in [(UInt64(5), true), (6, false), (7, true)] {
      var (byUser, _) = randomInteractions(users: 30, notes: 17, density: 0.25, seed: seed)
      if binary {
        byUser = SparseRows(rowCount: byUser.rowCount, columnCount: byUser.columnCount, offsets: byUser.offsets,
                            indices: byUser.indices, values: MappableArray(repeating: 1, count: byUser.entryCount))
      }
      let byNote = byUser.transposed()
      let one = NoteCooccurrence.neighbours(byNote: byNote, byUser: byUser, shrinkage: shrinkage, count: count, threads: 1)
      let two = NoteCooccurrence.neighbours(byNote: byNote, byUser: byUser, shrinkage: shrinkage, count: count, threads: 2)
      #expect(one == two, "neighbours depend on the thread count")
      let want = bruteForceNeighbours(byUser, shrinkage: shrinkage, count: count)
      for i in 0..<17 {
        let got = one.range(ofRow: i).map { (one.indices[$0], one.values[$0]) }
        #expect(got.map(\.0) == want[i].map(\.0), "note \(i): neighbours \(got.map(\.0)), want \(want[i].map(\.0))")
        #expect(got.map(\.1) == want[i].map(\.1), "note \(i): scores differ")
      }
    }
  }

  @Test func neighboursOfAnEmptyMatrix() {
    let empty = SparseRows(rowCount: 0, columnCount: 0, offsets: [0], indices: [], values: [])
    let result = NoteCooccurrence.neighbours(byNote: empty, byUser: empty, shrinkage: 0, count: 5, threads: 2)
    #expect(result.rowCount == 0 && result.entryCount == 0)
    let lonely = SparseRows(rowCount: 2, columnCount: 3, rows: [0, 1], columns: [0, 2], values: [1, 1])
    let none = NoteCooccurrence.neighbours(byNote: lonely.transposed(), byUser: lonely, shrinkage: 0, count: 5, threads: 2)
    #expect(none.rowCount == 3 && none.entryCount == 0)
  }
}

@Suite struct SymmetricInverseTests {
  /// A random SPD matrix `MᵀM + shift·I` (upper triangle only filled, like the EASE Gram).
  private func randomPositiveDefinite(_ n: Int, seed: UInt64, shift: Float) -> Matrix {
    var random = Generator(state: seed)
    let m = Matrix(rows: n + 4, columns: n, storage: (0..<((n + 4) * n)).map { _ in Float(random.uniform() - 0.5) })
    var a = BLAS.product(m, m, transposingLeft: true)
    for i in 0..<n { a[i, i] += shift }
    for j in 0..<n { for i in (j + 1)..<max(n, j + 1) { a[i, j] = 0 } }
    return a
  }

  @Test(arguments: [(0, 4), (1, 1), (5, 2), (13, 4), (37, 8), (64, 64), (100, 256), (300, 64)])
  func matchesLAPACKAndIsThreadIndependent(shape: (Int, Int)) {
    let (n, blockSize) = shape
    let a = randomPositiveDefinite(n, seed: UInt64(n), shift: 0.5)
    var reference = a
    #expect(LAPACK.invertPositiveDefinite(&reference))
    var one = a, two = a
    #expect(SymmetricInverse.invertPositiveDefinite(&one, threads: 1, blockSize: blockSize))
    #expect(SymmetricInverse.invertPositiveDefinite(&two, threads: 2, blockSize: blockSize))
    #expect(one.storage == two.storage, "the inverse depends on the thread count")
    var largest: Float = 0
    for value in reference.storage { largest = max(largest, abs(value)) }
    for i in 0..<n {
      for j in 0..<n {
        #expect(abs(one[i, j] - reference[i, j]) <= 1e-4 * largest, "P[\(i), \(j)] = \(one[i, j]), LAPACK \(reference[i, j])")
        #expect(one[i, j] == one[j, i])
      }
    }
    // A·P ≈ I (with the full symmetric A).
    var full = a
    for j in 0..<n { for i in (j + 1)..<max(n, j + 1) { full[i, j] = full[j, i] } }
    let identity = BLAS.product(full, one)
    for i in 0..<n { for j in 0..<n { #expect(abs(identity[i, j] - (i == j ? 1 : 0)) < 1e-3) } }
  }

  @Test(arguments: [1, 3, 8])
  func refusesAMatrixThatIsNotPositiveDefinite(blockSize: Int) {
    var a = randomPositiveDefinite(10, seed: 3, shift: 0.5)
    a[6, 6] = -50
    #expect(!SymmetricInverse.invertPositiveDefinite(&a, threads: 2, blockSize: blockSize))
  }
}
