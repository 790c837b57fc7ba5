/// Non-cryptographic checksums that detect corrupted or truncated data.
///
/// XXH64 is Yann Collet's 64-bit xxHash, implemented here from its published specification
/// (`doc/xxhash_spec.md` of the xxHash project, "XXH64 algorithm description"). It detects
/// accidental corruption, not tampering: anyone can recompute it.
///
/// ```swift
/// let digest = Checksum.xxh64(Array("abc".utf8))          // 0x44BC2CF5AD770999
/// var hasher = XXH64Hasher()
/// hasher.update(contentsOf: factors.storage)              // [Float], hashed in place
/// let sameAsOneShot = hasher.finalize()
/// ```
package enum Checksum {
  /// The XXH64 digest of raw bytes.
  ///
  /// - Parameters:
  ///   - bytes: The input.
  ///   - seed: The seed; 0 unless a format says otherwise.
  /// - Returns: The 64-bit digest, e.g. `0xEF46DB3751D8E999` for empty input and seed 0.
  /// - Complexity: O(`bytes.count`).
  package static func xxh64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    var hasher = XXH64Hasher(seed: seed)
    hasher.update(bytes)
    return hasher.finalize()
  }

  /// The XXH64 digest of a byte slice.
  package static func xxh64(_ bytes: ArraySlice<UInt8>, seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { xxh64($0, seed: seed) }
  }

  /// The XXH64 digest of the in-memory bytes of an array (host byte order, which is
  /// little-endian on every platform Zhongcao supports). `[UInt8]` hashes its bytes.
  package static func xxh64<Element: BitwiseCopyable>(_ elements: [Element], seed: UInt64 = 0) -> UInt64 {
    elements.withUnsafeBytes { xxh64($0, seed: seed) }
  }
}

