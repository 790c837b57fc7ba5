import Foundation

// The allocation-free featurisation behind ``TextFeaturizer/features(text:extra:)``,
// ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:)`` and
// ``TextFeaturizer/grams(of:)``: one pass over the text's UTF-8, grams hashed incrementally,
// buckets sorted by a radix sort of packed codes. Gives bitwise the features of the
// straightforward definition (which the tests keep as their reference).

/// Reusable working memory of the fast featurisation (one per thread; see
/// ``SponsoredDetector/Workspace``). After a pass its first ``featureCount`` buckets and values are
/// the note's text features.
struct FeaturizerWorkspace: Sendable {
  /// One code per gram: `bucket << 1 | 1` when the gram's sign is negative.
  var codes: [UInt32] = []
  /// The bucket sort's second buffer.
  var spare: [UInt32] = []
  /// The bucket sort's counts.
  var histogram: [Int32] = []
  /// The current CJK run: each scalar's UTF-8 packed little-endian, and its byte offset (then the
  /// run's end).
  var runScalars: [UInt32] = []
  var runOffsets: [Int32] = []
  /// The text part of the features: buckets with a non-zero count, increasing (the first
  /// ``featureCount``; the arrays only grow).
  var buckets: [Int32] = []
  /// Their L2-normalised values.
  var values: [Double] = []
  /// How many of ``buckets`` and ``values`` the last pass filled.
  var featureCount = 0
  /// Every gram, in order, when the pass records (to name grams in an explanation): the first
  /// ``gramCount``.
  var occurrences: [GramOccurrence] = []
  /// How many grams the last pass found.
  var gramCount = 0
  /// Whether a gram contains a scalar other than ASCII and the common CJK ideographs (only then
  /// can two different grams be canonically equivalent strings; see ``ScalarTable/inert``).
  var hasUncommonScalars = false

  /// Makes every buffer hold at least `grams` grams (occurrences too when `recording`) and
  /// `scalars` run scalars.
  mutating func reserve(grams: Int, scalars: Int, recording: Bool) {
    if codes.count < grams {
      let size = max(grams, 2 * codes.count)
      codes = [UInt32](repeating: 0, count: size)
      spare = codes
      buckets = [Int32](repeating: 0, count: size)
      values = [Double](repeating: 0, count: size)
    }
    if recording && occurrences.count < grams {
      occurrences = Array(repeating: GramOccurrence(), count: max(grams, 2 * occurrences.count))
    }
    if runScalars.count < scalars {
      let size = max(scalars, 2 * runScalars.count)
      runScalars = [UInt32](repeating: 0, count: size)
      runOffsets = [Int32](repeating: 0, count: size + 1)
    }
  }
}

/// One gram found by a recording pass: where it is and how to name it.
struct GramOccurrence: Sendable {
  /// Its hash bucket.
  var bucket: Int32 = 0
  /// Its kind.
  var kind = TextGram.Kind.characters
  /// Scalar offsets in the text.
  var start: Int32 = 0
  var end: Int32 = 0
  /// Byte range of the characters, or of the (first) word.
  var firstStart: Int32 = 0
  var firstEnd: Int32 = 0
  /// Byte range of a word pair's second word.
  var secondStart: Int32 = 0
  var secondEnd: Int32 = 0
}

/// Per-scalar facts of ``TextFeaturizer``'s tokenisation for the first two Unicode planes,
/// computed once from ``TextFeaturizer/scalarClass(of:)`` so the hot loop needs no property lookups.
enum ScalarTable {
  static let separator: UInt8 = 0
  static let word: UInt8 = 1
  static let cjk: UInt8 = 2
  /// A word scalar lowercased unchanged.
  static let lowersToSelf: UInt8 = 0
  /// A Latin-1 capital whose lowercase is the scalar 0x20 higher (same two-byte UTF-8 lead).
  static let lowersByLatin1Offset: UInt8 = 1 << 2
  /// Any other word scalar: lowercased by `String.lowercased()`.
  static let lowersSlowly: UInt8 = 2 << 2
  /// The number of scalars covered: the Basic Multilingual Plane and the Supplementary Multilingual
  /// Plane (emoji).
  static let count = 0x20000

