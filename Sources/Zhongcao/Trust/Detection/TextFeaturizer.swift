import Foundation

/// A sparse feature vector: strictly increasing `indices` with their `values`.
///
/// The output of ``TextFeaturizer`` and the input of ``LogisticRegression``. Indices are below
/// the featurizer's ``TextFeaturizer/dimension``.
public struct SparseFeatures: Sendable, Equatable, Hashable, Codable {
  /// Feature indices, strictly increasing.
  public var indices: [Int32]
  /// The value of each index, same count as ``indices``.
  public var values: [Double]

  /// A sparse vector. Traps unless the counts match and `indices` is strictly increasing and
  /// non-negative.
  public init(indices: [Int32], values: [Double]) {
    precondition(indices.count == values.count, "\(indices.count) indices but \(values.count) values")
    for position in indices.indices {
      precondition(indices[position] >= 0, "negative feature index \(indices[position])")
      precondition(position == 0 || indices[position - 1] < indices[position], "feature indices must be strictly increasing")
    }
    self.indices = indices
    self.values = values
  }

  /// A dense vector as sparse features: every entry, zeros included, at indices `0..<dense.count`.
  public init(dense: [Double]) {
    indices = dense.indices.map { Int32($0) }
    values = dense
  }

  init(uncheckedIndices indices: [Int32], values: [Double]) {
    self.indices = indices
    self.values = values
  }

  /// The number of stored entries.
  public var count: Int { indices.count }

  /// The largest index plus one (0 when empty): the smallest dimension this vector fits.
  public var minimumDimension: Int { indices.last.map { Int($0) + 1 } ?? 0 }
}

/// One n-gram a ``TextFeaturizer`` extracted from a text, with where it sits.
public struct TextGram: Sendable, Hashable, Codable, CustomStringConvertible {
  /// What kind of unit the gram is made of.
  public enum Kind: String, Sendable, Hashable, Codable {
    /// 1–3 consecutive characters of a CJK run (Han, kana, Hangul).
    case characters
    /// One lowercased word of a Latin-script or digit run.
    case word
    /// Two consecutive lowercased words, joined by one space.
    case wordPair = "word_pair"
  }

  /// The gram's text: characters as written, words lowercased.
  public var text: String
  /// Its kind.
  public var kind: Kind
  /// Start offset in Unicode scalars of the featurized text (as ``TextSpan`` counts).
  public var start: Int
  /// End offset (exclusive), in Unicode scalars.
  public var end: Int

  /// A gram.
  public init(text: String, kind: Kind, start: Int, end: Int) {
    self.text = text
    self.kind = kind
    self.start = start
    self.end = end
  }

  /// `word:"link"@12..<16`.
  public var description: String { "\(kind.rawValue):\"\(text)\"@\(start)..<\(end)" }
}