/// A streaming XXH64 hasher: feed it bytes in pieces of any size, get the same digest as
/// the one-shot ``Checksum`` functions over their concatenation.
///
/// Typed arrays (`[Float]`, `[Int32]`, `[Int]`, …) are hashed over their storage without being
/// copied to bytes first. Whole 32-byte stripes are consumed straight from the input; at most
/// 31 bytes are buffered between calls.
package struct XXH64Hasher: Sendable {
  private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
  private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
  private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5
  private static let stripeLength = 32

  private let seed: UInt64
  private var accumulator1: UInt64
  private var accumulator2: UInt64
  private var accumulator3: UInt64
  private var accumulator4: UInt64
  /// Total bytes fed so far (the specification adds it modulo 2⁶⁴).
  private var totalLength: UInt64 = 0
  /// Bytes of an incomplete stripe, in memory order.
  private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var pendingCount = 0

  /// A hasher with the given seed (0 unless a format says otherwise).
  package init(seed: UInt64 = 0) {
    self.seed = seed
    accumulator1 = seed &+ Self.prime1 &+ Self.prime2
    accumulator2 = seed &+ Self.prime2
    accumulator3 = seed
    accumulator4 = seed &- Self.prime1
  }

  /// Feeds raw bytes.
  ///
  /// - Complexity: O(`bytes.count`).
  package mutating func update(_ bytes: UnsafeRawBufferPointer) {
    let count = bytes.count
    guard count > 0, let base = bytes.baseAddress else { return }
    totalLength &+= UInt64(count)
    var position = 0
    if pendingCount > 0 {
      let taken = min(Self.stripeLength - pendingCount, count)
      let filled = pendingCount
      withUnsafeMutableBytes(of: &pending) { stripe in
        stripe.baseAddress!.advanced(by: filled).copyMemory(from: base, byteCount: taken)
      }
      pendingCount += taken
      position = taken
      guard pendingCount == Self.stripeLength else { return }
      let lanes = pending
      consumeStripe(UInt64(littleEndian: lanes.0), UInt64(littleEndian: lanes.1),
                    UInt64(littleEndian: lanes.2), UInt64(littleEndian: lanes.3))
      pendingCount = 0
    }
    if count - position >= Self.stripeLength {
      var lane1 = accumulator1, lane2 = accumulator2, lane3 = accumulator3, lane4 = accumulator4
      while count - position >= Self.stripeLength {
        lane1 = Self.round(lane1, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
        lane2 = Self.round(lane2, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self)))
        lane3 = Self.round(lane3, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 16, as: UInt64.self)))
        lane4 = Self.round(lane4, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 24, as: UInt64.self)))
        position += Self.stripeLength
      }
      accumulator1 = lane1
      accumulator2 = lane2
      accumulator3 = lane3
      accumulator4 = lane4
    }
    let rest = count - position
    if rest > 0 {
      withUnsafeMutableBytes(of: &pending) { stripe in
        stripe.baseAddress!.copyMemory(from: base.advanced(by: position), byteCount: rest)
      }
      pendingCount = rest
    }
  }

  /// Feeds a byte slice.
  package mutating func update(_ bytes: ArraySlice<UInt8>) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// Feeds the in-memory bytes of an array's elements, without copying them.
  package mutating func update<Element: BitwiseCopyable>(contentsOf elements: [Element]) {
    elements.withUnsafeBytes { update($0) }
  }

  /// Feeds the in-memory bytes of a mappable array's elements, without copying them.
  package mutating func update<Element: BitwiseCopyable>(contentsOf elements: MappableArray<Element>) {
    elements.withUnsafeBufferPointer { update(UnsafeRawBufferPointer($0)) }
  }

  /// Feeds the in-memory bytes of an array slice's elements, without copying them.
  package mutating func update<Element: BitwiseCopyable>(contentsOf elements: ArraySlice<Element>) {
    elements.withUnsafeBytes { update($0) }
  }

  /// The digest of everything fed so far. The hasher is not consumed: more input may follow.
  ///
  /// - Complexity: O(1) (at most 31 buffered bytes).
  package func finalize() -> UInt64 {
    var digest: UInt64
    if totalLength >= UInt64(Self.stripeLength) {
      digest = Self.rotateLeft(accumulator1, 1) &+ Self.rotateLeft(accumulator2, 7)
        &+ Self.rotateLeft(accumulator3, 12) &+ Self.rotateLeft(accumulator4, 18)
      digest = Self.merge(digest, accumulator1)
      digest = Self.merge(digest, accumulator2)
      digest = Self.merge(digest, accumulator3)
      digest = Self.merge(digest, accumulator4)
    } else {
      digest = seed &+ Self.prime5
    }
    digest &+= totalLength
    let remaining = pendingCount
    withUnsafeBytes(of: pending) { tail in
      var position = 0
      while remaining - position >= 8 {
        let lane = UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        digest ^= Self.round(0, lane)
        digest = Self.rotateLeft(digest, 27) &* Self.prime1 &+ Self.prime4
        position += 8
      }
      if remaining - position >= 4 {
        let lane = UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
        digest ^= lane &* Self.prime1
        digest = Self.rotateLeft(digest, 23) &* Self.prime2 &+ Self.prime3
        position += 4
      }
      while position < remaining {
        digest ^= UInt64(tail[position]) &* Self.prime5
        digest = Self.rotateLeft(digest, 11) &* Self.prime1
        position += 1
      }
    }
    digest ^= digest &>> 33
    digest &*= Self.prime2
    digest ^= digest &>> 29
    digest &*= Self.prime3
    digest ^= digest &>> 32
    return digest
  }

  private mutating func consumeStripe(_ lane1: UInt64, _ lane2: UInt64, _ lane3: UInt64, _ lane4: UInt64) {
    accumulator1 = Self.round(accumulator1, lane1)
    accumulator2 = Self.round(accumulator2, lane2)
    accumulator3 = Self.round(accumulator3, lane3)
    accumulator4 = Self.round(accumulator4, lane4)
  }

  @inline(__always)
  private static func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
    (value &<< amount) | (value &>> (64 &- amount))
  }

  @inline(__always)
  private static func round(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
    rotateLeft(accumulator &+ lane &* prime2, 31) &* prime1
  }

  @inline(__always)
  private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
    (accumulator ^ round(0, lane)) &* prime1 &+ prime4
  }
}
