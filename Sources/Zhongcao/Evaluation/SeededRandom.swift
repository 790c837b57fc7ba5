/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast 64-bit generator.
///
/// Its main use is turning one seed into many well-mixed seeds: consecutive outputs of a
/// SplitMix64 seeded with similar values (0, 1, 2, …) are statistically unrelated, which is why
/// ``SeededRandom`` seeds its state through it. It is also a fine generator in its own right for
/// short streams.
///
///     var random = SplitMix64(seed: 42)
///     let roll = Int.random(in: 1...6, using: &random)
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
  /// The internal state, advanced by a fixed odd constant on every call.
  public private(set) var state: UInt64

  /// A generator whose output is fully determined by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }

  /// The SplitMix64 output function: a bijective 64-bit mixer. Equal inputs give equal outputs;
  /// inputs differing in one bit give unrelated outputs.
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A seeded, reproducible random number generator: xoshiro256** (Blackman & Vigna 2018).
///
/// The same seed always produces the same sequence, on every platform and in every release, so
/// generated data sets, splits and initialisations can be recreated from their seed alone. The
/// generator is a small value type: copy it to fork a stream, keep one per thread.
///
/// ``init(seed:stream:)`` derives independent streams from one seed, so work split by user (or
/// by any other key) stays identical whatever the number of threads:
///
///     var random = SeededRandom(seed: 42, stream: UInt64(userIndex))
///     let x = Double.random(in: 0..<1, using: &random)
///
/// Not suitable for cryptography.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// A generator whose sequence is fully determined by `seed`; the 256-bit state is filled from
  /// a ``SplitMix64`` seeded with `seed`, as the xoshiro authors recommend.
  public init(seed: UInt64) {
    var seeder = SplitMix64(seed: seed)
    s0 = seeder.next()
    s1 = seeder.next()
    s2 = seeder.next()
    s3 = seeder.next()
    // The all-zero state is the one fixed point; SplitMix64 cannot produce four zeros in a row,
    // but guard anyway.
    if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
  }

  /// Stream number `stream` of the family named by `seed`: generators with the same seed and
  /// different streams behave as independent generators.
  public init(seed: UInt64, stream: UInt64) {
    self.init(seed: SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0x6A09_E667_F3BC_C909)))
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

// MARK: - Fast draws used by the generators (internal)

extension RandomNumberGenerator {
  /// A uniform double in [0, 1) with 53 random bits.
  @inline(__always)
  mutating func unitDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform double in (0, 1]: safe to take the logarithm of.
  @inline(__always)
  mutating func positiveUnitDouble() -> Double {
    Double((next() >> 11) + 1) * 0x1p-53
  }

  /// A standard normal draw (Marsaglia's polar method; the second value is discarded so that
  /// each call consumes a predictable amount of the stream per accepted pair).
  mutating func standardNormal() -> Double {
    while true {
      let u = 2 * unitDouble() - 1
      let v = 2 * unitDouble() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        return u * (-2 * log(s) / s).squareRoot()
      }
    }
  }

  /// A uniform integer in `0..<bound` (Lemire's multiply-shift; the bias is below 2⁻³² for
  /// bounds under 2³², irrelevant for simulation).
  @inline(__always)
  mutating func index(below bound: Int) -> Int {
    Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(bound)) >> 32)
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
