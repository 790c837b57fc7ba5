/// Charikar's 64-bit SimHash over weighted shingles (Manku, Jain & Das Sarma, WWW 2007).
///
/// Each shingle votes on each of the 64 bits with its occurrence count as weight: `+count` when
/// the bit of its hash is 1, `−count` when 0; a fingerprint bit is 1 when its vote is positive.
/// Two notes whose weighted shingle vectors have angle θ differ in about `64·θ/π` bits, so
/// Hamming distance ≤ 3 means cosine similarity above about 0.99: near-identical text.
enum SimHash {
  /// The fingerprint of a shingle bag.
  ///
  /// - Complexity: O(64·s) for s distinct shingles.
  static func fingerprint(_ shingles: NoteShingler.Shingles) -> UInt64 {
    // A bit's vote is `2·c − W`, where c is the weight of the shingles with that bit set and W
    // the total weight, so only c is summed (``BitWeights``).
    var weights = BitWeights()
    var total = 0
    byteMasks.withUnsafeBufferPointer { masks in
      shingles.hashes.withUnsafeBufferPointer { hashes in
        shingles.counts.withUnsafeBufferPointer { counts in
          for index in 0..<hashes.count {
            let weight = Int(counts[index])
            weights.add(hashes[index], weight: weight, masks: masks)
            total += weight
          }
        }
      }
    }
    return weights.majority(ofTotal: total)
  }

  /// The weight of the shingles with each of the 64 bits set. Each shingle adds its weight,
  /// masked by the bits of each hash byte (a 256-entry table of lane masks), to eight vectors of
  /// 16-bit sums: no multiply and no per-bit branch, and the 64 sums fit in eight SSE registers.
  /// The 16-bit sums are carried into 32-bit ones before they could overflow.
  private struct BitWeights {
    var narrow = (SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(),
                  SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>())
    var wide = (SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(),
                SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>())
    /// Weight in the 16-bit sums since they were last carried.
    var pending = 0

    @inline(__always)
    mutating func add(_ hash: UInt64, weight: Int, masks: UnsafeBufferPointer<SIMD8<Int16>>) {
      var weight = weight
      while weight > 0 {
        if pending == Int(Int16.max) { carry() }
        let step = min(weight, Int(Int16.max) - pending)
        let lanes = SIMD8<Int16>(repeating: Int16(step))
        narrow.0 &+= masks[Int(hash & 0xFF)] & lanes
        narrow.1 &+= masks[Int(hash >> 8 & 0xFF)] & lanes
        narrow.2 &+= masks[Int(hash >> 16 & 0xFF)] & lanes
        narrow.3 &+= masks[Int(hash >> 24 & 0xFF)] & lanes
        narrow.4 &+= masks[Int(hash >> 32 & 0xFF)] & lanes
        narrow.5 &+= masks[Int(hash >> 40 & 0xFF)] & lanes
        narrow.6 &+= masks[Int(hash >> 48 & 0xFF)] & lanes
        narrow.7 &+= masks[Int(hash >> 56)] & lanes
        pending += step
        weight -= step
      }
    }

    mutating func carry() {
      wide.0 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.0)
      wide.1 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.1)
      wide.2 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.2)
      wide.3 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.3)
      wide.4 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.4)
      wide.5 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.5)
      wide.6 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.6)
      wide.7 &+= SIMD8<Int32>(truncatingIfNeeded: narrow.7)
      narrow = (SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(),
                SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>(), SIMD8<Int16>())
      pending = 0
    }

    /// The bits whose shingles weigh more than half of `total`.
    mutating func majority(ofTotal total: Int) -> UInt64 {
      carry()
      var fingerprint: UInt64 = 0
      for (byte, sums) in [wide.0, wide.1, wide.2, wide.3, wide.4, wide.5, wide.6, wide.7].enumerated() {
        for lane in 0..<8 where 2 * Int(sums[lane]) > total { fingerprint |= 1 << UInt64(8 * byte + lane) }
      }
      return fingerprint
    }
  }

  /// For each byte value, lane k is all ones when bit k is set and zero otherwise.
  private static let byteMasks: [SIMD8<Int16>] = (0..<256).map { byte in
    var mask = SIMD8<Int16>()
    for lane in 0..<8 where (byte >> lane) & 1 == 1 { mask[lane] = -1 }
    return mask
  }

  /// The number of differing bits.
  static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

  /// Block `index` (0…3) of a fingerprint: bits `16·index ..< 16·index + 16`. Two fingerprints
  /// within Hamming distance 3 agree on at least one of the four blocks (pigeonhole: three
  /// differing bits can touch at most three blocks).
  static func block(_ fingerprint: UInt64, _ index: Int) -> UInt64 { (fingerprint >> UInt64(16 * index)) & 0xFFFF }
}

