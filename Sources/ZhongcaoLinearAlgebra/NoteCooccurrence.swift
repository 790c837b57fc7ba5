/// Note × note kernels over the user × note interaction matrix `X`: the dense Gram matrix `XᵀX`
/// (EASE), the sparse top-k cosine neighbours (item-kNN), and the EASE weights from an inverse.
///
/// Every kernel takes `X` twice: `byUser` (rows = users, columns = notes) and `byNote` (its
/// transpose, rows = notes, columns = users), both with the same values. Work is split by
/// output column (note) over the ``WorkerPool``; each output element is computed by one worker
/// in an order fixed by the data (users ascending), so the results are bitwise the same for
/// every thread count.
package enum NoteCooccurrence {
  /// Which part of a symmetric result to compute.
  package enum Triangle: Sendable {
    /// Only entries `(i, j)` with `i ≤ j`; the strict lower triangle is zero.
    case upper
    /// Every entry.
    case full
  }

  /// Output columns (notes) per work chunk.
  static let chunkColumns = 16

  // MARK: Gram matrix

  /// The dense Gram matrix `G = XᵀX` (`notes × notes`, column-major): `G[i, j] = Σ_u x_ui·x_uj`.
  ///
  /// Column `j` is `Σ_{u ∈ users(j)} x_uj · x_u` (the user outer products, one column at a time):
  /// the worker that owns column `j` walks the users of note `j` and, for each, the user's notes
  /// (only those `≤ j` for ``Triangle/upper``), accumulating in Double, and rounds each entry to
  /// Float once. With `binary`, every stored entry counts as 1, so entries are exact counts
  /// (below 2²⁴).
  ///
  /// - Parameters:
  ///   - byUser: `X`, rows = users, columns = notes.
  ///   - byNote: `Xᵀ`, with the same values.
  ///   - binary: Use 1 for every stored entry instead of its value.
  ///   - triangle: ``Triangle/upper`` halves the work; the strict lower triangle is then zero.
  ///   - threads: Workers.
  /// - Complexity: O(Σ_u n_u²) for `n_u` notes per user (half with `.upper`), plus O(notes²)
  ///   to write the result.
  package static func gram(
    byUser: SparseRows, byNote: SparseRows, binary: Bool, triangle: Triangle = .full, threads: Int
  ) -> Matrix {
    let n = byUser.columnCount
    precondition(byNote.rowCount == n && byNote.columnCount == byUser.rowCount
                 && byNote.entryCount == byUser.entryCount, "byNote is not the transpose of byUser")
    let (count, overflow) = n.multipliedReportingOverflow(by: n)
    precondition(!overflow, "a \(n)×\(n) Gram matrix overflows")
    let chunkCount = (n + chunkColumns - 1) / chunkColumns
    let workers = max(1, min(threads, chunkCount))
    let scratch = (0..<workers).map { _ in DoubleScratch(capacity: n) }
    let storage = MappableArray<Float>(count: count) { buffer in
      withRawParts(byUser) { userOffsets, userIndices, userValues in
        withRawParts(byNote) { noteOffsets, noteIndices, noteValues in
          guard let out = buffer.baseAddress else { return }
          let shared = UncheckedSendable(out)
          WorkerPool.forEachChunk(threads: workers, chunkCount: chunkCount) { worker, chunk in
            let accumulator = scratch[worker].base
            for j in (chunk * chunkColumns)..<min((chunk + 1) * chunkColumns, n) {
              let limit = triangle == .upper ? j + 1 : n
              accumulator.update(repeating: 0, count: limit)
              for e in noteOffsets[j]..<noteOffsets[j + 1] {
                let u = Int(noteIndices[e])
                let start = userOffsets[u], end = userOffsets[u + 1]
                if binary {
                  for f in start..<end {
                    let i = Int(userIndices[f])
                    if i >= limit { break }
                    accumulator[i] += 1
                  }
                } else {
                  let xj = Double(noteValues[e])
                  for f in start..<end {
                    let i = Int(userIndices[f])
                    if i >= limit { break }
                    accumulator[i] += xj * Double(userValues[f])
                  }
                }
              }
              let column = shared.value + j * n
              for i in 0..<limit { column[i] = Float(accumulator[i]) }
              if limit < n { (column + limit).update(repeating: 0, count: n - limit) }
            }
          }
        }
      }
    }
    return Matrix(rows: n, columns: n, storage: storage)
  }

  // MARK: EASE weights

  /// Turns `P = G⁻¹` (full, symmetric) into the EASE weights in place:
  /// `W[i, j] = −P[i, j] / P[i, i]` for `i ≠ j` and `W[j, j] = 0`.
  ///
  /// In Steck's notation `B_ij = −P_ij / P_jj`, so column `j` of `W` is row `j` of `B`
  /// (`W.storage[j·N + i] = B_ji`): the weights a user's note `j` gives every note `i`, contiguous.
  ///
  /// - Returns: False when a diagonal entry of `P` is not a positive finite number (then `p` is
  ///   left unchanged).
  package static func easeWeights(fromInverse p: inout Matrix, threads: Int) -> Bool {
    precondition(p.rows == p.columns, "EASE needs a square inverse, got \(p.rows)×\(p.columns)")
    let n = p.rows
    var diagonal = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let value = p[i, i]
      guard value.isFinite, value > 0 else { return false }
      diagonal[i] = Double(value)
    }
    let chunkCount = (n + chunkColumns - 1) / chunkColumns
    p.storage.withUnsafeMutableBufferPointer { buffer in
      diagonal.withUnsafeBufferPointer { diagonalBuffer in
        guard let base = buffer.baseAddress, let d = diagonalBuffer.baseAddress else { return }
        let shared = UncheckedSendable((base, d))
        WorkerPool.forEachChunk(threads: threads, chunkCount: chunkCount) { _, chunk in
          let (base, d) = shared.value
          for j in (chunk * chunkColumns)..<min((chunk + 1) * chunkColumns, n) {
            let column = base + j * n
            for i in 0..<n { column[i] = Float(-Double(column[i]) / d[i]) }
            column[j] = 0
          }
        }
      }
    }
    return true
  }

  // MARK: Neighbours

  /// The `count` most similar notes of every note by shrunk cosine, as a sparse matrix.
  ///
  /// For notes `i ≠ j` with columns `x_i`, `x_j` of `X` (the rows of `byNote`):
  /// `s_ij = x_i·x_j / (‖x_i‖·‖x_j‖ + shrinkage)`, computed in Double and rounded to Float.
  /// Row `i` of the result keeps the notes `j ≠ i` with `s_ij > 0` (as Float), at most `count`
  /// of them, chosen by score descending with ties to the lower index; within the row they are
  /// stored by index ascending. Notes sharing no user have similarity 0 and are never kept.
  ///
  /// For note `i` the worker walks its users and their notes, accumulating the dot products in
  /// a dense Double scratch row (users ascending, so the sums do not depend on the schedule),
  /// then selects the best `count` with a bounded heap.
  ///
  /// - Parameters:
  ///   - byNote: `Xᵀ` (rows = notes), already weighted.
  ///   - byUser: `X` (rows = users), with the same values.
  ///   - shrinkage: Added to the denominator, ≥ 0.
  ///   - count: Neighbours kept per note, ≥ 1.
  ///   - threads: Workers.
  /// - Complexity: O(Σ_u n_u² + Σ_i t_i·log(count)) for `t_i` notes co-occurring with note `i`.
  package static func neighbours(
    byNote: SparseRows, byUser: SparseRows, shrinkage: Float, count: Int, threads: Int
  ) -> SparseRows {
    let n = byNote.rowCount
    precondition(byUser.columnCount == n && byUser.rowCount == byNote.columnCount
                 && byUser.entryCount == byNote.entryCount, "byUser is not the transpose of byNote")
    precondition(count >= 1, "neighbour count must be ≥ 1, got \(count)")
    precondition(shrinkage >= 0, "shrinkage must be ≥ 0, got \(shrinkage)")
    var norms = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var sum = 0.0
      for e in byNote.range(ofRow: i) { sum += Double(byNote.values[e]) * Double(byNote.values[e]) }
      norms[i] = sum.squareRoot()
    }
    let keep = min(count, max(n - 1, 0))
    let chunkCount = (n + chunkColumns - 1) / chunkColumns
    let workers = max(1, min(threads, chunkCount))
    let scratch = (0..<workers).map { _ in NeighbourScratch(noteCount: n, keep: keep) }
    let outputs = (0..<chunkCount).map { _ in ChunkOutput() }
    let shrink = Double(shrinkage)
    withRawParts(byUser) { userOffsets, userIndices, userValues in
      withRawParts(byNote) { noteOffsets, noteIndices, noteValues in
        norms.withUnsafeBufferPointer { normBuffer in
          guard let norm = normBuffer.baseAddress else { return }
          let shared = UncheckedSendable(norm)
          WorkerPool.forEachChunk(threads: workers, chunkCount: chunkCount) { worker, chunk in
            let norm = shared.value
            let s = scratch[worker], output = outputs[chunk]
            let first = chunk * chunkColumns, last = min(first + chunkColumns, n)
            output.counts.reserveCapacity(last - first)
            for i in first..<last {
              // Dot products with every co-occurring note.
              var touched = 0
              let stamp = Int32(truncatingIfNeeded: i)
              for e in noteOffsets[i]..<noteOffsets[i + 1] {
                let u = Int(noteIndices[e])
                let xi = Double(noteValues[e])
                for f in userOffsets[u]..<userOffsets[u + 1] {
                  let j = Int(userIndices[f])
                  if s.stamps[j] != stamp {
                    s.stamps[j] = stamp
                    s.dots[j] = 0
                    s.touched[touched] = Int32(truncatingIfNeeded: j)
                    touched += 1
                  }
                  s.dots[j] += xi * Double(userValues[f])
                }
              }
              // Bounded selection by (score desc, index asc).
              var heap = BoundedHeap(scores: s.heapScores, indices: s.heapIndices, capacity: keep)
              for t in 0..<touched {
                let j = Int(s.touched[t])
                if j == i { continue }
                let denominator = norm[i] * norm[j] + shrink
                guard denominator > 0 else { continue }
                let score = Float(s.dots[j] / denominator)
                guard score > 0, score.isFinite else { continue }
                heap.offer(score: score, index: s.touched[t])
              }
              // Store by index ascending.
              let kept = heap.count
              s.order.removeAll(keepingCapacity: true)
              for h in 0..<kept { s.order.append(h) }
              s.order.sort { s.heapIndices[$0] < s.heapIndices[$1] }
              for h in s.order {
                output.indices.append(s.heapIndices[h])
                output.values.append(s.heapScores[h])
              }
              output.counts.append(kept)
            }
          }
        }
      }
    }
    var offsets = [Int](repeating: 0, count: n + 1)
    var total = 0
    for output in outputs { total += output.indices.count }
    var indices = [Int32](), values = [Float]()
    indices.reserveCapacity(total)
    values.reserveCapacity(total)
    var row = 0
    for output in outputs {
      for kept in output.counts {
        offsets[row + 1] = offsets[row] + kept
        row += 1
      }
      indices.append(contentsOf: output.indices)
      values.append(contentsOf: output.values)
    }
    return SparseRows(rowCount: n, columnCount: n, offsets: offsets, indices: indices, values: values)
  }

  // MARK: Helpers

  /// Calls `body` with the base addresses of a CSR matrix's offsets, indices and values.
  private static func withRawParts<Result>(
    _ matrix: SparseRows,
    _ body: (UnsafePointer<Int>, UnsafePointer<Int32>, UnsafePointer<Float>) -> Result
  ) -> Result {
    matrix.offsets.withUnsafeBufferPointer { offsets in
      matrix.indices.withUnsafeBufferPointer { indices in
        matrix.values.withUnsafeBufferPointer { values in
          // Empty arrays may have no base address; nothing is read through them then.
          let empty = UnsafePointer<Int32>(bitPattern: MemoryLayout<Int32>.alignment)!
          let emptyValues = UnsafePointer<Float>(bitPattern: MemoryLayout<Float>.alignment)!
          return body(offsets.baseAddress!, indices.baseAddress ?? empty, values.baseAddress ?? emptyValues)
        }
      }
    }
  }
}

