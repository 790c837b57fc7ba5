import Testing
import ZhongcaoLinearAlgebra

/// XXH64 against published and reference-computed vectors, and the streaming hasher against the
/// one-shot function and a naive byte-by-byte reading of the specification.
@Suite struct ChecksumTests {
  // MARK: Vectors

  /// Digests of well-known inputs. The empty, "a", "abc" and python-xxhash README vectors are
  /// the ones published with xxHash and its bindings; all were re-checked with the reference C
  /// implementation (xxHash 0.8 via python-xxhash).
  @Test(arguments: [
    ("", UInt64(0), UInt64(0xEF46_DB37_51D8_E999)),
    ("", 1, 0xD5AF_BA13_36A3_BE4B),
    ("a", 0, 0xD24E_C4F1_A98C_6E5B),
    ("abc", 0, 0x44BC_2CF5_AD77_0999),
    ("Nobody inspects the spammish repetition", 0, 0xFBCE_A83C_8A37_8BF1),
    ("Nobody inspects the spammish repetition", 20_141_025, 0xCE06_9361_3685_2706),
    ("0123456789abcdef0123456789abcdef", 0, 0x642A_9495_8E71_E6C5),
    ("0123456789abcdef0123456789abcdef0123456", 7, 0x08F7_3129_2261_ED46),
  ])
  func publishedVectors(text: String, seed: UInt64, expected: UInt64) {
    let bytes = Array(text.utf8)
    #expect(Checksum.xxh64(bytes, seed: seed) == expected)
    #expect(Checksum.xxh64(bytes[...], seed: seed) == expected)
  }

  /// Every path of the algorithm (tails of 1–3, 4–7 and 8–31 bytes; one and several stripes) and
  /// seeds that wrap the accumulators, from the reference implementation over `pattern(count)`.
  @Test(arguments: [
    (1, UInt64(0x1F25_C8D0_BC1F_4BB6), UInt64(0xB01B_9F08_7558_8480), UInt64(0x7B75_C7A6_356B_0B4D)),
    (3, 0xFAE6_158D_E2E6_81C8, 0x3A4E_AD7D_5EFA_54F3, 0x7156_C916_4FED_3C5D),
    (4, 0x6291_7774_D28E_A099, 0xA342_3236_846C_FFED, 0x0A54_56B4_081A_486A),
    (5, 0xDB2D_FD68_1D5C_D389, 0xEB4F_5570_3571_164F, 0x02A5_A251_58F8_208D),
    (7, 0x2E36_725B_0084_2EE2, 0x4A8F_03E4_B46F_26CA, 0x2935_0E12_5A5A_D724),
    (8, 0xD8A3_7A74_56CA_36FD, 0xD3B2_9E6D_7635_BC4A, 0xFF5B_CCF2_63FC_E750),
    (9, 0x9207_E4B2_3A4C_7398, 0x497E_DF9A_C18C_9C0D, 0x8E1E_5969_FFD0_7380),
    (15, 0x19F3_EB05_24EC_3BE8, 0xA73C_71D1_86BF_94D7, 0xAFA5_7B76_448A_5CBE),
    (16, 0xE807_F8D5_991D_53D6, 0xDF9F_11A4_CD77_8D7C, 0x796D_08B7_C121_3E9F),
    (31, 0xCEC8_C2BE_9BD2_6A69, 0x3FC4_03EF_E49E_8672, 0x2750_376C_A828_2642),
    (32, 0xB690_6415_3D48_51A5, 0xC8DD_487D_61FB_F7E8, 0xFB2E_A871_BAF9_5233),
    (33, 0x732D_A223_1577_3994, 0x9478_B117_0450_DE4F, 0xF0DB_351C_3356_77D3),
    (63, 0x4A1B_11C9_3A45_E7EE, 0x9241_62CF_1381_133A, 0x5230_3F85_EFCA_B551),
    (64, 0x7F35_AAFC_3388_C0B8, 0x3C3A_82CB_8D71_6188, 0xDCEB_E193_E5C8_09B6),
    (65, 0xC5D6_5A67_E0D6_89FA, 0xE7B8_6F5A_2534_411C, 0x26AF_CCE2_1047_0796),
    (100, 0x1C0C_2332_E8FF_479A, 0x67CA_0342_BCD5_C751, 0x82E6_B261_C65E_3ED4),
    (1000, 0xC722_7A16_AD90_64C5, 0x81DC_3470_3EEA_F563, 0x4E4D_5EB8_87F0_A369),
    (4097, 0x9065_9A49_3075_25B8, 0x6129_7BAD_0E97_AADB, 0x5886_923D_D619_841D),
  ])
  func referenceVectors(count: Int, seedZero: UInt64, seedMixed: UInt64, seedMaximum: UInt64) {
    let bytes = Self.pattern(count)
    #expect(Checksum.xxh64(bytes, seed: 0) == seedZero)
    #expect(Checksum.xxh64(bytes, seed: 0x1234_5678_90AB_CDEF) == seedMixed)
    #expect(Checksum.xxh64(bytes, seed: .max) == seedMaximum)
    #expect(Self.naiveXXH64(bytes, seed: 0x1234_5678_90AB_CDEF) == seedMixed)
  }

