import ZhongcaoLinearAlgebra

extension InteractionMatrix {
  /// A 64-bit XXH64 hash (16 hex digits) of the ids, pairs and weights: two matrices with the
  /// same hash hold, with overwhelming probability, the same training data.
  public var contentHash: String {
    var hasher = XXH64Hasher()
    for map in [users, notes] {
      hasher.update(contentsOf: [map.count])
      for id in map.ids {
        hasher.update(ArraySlice(id.utf8))
        hasher.update(ArraySlice([0xFF]))
      }
    }
    hasher.update(contentsOf: byUser.offsets)
    hasher.update(contentsOf: byUser.indices)
    hasher.update(contentsOf: byUser.values)
    let hex = String(hasher.finalize(), radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
