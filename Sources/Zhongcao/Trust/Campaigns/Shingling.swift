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
///
/// Speed: without a caller's normaliser, text made only of scalars whose NFKC + lowercasing is
/// known (ASCII, full-width ASCII forms, common Han, kana and Hangul, CJK and general punctuation,
/// emoji) is folded by hand on its scalars; any other scalar sends the whole text through
/// Foundation's NFKC and `lowercased()`, so the tokens are the same either way.
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
    var hashes: [UInt64] = []
    var cjkCount = 0
    appendTokens(of: [text], to: &hashes, cjkCount: &cjkCount)
    return (hashes, cjkCount)
  }

  /// Appends the tokens of `parts` joined by newlines (the text of a note) to `hashes`: by hand
  /// when every scalar is on the fast path, through Foundation otherwise.
  func appendTokens(of parts: [String], to hashes: inout [UInt64], cjkCount: inout Int) {
    if let normalizer {
      Self.appendTokens(ofNormalized: normalizer(parts.joined(separator: "\n")), to: &hashes, cjkCount: &cjkCount)
      return
    }
    let start = hashes.count, startCJK = cjkCount
    for part in parts where !Self.appendFastTokens(of: part, to: &hashes, cjkCount: &cjkCount) {
      hashes.removeSubrange(start...)
      cjkCount = startCJK
      Self.appendTokens(ofNormalized: Self.foundationNormalized(parts.joined(separator: "\n")), to: &hashes, cjkCount: &cjkCount)
      return
    }
  }

  /// NFKC and lowercasing through Foundation: the reference the fast path must match.
  static func foundationNormalized(_ text: String) -> String {
    text.precomposedStringWithCompatibilityMapping.lowercased()
  }

  /// Appends the tokens of `text`, normalised by hand, to `hashes`; false (with `hashes` partly
  /// appended) when `text` has a scalar whose normalisation is not handled here.
  ///
  /// Handled: ASCII and Latin-1 letters (A–Z, À–Þ folded), full-width forms U+FF01…FF5E (NFKC
  /// maps them to ASCII), Han U+3400…4DBF and U+4E00…9FFF, kana U+3041…3096, U+30A1…30FA, U+30FC,
  /// Hangul syllables U+AC00…D7A3 (all unchanged by NFKC and lowercasing), and separators whose
  /// NFKC is again separators: ``latin1Separators``, general punctuation U+2000…206F, arrows,
  /// mathematical and technical symbols U+2190…23FF, symbols and dingbats U+2600…27BF, CJK
  /// punctuation U+3000…3004, U+3008…3011, U+3014…301F, variation selectors U+FE00…FE0F,
  /// full-width signs U+FFE0…FFE2, U+FFE4…FFE6 and the emoji blocks. None of them composes with a neighbour under NFC (combining
  /// marks and conjoining jamo are not handled, so they take the Foundation path).
  static func appendFastTokens(of text: String, to hashes: inout [UInt64], cjkCount: inout Int) -> Bool {
    var text = text
    // Native strings are contiguous UTF-8; a bridged one is made native first.
    return text.withUTF8 { appendFastTokens(ofUTF8: $0, to: &hashes, cjkCount: &cjkCount) }
  }

  /// ``appendFastTokens(of:to:cjkCount:)`` on valid UTF-8, decoded by hand (a `String`'s
  /// `unicodeScalars` view costs more per scalar than the whole tokeniser).
  static func appendFastTokens(ofUTF8 bytes: UnsafeBufferPointer<UInt8>, to hashes: inout [UInt64], cjkCount: inout Int) -> Bool {
    // Every token ends at or before a byte of its own, so a note has at most `bytes.count + 1`
    // of them: write them into room made up front rather than appending one at a time.
    let start = hashes.count
    hashes.append(contentsOf: repeatElement(0, count: bytes.count + 1))
    var written = 0
    let handled = hashes.withUnsafeMutableBufferPointer { hashes in
      appendFastTokens(ofUTF8: bytes, to: hashes.baseAddress! + start, written: &written, cjkCount: &cjkCount)
    }
    hashes.removeSubrange((start + written)...)
    return handled
  }

  /// ``appendFastTokens(ofUTF8:to:cjkCount:)`` writing to `output`, which has room for
  /// `bytes.count + 1` tokens; `written` counts them.
  private static func appendFastTokens(
    ofUTF8 bytes: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt64>, written: inout Int, cjkCount: inout Int
  ) -> Bool {
    var count = 0
    @inline(__always) func emit(_ hash: UInt64) {
      output[count] = hash
      count &+= 1
    }
    defer { written = count }
    var runKind = 0
    var runHash: UInt64 = 0xCBF2_9CE4_8422_2325
    var position = 0
    let byteCount = bytes.count
    while position < byteCount {
      // Decode one scalar of valid UTF-8.
      let lead = UInt32(bytes[position])
      var value: UInt32
      if lead < 0x80 {
        // ASCII, most of an English note, on its own short path.
        position &+= 1
        let lower = lead | 0x20
        if lower &- 0x61 < 26 {
          if runKind != 1 {
            if runKind == 2 { emit(numberToken) }
            runKind = 1
            runHash = 0xCBF2_9CE4_8422_2325
          }
          runHash = (runHash ^ UInt64(lower)) &* 0x0000_0100_0000_01B3
        } else if lead &- 0x30 < 10 {
          if runKind != 2 {
            if runKind == 1 { emit(SplitMix64.mix(runHash)) }
            runKind = 2
          }
        } else if runKind != 0 {
          emit(runKind == 1 ? SplitMix64.mix(runHash) : numberToken)
          runKind = 0
        }
        continue
      } else if lead < 0xE0 {
        value = (lead & 0x1F) << 6 | UInt32(bytes[position + 1] & 0x3F)
        position += 2
      } else if lead < 0xF0 {
        value = (lead & 0x0F) << 12 | UInt32(bytes[position + 1] & 0x3F) << 6 | UInt32(bytes[position + 2] & 0x3F)
        position += 3
      } else {
        value = (lead & 0x07) << 18 | UInt32(bytes[position + 1] & 0x3F) << 12 | UInt32(bytes[position + 2] & 0x3F) << 6
          | UInt32(bytes[position + 3] & 0x3F)
        position += 4
      }
      if value >= 0xFF01, value <= 0xFF5E { value -= 0xFEE0 }
      if value < 0x100 {
        // ASCII and Latin-1 letters: fold A–Z and À–Þ (but ×) to lower case.
        if (value >= 0x41 && value <= 0x5A) || (value >= 0xC0 && value <= 0xDE && value != 0xD7) { value += 0x20 }
        if (value >= 0x61 && value <= 0x7A) || (value >= 0xDF && value != 0xF7) {
          if runKind != 1 {
            if runKind == 2 { emit(numberToken) }
            runKind = 1
            runHash = 0xCBF2_9CE4_8422_2325
          }
          runHash = (runHash ^ UInt64(value)) &* 0x0000_0100_0000_01B3
        } else if value >= 0x30, value <= 0x39 {
          if runKind != 2 {
            if runKind == 1 { emit(SplitMix64.mix(runHash)) }
            runKind = 2
          }
        } else if value < 0x80 || latin1Separators & (1 << UInt64(value - 0x80)) != 0 {
          if runKind != 0 {
            emit(runKind == 1 ? SplitMix64.mix(runHash) : numberToken)
            runKind = 0
          }
        } else {
          return false
        }
        continue
      }
      switch value {
      case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC, 0xAC00...0xD7A3:
        if runKind != 0 {
          emit(runKind == 1 ? SplitMix64.mix(runHash) : numberToken)
          runKind = 0
        }
        emit(SplitMix64.mix(UInt64(value) | 0x1_0000_0000))
        cjkCount += 1
      case 0x2000...0x206F, 0x2190...0x23FF, 0x2600...0x27BF, 0x3000...0x3004, 0x3008...0x3011, 0x3014...0x301F,
        0xFE00...0xFE0F, 0xFFE0...0xFFE2, 0xFFE4...0xFFE6, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF,
        0x1FA70...0x1FAFF:
        if runKind != 0 {
          emit(runKind == 1 ? SplitMix64.mix(runHash) : numberToken)
          runKind = 0
        }
      default:
        return false
      }
    }
    if runKind != 0 { emit(runKind == 1 ? SplitMix64.mix(runHash) : numberToken) }
    return true
  }

  /// Bit `v − 0x80` is set for the Latin-1 separators U+0080…00BF and U+00D7, U+00F7 that NFKC
  /// leaves alone: controls, NBSP (NFKC gives a space), ¡¢£¤¥¦§ © «¬ ® °± ¶ » ¿ × ÷. Not ¨ ª ¯ ²
  /// ³ ´ µ ¸ ¹ º ¼ ½ ¾ (compatibility forms: letters, digits or combining marks) nor the soft hyphen.
  static let latin1Separators: UInt128 = {
    var bits: UInt128 = 0
    let values: [UInt32] = Array(0x80...0xA7) + [0xA9, 0xAB, 0xAC, 0xAE, 0xB0, 0xB1, 0xB6, 0xB7, 0xBB, 0xBF, 0xD7, 0xF7]
    for value in values { bits |= 1 << UInt128(value - 0x80) }
    return bits
  }()

  /// Appends the tokens of already normalised text to `hashes`.
  static func appendTokens(ofNormalized normalized: String, to hashes: inout [UInt64], cjkCount: inout Int) {
    // The word (or number) being accumulated: 0 = none, 1 = letters, 2 = digits.
    var runKind = 0
    var runHash: UInt64 = 0xCBF2_9CE4_8422_2325
    func closeRun() {
      if runKind == 1 { hashes.append(SplitMix64.mix(runHash)) }
      if runKind == 2 { hashes.append(numberToken) }
      runKind = 0
      runHash = 0xCBF2_9CE4_8422_2325
    }
    for scalar in normalized.unicodeScalars {
      let properties = scalar.properties
      if isCJK(scalar) {
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
  }

  /// Reusable buffers for ``shingles(of:scratch:)``, one per thread.
  struct Scratch {
    var tokens: [UInt64] = []
    var raw: [UInt64] = []
    var sortBuffer: [UInt64] = []
  }

  /// Sorts `values` ascending: for up to 4,096 values (a note) one counting pass on the top
  /// bits, then insertion sort, which has only the few in-bucket inversions left to fix;
  /// otherwise the standard library's sort.
  static func sortShingles(_ values: inout [UInt64], buffer: inout [UInt64]) {
    values.withUnsafeMutableBufferPointer { sortShingles($0, buffer: &buffer) }
  }

  /// ``sortShingles(_:buffer:)`` in place on `values`. The counting pass uses between one and two
  /// buckets per value (a power of two, by the top bits), so that a note of 80 shingles does not
  /// clear and sum 256 counters.
  static func sortShingles(_ values: UnsafeMutableBufferPointer<UInt64>, buffer: inout [UInt64]) {
    let count = values.count
    guard count > 16, count <= 4_096 else {
      if count > 16 { var values = values; values.sort() } else { insertionSort(values) }
      return
    }
    if buffer.count < count { buffer = [UInt64](repeating: 0, count: max(count, 2 * buffer.count)) }
    let bits = Int.bitWidth - (count - 1).leadingZeroBitCount  // 2^bits ≥ count
    let shift = UInt64(64 - bits), bucketCount = 1 << bits
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: bucketCount + 1) { starts in
      starts.initialize(repeating: 0)
      buffer.withUnsafeMutableBufferPointer { buffer in
        for value in values { starts[Int(value >> shift) &+ 1] &+= 1 }
        for bucket in 0..<bucketCount { starts[bucket &+ 1] &+= starts[bucket] }
        for value in values {
          let bucket = Int(value >> shift)
          buffer[Int(starts[bucket])] = value
          starts[bucket] &+= 1
        }
        for index in 0..<count { values[index] = buffer[index] }
      }
    }
    insertionSort(values)
  }

  /// Insertion sort, linear on nearly sorted input.
  static func insertionSort(_ values: UnsafeMutableBufferPointer<UInt64>) {
    guard values.count > 1 else { return }
    for index in 1..<values.count {
      let value = values[index]
      var slot = index
      while slot > 0, values[slot - 1] > value {
        values[slot] = values[slot - 1]
        slot -= 1
      }
      values[slot] = value
    }
  }

  /// The shingles of `text` (see the type's documentation).
  func shingles(of text: String) -> Shingles {
    var scratch = Scratch()
    return shingles(of: [text], scratch: &scratch)
  }

  /// The shingles of `parts` joined by newlines, using `scratch` for the intermediate arrays.
  func shingles(of parts: [String], scratch: inout Scratch) -> Shingles {
    var result = Shingles(hashes: [], counts: [])
    shingles(of: parts, scratch: &scratch, into: &result)
    return result
  }

  /// ``shingles(of:scratch:)`` written into `result`, whose arrays are reused (one note after
  /// another, without allocating two arrays a note).
  func shingles(of parts: [String], scratch: inout Scratch, into result: inout Shingles) {
    result.hashes.removeAll(keepingCapacity: true)
    result.counts.removeAll(keepingCapacity: true)
    var tokens: [UInt64] = [], raw: [UInt64] = []
    swap(&tokens, &scratch.tokens)
    swap(&raw, &scratch.raw)
    defer {
      swap(&tokens, &scratch.tokens)
      swap(&raw, &scratch.raw)
    }
    tokens.removeAll(keepingCapacity: true)
    var cjkCount = 0
    appendTokens(of: parts, to: &tokens, cjkCount: &cjkCount)
    let tokenCount = tokens.count
    guard tokenCount > 0 else { return }
    let gram = 2 * cjkCount >= tokenCount ? 3 : 2
    let shingleCount = max(tokenCount - gram + 1, 1)
    if raw.count < shingleCount { raw = [UInt64](repeating: 0, count: max(shingleCount, 2 * raw.count)) }
    let seed: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(gram)
    tokens.withUnsafeBufferPointer { tokens in
      raw.withUnsafeMutableBufferPointer { raw in
        if tokenCount >= gram {
          for start in 0..<shingleCount {
            raw[start] = Self.shingleHash(tokens[start], tokens[start + 1], gram == 3 ? tokens[start + 2] : 0, seed: seed)
          }
        } else {
          // Shorter than one n-gram: one shingle of its one or two tokens, the missing ones 0.
          raw[0] = Self.shingleHash(tokens[0], tokenCount > 1 ? tokens[1] : 0, 0, seed: seed)
        }
      }
    }
    result.hashes.reserveCapacity(shingleCount)
    result.counts.reserveCapacity(shingleCount)
    raw.withUnsafeMutableBufferPointer { raw in
      let raw = UnsafeMutableBufferPointer(rebasing: raw[..<shingleCount])
      Self.sortShingles(raw, buffer: &scratch.sortBuffer)
      // Runs of equal hashes become one hash and its count.
      var runStart = 0
      for index in 1...shingleCount where index == shingleCount || raw[index] != raw[runStart] {
        result.hashes.append(raw[runStart])
        result.counts.append(Int32(index - runStart))
        runStart = index
      }
    }
  }

  /// The hash of the shingle of tokens `t₀ t₁ t₂` (0 for a token a short shingle lacks):
  /// `mix((t₀ + t₁·m₁ + t₂·m₂) ^ seed)` with two odd weights m₁, m₂ (the SplitMix64 and xxHash64
  /// primes) and SplitMix64's mixer. Tokens are themselves mixed hashes, so the weighted sum
  /// (distinct weights keep it order-sensitive) needs only one mix, not one per token.
  @inline(__always)
  static func shingleHash(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, seed: UInt64) -> UInt64 {
    SplitMix64.mix((t0 &+ t1 &* 0xBF58_476D_1CE4_E5B9 &+ t2 &* 0x9E37_79B1_85EB_CA87) ^ seed)
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