  // MARK: Consistency

  @Test func oneShotMatchesNaiveSpecificationForAllShortLengths() {
    var generator = ChecksumTestGenerator(seed: 1)
    for count in 0...300 {
      let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let seed = generator.next()
      #expect(Checksum.xxh64(bytes, seed: seed) == Self.naiveXXH64(bytes, seed: seed), "length \(count)")
    }
  }

  @Test(arguments: [0, 1, 2, 31, 32, 33, 64, 257, 1000, 5003])
  func streamingWithOddChunksMatchesOneShot(count: Int) {
    var generator = ChecksumTestGenerator(seed: UInt64(count) &+ 99)
    let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    for seed: UInt64 in [0, 42, .max] {
      let expected = Checksum.xxh64(bytes, seed: seed)
      for trial in 0..<20 {
        var hasher = XXH64Hasher(seed: seed)
        var start = 0
        while start < count {
          // Chunk sizes straddle the 32-byte stripe and include empty updates.
          let length = min(count - start, Int.random(in: 0...70, using: &generator))
          hasher.update(bytes[start..<start + length])
          start += length
        }
        #expect(hasher.finalize() == expected, "length \(count), seed \(seed), trial \(trial)")
      }
    }
  }

  @Test func byteAtATimeMatchesOneShot() {
    let bytes = Self.pattern(200)
    var hasher = XXH64Hasher(seed: 5)
    for index in bytes.indices { hasher.update(bytes[index...index]) }
    #expect(hasher.finalize() == Checksum.xxh64(bytes, seed: 5))
  }

  @Test func finalizeDoesNotConsumeTheHasher() {
    let bytes = Self.pattern(150)
    var hasher = XXH64Hasher()
    hasher.update(bytes[..<40])
    #expect(hasher.finalize() == Checksum.xxh64(bytes[..<40]))
    hasher.update(bytes[40...])
    #expect(hasher.finalize() == Checksum.xxh64(bytes))
  }

