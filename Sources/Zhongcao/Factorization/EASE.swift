import ZhongcaoLinearAlgebra

extension EASEConfiguration {
  /// Trains EASE: the dense note-to-note weights a user's seen notes give every note.
  ///
  /// With `X` the users × notes matrix (1 per observed pair, or the summed event weight when
  /// ``binary`` is false):
  ///
  ///     G = XᵀX + λI,   P = G⁻¹,   B_ij = −P_ij / P_jj (i ≠ j),   B_jj = 0
  ///
  /// and a user's score for note `i` is `Σ_j x_uj·B_ji`. The result stores row `j` of `B` (what
  /// seen note `j` contributes) as the contiguous column `j`:
  /// `W.storage[j·N + i] = B_ji`, i.e. `W[i, j] = B_ji` with ``Matrix``'s column-major subscript.
  ///
  /// Steps: the upper triangle of `XᵀX` from user outer products
  /// (``NoteCooccurrence/gram(byUser:byNote:binary:triangle:threads:)``), λ on the diagonal,
  /// the in-place blocked inverse (``SymmetricInverse``), and the in-place scaling
  /// (``NoteCooccurrence/easeWeights(fromInverse:threads:)``). Peak memory is one N × N Float32
  /// matrix plus O(N·(256 + 8·threads)) bytes; it is checked against ``maximumBytes`` before
  /// anything large is allocated.
  ///
  /// Precision contract: Float32 throughout the inverse. Every Gram entry is accumulated in
  /// Double and rounded once (exact counts in binary mode, up to 2²⁴ users per pair); the
  /// inverse has the accuracy of a Float32 Cholesky-based inverse, a relative error of order
  /// κ(G)·2⁻²⁴ with κ(G) ≤ (λ + ‖XᵀX‖)/λ — about 10⁻⁵ for typical λ in the hundreds. Tests hold
  /// `B` to 10⁻³ relative of a Double reference. The result is bitwise the same for every
  /// thread count on one machine and OpenBLAS kernel.
  ///
  /// - Parameter matrix: The interactions.
  /// - Returns: `W`, `N × N` for `N` notes, with a zero diagonal.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for bad hyper-parameters, an
  ///   empty matrix, or a problem needing more than ``maximumBytes``;
  ///   ``ZhongcaoError/Code-swift.struct/trainingFailed`` when the Gram matrix overflows Float
  ///   or cannot be inverted in Float32 (raise ``regularization``).
  /// - Complexity: O(Σ_u n_u² + N³) time for `n_u` notes per user.
  package func noteWeights(for matrix: InteractionMatrix) throws(ZhongcaoError) -> Matrix {
    try validate()
    let n = matrix.notes.count
    guard n > 0 else { throw ZhongcaoError(.invalidArgument, "cannot train on an empty matrix") }
    let threads = threads == 0 ? WorkerPool.defaultThreads : threads
    let needed = Self.requiredBytes(noteCount: n, threads: threads)
    guard needed <= Double(maximumBytes) else {
      throw ZhongcaoError(
        .invalidArgument,
        "EASE needs about \(Self.gibibytes(needed)) GiB for \(n) notes (one \(n)×\(n) Float32 matrix, inverted in place); the limit is \(Self.gibibytes(Double(maximumBytes))) GiB — use ALS or item-kNN, or raise maximumBytes")
    }
    var weights = NoteCooccurrence.gram(byUser: matrix.byUser, byNote: matrix.byNote, binary: binary,
                                        triangle: .upper, threads: threads)
    for i in 0..<n { weights[i, i] += regularization }
    guard weights.isFinite else {
      throw ZhongcaoError(.trainingFailed, "EASE: the Gram matrix XᵀX overflows Float32; rescale the event weights or train with binary = true")
    }
    guard SymmetricInverse.invertPositiveDefinite(&weights, threads: threads),
          NoteCooccurrence.easeWeights(fromInverse: &weights, threads: threads),
          weights.isFinite
    else {
      throw ZhongcaoError(.trainingFailed, "EASE: the Gram matrix XᵀX + λI is not positive definite in Float32 precision; raise the regularization (now \(regularization))")
    }
    return weights
  }

  /// The bytes ``noteWeights(for:)`` allocates for `noteCount` notes on `threads` workers: the
  /// `N × N` Float32 matrix, the two `256 × N` panels of the blocked inverse, and one Double
  /// row per worker for the Gram accumulation. (The interaction matrix itself is not counted.)
  package static func requiredBytes(noteCount: Int, threads: Int) -> Double {
    let n = Double(noteCount)
    return 4 * n * n + 2 * 4 * Double(SymmetricInverse.defaultBlockSize) * n + 8 * n * Double(max(threads, 1))
  }

  /// `bytes` in GiB with two decimals.
  private static func gibibytes(_ bytes: Double) -> String {
    let hundredths = (bytes / Double(1 << 30) * 100).rounded()
    let whole = Int(hundredths / 100), fraction = Int(hundredths) % 100
    return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}
