import Foundation
import ZhongcaoLinearAlgebra

/// The files that carry interactions to Apache Spark MLlib ALS and its factors back.
///
/// An export directory (``export(_:source:to:)``) holds:
/// - `interactions.csv`: `user,item,rating` with a header, dense 0-based 32-bit ids, one row per
///   distinct (user, note) pair with its summed weight, sorted by user then item;
/// - `users.tsv` and `items.tsv`: `index<TAB>id` with a header, the original string ids;
/// - `manifest.json`: counts, total weight and the ``InteractionMatrix/contentHash`` of the data.
///
/// A factors directory (written by `Tools/spark/train_als.py`) holds `user_factors.csv` and
/// `item_factors.csv` (`id,f0,…,f{k−1}`, one row per id, sorted) and `training.json` (rank,
/// regParam, alpha, maxIter, seed, Spark version, fit seconds). ``importModel(export:factors:)``
/// turns both into a ``FeedModel`` that records Spark's conventions
/// (``ALSConfiguration/RegularizationConvention/spark``), so fold-in solves what Spark solves.
public enum SparkExchange {
  /// File names inside an export directory.
  public static let interactionsFile = "interactions.csv", usersFile = "users.tsv", itemsFile = "items.tsv",
    manifestFile = "manifest.json"
  /// File names inside a factors directory.
  public static let userFactorsFile = "user_factors.csv", itemFactorsFile = "item_factors.csv",
    trainingFile = "training.json"

  /// What an export holds.
  public struct Manifest: Sendable, Equatable, Codable {
    /// Always `zhongcao-spark-export`.
    public var format: String
    /// Format version (1).
    public var version: Int
    /// Users, items (notes) and distinct pairs.
    public var users: Int
    /// Items (notes).
    public var items: Int
    /// Distinct (user, item) pairs, the rows of `interactions.csv`.
    public var pairs: Int
    /// Pairs whose summed weight is 0: Spark treats them as unobserved, Zhongcao as preference 1.
    public var zeroWeightPairs: Int
    /// Sum of all weights.
    public var totalWeight: Double
    /// ``InteractionMatrix/contentHash`` of the exported matrix.
    public var dataHash: String
    /// Where the interactions came from (as given to the exporter).
    public var source: String
    /// Zhongcao version that wrote the export.
    public var zhongcaoVersion: String
  }

  /// Spark's training settings and timing, from `training.json`.
  public struct SparkTraining: Sendable, Equatable, Codable {
    /// `rank`.
    public var rank: Int
    /// `regParam` (λ).
    public var regParam: Double
    /// `alpha`.
    public var alpha: Double
    /// `maxIter`.
    public var maxIter: Int
    /// `seed`.
    public var seed: Int64
    /// Spark version that trained.
    public var sparkVersion: String
    /// Seconds spent in `ALS.fit`.
    public var fitSeconds: Double
    /// The export's data hash, as the job read it from `manifest.json` (checked on import).
    public var dataHash: String?
  }

  // MARK: Export

