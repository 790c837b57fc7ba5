/// Hyper-parameters of implicit-feedback ALS.
///
/// The objective, for user vectors `x_u`, note vectors `y_i` and summed event weights `w_ui`:
///
///     Σ_(u,i) observed  c_ui (1 − x_uᵀy_i)²  +  α₀ Σ_(u,i) unobserved (x_uᵀy_i)²
///       + Σ_u λ_u ‖x_u‖² + Σ_i λ_i ‖y_i‖²,
///     c_ui = 1 + alpha·w_ui,   λ_u = λ·(n_u + α₀·N)^ν
///
/// With the defaults (α₀ = 1, ν = 0) this is Hu, Koren & Volinsky (2008); `unobservedWeight`
/// and `regularizationExponent` are the knobs of Rendle et al. (2021), "Revisiting the
/// Performance of iALS on Item Recommendation Benchmarks". With
/// ``RegularizationConvention/spark`` the regularization is Apache Spark MLlib's `λ_u = λ·n_u`
/// instead (α₀ must be 1 and ν 0), so models trained or imported from Spark fold in as Spark would.
public struct ALSConfiguration: Sendable, Equatable, Codable {
  /// How each half-sweep solves its least-squares systems.
  public enum Solver: String, Sendable, Equatable, Codable, CaseIterable {
    /// Conjugate gradient, warm-started from the previous iteration (Takács et al. 2011): fast.
    case conjugateGradient = "cg"
    /// Exact Cholesky solve of every system (LAPACK `sposv`): slower, monotone loss.
    case cholesky = "cholesky"
  }

  /// How λ_u is derived from λ.
  public enum RegularizationConvention: String, Sendable, Equatable, Codable, CaseIterable {
    /// `λ_u = λ·(n_u + α₀·N)^ν` (plain λ when ν = 0): Zhongcao's own.
    case frequencyScaled = "frequency-scaled"
    /// `λ_u = λ·n_u`, `n_u` the row's observed pairs: Apache Spark MLlib ALS (`implicitPrefs`),
    /// whose `n_u` counts positive ratings (every Zhongcao pair with a positive weight).
    case spark
  }

  /// Latent factors per user and note.
  public var factors: Int = 128
  /// Full iterations (a note sweep followed by a user sweep).
  public var iterations: Int = 15
  /// λ.
  public var regularization: Float = 70
  /// ν: 0 gives plain λ; 1 scales λ with each row's observation count (plus α₀·N).
  public var regularizationExponent: Float = 0
  /// alpha in `c = 1 + alpha·w`.
  public var alpha: Float = 2
  /// α₀: the weight of every unobserved pair.
  public var unobservedWeight: Float = 1
  /// How λ_u is derived from λ (Zhongcao's frequency scaling, or Spark's `λ·n_u`).
  public var regularizationConvention: RegularizationConvention = .frequencyScaled
  /// The solver.
  public var solver: Solver = .conjugateGradient
  /// Conjugate-gradient steps per system and iteration.
  public var conjugateGradientSteps: Int = 3
  /// Seed of the factor initialisation.
  public var seed: UInt64 = 42
  /// Worker threads (0 = one per core).
  public var threads: Int = 0
  /// Compute and report the loss after every iteration (costs about one extra sweep's dot products).
  public var computeLoss: Bool = false

  /// The defaults: 128 factors, 15 iterations, λ = 70 (plain), alpha = 2, α₀ = 1, CG with 3
  /// steps. Chosen on validation carves (never the test split) of MovieLens latest-small
  /// (ratings as implicit feedback) and of a generated note feed: MovieLens alone prefers λ ≈ 30–50,
  /// the generated feed λ ≈ 100–150; λ 70 keeps MovieLens within 5% of its best validation
  /// NDCG@10 and lifts the generated feed from 63% to 77% of its best (MovieLens data is the
  /// priority). On the MovieLens test split they score NDCG@10 0.356, against 0.280
  /// for `implicit`'s defaults; tune on your own data (`recotrain tune`) for the rest
  /// (README, "Feed quality").
  public init() {}

  /// Checks every value, naming the first bad one.
  public func validate() throws(ZhongcaoError) {
    func fail(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidArgument, message) }
    guard factors >= 1, factors <= 4096 else { throw fail("factors must be in 1...4096, got \(factors)") }
    guard iterations >= 0, iterations <= 10_000 else { throw fail("iterations must be in 0...10000, got \(iterations)") }
    guard regularization.isFinite, regularization >= 0 else { throw fail("regularization must be finite and ≥ 0, got \(regularization)") }
    guard regularizationExponent.isFinite, regularizationExponent >= 0, regularizationExponent <= 4 else {
      throw fail("regularization exponent must be in 0...4, got \(regularizationExponent)")
    }
    guard alpha.isFinite, alpha >= 0 else { throw fail("alpha must be finite and ≥ 0, got \(alpha)") }
    guard unobservedWeight.isFinite, unobservedWeight >= 0 else { throw fail("unobserved weight must be finite and ≥ 0, got \(unobservedWeight)") }
    guard conjugateGradientSteps >= 1, conjugateGradientSteps <= 1000 else {
      throw fail("conjugate-gradient steps must be in 1...1000, got \(conjugateGradientSteps)")
    }
    guard threads >= 0, threads <= 1024 else { throw fail("threads must be in 0...1024, got \(threads)") }
    if regularizationConvention == .spark {
      guard unobservedWeight == 1, regularizationExponent == 0 else {
        throw fail("the spark regularization convention needs unobserved weight 1 and regularization exponent 0, got \(unobservedWeight) and \(regularizationExponent)")
      }
    }
    if regularization == 0 && unobservedWeight == 0 {
      throw fail("regularization and unobserved weight cannot both be 0: the systems would be singular")
    }
  }
}


extension ALSConfiguration {
  private enum CodingKeys: String, CodingKey {
    case factors, iterations, regularization, regularizationExponent, alpha, unobservedWeight
    case regularizationConvention, solver, conjugateGradientSteps, seed, threads, computeLoss
  }

  /// Decodes a configuration; keys left out keep their defaults, so model files written before a
  /// setting existed (e.g. `regularizationConvention`) still load.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    func read<Value: Decodable>(_ key: CodingKeys, into value: inout Value) throws {
      if let decoded = try container.decodeIfPresent(Value.self, forKey: key) { value = decoded }
    }
    try read(.factors, into: &factors)
    try read(.iterations, into: &iterations)
    try read(.regularization, into: &regularization)
    try read(.regularizationExponent, into: &regularizationExponent)
    try read(.alpha, into: &alpha)
    try read(.unobservedWeight, into: &unobservedWeight)
    try read(.regularizationConvention, into: &regularizationConvention)
    try read(.solver, into: &solver)
    try read(.conjugateGradientSteps, into: &conjugateGradientSteps)
    try read(.seed, into: &seed)
    try read(.threads, into: &threads)
    try read(.computeLoss, into: &computeLoss)
  }
}