/// b-bit MinHash signatures by fast similarity sketching (Dahlgaard, Knudsen & Thorup, FOCS
/// 2017), and LSH banding.
///
/// Classic MinHash takes the minimum of `k` independent hash functions over a note's `s`
/// shingles: O(k·s), and at k = 128 it was the largest single cost of a trust scan. One
/// permutation hashing with densification is O(s + k) but, for the short notes that need MinHash
/// most, leaves most bins empty and borrowed, and misses templated notes. The sketch here fills
/// the `k` bins in rounds: in round `i` every shingle hashes (its key and the round, see
/// ``appendSignature(of:to:)``) to one bin and a value `i·2³² + h`, and a bin keeps its smallest
/// value; once every bin is filled no later round can lower any of them, so the sketch stops.
/// Rounds after the `k`-th (only for sets of a handful of shingles) send each shingle to the bins
/// in cyclic order from a random offset, so every bin is filled by round `2k`. Each bin's value comes from the element
/// of A ∪ B that reaches it first, so two sketches agree on a bin with probability equal to the
/// Jaccard similarity, and their agreement concentrates like k independent MinHash values, at an
/// expected cost of O(s + k·log k) hashes.
///
/// Only 8 bits of each minimum are kept, the top byte of its product with an odd constant (1 byte
/// per bin: 128 bytes a note, 128 MB for 10⁶ notes): two entries collide by chance with
/// probability 1/256, which ``estimatedJaccard(_:_:)`` subtracts out. A band is `rowsPerBand`
/// consecutive bytes read as one key; notes sharing a key in any band are candidates.
struct MinHash: Sendable {
  /// Number of bins (signature bytes): the `k` of the k-permutation MinHash it stands for.
  let permutations: Int
  /// The seed mixed into every shingle hash.
  private static let seed: UInt64 = 0x5A48_4F4E_4743_414F

  /// A signature family with `permutations` bins, the same for every run.
  init(permutations: Int) {
    precondition(permutations >= 1, "MinHash needs at least one bin")
    self.permutations = permutations
  }

