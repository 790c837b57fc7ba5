internal import COpenBLAS

/// The weighted least-squares problem one half-sweep of implicit ALS solves.
///
/// For every target row `u` of the interaction matrix (users when updating user factors, notes
/// when updating note factors) with observed entries `i` of weight `w_ui`:
///
///     minimise  Σ_i c_ui (1 − x_uᵀy_i)² + α₀ Σ_{j unobserved} (x_uᵀy_j)² + λ_u ‖x_u‖²
///     c_ui = 1 + α·w_ui,   λ_u = λ · (n_u + α₀·N)^ν   (or λ·n_u, Spark's convention)
///
/// whose normal equations are `(α₀·YᵀY + Σ_i (c_ui − α₀) y_i y_iᵀ + λ_u I) x_u = Σ_i c_ui y_i`.
/// With α₀ = 1 and ν = 0 this is Hu, Koren & Volinsky (2008); α₀ and ν are the unobserved weight
/// and frequency-scaled regularization of Rendle et al. (2021).
package struct LeastSquaresSettings: Sendable, Equatable {
  /// α: confidence `c = 1 + α·w`.
  package var confidenceScale: Float
  /// α₀: weight of every unobserved pair.
  package var unobservedWeight: Float
  /// λ: regularization.
  package var regularization: Float
  /// ν: exponent of the frequency scaling of λ (0 = plain λ).
  package var regularizationExponent: Float
  /// Conjugate-gradient steps per solve; `nil` selects the exact Cholesky solve.
  package var conjugateGradientSteps: Int?
  /// Worker threads.
  package var threads: Int
  /// Spark MLlib's convention: `λ_u = λ·n_u` (ignores ν and α₀·N).
  package var regularizationCountsObserved: Bool

  /// Settings for one half-sweep.
  package init(confidenceScale: Float, unobservedWeight: Float, regularization: Float,
               regularizationExponent: Float, conjugateGradientSteps: Int?, threads: Int,
               regularizationCountsObserved: Bool = false) {
    self.regularizationCountsObserved = regularizationCountsObserved
    self.confidenceScale = confidenceScale
    self.unobservedWeight = unobservedWeight
    self.regularization = regularization
    self.regularizationExponent = regularizationExponent
    self.conjugateGradientSteps = conjugateGradientSteps
    self.threads = threads
  }

  /// λ_u for a row with `observed` entries, when the fixed side has `fixedCount` entities.
  package func regularization(observed: Int, fixedCount: Int) -> Float {
    if regularizationCountsObserved { return Float(Double(regularization) * Double(observed)) }
    if regularizationExponent == 0 { return regularization }
    let base = Double(observed) + Double(unobservedWeight) * Double(fixedCount)
    return base <= 0 ? 0 : Float(Double(regularization) * pow(base, Double(regularizationExponent)))
  }
}

#if canImport(Glibc)
import Glibc
#endif

/// Why a half-sweep failed.
package enum LeastSquaresFailure: Error, Equatable {
  /// The system of row `row` was not positive definite (Cholesky solver).
  case notPositiveDefinite(row: Int)
  /// A factor became NaN or infinite in row `row`.
  case nonFinite(row: Int)
}

