import ZhongcaoLinearAlgebra

extension PopularityConfiguration {
  /// Trains the popularity baseline: one score per note, the same for every user.
  ///
  /// - ``Measure-swift.enum/users``: the number of distinct users who interacted with the note.
  /// - ``Measure-swift.enum/weight``: the note's summed event weight over all users (summed in
  ///   Double, rounded to Float once).
  ///
  /// - Parameter matrix: The interactions.
  /// - Returns: `N` scores for `N` notes, in note-index order (empty for an empty matrix).
  /// - Complexity: O(N + pairs).
  package func noteScores(for matrix: InteractionMatrix) -> [Float] {
    let byNote = matrix.byNote
    switch measure {
    case .users:
      return (0..<byNote.rowCount).map { Float(byNote.count(ofRow: $0)) }
    case .weight:
      return (0..<byNote.rowCount).map { i in
        var sum = 0.0
        for e in byNote.range(ofRow: i) { sum += Double(byNote.values[e]) }
        return Float(sum)
      }
    }
  }
}
