import HeapModule

/// An item index with its score.
package struct ScoredIndex: Sendable, Equatable {
  /// The item (note) index.
  package var index: Int32
  /// Its score.
  package var score: Float

  package init(index: Int32, score: Float) {
    self.index = index
    self.score = score
  }

  /// The ranking order: higher score first, ties broken by lower index, so results are
  /// deterministic and equal to a full sort.
  @inline(__always) package func ranksAbove(_ other: ScoredIndex) -> Bool {
    score > other.score || (score == other.score && index < other.index)
  }
}

/// Heap element whose minimum is the worst kept candidate.
private struct Candidate: Comparable {
  var item: ScoredIndex
  static func < (lhs: Candidate, rhs: Candidate) -> Bool { rhs.item.ranksAbove(lhs.item) }
  static func == (lhs: Candidate, rhs: Candidate) -> Bool { lhs.item == rhs.item }
}

/// What a top-K query may return.
package struct CandidateFilter: Sendable {
  /// Row `c` lists (sorted) the items excluded for the query whose column is `c` (e.g. seen notes).
  package var excludedPerQuery: SparseRows?
  /// Items excluded for every query, sorted ascending and unique.
  package var excludedForAll: [Int32]
  /// When set, only these items (sorted ascending, unique) are candidates.
  package var allowed: [Int32]?

  package init(excludedPerQuery: SparseRows? = nil, excludedForAll: [Int32] = [], allowed: [Int32]? = nil) {
    self.excludedPerQuery = excludedPerQuery
    self.excludedForAll = excludedForAll
    self.allowed = allowed
  }
}

/// Where scores come from. Queries are columns of `queries` (factors) or rows of `rows` (the
/// note-to-note kinds, whose query is a user's weighted notes `x_u`).
package enum ScoreSource: Sendable {
  /// `score(q, i) = queries[:, q] · items[:, i]`.
  case factors(queries: Matrix, items: Matrix)
  /// `score(q, i) = Σ_j x_qj · weights[i, j]`: column `j` of `weights` holds the weights from
  /// note `j`; `x_qj` is the entry of `rows` (1 when `binary`).
  case noteWeights(rows: SparseRows, binary: Bool, weights: Matrix)
  /// `score(q, i) = Σ_j x_qj · neighbours[j, i]` with sparse neighbour rows.
  case noteNeighbours(rows: SparseRows, binary: Bool, neighbours: SparseRows)
  /// `score(q, i) = scores[i]` for every query.
  case constant([Float])

  /// Number of items scored.
  var itemCount: Int {
    switch self {
    case .factors(_, let items): items.columns
    case .noteWeights(_, _, let weights): weights.columns
    case .noteNeighbours(_, _, let neighbours): neighbours.columnCount
    case .constant(let scores): scores.count
    }
  }

  /// Writes the scores of query row `q` over all items (not for `.factors`).
  func scoreRow(_ q: Int, into scores: UnsafeMutablePointer<Float>) {
    let itemCount = self.itemCount
    switch self {
    case .factors:
      preconditionFailure("factor scores are computed by blocked GEMM")
    case .constant(let values):
      values.withUnsafeBufferPointer { scores.update(from: $0.baseAddress!, count: itemCount) }
    case .noteWeights(let rows, let binary, let weights):
      scores.update(repeating: 0, count: itemCount)
      weights.storage.withUnsafeBufferPointer { w in
        for e in rows.range(ofRow: q) {
          let x = binary ? 1 : rows.values[e]
          let column = w.baseAddress! + Int(rows.indices[e]) * itemCount
          for i in 0..<itemCount { scores[i] += x * column[i] }
        }
      }
    case .noteNeighbours(let rows, let binary, let neighbours):
      scores.update(repeating: 0, count: itemCount)
      for e in rows.range(ofRow: q) {
        let x = binary ? 1 : rows.values[e]
        for n in neighbours.range(ofRow: Int(rows.indices[e])) {
          scores[Int(neighbours.indices[n])] += x * neighbours.values[n]
        }
      }
    }
  }
}

/// The running top-K of one query: a bounded heap whose minimum is the worst kept candidate.
private struct Selection {
  var heap = Heap<Candidate>()
  /// The worst kept candidate once the heap is full; every later candidate must rank above it.
  var worst = ScoredIndex(index: Int32.max, score: -.infinity)
  var isFull = false

  /// Empties the heap into a best-first list.
  mutating func ranked() -> [ScoredIndex] {
    var result = [ScoredIndex]()
    result.reserveCapacity(heap.count)
    while let best = heap.popMax() { result.append(best.item) }
    return result
  }

  mutating func reset(count: Int) {
    heap = Heap<Candidate>()
    heap.reserveCapacity(count + 1)
    worst = ScoredIndex(index: Int32.max, score: -.infinity)
    isFull = count == 0
  }
}

