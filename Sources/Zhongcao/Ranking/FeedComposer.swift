/// A note an advertiser pays to place in feeds, with what the composer needs to rank it.
///
/// Its ``value`` `bid × relevance × trust` decides which ads are shown and in what order.
public struct SponsoredCandidate: Sendable, Hashable, Codable {
  /// The note to show.
  public var note: String
  /// The advertiser or brand paying for it, if known; ``AdPolicy/maximumAdsPerAdvertiser`` counts by it.
  public var advertiser: String?
  /// What the advertiser pays for the slot: finite and ≥ 0 (0 means the ad is never shown).
  public var bid: Double
  /// Predicted relevance to the user: finite and ≥ 0. Default 1 (rank by bid × trust alone);
  /// ``FeedComposer/compose(organic:sponsored:length:relevanceFrom:user:)`` fills it in from a model.
  public var relevance: Double
  /// How far the ad's author or brand is trusted, in 0...1. Default 1; 0 keeps the ad out.
  public var trust: Double
  /// The disclosure label to show with it (e.g. "广告", "Sponsored", "品牌合作"); when `nil` or
  /// blank the policy's ``AdPolicy/defaultLabel`` is used, so an ad is never shown unlabelled.
  public var label: String?

  /// A sponsored candidate.
  public init(
    note: String, advertiser: String? = nil, bid: Double, relevance: Double = 1, trust: Double = 1,
    label: String? = nil
  ) {
    self.note = note
    self.advertiser = advertiser
    self.bid = bid
    self.relevance = relevance
    self.trust = trust
    self.label = label
  }

  /// `bid × relevance × trust`: what showing the ad is worth; higher is shown first.
  public var value: Double { bid * relevance * trust }
}

/// One slot of a ``ComposedFeed``.
public struct ComposedSlot: Sendable, Hashable, Codable {
  /// Whether a slot holds a ranked note or a paid placement.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A note from the organic ranking.
    case organic
    /// A paid placement from the sponsored candidates.
    case sponsored
  }

  /// 1-based position in the feed.
  public var position: Int
  /// The note.
  public var note: String
  /// Organic or sponsored.
  public var kind: Kind
  /// How the slot must be marked. Ads: their disclosure label, never blank. Organic notes: `nil`,
  /// except notes a trust scan judged advertising (see ``verdict``), which carry "品牌合作 · Paid
  /// partnership", "疑似推广 · Possible promotion" or "商家 · Business".
  public var label: String?
  /// Organic notes: the ranking's score (after trust demotion for a ``TrustedFeed``). Ads: their
  /// ``SponsoredCandidate/value``.
  public var score: Double
  /// The trust scan's verdict on an organic note from a ``TrustedFeed`` (for localising the label);
  /// `nil` otherwise.
  public var verdict: TrustVerdict?
  /// The advertiser of an ad, when known; `nil` for organic notes.
  public var advertiser: String?
  /// The bid of an ad; `nil` for organic notes.
  public var bid: Double?

  /// A slot; ``FeedComposer`` makes them, tests and audits may build their own.
  public init(
    position: Int, note: String, kind: Kind, label: String? = nil, score: Double = 0,
    verdict: TrustVerdict? = nil, advertiser: String? = nil, bid: Double? = nil
  ) {
    self.position = position
    self.note = note
    self.kind = kind
    self.label = label
    self.score = score
    self.verdict = verdict
    self.advertiser = advertiser
    self.bid = bid
  }
}

/// A feed with sponsored notes interleaved into an organic ranking, and its ad measures.
public struct ComposedFeed: Sendable, Hashable, Codable {
  /// The slots, top first; `slots[i].position == i + 1`.
  public var slots: [ComposedSlot]

  /// A feed of the given slots.
  public init(slots: [ComposedSlot]) { self.slots = slots }