/// A per-worker Double buffer, allocated once per kernel call.
final class DoubleScratch {
  let base: UnsafeMutablePointer<Double>

  init(capacity: Int) {
    base = .allocate(capacity: max(capacity, 1))
    base.initialize(repeating: 0, count: max(capacity, 1))
  }

  deinit { base.deallocate() }
}

/// Per-worker scratch of the neighbour kernel: a dense row of dot products with a stamp per
/// note (which note last touched it), the list of touched notes, and the heap.
final class NeighbourScratch {
  let dots: UnsafeMutablePointer<Double>
  let stamps: UnsafeMutablePointer<Int32>
  let touched: UnsafeMutablePointer<Int32>
  let heapScores: UnsafeMutablePointer<Float>
  let heapIndices: UnsafeMutablePointer<Int32>
  var order: [Int] = []
  private let noteCount: Int

  init(noteCount: Int, keep: Int) {
    self.noteCount = max(noteCount, 1)
    dots = .allocate(capacity: self.noteCount)
    dots.initialize(repeating: 0, count: self.noteCount)
    stamps = .allocate(capacity: self.noteCount)
    stamps.initialize(repeating: -1, count: self.noteCount)
    touched = .allocate(capacity: self.noteCount)
    touched.initialize(repeating: 0, count: self.noteCount)
    heapScores = .allocate(capacity: max(keep, 1))
    heapScores.initialize(repeating: 0, count: max(keep, 1))
    heapIndices = .allocate(capacity: max(keep, 1))
    heapIndices.initialize(repeating: 0, count: max(keep, 1))
    order.reserveCapacity(keep)
  }