/// Batched top-K scoring: blocks of up to 64 queries are scored against tiles of items with one
/// GEMM per tile (the tile of scores stays in cache), and each query keeps a bounded heap. The
/// scan compares each score with the query's current threshold; only the rare scores that
/// reach it are checked against the sorted exclusion lists (by binary search) and the heap.
package enum TopK {
  /// Items per tile: a tile of scores for a full block is `tileItems × 64` floats (1 MiB).
  static let tileItems = 4096
  /// Queries per block.
  static let blockQueries = 64

  /// The best `count` items for each query `queryColumns[j]` of `source`, best first; ties go
  /// to the lower item index, so the result equals a full sort.
  package static func select(
    source: ScoreSource, queryColumns: [Int], count: Int, filter: CandidateFilter = CandidateFilter(), threads: Int
  ) -> [[ScoredIndex]] {
    if case .factors(let queries, let items) = source {
      return select(queries: queries, queryColumns: queryColumns, items: items, count: count, filter: filter,
                    threads: threads)
    }
    precondition(count >= 0, "count must be non-negative")
    let itemCount = source.itemCount
    if queryColumns.isEmpty { return [] }
    if count == 0 || itemCount == 0 { return Array(repeating: [], count: queryColumns.count) }
    if case .constant(let values) = source {
      return selectConstant(values, queryColumns: queryColumns, count: count, filter: filter)
    }
    let blockCount = (queryColumns.count + blockQueries - 1) / blockQueries
    let workers = max(1, min(threads, blockCount))
    var results = [[ScoredIndex]](repeating: [], count: queryColumns.count)
    let scoreBuffers = (0..<workers).map { _ in ScratchBuffer(capacity: itemCount) }
    results.withUnsafeMutableBufferPointer { resultBuffer in
      let shared = UncheckedSendable(resultBuffer.baseAddress!)
      WorkerPool.forEachChunk(threads: workers, chunkCount: blockCount) { worker, block in
        let scores = scoreBuffers[worker].base
        for j in (block * blockQueries)..<min((block + 1) * blockQueries, queryColumns.count) {
          source.scoreRow(queryColumns[j], into: scores)
          var selection = Selection()
          selection.reset(count: count)
          var excluded = Self.noExclusions
          if let perQuery = filter.excludedPerQuery, queryColumns[j] < perQuery.rowCount {
            excluded = perQuery.indices[perQuery.range(ofRow: queryColumns[j])]
          }
          scan(scores, count: itemCount, offset: 0, keep: count, itemIndex: nil, excluded: excluded,
               excludedForAll: filter.excludedForAll, allowed: filter.allowed, into: &selection)
          shared.value[j] = selection.ranked()
        }
      }
    }
    return results
  }

  /// The best `count` items for each query column `queryColumns[j]` of `queries`, scored as
  /// `items[:, i] · queries[:, c]` (times `itemScale[i]` when given), best first; ties go to the
  /// lower item index, so the result equals a full sort.
  package static func select(
    queries: Matrix, queryColumns: [Int], items: Matrix, count: Int, itemScale: [Float]? = nil,
    filter: CandidateFilter = CandidateFilter(), threads: Int
  ) -> [[ScoredIndex]] {
    let k = items.rows
    precondition(queries.rows == k, "query and item factor counts differ")
    precondition(count >= 0, "count must be non-negative")
    if queryColumns.isEmpty { return [] }
    if count == 0 || items.columns == 0 { return Array(repeating: [], count: queryColumns.count) }
    // Restrict to the allowed items by gathering them into a compact matrix.
    var candidates = items
    var candidateIndex: [Int32]? = nil
    var candidateScale = itemScale
    if let allowed = filter.allowed {
      candidates = Matrix(rows: k, columns: allowed.count)
      for (c, item) in allowed.enumerated() {
        let source = Int(item) * k
        for f in 0..<k { candidates.storage[c * k + f] = items.storage[source + f] }
      }
      candidateIndex = allowed
      candidateScale = itemScale.map { scale in allowed.map { scale[Int($0)] } }
    }
    let itemCount = candidates.columns
    if itemCount == 0 { return Array(repeating: [], count: queryColumns.count) }
    let blockCount = (queryColumns.count + blockQueries - 1) / blockQueries
    let workers = max(1, min(threads, blockCount))
    var results = [[ScoredIndex]](repeating: [], count: queryColumns.count)
    let tile = min(tileItems, itemCount)
    let scoreBuffers = (0..<workers).map { _ in ScratchBuffer(capacity: tile * blockQueries) }
    let queryBuffers = (0..<workers).map { _ in ScratchBuffer(capacity: k * blockQueries) }
    results.withUnsafeMutableBufferPointer { resultBuffer in
      queries.storage.withUnsafeBufferPointer { queryStorage in
        candidates.storage.withUnsafeBufferPointer { itemStorage in
          let shared = UncheckedSendable((resultBuffer.baseAddress!, queryStorage.baseAddress!, itemStorage.baseAddress!))
          WorkerPool.forEachChunk(threads: workers, chunkCount: blockCount) { worker, block in
            let (out, queryBase, itemBase) = shared.value
            let first = block * blockQueries
            let width = min(first + blockQueries, queryColumns.count) - first
            let gathered = queryBuffers[worker].base
            for j in 0..<width {
              (gathered + j * k).update(from: queryBase + queryColumns[first + j] * k, count: k)
            }
            var selections = [Selection](repeating: Selection(), count: width)
            var exclusions = [Slice<MappableArray<Int32>>](repeating: Self.noExclusions, count: width)
            for j in 0..<width {
              selections[j].reset(count: count)
              if let perQuery = filter.excludedPerQuery, queryColumns[first + j] < perQuery.rowCount {
                exclusions[j] = perQuery.indices[perQuery.range(ofRow: queryColumns[first + j])]
              }
            }
            let scores = scoreBuffers[worker].base
            var tileStart = 0
            while tileStart < itemCount {
              let tileCount = min(tile, itemCount - tileStart)
              // scores (tileCount × width) = candidates[:, tile]ᵀ · gathered; one query is a
              // matrix-vector product (a GEMM with one column would pack the tile first).
              if width == 1 {
                BLAS.gemv(trans: true, m: k, n: tileCount, alpha: 1, itemBase + tileStart * k, lda: k, gathered,
                          beta: 0, scores)
              } else {
                BLAS.gemm(transA: true, transB: false, m: tileCount, n: width, k: k, alpha: 1,
                          itemBase + tileStart * k, lda: k, gathered, ldb: k, beta: 0, scores, ldc: tileCount)
              }
              for j in 0..<width {
                let column = scores + j * tileCount
                if let candidateScale {
                  for c in 0..<tileCount { column[c] *= candidateScale[tileStart + c] }
                }
                scan(column, count: tileCount, offset: tileStart, keep: count, itemIndex: candidateIndex,
                     excluded: exclusions[j], excludedForAll: filter.excludedForAll, allowed: nil,
                     into: &selections[j])
              }
              tileStart += tileCount
            }
            for j in 0..<width { out[first + j] = selections[j].ranked() }
          }
        }
      }
    }
    return results
  }

  /// Feeds one tile of scores (items `offset ..< offset + count`) to a query's selection.
  private static func scan(
    _ scores: UnsafeMutablePointer<Float>, count: Int, offset: Int, keep: Int, itemIndex: [Int32]?,
    excluded: Slice<MappableArray<Int32>>, excludedForAll: [Int32], allowed: [Int32]?, into selection: inout Selection
  ) {
    @inline(__always) func item(_ c: Int) -> Int32 { itemIndex.map { $0[offset + c] } ?? Int32(offset + c) }
    @inline(__always) func isExcluded(_ item: Int32) -> Bool {
      sortedContains(excluded, item) || sortedContains(excludedForAll[...], item)
        || (allowed.map { !sortedContains($0[...], item) } ?? false)
    }
    @inline(__always) func consider(_ c: Int) {
      let candidate = ScoredIndex(index: item(c), score: scores[c])
      if selection.isFull {
        guard candidate.ranksAbove(selection.worst), !isExcluded(candidate.index) else { return }
        selection.heap.replaceMin(with: Candidate(item: candidate))
      } else {
        guard !isExcluded(candidate.index) else { return }
        selection.heap.insert(Candidate(item: candidate))
        selection.isFull = selection.heap.count == keep
        if !selection.isFull { return }
      }
      selection.worst = selection.heap.min!.item
    }
    var c = 0
    while c < count && !selection.isFull {
      consider(c)
      c += 1
    }
    // Most scores fall below the threshold: keep that comparison alone in the loop.
    var threshold = selection.worst.score
    while c < count {
      if scores[c] >= threshold {
        consider(c)
        threshold = selection.worst.score
      }
      c += 1
    }
  }

  /// Top-K when every query shares one score vector (popularity): one global order, then each
  /// query walks it skipping its exclusions, so a query costs O(count + exclusions · log n)
  /// instead of a scan of every item. Same order and ties as the scan.
  private static func selectConstant(
    _ values: [Float], queryColumns: [Int], count: Int, filter: CandidateFilter
  ) -> [[ScoredIndex]] {
    var order = (filter.allowed ?? (0..<Int32(values.count)).map { $0 })
      .map { ScoredIndex(index: $0, score: values[Int($0)]) }
      .filter { !sortedContains(filter.excludedForAll[...], $0.index) }
    order.sort { $0.ranksAbove($1) }
    return queryColumns.map { column in
      var excluded = Self.noExclusions
      if let perQuery = filter.excludedPerQuery, column < perQuery.rowCount {
        excluded = perQuery.indices[perQuery.range(ofRow: column)]
      }
      var ranked = [ScoredIndex]()
      ranked.reserveCapacity(min(count, order.count))
      for candidate in order where !sortedContains(excluded, candidate.index) {
        ranked.append(candidate)
        if ranked.count == count { break }
      }
      return ranked
    }
  }

  /// An empty slice of per-query exclusions.
  private static let noExclusions = MappableArray<Int32>()[...]

  /// Binary search in an ascending slice.
  @inline(__always)
  private static func sortedContains<Sorted: RandomAccessCollection<Int32>>(_ sorted: Sorted, _ value: Int32) -> Bool
    where Sorted.Index == Int
  {
    var low = sorted.startIndex, high = sorted.endIndex
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < sorted.endIndex && sorted[low] == value
  }
}
