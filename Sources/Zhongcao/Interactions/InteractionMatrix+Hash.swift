import ZhongcaoLinearAlgebra

extension InteractionMatrix {
  /// A 64-bit XXH64 hash (16 hex digits) of the ids, pairs and weights: two matrices with the
  /// same hash hold, with overwhelming probability, the same training data.
  public var contentHash: String { Self.contentHash(users: users, notes: notes, byUser: byUser) }

  /// ``contentHash`` of the matrix these parts would make, without building its transpose.
  static func contentHash(users: IDMap, notes: IDMap, byUser: SparseRows) -> String {
    var hasher = XXH64Hasher()
    let separator: [UInt8] = [0xFF]
    for map in [users, notes] {
      hasher.update(contentsOf: [map.count])
      map.forEachUTF8 { id in
        hasher.update(UnsafeRawBufferPointer(id))
        separator.withUnsafeBytes { hasher.update($0) }
      }
    }
    hasher.update(contentsOf: byUser.offsets)
    hasher.update(contentsOf: byUser.indices)
    hasher.update(contentsOf: byUser.values)
    let hex = String(hasher.finalize(), radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
