import Foundation

extension SponsoredDetector {
  /// The `format` string of a detector file.
  public static let fileFormat = "zhongcao.sponsored-detector"
  /// The version of the detector file layout this release writes and reads.
  public static let fileVersion = 1

  /// The JSON layout of a detector file, version 1 (keys in snake_case, sorted):
  ///
  ///     { "format": "zhongcao.sponsored-detector", "version": 1, "library": "0.1.0",
  ///       "featurizer": { "bucket_bits": 18, "minimum_character_gram": 1, … },
  ///       "extra_feature_names": ["purchase_link"],
  ///       "classifier": { "dimension": 262145, "bias": -3.1, "indices": [17, …], "weights": [0.42, …] },
  ///       "propensity": { "dimension": 2, "bias": -1.6, "indices": [0, 1], "weights": [1.0, 1.5] },
  ///       "minimum_propensity": 0.02,
  ///       "calibration": { "scores": [ … ], "probabilities": [ … ] },
  ///       "class_prior": 0.151, "class_prior_interval": [0.13, 0.17], "class_prior_standard_error": 0.01,
  ///       "label_frequency": 0.3, "confidence": 0.95,
  ///       "most_weighted_features": [ { "text": "链接", "kind": "characters", "weight": 2.1 }, … ],
  ///       "summary": { … } }
  ///
  /// Only non-zero weights are stored. Numbers are written in Swift's shortest round-trip form,
  /// so a loaded detector scores bitwise like the saved one.
  struct FileContents: Codable {
    struct Weights: Codable {
      var dimension: Int
      var bias: Double
      var indices: [Int]
      var weights: [Double]
    }
    var format: String
    var version: Int
    var library: String
    var featurizer: TextFeaturizer
    var extraFeatureNames: [String]
    var classifier: Weights
    var propensity: Weights
    var minimumPropensity: Double
    var calibration: IsotonicCalibration
    var classPrior: Double
    var classPriorInterval: [Double]
    var classPriorStandardError: Double
    var labelFrequency: Double
    var confidence: Double
    var mostWeightedFeatures: [WeightedFeature]
    var summary: TrainingSummary
  }

