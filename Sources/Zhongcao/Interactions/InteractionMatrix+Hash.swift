extension InteractionMatrix {
  /// A 64-bit FNV-1a hash (16 hex digits) of the ids, pairs and weights: two matrices with the
  /// same hash hold, with overwhelming probability, the same training data.
  public var contentHash: String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    @inline(__always) func mix(_ value: UInt64) {
      var v = value
      for _ in 0..<8 {
        hash = (hash ^ (v & 0xFF)) &* 0x0000_0100_0000_01B3
        v >>= 8
      }
    }
    for id in users.ids { for byte in id.utf8 { mix(UInt64(byte)) }; mix(0xFF) }
    mix(UInt64(users.count))
    for id in notes.ids { for byte in id.utf8 { mix(UInt64(byte)) }; mix(0xFF) }
    mix(UInt64(notes.count))
    for offset in byUser.offsets { mix(UInt64(offset)) }
    for index in byUser.indices { mix(UInt64(UInt32(bitPattern: index))) }
    for value in byUser.values { mix(UInt64(value.bitPattern)) }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
