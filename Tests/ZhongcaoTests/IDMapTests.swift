import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

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

  /// A memory-mapped model's ids (``PackedIDs``) find the same ids as the in-memory map, for
  /// canonically equivalent spellings too, stored either way round.
  @Test func packedIDsAgreeWithTheInMemoryMap() throws {
    func pack(_ ids: [String]) throws(PackedIDs.Problem) -> IDMap {
      var ends: [UInt64] = [0]
      for id in ids { ends.append(ends.last! + UInt64(id.utf8.count)) }
      return IDMap(packed: try PackedIDs(ends: MappableArray(ends), bytes: MappableArray(ids.flatMap { Array($0.utf8) })))
    }
    let stored = ["caf\u{E9}", "ne\u{301}e", "\u{212A}", "\u{2126}", "种草", "가\u{11A8}", "か\u{3099}", "Å", "u1", ""]
    let queries = stored + ["cafe\u{301}", "n\u{E9}e", "K", "\u{3A9}", "각", "が", "A\u{30A}", "\u{212B}", "cafe", "k", "u2"]
    let packed = try pack(stored), inMemory = IDMap(stored)
    for query in queries {
      #expect(packed.index(of: query) == inMemory.index(of: query), "\(query.unicodeScalars.map { String($0.value, radix: 16) })")
    }
    #expect(packed.index(of: "cafe\u{301}") == 0 && packed.index(of: "K") == 2 && packed.index(of: "が") == 6)
    // Canonically equivalent ids are one id, as in memory.
    #expect(throws: PackedIDs.Problem.self) { try pack(["caf\u{E9}", "x", "cafe\u{301}"]) }
    #expect(throws: PackedIDs.Problem.self) { try pack(["K", "\u{212A}"]) }
  }

  /// The scalars whose strings skip Foundation's NFC are their own NFC form, one by one and next
  /// to each other (every scalar of the ranges, and random strings of them).
  @Test func normalizationStableScalarsAreTheirOwnNFC() {
    let ranges: [ClosedRange<UInt32>] = [
      0x20...0x7E, 0x80...0xFF, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC...0x30FC, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xAC00...0xD7A3, 0xFF01...0xFF5E, 0x1F300...0x1FAFF,
    ]
    func isStable(_ text: String) -> Bool {
      var text = text
      return text.withUTF8 { PackedIDs.isNormalizationStable($0) }
    }
    var scalars: [Unicode.Scalar] = []
    for range in ranges {
      for value in range {
        guard let scalar = Unicode.Scalar(value) else { continue }
        scalars.append(scalar)
        let text = String(Character(scalar))
        #expect(isStable(text))
        if text._nfcCodeUnits != Array(text.utf8) {
          Issue.record("U+\(String(value, radix: 16)) changes under NFC")
        }
      }
    }
    var generator = SplitMix64(seed: 5)
    for _ in 0..<2_000 {
      var view = String.UnicodeScalarView()
      for _ in 0..<(1 + generator.next() % 12) { view.append(scalars[Int(generator.next() % UInt64(scalars.count))]) }
      let text = String(view)
      #expect(isStable(text) && text._nfcCodeUnits == Array(text.utf8))
    }
    for unstable in ["e\u{301}", "\u{212A}", "\u{F900}", "\u{1100}\u{1161}", "か\u{3099}", "\u{2000}"] { #expect(!isStable(unstable)) }
  }
}
