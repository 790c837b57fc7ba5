import Testing
@testable import Zhongcao

/// The large-sample interval of ``PrevalenceEstimate/meanProbability(_:confidence:calibrationRelativeError:bootstrapSamples:seed:bootstrapLimit:)``
/// against the bootstrap it stands in for.
struct PrevalenceLargeSampleTests {
  @Test(arguments: [0.02, 0.2, 0.6])
  func normalIntervalMatchesTheBootstrapOnLargeCorpora(sponsoredShare: Double) {
    // A skewed mix like a scan's: most notes near 0, a share at 1 (disclosed), some in between.
    var random = SeededRandom(seed: 11)
    let probabilities = (0..<25_000).map { _ -> Double in
      let u = random.unitDouble()
      if u < sponsoredShare / 2 { return 1 }
      if u < sponsoredShare { return 0.5 + 0.5 * random.unitDouble() }
      return 0.1 * random.unitDouble() * random.unitDouble()
    }
    let normal = PrevalenceEstimate.meanProbability(probabilities, calibrationRelativeError: 0.05)
    let bootstrap = PrevalenceEstimate.meanProbability(
      probabilities, calibrationRelativeError: 0.05, bootstrapSamples: 400, seed: 3, bootstrapLimit: .max)
    let width = bootstrap.upper - bootstrap.lower
    #expect(normal.estimate == bootstrap.estimate)
    #expect(abs(normal.lower - bootstrap.lower) < 0.1 * width, "normal \(normal.lower), bootstrap \(bootstrap.lower)")
    #expect(abs(normal.upper - bootstrap.upper) < 0.1 * width, "normal \(normal.upper), bootstrap \(bootstrap.upper)")
    #expect(abs(normal.standardError - bootstrap.standardError) < 0.1 * bootstrap.standardError)
    #expect(abs(normal.lowerBound - bootstrap.lowerBound) < 0.1 * width)
  }
}
