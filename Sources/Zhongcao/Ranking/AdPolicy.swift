/// The rules for placing sponsored notes in a feed: how many, how dense, how far apart, how early.
///
/// A feed of `n` slots satisfies the policy when (``violations(in:)`` checks every rule):
/// - no ad takes a slot before ``firstAdSlot``;
/// - at least ``minimumGap`` organic slots separate any two ads;
/// - every run of ``densityWindow`` consecutive slots holds at most
///   `⌊maximumDensity × densityWindow⌋` ads, and the whole feed at most `⌊maximumDensity × n⌋`
///   (a feed shorter than the window is checked as a whole only);
/// - the feed holds at most ``maximumAdsPerSession`` ads, and at most ``maximumAdsPerAdvertiser``
///   of one advertiser;
/// - every ad's value (bid × relevance × trust) is positive and at least ``minimumAdValue``;
/// - every ad carries a non-empty disclosure label, and so does every organic note the trust scan
///   judged advertising;
/// - positions run 1, 2, 3, … and no note appears twice.
///
///     var policy = AdPolicy()           // ≤ 20 % ads, 3 organic notes between ads, first ad at slot 3
///     policy.maximumAdsPerSession = 4
///     let feed = try FeedComposer(policy: policy).compose(organic: organic, sponsored: ads, length: 20)
///     assert(policy.violations(in: feed).isEmpty)
public struct AdPolicy: Sendable, Hashable, Codable {
  /// The largest share of slots that may be ads, in 0...1, enforced over every window of
  /// ``densityWindow`` consecutive slots and over the whole feed. Default 0.2.
  public var maximumDensity: Double
  /// The length of the sliding window ``maximumDensity`` is enforced over, ≥ 1. Default 10.
  public var densityWindow: Int
  /// The fewest organic slots between two ads, ≥ 0. Default 3.
  public var minimumGap: Int
  /// The earliest slot an ad may take, 1-based (1 = the top of the feed). Default 3.
  public var firstAdSlot: Int
  /// The most ads in one feed (one session), ≥ 0. Default 10.
  public var maximumAdsPerSession: Int
  /// The most ads of one advertiser in one feed, ≥ 0; `nil` (the default) for no limit. Ads
  /// without an advertiser are not limited by it.
  public var maximumAdsPerAdvertiser: Int?
  /// The least value (bid × relevance × trust) an ad needs to be shown, finite and ≥ 0. Ads of
  /// value 0 are never shown whatever this is. Default 0.
  public var minimumAdValue: Double
  /// The disclosure label of ads whose candidate brings none. Must not be blank.
  /// Default "广告 · Sponsored".
  public var defaultLabel: String

  /// A policy; every parameter has the default documented on its property.
  public init(
    maximumDensity: Double = 0.2, densityWindow: Int = 10, minimumGap: Int = 3, firstAdSlot: Int = 3,
    maximumAdsPerSession: Int = 10, maximumAdsPerAdvertiser: Int? = nil, minimumAdValue: Double = 0,
    defaultLabel: String = "广告 · Sponsored"
  ) {
    self.maximumDensity = maximumDensity
    self.densityWindow = densityWindow
    self.minimumGap = minimumGap
    self.firstAdSlot = firstAdSlot
    self.maximumAdsPerSession = maximumAdsPerSession
    self.maximumAdsPerAdvertiser = maximumAdsPerAdvertiser
    self.minimumAdValue = minimumAdValue
    self.defaultLabel = defaultLabel
  }

  /// A policy that allows no ads at all: the composed feed is the organic ranking.
  public static let noAds = AdPolicy(maximumDensity: 0, maximumAdsPerSession: 0)

