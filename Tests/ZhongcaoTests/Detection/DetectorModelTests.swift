import Foundation
import Testing
@testable import Zhongcao

@Suite struct DetectorModelTests {
  static let small = SyntheticPU.make(count: 4000, seed: 21)

  @Test func sameSeedGivesBitwiseTheSameDetector() throws {
    let examples = SyntheticPU.examples(Self.small)
    let a = try SponsoredDetector.train(examples, configuration: SyntheticPU.configuration(bootstrap: 20, seed: 4))
    let b = try SponsoredDetector.train(examples, configuration: SyntheticPU.configuration(bootstrap: 20, seed: 4))
    #expect(a == b)
    #expect(a.classifier.weights.map(\.bitPattern) == b.classifier.weights.map(\.bitPattern))
    let c = try SponsoredDetector.train(examples, configuration: SyntheticPU.configuration(bootstrap: 20, seed: 5))
    #expect(a.classifier != c.classifier)
  }

  @Test func saveAndLoadGiveIdenticalScores() throws {
    let detector = detectorFixture.detector
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-detector-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("detector.json").path
    try detector.save(to: path)
    let loaded = try SponsoredDetector(contentsOf: path)
    #expect(loaded == detector)
    for note in detectorFixture.test.prefix(300) {
      let text = SyntheticPU.mask(note.text)
      #expect(loaded.probability(text: text, extra: note.extra, propensityAttributes: note.attributes).bitPattern
        == detector.probability(text: text, extra: note.extra, propensityAttributes: note.attributes).bitPattern)
    }
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    print("detector: file \(size) bytes, \(detector.classifier.weights.count { $0 != 0 }) non-zero weights")
  }

  @Test func badFilesGiveClearErrors() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-detector-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    func load(_ text: String) -> ZhongcaoError? {
      let path = directory.appendingPathComponent("bad.json").path
      _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
      do { _ = try SponsoredDetector(contentsOf: path); return nil } catch { return error }
    }
    #expect(load("not json")?.code == .invalidModel)
    #expect(load(#"{"format": "zhongcao.model"}"#)?.message.contains("expected 'zhongcao.sponsored-detector'") == true)
    #expect(load(#"{"format": "zhongcao.sponsored-detector", "version": 9}"#)?.message.contains("version 9") == true)
    #expect(load(#"{"format": "zhongcao.sponsored-detector", "version": 1}"#)?.message.contains("malformed") == true)
    do {
      _ = try SponsoredDetector(contentsOf: directory.appendingPathComponent("missing.json").path)
      Issue.record("expected an error")
    } catch { #expect(error.code == .io) }
    // A saved file with one index out of range.
    let path = directory.appendingPathComponent("detector.json").path
    try detectorFixture.detector.save(to: path)
    var text = try String(contentsOfFile: path, encoding: .utf8)
    text = text.replacingOccurrences(of: #""indices":["#, with: #""indices":[99999999,"#, options: [], range: text.range(of: #""indices":["#))
    #expect(load(text)?.code == .invalidModel)
  }

  @Test func evidenceNamesTheSponsorshipGrams() {
    let detector = detectorFixture.detector
    let text = "today coffee discount code in bio 私信领取优惠"
    let evidence = detector.topFeatures(text: text, extra: [1], count: 6)
    print("detector: evidence \(evidence.map { "\($0.feature) \(($0.contribution * 100).rounded() / 100) \($0.ranges)" })")
    #expect(!evidence.isEmpty)
    #expect(evidence.contains { $0.feature == "discount" || $0.feature == "code" || $0.feature == "优惠" || $0.feature == "私信" })
    #expect(evidence.contains { $0.feature == "purchase_link" && $0.kind == nil })
    let scalars = Array(text.unicodeScalars)
    for item in evidence where item.kind != nil {
      for range in item.ranges {
        let found = String(String.UnicodeScalarView(scalars[range])).lowercased()
        #expect(found == item.feature)
      }
    }
    #expect(zip(evidence, evidence.dropFirst()).allSatisfy { $0.contribution >= $1.contribution })
    let topWords = detector.mostWeightedFeatures.prefix(30).map(\.text)
    #expect(topWords.contains { SyntheticPU.sponsoredEnglish.contains($0) || SyntheticPU.sponsoredChinese.contains($0) })
  }

  /// Under SAR the anchor set (highest scores) over-represents big accounts, which disclose more,
  /// so SCAR's single label frequency is too high and its prior too low; the propensity model
  /// corrects for it.
  @Test func sarCorrectionBeatsSCAROnThePrior() throws {
    let fixture = detectorFixture
    let scar = try SponsoredDetector.train(SyntheticPU.examples(fixture.training), configuration: SyntheticPU.configuration(.constant))
    let truth = fixture.trueTrainingShare
    print("detector: prior truth \(truth) SAR \(fixture.detector.classPrior) SCAR \(scar.classPrior); c SAR \(fixture.detector.labelFrequency) SCAR \(scar.labelFrequency)")
    #expect(abs(fixture.detector.classPrior - truth) < abs(scar.classPrior - truth))
    // Per-note posteriors for undisclosed notes need the propensity: SAR's are better calibrated.
    let undisclosed = fixture.test.filter { !$0.disclosed }
    func ece(_ detector: SponsoredDetector) -> Double {
      expectedCalibrationError(
        probabilities: undisclosed.map { detector.probability(text: SyntheticPU.mask($0.text), extra: $0.extra, propensityAttributes: $0.attributes) },
        truth: undisclosed.map(\.sponsored))
    }
    let sarError = ece(fixture.detector), scarError = ece(scar)
    print("detector: undisclosed posterior ECE SAR \(sarError) SCAR \(scarError)")
    #expect(sarError < scarError)
  }

  @Test func trainingRejectsBadInput() {
    let good = SponsoredDetector.Example(text: "a", extra: [0], propensityAttributes: [0, 1], isDisclosed: true)
    let bad = SponsoredDetector.Example(text: "b", extra: [0], propensityAttributes: [0], isDisclosed: false)
    #expect(throws: ZhongcaoError.self) { try SponsoredDetector.train([good, bad], configuration: SyntheticPU.configuration()) }
    let allDisclosed = Array(repeating: good, count: 10)
    #expect(throws: ZhongcaoError.self) { try SponsoredDetector.train(allDisclosed, configuration: SyntheticPU.configuration()) }
  }
}