/// The implicit-ALS half-sweep kernels.
///
/// Level-3 BLAS where the peers use level 1/2: each worker takes a block of consecutive target
/// rows, gathers the fixed-side vectors of their observed entries into one contiguous panel
/// (so per-entry dot/axpy loops become two GEMVs, and the Cholesky Gram update one SYRK), and
/// computes the `YᵀY·p` products of the whole block in one GEMM. Scratch space is allocated once
/// per worker. Every row's result depends only on its own inputs, so the factors are bitwise the
/// same for any thread count.
package enum ImplicitLeastSquares {
  /// Rows per work block.
  static let blockRows = 64
  /// Rows of gathered panel cached per worker; users beyond it are streamed in chunks.
  static let panelCapacity = 1 << 13
  /// Rows of the streaming chunk for rows too heavy for the panel.
  static let streamChunk = 2048
  /// How many rows ahead the gather prefetches.
  static let prefetchDistance = 6

  /// Solves every row of `interactions` for `targets` (`factorCount × interactions.rowCount`)
  /// given `fixed` (`factorCount × interactions.columnCount`), in place (CG warm-starts from the
  /// current `targets`).
  package static func solve(
    targets: inout Matrix, fixed: Matrix, interactions: SparseRows, settings: LeastSquaresSettings
  ) throws(LeastSquaresFailure) {
    let k = fixed.rows
    precondition(targets.rows == k && targets.columns == interactions.rowCount
                 && fixed.columns == interactions.columnCount, "factor shapes do not fit the interactions")
    if interactions.rowCount == 0 { return }
    var gram = fixed.gram()
    if settings.unobservedWeight != 1 {
      for i in gram.storage.indices { gram.storage[i] *= settings.unobservedWeight }
    }
    let blockCount = (interactions.rowCount + blockRows - 1) / blockRows
    let threads = max(1, settings.threads)
    let workspaces = (0..<min(threads, blockCount)).map { _ in Workspace(factorCount: k) }
    let failure = FailureSlot()
    let gramCopy = gram
    targets.storage.withUnsafeMutableBufferPointer { targetBuffer in
      fixed.storage.withUnsafeBufferPointer { fixedBuffer in
        gramCopy.storage.withUnsafeBufferPointer { gramBuffer in
          let context = UncheckedSendable(Kernel(
            targets: targetBuffer.baseAddress!, fixed: fixedBuffer.baseAddress!,
            gram: gramBuffer.baseAddress!, factorCount: k, fixedCount: fixed.columns,
            interactions: interactions, settings: settings, workspaces: workspaces))
          WorkerPool.forEachChunk(threads: threads, chunkCount: blockCount) { worker, block in
            if failure.isSet { return }
            let start = block * blockRows
            let end = min(start + blockRows, interactions.rowCount)
            if let error = context.value.solveBlock(start..<end, worker: worker) { failure.set(error) }
          }
        }
      }
    }
    if let error = failure.value { throw error }
  }

  /// The full objective (see ``LeastSquaresSettings``) divided by the total weight
  /// `Σ_obs c + α₀·(rows·columns − observed)`, as `implicit` reports it.
  ///
  /// Uses `α₀ Σ_all (x_uᵀy_i)² = α₀ ⟨XᵀX, YᵀY⟩` so its cost is O(observed·k + (U+I)·k²).
  package static func loss(
    users: Matrix, notes: Matrix, interactions: SparseRows, noteCounts: [Int], settings: LeastSquaresSettings
  ) -> Double {
    let k = users.rows
    let userGram = users.gram(), noteGram = notes.gram()
    var allPairs = 0.0
    for i in 0..<(k * k) { allPairs += Double(userGram.storage[i]) * Double(noteGram.storage[i]) }
    let alpha0 = Double(settings.unobservedWeight)
    let chunkRows = 4096
    let chunkCount = (interactions.rowCount + chunkRows - 1) / chunkRows
    var partial = [Double](repeating: 0, count: max(chunkCount, 1) * 2)
    partial.withUnsafeMutableBufferPointer { partialBuffer in
      users.storage.withUnsafeBufferPointer { userBuffer in
        notes.storage.withUnsafeBufferPointer { noteBuffer in
          let shared = UncheckedSendable((partialBuffer.baseAddress!, userBuffer.baseAddress!, noteBuffer.baseAddress!))
          WorkerPool.forEachChunk(threads: settings.threads, chunkCount: chunkCount) { _, chunk in
            let (out, x, y) = shared.value
            var observedTerm = 0.0, regularizationTerm = 0.0
            for u in (chunk * chunkRows)..<min((chunk + 1) * chunkRows, interactions.rowCount) {
              let xu = x + u * k
              for e in interactions.range(ofRow: u) {
                let prediction = Double(BLAS.dot(k, xu, y + Int(interactions.indices[e]) * k))
                let c = 1 + Double(settings.confidenceScale) * Double(interactions.values[e])
                observedTerm += c * (1 - prediction) * (1 - prediction) - alpha0 * prediction * prediction
              }
              let lambda = Double(settings.regularization(observed: interactions.count(ofRow: u), fixedCount: notes.columns))
              regularizationTerm += lambda * Double(BLAS.dot(k, xu, xu))
            }
            out[2 * chunk] = observedTerm
            out[2 * chunk + 1] = regularizationTerm
          }
        }
      }
    }
    var total = alpha0 * allPairs
    for value in partial { total += value }
    var weight = 0.0
    for value in interactions.values { weight += 1 + Double(settings.confidenceScale) * Double(value) }
    weight += alpha0 * (Double(interactions.rowCount) * Double(interactions.columnCount) - Double(interactions.entryCount))
    for n in 0..<notes.columns {
      let lambda = Double(settings.regularization(observed: noteCounts[n], fixedCount: users.columns))
      notes.storage.withUnsafeBufferPointer { buffer in
        total += lambda * Double(BLAS.dot(k, buffer.baseAddress! + n * k, buffer.baseAddress! + n * k))
      }
    }
    return total / max(weight, 1)
  }
}

