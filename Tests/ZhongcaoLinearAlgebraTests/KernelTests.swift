import Testing
@testable import ZhongcaoLinearAlgebra

private struct Random {
  var state: UInt64
  mutating func next() -> Float {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Float((z ^ (z >> 31)) >> 40) / Float(1 << 24) - 0.5
  }
  mutating func matrix(_ rows: Int, _ columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in next() })
  }
}

@Suite struct KernelTests {
  @Test(arguments: [(1, 1, 1), (3, 5, 7), (64, 64, 64), (37, 128, 19), (0, 4, 3), (5, 0, 2)])
  func productMatchesNaiveLoops(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var random = Random(state: UInt64(m * 100 + n * 10 + k))
    let a = random.matrix(m, k), b = random.matrix(k, n)
    let c = BLAS.product(a, b)
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for l in 0..<k { sum += Double(a[i, l]) * Double(b[l, j]) }
        #expect(abs(Double(c[i, j]) - sum) < 1e-4)
      }
    }
    // Transposed variants agree with explicit transposes.
    let at = Matrix(rows: k, columns: m, storage: (0..<(k * m)).map { a[$0 / k, $0 % k] })
    #expect(zip(BLAS.product(at, b, transposingLeft: true).storage, c.storage).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test(arguments: [0, 1, 5, 8191, 8192, 20000])
  func gramMatchesNaiveAndIsSymmetric(columns: Int) {
    var random = Random(state: UInt64(columns) + 3)
    let factors = random.matrix(6, columns)
    let gram = factors.gram()
    for r in 0..<6 {
      for c in 0..<6 {
        var sum = 0.0
        for j in 0..<columns { sum += Double(factors[r, j]) * Double(factors[c, j]) }
        #expect(abs(Double(gram[r, c]) - sum) < 1e-3 * max(1, abs(sum)))
        #expect(gram[r, c] == gram[c, r])
      }
    }
  }

  @Test(arguments: [1, 5, 64, 128])
  func positiveDefiniteSolveRecoversSolution(size: Int) {
    var random = Random(state: UInt64(size))
    let base = random.matrix(size, size + 3)
    var a = base.gram()
    for i in 0..<size { a[i, i] += 0.5 }
    let x = (0..<size).map { _ in random.next() }
    let b = BLAS.product(a, vector: x)
    let solved = LAPACK.solve(a, b)!
    #expect(zip(solved, x).allSatisfy { abs($0 - $1) < 2e-3 })
    var inverse = a
    #expect(LAPACK.invertPositiveDefinite(&inverse))
    let identity = BLAS.product(a, inverse)
    for i in 0..<size { for j in 0..<size { #expect(abs(identity[i, j] - (i == j ? 1 : 0)) < 5e-3) } }
  }

  @Test func notPositiveDefiniteIsReported() {
    let a = Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 1])
    #expect(LAPACK.solve(a, [1, 1]) == nil)
  }

  @Test func sparseRowsSumDuplicatesSortAndTranspose() {
    let matrix = SparseRows(rowCount: 3, columnCount: 4, rows: [2, 0, 2, 0, 2, 1], columns: [3, 1, 0, 1, 3, 2],
                            values: [1, 2, 3, 4, 5, 6])
    #expect(matrix.offsets == [0, 1, 2, 4])
    #expect(matrix.indices == [1, 2, 0, 3])
    #expect(matrix.values == [6, 6, 3, 6])
    let transposed = matrix.transposed()
    #expect(transposed.rowCount == 4 && transposed.columnCount == 3)
    #expect(transposed.offsets == [0, 1, 2, 3, 4])
    #expect(transposed.indices == [2, 0, 1, 2])
    #expect(transposed.transposed() == matrix)
  }

  @Test func workerPoolVisitsEveryChunkOnce() {
    let counts = UncheckedSendable(UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000))
    counts.value.initialize(repeating: 0)
    defer { counts.value.deallocate() }
    WorkerPool.forEachChunk(threads: 4, chunkCount: 1000) { _, chunk in counts.value[chunk] += 1 }
    #expect(counts.value.allSatisfy { $0 == 1 })
  }

  /// Shared scores (popularity) take a fast path; it must equal a full sort with the same
  /// filters, ties going to the lower index.
  @Test(arguments: [0, 1, 5, 40, 100])
  func constantScoresMatchAFullSort(count: Int) {
    var random = Random(state: UInt64(count) + 7)
    let itemCount = 60, queryCount = 9
    let scores = (0..<itemCount).map { _ in (random.next() * 8).rounded() }   // many ties
    var rows: [Int32] = [], columns: [Int32] = []
    for q in 0..<queryCount {
      for i in 0..<itemCount where random.next() > 0.2 { rows.append(Int32(q)); columns.append(Int32(i)) }
    }
    let seen = SparseRows(rowCount: queryCount, columnCount: itemCount, rows: rows, columns: columns,
                          values: Array(repeating: 1, count: rows.count))
    let excludedForAll: [Int32] = [0, 3, 17, 59]
    for allowed in [nil, Array(stride(from: Int32(1), to: Int32(itemCount), by: 2))] as [[Int32]?] {
      let filter = CandidateFilter(excludedPerQuery: seen, excludedForAll: excludedForAll, allowed: allowed)
      let queries = [4, 0, 8, 2]
      let selected = TopK.select(source: .constant(scores), queryColumns: queries, count: count, filter: filter, threads: 2)
      for (j, q) in queries.enumerated() {
        let excluded = Set(seen.indices[seen.range(ofRow: q)]).union(excludedForAll)
        let expected = (0..<Int32(itemCount))
          .filter { !excluded.contains($0) && (allowed?.contains($0) ?? true) }
          .map { ScoredIndex(index: $0, score: scores[Int($0)]) }
          .sorted { $0.ranksAbove($1) }
          .prefix(count)
        #expect(selected[j] == Array(expected))
      }
    }
  }
}
