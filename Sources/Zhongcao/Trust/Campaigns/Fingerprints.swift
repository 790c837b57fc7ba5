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
    var votes = [Int](repeating: 0, count: 64)
    votes.withUnsafeMutableBufferPointer { votes in
      for (hash, count) in zip(shingles.hashes, shingles.counts) {
        let weight = Int(count)
        for bit in 0..<64 {
          votes[bit] += (hash >> UInt64(bit)) & 1 == 1 ? weight : -weight
        }
      }
    }
    var fingerprint: UInt64 = 0
    for bit in 0..<64 where votes[bit] > 0 { fingerprint |= 1 << UInt64(bit) }
    return fingerprint
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
    var minima = [UInt32](repeating: .max, count: permutations)
    minima.withUnsafeMutableBufferPointer { minima in
      multipliers.withUnsafeBufferPointer { multipliers in
        offsets.withUnsafeBufferPointer { offsets in
          for hash in shingles.hashes {
            for index in 0..<minima.count {
              let value = UInt32(truncatingIfNeeded: (multipliers[index] &* hash &+ offsets[index]) >> 32)
              if value < minima[index] { minima[index] = value }
            }
          }
        }
      }
    }
    // Mix before truncating so the kept byte depends on every bit of the minimum.
    for minimum in minima { signatures.append(UInt8(truncatingIfNeeded: SplitMix64.mix(UInt64(minimum)))) }
  }

  /// The Jaccard similarity that two b-bit signatures estimate: the fraction `f` of equal
  /// bytes, corrected for chance collisions, `(f − 1/256) / (1 − 1/256)`, clamped to 0…1.
  static func estimatedJaccard(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Double {
    guard !a.isEmpty else { return 0 }
    var equal = 0
    for (x, y) in zip(a, b) where x == y { equal += 1 }
    let fraction = Double(equal) / Double(a.count)
    return min(max((fraction - 1.0 / 256) / (1 - 1.0 / 256), 0), 1)
  }
}