  /// Typed arrays hash as their little-endian bytes, whole or in slices, with no copy to bytes.
  @Test func typedArraysHashAsTheirLittleEndianBytes() {
    var generator = ChecksumTestGenerator(seed: 7)
    let floats = (0..<1001).map { _ in Float.random(in: -10...10, using: &generator) } + [.nan, -0.0, .infinity]
    let int32s = (0..<333).map { _ in Int32.random(in: .min ... .max, using: &generator) }
    let ints = (0..<77).map { _ in Int.random(in: .min ... .max, using: &generator) }

    var floatBytes: [UInt8] = []
    for value in floats { floatBytes += Self.littleEndianBytes(UInt64(value.bitPattern), count: 4) }
    var int32Bytes: [UInt8] = []
    for value in int32s { int32Bytes += Self.littleEndianBytes(UInt64(UInt32(bitPattern: value)), count: 4) }
    var intBytes: [UInt8] = []
    for value in ints { intBytes += Self.littleEndianBytes(UInt64(UInt(bitPattern: value)), count: 8) }

    #expect(Checksum.xxh64(floats, seed: 3) == Self.naiveXXH64(floatBytes, seed: 3))
    #expect(Checksum.xxh64(int32s) == Self.naiveXXH64(int32Bytes, seed: 0))
    #expect(Checksum.xxh64(ints) == Self.naiveXXH64(intBytes, seed: 0))

    var hasher = XXH64Hasher(seed: 3)
    hasher.update(contentsOf: floats[..<17])
    hasher.update(contentsOf: floats[17...])
    #expect(hasher.finalize() == Self.naiveXXH64(floatBytes, seed: 3))

    var mixed = XXH64Hasher()
    mixed.update(contentsOf: int32s)
    mixed.update(contentsOf: ints)
    #expect(mixed.finalize() == Self.naiveXXH64(int32Bytes + intBytes, seed: 0))
  }

  @Test func singleBitChangesChangeTheDigest() {
    var bytes = Self.pattern(97)
    let original = Checksum.xxh64(bytes)
    for index in bytes.indices {
      for bit in 0..<8 {
        bytes[index] ^= 1 << bit
        #expect(Checksum.xxh64(bytes) != original)
        bytes[index] ^= 1 << bit
      }
    }
  }

  // MARK: Helpers

  /// The deterministic input the reference vectors were computed over.
  static func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: (($0 * 131 + 7) >> 1)) }
  }

  static func littleEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }

  /// XXH64 read literally from the specification, one byte at a time: the oracle.
  static func naiveXXH64(_ input: [UInt8], seed: UInt64) -> UInt64 {
    let p1: UInt64 = 11_400_714_785_074_694_791, p2: UInt64 = 14_029_467_366_897_019_727
    let p3: UInt64 = 1_609_587_929_392_839_161, p4: UInt64 = 9_650_029_242_287_828_579
    let p5: UInt64 = 2_870_177_450_012_600_261
    func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    func read(_ offset: Int, _ count: Int) -> UInt64 {
      var value: UInt64 = 0
      for i in 0..<count { value |= UInt64(input[offset + i]) << (8 * UInt64(i)) }
      return value
    }
    func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 { rotl(acc &+ lane &* p2, 31) &* p1 }
    var offset = 0
    var acc: UInt64
    if input.count >= 32 {
      var v = [seed &+ p1 &+ p2, seed &+ p2, seed, seed &- p1]
      while input.count - offset >= 32 {
        for lane in 0..<4 { v[lane] = round(v[lane], read(offset + 8 * lane, 8)) }
        offset += 32
      }
      acc = rotl(v[0], 1) &+ rotl(v[1], 7) &+ rotl(v[2], 12) &+ rotl(v[3], 18)
      for lane in 0..<4 { acc = (acc ^ round(0, v[lane])) &* p1 &+ p4 }
    } else {
      acc = seed &+ p5
    }
    acc &+= UInt64(input.count)
    while input.count - offset >= 8 {
      acc ^= round(0, read(offset, 8))
      acc = rotl(acc, 27) &* p1 &+ p4
      offset += 8
    }
    if input.count - offset >= 4 {
      acc ^= read(offset, 4) &* p1
      acc = rotl(acc, 23) &* p2 &+ p3
      offset += 4
    }
    while offset < input.count {
      acc ^= read(offset, 1) &* p5
      acc = rotl(acc, 11) &* p1
      offset += 1
    }
    acc ^= acc >> 33
    acc = acc &* p2
    acc ^= acc >> 29
    acc = acc &* p3
    acc ^= acc >> 32
    return acc
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator for reproducible tests.
private struct ChecksumTestGenerator: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