  /// Checks every parameter, naming the first bad one and its allowed range.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument``.
  public func validate() throws(ZhongcaoError) {
    func fail(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidArgument, "ad policy: \(message)") }
    guard maximumDensity.isFinite, (0...1).contains(maximumDensity) else {
      throw fail("maximum density must be in 0...1 (a share of slots), got \(maximumDensity)")
    }
    guard densityWindow >= 1 else { throw fail("density window must be ≥ 1 slot, got \(densityWindow)") }
    guard minimumGap >= 0 else { throw fail("minimum gap must be ≥ 0 organic slots, got \(minimumGap)") }
    guard firstAdSlot >= 1 else { throw fail("first ad slot is 1-based and must be ≥ 1, got \(firstAdSlot)") }
    guard maximumAdsPerSession >= 0 else {
      throw fail("maximum ads per session must be ≥ 0, got \(maximumAdsPerSession)")
    }
    if let cap = maximumAdsPerAdvertiser, cap < 0 {
      throw fail("maximum ads per advertiser must be ≥ 0 (or nil for no limit), got \(cap)")
    }
    guard minimumAdValue.isFinite, minimumAdValue >= 0 else {
      throw fail("minimum ad value must be finite and ≥ 0, got \(minimumAdValue)")
    }
    guard !Self.isBlank(defaultLabel) else { throw fail("the default disclosure label must not be blank") }
  }

  /// Every way `feed` breaks this policy, one sentence each naming the slots involved; empty when
  /// the feed complies. Independent of how the feed was made: use it to audit any feed.
  public func violations(in feed: ComposedFeed) -> [String] {
    var found: [String] = []
    let slots = feed.slots
    var firstPosition: [String: Int] = [:]
    var adPositions: [Int] = []
    var perAdvertiser: [String: Int] = [:]
    for (index, slot) in slots.enumerated() {
      let name = "slot \(index + 1) (note '\(slot.note)')"
      if slot.position != index + 1 {
        found.append("\(name) has position \(slot.position); positions must run 1, 2, 3, …")
      }
      if let earlier = firstPosition[slot.note] {
        found.append("\(name) repeats the note already at slot \(earlier)")
      } else {
        firstPosition[slot.note] = index + 1
      }
      switch slot.kind {
      case .organic:
        if let verdict = slot.verdict, verdict.isAdvertising, Self.isBlank(slot.label) {
          found.append("\(name) is organic advertising (\(verdict.rawValue)) without a label")
        }
      case .sponsored:
        adPositions.append(index + 1)
        if let advertiser = slot.advertiser { perAdvertiser[advertiser, default: 0] += 1 }
        if Self.isBlank(slot.label) { found.append("\(name) is an ad without a disclosure label") }
        if index + 1 < firstAdSlot { found.append("\(name) is an ad before the first ad slot \(firstAdSlot)") }
        if !(slot.score > 0) || slot.score < minimumAdValue {
          found.append("\(name) is an ad of value \(slot.score); ads need a positive value ≥ \(minimumAdValue)")
        }
      }
    }
    for (previous, next) in zip(adPositions, adPositions.dropFirst()) where next - previous - 1 < minimumGap {
      found.append("slots \(previous) and \(next) are ads with \(next - previous - 1) organic slot(s) between them; the minimum gap is \(minimumGap)")
    }
    if adPositions.count > maximumAdsPerSession {
      found.append("\(adPositions.count) ads in the feed; at most \(maximumAdsPerSession) per session")
    }
    if let cap = maximumAdsPerAdvertiser {
      for (advertiser, count) in perAdvertiser.sorted(by: { $0.key < $1.key }) where count > cap {
        found.append("advertiser '\(advertiser)' has \(count) ads; at most \(cap) per advertiser")
      }
    }
    if adPositions.count > allowedAds(inSlots: slots.count) {
      found.append("\(adPositions.count) ads in \(slots.count) slots; a density of \(maximumDensity) allows \(allowedAds(inSlots: slots.count))")
    }
    if slots.count > densityWindow {
      let allowed = allowedAds(inSlots: densityWindow)
      for start in 1...(slots.count - densityWindow + 1) {
        let end = start + densityWindow - 1
        let count = adPositions.count { (start...end).contains($0) }
        if count > allowed {
          found.append("slots \(start)–\(end) hold \(count) ads; a density of \(maximumDensity) allows \(allowed) per \(densityWindow) slots")
        }
      }
    }
    return found
  }

  /// The most ads `slots` consecutive slots may hold: `⌊maximumDensity × slots⌋`, with a tolerance
  /// of 1e-9 so that e.g. 0.3 × 10 allows 3 despite rounding.
  func allowedAds(inSlots slots: Int) -> Int {
    Int((maximumDensity * Double(slots) + 1e-9).rounded(.down))
  }

  /// Whether a label is missing or only white space.
  static func isBlank(_ label: String?) -> Bool {
    label?.allSatisfy(\.isWhitespace) ?? true
  }
}