  /// Bits 0–1: the class (``separator``, ``word``, ``cjk``); bits 2–3, for words, how the scalar lowercases.
  static let entries: [UInt8] = {
    var entries = [UInt8](repeating: separator, count: count)
    for value in 0..<UInt32(count) {
      guard let scalar = Unicode.Scalar(value) else { continue }
      switch TextFeaturizer.scalarClass(of: scalar) {
      case .separator:
        continue
      case .cjk:
        entries[Int(value)] = cjk
      case .word:
        let lowercase = Array(scalar.properties.lowercaseMapping.unicodeScalars)
        let lowering: UInt8
        if lowercase == [scalar] {
          lowering = lowersToSelf
        } else if (0xC0...0xDE).contains(value), lowercase.count == 1, lowercase[0].value == value + 0x20 {
          lowering = lowersByLatin1Offset
        } else {
          lowering = lowersSlowly
        }
        entries[Int(value)] = word | lowering
      }
    }
    return entries
  }()

  /// Whether a gram scalar is canonically inert: combining class 0 and no canonical decomposition,
  /// and (for word scalars) so is every scalar of its lowercase. A string of inert scalars is its
  /// own NFD, so two such strings are equal `String`s exactly when their scalars are equal.
  /// Separators are marked inert (they never occur in a gram). Computed on first use.
  static let inert: [Bool] = {
    func isInert(_ scalar: Unicode.Scalar) -> Bool {
      guard scalar.properties.canonicalCombiningClass == .notReordered else { return false }
      let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
      return decomposed.count == 1 && decomposed.first == scalar
    }
    var inert = [Bool](repeating: true, count: count)
    for value in 0x80..<UInt32(count) where !isCommonCJK(value) {
      guard let scalar = Unicode.Scalar(value) else { continue }
      switch entries[Int(value)] & 3 {
      case word:
        inert[Int(value)] = isInert(scalar) && scalar.properties.lowercaseMapping.unicodeScalars.allSatisfy(isInert)
      case cjk:
        inert[Int(value)] = isInert(scalar)
      default:
        continue
      }
    }
    return inert
  }()

  /// CJK Unified Ideographs and Extension A: CJK, inert, and most of a Chinese note.
  @inline(__always)
  static func isCommonCJK(_ value: UInt32) -> Bool {
    (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
  }
}

extension TextFeaturizer {
  /// Calls `body` with the UTF-8 of `text` as one contiguous buffer (copying only a bridged,
  /// non-contiguous string).
  static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = text
    copy.makeContiguousUTF8()
    return copy.utf8.withContiguousStorageIfAvailable(body)!
  }

  /// The scalar value and UTF-8 length of the scalar starting at `position` of valid UTF-8.
  @inline(__always)
  static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (value: UInt32, length: Int) {
    let lead = bytes[position]
    if lead < 0x80 { return (UInt32(lead), 1) }
    if lead < 0xE0 { return (UInt32(lead & 0x1F) << 6 | UInt32(bytes[position + 1] & 0x3F), 2) }
    if lead < 0xF0 {
      return (UInt32(lead & 0x0F) << 12 | UInt32(bytes[position + 1] & 0x3F) << 6 | UInt32(bytes[position + 2] & 0x3F), 3)
    }
    return (UInt32(lead & 0x07) << 18 | UInt32(bytes[position + 1] & 0x3F) << 12
              | UInt32(bytes[position + 2] & 0x3F) << 6 | UInt32(bytes[position + 3] & 0x3F), 4)
  }

  /// The FNV-1a state after the seeded basis and a kind tag.
  func hashState(afterTag tag: UInt8) -> UInt64 {
    (0xCBF2_9CE4_8422_2325 ^ SplitMix64.mix(seed) ^ UInt64(tag)) &* 0x0000_0100_0000_01B3
  }

  /// The largest number of grams a text of `byteCount` UTF-8 bytes can have: a CJK scalar takes
  /// at least 3 bytes and starts at most one gram per length; a word or pair needs a byte of its
  /// own and one of separator before it.
  func gramBound(byteCount: Int) -> Int {
    byteCount * max(3, maximumCharacterGram - minimumCharacterGram + 1) / 3 + 2
  }

  /// Hashes every gram of `bytes` (a whole text's UTF-8) and leaves the sorted, normalised text
  /// features in the workspace — bitwise the text part of ``features(text:extra:)``. With
  /// `recording`, `workspace.occurrences` lists every gram in the order of ``grams(of:)``.
  func featurize(_ bytes: UnsafeBufferPointer<UInt8>, into workspace: inout FeaturizerWorkspace, recording: Bool) {
    hashGrams(bytes, into: &workspace, recording: recording)
    accumulate(gramCount: workspace.gramCount, workspace: &workspace)
  }

