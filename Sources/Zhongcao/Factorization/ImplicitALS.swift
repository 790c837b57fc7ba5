import Foundation
import ZhongcaoLinearAlgebra

/// Progress of a training run, reported after every iteration.
public struct TrainingProgress: Sendable {
  /// Iterations completed so far (1-based).
  public var iteration: Int
  /// Iterations in the run.
  public var iterations: Int
  /// Normalised loss after this iteration, when ``ALSConfiguration/computeLoss`` is set.
  public var loss: Double?
  /// Seconds since training started.
  public var seconds: Double
}

/// Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008) on OpenBLAS.
///
///     var configuration = ALSConfiguration()
///     configuration.factors = 64
///     let model = try ImplicitALS(configuration).train(on: InteractionMatrix(log))
///     let feed = try model.recommendations(for: "u42", count: 20)
///
/// Each iteration solves every note's vector given the users', then every user's given the
/// notes' (so the final user vectors are the optimum for the final note vectors, which is what
/// fold-in reproduces). Systems are solved with warm-started conjugate gradient or exact Cholesky
/// (see ``ALSConfiguration``). The same seed and thread count give bitwise the same factors; in
/// fact the factors do not depend on the thread count at all.
public struct ImplicitALS: Sendable {
  /// The hyper-parameters.
  public var configuration: ALSConfiguration

  /// A trainer with the given hyper-parameters.
  public init(_ configuration: ALSConfiguration = ALSConfiguration()) {
    self.configuration = configuration
  }

  /// Trains a model on `matrix`.
  ///
  /// - Parameter progress: Called after every iteration (on the calling thread).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for bad hyper-parameters or an
  ///   empty matrix; ``ZhongcaoError/Code-swift.struct/trainingFailed`` when factors become
  ///   non-finite or a Cholesky system is not positive definite.
  public func train(
    on matrix: InteractionMatrix, progress: ((TrainingProgress) -> Void)? = nil
  ) throws(ZhongcaoError) -> FeedModel {
    try configuration.validate()
    guard matrix.users.count > 0, matrix.notes.count > 0, matrix.pairCount > 0 else {
      throw ZhongcaoError(.invalidArgument, "cannot train on an empty interaction matrix")
    }
    let largestWeight = matrix.byUser.values.max() ?? 0
    guard (1 + configuration.alpha * largestWeight).isFinite else {
      throw ZhongcaoError(.invalidArgument, "confidence 1 + alpha·weight overflows Float for the largest weight \(largestWeight) (alpha \(configuration.alpha)); rescale the weights or lower alpha")
    }
    let clock = ContinuousClock(), start = clock.now
    let threads = configuration.threads == 0 ? WorkerPool.defaultThreads : configuration.threads
    let settings = configuration.leastSquaresSettings(threads: threads)
    let k = configuration.factors
    var users = Self.initialFactors(rows: k, columns: matrix.users.count, seed: configuration.seed, stream: 1)
    var notes = Self.initialFactors(rows: k, columns: matrix.notes.count, seed: configuration.seed, stream: 2)
    let noteCounts = (0..<matrix.notes.count).map { matrix.byNote.count(ofRow: $0) }
    var lossHistory: [Double] = []
    for iteration in 1...max(configuration.iterations, 1) where configuration.iterations > 0 {
      do {
        try ImplicitLeastSquares.solve(targets: &notes, fixed: users, interactions: matrix.byNote, settings: settings)
      } catch {
        throw Self.describe(error, side: "note", ids: matrix.notes, iteration: iteration)
      }
      do {
        try ImplicitLeastSquares.solve(targets: &users, fixed: notes, interactions: matrix.byUser, settings: settings)
      } catch {
        throw Self.describe(error, side: "user", ids: matrix.users, iteration: iteration)
      }
      var loss: Double? = nil
      if configuration.computeLoss {
        let value = ImplicitLeastSquares.loss(users: users, notes: notes, interactions: matrix.byUser,
                                              noteCounts: noteCounts, settings: settings)
        guard value.isFinite else {
          throw ZhongcaoError(.trainingFailed, "training diverged at iteration \(iteration): the loss is \(value); lower alpha or raise the regularization")
        }
        lossHistory.append(value)
        loss = value
      }
      progress?(TrainingProgress(iteration: iteration, iterations: configuration.iterations, loss: loss,
                                 seconds: Self.seconds(since: start, clock: clock)))
    }
    let provenance = TrainingProvenance(
      dataHash: matrix.contentHash, users: matrix.users.count, notes: matrix.notes.count, pairs: matrix.pairCount,
      trainingSeconds: Self.seconds(since: start, clock: clock), lossHistory: lossHistory,
      blasCore: BLASRuntime.coreName, threads: threads, zhongcaoVersion: Zhongcao.version,
      trainedAt: ISO8601DateFormatter().string(from: Date()))
    return FeedModel(contents: ModelContents(
      settings: .als(configuration), provenance: provenance, users: matrix.users, notes: matrix.notes,
      parameters: .factors(users: users, notes: notes), seen: matrix.byUser))
  }

  /// Uniform factors in [0, 0.01), as `implicit` initialises them, from a seeded stream.
  static func initialFactors(rows: Int, columns: Int, seed: UInt64, stream: UInt64) -> Matrix {
    var generator = SplitMix64(seed: seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
    let storage = MappableArray<Float>(count: rows * columns) { buffer in
      for i in buffer.indices { buffer[i] = Float(generator.next() >> 40) * (0.01 / Float(1 << 24)) }
    }
    return Matrix(rows: rows, columns: columns, storage: storage)
  }

  private static func seconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  private static func describe(_ failure: LeastSquaresFailure, side: String, ids: IDMap, iteration: Int) -> ZhongcaoError {
    switch failure {
    case .notPositiveDefinite(let row):
      return ZhongcaoError(.trainingFailed, "iteration \(iteration): the system of \(side) '\(ids[row])' is not positive definite; raise the regularization")
    case .nonFinite(let row):
      return ZhongcaoError(.trainingFailed, "training diverged at iteration \(iteration): the factors of \(side) '\(ids[row])' became NaN or infinite; lower alpha or raise the regularization")
    }
  }
}

extension ALSConfiguration {
  /// The kernel settings for this configuration.
  package func leastSquaresSettings(threads: Int) -> LeastSquaresSettings {
    LeastSquaresSettings(
      confidenceScale: alpha, unobservedWeight: unobservedWeight, regularization: regularization,
      regularizationExponent: regularizationExponent,
      conjugateGradientSteps: solver == .conjugateGradient ? conjugateGradientSteps : nil, threads: threads,
      regularizationCountsObserved: regularizationConvention == .spark)
  }
}