/// Turns a note's text into hashed n-gram features (the hashing trick), CJK-aware.
///
/// - CJK runs (Han ideographs, kana, Hangul, 々 and 〇) give character n-grams (1–3 by default),
///   which need no word segmenter: 「私信领取优惠」 gives 私, 私信, 私信领, 信, …
/// - Runs of letters and digits of any other script give lowercased words, plus bigrams of
///   consecutive words (not across a CJK run). Everything else (spaces, punctuation, emoji,
///   `#`) separates.
/// - Each gram is hashed (seeded 64-bit FNV-1a over a kind tag and its UTF-8, finished with the
///   ``SplitMix64`` mixer; fast even in debug builds) to one of
///   2^``bucketBits`` buckets, with a sign from the hash's top bit (Weinberger et al. 2009), so
///   collisions cancel in expectation instead of adding up.
/// - Per bucket the signed count `v` becomes `sign(v)·(1 + ln|v|)` (sublinear TF), and the text
///   part is L2-normalised, so long notes do not outweigh short ones.
/// - ``extraFeatureCount`` dense features (e.g. counts of commercial signals, which the caller
///   should scale, for instance `ln(1 + count)`) follow the buckets, unnormalised, at indices
///   `2^bucketBits ..< 2^bucketBits + extraFeatureCount`.
///
/// The featurizer is a pure function of its settings: the same text gives the same features on
/// every machine with the same Swift runtime. Which scalars are letters and how they lowercase
/// come from the runtime's Unicode tables, so a scalar that a later Unicode version assigns or
/// reclassifies can featurise differently under another toolchain.
public struct TextFeaturizer: Sendable, Equatable, Hashable, Codable {
  /// log₂ of the number of hash buckets; 10 … 24 (default 18: 262,144 buckets).
  public var bucketBits: Int
  /// The smallest character n-gram length in CJK runs (≥ 1).
  public var minimumCharacterGram: Int
  /// The largest character n-gram length in CJK runs (≥ ``minimumCharacterGram``).
  public var maximumCharacterGram: Int
  /// Whether consecutive-word bigrams are added for Latin-script runs.
  public var wordBigrams: Bool
  /// How many dense extra features follow the buckets.
  public var extraFeatureCount: Int
  /// The seed of the bucket hash.
  public var seed: UInt64

  /// A featurizer.
  ///
  /// - Parameters:
  ///   - bucketBits: log₂ of the bucket count, 10 … 24.
  ///   - characterGrams: CJK character n-gram lengths, within 1 … 5.
  ///   - wordBigrams: Whether to add word bigrams.
  ///   - extraFeatureCount: Number of dense features appended after the buckets.
  ///   - seed: Hash seed.
  public init(
    bucketBits: Int = 18, characterGrams: ClosedRange<Int> = 1...3, wordBigrams: Bool = true,
    extraFeatureCount: Int = 0, seed: UInt64 = 0x5A48_4F4E_4743_414F
  ) {
    precondition((10...24).contains(bucketBits), "bucketBits \(bucketBits) outside 10...24")
    precondition(characterGrams.lowerBound >= 1 && characterGrams.upperBound <= 5, "character grams \(characterGrams) outside 1...5")
    precondition(extraFeatureCount >= 0, "negative extraFeatureCount")
    self.bucketBits = bucketBits
    self.minimumCharacterGram = characterGrams.lowerBound
    self.maximumCharacterGram = characterGrams.upperBound
    self.wordBigrams = wordBigrams
    self.extraFeatureCount = extraFeatureCount
    self.seed = seed
  }

  /// The number of hash buckets, `2^bucketBits`.
  public var bucketCount: Int { 1 << bucketBits }

  /// The length of the feature vectors: buckets plus extra features.
  public var dimension: Int { bucketCount + extraFeatureCount }

  /// The hashed features of `text`, with `extra` appended.
  ///
  /// - Parameters:
  ///   - text: The text, with disclosure markers already masked when training a detector.
  ///   - extra: Exactly ``extraFeatureCount`` dense values.
  /// - Complexity: O(n) in the text's length.
  public func features(text: String, extra: [Double] = []) -> SparseFeatures {
    precondition(extra.count == extraFeatureCount, "\(extra.count) extra features, expected \(extraFeatureCount)")
    var workspace = FeaturizerWorkspace()
    Self.withUTF8(text) { featurize($0, into: &workspace, recording: false) }
    var indices = Array(workspace.buckets[..<workspace.featureCount]), values = Array(workspace.values[..<workspace.featureCount])
    for (offset, value) in extra.enumerated() where value != 0 {
      indices.append(Int32(bucketCount + offset))
      values.append(value)
    }
    return SparseFeatures(uncheckedIndices: indices, values: values)
  }

