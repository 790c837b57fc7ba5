import Synchronization

/// Keeps cache-warming loads from being optimised away: their combined value is stored here.
///
/// Lookups in large tables are bound by memory latency. Loading the entries a batch will need in
/// a short loop of independent loads lets the misses overlap; the values themselves are unused.
enum CacheWarming {
  private static let sink = Atomic<UInt64>(0)

  /// Records `value` (a combination of warmed entries) so the loads producing it are kept.
  static func keep(_ value: UInt64) {
    sink.store(value, ordering: .relaxed)
  }
}

/// Dense indices of ids given as bytes: a hash table keyed by the id's UTF-8, so that an id seen
/// before costs a hash and a comparison, and only a new id becomes a `String`.
///
/// Keys are any collection of bytes (the loader's array slices, a `String`'s UTF-8 buffer). The
/// indices are ``map``'s (``insert(_:id:hash:slot:)``, where canonically equivalent spellings
/// share an index), or the caller's own (``insert(_:index:hash:slot:)``, one per byte sequence).
///
/// Lookups are bound by memory latency on large id sets, so a slot holds as much as possible:
/// ids of up to 8 bytes (numeric ids, short names) are stored in the slot itself, and longer ones
/// keep a hash tag and the offset of their bytes, so a hit touches one or two cache lines.
struct ByteKeyedIDs {
  /// One table entry.
  private struct Slot {
    /// Up to 8 bytes: the key, packed little-endian. Longer: hash tag (high 24 bits) and the
    /// offset of the key in `keyBytes` (low 40 bits).
    var word: UInt64
    /// Key length (high 32 bits) and id index + 1 (low 32 bits); 0 = empty slot.
    var meta: UInt64
  }

  /// The ids as strings, in order of first appearance.
  private(set) var map = IDMap()
  /// Open addressing with linear probing, at most half full so that a probe rarely leaves the
  /// first cache line (the one ``touch(_:)`` loads ahead).
  private var slots: [Slot]
  private var occupied = 0
  /// The bytes of keys longer than 8 bytes.
  private var keyBytes: [UInt8] = []

  private static let tagMask: UInt64 = 0xFFFF_FF00_0000_0000

  /// The longest key the table stores (its length must fit the slot's 32 bits).
  static let maximumKeyLength = Int(UInt32.max)

  init() {
    slots = Array(repeating: Slot(word: 0, meta: 0), count: 1024)
  }

  /// Where a key is: its id index, or the empty slot where it would go.
  enum Lookup {
    case found(Int32)
    case missing(slot: Int)
  }

  /// Looks `key` up; `hash` must be ``hash(_:)`` of `key`.
  func find(_ key: some Collection<UInt8>, hash: UInt64) -> Lookup {
    Self.withBytes(key) { find(bytes: $0, hash: hash) }
  }

  /// Calls `body` with the bytes of `key` as one buffer: the key's own storage when it is
  /// contiguous (the loaders' slices and buffers), so that packing, hashing and comparing do not
  /// go through a slice's bounds-checked indices byte by byte; a copy otherwise.
  @inline(__always)
  private static func withBytes<Result>(_ key: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    key.withContiguousStorageIfAvailable(body) ?? Array(key).withUnsafeBufferPointer(body)
  }

  private func find(bytes key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Lookup {
    let length = key.count
    let isShort = length <= 8
    let word = isShort ? Self.pack(key) : 0
    let tag = hash & Self.tagMask
    let lengthBits = UInt64(truncatingIfNeeded: length) << 32
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = slots[slot]
      if entry.meta == 0 { return .missing(slot: slot) }
      if entry.meta & 0xFFFF_FFFF_0000_0000 == lengthBits {
        if isShort {
          if entry.word == word { return .found(Int32(truncatingIfNeeded: entry.meta & 0xFFFF_FFFF) - 1) }
        } else if entry.word & Self.tagMask == tag, equals(key, at: Int(entry.word & ~Self.tagMask)) {
          return .found(Int32(truncatingIfNeeded: entry.meta & 0xFFFF_FFFF) - 1)
        }
      }
      slot = (slot + 1) & mask
    }
  }

  /// Adds `key`, spelling `id`, at the empty `slot` that ``find(_:hash:)`` returned (with no
  /// insertion in between); returns the id's index.
  mutating func insert(_ key: some Collection<UInt8>, id: String, hash: UInt64, slot: Int) -> Int32 {
    let index = Int32(map.insert(id))
    insert(key, index: index, hash: hash, slot: slot)
    return index
  }

