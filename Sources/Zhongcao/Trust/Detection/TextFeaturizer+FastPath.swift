import Foundation

// The allocation-free featurisation behind ``TextFeaturizer/features(text:extra:)``,
// ``SponsoredDetector/assess(text:extra:propensityAttributes:explainCount:explainThreshold:workspace:)``
// and ``TextFeaturizer/grams(of:)``: one pass over the text's UTF-8 with the grams hashed
// incrementally (a scalar class table instead of property lookups), then the signs summed per
// bucket in an order-preserving hash table that lists the buckets in increasing order. Gives
// bitwise the features of the straightforward definition, which the tests keep as their oracle
// (DetectorReference).

/// Reusable working memory of the fast featurisation (one per thread; see
/// ``SponsoredDetector/Workspace``). After a pass its first ``featureCount`` buckets and values are
/// the note's text features.
struct FeaturizerWorkspace: Sendable {
  /// One code per gram: `bucket << 1 | 1` when the gram's sign is negative.
  var codes: [UInt32] = []
  /// The ordered hash table that sums the signs per bucket, and a bitmap of its occupied slots
  /// (both all zero between passes; see ``BucketCounter``).
  var table: [UInt64] = []
  var occupied: [UInt64] = []
  /// The current CJK run of a pass by start: each scalar's UTF-8 packed little-endian, and its
  /// byte offset (then the run's end).
  var runScalars: [UInt32] = []
  var runOffsets: [Int32] = []
  /// The text part of the features: buckets with a non-zero count, increasing (the first
  /// ``featureCount``; the arrays only grow).
  var buckets: [Int32] = []
  /// Their L2-normalised values.
  var values: [Double] = []
  /// How many of ``buckets`` and ``values`` the last pass filled.
  var featureCount = 0
  /// The grams the last pass recorded (to name grams in an explanation): the first
  /// ``occurrenceCount``, as ``recorded`` says.
  var occurrences: [GramOccurrence] = []
  var occurrenceCount = 0
  var recorded = Recorded.nothing
  /// How many grams the last pass found.
  var gramCount = 0
  /// Whether ``codes`` holds the codes of the last hashing pass's text in the sliding order (see
  /// ``GramPass/sliding``), which a replaying pass can read instead of hashing.
  var codesBySlidingWindow = false
  /// Whether a gram contains a scalar other than ASCII and the common CJK ideographs (only then
  /// can two different grams be canonically equivalent strings; see ``ScalarTable/inert``).
  var hasUncommonScalars = false

  /// Which grams a pass recorded.
  enum Recorded: Equatable {
    case nothing
    /// Every gram, in the order of ``TextFeaturizer/grams(of:)`` when `byStart` (character grams
    /// of a run by start, then length), else perhaps with a run's character grams by end.
    case all(byStart: Bool)
    /// The grams of some buckets, in the same order as `all(byStart: false)`.
    case someBuckets
  }