  /// The sponsored slots, top first.
  public var ads: [ComposedSlot] { slots.filter { $0.kind == .sponsored } }
  /// The number of sponsored slots.
  public var adCount: Int { slots.count { $0.kind == .sponsored } }
  /// Sponsored slots / all slots; 0 for an empty feed.
  public var adDensity: Double { slots.isEmpty ? 0 : Double(adCount) / Double(slots.count) }
  /// The sum of the bids of the ads shown.
  public var revenue: Double { slots.reduce(0) { $0 + ($1.bid ?? 0) } }
  /// Perceived ad load: (sponsored slots + organic notes the trust scan judged advertising) / all
  /// slots, as ``TrustedFeed/perceivedAdLoad(paidSlots:)``; 0 for an empty feed.
  public var perceivedAdLoad: Double {
    guard !slots.isEmpty else { return 0 }
    return Double(slots.count { $0.kind == .sponsored || ($0.verdict?.isAdvertising ?? false) }) / Double(slots.count)
  }
}

/// Interleaves sponsored notes into an organic ranking without ever breaking an ``AdPolicy``.
///
///     let composer = try FeedComposer(policy: AdPolicy(maximumDensity: 0.25, minimumGap: 2))
///     let organic = try model.recommendations(for: "u42", count: 40)
///     let feed = try composer.compose(organic: organic, sponsored: candidates, length: 20,
///                                     relevanceFrom: model, user: "u42")
///     for slot in feed.slots { print(slot.position, slot.note, slot.label ?? "") }
///
/// **Selection.** Ads are ranked by ``SponsoredCandidate/value`` (bid × relevance × trust),
/// highest first, ties by note id. An ad of value 0 (zero bid, relevance or trust) or below
/// ``AdPolicy/minimumAdValue`` is never shown.
///
/// **Placement** is greedy, top to bottom: each slot takes the best remaining ad if the policy
/// allows an ad there, and otherwise the next organic note. So ads appear in non-increasing value
/// order, organic notes keep their order, and every ad sits as high as the policy lets it.
///
/// **Ends.** The feed stops at `length` slots or when the organic ranking runs out; an ad is only
/// placed while an organic note remains to follow it, so a feed never trails off into ads. When
/// the sliding windows allow more ads than ``AdPolicy/maximumDensity`` allows over the whole feed
/// (3 ads in 12 slots at 0.2 with a window of 10, or a feed cut short by its organic notes), the
/// lowest-value ads are dropped until the whole feed complies.
///
/// **Duplicates.** Every note appears once, where it first comes: an ad whose note is already shown
/// organically is dropped, an organic note already shown as an ad is skipped, and of candidates
/// for the same note only the most valuable can be shown.
public struct FeedComposer: Sendable {
  /// The policy every composed feed obeys.
  public let policy: AdPolicy

  /// A composer for a valid policy.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` naming the bad policy parameter.
  public init(policy: AdPolicy) throws(ZhongcaoError) {
    try policy.validate()
    self.policy = policy
  }

  /// A composer with the default ``AdPolicy``.
  public init() { policy = AdPolicy() }

  /// Composes a feed of at most `length` slots from a ranked list of notes and sponsored candidates.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for a negative length or a
  ///   candidate with a negative or non-finite bid or relevance, trust outside 0...1, or an empty note id.
  public func compose(
    organic: [Recommendation], sponsored: [SponsoredCandidate], length: Int
  ) throws(ZhongcaoError) -> ComposedFeed {
    try compose(organic: organic.map { OrganicEntry(note: $0.note, score: Double($0.score), verdict: nil) },
                sponsored: sponsored, length: length)
  }

  /// Composes a feed from a trust-aware feed: organic slots keep the items' order and scores and
  /// carry their trust verdict, with a label for those judged advertising (see ``ComposedSlot/label``).
  /// - Throws: as the ranked-list form of `compose(organic:sponsored:length:)`.
  public func compose(
    organic: TrustedFeed, sponsored: [SponsoredCandidate], length: Int
  ) throws(ZhongcaoError) -> ComposedFeed {
    try compose(organic: organic.items.map { OrganicEntry(note: $0.note, score: Double($0.score), verdict: $0.label) },
                sponsored: sponsored, length: length)
  }

