/// An ordered set of string ids, each with a dense index `0..<count` in order of first appearance.
///
/// Users and notes are named by strings everywhere in Zhongcao's API; factor matrices and sparse
/// matrices use the dense indices.
///
/// A map loaded from a memory-mapped model file keeps its ids packed in the file (one block of
/// UTF-8 bytes and a table of 32-bit indices) until something is inserted into it.
public struct IDMap: Sendable, Equatable {
  private var storedIDs: [String]
  /// Where each id of `storedIDs` is found by its hash.
  private var indexByID: StringIndex
  /// Set for a map read from a model file in place; then `storedIDs` and `indexByID` are empty.
  private var packed: PackedIDs?

  /// An empty map.
  public init() {
    storedIDs = []
    indexByID = StringIndex()
  }

  /// A map over packed ids (see ``PackedIDs``).
  init(packed: PackedIDs) {
    self.init()
    self.packed = packed
  }

  /// The ids in index order. For a map loaded in place from a memory-mapped model this builds
  /// the array, O(count).
  public var ids: [String] {
    guard let packed else { return storedIDs }
    return (0..<packed.count).map { packed[$0] }
  }

  /// A map of the given ids in order. Duplicates are a programmer error.
  public init(_ ids: [String]) {
    self.init()
    indexByID.reserveCapacity(ids.count, ids: storedIDs)
    for id in ids {
      let before = count
      precondition(insert(id) == before, "duplicate id '\(id)'")
    }
  }

  /// Calls `body` with the UTF-8 bytes of every id in index order, without making a `String`
  /// of a packed id.
  func forEachUTF8(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    if let packed {
      packed.ends.withUnsafeBufferPointer { ends in
        packed.bytes.withUnsafeBufferPointer { text in
          for index in 0..<packed.count { body(UnsafeBufferPointer(rebasing: text[Int(ends[index])..<Int(ends[index + 1])])) }
        }
      }
    } else {
      for var id in storedIDs { id.withUTF8(body) }
    }
  }

  /// Number of ids.
  public var count: Int { packed?.count ?? storedIDs.count }

  /// The dense index of `id`, or nil if unknown.
  public func index(of id: String) -> Int? {
    if let packed { return packed.index(of: id) }
    return indexByID.find(id, in: storedIDs).index.map(Int.init)
  }

  /// The id at a dense index.
  public subscript(index: Int) -> String { packed?[index] ?? storedIDs[index] }

  /// Adds `id` if new and returns its index.
  @discardableResult
  public mutating func insert(_ id: String) -> Int {
    if packed != nil { unpack() }
    precondition(storedIDs.count < Int(Int32.max), "more than 2³¹−1 ids")
    let (found, slot, hash) = indexByID.find(id, in: storedIDs)
    if let found { return Int(found) }
    storedIDs.append(id)
    indexByID.insert(Int32(storedIDs.count - 1), hash: hash, slot: slot, ids: storedIDs)
    return storedIDs.count - 1
  }

  /// Turns packed ids into strings and a dictionary, so that ids can be added.
  private mutating func unpack() {
    let all = ids
    packed = nil
    indexByID = StringIndex(all)
    storedIDs = all
  }

  /// Reserves room for `count` ids.
  public mutating func reserveCapacity(_ count: Int) {
    if packed != nil { unpack() }
    storedIDs.reserveCapacity(count)
    indexByID.reserveCapacity(count, ids: storedIDs)
  }

  public static func == (lhs: IDMap, rhs: IDMap) -> Bool {
    if lhs.packed == nil && rhs.packed == nil { return lhs.storedIDs == rhs.storedIDs }
    return lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
  }
}

/// The lookup table of an ``IDMap``'s strings: open addressing with linear probing over 32-bit
/// indices into the map's array of ids, at most half full.
///
/// A `[String: Int32]` kept each id a second time (16 bytes) beside its index in slots at most
/// three quarters full, about 27–53 bytes an id; this table holds 4-byte indices only, 8–16
/// bytes an id, and compares candidates with the ids themselves. It hashes and compares with
/// `String`'s own hashing and equality, so canonically equivalent spellings (`é` as one scalar
/// or as `e` and a combining accent) are one id, as they were as dictionary keys.
private struct StringIndex: Sendable {
  /// Index + 1 of the id in each slot; 0 for an empty slot. The count is a power of two.
  private var slots: [UInt32] = []
  private var occupied = 0

  init() {}

  /// A table of `ids`, which must be distinct.
  init(_ ids: [String]) {
    reserveCapacity(ids.count, ids: ids)
    for index in ids.indices {
      let (_, slot, hash) = find(ids[index], in: ids)
      insert(Int32(index), hash: hash, slot: slot, ids: ids)
    }
  }

  /// The index of `id` in `ids` if it is there; else the slot it would go to, and its hash.
  func find(_ id: String, in ids: [String]) -> (index: Int32?, slot: Int, hash: Int) {
    let hash = id.hashValue
    guard !slots.isEmpty else { return (nil, 0, hash) }
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 {
      let candidate = Int(slots[slot] - 1)
      if ids[candidate] == id { return (Int32(candidate), slot, hash) }
      slot = (slot + 1) & mask
    }
    return (nil, slot, hash)
  }

  /// Puts `index` (whose id has `hash`) into `slot`, the empty slot ``find(_:in:)`` gave; grows
  /// the table first when that would fill more than half of it. `ids` holds the id already.
  mutating func insert(_ index: Int32, hash: Int, slot: Int, ids: [String]) {
    if 2 * (occupied + 1) > slots.count {
      grow(to: max(16, 2 * slots.count), ids: ids)
      var slot = hash & (slots.count - 1)
      while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
      slots[slot] = UInt32(index) + 1
    } else {
      slots[slot] = UInt32(index) + 1
    }
    occupied += 1
  }

  /// Room for `count` ids without growing.
  mutating func reserveCapacity(_ count: Int, ids: [String]) {
    var capacity = max(16, slots.count)
    while capacity < 2 * count { capacity <<= 1 }
    if capacity > slots.count { grow(to: capacity, ids: ids) }
  }

  /// Rebuilds the table with `capacity` slots from the indices it holds.
  private mutating func grow(to capacity: Int, ids: [String]) {
    let old = slots
    slots = [UInt32](repeating: 0, count: capacity)
    let mask = capacity - 1
    for entry in old where entry != 0 {
      var slot = ids[Int(entry - 1)].hashValue & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = entry
    }
  }
}
