import Foundation

/// Turns note text into a bag of hashed shingles, the input of ``SimHash`` and ``MinHash``.
///
/// Steps, in order:
/// 1. **Normalise.** The caller's normaliser when given (``CampaignConfiguration/textNormalizer``),
///    otherwise NFKC (`precomposedStringWithCompatibilityMapping`, so full-width `ＡＢＣ１２３`
///    becomes `abc123`-comparable) and lowercasing.
/// 2. **Tokenise.** Only letters and decimal digits survive: whitespace, punctuation, symbols
///    and emoji are dropped. Every CJK character (Han, kana, Hangul) is a token of its own; a run
///    of other letters is one word token; a run of digits is one *number* token whatever its
///    value, so a template whose prices or day counts were changed (`99元` → `89元`) still
///    shingles the same.
/// 3. **Shingle.** Token n-grams: **3-grams** when CJK characters are at least half of the tokens
///    (character 3-grams, the usual choice for Chinese, where one edited two-character word
///    touches four shingles), otherwise **2-grams** of words (word bigrams keep a Latin template's
///    word order; character 5-grams would mostly re-measure vocabulary, which organic notes on
///    the same product share). Text shorter than one n-gram gives one shingle of all its tokens.
///
/// Hashes are SplitMix64-mixed, seedless and stable across runs and machines (no `Hasher`).
struct NoteShingler: Sendable {
  /// A note's shingles: distinct hashes, ascending, each with how often it occurs.
  struct Shingles: Sendable, Equatable {
    /// Distinct shingle hashes, ascending.
    var hashes: [UInt64]
    /// Occurrence count of each hash, parallel to `hashes` (the SimHash weights).
    var counts: [Int32]
    /// Distinct shingles.
    var count: Int { hashes.count }
  }

  /// The caller's normaliser, replacing NFKC + lowercasing.
  var normalizer: (@Sendable (String) -> String)?

  /// The token hashes of `text` after normalisation, and how many of them are CJK characters.
  func tokens(of text: String) -> (hashes: [UInt64], cjkCount: Int) {
    let normalized = normalizer?(text) ?? text.precomposedStringWithCompatibilityMapping.lowercased()
    var hashes: [UInt64] = []
    hashes.reserveCapacity(normalized.unicodeScalars.count)
    var cjkCount = 0
    // The word (or number) being accumulated: 0 = none, 1 = letters, 2 = digits.
    var runKind = 0
    var runHash: UInt64 = 0xCBF2_9CE4_8422_2325
    func closeRun() {
      if runKind == 1 { hashes.append(SplitMix64.mix(runHash)) }
      if runKind == 2 { hashes.append(Self.numberToken) }
      runKind = 0
      runHash = 0xCBF2_9CE4_8422_2325
    }
    for scalar in normalized.unicodeScalars {
      let properties = scalar.properties
      if Self.isCJK(scalar) {
        closeRun()
        hashes.append(SplitMix64.mix(UInt64(scalar.value) | 0x1_0000_0000))
        cjkCount += 1
      } else if properties.numericType == .decimal {
        if runKind != 2 { closeRun(); runKind = 2 }
      } else if properties.isAlphabetic {
        if runKind != 1 { closeRun(); runKind = 1 }
        runHash = (runHash ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3
      } else {
        closeRun()
      }
    }
    closeRun()
    return (hashes, cjkCount)
  }

  /// The shingles of `text` (see the type's documentation).
  func shingles(of text: String) -> Shingles {
    let (tokens, cjkCount) = tokens(of: text)
    guard !tokens.isEmpty else { return Shingles(hashes: [], counts: []) }
    let gram = 2 * cjkCount >= tokens.count ? 3 : 2
    var raw: [UInt64] = []
    let shingleCount = max(tokens.count - gram + 1, 1)
    raw.reserveCapacity(shingleCount)
    for start in 0..<shingleCount {
      var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(gram)
      for token in tokens[start..<min(start + gram, tokens.count)] {
        hash = SplitMix64.mix(hash ^ token) &+ 0x632B_E59B_D9B4_E019
      }
      raw.append(hash)
    }
    raw.sort()
    var hashes: [UInt64] = []
    var counts: [Int32] = []
    hashes.reserveCapacity(raw.count)
    counts.reserveCapacity(raw.count)
    for hash in raw {
      if hash == hashes.last { counts[counts.count - 1] += 1 } else {
        hashes.append(hash)
        counts.append(1)
      }
    }
    return Shingles(hashes: hashes, counts: counts)
  }

  /// The one token every digit run becomes.
  static let numberToken: UInt64 = SplitMix64.mix(0x4E55_4D42_4552)

  /// Han (CJK unified ideographs and extensions, compatibility ideographs), kana and Hangul.
  static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF,
      0x20000...0x3134F:
      true
    default: false
    }
  }
}
