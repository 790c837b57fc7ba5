import ZhongcaoLinearAlgebra

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ItemKNNConfiguration {
  /// Trains item-kNN: the ``neighbours`` most similar notes of every note.
  ///
  /// Each note `i` is its column `x_i` of the users × notes matrix, with entries
  ///
  /// - ``Weighting-swift.enum/cosine``: `x_ui = t_ui`,
  /// - ``Weighting-swift.enum/bm25``: `x_ui = idf_u · t_ui·(k1 + 1) / (t_ui + k1·(1 − b + b·L_i / L̄))`,
  ///   `idf_u = ln(1 + (N − n_u + 0.5) / (n_u + 0.5))`,
  ///
  /// where `t_ui` is 1 for an observed pair when ``binary`` (else the summed event weight),
  /// `N` the number of notes, `n_u` the number of notes user `u` interacted with,
  /// `L_i = Σ_u t_ui` the note's length and `L̄` the mean length over all notes. That is Okapi
  /// BM25 (with the always-positive Lucene idf) with **notes as documents and users as terms**,
  /// as `implicit`'s `bm25_weight` applies it to the item × user matrix. The reason: the cosine
  /// divides each note's column by its norm, so any factor that is constant within a column
  /// cancels (up to the shrinkage). With notes as documents what survives is per user — a user
  /// who engages with many notes is weak evidence that two of them are related (low idf), and
  /// one user's repeated engagement saturates (k1). With users as documents the idf would be per
  /// note and cancel. In binary mode `t_ui = 1`, so the length normalisation is constant within
  /// a column and acts only through the shrinkage.
  ///
  /// Similarity, for `i ≠ j`: `s_ij = x_i·x_j / (‖x_i‖·‖x_j‖ + shrinkage)`, in Double, rounded
  /// to Float. Row `j` of the result lists the notes `i` with `s_ji > 0`, at most ``neighbours``
  /// of them, chosen by (score descending, note index ascending) on the Float scores; a user's
  /// score for note `i` is `Σ_j x_uj·S[j, i]`.
  ///
  /// Deterministic: the result is bitwise the same for every thread count.
  ///
  /// - Parameter matrix: The interactions.
  /// - Returns: `S` with rows = notes `j`, columns = notes `i`, values `s_ji`: at most
  ///   ``neighbours`` entries per row, no self-similarity, indices ascending within a row,
  ///   every value finite and positive.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for bad hyper-parameters, an
  ///   empty matrix, or summed weights that are not finite.
  /// - Complexity: O(Σ_u n_u² + Σ_i t_i·log k) time for `n_u` notes per user and `t_i` notes
  ///   co-occurring with note `i`; O(N·(k + threads)) memory besides the weighted copies of `X`.
  package func noteNeighbours(for matrix: InteractionMatrix) throws(ZhongcaoError) -> SparseRows {
    try validate()
    let n = matrix.notes.count
    guard n > 0 else { throw ZhongcaoError(.invalidArgument, "cannot train on an empty matrix") }
    guard matrix.byUser.values.allSatisfy(\.isFinite) else {
      throw ZhongcaoError(.invalidArgument, "item-kNN: a summed event weight is not finite; rescale the event weights or train with binary = true")
    }
    let threads = threads == 0 ? WorkerPool.defaultThreads : threads
    let byUser = weightedMatrix(matrix)
    return NoteCooccurrence.neighbours(byNote: byUser.transposed(), byUser: byUser, shrinkage: shrinkage,
                                       count: neighbours, threads: threads)
  }

  /// `X` with the entries the similarity uses (see ``noteNeighbours(for:)``): rows = users.
  package func weightedMatrix(_ matrix: InteractionMatrix) -> SparseRows {
    let byUser = matrix.byUser
    let binary = self.binary
    let term: (Int) -> Double = { e in binary ? 1 : Double(byUser.values[e]) }
    var values = [Float](repeating: 0, count: byUser.entryCount)
    switch weighting {
    case .cosine:
      for e in 0..<byUser.entryCount { values[e] = Float(term(e)) }
    case .bm25:
      let noteCount = byUser.columnCount
      var lengths = [Double](repeating: 0, count: noteCount)
      for e in 0..<byUser.entryCount { lengths[Int(byUser.indices[e])] += term(e) }
      let averageLength = lengths.reduce(0, +) / Double(noteCount)
      let k1 = Double(bm25K1), b = Double(bm25B), documents = Double(noteCount)
      for u in 0..<byUser.rowCount {
        let range = byUser.range(ofRow: u)
        let frequency = Double(range.count)
        let idf = log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
        for e in range {
          let t = term(e)
          guard t > 0 else { continue }
          let relativeLength = averageLength > 0 ? lengths[Int(byUser.indices[e])] / averageLength : 1
          values[e] = Float(idf * t * (k1 + 1) / (t + k1 * (1 - b + b * relativeLength)))
        }
      }
    }
    return SparseRows(rowCount: byUser.rowCount, columnCount: byUser.columnCount, offsets: byUser.offsets,
                      indices: byUser.indices, values: MappableArray(values))
  }
}