  /// Adds `key` with an index the caller chose (``map`` is left alone), at the empty `slot` that
  /// ``find(_:hash:)`` returned (with no insertion in between).
  mutating func insert(_ key: some Collection<UInt8>, index: Int32, hash: UInt64, slot: Int) {
    precondition(key.count <= Self.maximumKeyLength && index >= 0 && index < Int32.max && slots[slot].meta == 0, "id table misuse")
    var word: UInt64
    if key.count <= 8 {
      word = Self.withBytes(key, Self.pack)
    } else {
      word = (hash & Self.tagMask) | UInt64(keyBytes.count)
      keyBytes.append(contentsOf: key)
    }
    slots[slot] = Slot(word: word, meta: UInt64(key.count) << 32 | UInt64(index + 1))
    occupied += 1
    if occupied * 2 > slots.count { grow() }
  }

  /// Reads the slot where a key with `hash` starts its probe, to bring it into the cache ahead
  /// of ``find(_:hash:)``.
  func touch(_ hash: UInt64) -> UInt64 {
    slots[Int(truncatingIfNeeded: hash) & (slots.count - 1)].meta
  }

  /// Whether the long key stored at `offset` equals `key` (lengths are known to match).
  private func equals(_ key: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
    keyBytes[offset..<(offset + key.count)].withUnsafeBufferPointer { key.elementsEqual($0) }
  }

  private mutating func grow() {
    let old = slots
    slots = Array(repeating: Slot(word: 0, meta: 0), count: old.count * 2)
    let mask = slots.count - 1
    for entry in old where entry.meta != 0 {
      let length = Int(entry.meta >> 32)
      let hash = length <= 8
        ? Self.mix(entry.word ^ UInt64(length) << 59)
        : Self.hash(keyBytes[Int(entry.word & ~Self.tagMask)..<Int(entry.word & ~Self.tagMask) + length])
      var slot = Int(truncatingIfNeeded: hash) & mask
      while slots[slot].meta != 0 { slot = (slot + 1) & mask }
      slots[slot] = entry
    }
  }

  /// The hash of a key: keys of up to 8 bytes are packed into a word and mixed; longer keys go
  /// through FNV-1a and the same finaliser, so both the slot (low bits) and the tag (high bits)
  /// depend on every byte.
  static func hash(_ key: some Collection<UInt8>) -> UInt64 {
    withBytes(key) { key in
      if key.count <= 8 { return mix(pack(key) ^ UInt64(key.count) << 59) }
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for byte in key {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
      }
      return mix(hash)
    }
  }

  /// The id spelled by `bytes`, or nil when they are not valid UTF-8. An ASCII id (most of them)
  /// is made without the generic validation of `String(validating:as:)`, which costs more than
  /// the rest of an event of a loader.
  static func id(validating bytes: ArraySlice<UInt8>) -> String? {
    bytes.withUnsafeBufferPointer { bytes in
      var ascii: UInt8 = 0
      for byte in bytes { ascii |= byte }
      return ascii < 0x80 ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }
  }

  /// Up to 8 bytes packed little-endian into a word, by two loads that may overlap (the first
  /// and the last 4, or 2, bytes: a byte in both lands at its own place in each), not a loop.
  @inline(__always)
  private static func pack(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let count = key.count
    assert(count <= 8, "a packed key has at most 8 bytes")
    guard count > 1, let start = key.baseAddress else { return count == 1 ? UInt64(key[0]) : 0 }
    let bytes = UnsafeRawPointer(start)
    if count >= 4 {
      let low = UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
      let high = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
      return low | high &<< UInt64(8 * (count - 4))
    }
    let low = UInt64(UInt16(littleEndian: bytes.loadUnaligned(as: UInt16.self)))
    let high = UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)))
    return low | high &<< UInt64(8 * (count - 2))
  }

  /// A 64-bit finaliser (MurmurHash3's fmix64).
  private static func mix(_ value: UInt64) -> UInt64 {
    var hash = value
    hash ^= hash >> 33
    hash = hash &* 0xff51_afd7_ed55_8ccd
    hash ^= hash >> 33
    hash = hash &* 0xc4ce_b9fe_1a85_ec53
    hash ^= hash >> 33
    return hash
  }
}
