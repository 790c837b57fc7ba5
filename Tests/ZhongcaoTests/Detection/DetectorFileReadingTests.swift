import Foundation
import Testing
@testable import Zhongcao

/// Detector files read by `DetectorFileArrays` (the classifier's arrays by hand, the rest by
/// `JSONDecoder`) against `JSONDecoder` reading all of it
/// (`SponsoredDetector.fileContentsWithJSONDecoder`): the same contents bit for bit, or the same
/// error.
@Suite struct DetectorFileReadingTests {
  static let shippedPath = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appending(path: "Models/trust-detector-v1.json").path
  static let location = ZhongcaoError.Location(file: "test.json")

  /// Every field, through a sorted-keys encoding (shortest round-trip numbers tell every double
  /// apart), and the classifier's and propensity's numbers by bit pattern.
  private func expectIdentical(_ a: SponsoredDetector.FileContents, _ b: SponsoredDetector.FileContents) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    #expect(try encoder.encode(a) == encoder.encode(b))
    for (x, y) in [(a.classifier, b.classifier), (a.propensity, b.propensity)] {
      #expect(x.dimension == y.dimension && x.bias.bitPattern == y.bias.bitPattern && x.indices == y.indices)
      #expect(x.weights.map(\.bitPattern) == y.weights.map(\.bitPattern))
    }
    #expect(a.calibration.scores.map(\.bitPattern) == b.calibration.scores.map(\.bitPattern))
    #expect(a.calibration.probabilities.map(\.bitPattern) == b.calibration.probabilities.map(\.bitPattern))
  }

  /// The result of reading `data` both ways: identical contents, or errors with the same message.
  private func expectSameReading(_ data: Data, fastPath: Bool? = nil, _ comment: Comment? = nil) throws {
    let fast = Result { () throws(ZhongcaoError) in try SponsoredDetector.fileContents(data, location: Self.location) }
    let reference = Result { () throws(ZhongcaoError) in try SponsoredDetector.fileContentsWithJSONDecoder(data, location: Self.location) }
    if let fastPath { #expect((DetectorFileArrays.fileContents(data) != nil) == fastPath, comment) }
    switch (fast, reference) {
    case (.success(let a), .success(let b)): try expectIdentical(a, b)
    case (.failure(let a), .failure(let b)): #expect(a.message == b.message && a.code == b.code, comment)
    default: Issue.record("one reading failed, the other did not: \(fast) \(reference) \(comment.map { "\($0)" } ?? "")")
    }
  }

  @Test func shippedModelReadsBitForBitAsJSONDecoderReadsIt() throws {
    let data = try Data(contentsOf: URL(filePath: Self.shippedPath))
    let fast = try #require(DetectorFileArrays.fileContents(data))
    #expect(fast.classifier.indices.count > 10_000 && fast.classifier.indices.count == fast.classifier.weights.count)
    try expectIdentical(fast, try SponsoredDetector.fileContentsWithJSONDecoder(data, location: Self.location))
    try expectSameReading(data, fastPath: true)
    // The loaded detector too.
    let detector = try SponsoredDetector(contentsOf: Self.shippedPath)
    let reference = try SponsoredDetector.fileContentsWithJSONDecoder(data, location: Self.location)
    var dense = [Double](repeating: 0, count: reference.classifier.dimension)
    for (index, weight) in zip(reference.classifier.indices, reference.classifier.weights) { dense[index] = weight }
    #expect(detector.classifier.weights.map(\.bitPattern) == dense.map(\.bitPattern))
  }

  @Test func savedDetectorsReadAlike() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-detector-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("detector.json").path
    try detectorFixture.detector.save(to: path)
    try expectSameReading(try Data(contentsOf: URL(filePath: path)), fastPath: true)
    #expect(try SponsoredDetector(contentsOf: path) == detectorFixture.detector)
  }

  /// Other spellings of the same file (whitespace, key order, escaped keys, other number forms)
  /// and broken files: the fast reader reads them exactly as JSONDecoder does, leaves them to it,
  /// or fails with JSONDecoder's error.
  @Test func variantsAndBadFilesReadAsJSONDecoderReadsThem() throws {
    let text = try String(contentsOfFile: Self.shippedPath, encoding: .utf8)
    func replacing(_ target: String, _ replacement: String, all: Bool = false) -> String {
      all ? text.replacingOccurrences(of: target, with: replacement)
        : text.replacingOccurrences(of: target, with: replacement, range: text.range(of: target))
    }
    let classifierIndices = #""classifier":{"bias":"#
    #expect(text.contains(classifierIndices) && text.contains(#""indices":["#) && text.contains(#""weights":["#))
    let variants: [(String, Bool?, String)] = [
      (replacing(",", " ,\n\t", all: true), true, "whitespace around commas"),
      (replacing(":", " : ", all: true), true, "whitespace around colons"),
      (replacing("[", "[ \r\n", all: true), true, "whitespace after brackets"),
      (" \n" + text + "\n ", true, "whitespace around the text"),
      (replacing(#""indices":["#, #""indic\u0065s":["#), false, "an escaped key"),
      (replacing(#""indices":["#, #""indices":[1e0,"#), false, "an index with an exponent"),
      (replacing(#""indices":["#, #""indices":[5.0,"#), false, "an index with a fraction"),
      (replacing(#""indices":["#, #""indices":[01,"#), false, "a leading zero"),
      (replacing(#""indices":["#, #""indices":["5","#), false, "a string index"),
      (replacing(#""weights":["#, #""weights":[1e400,"#), false, "a double out of range"),
      (replacing(#""weights":["#, #""weights":[-0,"#), nil, "negative zero"),
      (replacing(#""weights":["#, #""weights":[1E+2,"#), nil, "an exponent"),
      (replacing(#""weights":["#, #""weights":[.5,"#), false, "no integer part"),
      (replacing(#""weights":["#, #""weights":[1.,"#), false, "no fraction digits"),
      (replacing(#""weights":["#, #""weights":[null,"#), false, "null"),
      (replacing(#""weights":["#, #""weights":[,"#), false, "a missing number"),
      (replacing(#""weights":["#, #""weights":[[1],"#), false, "a nested array"),
      (replacing(#""format":"zhongcao.sponsored-detector""#, #""format":"zhongcao.model""#), false, "another format"),
      (replacing(#""version":1"#, #""version":2"#), false, "another version"),
      (replacing(#""classifier":{"#, #""classifier":{"weights":[1],"#), false, "duplicate weights"),
      (replacing(#""library":"#, #""classifier":{},"library":"#), false, "duplicate classifier"),
      (replacing(#""library":""#, #""library":"\"[]{}\\"#), true, "brackets and escapes in a string"),
      (String(text.dropLast()), false, "truncated at the end"),
      (String(text.prefix(text.utf8.count / 2)), false, "truncated in the weights"),
      (text + "}", false, "text after the value"),
      (replacing(#""confidence":"#, #""confidence":,"#), false, "invalid JSON elsewhere"),
    ]
    for (variant, fastPath, comment) in variants {
      #expect(variant != text, "\(comment)")
      try expectSameReading(Data(variant.utf8), fastPath: fastPath, "\(comment)")
    }
    var invalidUTF8 = Data(text.utf8)
    invalidUTF8.insert(0xFF, at: invalidUTF8.firstRange(of: Data(#""library":""#.utf8))!.upperBound)
    try expectSameReading(invalidUTF8, fastPath: false, "invalid UTF-8")
    try expectSameReading(Data("not json".utf8), fastPath: false)
    try expectSameReading(Data(), fastPath: false)
  }
}
