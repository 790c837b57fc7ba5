internal import COpenBLAS

/// The one choke point for LAPACK calls: owns the hidden Fortran string lengths and translates
/// `info`. An illegal argument is our bug and traps; a matrix that is not positive definite is a
/// data problem reported to the caller.
package enum LAPACK {
  /// Solves `A·x = b` in place for symmetric positive definite `a` (`n×n`, upper triangle used),
  /// overwriting `a` with its Cholesky factor and `b` with the solution. Returns false when A is
  /// not positive definite.
  static func solvePositiveDefinite(
    _ a: UnsafeMutablePointer<Float>, n: Int, _ b: UnsafeMutablePointer<Float>, rightHandSides: Int = 1
  ) -> Bool {
    var n32 = blasint(n), nrhs = blasint(rightHandSides), lda = blasint(max(n, 1)), info: blasint = 0
    var ldb = lda
    var uplo = CChar(UInt8(ascii: "U"))
    sposv_(&uplo, &n32, &nrhs, a, &lda, b, &ldb, &info, 1)
    precondition(info >= 0, "sposv argument \(-info) is invalid")
    return info == 0
  }

  /// Cholesky-factorizes `a` in place (upper triangle). Returns false when not positive definite.
  static func factorPositiveDefinite(_ a: UnsafeMutablePointer<Float>, n: Int) -> Bool {
    var n32 = blasint(n), lda = blasint(max(n, 1)), info: blasint = 0
    var uplo = CChar(UInt8(ascii: "U"))
    spotrf_(&uplo, &n32, a, &lda, &info, 1)
    precondition(info >= 0, "spotrf argument \(-info) is invalid")
    return info == 0
  }

  /// Solves with a factor from `factorPositiveDefinite`, overwriting `b` (n × rightHandSides).
  static func solveFactored(
    _ factor: UnsafePointer<Float>, n: Int, _ b: UnsafeMutablePointer<Float>, rightHandSides: Int = 1
  ) {
    var n32 = blasint(n), nrhs = blasint(rightHandSides), lda = blasint(max(n, 1)), info: blasint = 0
    var ldb = lda
    var uplo = CChar(UInt8(ascii: "U"))
    spotrs_(&uplo, &n32, &nrhs, factor, &lda, b, &ldb, &info, 1)
    precondition(info >= 0, "spotrs argument \(-info) is invalid")
  }

  /// Inverts a symmetric positive definite matrix in place (both triangles filled on return).
  /// Returns false when it is not positive definite.
  package static func invertPositiveDefinite(_ a: inout Matrix) -> Bool {
    precondition(a.rows == a.columns, "cannot invert a \(a.rows)×\(a.columns) matrix")
    let n = a.rows
    return a.storage.withUnsafeMutableBufferPointer { p in
      guard let base = p.baseAddress else { return true }
      guard factorPositiveDefinite(base, n: n) else { return false }
      var n32 = blasint(n), lda = blasint(max(n, 1)), info: blasint = 0
      var uplo = CChar(UInt8(ascii: "U"))
      spotri_(&uplo, &n32, base, &lda, &info, 1)
      precondition(info >= 0, "spotri argument \(-info) is invalid")
      guard info == 0 else { return false }
      BLAS.mirrorUpperTriangle(base, n: n, ldc: n)
      return true
    }
  }

  /// Solves `a·x = b` for SPD `a` (copied; `a` is not modified). Returns nil when `a` is not
  /// positive definite.
  package static func solve(_ a: Matrix, _ b: [Float]) -> [Float]? {
    precondition(a.rows == a.columns && b.count == a.rows, "solve: shapes \(a.rows)×\(a.columns) and \(b.count) differ")
    var factor = a.storage, x = b
    let ok = factor.withUnsafeMutableBufferPointer { pa in
      x.withUnsafeMutableBufferPointer { px in
        guard let pa = pa.baseAddress, let px = px.baseAddress else { return true }
        return solvePositiveDefinite(pa, n: a.rows, px)
      }
    }
    return ok ? x : nil
  }
}
