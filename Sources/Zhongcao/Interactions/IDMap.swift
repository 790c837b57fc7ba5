/// An ordered set of string ids, each with a dense index `0..<count` in order of first appearance.
///
/// Users and notes are named by strings everywhere in Zhongcao's API; factor matrices and sparse
/// matrices use the dense indices.
///
/// A map loaded from a memory-mapped model file keeps its ids packed in the file (one block of
/// UTF-8 bytes and a table of 32-bit indices) until something is inserted into it.
public struct IDMap: Sendable, Equatable {
  private var storedIDs: [String]
  private var indexByID: [String: Int32]
  /// Set for a map read from a model file in place; then `storedIDs` and `indexByID` are empty.
  private var packed: PackedIDs?

  /// An empty map.
  public init() {
    storedIDs = []
    indexByID = [:]
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
    indexByID.reserveCapacity(ids.count)
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
    return indexByID[id].map(Int.init)
  }

  /// The id at a dense index.
  public subscript(index: Int) -> String { packed?[index] ?? storedIDs[index] }

  /// Adds `id` if new and returns its index.
  @discardableResult
  public mutating func insert(_ id: String) -> Int {
    if packed != nil { unpack() }
    precondition(storedIDs.count < Int(Int32.max), "more than 2³¹−1 ids")
    let next = Int32(storedIDs.count)
    // One hash lookup: the `default:` subscript's modify accessor finds or creates the slot.
    let index = Self.claim(&indexByID[id, default: -1], next)
    if index == next { storedIDs.append(id) }
    return Int(index)
  }

  /// Turns packed ids into strings and a dictionary, so that ids can be added.
  private mutating func unpack() {
    let all = ids
    packed = nil
    indexByID.reserveCapacity(all.count)
    for (index, id) in all.enumerated() { indexByID[id] = Int32(index) }
    storedIDs = all
  }

  @inline(__always)
  private static func claim(_ slot: inout Int32, _ next: Int32) -> Int32 {
    if slot < 0 { slot = next }
    return slot
  }

  /// Reserves room for `count` ids.
  public mutating func reserveCapacity(_ count: Int) {
    if packed != nil { unpack() }
    storedIDs.reserveCapacity(count)
    indexByID.reserveCapacity(count)
  }

  public static func == (lhs: IDMap, rhs: IDMap) -> Bool {
    if lhs.packed == nil && rhs.packed == nil { return lhs.storedIDs == rhs.storedIDs }
    return lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
  }
}
