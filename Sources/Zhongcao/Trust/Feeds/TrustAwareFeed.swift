/// What the trust scan concluded about a note.
public enum TrustVerdict: String, Sendable, Hashable, Codable, CaseIterable {
  /// No sign of paid promotion.
  case organic
  /// Paid promotion that says so (any disclosure grade above absent).
  case disclosedAd = "disclosed_ad"
  /// Paid promotion suspected but not disclosed (软广): the case the platform must act on.
  case suspectedUndisclosedPromotion = "suspected_undisclosed_promotion"
  /// A shop or brand promoting itself on its own account: advertising too, though not hidden.
  case businessSelfPromotion = "business_self_promotion"

  /// Whether the note counts as advertising for sponsored share and perceived ad load.
  public var isAdvertising: Bool { self != .organic }
}

/// The trust facts a feed needs about one note.
public struct NoteTrust: Sendable, Hashable, Codable {
  /// The verdict.
  public var verdict: TrustVerdict
  /// Calibrated probability that the note is paid promotion, when a detector scored it.
  public var probability: Double?

  /// A note's trust facts.
  public init(verdict: TrustVerdict, probability: Double? = nil) {
    self.verdict = verdict
    self.probability = probability
  }
}

/// How a feed treats notes by verdict.
public struct TrustPolicy: Sendable, Equatable {
  /// Multiplier in [0, 1] applied to suspected undisclosed promotion: its score `s` becomes
  /// `s − (1 − factor)·|s|` (so it only ever moves down, for negative scores too); 1 leaves it,
  /// 0 removes such notes from the feed. Default 0.5.
  public var undisclosedDemotion: Double = 0.5
  /// The same for business self-promotion. Default 1 (left alone: it is not hidden).
  public var selfPromotionDemotion: Double = 1

  /// The defaults: halve suspected undisclosed promotion, leave the rest.
  public init() {}

  /// Checks the factors, naming the bad one.
  public func validate() throws(ZhongcaoError) {
    for (name, value) in [("undisclosed demotion", undisclosedDemotion), ("self-promotion demotion", selfPromotionDemotion)] {
      guard value.isFinite, (0...1).contains(value) else {
        throw ZhongcaoError(.invalidArgument, "\(name) must be in 0...1, got \(value)")
      }
    }
  }

  /// The factor for a verdict.
  func factor(for verdict: TrustVerdict) -> Double {
    switch verdict {
    case .suspectedUndisclosedPromotion: undisclosedDemotion
    case .businessSelfPromotion: selfPromotionDemotion
    case .organic, .disclosedAd: 1
    }
  }
}

/// One slot of a trust-aware feed.
public struct TrustedFeedItem: Sendable, Hashable {
  /// The note.
  public var note: String
  /// 1-based rank in the feed.
  public var rank: Int
  /// The score after demotion; the feed is ordered by it.
  public var score: Float
  /// The model's own score.
  public var modelScore: Float
  /// The slot's label: how the note must be shown (disclosed ads are always labelled).
  public var label: TrustVerdict
  /// The detector's probability, when known.
  public var probability: Double?
}

/// A feed ranked under a ``TrustPolicy``, with its advertising measures.
public struct TrustedFeed: Sendable {
  /// The user.
  public var user: String
  /// The slots, best first.
  public var items: [TrustedFeedItem]

  /// Share of the slots that are advertising of any kind (disclosed, suspected undisclosed,
  /// business self-promotion); 0 for an empty feed.
  public var sponsoredShare: Double {
    items.isEmpty ? 0 : Double(items.count { $0.label.isAdvertising }) / Double(items.count)
  }

  /// Perceived ad load: (paid ad slots + disclosed partnerships + detected undisclosed promotion
  /// + business self-promotion) / all slots, where `paidSlots` are ad slots the platform
  /// interleaves into this feed (see the ad composer); 0 for an empty feed.
  public func perceivedAdLoad(paidSlots: Int = 0) -> Double {
    let slots = items.count + max(0, paidSlots)
    guard slots > 0 else { return 0 }
    return Double(max(0, paidSlots) + items.count { $0.label.isAdvertising }) / Double(slots)
  }
}

extension FeedModel {
  /// The user's feed with suspected undisclosed promotion demoted and every slot labelled.
  ///
  /// Exact: the result equals re-scoring every candidate note with the policy and taking the
  /// top `count` (ties keep the model's order). Candidates are fetched in growing batches until
  /// the `count`-th demoted score is at least the best score left unfetched, which no demotion
  /// can raise. Notes missing from `trust` are organic.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/notFound`` for an unknown user;
  ///   ``ZhongcaoError/Code-swift.struct/invalidArgument`` for a bad count or policy.
  public func trustedRecommendations(
    for user: String, count: Int = 10, trust: [String: NoteTrust], policy: TrustPolicy = TrustPolicy(),
    filter: RecommendationFilter = RecommendationFilter()
  ) throws(ZhongcaoError) -> TrustedFeed {
    try policy.validate()
    guard count >= 0 else { throw ZhongcaoError(.invalidArgument, "count must be ≥ 0, got \(count)") }
    var filter = filter
    for (note, facts) in trust where policy.factor(for: facts.verdict) == 0 { filter.excluded.insert(note) }
    var fetch = max(2 * count, count + 16)
    while true {
      let candidates = try recommendations(for: user, count: fetch, filter: filter)
      var items = candidates.enumerated().map { position, candidate in
        let facts = trust[candidate.note]
        let verdict = facts?.verdict ?? .organic
        let factor = Float(policy.factor(for: verdict))
        let score = candidate.score - (1 - factor) * abs(candidate.score)
        return (position, TrustedFeedItem(note: candidate.note, rank: 0, score: score, modelScore: candidate.score,
                                          label: verdict, probability: facts?.probability))
      }
      items.sort { $0.1.score > $1.1.score || ($0.1.score == $1.1.score && $0.0 < $1.0) }
      let exhausted = candidates.count < fetch
      let kept = Array(items.prefix(count).map(\.1))
      if exhausted || kept.count < count || kept.isEmpty || kept[kept.count - 1].score >= candidates[candidates.count - 1].score {
        return TrustedFeed(user: user, items: kept.enumerated().map { rank, item in
          var item = item
          item.rank = rank + 1
          return item
        })
      }
      fetch *= 2
    }
  }
}