  deinit {
    dots.deallocate()
    stamps.deallocate()
    touched.deallocate()
    heapScores.deallocate()
    heapIndices.deallocate()
  }
}

/// The rows one chunk of the neighbour kernel produced; written by one worker only.
final class ChunkOutput {
  var counts: [Int] = []
  var indices: [Int32] = []
  var values: [Float] = []
}

/// A min-heap of at most `capacity` (score, index) pairs over caller-owned storage; the root is
/// the worst kept pair (lowest score, then highest index), so a better candidate replaces it.
struct BoundedHeap {
  let scores: UnsafeMutablePointer<Float>
  let indices: UnsafeMutablePointer<Int32>
  let capacity: Int
  private(set) var count = 0

  init(scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, capacity: Int) {
    self.scores = scores
    self.indices = indices
    self.capacity = capacity
  }

  /// True when `(scoreA, indexA)` ranks below `(scoreB, indexB)`.
  @inline(__always)
  private static func worse(_ scoreA: Float, _ indexA: Int32, _ scoreB: Float, _ indexB: Int32) -> Bool {
    scoreA < scoreB || (scoreA == scoreB && indexA > indexB)
  }

  /// Keeps `(score, index)` if there is room or it ranks above the worst kept pair.
  @inline(__always)
  mutating func offer(score: Float, index: Int32) {
    if count < capacity {
      var child = count
      count += 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard Self.worse(score, index, scores[parent], indices[parent]) else { break }
        scores[child] = scores[parent]
        indices[child] = indices[parent]
        child = parent
      }
      scores[child] = score
      indices[child] = index
      return
    }
    guard capacity > 0, Self.worse(scores[0], indices[0], score, index) else { return }
    var parent = 0
    while true {
      let left = 2 * parent + 1
      if left >= count { break }
      var child = left
      let right = left + 1
      if right < count && Self.worse(scores[right], indices[right], scores[left], indices[left]) { child = right }
      guard Self.worse(scores[child], indices[child], score, index) else { break }
      scores[parent] = scores[child]
      indices[parent] = indices[child]
      parent = child
    }
    scores[parent] = score
    indices[parent] = index
  }
}
