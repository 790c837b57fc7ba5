/// The indices `0..<keys.count` grouped by a dense key in `0..<groupCount`, by a stable counting
/// sort: the indices whose key is `g` are ``subscript(_:)``, in increasing order. Two flat arrays
/// instead of an array (an allocation) per group.
struct IndexGroups: Sendable {
  /// Where each group starts in ``members``; `groupCount + 1` entries, the last `keys.count`.
  let starts: [Int]
  /// The indices, group after group.
  let members: [Int]

  /// Groups `0..<keys.count` by `keys`, each below `groupCount`.
  init(keys: [Int32], groupCount: Int) {
    var starts = [Int](repeating: 0, count: groupCount + 1)
    for key in keys { starts[Int(key) + 1] += 1 }
    for group in 0..<groupCount { starts[group + 1] += starts[group] }
    var next = starts, members = [Int](repeating: 0, count: keys.count)
    for (index, key) in keys.enumerated() {
      members[next[Int(key)]] = index
      next[Int(key)] += 1
    }
    self.starts = starts
    self.members = members
  }

  /// The number of groups.
  var count: Int { starts.count - 1 }

  /// The indices of group `group`, increasing.
  subscript(_ group: Int) -> ArraySlice<Int> { members[starts[group]..<starts[group + 1]] }
}
