internal import COpenBLAS

/// Thin wrappers over cblas, column-major only. BLAS lettering (m, n, k, lda) lives only here and
/// in LAPACK.swift. Pointer-level entry points are `internal`: kernels in this module use them;
/// other modules see only the `Matrix` overloads.
package enum BLAS {
  /// Elements of the row chunks used for deterministic Gram matrices.
  static let gramChunkRows = 8192

  // MARK: Pointer level (internal)

  /// C = alpha·op(A)·op(B) + beta·C, column-major. `a` is `(transA ? k×m : m×k)` with leading
  /// dimension `lda`; `b` is `(transB ? n×k : k×n)` with `ldb`; `c` is m×n with `ldc`.
  @inline(__always)
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(max(lda, 1)), b, blasint(max(ldb, 1)),
      beta, c, blasint(max(ldc, 1)))
  }

  /// y = alpha·op(A)·x + beta·y, A is m×n column-major with leading dimension `lda`.
  @inline(__always)
  static func gemv(
    trans: Bool, m: Int, n: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
    _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>
  ) {
    if m == 0 || n == 0 {
      // BLAS would leave y untouched; honour beta ourselves so callers need no special case.
      let count = trans ? n : m
      if beta == 0 { y.update(repeating: 0, count: count) } else if beta != 1 {
        for i in 0..<count { y[i] *= beta }
      }
      return
    }
    cblas_sgemv(
      CblasColMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a,
      blasint(max(lda, 1)), x, 1, beta, y, 1)
  }

  /// C = alpha·AᵀA + beta·C on the upper triangle, A is k×n column-major (`ldа` = lda), C is n×n.
  @inline(__always)
  static func syrkTransposed(
    n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int, beta: Float,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if n == 0 { return }
    cblas_ssyrk(
      CblasColMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a,
      blasint(max(lda, 1)), beta, c, blasint(max(ldc, 1)))
  }

  /// Solves `op(A)·X = B` in place (`B` becomes `X`), `A` upper triangular with a non-unit
  /// diagonal (its strict lower triangle is not read), `op(A) = Aᵀ` when `transA`.
  /// `a` is m×m with leading dimension `lda`; `b` is m×n with `ldb`.
  @inline(__always)
  static func upperTriangularSolve(
    transA: Bool, m: Int, n: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafeMutablePointer<Float>, ldb: Int
  ) {
    if m == 0 || n == 0 { return }
    cblas_strsm(
      CblasColMajor, CblasLeft, CblasUpper, transA ? CblasTrans : CblasNoTrans, CblasNonUnit,
      blasint(m), blasint(n), 1, a, blasint(max(lda, 1)), b, blasint(max(ldb, 1)))
  }

  /// Dot product of two contiguous vectors.
  @inline(__always)
  static func dot(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
    cblas_sdot(blasint(count), x, 1, y, 1)
  }

  /// Copies the upper triangle of the n×n column-major matrix into its lower triangle.
  static func mirrorUpperTriangle(_ c: UnsafeMutablePointer<Float>, n: Int, ldc: Int) {
    for column in 0..<n {
      for row in 0..<column { c[column + row * ldc] = c[row + column * ldc] }
    }
  }

  // MARK: Matrix level (package)

  /// `result = alpha · op(a) · op(b) + beta · result`.
  package static func multiply(
    _ a: Matrix, by b: Matrix, transposingLeft transA: Bool = false, transposingRight transB: Bool = false,
    alpha: Float = 1, beta: Float = 0, into result: inout Matrix
  ) {
    let m = transA ? a.columns : a.rows
    let k = transA ? a.rows : a.columns
    let n = transB ? b.rows : b.columns
    precondition(k == (transB ? b.columns : b.rows), "inner dimensions differ: \(k) vs \(transB ? b.columns : b.rows)")
    precondition(result.rows == m && result.columns == n, "result is \(result.rows)×\(result.columns), expected \(m)×\(n)")
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        result.storage.withUnsafeMutableBufferPointer { pc in
          guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
          gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, pa, lda: a.rows,
               pb, ldb: b.rows, beta: beta, pc, ldc: result.rows)
        }
      }
    }
  }

  /// The product `op(a) · op(b)`.
  package static func product(
    _ a: Matrix, _ b: Matrix, transposingLeft transA: Bool = false, transposingRight transB: Bool = false
  ) -> Matrix {
    var result = Matrix(rows: transA ? a.columns : a.rows, columns: transB ? b.rows : b.columns)
    multiply(a, by: b, transposingLeft: transA, transposingRight: transB, into: &result)
    return result
  }

  /// `y = op(a) · x`.
  package static func product(_ a: Matrix, vector x: [Float], transposed: Bool = false) -> [Float] {
    precondition(x.count == (transposed ? a.rows : a.columns), "vector length \(x.count) does not fit \(a.rows)×\(a.columns)")
    var y = [Float](repeating: 0, count: transposed ? a.columns : a.rows)
    a.storage.withUnsafeBufferPointer { pa in
      x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
          guard let pa = pa.baseAddress, let px = px.baseAddress, let py = py.baseAddress else { return }
          gemv(trans: transposed, m: a.rows, n: a.columns, alpha: 1, pa, lda: a.rows, px, beta: 0, py)
        }
      }
    }
    return y
  }

  /// `result = F·Fᵀ = Σ_j f_j f_jᵀ` for a factor matrix `F` stored `factorCount × count` (one
  /// column per entity): the `factorCount × factorCount` Gram matrix of the factors.
  ///
  /// Summed over fixed chunks of `gramChunkRows` entities in a fixed order, so the result is
  /// bitwise the same whatever the thread count.
  package static func gramOfColumns(_ factors: Matrix, into result: inout Matrix) {
    // factors is k × n (each column one entity). Σ_j y_j y_jᵀ = F·Fᵀ (k×k).
    let k = factors.rows, n = factors.columns
    precondition(result.rows == k && result.columns == k, "gram result must be \(k)×\(k)")
    BLASRuntime.useSingleThreadedCalls()
    var chunkResult = [Float](repeating: 0, count: k * k)
    for i in result.storage.indices { result.storage[i] = 0 }
    factors.storage.withUnsafeBufferPointer { pf in
      guard let pf = pf.baseAddress else { return }
      result.storage.withUnsafeMutableBufferPointer { pr in
        chunkResult.withUnsafeMutableBufferPointer { pc in
          guard let pr = pr.baseAddress, let pc = pc.baseAddress else { return }
          var start = 0
          while start < n {
            let count = min(gramChunkRows, n - start)
            // C (k×k) = A·Aᵀ where A = F[:, start..<start+count] (k × count): syrk NoTrans.
            cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, blasint(k), blasint(count), 1,
                        pf + start * k, blasint(max(k, 1)), 0, pc, blasint(max(k, 1)))
            for column in 0..<k { for row in 0...column { pr[row + column * k] += pc[row + column * k] } }
            start += count
          }
          mirrorUpperTriangle(pr, n: k, ldc: k)
        }
      }
    }
  }
}