  /// Writes `matrix` as an export directory `directory` (created if missing; each file atomically).
  ///
  /// - Parameter source: Recorded in the manifest (e.g. the interactions path).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when there are more than
  ///   2³¹ − 1 users or notes, or an id contains a tab or line break;
  ///   ``ZhongcaoError/Code-swift.struct/io`` when a file cannot be written.
  @discardableResult
  public static func export(_ matrix: InteractionMatrix, source: String, to directory: String) throws(ZhongcaoError) -> Manifest {
    for (map, side) in [(matrix.users, "users"), (matrix.notes, "notes")] {
      guard map.count <= Int(Int32.max) else {
        throw ZhongcaoError(.invalidArgument, "Spark's ALS needs 32-bit ids: \(map.count) \(side) is too many")
      }
      if let bad = map.ids.firstIndex(where: { $0.contains(where: { $0 == "\t" || $0.isNewline }) }) {
        throw ZhongcaoError(.invalidArgument, "\(side.dropLast()) id '\(map.ids[bad])' contains a tab or line break; the id maps are TSV")
      }
    }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw ZhongcaoError(.io, "cannot create export directory \(directory): \(error.localizedDescription)")
    }
    let rows = matrix.byUser
    try AtomicFile.write(to: path(directory, interactionsFile)) { writer throws(ZhongcaoError) in
      try writer.write("user,item,rating\n")
      for u in 0..<rows.rowCount {
        for entry in rows.range(ofRow: u) {
          try writer.write("\(u),\(rows.indices[entry]),\(rows.values[entry])\n")
        }
      }
    }
    try writeIDs(matrix.users, to: path(directory, usersFile))
    try writeIDs(matrix.notes, to: path(directory, itemsFile))
    let manifest = Manifest(
      format: "zhongcao-spark-export", version: 1, users: matrix.users.count, items: matrix.notes.count,
      pairs: matrix.pairCount, zeroWeightPairs: rows.values.lazy.filter { $0 == 0 }.count,
      totalWeight: rows.values.reduce(0) { $0 + Double($1) }, dataHash: matrix.contentHash, source: source,
      zhongcaoVersion: Zhongcao.version)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let json = try? encoder.encode(manifest) else { preconditionFailure("the manifest always encodes") }
    try AtomicFile.write(Array(json) + [0x0A], to: path(directory, manifestFile))
    return manifest
  }

  private static func writeIDs(_ map: IDMap, to file: String) throws(ZhongcaoError) {
    try AtomicFile.write(to: file) { writer throws(ZhongcaoError) in
      try writer.write("index\tid\n")
      for (index, id) in map.ids.enumerated() { try writer.write("\(index)\t\(id)\n") }
    }
  }

  // MARK: Import

  /// Builds a Zhongcao ALS model from Spark's factors and the export they were trained on.
  ///
  /// The string ids and the seen history come from the export; the hyper-parameters from
  /// `training.json`, with Spark's conventions (`c = 1 + alpha·r`, `λ_u = λ·n_u`, every unobserved
  /// pair weight 1), so ``FeedModel/foldIn(events:)`` reproduces Spark's user solve.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` naming file, line and field for a
  ///   malformed file, a missing or duplicated id or a wrong vector length.
  public static func importModel(export: String, factors: String) throws(ZhongcaoError) -> FeedModel {
    let (users, notes, seen, manifest) = try readExportParts(export)
    let trainingPath = path(factors, trainingFile)
    let training: SparkTraining = try decodeJSON(trainingPath)
    if let trained = training.dataHash, trained != manifest.dataHash {
      throw ZhongcaoError(.invalidInput, "these factors were trained on data with hash \(trained), but the export \(export) has \(manifest.dataHash)",
                          location: .init(file: trainingPath, field: "dataHash"))
    }
    guard training.rank >= 1, training.rank <= 4096 else {
      throw ZhongcaoError(.invalidInput, "rank must be in 1...4096, got \(training.rank)", location: .init(file: trainingPath, field: "rank"))
    }
    let userFactors = try readFactors(path(factors, userFactorsFile), count: users.count, rank: training.rank)
    let noteFactors = try readFactors(path(factors, itemFactorsFile), count: notes.count, rank: training.rank)
    var configuration = ALSConfiguration()
    configuration.factors = training.rank
    configuration.iterations = training.maxIter
    configuration.regularization = Float(training.regParam)
    configuration.alpha = Float(training.alpha)
    configuration.unobservedWeight = 1
    configuration.regularizationExponent = 0
    configuration.regularizationConvention = .spark
    configuration.solver = .cholesky
    configuration.seed = UInt64(bitPattern: training.seed)
    do {
      try configuration.validate()
    } catch {
      throw ZhongcaoError(.invalidInput, error.message, location: .init(file: trainingPath))
    }
    let provenance = TrainingProvenance(
      dataHash: manifest.dataHash, users: manifest.users, notes: manifest.items, pairs: manifest.pairs,
      trainingSeconds: training.fitSeconds, lossHistory: [], blasCore: "Apache Spark \(training.sparkVersion)",
      threads: 0, zhongcaoVersion: Zhongcao.version, trainedAt: ISO8601DateFormatter().string(from: Date()))
    return FeedModel(contents: ModelContents(
      settings: .als(configuration), provenance: provenance, users: users, notes: notes,
      parameters: .factors(users: userFactors, notes: noteFactors), seen: seen))
  }

  // MARK: Helpers

  static func path(_ directory: String, _ name: String) -> String {
    URL(fileURLWithPath: directory).appendingPathComponent(name).path
  }

  private static func readBytes(_ file: String) throws(ZhongcaoError) -> Data {
    do {
      return try FileContents.read(file)
    } catch {
      throw ZhongcaoError(.io, "cannot read \(file): \(error.localizedDescription)")
    }
  }

  static func decodeJSON<Value: Decodable>(_ file: String) throws(ZhongcaoError) -> Value {
    let data = try readBytes(file)
    do {
      return try JSONDecoder().decode(Value.self, from: data)
    } catch let DecodingError.keyNotFound(key, _) {
      throw ZhongcaoError(.invalidInput, "missing key '\(key.stringValue)'", location: .init(file: file, field: key.stringValue))
    } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
      let field = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw ZhongcaoError(.invalidInput, "'\(field)' has the wrong type", location: .init(file: file, field: field))
    } catch {
      throw ZhongcaoError(.invalidInput, "not valid JSON", location: .init(file: file))
    }
  }

  static func malformed(_ file: String, _ line: Int, _ message: String) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, message, location: .init(file: file, line: line))
  }
}