  /// Hashes every gram of `bytes` into `workspace.codes` (and `workspace.occurrences` when
  /// `recording`), leaving the features of an earlier pass alone.
  func hashGrams(_ bytes: UnsafeBufferPointer<UInt8>, into workspace: inout FeaturizerWorkspace, recording: Bool) {
    workspace.reserve(grams: gramBound(byteCount: bytes.count), scalars: bytes.count / 3 + 1, recording: recording)
    // Move the buffers out, so that each is uniquely referenced while its pointer is in use.
    var codes = workspace.codes, runScalars = workspace.runScalars, runOffsets = workspace.runOffsets
    var occurrences = workspace.occurrences
    (workspace.codes, workspace.runScalars, workspace.runOffsets, workspace.occurrences) = ([], [], [], [])
    var uncommon = false
    let gramCount = codes.withUnsafeMutableBufferPointer { codes in
      runScalars.withUnsafeMutableBufferPointer { runScalars in
        runOffsets.withUnsafeMutableBufferPointer { runOffsets in
          occurrences.withUnsafeMutableBufferPointer { occurrences in
            ScalarTable.entries.withUnsafeBufferPointer { table in
              hashGrams(bytes, table: table, codes: codes, runScalars: runScalars, runOffsets: runOffsets,
                        occurrences: recording ? occurrences : nil, uncommon: &uncommon)
            }
          }
        }
      }
    }
    (workspace.codes, workspace.runScalars, workspace.runOffsets, workspace.occurrences) = (codes, runScalars, runOffsets, occurrences)
    workspace.gramCount = gramCount
    workspace.hasUncommonScalars = uncommon
  }