  /// Every gram of `text`, in order of position, with its scalar offsets: what ``features(text:extra:)``
  /// hashes. Used to explain a score in words.
  public func grams(of text: String) -> [TextGram] {
    var workspace = FeaturizerWorkspace()
    return Self.withUTF8(text) { bytes in
      hashGrams(bytes, into: &workspace, recording: true, byStart: true)
      return workspace.occurrences[..<workspace.occurrenceCount].map {
        TextGram(text: Self.name(of: $0, in: bytes), kind: $0.kind, start: Int($0.start), end: Int($0.end))
      }
    }
  }

  /// The bucket and sign that a gram hashes to.
  public func bucket(of gram: TextGram) -> (index: Int, sign: Double) {
    let result = hashed(kind: gram.kind, text: gram.text)
    return (Int(result.bucket), result.sign)
  }

  // MARK: - Internals

  static func tag(of kind: TextGram.Kind) -> UInt8 {
    switch kind {
    case .characters: 0x63
    case .word: 0x77
    case .wordPair: 0x62
    }
  }

  func hashed(kind: TextGram.Kind, text: String) -> (bucket: Int32, sign: Double) {
    var bytes: [UInt8] = [Self.tag(of: kind)]
    bytes.append(contentsOf: text.utf8)
    return hashed(taggedBytes: bytes)
  }

  /// The bucket and sign of a gram given as its kind tag followed by its UTF-8.
  func hashed(taggedBytes bytes: [UInt8]) -> (bucket: Int32, sign: Double) {
    // FNV-1a (64-bit) from a seeded basis, finished with the SplitMix64 mixer so that every
    // output bit depends on every input bit (FNV alone mixes its high bits poorly).
    var state = 0xCBF2_9CE4_8422_2325 ^ SplitMix64.mix(seed)
    bytes.withUnsafeBufferPointer { input in
      for byte in input { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }
    let digest = SplitMix64.mix(state ^ UInt64(bytes.count))
    let bucket = Int32(truncatingIfNeeded: digest & UInt64(bucketCount - 1))
    return (bucket, digest >> 63 == 0 ? 1 : -1)
  }

  /// How the tokenisation treats a scalar: part of a CJK run, part of a word, or a separator.
  enum ScalarClass { case cjk, word, separator }

  /// The class of `scalar`, by definition (the fast path reads it from ``ScalarTable``).
  static func scalarClass(of scalar: Unicode.Scalar) -> ScalarClass {
    if scalar.isASCII {
      switch scalar.value {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return .word
      default: return .separator
      }
    }
    switch scalar.value {
    case 0x3005, 0x3007, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF,
         0xF900...0xFAFF, 0x20000...0x3134F:
      return .cjk
    default:
      let properties = scalar.properties
      if properties.isAlphabetic || properties.numericType != nil { return .word }
      return .separator
    }
  }

  /// The text of a recorded gram: characters as written, words lowercased (ASCII by hand, anything
  /// else by `String.lowercased()`), a pair's two words joined by one space.
  static func name(of gram: GramOccurrence, in bytes: UnsafeBufferPointer<UInt8>) -> String {
    func slice(_ start: Int32, _ end: Int32) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(rebasing: bytes[Int(start)..<Int(end)])
    }
    func lowercased(_ word: UnsafeBufferPointer<UInt8>) -> String {
      guard word.allSatisfy({ $0 < 0x80 }) else { return String(decoding: word, as: UTF8.self).lowercased() }
      return String(unsafeUninitializedCapacity: word.count) { output in
        for (index, byte) in word.enumerated() { output[index] = byte &- 0x41 < 26 ? byte + 0x20 : byte }
        return word.count
      }
    }
    switch gram.kind {
    case .characters:
      return String(decoding: slice(gram.firstStart, gram.firstEnd), as: UTF8.self)
    case .word:
      return lowercased(slice(gram.firstStart, gram.firstEnd))
    case .wordPair:
      return lowercased(slice(gram.firstStart, gram.firstEnd)) + " " + lowercased(slice(gram.secondStart, gram.secondEnd))
    }
  }
}
