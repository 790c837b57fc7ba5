/// An ordered set of string ids, each with a dense index `0..<count` in order of first appearance.
///
/// Users and notes are named by strings everywhere in Zhongcao's API; factor matrices and sparse
/// matrices use the dense indices.
public struct IDMap: Sendable, Equatable {
  /// The ids in index order.
  public private(set) var ids: [String]
  private var indexByID: [String: Int32]

  /// An empty map.
  public init() {
    ids = []
    indexByID = [:]
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

  /// Number of ids.
  public var count: Int { ids.count }

  /// The dense index of `id`, or nil if unknown.
  public func index(of id: String) -> Int? {
    indexByID[id].map(Int.init)
  }

  /// The id at a dense index.
  public subscript(index: Int) -> String { ids[index] }

  /// Adds `id` if new and returns its index.
  @discardableResult
  public mutating func insert(_ id: String) -> Int {
    precondition(ids.count < Int(Int32.max), "more than 2³¹−1 ids")
    let next = Int32(ids.count)
    // One hash lookup: the `default:` subscript's modify accessor finds or creates the slot.
    let index = Self.claim(&indexByID[id, default: -1], next)
    if index == next { ids.append(id) }
    return Int(index)
  }

  @inline(__always)
  private static func claim(_ slot: inout Int32, _ next: Int32) -> Int32 {
    if slot < 0 { slot = next }
    return slot
  }

  /// Reserves room for `count` ids.
  public mutating func reserveCapacity(_ count: Int) {
    ids.reserveCapacity(count)
    indexByID.reserveCapacity(count)
  }

  public static func == (lhs: IDMap, rhs: IDMap) -> Bool { lhs.ids == rhs.ids }
}