  /// The pass itself: writes one code per gram to `codes` and returns how many.
  private func hashGrams(
    _ bytes: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>, codes: UnsafeMutableBufferPointer<UInt32>,
    runScalars: UnsafeMutableBufferPointer<UInt32>, runOffsets: UnsafeMutableBufferPointer<Int32>,
    occurrences: UnsafeMutableBufferPointer<GramOccurrence>?, uncommon: inout Bool
  ) -> Int {
    let characterState = hashState(afterTag: Self.tag(of: .characters))
    let wordState = hashState(afterTag: Self.tag(of: .word))
    let pairState = hashState(afterTag: Self.tag(of: .wordPair))
    let mask = UInt64(bucketCount - 1)
    let minimumGram = minimumCharacterGram, maximumGram = maximumCharacterGram, bigrams = wordBigrams
    var gramCount = 0

    @inline(__always) func fnv(_ state: UInt64, _ byte: UInt8) -> UInt64 {
      (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    /// FNV-1a over the `length` bytes packed little-endian in `packed`.
    @inline(__always) func fnv(_ state: UInt64, packed: UInt32, length: Int) -> UInt64 {
      var state = (state ^ UInt64(packed & 0xFF)) &* 0x0000_0100_0000_01B3
      state = (state ^ UInt64(packed >> 8 & 0xFF)) &* 0x0000_0100_0000_01B3
      if length == 2 { return state }
      state = (state ^ UInt64(packed >> 16 & 0xFF)) &* 0x0000_0100_0000_01B3
      if length == 3 { return state }
      return (state ^ UInt64(packed >> 24)) &* 0x0000_0100_0000_01B3
    }
    @inline(__always) func emit(_ state: UInt64, byteCount: Int) -> Int32 {
      let digest = SplitMix64.mix(state ^ UInt64(byteCount))
      let bucket = UInt32(truncatingIfNeeded: digest & mask)
      codes[gramCount] = bucket << 1 | UInt32(truncatingIfNeeded: digest >> 63)
      gramCount &+= 1
      return Int32(bitPattern: bucket)
    }

    // The current word: three FNV states fed the same lowercased bytes (the word; the pair with
    // the previous word; the next pair's first half).
    var inWord = false, wordIsSlow = false
    var wordByteStart = 0, wordScalarStart = 0, wordLength = 0
    var wordHash: UInt64 = 0, pairHash: UInt64 = 0, nextPairHash: UInt64 = 0
    // The previous word, while no CJK run intervenes: the pair state after "tag, word, space".
    var hasPrevious = false, previousPairState: UInt64 = 0, previousLength = 0
    var previousScalarStart = 0, previousByteStart = 0, previousByteEnd = 0
    // The current CJK run: its scalars are in runScalars[0..<runLength].
    var runLength = 0, runScalarStart = 0

    func finishWord(byteEnd: Int, scalarEnd: Int) {
      inWord = false
      if wordIsSlow {
        let lowered = String(decoding: UnsafeBufferPointer(rebasing: bytes[wordByteStart..<byteEnd]), as: UTF8.self).lowercased()
        wordHash = wordState
        pairHash = previousPairState
        nextPairHash = pairState
        wordLength = 0
        for byte in lowered.utf8 {
          wordHash = fnv(wordHash, byte)
          pairHash = fnv(pairHash, byte)
          nextPairHash = fnv(nextPairHash, byte)
          wordLength += 1
        }
      }
      let bucket = emit(wordHash, byteCount: 1 + wordLength)
      occurrences?[gramCount - 1] = GramOccurrence(
        bucket: bucket, kind: .word, start: Int32(wordScalarStart), end: Int32(scalarEnd),
        firstStart: Int32(wordByteStart), firstEnd: Int32(byteEnd))
      if bigrams && hasPrevious {
        let bucket = emit(pairHash, byteCount: 2 + previousLength + wordLength)
        occurrences?[gramCount - 1] = GramOccurrence(
          bucket: bucket, kind: .wordPair, start: Int32(previousScalarStart), end: Int32(scalarEnd),
          firstStart: Int32(previousByteStart), firstEnd: Int32(previousByteEnd),
          secondStart: Int32(wordByteStart), secondEnd: Int32(byteEnd))
      }
      hasPrevious = true
      previousPairState = fnv(nextPairHash, 0x20)
      previousLength = wordLength
      previousScalarStart = wordScalarStart
      previousByteStart = wordByteStart
      previousByteEnd = byteEnd
    }

    func finishRun(byteEnd: Int) {
      runOffsets[runLength] = Int32(byteEnd)
      for first in 0..<runLength {
        var state = characterState
        for last in first..<min(runLength, first + maximumGram) {
          state = fnv(state, packed: runScalars[last], length: Int(runOffsets[last + 1] &- runOffsets[last]))
          guard last - first + 1 >= minimumGram else { continue }
          let bucket = emit(state, byteCount: Int(1 + runOffsets[last + 1] - runOffsets[first]))
          occurrences?[gramCount - 1] = GramOccurrence(
            bucket: bucket, kind: .characters, start: Int32(runScalarStart + first), end: Int32(runScalarStart + last + 1),
            firstStart: runOffsets[first], firstEnd: runOffsets[last + 1])
        }
      }
      runLength = 0
    }

    var position = 0, scalarIndex = 0
    let count = bytes.count
    while position < count {
      let lead = bytes[position]
      let (value, length) = Self.decodeScalar(bytes, at: position)
      let entry: UInt8
      if lead < 0x80 {
        entry = table[Int(lead)]
      } else if ScalarTable.isCommonCJK(value) {
        entry = ScalarTable.cjk
      } else {
        if value < UInt32(ScalarTable.count) {
          entry = table[Int(value)]
        } else {
          switch Self.scalarClass(of: Unicode.Scalar(value)!) {
          case .separator: entry = ScalarTable.separator
          case .word: entry = ScalarTable.word | ScalarTable.lowersSlowly
          case .cjk: entry = ScalarTable.cjk
          }
        }
        if entry != ScalarTable.separator { uncommon = true }
      }
      switch entry & 3 {
      case ScalarTable.word:
        if runLength > 0 { finishRun(byteEnd: position) }
        if !inWord {
          inWord = true
          wordIsSlow = false
          wordByteStart = position
          wordScalarStart = scalarIndex
          wordLength = 0
          wordHash = wordState
          pairHash = previousPairState
          nextPairHash = pairState
        }
        if !wordIsSlow {
          if length == 1 {
            let byte = lead &+ (lead &- 0x41 < 26 ? 0x20 : 0)
            wordHash = fnv(wordHash, byte)
            pairHash = fnv(pairHash, byte)
            nextPairHash = fnv(nextPairHash, byte)
            wordLength &+= 1
          } else if entry & 0b1100 == ScalarTable.lowersSlowly {
            wordIsSlow = true
          } else {
            var packed = Self.packedScalar(bytes, at: position, length: length)
            if entry & 0b1100 == ScalarTable.lowersByLatin1Offset { packed &+= 0x2000 }  // the second byte + 0x20
            wordHash = fnv(wordHash, packed: packed, length: length)
            pairHash = fnv(pairHash, packed: packed, length: length)
            nextPairHash = fnv(nextPairHash, packed: packed, length: length)
            wordLength &+= length
          }
        }
      case ScalarTable.cjk:
        if inWord { finishWord(byteEnd: position, scalarEnd: scalarIndex) }
        hasPrevious = false
        if runLength == 0 { runScalarStart = scalarIndex }
        runScalars[runLength] = Self.packedScalar(bytes, at: position, length: length)
        runOffsets[runLength] = Int32(position)
        runLength &+= 1
      default:
        if inWord { finishWord(byteEnd: position, scalarEnd: scalarIndex) }
        if runLength > 0 { finishRun(byteEnd: position) }
      }
      position &+= length
      scalarIndex &+= 1
    }
    if inWord { finishWord(byteEnd: count, scalarEnd: scalarIndex) }
    if runLength > 0 { finishRun(byteEnd: count) }
    return gramCount
  }

  /// The `length` (2…4) UTF-8 bytes at `position`, packed little-endian.
  @inline(__always)
  static func packedScalar(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, length: Int) -> UInt32 {
    var packed = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
    if length > 2 { packed |= UInt32(bytes[position + 2]) << 16 }
    if length > 3 { packed |= UInt32(bytes[position + 3]) << 24 }
    return packed
  }

  /// `1 + ln n` for small counts n, as ``features(text:extra:)`` computes it.
  private static let logValues: [Double] = (0..<64).map { 1 + log(Double($0)) }

  /// Sorts the codes by bucket, sums each bucket's signs and leaves the non-zero buckets with their
  /// normalised values `sign(v)·(1 + ln|v|) / ‖·‖₂` in the workspace, summing the norm in
  /// increasing bucket order as ``features(text:extra:)`` always has.
  private func accumulate(gramCount: Int, workspace: inout FeaturizerWorkspace) {
    workspace.featureCount = 0
    guard gramCount > 0 else { return }
    var codes = workspace.codes, spare = workspace.spare, histogram = workspace.histogram
    var buckets = workspace.buckets, values = workspace.values
    (workspace.codes, workspace.spare, workspace.histogram, workspace.buckets, workspace.values) = ([], [], [], [], [])
    var featureCount = 0
    codes.withUnsafeMutableBufferPointer { codes in
      spare.withUnsafeMutableBufferPointer { spare in
        buckets.withUnsafeMutableBufferPointer { buckets in
          values.withUnsafeMutableBufferPointer { values in
            Self.logValues.withUnsafeBufferPointer { logValues in
              let sorted = Self.sortByBucket(codes, spare, count: gramCount, bucketBits: bucketBits, histogram: &histogram)
              var norm = 0.0
              var position = 0
              while position < gramCount {
                let bucket = sorted[position] >> 1
                var sum = 0
                repeat {
                  sum &+= 1 &- 2 &* Int(sorted[position] & 1)
                  position &+= 1
                } while position < gramCount && sorted[position] >> 1 == bucket
                guard sum != 0 else { continue }
                let magnitude = sum.magnitude
                let size = magnitude < 64 ? logValues[Int(magnitude)] : 1 + log(Double(magnitude))
                // −size when the sum is negative, without a branch (the signs are coin flips).
                let value = Double(bitPattern: size.bitPattern | UInt64(bitPattern: Int64(sum)) & (1 << 63))
                buckets[featureCount] = Int32(bitPattern: bucket)
                values[featureCount] = value
                featureCount &+= 1
                norm += value * value
              }
              if norm > 0 {
                let scale = 1 / norm.squareRoot()
                for index in 0..<featureCount { values[index] *= scale }
              }
            }
          }
        }
      }
    }
    (workspace.codes, workspace.spare, workspace.histogram, workspace.buckets, workspace.values) = (codes, spare, histogram, buckets, values)
    workspace.featureCount = featureCount
  }

  /// Sorts `codes[0..<count]` by bucket (`code >> 1`), using `spare` as the second buffer, and
  /// returns whichever buffer holds the result.
  ///
  /// Buckets are uniformly spread, so one counting pass on their top ⌈log₂ count⌉ bits leaves
  /// about one code per bin, and an insertion sort finishes the job in about one comparison per
  /// code. Should a bin hold many codes (a long note repeating a few grams whose buckets share
  /// their top bits), a least significant digit radix sort is used instead.
  static func sortByBucket(
    _ codes: UnsafeMutableBufferPointer<UInt32>, _ spare: UnsafeMutableBufferPointer<UInt32>, count: Int,
    bucketBits: Int, histogram: inout [Int32]
  ) -> UnsafeMutableBufferPointer<UInt32> {
    if count <= 32 {
      insertionSort(codes, count: count)
      return codes
    }
    let binBits = min(bucketBits, Int.bitWidth - (count - 1).leadingZeroBitCount, 16)
    let bins = 1 << binBits, shift = UInt32(bucketBits - binBits + 1)  // + 1: the sign bit
    if histogram.count < bins { histogram = [Int32](repeating: 0, count: max(bins, 1 << 10)) }
    let crowded = histogram.withUnsafeMutableBufferPointer { counts -> Bool in
      for bin in 0..<bins { counts[bin] = 0 }
      for index in 0..<count { counts[Int(codes[index] >> shift)] &+= 1 }
      var total: Int32 = 0, largest: Int32 = 0
      for bin in 0..<bins {
        let binCount = counts[bin]
        counts[bin] = total
        total &+= binCount
        largest = max(largest, binCount)
      }
      guard largest <= 32 else { return true }
      for index in 0..<count {
        let code = codes[index], bin = Int(code >> shift)
        spare[Int(counts[bin])] = code
        counts[bin] &+= 1
      }
      return false
    }
    if crowded { return radixSort(codes, spare, count: count, bucketBits: bucketBits, histogram: &histogram) }
    insertionSort(spare, count: count)
    return spare
  }

  /// Sorts `codes[0..<count]` by bucket, in place, by insertion.
  private static func insertionSort(_ codes: UnsafeMutableBufferPointer<UInt32>, count: Int) {
    guard count > 1 else { return }
    for index in 1..<count {
      let code = codes[index]
      if codes[index - 1] >> 1 <= code >> 1 { continue }
      var slot = index
      while slot > 0 && codes[slot - 1] >> 1 > code >> 1 {
        codes[slot] = codes[slot - 1]
        slot -= 1
      }
      codes[slot] = code
    }
  }

  /// Sorts `codes[0..<count]` by bucket with a least significant digit radix sort in 2 or 3 passes
  /// (skipping digits all codes share), and returns whichever buffer holds the result.
  private static func radixSort(
    _ codes: UnsafeMutableBufferPointer<UInt32>, _ spare: UnsafeMutableBufferPointer<UInt32>, count: Int,
    bucketBits: Int, histogram: inout [Int32]
  ) -> UnsafeMutableBufferPointer<UInt32> {
    let passes = bucketBits <= 16 ? 2 : 3
    let width = (bucketBits + passes - 1) / passes
    let radix = 1 << width, digitMask = UInt32(radix - 1)
    if histogram.count < passes * radix { histogram = [Int32](repeating: 0, count: passes * radix) }
    return histogram.withUnsafeMutableBufferPointer { counts in
      for index in 0..<(passes * radix) { counts[index] = 0 }
      for index in 0..<count {
        let bucket = codes[index] >> 1
        for pass in 0..<passes { counts[pass * radix + Int(bucket >> UInt32(pass * width) & digitMask)] &+= 1 }
      }
      var source = codes, target = spare
      for pass in 0..<passes {
        let base = pass * radix, shift = UInt32(pass * width + 1)  // + 1: the sign bit
        if counts[base + Int(source[0] >> shift & digitMask)] == Int32(count) { continue }
        var total: Int32 = 0
        for digit in 0..<radix {
          let digitCount = counts[base + digit]
          counts[base + digit] = total
          total &+= digitCount
        }
        for index in 0..<count {
          let code = source[index]
          let digit = base + Int(code >> shift & digitMask)
          target[Int(counts[digit])] = code
          counts[digit] &+= 1
        }
        swap(&source, &target)
      }
      return source
    }
  }
}
