import Foundation
import Testing
@testable import Zhongcao

/// `IDMap`'s own lookup table against a `Dictionary` doing the same job.
@Suite struct IDMapTests {
  @Test(arguments: [0, 1, 7, 8, 9, 100, 5000])
  func agreesWithADictionary(count: Int) {
    var generator = SplitMix64(seed: UInt64(count) + 1)
    var map = IDMap(), reference: [String: Int] = [:], order: [String] = []
    // Repeats, long and short ids, and canonically equivalent spellings of one id.
    let spellings = ["caf\u{E9}", "cafe\u{301}", "\u{212A}", "K", "种草", "", " ", String(repeating: "x", count: 40)]
    for step in 0..<(3 * count) {
      let id = generator.next() % 4 == 0 ? spellings[Int(generator.next() % UInt64(spellings.count))]
        : "u\(generator.next() % UInt64(max(1, count)))"
      let expected = reference[id] ?? order.count
      if reference[id] == nil {
        reference[id] = order.count
        order.append(id)
      }
      #expect(map.insert(id) == expected, "step \(step): \(id.debugDescription)")
    }
    #expect(map.count == order.count && map.ids == order)
    for (id, index) in reference { #expect(map.index(of: id) == index && map[index] == order[index]) }
    #expect(map.index(of: "absent") == nil && map.index(of: "cafe\u{301}") == map.index(of: "caf\u{E9}"))
    #expect(IDMap(order) == map)
  }

  @Test func reservingKeepsEveryIndex() {
    var map = IDMap(["a", "b"])
    map.reserveCapacity(10_000)
    for index in 0..<10_000 { #expect(map.insert("id\(index)") == index + 2) }
    #expect(map.index(of: "a") == 0 && map.index(of: "b") == 1 && map.index(of: "id9999") == 10_001)
  }
}
