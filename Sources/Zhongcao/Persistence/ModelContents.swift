import ZhongcaoLinearAlgebra

/// Where a model came from: enough to reproduce it or to tell two models apart.
public struct TrainingProvenance: Sendable, Equatable, Codable {
  /// 64-bit hash (hex) of the training matrix: ids, pairs and weights.
  public var dataHash: String
  /// Number of users, notes and distinct (user, note) pairs trained on.
  public var users: Int
  public var notes: Int
  public var pairs: Int
  /// Wall-clock training seconds.
  public var trainingSeconds: Double
  /// Normalised loss after each iteration, when it was computed.
  public var lossHistory: [Double]
  /// OpenBLAS kernel family (`openblas_get_corename`) and worker threads used.
  public var blasCore: String
  public var threads: Int
  /// Zhongcao version that trained the model.
  public var zhongcaoVersion: String
  /// When training finished, ISO 8601.
  public var trainedAt: String

  /// A provenance record.
  public init(dataHash: String, users: Int, notes: Int, pairs: Int, trainingSeconds: Double, lossHistory: [Double],
              blasCore: String, threads: Int, zhongcaoVersion: String, trainedAt: String) {
    self.dataHash = dataHash
    self.users = users
    self.notes = notes
    self.pairs = pairs
    self.trainingSeconds = trainingSeconds
    self.lossHistory = lossHistory
    self.blasCore = blasCore
    self.threads = threads
    self.zhongcaoVersion = zhongcaoVersion
    self.trainedAt = trainedAt
  }
}

/// Everything a model file holds. ``FeedModel`` is built from it; the model file reads and
/// writes it.
package struct ModelContents: Sendable, Equatable {
  /// The algorithm that produced the factors (`"als"`; later issues add more).
  package var algorithm: String
  /// ALS hyper-parameters (also used by fold-in).
  package var configuration: ALSConfiguration
  package var provenance: TrainingProvenance
  package var users: IDMap
  package var notes: IDMap
  /// `factorCount × users.count`, one column per user.
  package var userFactors: Matrix
  /// `factorCount × notes.count`, one column per note.
  package var noteFactors: Matrix
  /// The training interactions (users × notes, summed weights): seen-exclusion and explanations.
  package var seen: SparseRows

  package init(algorithm: String, configuration: ALSConfiguration, provenance: TrainingProvenance,
               users: IDMap, notes: IDMap, userFactors: Matrix, noteFactors: Matrix, seen: SparseRows) {
    precondition(userFactors.rows == noteFactors.rows && userFactors.columns == users.count
                 && noteFactors.columns == notes.count && seen.rowCount == users.count
                 && seen.columnCount == notes.count, "model parts have inconsistent shapes")
    self.algorithm = algorithm
    self.configuration = configuration
    self.provenance = provenance
    self.users = users
    self.notes = notes
    self.userFactors = userFactors
    self.noteFactors = noteFactors
    self.seen = seen
  }
}