  /// Composes a feed with each candidate's ``SponsoredCandidate/relevance`` replaced by `model`'s
  /// score for `user` (``FeedModel/score(user:note:)``), negative scores clamped to 0. A candidate
  /// whose note the model does not know gets relevance 0, so it is never shown. Values are on the
  /// model's score scale: compare bids only among candidates scored by the same model.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/notFound`` for a user the model does not know;
  ///   otherwise as the ranked-list form of `compose(organic:sponsored:length:)`.
  public func compose(
    organic: [Recommendation], sponsored: [SponsoredCandidate], length: Int, relevanceFrom model: FeedModel,
    user: String
  ) throws(ZhongcaoError) -> ComposedFeed {
    try compose(organic: organic, sponsored: Self.scored(sponsored, model: model, user: user), length: length)
  }

  /// The trust-aware form of ``compose(organic:sponsored:length:relevanceFrom:user:)``, for the
  /// feed's own user.
  public func compose(
    organic: TrustedFeed, sponsored: [SponsoredCandidate], length: Int, relevanceFrom model: FeedModel
  ) throws(ZhongcaoError) -> ComposedFeed {
    try compose(organic: organic, sponsored: Self.scored(sponsored, model: model, user: organic.user), length: length)
  }

  // MARK: Internals

  /// One organic note as the composer sees it.
  private struct OrganicEntry {
    var note: String
    var score: Double
    var verdict: TrustVerdict?
  }

  private static func scored(
    _ candidates: [SponsoredCandidate], model: FeedModel, user: String
  ) throws(ZhongcaoError) -> [SponsoredCandidate] {
    guard model.users.index(of: user) != nil else {
      throw ZhongcaoError(.notFound, "unknown user '\(user)': the model cannot predict the relevance of ads for a user it was not trained on")
    }
    var scored = candidates
    for index in scored.indices {
      let note = scored[index].note
      guard model.notes.index(of: note) != nil else {
        scored[index].relevance = 0
        continue
      }
      scored[index].relevance = max(0, Double(try model.score(user: user, note: note)))
    }
    return scored
  }

  private func compose(
    organic: [OrganicEntry], sponsored: [SponsoredCandidate], length: Int
  ) throws(ZhongcaoError) -> ComposedFeed {
    guard length >= 0 else { throw ZhongcaoError(.invalidArgument, "feed length must be ≥ 0, got \(length)") }
    try Self.validate(sponsored)
    let ranked = sponsored.enumerated()
      .filter { $0.element.value > 0 && $0.element.value >= policy.minimumAdValue }
      .sorted { a, b in
        a.element.value != b.element.value ? a.element.value > b.element.value
          : a.element.note != b.element.note ? a.element.note < b.element.note : a.offset < b.offset
      }
      .map(\.element)
    // Placing with a cap of c ads repeats the uncapped placement up to its c-th ad (every decision
    // before it is the same), so lowering the cap drops exactly the last, least valuable ads.
    var cap = policy.maximumAdsPerSession
    while true {
      let slots = place(organic: organic, ranked: ranked, length: length, cap: cap)
      let ads = slots.count { $0.kind == .sponsored }
      if ads <= policy.allowedAds(inSlots: slots.count) { return ComposedFeed(slots: slots) }
      cap = ads - 1
    }
  }

  private static func validate(_ candidates: [SponsoredCandidate]) throws(ZhongcaoError) {
    for (index, candidate) in candidates.enumerated() {
      func fail(_ problem: String) -> ZhongcaoError {
        ZhongcaoError(.invalidArgument, "sponsored candidate \(index) (note '\(candidate.note)'): \(problem)")
      }
      guard !candidate.note.isEmpty else { throw fail("the note id is empty") }
      guard candidate.bid.isFinite, candidate.bid >= 0 else { throw fail("bid must be finite and ≥ 0, got \(candidate.bid)") }
      guard candidate.relevance.isFinite, candidate.relevance >= 0 else {
        throw fail("relevance must be finite and ≥ 0, got \(candidate.relevance)")
      }
      guard candidate.trust.isFinite, (0...1).contains(candidate.trust) else {
        throw fail("trust must be in 0...1, got \(candidate.trust)")
      }
    }
  }

