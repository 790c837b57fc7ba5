import Testing

@testable import Zhongcao

/// The id table of the interaction and impression loaders: a key is the same key whatever
/// collection its bytes come in, and every key inserted is found again, distinct from the others.
@Suite struct ByteKeyedIDsTests {
  /// Random keys of 0…20 bytes over a 3-letter alphabet, so that many keys differ in one byte
  /// only, anywhere (the packed keys of up to 8 bytes are read by two overlapping loads).
  static func keys(count: Int, seed: UInt64) -> [[UInt8]] {
    var random = TestRandom(seed: seed)
    return (0..<count).map { _ in (0..<Int(random.next() % 21)).map { _ in UInt8(ascii: "a") + UInt8(random.next() % 3) } }
  }

  @Test func hashIsTheSameForEveryCollection() {
    for key in Self.keys(count: 2_000, seed: 3) {
      let padded = [0x7A, 0x7A] + key + [0x7A, 0x7A]
      let slice = padded[2..<(2 + key.count)]
      let copied = ByteKeyedIDs.hash(key.lazy.map { $0 })  // no contiguous storage: hashed from a copy
      #expect(ByteKeyedIDs.hash(key) == copied, "\(key)")
      #expect(ByteKeyedIDs.hash(slice) == copied, "\(key)")
      #expect(key.withUnsafeBufferPointer { ByteKeyedIDs.hash($0) } == copied, "\(key)")
    }
  }

  @Test func findsEveryInsertedKeyAndOnlyThose() {
    var table = ByteKeyedIDs()
    var reference: [[UInt8]: Int32] = [:]
    for key in Self.keys(count: 6_000, seed: 5) where !key.isEmpty {
      let hash = ByteKeyedIDs.hash(key)
      switch table.find(key, hash: hash) {
      case .found(let index):
        #expect(reference[key] == index, "\(key) found as \(index)")
      case .missing(let slot):
        #expect(reference[key] == nil, "\(key) inserted before but missing")
        let index = Int32(reference.count)
        // Inserted from a slice of a larger array, looked up below as an array: the same key.
        let padded = [0x7A] + key + [0x7A]
        table.insert(padded[1..<(1 + key.count)], index: index, hash: hash, slot: slot)
        reference[key] = index
      }
    }
    #expect(reference.count > 1_000)
    for (key, index) in reference {
      guard case .found(let found) = table.find(key, hash: ByteKeyedIDs.hash(key)) else {
        Issue.record("\(key) not found")
        continue
      }
      #expect(found == index, "\(key)")
    }
    for key in [Array("d".utf8), Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8), [0x61, 0x00]] {
      guard case .missing = table.find(key, hash: ByteKeyedIDs.hash(key)) else {
        Issue.record("\(key) found but never inserted")
        continue
      }
    }
  }
}
