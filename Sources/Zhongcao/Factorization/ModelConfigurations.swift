/// Hyper-parameters of EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data").
///
/// With `X` the users × notes matrix (binary by default), `G = XᵀX + λI`, `P = G⁻¹`, the note-to-
/// note weights are `B = I − P·diag(1 / diag(P))`, i.e. `B_ij = −P_ij / P_jj` and `B_jj = 0`.
/// A user's score for note `i` is `Σ_j x_uj B_ji`. Training is one dense notes × notes Cholesky
/// inverse; memory, not time, is the limit (``maximumBytes``).
public struct EASEConfiguration: Sendable, Equatable, Codable {
  /// λ, added to the diagonal of the Gram matrix.
  public var regularization: Float = 500
  /// Use 1 for every observed pair (Steck's setting) instead of the summed event weight.
  public var binary: Bool = true
  /// Refuse to train when the dense notes × notes matrices would need more bytes than this.
  public var maximumBytes: Int = 8 << 30
  /// Worker threads (0 = one per core).
  public var threads: Int = 0

  /// The defaults.
  public init() {}

  /// Checks every value, naming the first bad one.
  public func validate() throws(ZhongcaoError) {
    guard regularization.isFinite, regularization > 0 else {
      throw ZhongcaoError(.invalidArgument, "EASE regularization must be finite and > 0, got \(regularization)")
    }
    guard maximumBytes > 0 else { throw ZhongcaoError(.invalidArgument, "EASE maximum bytes must be > 0") }
    guard threads >= 0, threads <= 1024 else { throw ZhongcaoError(.invalidArgument, "threads must be in 0...1024, got \(threads)") }
  }
}

/// Hyper-parameters of item-based k-nearest-neighbours.
///
/// The similarity of notes `i` and `j` is computed from their user columns of `X` (binary by
/// default; with ``Weighting-swift.enum/bm25`` each entry is first re-weighted by Okapi BM25 over
/// users): cosine `s_ij = x_i·x_j / (‖x_i‖‖x_j‖ + shrinkage)`. Each note keeps its
/// ``neighbours`` most similar notes; a user's score for note `i` is `Σ_j x_uj s_ji`.
public struct ItemKNNConfiguration: Sendable, Equatable, Codable {
  /// How entries of the user × note matrix are weighted before the cosine.
  public enum Weighting: String, Sendable, Equatable, Codable, CaseIterable {
    /// Plain cosine similarity.
    case cosine
    /// Okapi BM25 weighting of each (user, note) entry, then cosine: notes are the documents and
    /// users the terms, so `x_ui = idf_u · t·(k1 + 1) / (t + k1·(1 − b + b·L_i / L̄))` with
    /// `idf_u = ln(1 + (N − n_u + 0.5) / (n_u + 0.5))` (see `noteNeighbours(for:)` for the symbols
    /// and the reason).
    case bm25
  }

  /// The weighting.
  public var weighting: Weighting = .cosine
  /// Neighbours kept per note.
  public var neighbours: Int = 100
  /// Added to the denominator of the cosine: damps similarities supported by few users.
  public var shrinkage: Float = 10
  /// BM25 k1 (term-frequency saturation).
  public var bm25K1: Float = 1.2
  /// BM25 b (length normalisation).
  public var bm25B: Float = 0.75
  /// Use 1 for every observed pair instead of the summed event weight.
  public var binary: Bool = true
  /// Worker threads (0 = one per core).
  public var threads: Int = 0

  /// The defaults.
  public init() {}

  /// Checks every value, naming the first bad one.
  public func validate() throws(ZhongcaoError) {
    guard neighbours >= 1 else { throw ZhongcaoError(.invalidArgument, "neighbours must be ≥ 1, got \(neighbours)") }
    guard shrinkage.isFinite, shrinkage >= 0 else { throw ZhongcaoError(.invalidArgument, "shrinkage must be finite and ≥ 0, got \(shrinkage)") }
    guard bm25K1.isFinite, bm25K1 >= 0, bm25B.isFinite, bm25B >= 0, bm25B <= 1 else {
      throw ZhongcaoError(.invalidArgument, "BM25 needs k1 ≥ 0 and b in 0...1, got k1 \(bm25K1), b \(bm25B)")
    }
    guard threads >= 0, threads <= 1024 else { throw ZhongcaoError(.invalidArgument, "threads must be in 0...1024, got \(threads)") }
  }
}

/// The popularity baseline: every user gets the notes most users interacted with.
public struct PopularityConfiguration: Sendable, Equatable, Codable {
  /// What makes a note popular.
  public enum Measure: String, Sendable, Equatable, Codable, CaseIterable {
    /// The number of distinct users.
    case users
    /// The summed event weight.
    case weight
  }

  /// The measure.
  public var measure: Measure = .users

  /// The defaults.
  public init() {}
}