  /// The greedy placement with at most `cap` ads (the whole-feed density is checked by the caller).
  private func place(organic: [OrganicEntry], ranked: [SponsoredCandidate], length: Int, cap: Int) -> [ComposedSlot] {
    var slots: [ComposedSlot] = []
    slots.reserveCapacity(length)
    var shown = Set<String>()
    var nextOrganic = 0, nextAd = 0
    var adPositions: [Int] = []
    var perAdvertiser: [String: Int] = [:]
    let windowAllowance = policy.allowedAds(inSlots: policy.densityWindow)

    /// The index of the first organic note at or after `start` not yet shown and not `excluding`.
    func organicIndex(from start: Int, excluding: String? = nil) -> Int? {
      organic[start...].firstIndex { !shown.contains($0.note) && $0.note != excluding }
    }

    /// Whether the policy lets an ad take `position`, given the slots above it.
    ///
    /// Slots are filled top to bottom and never changed, so every window of `densityWindow` slots
    /// is complete when its last slot is placed; checking the window that ends at `position`
    /// (clipped at the top) at every ad therefore covers every window, and a later placement can
    /// only ever add ads to windows ending further down, which are checked when they complete.
    func adAllowed(at position: Int) -> Bool {
      guard position >= policy.firstAdSlot, adPositions.count < cap else { return false }
      if let last = adPositions.last, position - last - 1 < policy.minimumGap { return false }
      let windowStart = position - policy.densityWindow + 1
      return adPositions.reversed().prefix { $0 >= windowStart }.count + 1 <= windowAllowance
    }

    /// The best remaining ad that may still be shown, dropping those that never can be again.
    func nextEligibleAd() -> SponsoredCandidate? {
      while nextAd < ranked.count {
        let ad = ranked[nextAd]
        if shown.contains(ad.note) || atAdvertiserCap(ad) {
          nextAd += 1
          continue
        }
        return ad
      }
      return nil
    }

    func atAdvertiserCap(_ ad: SponsoredCandidate) -> Bool {
      guard let advertiser = ad.advertiser, let cap = policy.maximumAdsPerAdvertiser else { return false }
      return perAdvertiser[advertiser, default: 0] >= cap
    }

    while slots.count < length, let organicNext = organicIndex(from: nextOrganic) {
      nextOrganic = organicNext
      let position = slots.count + 1
      if adAllowed(at: position), let ad = nextEligibleAd(), organicIndex(from: nextOrganic, excluding: ad.note) != nil {
        nextAd += 1
        shown.insert(ad.note)
        adPositions.append(position)
        if let advertiser = ad.advertiser { perAdvertiser[advertiser, default: 0] += 1 }
        let label = AdPolicy.isBlank(ad.label) ? policy.defaultLabel : ad.label
        slots.append(ComposedSlot(position: position, note: ad.note, kind: .sponsored, label: label, score: ad.value,
                                  advertiser: ad.advertiser, bid: ad.bid))
      } else {
        let entry = organic[nextOrganic]
        nextOrganic += 1
        shown.insert(entry.note)
        slots.append(ComposedSlot(position: position, note: entry.note, kind: .organic,
                                  label: entry.verdict.flatMap(Self.label(for:)), score: entry.score,
                                  verdict: entry.verdict))
      }
    }
    return slots
  }

  /// The label of an organic note by its trust verdict; `nil` for organic ones.
  private static func label(for verdict: TrustVerdict) -> String? {
    switch verdict {
    case .organic: nil
    case .disclosedAd: "品牌合作 · Paid partnership"
    case .suspectedUndisclosedPromotion: "疑似推广 · Possible promotion"
    case .businessSelfPromotion: "商家 · Business"
    }
  }
}
