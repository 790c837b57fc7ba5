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

/// Batched top-K scoring: blocked GEMM of query vectors against all item vectors, then a bounded
/// heap per query that skips excluded items with a merge walk over sorted exclusion lists.
package enum TopK {
  /// Elements of the per-worker score buffer (items × block queries).
  static let scoreBufferElements = 1 << 21

  /// The best `count` items for each query column `queryColumns[j]` of `queries`, scored as
  /// `items[:, i] · queries[:, c]` (times `itemScale[i]` when given), best first.
  package static func select(
    queries: Matrix, queryColumns: [Int], items: Matrix, count: Int, itemScale: [Float]? = nil,
    filter: CandidateFilter = CandidateFilter(), threads: Int
  ) -> [[ScoredIndex]] {
    let k = items.rows
    precondition(queries.rows == k, "query and item factor counts differ")
    precondition(count >= 0, "count must be non-negative")
    if queryColumns.isEmpty { return [] }
    if count == 0 || items.columns == 0 { return Array(repeating: [], count: queryColumns.count) }
    // Restrict to the allowed items by gathering them into a compact matrix when that saves work.
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
    let blockSize = max(1, min(64, scoreBufferElements / itemCount))
    let blockCount = (queryColumns.count + blockSize - 1) / blockSize
    let workers = max(1, min(threads, blockCount))
    var results = [[ScoredIndex]](repeating: [], count: queryColumns.count)
    let scoreBuffers = (0..<workers).map { _ in ScratchBuffer(capacity: itemCount * blockSize) }
    let queryBuffers = (0..<workers).map { _ in ScratchBuffer(capacity: k * blockSize) }
    results.withUnsafeMutableBufferPointer { resultBuffer in
      queries.storage.withUnsafeBufferPointer { queryStorage in
        candidates.storage.withUnsafeBufferPointer { itemStorage in
          let shared = UncheckedSendable((resultBuffer.baseAddress!, queryStorage.baseAddress!, itemStorage.baseAddress!))
          WorkerPool.forEachChunk(threads: workers, chunkCount: blockCount) { worker, block in
            let (out, queryBase, itemBase) = shared.value
            let first = block * blockSize
            let last = min(first + blockSize, queryColumns.count)
            let width = last - first
            let gathered = queryBuffers[worker].base
            for j in 0..<width {
              (gathered + j * k).update(from: queryBase + queryColumns[first + j] * k, count: k)
            }
            let scores = scoreBuffers[worker].base
            // scores (items × width) = candidatesᵀ · gathered
            BLAS.gemm(transA: true, transB: false, m: itemCount, n: width, k: k, alpha: 1, itemBase, lda: k,
                      gathered, ldb: k, beta: 0, scores, ldc: itemCount)
            for j in 0..<width {
              let column = queryColumns[first + j]
              var excludedRow = 0..<0
              if let perQuery = filter.excludedPerQuery, column < perQuery.rowCount {
                excludedRow = perQuery.range(ofRow: column)
              }
              out[first + j] = selectBest(
                scores: scores + j * itemCount, itemCount: itemCount, count: count,
                itemIndex: candidateIndex, itemScale: candidateScale,
                excluded: filter.excludedPerQuery?.indices[excludedRow] ?? [], excludedForAll: filter.excludedForAll)
            }
          }
        }
      }
    }
    return results
  }

  /// Bounded-heap selection over one score column.
  ///
  /// The scan compares each score with the worst kept one first; only the rare candidates that
  /// beat it are checked against the (sorted) exclusion lists by binary search.
  private static func selectBest(
    scores: UnsafeMutablePointer<Float>, itemCount: Int, count: Int, itemIndex: [Int32]?, itemScale: [Float]?,
    excluded: ArraySlice<Int32>, excludedForAll: [Int32]
  ) -> [ScoredIndex] {
    if let itemScale {
      for c in 0..<itemCount { scores[c] *= itemScale[c] }
    }
    @inline(__always) func item(_ c: Int) -> Int32 { itemIndex.map { $0[c] } ?? Int32(c) }
    @inline(__always) func isExcluded(_ item: Int32) -> Bool {
      sortedContains(excluded, item) || sortedContains(excludedForAll[...], item)
    }
    var heap = Heap<Candidate>()
    heap.reserveCapacity(count + 1)
    var c = 0
    while c < itemCount && heap.count < count {
      let index = item(c)
      if !isExcluded(index) { heap.insert(Candidate(item: ScoredIndex(index: index, score: scores[c]))) }
      c += 1
    }
    if heap.count == count, var worst = heap.min?.item {
      var threshold = worst.score
      while c < itemCount {
        let score = scores[c]
        if score >= threshold {
          let candidate = ScoredIndex(index: item(c), score: score)
          if candidate.ranksAbove(worst) && !isExcluded(candidate.index) {
            heap.replaceMin(with: Candidate(item: candidate))
            worst = heap.min!.item
            threshold = worst.score
          }
        }
        c += 1
      }
    }
    var result = [ScoredIndex]()
    result.reserveCapacity(heap.count)
    while let best = heap.popMax() { result.append(best.item) }
    return result
  }

  /// Binary search in an ascending slice.
  @inline(__always)
  private static func sortedContains(_ sorted: ArraySlice<Int32>, _ value: Int32) -> Bool {
    var low = sorted.startIndex, high = sorted.endIndex
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < sorted.endIndex && sorted[low] == value
  }
}