/// A growable raw scratch buffer owned by one worker.
final class ScratchBuffer {
  private(set) var base: UnsafeMutablePointer<Float>
  private(set) var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 1)
    base = .allocate(capacity: self.capacity)
    base.initialize(repeating: 0, count: self.capacity)
  }

  /// Ensures room for `count` elements (contents are not preserved when it grows).
  @inline(__always) func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      base.deallocate()
      capacity = max(count, capacity * 2)
      base = .allocate(capacity: capacity)
      base.initialize(repeating: 0, count: capacity)
    }
    return base
  }

  deinit { base.deallocate() }
}

/// Per-worker scratch space, allocated once per half-sweep and grown only for unusually large
/// blocks.
final class Workspace {
  /// Gathered fixed-side vectors of a block's observed entries, `factorCount × columns`.
  let panel: ScratchBuffer
  /// Confidence `c` and weight `c − α₀` of each panel column.
  let confidence: ScratchBuffer
  let weight: ScratchBuffer
  /// Streaming chunk (vectors, confidence, weight) for rows too heavy for the panel.
  let chunk: ScratchBuffer
  let chunkConfidence: ScratchBuffer
  let chunkWeight: ScratchBuffer
  /// Scaled copy of a panel for the Cholesky Gram update.
  let scaled: ScratchBuffer
  /// Per-entry temporary.
  let temporary: ScratchBuffer
  /// Block vectors, `factorCount × blockRows` each: residual r, direction p, product A·p.
  let residual: ScratchBuffer
  let direction: ScratchBuffer
  let product: ScratchBuffer
  /// Cholesky system, `factorCount²`.
  let system: ScratchBuffer
  /// Per-row bookkeeping of the block.
  var panelStart: [Int]
  var cached: [Bool]
  var residualNorm: [Float]

  init(factorCount k: Int) {
    let rows = ImplicitLeastSquares.blockRows, chunkRows = ImplicitLeastSquares.streamChunk
    panel = ScratchBuffer(capacity: k * 4096)
    confidence = ScratchBuffer(capacity: 4096)
    weight = ScratchBuffer(capacity: 4096)
    chunk = ScratchBuffer(capacity: k * chunkRows)
    chunkConfidence = ScratchBuffer(capacity: chunkRows)
    chunkWeight = ScratchBuffer(capacity: chunkRows)
    scaled = ScratchBuffer(capacity: k * 256)
    temporary = ScratchBuffer(capacity: 4096)
    residual = ScratchBuffer(capacity: k * rows)
    direction = ScratchBuffer(capacity: k * rows)
    product = ScratchBuffer(capacity: k * rows)
    system = ScratchBuffer(capacity: k * k)
    panelStart = [Int](repeating: 0, count: rows + 1)
    cached = [Bool](repeating: false, count: rows)
    residualNorm = [Float](repeating: 0, count: rows)
  }
}

