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
    // Eight vote vectors, one per byte of the hash; each shingle adds its weight times the ±1
    // pattern of each of its bytes (a 256-entry table), so the loop has no per-bit branch.
    var votes = (SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(),
                 SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>())
    bytePatterns.withUnsafeBufferPointer { patterns in
      shingles.hashes.withUnsafeBufferPointer { hashes in
        shingles.counts.withUnsafeBufferPointer { counts in
          for index in 0..<hashes.count {
            let hash = hashes[index], weight = SIMD8<Int32>(repeating: counts[index])
            votes.0 &+= patterns[Int(hash & 0xFF)] &* weight
            votes.1 &+= patterns[Int(hash >> 8 & 0xFF)] &* weight
            votes.2 &+= patterns[Int(hash >> 16 & 0xFF)] &* weight
            votes.3 &+= patterns[Int(hash >> 24 & 0xFF)] &* weight
            votes.4 &+= patterns[Int(hash >> 32 & 0xFF)] &* weight
            votes.5 &+= patterns[Int(hash >> 40 & 0xFF)] &* weight
            votes.6 &+= patterns[Int(hash >> 48 & 0xFF)] &* weight
            votes.7 &+= patterns[Int(hash >> 56)] &* weight
          }
        }
      }
    }
    var fingerprint: UInt64 = 0
    for (byte, vector) in [votes.0, votes.1, votes.2, votes.3, votes.4, votes.5, votes.6, votes.7].enumerated() {
      for lane in 0..<8 where vector[lane] > 0 { fingerprint |= 1 << UInt64(8 * byte + lane) }
    }
    return fingerprint
  }

  /// For each byte value, lane k is +1 when bit k is set and −1 otherwise.
  private static let bytePatterns: [SIMD8<Int32>] = (0..<256).map { byte in
    var pattern = SIMD8<Int32>()
    for lane in 0..<8 { pattern[lane] = (byte >> lane) & 1 == 1 ? 1 : -1 }
    return pattern
  }

  /// The number of differing bits.
  static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

  /// Block `index` (0…3) of a fingerprint: bits `16·index ..< 16·index + 16`. Two fingerprints
  /// within Hamming distance 3 agree on at least one of the four blocks (pigeonhole: three
  /// differing bits can touch at most three blocks).
  static func block(_ fingerprint: UInt64, _ index: Int) -> UInt64 { (fingerprint >> UInt64(16 * index)) & 0xFFFF }
}

/// b-bit MinHash signatures (Broder 1997; Li & König 2010) with LSH banding.
///
/// `permutations` hash functions `h_i(x) = (a_i·x + b_i) >> 32` (multiply–shift over the 64-bit
/// shingle hash, `a_i` odd, from a fixed SplitMix64 stream); the minimum of each over a note's
/// shingles is one signature entry. Only the low 8 bits of each minimum are kept (1 byte per
/// permutation: 128 bytes a note, 128 MB for 10⁶ notes): two entries collide by chance with
/// probability 1/256, which ``estimatedJaccard(_:_:)`` subtracts out. A band is `rowsPerBand`
/// consecutive bytes read as one key; notes sharing a key in any band are candidates.
struct MinHash: Sendable {
  /// Number of hash functions (signature bytes).
  let permutations: Int
  private let multipliers: [UInt64]
  private let offsets: [UInt64]

  /// A family of `permutations` hash functions, the same for every run.
  init(permutations: Int) {
    self.permutations = permutations
    var random = SplitMix64(seed: 0x5A48_4F4E_4743_414F)
    multipliers = (0..<permutations).map { _ in random.next() | 1 }
    offsets = (0..<permutations).map { _ in random.next() }
  }

  /// Appends the signature of `shingles` (`permutations` bytes) to `signatures`.
  ///
  /// - Complexity: O(`permutations`·s) for s distinct shingles.
  func appendSignature(of shingles: NoteShingler.Shingles, to signatures: inout [UInt8]) {
    // Four hash functions at a time over all shingles, their minima kept in registers.
    multipliers.withUnsafeBufferPointer { multipliers in
      offsets.withUnsafeBufferPointer { offsets in
        shingles.hashes.withUnsafeBufferPointer { hashes in
          var index = 0
          while index < permutations {
            let width = min(4, permutations - index)
            let a0 = multipliers[index], b0 = offsets[index]
            let a1 = width > 1 ? multipliers[index + 1] : 0, b1 = width > 1 ? offsets[index + 1] : 0
            let a2 = width > 2 ? multipliers[index + 2] : 0, b2 = width > 2 ? offsets[index + 2] : 0
            let a3 = width > 3 ? multipliers[index + 3] : 0, b3 = width > 3 ? offsets[index + 3] : 0
            // `>> 32` is monotonic, so the minimum of the shifted values is the shifted minimum.
            var m0 = UInt64.max, m1 = UInt64.max, m2 = UInt64.max, m3 = UInt64.max
            for hash in hashes {
              m0 = min(m0, a0 &* hash &+ b0)
              m1 = min(m1, a1 &* hash &+ b1)
              m2 = min(m2, a2 &* hash &+ b2)
              m3 = min(m3, a3 &* hash &+ b3)
            }
            // Mix before truncating so the kept byte depends on every bit of the minimum.
            func keep(_ minimum: UInt64) { signatures.append(UInt8(truncatingIfNeeded: SplitMix64.mix(minimum >> 32))) }
            keep(m0)
            if width > 1 { keep(m1) }
            if width > 2 { keep(m2) }
            if width > 3 { keep(m3) }
            index += width
          }
        }
      }
    }
  }

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
