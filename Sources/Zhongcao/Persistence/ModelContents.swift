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

/// The kinds of model Zhongcao trains and serves.
public enum ModelKind: String, Sendable, Equatable, Codable, CaseIterable {
  /// Implicit-feedback ALS (latent factors).
  case als
  /// EASE (a dense note-to-note weight matrix).
  case ease
  /// Item-based k-nearest neighbours (sparse note-to-note similarities).
  case itemKNN = "itemknn"
  /// Popularity (one score per note, the same for every user).
  case popularity
}

/// The hyper-parameters of a model, whatever its kind.
public enum ModelSettings: Sendable, Equatable {
  /// ALS hyper-parameters (also used by fold-in).
  case als(ALSConfiguration)
  /// EASE hyper-parameters.
  case ease(EASEConfiguration)
  /// Item-kNN hyper-parameters.
  case itemKNN(ItemKNNConfiguration)
  /// Popularity settings.
  case popularity(PopularityConfiguration)

  /// The kind of model these settings train.
  public var kind: ModelKind {
    switch self {
    case .als: .als
    case .ease: .ease
    case .itemKNN: .itemKNN
    case .popularity: .popularity
    }
  }

  /// Checks every value, naming the first bad one.
  public func validate() throws(ZhongcaoError) {
    switch self {
    case .als(let configuration): try configuration.validate()
    case .ease(let configuration): try configuration.validate()
    case .itemKNN(let configuration): try configuration.validate()
    case .popularity: break
    }
  }
}

extension ModelSettings: Codable {
  private enum CodingKeys: String, CodingKey { case kind, configuration }

  /// Decodes `{"kind": "als", "configuration": {…}}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    switch try container.decode(ModelKind.self, forKey: .kind) {
    case .als: self = .als(try container.decode(ALSConfiguration.self, forKey: .configuration))
    case .ease: self = .ease(try container.decode(EASEConfiguration.self, forKey: .configuration))
    case .itemKNN: self = .itemKNN(try container.decode(ItemKNNConfiguration.self, forKey: .configuration))
    case .popularity: self = .popularity(try container.decode(PopularityConfiguration.self, forKey: .configuration))
    }
  }

  /// Encodes `{"kind": "als", "configuration": {…}}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    switch self {
    case .als(let configuration): try container.encode(configuration, forKey: .configuration)
    case .ease(let configuration): try container.encode(configuration, forKey: .configuration)
    case .itemKNN(let configuration): try container.encode(configuration, forKey: .configuration)
    case .popularity(let configuration): try container.encode(configuration, forKey: .configuration)
    }
  }
}

/// What a model scores with. A user's score for note `i` is, by kind:
/// factors `x_uᵀy_i`; note weights and neighbours `Σ_j x_uj W[j, i]` over the user's notes `j`
/// (`x_uj` = 1 when the settings say binary, else the summed weight); note scores `s_i`.
package enum ModelParameters: Sendable, Equatable {
  /// ALS: `factorCount × users` and `factorCount × notes`, one column per entity.
  case factors(users: Matrix, notes: Matrix)
  /// EASE: `notes × notes`; column `j` holds the weights from note `j` (`W[j, ·]`).
  case noteWeights(Matrix)
  /// Item-kNN: row `j` holds note `j`'s neighbours `i` with weights `W[j, i]`.
  case noteNeighbours(SparseRows)
  /// Popularity: one score per note.
  case noteScores([Float])
}

/// Everything a model file holds. ``FeedModel`` is built from it; the model file reads and
/// writes it.
package struct ModelContents: Sendable, Equatable {
  /// The hyper-parameters (their kind is the model's kind).
  package var settings: ModelSettings
  package var provenance: TrainingProvenance
  package var users: IDMap
  package var notes: IDMap
  /// What the model scores with.
  package var parameters: ModelParameters
  /// The training interactions (users × notes, summed weights): seen-exclusion, explanations and
  /// the user side of note-to-note models.
  package var seen: SparseRows

  package init(settings: ModelSettings, provenance: TrainingProvenance, users: IDMap, notes: IDMap,
               parameters: ModelParameters, seen: SparseRows) {
    precondition(seen.rowCount == users.count && seen.columnCount == notes.count, "seen matrix shape differs from the id maps")
    switch parameters {
    case .factors(let userFactors, let noteFactors):
      precondition(userFactors.rows == noteFactors.rows && userFactors.columns == users.count
                   && noteFactors.columns == notes.count, "factor shapes differ from the id maps")
    case .noteWeights(let weights):
      precondition(weights.rows == notes.count && weights.columns == notes.count, "note weights must be notes × notes")
    case .noteNeighbours(let neighbours):
      precondition(neighbours.rowCount == notes.count && neighbours.columnCount == notes.count, "neighbours must be notes × notes")
    case .noteScores(let scores):
      precondition(scores.count == notes.count, "one score per note")
    }
    self.settings = settings
    self.provenance = provenance
    self.users = users
    self.notes = notes
    self.parameters = parameters
    self.seen = seen
  }

  /// The model's kind.
  package var kind: ModelKind { settings.kind }
}

extension ModelContents {
  /// The contents of an ALS model (the shape every model had before other kinds existed).
  package init(algorithm: String = "als", configuration: ALSConfiguration, provenance: TrainingProvenance,
               users: IDMap, notes: IDMap, userFactors: Matrix, noteFactors: Matrix, seen: SparseRows) {
    precondition(algorithm == ModelKind.als.rawValue, "factor contents are ALS contents")
    self.init(settings: .als(configuration), provenance: provenance, users: users, notes: notes,
              parameters: .factors(users: userFactors, notes: noteFactors), seen: seen)
  }

  /// The user factors of an ALS model (a programmer error for other kinds).
  package var userFactors: Matrix {
    get {
      guard case .factors(let users, _) = parameters else { preconditionFailure("not an ALS model") }
      return users
    }
    set {
      guard case .factors(_, let notes) = parameters else { preconditionFailure("not an ALS model") }
      parameters = .factors(users: newValue, notes: notes)
    }
  }

  /// The note factors of an ALS model (a programmer error for other kinds).
  package var noteFactors: Matrix {
    get {
      guard case .factors(_, let notes) = parameters else { preconditionFailure("not an ALS model") }
      return notes
    }
    set {
      guard case .factors(let users, _) = parameters else { preconditionFailure("not an ALS model") }
      parameters = .factors(users: users, notes: newValue)
    }
  }
}

/// How a model file is brought into memory.
public enum ModelStorage: Sendable, Equatable {
  /// Every section is read into memory of the model's own: the file can go away afterwards.
  case inMemory
  /// The file is memory-mapped and the factor, weight and interaction blocks are used where
  /// they lie, so a model of 10⁷ users needs no second copy in the heap and processes serving
  /// the same file share its pages. The file must not be modified in place while the model is
  /// alive (files Zhongcao writes are replaced by renaming, which is safe).
  case memoryMapped
}

/// How much of a model file is checked when it is loaded.
public enum ModelVerification: Sendable, Equatable {
  /// Every checksum and every invariant (the default): each byte is read once.
  case full
  /// Everything but the checksums and finiteness of the dense factor / weight blocks: ids,
  /// section layout and interaction structure are still checked, so no file can make serving
  /// read out of bounds, but a flipped bit inside a factor goes unnoticed. For fast start-up
  /// of memory-mapped models whose files are trusted.
  case structure
}