  /// Appends the signature of `shingles` (`permutations` bytes) to `signatures`. An empty
  /// shingle set gives all-zero bytes.
  ///
  /// A shingle's key is its hash (already mixed, see ``NoteShingler``) xor a seed. In round
  /// `r < k` the shingle offers `(key ^ r·γ)·μ` (γ, μ odd constants): its top 32 bits pick the bin
  /// (multiply-high onto `0..<k`) and its low 32 bits are the value, so a round costs one xor and
  /// one multiply per shingle instead of a full mix (rounds are most of the work for the short
  /// notes MinHash is for: about five of them fill 128 bins from 150 shingles). The product is a
  /// bijection of the key, so distinct shingles never tie within a round. From round `k` on the
  /// shingle goes to bin `(key mod k + r − k) mod k`. A bin keeps the top byte of its minimum
  /// times an odd constant.
  ///
  /// - Complexity: O(s + k·log k) expected for s distinct shingles and k bins.
  func appendSignature(of shingles: NoteShingler.Shingles, to signatures: inout [UInt8]) {
    let bins = permutations
    guard !shingles.hashes.isEmpty else {
      signatures.append(contentsOf: repeatElement(0, count: bins))
      return
    }
    let count = shingles.hashes.count
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: bins + count) { buffer in
      let minima = UnsafeMutableBufferPointer(rebasing: buffer[..<bins])
      let keys = UnsafeMutableBufferPointer(rebasing: buffer[bins...])
      minima.initialize(repeating: .max)
      shingles.hashes.withUnsafeBufferPointer { hashes in
        for index in 0..<count { keys[index] = hashes[index] ^ Self.seed }
      }
      // Bins below `filled` are all filled. Filled bins stay filled, so the pointer only moves
      // on: checking after each round costs k comparisons a note in all, not one per offer.
      var filled = 0
      func advance() {
        while filled < bins, minima[filled] != .max { filled &+= 1 }
      }
      var round: UInt64 = 0
      let binCount = UInt64(bins)
      while filled < bins, round < binCount {
        // Values of a round lie above those of every earlier round, so a bin filled before
        // this round keeps its value. (Skipping such bins with a branch saves instructions but
        // costs time: which bins are empty is a coin flip the branch predictor cannot learn.)
        let roundKey = round &* Self.roundStep, roundBase = round << 32
        for key in keys {
          let offer = (key ^ roundKey) &* Self.multiplier
          let bin = Int(((offer >> 32) &* binCount) >> 32)
          minima[bin] = min(minima[bin], roundBase | (offer & 0xFFFF_FFFF))
        }
        round += 1
        // A round of s offers fills at most s bins: no point looking before k offers were made.
        if Int(round) &* count >= bins { advance() }
      }
      // Only sets of a handful of shingles get here: each shingle walks the bins cyclically.
      while filled < bins {
        let roundBase = round << 32, shift = Int(round) - bins
        for key in keys {
          let bin = (Int(truncatingIfNeeded: key % binCount) + shift) % bins
          minima[bin] = min(minima[bin], roundBase | (key & 0xFFFF_FFFF))
        }
        round += 1
        advance()
      }
      // Keep the top byte of the minimum times an odd constant, which depends on every bit of
      // the minimum (its low byte would be one bit of the round and the low bits of the value).
      let start = signatures.count
      signatures.append(contentsOf: repeatElement(0, count: bins))
      signatures.withUnsafeMutableBufferPointer { signatures in
        for bin in 0..<bins { signatures[start + bin] = UInt8(truncatingIfNeeded: (minima[bin] &* Self.byteMultiplier) >> 56) }
      }
    }
  }

  /// The per-round key step γ (the golden-ratio constant) and the multiplier μ of the round hash.
  static let roundStep: UInt64 = 0x9E37_79B9_7F4A_7C15
  static let multiplier: UInt64 = 0xD6E8_FEB8_6659_FD93
  /// The multiplier whose product's top byte is a bin's kept byte.
  static let byteMultiplier: UInt64 = 0x94D0_49BB_1331_11EB

  /// The Jaccard similarity that two b-bit signatures estimate: the fraction `f` of equal
  /// bytes, corrected for chance collisions, `(f − 1/256) / (1 − 1/256)`, clamped to 0…1.
  static func estimatedJaccard(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Double {
    guard !a.isEmpty else { return 0 }
    let length = min(a.count, b.count)
    let equal = a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in equalBytes(a.baseAddress!, b.baseAddress!, length) }
    }
    return jaccard(equalBytes: equal, of: a.count)
  }

  /// The corrected estimate for `equal` equal bytes out of `length`.
  static func jaccard(equalBytes equal: Int, of length: Int) -> Double {
    let fraction = Double(equal) / Double(length)
    return min(max((fraction - 1.0 / 256) / (1 - 1.0 / 256), 0), 1)
  }

  /// How many of the first `length` bytes of `a` and `b` are equal, eight at a time.
  static func equalBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Int {
    var equal = 0, index = 0
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    while index + 8 <= length {
      let x = UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self) ^ UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self)
      // High bit of each byte set exactly when that byte of x is zero.
      let zero = ~(((x & low7) &+ low7) | x | low7)
      equal += zero.nonzeroBitCount
      index += 8
    }
    while index < length {
      if a[index] == b[index] { equal += 1 }
      index += 1
    }
    return equal
  }
}
