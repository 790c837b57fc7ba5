import ZhongcaoLinearAlgebra

/// The user × note matrix of summed event weights, in CSR form (64-bit offsets) with its
/// transpose, ready for training.
public struct InteractionMatrix: Sendable, Equatable {
  /// User ids; row `u` is `users[u]`.
  public let users: IDMap
  /// Note ids; column `i` is `notes[i]`.
  public let notes: IDMap
  /// Rows = users, columns = notes, values = summed weights.
  package let byUser: SparseRows
  /// Rows = notes, columns = users (the transpose).
  package let byNote: SparseRows

  /// Sums repeated (user, note) pairs of `interactions` into a sparse matrix.
  public init(_ interactions: Interactions) {
    users = interactions.users
    notes = interactions.notes
    byUser = SparseRows(rowCount: users.count, columnCount: notes.count, rows: interactions.userIndices,
                        columns: interactions.noteIndices, values: interactions.weights)
    byNote = byUser.transposed()
  }

  /// A matrix over existing parts (model loading, imports).
  package init(users: IDMap, notes: IDMap, byUser: SparseRows) {
    precondition(byUser.rowCount == users.count && byUser.columnCount == notes.count, "matrix shape differs from the id maps")
    self.users = users
    self.notes = notes
    self.byUser = byUser
    self.byNote = byUser.transposed()
  }

  /// Number of distinct (user, note) pairs.
  public var pairCount: Int { byUser.entryCount }

  /// The notes of one user with their summed weights, in note-index order.
  public func notes(ofUser user: String) -> [(note: String, weight: Float)] {
    guard let u = users.index(of: user) else { return [] }
    return byUser.range(ofRow: u).map { (notes[Int(byUser.indices[$0])], byUser.values[$0]) }
  }
}

extension InteractionMatrix {
  /// Bytes held by the matrix and its transpose (offsets, indices, values).
  public var storageBytes: Int {
    [byUser, byNote].reduce(0) { $0 + 8 * $1.offsets.count + 4 * $1.indices.count + 4 * $1.values.count }
  }
}
