import Foundation
import Testing
@testable import Zhongcao

/// The hand-folded tokeniser of ``NoteShingler`` against Foundation's NFKC + lowercasing.
@Suite struct NoteShinglerFastPathTests {
  /// Every scalar the fast path handles, by range.
  static let handled: [ClosedRange<UInt32>] = [
    0x00...0xA7, 0xA9...0xA9, 0xAB...0xAC, 0xAE...0xAE, 0xB0...0xB1, 0xB6...0xB7, 0xBB...0xBB, 0xBF...0xFF,
    0x2000...0x206F, 0x2190...0x23FF, 0x2600...0x27BF, 0x3000...0x3004, 0xFFE0...0xFFE2, 0xFFE4...0xFFE6,
    0x3008...0x3011, 0x3014...0x301F, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC...0x30FC, 0x3400...0x4DBF,
    0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xFE00...0xFE0F, 0xFF01...0xFF5E, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
    0x1F900...0x1F9FF, 0x1FA70...0x1FAFF,
  ]

  private func reference(_ text: String) -> [UInt64] {
    var hashes: [UInt64] = []
    var cjkCount = 0
    NoteShingler.appendTokens(ofNormalized: NoteShingler.foundationNormalized(text), to: &hashes, cjkCount: &cjkCount)
    return hashes + [UInt64(cjkCount)]
  }

  private func fast(_ text: String) -> [UInt64]? {
    var hashes: [UInt64] = []
    var cjkCount = 0
    guard NoteShingler.appendFastTokens(of: text, to: &hashes, cjkCount: &cjkCount) else { return nil }
    return hashes + [UInt64(cjkCount)]
  }

  @Test func everyHandledScalarMatchesFoundation() {
    for range in Self.handled {
      var scalars: [Unicode.Scalar] = []
      for value in range { if let scalar = Unicode.Scalar(value) { scalars.append(scalar) } }
      for scalar in scalars {
        for text in ["ab\(scalar)cd", "12\(scalar)34", "中\(scalar)文", "\(scalar)"] {
          #expect(fast(text) == reference(text), "U+\(String(scalar.value, radix: 16))")
        }
      }
      // Neighbours within a range.
      var text = ""
      text.unicodeScalars.append(contentsOf: scalars)
      #expect(fast(text) == reference(text), "range \(range)")
    }
  }

  @Test func unhandledScalarsFallBackToFoundation() {
    // Combining mark (composes), compatibility ideograph, circled digit, ligature, half-width kana.
    for text in ["cafe\u{301} au lait", "x\u{A8}y", "µg", "m²", "½", "\u{F900}光研", "①号", "ﬁne", "ｶﾀｶﾅ", "ΣΊΣΥΦΟΣ"] {
      #expect(fast(text) == nil)
      let shingler = NoteShingler()
      #expect(shingler.tokens(of: text).hashes + [UInt64(shingler.tokens(of: text).cjkCount)] == reference(text))
    }
  }

  @Test func generatedCorpusTokensMatchFoundation() {
    var generator = NoteCorpusGenerator(notes: 3_000, authors: 600, seed: 3)
    generator.campaigns = 5
    let shingler = NoteShingler()
    for note in generator.generate().notes {
      let text = note.title + "\n" + note.body
      let tokens = shingler.tokens(of: text)
      #expect(tokens.hashes + [UInt64(tokens.cjkCount)] == reference(text), "\(note.id)")
    }
  }

  @Test func shingleSortMatchesTheStandardSort() {
    var random = SplitMix64(seed: 17)
    var buffer: [UInt64] = []
    for count in [0, 1, 2, 16, 17, 100, 1_000, 4_096, 4_097, 9_000] {
      // Random values, and values with few distinct top bytes (large buckets) and duplicates.
      for spread in [64, 4] {
        var values = (0..<count).map { _ in (random.next() >> (64 - spread)) << (64 - spread) | random.next() % 50 }
        let expected = values.sorted()
        NoteShingler.sortShingles(&values, buffer: &buffer)
        #expect(values == expected, "count \(count), spread \(spread)")
      }
    }
  }
}
