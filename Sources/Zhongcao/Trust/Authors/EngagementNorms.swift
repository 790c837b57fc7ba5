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
    // The ratios (two logarithms a note) in parallel chunks, kept in corpus order.
    let ratios = parallelChunkedMap(count: corpus.count, chunkSize: 4_096) { range in
      range.map { i -> (collect: Double?, comment: Double?) in  // by index: no copy of the note
        guard let likes = corpus[i].likes, likes >= minimumLikes else { return (nil, nil) }
        return (corpus[i].collects.map { Self.ratio($0, likes) }, corpus[i].comments.map { Self.ratio($0, likes) })
      }
    }
    let collect = ratios.compactMap(\.collect), comment = ratios.compactMap(\.comment)
    (collectRatioMedian, collectRatioSpread) = collect.count >= 20 ? Self.robust(collect) : (log(0.4), 0.7)
    (commentRatioMedian, commentRatioSpread) = comment.count >= 20 ? Self.robust(comment) : (log(0.1), 0.9)
    notes = max(collect.count, comment.count) >= 20 ? max(collect.count, comment.count) : 0
  }

  /// The z-scores of one note: negative collect z means fewer saves than the norm for its likes.
  public func zScores(of note: Note) -> (collect: Double?, comment: Double?) {
    zScores(likes: note.likes, collects: note.collects, comments: note.comments)
  }

  /// ``zScores(of:)`` from a note's counts (a caller holding the note in an array passes its
  /// counts rather than a copy of the note).
  func zScores(likes: Int?, collects: Int?, comments: Int?) -> (collect: Double?, comment: Double?) {
    guard let likes, likes >= minimumLikes else { return (nil, nil) }
    let collect = collects.map { (Self.ratio($0, likes) - collectRatioMedian) / collectRatioSpread }
    let comment = comments.map { (Self.ratio($0, likes) - commentRatioMedian) / commentRatioSpread }
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

  /// The median of `values` (not empty, no NaN): the middle value, or the mean of the two
  /// middle values of an even count, found by selection in expected linear time rather than by
  /// sorting (the corpus norms take four medians of a value per note, serially).
  static func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "the median of no values")
    var values = values
    let middle = values.count / 2
    return values.withUnsafeMutableBufferPointer { values in
      let upper = select(middle, in: values)
      guard values.count % 2 == 0 else { return upper }
      // After selection every value before `middle` is at most the middle one; the largest of them is the lower middle.
      return (values[..<middle].max()! + upper) / 2
    }
  }

  /// The value of rank `rank` (0-based) of `values`, which are reordered so that the values
  /// before `rank` are at most it and those after at least it (Hoare's quickselect with a
  /// median-of-three pivot; deterministic).
  static func select(_ rank: Int, in values: UnsafeMutableBufferPointer<Double>) -> Double {
    var low = 0, high = values.count - 1
    while low < high {
      let middle = low + (high - low) / 2
      // Median of three as the pivot, and the three put in order.
      if values[middle] < values[low] { values.swapAt(middle, low) }
      if values[high] < values[low] { values.swapAt(high, low) }
      if values[high] < values[middle] { values.swapAt(high, middle) }
      let pivot = values[middle]
      var i = low, j = high
      while i <= j {
        while values[i] < pivot { i += 1 }
        while pivot < values[j] { j -= 1 }
        if i <= j {
          values.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      // Now values[low...j] ≤ pivot ≤ values[i...high], and anything between equals the pivot.
      if rank <= j {
        high = j
      } else if rank >= i {
        low = i
      } else {
        return values[rank]
      }
    }
    return values[rank]
  }
}
