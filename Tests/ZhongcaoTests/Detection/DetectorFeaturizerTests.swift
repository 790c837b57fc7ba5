import Foundation
import Testing
@testable import Zhongcao

@Suite struct DetectorFeaturizerTests {
  @Test func cjkRunsGiveCharacterGramsAndLatinRunsGiveWords() {
    let featurizer = TextFeaturizer()
    let grams = featurizer.grams(of: "私信领取 Use CODE now!")
    let characters = grams.filter { $0.kind == .characters }.map(\.text)
    #expect(characters == ["私", "私信", "私信领", "信", "信领", "信领取", "领", "领取", "取"])
    #expect(grams.filter { $0.kind == .word }.map(\.text) == ["use", "code", "now"])
    #expect(grams.filter { $0.kind == .wordPair }.map(\.text) == ["use code", "code now"])
    let code = grams.first { $0.text == "code" }!
    #expect(code.start == 9 && code.end == 13)
    let scalars = Array("私信领取 Use CODE now!".unicodeScalars)
    #expect(String(String.UnicodeScalarView(scalars[code.start..<code.end])) == "CODE")
  }

  @Test func wordBigramsDoNotCrossCJK() {
    let grams = TextFeaturizer().grams(of: "buy 链接 now")
    #expect(!grams.contains { $0.kind == .wordPair })
  }

  @Test func featuresAreSortedNormalisedAndCarryExtras() {
    let featurizer = TextFeaturizer(bucketBits: 16, extraFeatureCount: 2)
    let vector = featurizer.features(text: "好用好用 love love it", extra: [0.5, 0])
    #expect(zip(vector.indices, vector.indices.dropFirst()).allSatisfy { $0 < $1 })
    let textPart = zip(vector.indices, vector.values).filter { $0.0 < Int32(featurizer.bucketCount) }.map(\.1)
    let norm = textPart.reduce(0) { $0 + $1 * $1 }
    #expect(abs(norm - 1) < 1e-12)
    #expect(vector.indices.last == Int32(featurizer.bucketCount))
    #expect(vector.values.last == 0.5)
    #expect(featurizer.features(text: "", extra: [0, 0]).count == 0)
    // Deterministic, and the seed changes the buckets.
    #expect(featurizer.features(text: "好用 love", extra: [0, 0]) == featurizer.features(text: "好用 love", extra: [0, 0]))
    let other = TextFeaturizer(bucketBits: 16, extraFeatureCount: 2, seed: 7)
    #expect(other.features(text: "好用 love", extra: [0, 0]).indices != featurizer.features(text: "好用 love", extra: [0, 0]).indices)
  }
}

@Suite struct DetectorLogisticRegressionTests {
  /// Recovers known weights on a small dense problem and matches a gradient-free check:
  /// the gradient at the optimum is near zero.
  @Test func recoversPlantedWeights() {
    var random = SeededRandom(seed: 3)
    let truth = [1.5, -2.0, 0.5]
    var features: [SparseFeatures] = []
    var targets: [Double] = []
    for _ in 0..<4000 {
      let x = (0..<3).map { _ in random.standardNormal() }
      let z = 0.3 + zip(truth, x).reduce(0) { $0 + $1.0 * $1.1 }
      features.append(SparseFeatures(dense: x))
      targets.append(random.unitDouble() < LogisticRegression.sigmoid(z) ? 1 : 0)
    }
    let training = LogisticRegression.train(
      features: features, targets: targets, dimension: 3, configuration: .init(l2: 0))
    #expect(training.converged)
    for (got, want) in zip(training.model.weights, truth) { #expect(abs(got - want) < 0.15) }
    #expect(abs(training.model.bias - 0.3) < 0.15)
  }

  @Test func unusedFeaturesStayZeroAndTrainingIsDeterministic() {
    let features = [
      SparseFeatures(indices: [1, 5], values: [1, 1]), SparseFeatures(indices: [2], values: [1]),
      SparseFeatures(indices: [1], values: [1]), SparseFeatures(indices: [2, 5], values: [1, 0.5]),
    ]
    let targets = [1.0, 0, 0.8, 0.1]
    let a = LogisticRegression.train(features: features, targets: targets, exampleWeights: [1, 2, 1, 1], dimension: 8)
    let b = LogisticRegression.train(features: features, targets: targets, exampleWeights: [1, 2, 1, 1], dimension: 8)
    #expect(a.model == b.model)
    #expect(a.model.weights[0] == 0 && a.model.weights[7] == 0)
    #expect(a.model.weights[1] > 0 && a.model.weights[2] < 0)
  }
}