/// Thread-safe first-failure slot.
final class FailureSlot: Sendable {
  private let storage = Mutex<LeastSquaresFailure?>(nil)
  private let flag = Atomic<Bool>(false)
  var isSet: Bool { flag.load(ordering: .relaxed) }
  var value: LeastSquaresFailure? { storage.withLock { $0 } }
  func set(_ failure: LeastSquaresFailure) {
    storage.withLock { if $0 == nil { $0 = failure } }
    flag.store(true, ordering: .relaxed)
  }
}

import Synchronization

/// The half-sweep over raw buffers. Each block writes only its own target columns and its
/// worker's workspace.
struct Kernel {
  let targets: UnsafeMutablePointer<Float>
  let fixed: UnsafePointer<Float>
  let gram: UnsafePointer<Float>
  let factorCount: Int
  let fixedCount: Int
  let interactions: SparseRows
  let settings: LeastSquaresSettings
  let workspaces: [Workspace]

  func solveBlock(_ rows: Range<Int>, worker: Int) -> LeastSquaresFailure? {
    let w = workspaces[worker]
    gatherPanels(rows, workspace: w)
    if let steps = settings.conjugateGradientSteps {
      conjugateGradient(rows, steps: steps, workspace: w)
    } else if let failed = cholesky(rows, workspace: w) {
      return .notPositiveDefinite(row: failed)
    }
    let k = factorCount
    for u in rows {
      let x = targets + u * k
      for f in 0..<k where !x[f].isFinite { return .nonFinite(row: u) }
    }
    return nil
  }

  /// Gathers the fixed vectors of each row's entries into the panel, as long as they fit.
  private func gatherPanels(_ rows: Range<Int>, workspace w: Workspace) {
    let k = factorCount
    let capacity = ImplicitLeastSquares.panelCapacity
    var needed = 0
    for u in rows {
      let n = interactions.count(ofRow: u)
      if n <= capacity - needed { needed += n }
    }
    let panel = w.panel.reserve(needed * k)
    let confidence = w.confidence.reserve(needed), weight = w.weight.reserve(needed)
    _ = w.temporary.reserve(needed)
    var used = 0
    let alpha = settings.confidenceScale, alpha0 = settings.unobservedWeight
    for (slot, u) in rows.enumerated() {
      let range = interactions.range(ofRow: u)
      w.panelStart[slot] = used
      if range.count <= capacity - used {
        w.cached[slot] = true
        interactions.indices.withUnsafeBufferPointer { indices in
          interactions.values.withUnsafeBufferPointer { values in
            let ahead = ImplicitLeastSquares.prefetchDistance
            for (j, e) in range.enumerated() {
              if e + ahead < range.upperBound { prefetchVector(fixed + Int(indices[e + ahead]) * k, count: k) }
              copyVector(from: fixed + Int(indices[e]) * k, to: panel + (used + j) * k, count: k)
              let c = 1 + alpha * values[e]
              confidence[used + j] = c
              weight[used + j] = c - alpha0
            }
          }
        }
        used += range.count
      } else {
        w.cached[slot] = false
      }
    }
    w.panelStart[rows.count] = used
  }

