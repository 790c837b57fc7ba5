import Foundation

/// How a note's engagement mix compares with the corpus: bought or coordinated engagement
/// tends to come as likes without saves or with templated comments, so the collect/like and
/// comment/like ratios of such notes sit far from the corpus norm.
///
/// Ratios are taken on logs with add-one smoothing, `r = ln((x + 1) / (likes + 1))`, so that
/// notes with few likes are not extreme by accident. The norm is the corpus median and the
/// spread the median absolute deviation scaled by 1.4826 (a robust standard deviation that a
/// minority of odd notes cannot drag), and a note's z-score is `(r − median) / spread`.
/// Notes without counts, or with fewer than ``minimumLikes`` likes, get no z-score.
public struct EngagementNorms: Sendable, Equatable {
  /// Median of `ln((collects + 1) / (likes + 1))` over the corpus.
  public var collectRatioMedian: Double
  /// Robust spread of that ratio (MAD × 1.4826), at least 0.05.
  public var collectRatioSpread: Double
  /// Median of `ln((comments + 1) / (likes + 1))`.
  public var commentRatioMedian: Double
  /// Robust spread of that ratio.
  public var commentRatioSpread: Double
  /// Notes the norms were computed from.
  public var notes: Int
  /// Notes with fewer likes than this are not judged.
  public var minimumLikes: Int

  /// The corpus norms. With fewer than 20 eligible notes the norms are those of a typical
  /// Xiaohongshu corpus (collects ≈ 0.4 × likes, comments ≈ 0.1 × likes) and ``notes`` is 0.
  public init(corpus: [Note], minimumLikes: Int = 20) {
    self.minimumLikes = minimumLikes
    var collect: [Double] = [], comment: [Double] = []
    for i in corpus.indices {  // by index: `for note in corpus` would copy every note
      guard let likes = corpus[i].likes, likes >= minimumLikes else { continue }
      if let collects = corpus[i].collects { collect.append(Self.ratio(collects, likes)) }
      if let comments = corpus[i].comments { comment.append(Self.ratio(comments, likes)) }
    }
    (collectRatioMedian, collectRatioSpread) = collect.count >= 20 ? Self.robust(collect) : (log(0.4), 0.7)
    (commentRatioMedian, commentRatioSpread) = comment.count >= 20 ? Self.robust(comment) : (log(0.1), 0.9)
    notes = max(collect.count, comment.count) >= 20 ? max(collect.count, comment.count) : 0
  }

  /// The z-scores of one note: negative collect z means fewer saves than the norm for its likes.
  public func zScores(of note: Note) -> (collect: Double?, comment: Double?) {
    guard let likes = note.likes, likes >= minimumLikes else { return (nil, nil) }
    let collect = note.collects.map { (Self.ratio($0, likes) - collectRatioMedian) / collectRatioSpread }
    let comment = note.comments.map { (Self.ratio($0, likes) - commentRatioMedian) / commentRatioSpread }
    return (collect, comment)
  }

  /// Whether the note's mix is anomalous: collect z below `−threshold` (likes without saves) or
  /// comment z beyond `±threshold`.
  public func isAnomalous(_ note: Note, threshold: Double = 3) -> Bool {
    Self.isAnomalous(zScores: zScores(of: note), threshold: threshold)
  }

  /// ``isAnomalous(_:threshold:)`` for z-scores already computed with ``zScores(of:)``.
  static func isAnomalous(zScores: (collect: Double?, comment: Double?), threshold: Double = 3) -> Bool {
    let (collect, comment) = zScores
    return (collect.map { $0 < -threshold } ?? false) || (comment.map { abs($0) > threshold } ?? false)
  }

  static func ratio(_ count: Int, _ likes: Int) -> Double { log(Double(count + 1) / Double(likes + 1)) }

  /// Median and MAD × 1.4826 (floored at 0.05).
  static func robust(_ values: [Double]) -> (Double, Double) {
    let median = Self.median(values)
    let spread = 1.4826 * Self.median(values.map { abs($0 - median) })
    return (median, max(spread, 0.05))
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
