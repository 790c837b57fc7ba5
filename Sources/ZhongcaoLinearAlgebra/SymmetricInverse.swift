/// In-place inversion of a large symmetric positive definite matrix on the ``WorkerPool``.
///
/// LAPACK's `spotrf` + `spotri` (``LAPACK/invertPositiveDefinite(_:)``) would run on one core
/// here, because OpenBLAS is pinned to one thread per call and the workers supply the
/// parallelism. For the dense notes × notes matrix of EASE (10⁴–4·10⁴ notes, n³ flops) that
/// leaves the other cores idle, so this kernel runs the same three blocked algorithms as
/// LAPACK — Cholesky `A = UᵀU`, `V = U⁻¹`, `P = V·Vᵀ` — with every tile-sized BLAS call of a pass
/// on whichever worker is free:
///
/// 1. Cholesky, right-looking, upper: for each diagonal block `k`, `U_kk = chol(A_kk)` (LAPACK
///    `spotrf` on one block), the row panel `U_kj = U_kk⁻ᵀ·A_kj` (`strsm`, one call per column
///    block), then the trailing update `A_ij −= U_kiᵀ·U_kj` (one `sgemm` per column block).
/// 2. `V = U⁻¹` column block by column block, `U·V_j = E_j` (`strsm`; blocks are independent),
///    stored transposed in the strict lower triangle (which the factor does not use), with the
///    diagonal tiles aside.
/// 3. `P = V·Vᵀ` column block by column block (`sgemm` over the lower triangle, written to the
///    upper), then mirrored.
///
/// Only the upper triangle of the input is read. The cost is n³ flops like `spotrf` + `spotri`,
/// with the same numerical behaviour (a Cholesky-based inverse; the relative error is of order
/// κ(A)·2⁻²⁴). Every output tile is produced by the same BLAS calls on the same inputs whatever
/// worker runs them, so the result is bitwise the same for every thread count (on one machine
/// and BLAS kernel).
package enum SymmetricInverse {
  /// Rows and columns per block.
  package static let defaultBlockSize = 256

  /// Inverts the symmetric positive definite `a` in place: reads its upper triangle and leaves
  /// the full symmetric inverse. Returns false (with `a` in an unspecified state) when `a` is
  /// not positive definite.
  ///
  /// - Parameters:
  ///   - a: `n × n`, upper triangle used.
  ///   - threads: Workers.
  ///   - blockSize: Block size (tests use small blocks to exercise many of them).
  /// - Complexity: n³ flops; `(threads + 1)·n·blockSize + blockSize²` extra floats.
  package static func invertPositiveDefinite(_ a: inout Matrix, threads: Int, blockSize: Int = defaultBlockSize) -> Bool {
    precondition(a.rows == a.columns, "cannot invert a \(a.rows)×\(a.columns) matrix")
    precondition(blockSize >= 1, "block size must be ≥ 1")
    BLASRuntime.useSingleThreadedCalls()
    let n = a.rows
    if n == 0 { return true }
    let blocks = Blocks(n: n, size: blockSize)
    let workers = max(1, min(threads, blocks.count))
    let diagonalTiles = DiagonalTiles(blocks: blocks)
    let scratch = (0..<workers).map { _ in ScratchBuffer(capacity: n * blockSize) }
    let pivot = ScratchBuffer(capacity: blockSize * blockSize)

    return a.storage.withUnsafeMutableBufferPointer { storage in
      let shared = UncheckedSendable(storage.baseAddress!)
      // 1. Cholesky A = UᵀU in the upper triangle.
      for k in 0..<blocks.count {
        let base = shared.value
        let k0 = blocks.start(k), sk = blocks.size(k), kEnd = k0 + sk
        let u = pivot.base
        for column in 0..<sk {
          (u + column * sk).update(from: base + k0 + (k0 + column) * n, count: column + 1)
        }
        guard LAPACK.factorPositiveDefinite(u, n: sk) else { return false }
        for column in 0..<sk {
          (base + k0 + (k0 + column) * n).update(from: u + column * sk, count: column + 1)
        }
        if k + 1 == blocks.count { break }
        let rest = blocks.count - k - 1
        // Row panel U_kj = U_kk⁻ᵀ·A_kj.
        WorkerPool.forEachChunk(threads: workers, chunkCount: rest) { _, chunk in
          let j = k + 1 + chunk
          BLAS.upperTriangularSolve(transA: true, m: sk, n: blocks.size(j), u, lda: sk,
                                    shared.value + k0 + blocks.start(j) * n, ldb: n)
        }
        // Trailing update, widest column block first: A_ij −= U_kiᵀ·U_kj for k < i ≤ j.
        WorkerPool.forEachChunk(threads: workers, chunkCount: rest) { _, chunk in
          let base = shared.value
          let j = blocks.count - 1 - chunk
          let j0 = blocks.start(j), jEnd = j0 + blocks.size(j)
          BLAS.gemm(transA: true, transB: false, m: jEnd - kEnd, n: jEnd - j0, k: sk, alpha: -1,
                    base + k0 + kEnd * n, lda: n, base + k0 + j0 * n, ldb: n, beta: 1, base + kEnd + j0 * n, ldc: n)
        }
      }
      // 2. V = U⁻¹ by column blocks: V[0..<jEnd, j] solves U[0..<jEnd, 0..<jEnd]·V = E. Vᵀ goes to the
      //    strict lower triangle (rows of block j, columns before it) and the diagonal tile aside.
      WorkerPool.forEachChunk(threads: workers, chunkCount: blocks.count) { worker, chunk in
        let base = shared.value
        let j = blocks.count - 1 - chunk
        let j0 = blocks.start(j), sj = blocks.size(j), jEnd = j0 + sj
        let v = scratch[worker].base
        v.update(repeating: 0, count: jEnd * sj)
        for c in 0..<sj { v[(j0 + c) + c * jEnd] = 1 }
        BLAS.upperTriangularSolve(transA: false, m: jEnd, n: sj, base, lda: n, v, ldb: jEnd)
        for c in 0..<sj {
          for r in 0..<j0 { base[(j0 + c) + r * n] = v[r + c * jEnd] }
        }
        let tile = diagonalTiles.tile(j)
        for i in 0..<sj {
          for l in 0..<sj { tile[l + i * sj] = l >= i ? v[(j0 + i) + l * jEnd] : 0 }
        }
      }
      // 3. P = V·Vᵀ = LᵀL for L = Vᵀ, by column blocks: P[0..<jEnd, j] = Σ_{l ≥ j0} L[l, 0..<jEnd]ᵀ·L[l, j],
      //    split into the rows l below block j (strict lower triangle) and those of block j.
      WorkerPool.forEachChunk(threads: workers, chunkCount: blocks.count) { worker, chunk in
        let base = shared.value
        let j = chunk
        let j0 = blocks.start(j), sj = blocks.size(j), jEnd = j0 + sj
        let t = scratch[worker].base
        let tile = diagonalTiles.tile(j)
        t.update(repeating: 0, count: jEnd * sj)
        BLAS.gemm(transA: true, transB: false, m: jEnd, n: sj, k: n - jEnd, alpha: 1, base + jEnd, lda: n,
                  base + jEnd + j0 * n, ldb: n, beta: 1, t, ldc: jEnd)
        BLAS.gemm(transA: true, transB: false, m: j0, n: sj, k: sj, alpha: 1, base + j0, lda: n,
                  tile, ldb: sj, beta: 1, t, ldc: jEnd)
        BLAS.gemm(transA: true, transB: false, m: sj, n: sj, k: sj, alpha: 1, tile, lda: sj,
                  tile, ldb: sj, beta: 1, t + j0, ldc: jEnd)
        for c in 0..<sj { (base + (j0 + c) * n).update(from: t + c * jEnd, count: jEnd) }
      }
      // 4. Mirror the upper triangle, tile by tile.
      let tileRows = blocks.upperTileRows, tileColumns = blocks.upperTileColumns
      WorkerPool.forEachChunk(threads: workers, chunkCount: tileRows.count) { _, tile in
        let base = shared.value
        let i = tileRows[tile], j = tileColumns[tile]
        let i0 = blocks.start(i), si = blocks.size(i), j0 = blocks.start(j), sj = blocks.size(j)
        for column in 0..<sj {
          let rows = i == j ? column : si
          for row in 0..<rows { base[(j0 + column) + (i0 + row) * n] = base[(i0 + row) + (j0 + column) * n] }
        }
      }
      return true
    }
  }
}

/// The partition of `0..<n` into blocks of `size` (the last one may be shorter).
private struct Blocks: Sendable {
  let n: Int
  let size: Int
  var count: Int { (n + size - 1) / size }
  func start(_ block: Int) -> Int { block * size }
  func size(_ block: Int) -> Int { min(size, n - block * size) }

  /// The upper tiles (i ≤ j), column by column.
  var upperTileRows: [Int] { (0..<count).flatMap { j in Array(0...j) } }
  var upperTileColumns: [Int] { (0..<count).flatMap { j in [Int](repeating: j, count: j + 1) } }
}

/// The diagonal tiles of `L = (U⁻¹)ᵀ`, one `size × size` column-major tile per block; tile `j`
/// is written by the worker of block `j` only.
private final class DiagonalTiles {
  private let buffer: ScratchBuffer
  private let size: Int

  init(blocks: Blocks) {
    size = blocks.size
    buffer = ScratchBuffer(capacity: blocks.count * blocks.size * blocks.size)
  }

  func tile(_ block: Int) -> UnsafeMutablePointer<Float> { buffer.base + block * size * size }
}