  /// Calls `body(vectors, confidence, weight, count, temporary)` over the row's entries: once
  /// with the cached panel, or chunk by chunk (gathering each) for rows too heavy for the panel.
  @inline(__always)
  private func forEachPanel(
    row u: Int, slot: Int, workspace w: Workspace,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void
  ) {
    let k = factorCount
    if w.cached[slot] {
      let start = w.panelStart[slot], count = interactions.count(ofRow: u)
      body(w.panel.base + start * k, w.confidence.base + start, w.weight.base + start, count, w.temporary.base)
      return
    }
    let range = interactions.range(ofRow: u)
    let chunkSize = ImplicitLeastSquares.streamChunk
    let chunk = w.chunk.reserve(chunkSize * k)
    let c = w.chunkConfidence.reserve(chunkSize), d = w.chunkWeight.reserve(chunkSize)
    let t = w.temporary.reserve(chunkSize)
    let alpha = settings.confidenceScale, alpha0 = settings.unobservedWeight
    var start = range.lowerBound
    while start < range.upperBound {
      let end = min(start + chunkSize, range.upperBound)
      for e in start..<end {
        copyVector(from: fixed + Int(interactions.indices[e]) * k, to: chunk + (e - start) * k, count: k)
        c[e - start] = 1 + alpha * interactions.values[e]
        d[e - start] = c[e - start] - alpha0
      }
      body(chunk, c, d, end - start, t)
      start = end
    }
  }

  /// Conjugate gradient (Takács et al. 2011), warm-started from the current targets.
  private func conjugateGradient(_ rows: Range<Int>, steps: Int, workspace w: Workspace) {
    let k = factorCount
    let blockX = targets + rows.lowerBound * k
    let count = rows.count
    let r = w.residual.base, p = w.direction.base, q = w.product.base
    // q = α₀·YᵀY·X_block: one GEMM for the whole block (gram already carries α₀).
    BLAS.gemm(transA: false, transB: false, m: k, n: count, k: k, alpha: 1, gram, lda: k,
              blockX, ldb: k, beta: 0, q, ldc: k)
    for (slot, u) in rows.enumerated() {
      let x = blockX + slot * k, ru = r + slot * k, pu = p + slot * k
      let observed = interactions.count(ofRow: u)
      if observed == 0 {
        x.update(repeating: 0, count: k)
        ru.update(repeating: 0, count: k)
        pu.update(repeating: 0, count: k)
        w.residualNorm[slot] = 0
        continue
      }
      let lambda = settings.regularization(observed: observed, fixedCount: fixedCount)
      // r = b − A·x = Σ_i (c_i − (c_i − α₀)·y_iᵀx)·y_i − α₀YᵀY·x − λ·x
      for f in 0..<k { ru[f] = -q[slot * k + f] - lambda * x[f] }
      forEachPanel(row: u, slot: slot, workspace: w) { vectors, c, d, n, t in
        BLAS.gemv(trans: true, m: k, n: n, alpha: 1, vectors, lda: k, x, beta: 0, t)
        for j in 0..<n { t[j] = c[j] - d[j] * t[j] }
        BLAS.gemv(trans: false, m: k, n: n, alpha: 1, vectors, lda: k, t, beta: 1, ru)
      }
      pu.update(from: ru, count: k)
      let norm = BLAS.dot(k, ru, ru)
      if !norm.isFinite {
        // Overflowing confidences or factors: poison the row so `solveBlock` reports it.
        x[0] = .nan
        w.residualNorm[slot] = 0
        pu.update(repeating: 0, count: k)
        continue
      }
      w.residualNorm[slot] = norm
    }
    for _ in 0..<steps {
      // q = α₀·YᵀY·P_block
      BLAS.gemm(transA: false, transB: false, m: k, n: count, k: k, alpha: 1, gram, lda: k,
                p, ldb: k, beta: 0, q, ldc: k)
      var active = false
      for (slot, u) in rows.enumerated() {
        let rsOld = w.residualNorm[slot]
        if rsOld < 1e-20 { continue }
        active = true
        let x = blockX + slot * k, ru = r + slot * k, pu = p + slot * k, qu = q + slot * k
        let lambda = settings.regularization(observed: interactions.count(ofRow: u), fixedCount: fixedCount)
        for f in 0..<k { qu[f] += lambda * pu[f] }
        forEachPanel(row: u, slot: slot, workspace: w) { vectors, _, d, n, t in
          BLAS.gemv(trans: true, m: k, n: n, alpha: 1, vectors, lda: k, pu, beta: 0, t)
          for j in 0..<n { t[j] *= d[j] }
          BLAS.gemv(trans: false, m: k, n: n, alpha: 1, vectors, lda: k, t, beta: 1, qu)
        }
        let curvature = BLAS.dot(k, pu, qu)
        if !curvature.isFinite { x[0] = .nan }
        if !(curvature > 0) {
          w.residualNorm[slot] = 0
          pu.update(repeating: 0, count: k)
          continue
        }
        let step = rsOld / curvature
        for f in 0..<k {
          x[f] += step * pu[f]
          ru[f] -= step * qu[f]
        }
        let rsNew = BLAS.dot(k, ru, ru)
        if rsNew < 1e-20 {
          w.residualNorm[slot] = 0
          pu.update(repeating: 0, count: k)  // keeps the next block GEMM harmless
          continue
        }
        let beta = rsNew / rsOld
        for f in 0..<k { pu[f] = ru[f] + beta * pu[f] }
        w.residualNorm[slot] = rsNew
      }
      if !active { break }
    }
  }