  /// Makes every buffer hold at least `grams` grams (occurrences too when `recording`) and
  /// `scalars` run scalars.
  mutating func reserve(grams: Int, scalars: Int, recording: Bool) {
    if codes.count < grams {
      let size = max(grams, 2 * codes.count)
      codes = [UInt32](repeating: 0, count: size)
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

  /// The scalar value, UTF-8 length and UTF-8 bytes (packed little-endian) of the scalar
  /// starting at `position` of valid UTF-8.
  @inline(__always)
  static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (value: UInt32, length: Int, packed: UInt32) {
    let lead = bytes[position]
    if lead < 0x80 { return (UInt32(lead), 1, UInt32(lead)) }
    let second = bytes[position &+ 1]
    if lead < 0xE0 {
      return (UInt32(lead & 0x1F) << 6 | UInt32(second & 0x3F), 2, UInt32(lead) | UInt32(second) << 8)
    }
    let third = bytes[position &+ 2]
    if lead < 0xF0 {
      return (UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F), 3,
              UInt32(lead) | UInt32(second) << 8 | UInt32(third) << 16)
    }
    let fourth = bytes[position &+ 3]
    return (UInt32(lead & 0x07) << 18 | UInt32(second & 0x3F) << 12 | UInt32(third & 0x3F) << 6 | UInt32(fourth & 0x3F), 4,
            UInt32(lead) | UInt32(second) << 8 | UInt32(third) << 16 | UInt32(fourth) << 24)
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
  /// `recording`, `workspace.occurrences` lists every gram (see ``hashGrams(_:into:recording:byStart:)``).
  func featurize(_ bytes: UnsafeBufferPointer<UInt8>, into workspace: inout FeaturizerWorkspace, recording: Bool) {
    hashGrams(bytes, into: &workspace, recording: recording)
    accumulate(gramCount: workspace.gramCount, workspace: &workspace)
  }

  /// Hashes every gram of `bytes` into `workspace.codes`, leaving the features of an earlier pass
  /// alone. When `recording`, it also records the grams in `workspace.occurrences`: all of them
  /// (in the order of ``grams(of:)`` when `byStart`), or only those whose bucket is in
  /// `onlyBuckets` (increasing) when given.
  ///
  /// With `sameText` (the caller vouches that `bytes` is the text of the workspace's last hashing
  /// pass, which has not been reused since), a recording pass in the same sliding order reads the
  /// buckets from `workspace.codes` instead of hashing again.
  func hashGrams(
    _ bytes: UnsafeBufferPointer<UInt8>, into workspace: inout FeaturizerWorkspace, recording: Bool, byStart: Bool = false,
    onlyBuckets: [Int32]? = nil, sameText: Bool = false
  ) {
    workspace.reserve(grams: gramBound(byteCount: bytes.count), scalars: bytes.count / 3 + 1, recording: recording)
    let only = onlyBuckets ?? []
    let replaying = sameText && recording && !byStart && workspace.codesBySlidingWindow && GramPass<Hashing>.slides(self)
    let (gramCount, recordedCount, uncommon, sliding) = workspace.codes.withUnsafeMutableBufferPointer { codes in
      workspace.runScalars.withUnsafeMutableBufferPointer { runScalars in
        workspace.runOffsets.withUnsafeMutableBufferPointer { runOffsets in
          workspace.occurrences.withUnsafeMutableBufferPointer { occurrences in
            only.withUnsafeBufferPointer { only in
              ScalarTable.entries.withUnsafeBufferPointer { table in
                let recording = recording ? GramRecording(occurrences: occurrences, onlyBuckets: onlyBuckets == nil ? nil : only) : nil
                if replaying {
                  var pass = GramPass(
                    featurizer: self, bucketing: Replaying(codes: UnsafeBufferPointer(codes)), bytes: bytes, table: table,
                    runScalars: runScalars, runOffsets: runOffsets, recording: recording, byStart: byStart)
                  pass.run()
                  return (pass.gramCount, pass.recordedCount, pass.uncommon, pass.sliding)
                }
                var pass = GramPass(
                  featurizer: self, bucketing: Hashing(codes: codes, mask: UInt64(bucketCount - 1)), bytes: bytes, table: table,
                  runScalars: runScalars, runOffsets: runOffsets, recording: recording, byStart: byStart)
                pass.run()
                return (pass.gramCount, pass.recordedCount, pass.uncommon, pass.sliding)
              }
            }
          }
        }
      }
    }
    workspace.gramCount = gramCount
    workspace.occurrenceCount = recordedCount
    workspace.recorded = !recording ? .nothing : onlyBuckets != nil ? .someBuckets : .all(byStart: !sliding)
    workspace.hasUncommonScalars = uncommon
    if !replaying { workspace.codesBySlidingWindow = sliding }
  }

  /// `1 + ln n` for small counts n, as ``features(text:extra:)`` computes it.
  private static let logValues: [Double] = (0..<64).map { 1 + log(Double($0)) }

  /// Sums each bucket's signs and leaves the non-zero buckets, in increasing order, with their
  /// normalised values `sign(v)·(1 + ln|v|) / ‖·‖₂` in the workspace, summing the norm in
  /// increasing bucket order as ``features(text:extra:)`` always has.
  private func accumulate(gramCount: Int, workspace: inout FeaturizerWorkspace) {
    workspace.featureCount = 0
    guard gramCount > 0 else { return }
    let counter = BucketCounter(gramCount: gramCount, bucketBits: bucketBits)
    if workspace.table.count < counter.tableSize {
      workspace.table = [UInt64](repeating: 0, count: counter.tableSize)
      workspace.occupied = [UInt64](repeating: 0, count: counter.tableSize / 64 + 1)
    }
    var featureCount = 0
    workspace.codes.withUnsafeMutableBufferPointer { codes in
      workspace.table.withUnsafeMutableBufferPointer { table in
        workspace.occupied.withUnsafeMutableBufferPointer { occupied in
          workspace.buckets.withUnsafeMutableBufferPointer { buckets in
            workspace.values.withUnsafeMutableBufferPointer { values in
              Self.logValues.withUnsafeBufferPointer { logValues in
                counter.insert(UnsafeBufferPointer(rebasing: codes[..<gramCount]), table: table, occupied: occupied)
                var norm = 0.0
                counter.removeAll(table: table, occupied: occupied) { bucket, sum in
                  guard sum != 0 else { return }
                  let magnitude = sum.magnitude
                  let size = magnitude < 64 ? logValues[Int(magnitude)] : 1 + log(Double(magnitude))
                  // −size when the sum is negative, without a branch (the signs are coin flips).
                  let value = Double(bitPattern: size.bitPattern | UInt64(bitPattern: Int64(sum)) & (1 << 63))
                  buckets[featureCount] = bucket
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
    }
    workspace.featureCount = featureCount
  }
}

/// Sums gram signs per bucket and lists the buckets in increasing order, in time linear in the
/// number of grams, with a small order-preserving hash table.
///
/// A bucket's home slot is its top bits (`bucket · slots / 2^bucketBits`), a monotone function,
/// and linear probing keeps every cluster sorted by inserting in place (shifting larger keys one
/// slot on). Reading the occupied slots front to back then gives the buckets in increasing order.
/// Slots pack `(bucket + 1) << 32 | (2^31 + sum)`; 0 is empty. A bitmap marks the occupied slots.
struct BucketCounter {
  /// log₂ of the home slots: 4 to 8 per gram, so that most grams find their home empty (a test
  /// the branch predictor cannot learn, costly when it fails often), at least 16 and at most one
  /// per bucket (then every bucket is at home).
  let slotBits: Int
  let bucketBits: Int
  /// Home slots plus room for the last cluster to run past them.
  let tableSize: Int

  init(gramCount: Int, bucketBits: Int) {
    let wanted = min(gramCount, 1 << bucketBits) * 4
    slotBits = min(bucketBits, max(4, Int.bitWidth - wanted.leadingZeroBitCount))
    self.bucketBits = bucketBits
    tableSize = (1 << slotBits) + min(gramCount, 1 << bucketBits) + 1
  }

  static let bias: UInt64 = 1 << 31

  /// Adds the signs of `codes` to `table` (at least ``tableSize`` slots), marking new slots in
  /// `occupied` (at least `tableSize / 64 + 1` words).
  func insert(_ codes: UnsafeBufferPointer<UInt32>, table: UnsafeMutableBufferPointer<UInt64>, occupied: UnsafeMutableBufferPointer<UInt64>) {
    let homeShift = UInt32(bucketBits - slotBits)
    for code in codes {
      let bucket = code >> 1
      let key = UInt64(bucket &+ 1) << 32
      // +1 or −1 in the low half (the bias keeps it from borrowing from the key).
      let delta = 1 &- 2 &* UInt64(code & 1)
      var index = Int(bucket >> homeShift)
      var slot = table[index]
      if slot != 0 {
        while slot != 0 && slot < key {
          index &+= 1
          slot = table[index]
        }
        if slot & ~0xFFFF_FFFF == key {
          table[index] = slot &+ delta
          continue
        }
        // Insert before the larger keys of this cluster, shifting them one slot on.
        var carried = key | Self.bias &+ delta
        while slot != 0 {
          table[index] = carried
          carried = slot
          index &+= 1
          slot = table[index]
        }
        table[index] = carried
      } else {
        table[index] = key | Self.bias &+ delta
      }
      occupied[index >> 6] |= 1 << UInt64(index & 63)
    }
  }

  /// Calls `body(bucket, sum)` for every counted bucket, in increasing order, and empties the
  /// table and the bitmap.
  @inline(__always)
  func removeAll(
    table: UnsafeMutableBufferPointer<UInt64>, occupied: UnsafeMutableBufferPointer<UInt64>, _ body: (Int32, Int) -> Void
  ) {
    for word in 0..<(tableSize + 63) / 64 {
      var bits = occupied[word]
      guard bits != 0 else { continue }
      occupied[word] = 0
      repeat {
        let index = word << 6 | bits.trailingZeroBitCount
        let slot = table[index]
        table[index] = 0
        body(Int32(truncatingIfNeeded: slot >> 32) &- 1, Int(slot & 0xFFFF_FFFF) - Int(Self.bias))
        bits &= bits &- 1
      } while bits != 0
    }
  }
}

/// Where a recording pass writes the grams it records, and which it records.
private struct GramRecording {
  let occurrences: UnsafeMutableBufferPointer<GramOccurrence>
  /// Only the grams of these buckets (increasing), when given; `mask` has bit `bucket % 64` of
  /// each set, to pass over most others with one test.
  let onlyBuckets: UnsafeBufferPointer<Int32>?
  let mask: UInt64

  init(occurrences: UnsafeMutableBufferPointer<GramOccurrence>, onlyBuckets: UnsafeBufferPointer<Int32>?) {
    self.occurrences = occurrences
    self.onlyBuckets = onlyBuckets
    mask = onlyBuckets?.reduce(0) { $0 | 1 << UInt64($1 & 63) } ?? ~0
  }

  /// Whether to record a gram of `bucket`.
  @inline(__always)
  func wants(_ bucket: Int32) -> Bool {
    guard mask & 1 << UInt64(bucket & 63) != 0 else { return false }
    guard let onlyBuckets else { return true }
    var low = 0, high = onlyBuckets.count
    while low < high {
      let middle = (low + high) / 2
      if onlyBuckets[middle] < bucket { low = middle + 1 } else { high = middle }
    }
    return low < onlyBuckets.count && onlyBuckets[low] == bucket
  }
}

/// How a pass gets each gram's bucket.
private protocol GramBucketing {
  /// Whether the pass needs the grams' hash states.
  static var hashes: Bool { get }
  /// The bucket of the pass's `index`-th gram, whose FNV state and byte count (tag included) are given.
  func bucket(ofGram index: Int, state: UInt64, byteCount: Int) -> Int32
}

/// Finishes each gram's hash and writes its code (see ``FeaturizerWorkspace/codes``).
private struct Hashing: GramBucketing {
  let codes: UnsafeMutableBufferPointer<UInt32>
  let mask: UInt64
  static var hashes: Bool { true }

  @inline(__always)
  func bucket(ofGram index: Int, state: UInt64, byteCount: Int) -> Int32 {
    let digest = SplitMix64.mix(state ^ UInt64(byteCount))
    let bucket = UInt32(truncatingIfNeeded: digest & mask)
    codes[index] = bucket << 1 | UInt32(truncatingIfNeeded: digest >> 63)
    return Int32(bitPattern: bucket)
  }
}

/// Reads each gram's bucket from the codes a hashing pass over the same text, in the same order,
/// wrote: the states go unused, and the optimiser drops their computation.
private struct Replaying: GramBucketing {
  let codes: UnsafeBufferPointer<UInt32>
  static var hashes: Bool { false }

  @inline(__always)
  func bucket(ofGram index: Int, state: UInt64, byteCount: Int) -> Int32 { Int32(bitPattern: codes[index] >> 1) }
}

/// One pass over a text's UTF-8. Each run of the text (a word, a CJK run, separators) is consumed
/// by its own loop with its state in locals; only the link from one word to the next (for word
/// pairs) crosses runs.
private struct GramPass<Bucketing: GramBucketing> {
  let bucketing: Bucketing
  let bytes: UnsafeBufferPointer<UInt8>
  let table: UnsafeBufferPointer<UInt8>
  /// A CJK run's scalars and their byte offsets, when not ``sliding``.
  let runScalars: UnsafeMutableBufferPointer<UInt32>
  let runOffsets: UnsafeMutableBufferPointer<Int32>
  /// Where to record grams, when recording.
  let recording: GramRecording?
  let characterState: UInt64, wordState: UInt64, pairState: UInt64
  let minimumGram: Int, maximumGram: Int, bigrams: Bool
  /// Character 1…3-grams need no run buffer: each scalar of a run extends the grams still open
  /// (started 1 and 2 scalars back) and starts one. Grams then come out by end rather than by
  /// start, which only ``TextFeaturizer/grams(of:)`` and explanations of non-inert texts notice.
  let sliding: Bool

  /// Grams so far, and grams recorded.
  var gramCount = 0
  var recordedCount = 0
  /// Whether a gram scalar was other than ASCII or a common CJK ideograph.
  var uncommon = false
  /// The previous word, while no CJK run intervenes: the pair state after "tag, word, space",
  /// its length and where it is.
  var hasPrevious = false, previousPairState: UInt64 = 0, previousLength = 0
  var previousScalarStart = 0, previousByteStart = 0, previousByteEnd = 0

  init(
    featurizer: TextFeaturizer, bucketing: Bucketing, bytes: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>,
    runScalars: UnsafeMutableBufferPointer<UInt32>, runOffsets: UnsafeMutableBufferPointer<Int32>,
    recording: GramRecording?, byStart: Bool
  ) {
    self.bucketing = bucketing
    self.bytes = bytes
    self.table = table
    self.runScalars = runScalars
    self.runOffsets = runOffsets
    self.recording = recording
    characterState = featurizer.hashState(afterTag: TextFeaturizer.tag(of: .characters))
    wordState = featurizer.hashState(afterTag: TextFeaturizer.tag(of: .word))
    pairState = featurizer.hashState(afterTag: TextFeaturizer.tag(of: .wordPair))
    minimumGram = featurizer.minimumCharacterGram
    maximumGram = featurizer.maximumCharacterGram
    bigrams = featurizer.wordBigrams
    sliding = !(recording != nil && byStart) && Self.slides(featurizer)
  }

  /// Whether the featurizer's character grams suit the sliding window (unless `byStart`).
  static func slides(_ featurizer: TextFeaturizer) -> Bool {
    featurizer.minimumCharacterGram == 1 && featurizer.maximumCharacterGram == 3
  }

  @inline(__always)
  static func fnv(_ state: UInt64, _ byte: UInt8) -> UInt64 {
    (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
  }

  /// FNV-1a over the `length` (2…4) bytes packed little-endian in `packed`.
  @inline(__always)
  static func fnv(_ state: UInt64, packed: UInt32, length: Int) -> UInt64 {
    var state = (state ^ UInt64(packed & 0xFF)) &* 0x0000_0100_0000_01B3
    state = (state ^ UInt64(packed >> 8 & 0xFF)) &* 0x0000_0100_0000_01B3
    if length == 2 { return state }
    state = (state ^ UInt64(packed >> 16 & 0xFF)) &* 0x0000_0100_0000_01B3
    if length == 3 { return state }
    return (state ^ UInt64(packed >> 24)) &* 0x0000_0100_0000_01B3
  }

  /// The bucket of the gram numbered `grams` (whose state and byte count, tag included, are
  /// given), counting it.
  @inline(__always)
  func emit(_ state: UInt64, byteCount: Int, grams: inout Int) -> Int32 {
    let bucket = bucketing.bucket(ofGram: grams, state: state, byteCount: byteCount)
    grams &+= 1
    return bucket
  }

  /// The scalar at `position`: its class entry (``ScalarTable/entries``), UTF-8 length and bytes
  /// (packed little-endian), and whether it is an uncommon gram scalar.
  @inline(__always)
  func scalar(at position: Int) -> (entry: UInt8, length: Int, packed: UInt32, uncommon: Bool) {
    let lead = bytes[position]
    if lead < 0x80 { return (table[Int(lead)], 1, UInt32(lead), false) }
    let (value, length, packed) = TextFeaturizer.decodeScalar(bytes, at: position)
    if ScalarTable.isCommonCJK(value) { return (ScalarTable.cjk, length, packed, false) }
    let entry = value < UInt32(ScalarTable.count) ? table[Int(value)] : Self.entry(beyondTable: value)
    return (entry, length, packed, entry != ScalarTable.separator)
  }

  @inline(never)
  static func entry(beyondTable value: UInt32) -> UInt8 {
    switch TextFeaturizer.scalarClass(of: Unicode.Scalar(value)!) {
    case .separator: ScalarTable.separator
    case .word: ScalarTable.word | ScalarTable.lowersSlowly
    case .cjk: ScalarTable.cjk
    }
  }

  /// Hashes every gram of the text.
  mutating func run() {
    var position = 0, scalarIndex = 0
    while position < bytes.count {
      let scalar = scalar(at: position)
      switch scalar.entry & 3 {
      case ScalarTable.word:
        (position, scalarIndex) = hashWord(from: position, scalar: scalarIndex)
      case ScalarTable.cjk:
        hasPrevious = false
        if !sliding {
          (position, scalarIndex) = hashRun(from: position, scalar: scalarIndex)
        } else if recording != nil {
          (position, scalarIndex) = hashRunRecording(from: position, scalar: scalarIndex)
        } else {
          (position, scalarIndex) = hashRunSliding(from: position, scalar: scalarIndex, recording: false)
        }
      default:
        position &+= scalar.length
        scalarIndex &+= 1
      }
    }
  }

  /// Hashes the word starting at `start` and the pair it closes; returns where the word ends.
  mutating func hashWord(from start: Int, scalar scalarStart: Int) -> (position: Int, scalar: Int) {
    var wordHash = wordState, pairHash = previousPairState, nextPairHash = pairState
    var position = start, scalarIndex = scalarStart, isSlow = false
    let count = bytes.count
    while position < count {
      let lead = bytes[position]
      if lead < 0x80 {
        guard table[Int(lead)] & 3 == ScalarTable.word else { break }
        let lowered = lead &+ (lead &- 0x41 < 26 ? 0x20 : 0)
        wordHash = Self.fnv(wordHash, lowered)
        pairHash = Self.fnv(pairHash, lowered)
        nextPairHash = Self.fnv(nextPairHash, lowered)
        position &+= 1
        scalarIndex &+= 1
        continue
      }
      let scalar = scalar(at: position)
      guard scalar.entry & 3 == ScalarTable.word else { break }
      uncommon = true
      if scalar.entry & 0b1100 == ScalarTable.lowersSlowly {
        isSlow = true
      } else {
        var packed = scalar.packed
        if scalar.entry & 0b1100 == ScalarTable.lowersByLatin1Offset { packed &+= 0x2000 }  // the second byte + 0x20
        wordHash = Self.fnv(wordHash, packed: packed, length: scalar.length)
        pairHash = Self.fnv(pairHash, packed: packed, length: scalar.length)
        nextPairHash = Self.fnv(nextPairHash, packed: packed, length: scalar.length)
      }
      position &+= scalar.length
      scalarIndex &+= 1
    }
    // Lowercasing a Latin-1 capital keeps its UTF-8 length, so the word's length is its bytes'.
    var length = position - start
    if isSlow {
      (wordHash, pairHash, nextPairHash, length) = Self.lowercasedHashes(
        of: UnsafeBufferPointer(rebasing: bytes[start..<position]), states: (wordState, previousPairState, pairState))
    }
    var grams = gramCount
    let bucket = emit(wordHash, byteCount: 1 + length, grams: &grams)
    if recording != nil {
      record(GramOccurrence(bucket: bucket, kind: .word, start: Int32(scalarStart), end: Int32(scalarIndex),
                            firstStart: Int32(start), firstEnd: Int32(position)))
    }
    if bigrams && hasPrevious {
      let bucket = emit(pairHash, byteCount: 2 + previousLength + length, grams: &grams)
      if recording != nil {
        record(GramOccurrence(bucket: bucket, kind: .wordPair, start: Int32(previousScalarStart), end: Int32(scalarIndex),
                              firstStart: Int32(previousByteStart), firstEnd: Int32(previousByteEnd),
                              secondStart: Int32(start), secondEnd: Int32(position)))
      }
    }
    gramCount = grams
    hasPrevious = true
    if Bucketing.hashes { previousPairState = Self.fnv(nextPairHash, 0x20) }
    previousLength = length
    previousScalarStart = scalarStart
    previousByteStart = start
    previousByteEnd = position
    return (position, scalarIndex)
  }

  /// The three word states after `word` lowercased by `String.lowercased()`, and its length.
  @inline(never)
  static func lowercasedHashes(of word: UnsafeBufferPointer<UInt8>, states: (UInt64, UInt64, UInt64))
    -> (UInt64, UInt64, UInt64, Int)
  {
    var (wordHash, pairHash, nextPairHash) = states
    var length = 0
    for byte in String(decoding: word, as: UTF8.self).lowercased().utf8 {
      wordHash = fnv(wordHash, byte)
      pairHash = fnv(pairHash, byte)
      nextPairHash = fnv(nextPairHash, byte)
      length += 1
    }
    return (wordHash, pairHash, nextPairHash, length)
  }

  /// ``hashRunSliding(from:scalar:recording:)``, recording.
  mutating func hashRunRecording(from start: Int, scalar scalarStart: Int) -> (position: Int, scalar: Int) {
    hashRunSliding(from: start, scalar: scalarStart, recording: true)
  }

  /// Hashes the character 1…3-grams of the CJK run starting at `start` as the scalars come (and
  /// records them, when `recording`); returns where the run ends.
  @inline(__always)
  mutating func hashRunSliding(from start: Int, scalar scalarStart: Int, recording: Bool) -> (position: Int, scalar: Int) {
    var grams = gramCount
    var open1: UInt64 = 0, open2: UInt64 = 0, bytes1 = 0, bytes2 = 0, runLength = 0
    var position = start
    while position < bytes.count {
      let scalar = scalar(at: position)
      guard scalar.entry & 3 == ScalarTable.cjk else { break }
      if scalar.uncommon { uncommon = true }
      let length = scalar.length
      let packed = scalar.packed
      let started = Self.fnv(characterState, packed: packed, length: length)
      let startedBucket = emit(started, byteCount: 1 + length, grams: &grams)
      if recording { recordCharacters(startedBucket, from: scalarStart + runLength, length: 1, bytes: position..<position + length) }
      if runLength >= 1 {
        let extended = Self.fnv(open1, packed: packed, length: length)
        let extendedBucket = emit(extended, byteCount: 1 + bytes1 + length, grams: &grams)
        if recording {
          recordCharacters(extendedBucket, from: scalarStart + runLength - 1, length: 2, bytes: position - bytes1..<position + length)
        }
        if runLength >= 2 {
          let bucket = emit(Self.fnv(open2, packed: packed, length: length), byteCount: 1 + bytes2 + length, grams: &grams)
          if recording { recordCharacters(bucket, from: scalarStart + runLength - 2, length: 3, bytes: position - bytes2..<position + length) }
        }
        (open2, bytes2) = (extended, bytes1 + length)
      }
      (open1, bytes1) = (started, length)
      runLength &+= 1
      position &+= length
    }
    gramCount = grams
    return (position, scalarStart + runLength)
  }

  /// Records a gram, if the pass records it.
  @inline(__always)
  mutating func record(_ occurrence: GramOccurrence) {
    guard let recording, recording.wants(occurrence.bucket) else { return }
    recording.occurrences[recordedCount] = occurrence
    recordedCount &+= 1
  }

  /// Records a character gram of `length` scalars from scalar `first`, at `bytes`.
  @inline(__always)
  mutating func recordCharacters(_ bucket: Int32, from first: Int, length: Int, bytes: Range<Int>) {
    record(GramOccurrence(bucket: bucket, kind: .characters, start: Int32(first), end: Int32(first + length),
                          firstStart: Int32(bytes.lowerBound), firstEnd: Int32(bytes.upperBound)))
  }

  /// Hashes the character grams of the CJK run starting at `start`, by start then length (the
  /// order of ``TextFeaturizer/grams(of:)``); returns where the run ends.
  mutating func hashRun(from start: Int, scalar scalarStart: Int) -> (position: Int, scalar: Int) {
    var runLength = 0, position = start
    while position < bytes.count {
      let scalar = scalar(at: position)
      guard scalar.entry & 3 == ScalarTable.cjk else { break }
      if scalar.uncommon { uncommon = true }
      runScalars[runLength] = scalar.packed
      runOffsets[runLength] = Int32(position)
      runLength &+= 1
      position &+= scalar.length
    }
    runOffsets[runLength] = Int32(position)
    var grams = gramCount
    for first in 0..<runLength {
      var state = characterState
      for last in first..<min(runLength, first + maximumGram) {
        state = Self.fnv(state, packed: runScalars[last], length: Int(runOffsets[last + 1] &- runOffsets[last]))
        guard last - first + 1 >= minimumGram else { continue }
        let bucket = emit(state, byteCount: Int(1 + runOffsets[last + 1] - runOffsets[first]), grams: &grams)
        recordCharacters(bucket, from: scalarStart + first, length: last - first + 1,
                         bytes: Int(runOffsets[first])..<Int(runOffsets[last + 1]))
      }
    }
    gramCount = grams
    return (position, scalarStart + runLength)
  }
}
