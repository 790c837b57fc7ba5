import Foundation
import ZhongcaoLinearAlgebra

/// Ids stored as one block of UTF-8 bytes with an offset table (the model file's id sections),
/// looked up through an open-addressing hash table of indices.
///
/// A memory-mapped model of 10⁷ users keeps its user ids this way: the bytes stay in the mapped
/// file and the only heap memory is the table, 8 bytes per id at most, instead of a `String` per
/// id and ``IDMap``'s own table (24–32 bytes each, and seconds of hashing with `String`'s hasher).
struct PackedIDs: Sendable {
  /// `count + 1` byte offsets into ``bytes``: id `i` is `bytes[ends[i] ..< ends[i + 1]]`.
  let ends: MappableArray<UInt64>
  /// The ids' UTF-8 bytes, back to back.
  let bytes: MappableArray<UInt8>
  /// Open addressing with linear probing: an id's index, or −1 for an empty slot. The capacity
  /// is a power of two at least twice the id count.
  private let slots: [Int32]

  /// Why a block of ids is not a valid id map.
  enum Problem: Error {
    /// The offsets do not start at 0, decrease, or do not end at the byte count.
    case offsets(String)
    /// Id `index` is not valid UTF-8.
    case invalidUTF8(index: Int)
    /// Ids `first` and `second` are equal.
    case duplicate(first: Int, second: Int)
  }

  /// Checks the block and builds the lookup table.
  ///
  /// - Throws: ``Problem`` naming the first thing wrong.
  /// - Complexity: O(bytes + count).
  init(ends: MappableArray<UInt64>, bytes: MappableArray<UInt8>) throws(Problem) {
    let count = ends.count - 1
    guard count >= 0, ends[0] == 0, ends[count] == UInt64(bytes.count) else {
      throw .offsets("id offsets run from \(ends.first ?? 0) to \(ends.last ?? 0), not 0 to \(bytes.count)")
    }
    var capacity = 16
    while capacity < 2 * count { capacity <<= 1 }
    let mask = capacity - 1
    var slots = [Int32](repeating: -1, count: capacity)
    // Non-decreasing offsets from 0 to the byte count keep every id inside the bytes.
    if let index = ends.withUnsafeBufferPointer({ ends in (0..<count).first { ends[$0] > ends[$0 + 1] } }) {
      throw .offsets("id offsets decrease at id \(index)")
    }
    var problem: Problem?
    ends.withUnsafeBufferPointer { ends in
      bytes.withUnsafeBufferPointer { text in
        // Pure ASCII (the usual case) is valid UTF-8 whatever the boundaries.
        var high: UInt8 = 0
        for byte in text { high |= byte }
        let ascii = high < 0x80
        for index in 0..<count {
          let id = UnsafeBufferPointer(rebasing: text[Int(ends[index])..<Int(ends[index + 1])])
          guard ascii || String(validating: id, as: UTF8.self) != nil else {
            problem = .invalidUTF8(index: index)
            return
          }
          var slot = Int(truncatingIfNeeded: Self.hash(id)) & mask
          while slots[slot] >= 0 {
            let other = Int(slots[slot])
            if Self.equal(id, UnsafeBufferPointer(rebasing: text[Int(ends[other])..<Int(ends[other + 1])])) {
              problem = .duplicate(first: other, second: index)
              return
            }
            slot = (slot + 1) & mask
          }
          slots[slot] = Int32(index)
        }
      }
    }
    if let problem { throw problem }
    self.ends = ends
    self.bytes = bytes
    self.slots = slots
  }

  /// Number of ids.
  var count: Int { ends.count - 1 }

  /// The id at `index`.
  subscript(index: Int) -> String {
    let range = Int(ends[index])..<Int(ends[index + 1])
    return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
  }

  /// The index of `id`, or nil.
  func index(of id: String) -> Int? {
    var id = id
    return id.withUTF8 { key in
      let mask = slots.count - 1
      var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
      return ends.withUnsafeBufferPointer { ends in
        bytes.withUnsafeBufferPointer { text in
          while slots[slot] >= 0 {
            let candidate = Int(slots[slot])
            let stored = UnsafeBufferPointer(rebasing: text[Int(ends[candidate])..<Int(ends[candidate + 1])])
            if Self.equal(key, stored) { return candidate }
            slot = (slot + 1) & mask
          }
          return nil
        }
      }
    }
  }

  /// Whether two byte strings are equal.
  @inline(__always)
  private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
  }

  /// FNV-1a over the bytes, then the MurmurHash3 finalizer so that the low bits (the table
  /// index) depend on every byte.
  private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    hash ^= hash >> 33
    hash = hash &* 0xff51_afd7_ed55_8ccd
    hash ^= hash >> 33
    hash = hash &* 0xc4ce_b9fe_1a85_ec53
    return hash ^ (hash >> 33)
  }
}