  /// Writes the detector to `path` atomically (a reader sees the old file or the whole new one).
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` if the file cannot be written.
  public func save(to path: String) throws(ZhongcaoError) {
    func sparse(_ model: LogisticRegression) -> FileContents.Weights {
      let indices = model.weights.indices.filter { model.weights[$0] != 0 }
      return .init(dimension: model.dimension, bias: model.bias, indices: indices, weights: indices.map { model.weights[$0] })
    }
    let contents = FileContents(
      format: Self.fileFormat, version: Self.fileVersion, library: Zhongcao.version, featurizer: featurizer,
      extraFeatureNames: extraFeatureNames, classifier: sparse(classifier), propensity: sparse(propensity),
      minimumPropensity: minimumPropensity, calibration: calibration, classPrior: classPrior,
      classPriorInterval: [classPriorInterval.lowerBound, classPriorInterval.upperBound],
      classPriorStandardError: classPriorStandardError, labelFrequency: labelFrequency, confidence: confidence,
      mostWeightedFeatures: mostWeightedFeatures, summary: summary)
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    let data: Data
    do { data = try encoder.encode(contents) } catch {
      throw ZhongcaoError(.io, "cannot encode detector for \(path): \(error)")
    }
    try AtomicFile.write(data, to: path)
  }

  /// Reads a detector written by ``save(to:)``.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` if the file cannot be read;
  ///   ``ZhongcaoError/Code-swift.struct/invalidModel`` if it is not a detector file, is of
  ///   another version, or is inconsistent (indices out of range, non-finite numbers, unsorted
  ///   calibration knots, mismatched counts).
  public init(contentsOf path: String) throws(ZhongcaoError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ZhongcaoError(.io, "cannot read detector file \(path)")
    }
    let location = ZhongcaoError.Location(file: path)
    let contents = try Self.fileContents(data, location: location)
    func invalid(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidModel, message, location: location) }
    func dense(_ weights: FileContents.Weights, name: String) throws(ZhongcaoError) -> LogisticRegression {
      guard weights.dimension >= 0, weights.dimension <= 1 << 25, weights.indices.count == weights.weights.count else {
        throw invalid("\(name): dimension \(weights.dimension) or counts (\(weights.indices.count) indices, \(weights.weights.count) weights) invalid")
      }
      guard weights.bias.isFinite, weights.weights.allSatisfy(\.isFinite) else { throw invalid("\(name): non-finite weight") }
      var values = [Double](repeating: 0, count: weights.dimension)
      for (index, weight) in zip(weights.indices, weights.weights) {
        guard index >= 0 && index < weights.dimension else { throw invalid("\(name): index \(index) outside 0..<\(weights.dimension)") }
        values[index] = weight
      }
      return LogisticRegression(weights: values, bias: weights.bias)
    }
    let featurizer = contents.featurizer
    guard (10...24).contains(featurizer.bucketBits), featurizer.minimumCharacterGram >= 1,
          featurizer.minimumCharacterGram <= featurizer.maximumCharacterGram, featurizer.maximumCharacterGram <= 5,
          featurizer.extraFeatureCount >= 0, featurizer.extraFeatureCount <= 1 << 16 else {
      throw invalid("featurizer settings out of range")
    }
    let classifier = try dense(contents.classifier, name: "classifier")
    guard classifier.dimension == featurizer.dimension else {
      throw invalid("classifier dimension \(classifier.dimension) does not match the featurizer's \(featurizer.dimension)")
    }
    let propensity = try dense(contents.propensity, name: "propensity")
    guard IsotonicCalibration.isValid(scores: contents.calibration.scores, probabilities: contents.calibration.probabilities) else {
      throw invalid("calibration knots are empty, unsorted or outside [0, 1]")
    }
    let unit: ClosedRange<Double> = 0...1
    guard contents.classPriorInterval.count == 2, contents.classPriorInterval[0] <= contents.classPriorInterval[1],
          unit.contains(contents.classPrior), unit.contains(contents.labelFrequency),
          contents.minimumPropensity > 0 && contents.minimumPropensity <= 1,
          contents.confidence > 0 && contents.confidence < 1, contents.classPriorStandardError >= 0,
          contents.extraFeatureNames.isEmpty || contents.extraFeatureNames.count == featurizer.extraFeatureCount else {
      throw invalid("prior, label frequency, propensity floor, confidence or extra feature names out of range")
    }
    self.init(
      featurizer: featurizer, extraFeatureNames: contents.extraFeatureNames, classifier: classifier,
      calibration: contents.calibration, propensity: propensity, minimumPropensity: contents.minimumPropensity,
      classPrior: contents.classPrior, classPriorInterval: contents.classPriorInterval[0]...contents.classPriorInterval[1],
      classPriorStandardError: contents.classPriorStandardError, labelFrequency: contents.labelFrequency,
      confidence: contents.confidence, mostWeightedFeatures: contents.mostWeightedFeatures, summary: contents.summary)
  }

  /// The contents of a detector file: by ``DetectorFileArrays`` when it can read the file (the
  /// classifier's long arrays by hand, the rest with `JSONDecoder`), otherwise, and for every file
  /// it cannot read, by ``fileContentsWithJSONDecoder(_:location:)``, which also gives the errors.
  static func fileContents(_ data: Data, location: ZhongcaoError.Location) throws(ZhongcaoError) -> FileContents {
    if let contents = DetectorFileArrays.fileContents(data) { return contents }
    return try fileContentsWithJSONDecoder(data, location: location)
  }

  /// The JSON decoder detector files are read with (snake_case keys).
  static func fileDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }

  /// The contents of a detector file, all read by `JSONDecoder` after checking its format and
  /// version (the reference for ``fileContents(_:location:)``).
  static func fileContentsWithJSONDecoder(_ data: Data, location: ZhongcaoError.Location) throws(ZhongcaoError) -> FileContents {
    let decoder = fileDecoder()
    struct Header: Decodable { var format: String?; var version: Int? }
    guard let header = try? decoder.decode(Header.self, from: data) else {
      throw ZhongcaoError(.invalidModel, "not a JSON detector file", location: location)
    }
    guard header.format == Self.fileFormat else {
      throw ZhongcaoError(.invalidModel, "format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(Self.fileFormat)'", location: location)
    }
    guard header.version == Self.fileVersion else {
      throw ZhongcaoError(.invalidModel, "detector file version \(header.version.map(String.init) ?? "missing") is not supported (this release reads version \(Self.fileVersion))", location: location)
    }
    do { return try decoder.decode(FileContents.self, from: data) } catch {
      throw ZhongcaoError(.invalidModel, "malformed detector file: \(error)", location: location)
    }
  }
}