  /// Exact solve: A = α₀YᵀY + λI + Σ(c−α₀)y yᵀ built with one SYRK (or a GEMM when some weight
  /// is negative) over the gathered panel, then LAPACK `sposv`. Returns the first failing row.
  private func cholesky(_ rows: Range<Int>, workspace w: Workspace) -> Int? {
    let k = factorCount
    let a = w.system.base
    for (slot, u) in rows.enumerated() {
      let x = targets + u * k
      let n = interactions.count(ofRow: u)
      x.update(repeating: 0, count: k)
      if n == 0 { continue }
      let lambda = settings.regularization(observed: n, fixedCount: fixedCount)
      a.update(from: gram, count: k * k)
      for f in 0..<k { a[f * k + f] += lambda }
      forEachPanel(row: u, slot: slot, workspace: w) { vectors, c, d, count, _ in
        // b += Y_u·c
        BLAS.gemv(trans: false, m: k, n: count, alpha: 1, vectors, lda: k, c, beta: 1, x)
        let s = w.scaled.reserve(count * k)
        var allNonNegative = true
        for j in 0..<count where d[j] < 0 { allNonNegative = false; break }
        if allNonNegative {
          for j in 0..<count {
            let root = d[j].squareRoot()
            for f in 0..<k { s[j * k + f] = vectors[j * k + f] * root }
          }
          cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, blasint(k), blasint(count), 1,
                      s, blasint(k), 1, a, blasint(k))
        } else {
          for j in 0..<count { for f in 0..<k { s[j * k + f] = vectors[j * k + f] * d[j] } }
          BLAS.gemm(transA: false, transB: true, m: k, n: k, k: count, alpha: 1, vectors, lda: k,
                    s, ldb: k, beta: 1, a, ldc: k)
        }
      }
      if !LAPACK.solvePositiveDefinite(a, n: k, x) { return u }
    }
    return nil
  }
}

/// Copies a short vector with SIMD loads and stores (a factor row: `memmove`'s call overhead
/// dominates at 64–256 floats, and gathering rows is the hottest copy of a half-sweep).
@inline(__always)
func copyVector(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
  var f = 0
  let rawSource = UnsafeRawPointer(source), rawDestination = UnsafeMutableRawPointer(destination)
  while f + 16 <= count {
    let value = rawSource.loadUnaligned(fromByteOffset: f * 4, as: SIMD16<Float>.self)
    rawDestination.storeBytes(of: value, toByteOffset: f * 4, as: SIMD16<Float>.self)
    f += 16
  }
  while f < count {
    destination[f] = source[f]
    f += 1
  }
}

/// Asks the CPU to start loading a vector into cache (every 64-byte line of it).
@inline(__always)
func prefetchVector(_ address: UnsafePointer<Float>, count: Int) {
  var f = 0
  while f < count {
    zhongcao_prefetch(address + f)
    f += 16
  }
}

