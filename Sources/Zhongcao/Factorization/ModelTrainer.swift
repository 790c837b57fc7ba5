import Foundation
import ZhongcaoLinearAlgebra

/// Trains a model of any kind from its settings: ALS, EASE, item-kNN or popularity. Every kind
/// comes back as a ``FeedModel`` that serves, saves and evaluates the same way.
///
///     let ease = try ModelTrainer(.ease(EASEConfiguration())).train(on: matrix)
///     let feed = try ease.recommendations(for: "u42", count: 20)
public struct ModelTrainer: Sendable {
  /// The kind and hyper-parameters.
  public var settings: ModelSettings

  /// A trainer for these settings.
  public init(_ settings: ModelSettings) {
    self.settings = settings
  }

  /// Trains on `matrix`. `progress` is called after every ALS iteration (other kinds train in
  /// one step).
  public func train(
    on matrix: InteractionMatrix, progress: ((TrainingProgress) -> Void)? = nil
  ) throws(ZhongcaoError) -> FeedModel {
    if case .als(let configuration) = settings {
      return try ImplicitALS(configuration).train(on: matrix, progress: progress)
    }
    try settings.validate()
    guard matrix.users.count > 0, matrix.notes.count > 0, matrix.pairCount > 0 else {
      throw ZhongcaoError(.invalidArgument, "cannot train on an empty interaction matrix")
    }
    let clock = ContinuousClock(), start = clock.now
    let parameters: ModelParameters, threads: Int
    switch settings {
    case .als:
      preconditionFailure("handled above")
    case .ease(let configuration):
      parameters = .noteWeights(try configuration.noteWeights(for: matrix))
      threads = configuration.threads
    case .itemKNN(let configuration):
      parameters = .noteNeighbours(try configuration.noteNeighbours(for: matrix))
      threads = configuration.threads
    case .popularity(let configuration):
      parameters = .noteScores(configuration.noteScores(for: matrix))
      threads = 1
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    progress?(TrainingProgress(iteration: 1, iterations: 1, loss: nil, seconds: seconds))
    let provenance = TrainingProvenance(
      dataHash: matrix.contentHash, users: matrix.users.count, notes: matrix.notes.count, pairs: matrix.pairCount,
      trainingSeconds: seconds, lossHistory: [], blasCore: BLASRuntime.coreName,
      threads: threads == 0 ? WorkerPool.defaultThreads : threads, zhongcaoVersion: Zhongcao.version,
      trainedAt: ISO8601DateFormatter().string(from: Date()))
    return FeedModel(contents: ModelContents(settings: settings, provenance: provenance, users: matrix.users,
                                             notes: matrix.notes, parameters: parameters, seen: matrix.byUser))
  }
}