@Suite struct DetectorPrevalenceTests {
  @Test func roganGladenMatchesHandComputation() {
    let estimate = PrevalenceEstimate.misclassificationCorrected(
      flagged: 200, total: 1000, truePositiveRate: 0.8, falsePositiveRate: 0.1,
      validationPositives: 400, validationNegatives: 600)
    #expect(abs(estimate.estimate - (0.2 - 0.1) / 0.7) < 1e-12)
    let share = 1.0 / 7
    let variance = 0.2 * 0.8 / 1000 + share * share * 0.8 * 0.2 / 400 + (1 - share) * (1 - share) * 0.1 * 0.9 / 600
    #expect(abs(estimate.standardError - variance.squareRoot() / 0.7) < 1e-12)
    #expect(estimate.lower < estimate.lowerBound && estimate.lowerBound < estimate.estimate)
    #expect(abs(PrevalenceEstimate.normalQuantile(0.975) - 1.959964) < 1e-5)
    #expect(abs(PrevalenceEstimate.normalQuantile(0.95) - 1.644854) < 1e-5)
    #expect(abs(PrevalenceEstimate.normalQuantile(0.001) + 3.090232) < 1e-5)
  }

  @Test func meanProbabilityIntervalIsSeededAndWidensWithCalibrationError() {
    var random = SeededRandom(seed: 9)
    let probabilities = (0..<2000).map { _ in random.unitDouble() * 0.4 }
    let plain = PrevalenceEstimate.meanProbability(probabilities, bootstrapSamples: 200, seed: 1)
    #expect(plain == PrevalenceEstimate.meanProbability(probabilities, bootstrapSamples: 200, seed: 1))
    #expect(plain.lower < plain.estimate && plain.estimate < plain.upper)
    let wider = PrevalenceEstimate.meanProbability(probabilities, calibrationRelativeError: 0.1, bootstrapSamples: 200, seed: 1)
    #expect(wider.lower < plain.lower && wider.upper > plain.upper && wider.lowerBound < plain.lowerBound)
  }

  @Test func isotonicCalibrationIsMonotoneAndFitsRatios() {
    let calibration = IsotonicCalibration.fit(scores: [1, 2, 3, 4, 5, 6], labels: [false, true, false, true, true, true])
    #expect(calibration.probability(forScore: 0) == 0)
    #expect(calibration.probability(forScore: 10) == 1)
    #expect(zip(calibration.probabilities, calibration.probabilities.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(abs(calibration.probability(forScore: 2.5) - 0.5) < 1e-12)
    let ratio = IsotonicCalibration.fit(scores: [1, 2], numerators: [0, 3], denominators: [1, 1])
    #expect(ratio.probabilities == [0, 1])
  }
}
