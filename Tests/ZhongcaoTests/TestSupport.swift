import Foundation
@testable import Zhongcao
import ZhongcaoLinearAlgebra

/// Seeded generator for tests: the library's SplitMix64 plus float helpers.
struct TestRandom: RandomNumberGenerator {
  private var generator: SplitMix64
  init(seed: UInt64) { generator = SplitMix64(seed: seed) }
  mutating func next() -> UInt64 { generator.next() }
  mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
  mutating func normal() -> Float {
    let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(next() >> 11) / Double(1 << 53)
    return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
  }
}

/// Solves a dense system in Double by Gaussian elimination with partial pivoting (the oracle).
func denseSolve(_ a: [[Double]], _ b: [Double]) -> [Double] {
  var a = a, b = b
  let n = b.count
  for column in 0..<n {
    let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
    a.swapAt(column, pivot); b.swapAt(column, pivot)
    for row in (column + 1)..<n {
      let factor = a[row][column] / a[column][column]
      for c in column..<n { a[row][c] -= factor * a[column][c] }
      b[row] -= factor * b[column]
    }
  }
  var x = [Double](repeating: 0, count: n)
  for row in stride(from: n - 1, through: 0, by: -1) {
    var sum = b[row]
    for c in (row + 1)..<n { sum -= a[row][c] * x[c] }
    x[row] = sum / a[row][row]
  }
  return x
}

/// A planted low-rank implicit-feedback data set: users pick notes by popularity × taste affinity.
/// Returns the full log and a per-user held-out note set.
func plantedData(users: Int, notes: Int, perUser: Int, rank: Int, seed: UInt64)
  -> (train: Interactions, test: [String: Set<String>])
{
  var rng = TestRandom(seed: seed)
  let tastes = (0..<users).map { _ in (0..<rank).map { _ in rng.normal() } }
  let topics = (0..<notes).map { _ in (0..<rank).map { _ in rng.normal() } }
  let popularity = (0..<notes).map { Float(1) / Float($0 + 1).squareRoot() }
  var train = Interactions()
  var test: [String: Set<String>] = [:]
  for u in 0..<users {
    var weights = (0..<notes).map { i -> Float in
      var dot: Float = 0
      for r in 0..<rank { dot += tastes[u][r] * topics[i][r] }
      return popularity[i] * exp(1.5 * dot)
    }
    var chosen: [Int] = []
    for _ in 0..<perUser {
      let total = weights.reduce(0, +)
      var target = rng.uniform() * total
      var pick = notes - 1
      for i in 0..<notes { target -= weights[i]; if target <= 0 { pick = i; break } }
      chosen.append(pick)
      weights[pick] = 0
    }
    for (j, i) in chosen.enumerated() {
      if j % 5 == 4 { test["u\(u)", default: []].insert("n\(i)") } else {
        try! train.append(user: "u\(u)", note: "n\(i)", weight: 1 + Float(j % 3))
      }
    }
  }
  return (train, test)
}
