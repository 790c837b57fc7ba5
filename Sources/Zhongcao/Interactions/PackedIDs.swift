import Foundation
import ZhongcaoLinearAlgebra

/// Ids stored as one block of UTF-8 bytes with an offset table (the model file's id sections),
/// looked up through an open-addressing hash table of indices.
///
/// Ids are equal when they are canonically equivalent, as `String`s and ``IDMap``'s in-memory
/// ids are (`café` spelled with U+00E9 or with `e` + U+0301, the Kelvin sign and `K`): an id
/// with a non-ASCII byte is hashed and compared by its NFC form, an ASCII id by its bytes (its own
/// NFC form). A block of ASCII ids, the usual case, never normalizes anything.
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
    /// Ids `first` and `second` are equal (canonically equivalent).
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
          let id = Self.id(index, in: text, ends: ends)
          guard ascii || String(validating: id, as: UTF8.self) != nil else {
            problem = .invalidUTF8(index: index)
            return
          }
          func stored(_ other: Int) -> UnsafeBufferPointer<UInt8> { Self.id(other, in: text, ends: ends) }
          // ASCII ids are their own keys.
          let found = ascii
            ? Self.find(id, slots: slots, mask: mask) { Self.equal(id, stored($0)) }
            : Self.withCanonicalKey(id) { key in
              Self.find(key, slots: slots, mask: mask) { other in Self.withCanonicalKey(stored(other)) { Self.equal(key, $0) } }
            }
          if let other = found.index {
            problem = .duplicate(first: other, second: index)
            return
          }
          slots[found.slot] = Int32(index)
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

  /// The index of `id` (or of an id canonically equivalent to it), or nil.
  func index(of id: String) -> Int? {
    var id = id
    return id.withUTF8 { id in
      Self.withCanonicalKey(id) { key in
        ends.withUnsafeBufferPointer { ends in
          bytes.withUnsafeBufferPointer { text in
            Self.find(key, slots: slots, mask: slots.count - 1) { candidate in
              Self.withCanonicalKey(Self.id(candidate, in: text, ends: ends)) { Self.equal(key, $0) }
            }.index
          }
        }
      }
    }
  }

  /// The bytes of id `index`.
  @inline(__always)
  private static func id(
    _ index: Int, in text: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<UInt64>
  ) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: text[Int(ends[index])..<Int(ends[index + 1])])
  }

  /// Probes `slots` for `key` (a canonical key): the index of the stored id `matches` accepts,
  /// else the empty slot where the key belongs.
  @inline(__always)
  private static func find(
    _ key: UnsafeBufferPointer<UInt8>, slots: [Int32], mask: Int, matches: (Int) -> Bool
  ) -> (index: Int?, slot: Int) {
    var slot = Int(truncatingIfNeeded: hash(key)) & mask
    while slots[slot] >= 0 {
      let candidate = Int(slots[slot])
      if matches(candidate) { return (candidate, slot) }
      slot = (slot + 1) & mask
    }
    return (nil, slot)
  }

  /// Calls `body` with the key `id` (valid UTF-8) is hashed and compared by: its bytes when they
  /// are their own NFC form for sure (``isNormalizationStable(_:)``), else the UTF-8 of its NFC form.
  @inline(__always)
  private static func withCanonicalKey<Result>(
    _ id: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result
  ) -> Result {
    if isNormalizationStable(id) { return body(id) }
    // The standard library's NFC, the form `String`'s `==` compares by. (Foundation's
    // `precomposedStringWithCanonicalMapping` on Linux leaves 가 + ᆨ uncomposed, though `==`
    // takes it for 각.)
    return String(decoding: id, as: UTF8.self)._nfcCodeUnits.withUnsafeBufferPointer(body)
  }

  /// Whether every scalar of `utf8` (valid UTF-8) lies in ranges that NFC leaves alone, alone and
  /// next to each other: ASCII, Latin-1, kana, CJK ideographs (not the compatibility ones, which
  /// NFC maps to others), Hangul syllables, full-width ASCII forms and the emoji blocks. None of
  /// them has a singleton decomposition or a non-zero combining class, and none is the second
  /// part of a composition, so a string of them is in NFC. Anything else is normalized.
  static func isNormalizationStable(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    var bytes = utf8.makeIterator()
    var decoder = Unicode.UTF8()
    while true {
      switch decoder.decode(&bytes) {
      case .scalarValue(let scalar):
        switch scalar.value {
        case 0...0xFF, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
          0xFF01...0xFF5E, 0x1F300...0x1FAFF:
          continue
        default:
          return false
        }
      case .emptyInput: return true
      case .error: return false
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
