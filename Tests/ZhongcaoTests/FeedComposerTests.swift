import Testing
@testable import Zhongcao

@Suite struct FeedComposerTests {
  // MARK: Helpers

  private func organic(_ count: Int, prefix: String = "n") -> [Recommendation] {
    (0..<count).map { Recommendation(note: "\(prefix)\($0)", score: Float(count - $0)) }
  }

  private func ads(_ count: Int, advertiser: String? = nil) -> [SponsoredCandidate] {
    (0..<count).map { SponsoredCandidate(note: "ad\($0)", advertiser: advertiser, bid: Double(100 - $0)) }
  }

  /// A permissive policy to change one rule at a time.
  private func open(
    density: Double = 1, window: Int = 10, gap: Int = 0, first: Int = 1, session: Int = 1000,
    perAdvertiser: Int? = nil, minimumValue: Double = 0
  ) -> AdPolicy {
    AdPolicy(maximumDensity: density, densityWindow: window, minimumGap: gap, firstAdSlot: first,
             maximumAdsPerSession: session, maximumAdsPerAdvertiser: perAdvertiser, minimumAdValue: minimumValue)
  }

  private func adPositions(_ feed: ComposedFeed) -> [Int] { feed.ads.map(\.position) }

  private func compose(_ policy: AdPolicy, organic: [Recommendation], sponsored: [SponsoredCandidate],
                       length: Int) throws -> ComposedFeed {
    let feed = try FeedComposer(policy: policy).compose(organic: organic, sponsored: sponsored, length: length)
    #expect(policy.violations(in: feed) == [])
    return feed
  }

  // MARK: The checker (the oracle) must catch violations

  @Test func checkerAcceptsACompliantFeedAndNamesEveryViolation() {
    func slot(_ position: Int, _ note: String, ad: Bool = false, label: String? = "广告", value: Double = 1,
              advertiser: String? = nil) -> ComposedSlot {
      ad ? ComposedSlot(position: position, note: note, kind: .sponsored, label: label, score: value,
                        advertiser: advertiser, bid: value)
        : ComposedSlot(position: position, note: note, kind: .organic, score: 1)
    }
    let policy = AdPolicy(maximumDensity: 0.2, densityWindow: 10, minimumGap: 3, firstAdSlot: 3,
                          maximumAdsPerSession: 10, maximumAdsPerAdvertiser: 1, minimumAdValue: 0.5)
    var good = (1...10).map { slot($0, "n\($0)") }
    good[2] = slot(3, "a", ad: true, advertiser: "X")
    good[7] = slot(8, "b", ad: true, advertiser: "Y")
    #expect(policy.violations(in: ComposedFeed(slots: good)) == [])
    #expect(policy.violations(in: ComposedFeed(slots: [])) == [])

    func violations(_ change: (inout [ComposedSlot]) -> Void) -> [String] {
      var slots = good
      change(&slots)
      return policy.violations(in: ComposedFeed(slots: slots))
    }
    let cases: [(String, [String])] = [
      ("first ad slot", violations { $0[1] = slot(2, "c", ad: true) }),
      ("minimum gap", violations { $0[5] = slot(6, "c", ad: true) }),
      ("disclosure label", violations { $0[2].label = nil }),
      ("disclosure label", violations { $0[2].label = "  " }),
      ("repeats the note", violations { $0[4].note = "a" }),
      ("positions must run", violations { $0[4].position = 9 }),
      ("per advertiser", violations { $0[7].advertiser = "X" }),
      ("value", violations { $0[7].score = 0.4 }),
      ("value", violations { $0[7].score = 0 }),
      ("without a label", violations { $0[0].verdict = .suspectedUndisclosedPromotion }),
      ("allows 1", violations { $0.removeLast(2) }),
    ]
    for (phrase, found) in cases {
      #expect(found.count >= 1 && found.contains { $0.contains(phrase) }, "\(phrase): \(found)")
    }
    // Window density: 3 ads in slots 3–12 with a gap of 3 and 15 slots (whole feed allows 3).
    var long = (1...15).map { slot($0, "n\($0)") }
    for position in [3, 7, 11] { long[position - 1] = slot(position, "ad\(position)", ad: true) }
    let windowed = policy.violations(in: ComposedFeed(slots: long))
    #expect(windowed.contains { $0.contains("slots 2–11 hold 3 ads") }, "\(windowed)")
    #expect(!windowed.contains { $0.contains("in 15 slots") })
    var session = policy
    session.maximumAdsPerSession = 1
    #expect(session.violations(in: ComposedFeed(slots: good)).contains { $0.contains("per session") })
  }

  // MARK: Hand-made cases

  @Test func firstAdSlot() throws {
    for first in [1, 3, 7] {
      let feed = try compose(open(first: first), organic: organic(10), sponsored: ads(1), length: 10)
      #expect(adPositions(feed) == [first])
    }
  }

  @Test func minimumGap() throws {
    let feed = try compose(open(gap: 2), organic: organic(20), sponsored: ads(10), length: 10)
    #expect(adPositions(feed) == [1, 4, 7, 10])
    let tight = try compose(open(gap: 0), organic: organic(20), sponsored: ads(3), length: 5)
    #expect(adPositions(tight) == [1, 2, 3])
  }

  @Test func windowDensity() throws {
    // At most ⌊0.4 × 5⌋ = 2 ads in any 5 consecutive slots, and 8 over 20 slots.
    let feed = try compose(open(density: 0.4, window: 5), organic: organic(30), sponsored: ads(20), length: 20)
    #expect(adPositions(feed) == [1, 2, 6, 7, 11, 12, 16, 17])
    // ⌊0.3 × 5⌋ = 1 per window: one ad every 5 slots.
    let sparse = try compose(open(density: 0.3, window: 5), organic: organic(30), sponsored: ads(20), length: 20)
    #expect(adPositions(sparse) == [1, 6, 11, 16])
  }

  @Test func wholeFeedDensityDropsTheLowestValueAds() throws {
    // The windows of 10 allow ads at slots 1, 2, 11 and 12, but 12 slots at 0.2 allow only 2 ads.
    let feed = try compose(open(density: 0.2), organic: organic(20), sponsored: ads(5), length: 12)
    #expect(feed.ads.map(\.note) == ["ad0", "ad1"])
    #expect(feed.slots.count == 12)
    // Cut short by the organic ranking: 4 organic notes make at most a 5-slot feed, which at 0.2
    // allows one ad.
    let short = try compose(open(density: 0.2), organic: organic(4), sponsored: ads(5), length: 20)
    #expect(short.ads.map(\.note) == ["ad0"])
    #expect(short.slots.count == 5)
  }

  @Test func sessionAndAdvertiserCaps() throws {
    let session = try compose(open(session: 2), organic: organic(20), sponsored: ads(10), length: 20)
    #expect(session.adCount == 2)
    let brand = ads(3, advertiser: "BrandA") + [SponsoredCandidate(note: "other", advertiser: "BrandB", bid: 1),
                                                SponsoredCandidate(note: "anon", bid: 0.5)]
    let capped = try compose(open(perAdvertiser: 1), organic: organic(20), sponsored: brand, length: 20)
    #expect(capped.ads.map(\.note) == ["ad0", "other", "anon"])
    let noBrandAds = try compose(open(perAdvertiser: 0), organic: organic(20), sponsored: brand, length: 20)
    #expect(noBrandAds.ads.map(\.note) == ["anon"])
  }

  @Test func adsAreRankedByBidTimesRelevanceTimesTrust() throws {
    let candidates = [
      SponsoredCandidate(note: "a", bid: 10, relevance: 0.1, trust: 1),   // 1
      SponsoredCandidate(note: "b", bid: 2, relevance: 1, trust: 0.9),    // 1.8
      SponsoredCandidate(note: "c", bid: 5, relevance: 0.5, trust: 0.5),  // 1.25
      SponsoredCandidate(note: "e", bid: 4, relevance: 0.25),             // 1, ties with a: by id
      SponsoredCandidate(note: "d", bid: 100, relevance: 1, trust: 0),    // 0: never shown
      SponsoredCandidate(note: "f", bid: 0, relevance: 1),                // 0: never shown
    ]
    let feed = try compose(open(), organic: organic(10), sponsored: candidates, length: 10)
    #expect(feed.ads.map(\.note) == ["b", "c", "a", "e"])
    #expect(feed.ads.map(\.score) == [2 * 0.9, 5 * 0.5 * 0.5, 1, 1])
    #expect(feed.revenue == 2 + 5 + 10 + 4)
    #expect(feed.adDensity == 4.0 / 10)
    let above = try compose(open(minimumValue: 1.1), organic: organic(10), sponsored: candidates, length: 10)
    #expect(above.ads.map(\.note) == ["b", "c"])
  }

  @Test func zeroTrustKeepsEvenTheHighestBidOut() throws {
    let candidates = [SponsoredCandidate(note: "x", bid: 1_000_000, trust: 0), SponsoredCandidate(note: "y", bid: 1)]
    let feed = try compose(open(), organic: organic(5), sponsored: candidates, length: 5)
    #expect(feed.ads.map(\.note) == ["y"])
  }

  @Test func everyAdIsLabelled() throws {
    let candidates = [
      SponsoredCandidate(note: "a", bid: 4, label: "品牌合作"),
      SponsoredCandidate(note: "b", bid: 3),
      SponsoredCandidate(note: "c", bid: 2, label: " "),
      SponsoredCandidate(note: "d", bid: 1, label: "Sponsored"),
    ]
    var policy = open()
    let feed = try compose(policy, organic: organic(10), sponsored: candidates, length: 10)
    #expect(feed.ads.map(\.label) == ["品牌合作", "广告 · Sponsored", "广告 · Sponsored", "Sponsored"])
    #expect(feed.slots.filter { $0.kind == .organic }.allSatisfy { $0.label == nil })
    policy.defaultLabel = "推广"
    #expect(try compose(policy, organic: organic(10), sponsored: candidates, length: 10).ads[1].label == "推广")
  }

  @Test func noNoteAppearsTwice() throws {
    // "n1" is organic at slot 2 before the ad could go (first ad slot 3): the ad is dropped.
    // "n5" is placed as an ad at slot 3, so its organic occurrence is skipped.
    // "n0" repeats in the organic list; "z" is offered twice.
    let organicNotes = organic(8) + [Recommendation(note: "n0", score: 0)]
    let candidates = [SponsoredCandidate(note: "n1", bid: 9), SponsoredCandidate(note: "n5", bid: 8),
                      SponsoredCandidate(note: "z", bid: 7), SponsoredCandidate(note: "z", bid: 6)]
    let feed = try compose(open(gap: 1, first: 3), organic: organicNotes, sponsored: candidates, length: 20)
    #expect(feed.slots.map(\.note) == ["n0", "n1", "n5", "n2", "z", "n3", "n4", "n6", "n7"])
    #expect(feed.ads.map(\.bid) == [8, 7])
  }

  @Test func organicOrderIsKeptAndTheFeedNeverTrailsOffIntoAds() throws {
    let feed = try compose(open(gap: 1), organic: organic(3), sponsored: ads(10), length: 20)
    #expect(feed.slots.map(\.kind) == [.sponsored, .organic, .sponsored, .organic, .sponsored, .organic])
    #expect(feed.slots.filter { $0.kind == .organic }.map(\.note) == ["n0", "n1", "n2"])
    #expect(try compose(open(), organic: [], sponsored: ads(3), length: 10).slots.isEmpty)
    #expect(try compose(open(), organic: organic(5), sponsored: ads(3), length: 0).slots.isEmpty)
    // The best ad is the last organic note: showing it as an ad would end the feed on an ad.
    let own = try compose(open(first: 2), organic: organic(2), sponsored: [SponsoredCandidate(note: "n1", bid: 1)],
                          length: 5)
    #expect(own.slots.map(\.kind) == [.organic, .organic])
    // A cut by length may end on an ad: more organic notes follow on the next page.
    #expect(try compose(open(), organic: organic(5), sponsored: ads(3), length: 1).slots.map(\.kind) == [.sponsored])
  }

  @Test func noAdsPolicyReturnsTheOrganicRanking() throws {
    let ranking = organic(15)
    let feed = try compose(.noAds, organic: ranking, sponsored: ads(5), length: 10)
    #expect(feed.slots.map(\.note) == ranking.prefix(10).map(\.note))
    #expect(feed.slots.map(\.position) == Array(1...10))
    #expect(feed.adCount == 0 && feed.revenue == 0 && feed.adDensity == 0)
    #expect(FeedComposer().policy == AdPolicy())
  }

  @Test func trustedFeedVerdictsBecomeLabels() throws {
    let verdicts: [TrustVerdict] = [.organic, .disclosedAd, .suspectedUndisclosedPromotion, .businessSelfPromotion, .organic]
    let trusted = TrustedFeed(user: "u", items: verdicts.enumerated().map { index, verdict in
      TrustedFeedItem(note: "n\(index)", rank: index + 1, score: Float(5 - index), modelScore: Float(5 - index),
                      label: verdict, probability: nil)
    })
    let policy = open(first: 6)
    let feed = try FeedComposer(policy: policy).compose(organic: trusted, sponsored: ads(1), length: 10)
    #expect(policy.violations(in: feed) == [])
    #expect(feed.slots.prefix(5).map(\.verdict) == verdicts.map(Optional.some))
    #expect(feed.slots.prefix(5).map(\.label) == [nil, "品牌合作 · Paid partnership", "疑似推广 · Possible promotion",
                                                 "商家 · Business", nil])
    #expect(feed.slots.map(\.kind) == [.organic, .organic, .organic, .organic, .organic])
    let withAd = try FeedComposer(policy: open(first: 5)).compose(organic: trusted, sponsored: ads(1), length: 10)
    #expect(withAd.slots[4].kind == .sponsored && withAd.slots[4].verdict == nil)
    #expect(withAd.perceivedAdLoad == 4.0 / 6)
  }

  @Test func invalidPoliciesAndCandidatesThrow() {
    let bad: [(AdPolicy, String)] = [
      (open(density: 1.5), "maximum density"), (open(density: -0.1), "maximum density"),
      (open(density: .nan), "maximum density"), (open(window: 0), "density window"),
      (open(gap: -1), "minimum gap"), (open(first: 0), "first ad slot"),
      (open(session: -1), "per session"), (open(perAdvertiser: -1), "per advertiser"),
      (open(minimumValue: -1), "minimum ad value"), (open(minimumValue: .infinity), "minimum ad value"),
      (AdPolicy(defaultLabel: " "), "label"),
    ]
    for (policy, phrase) in bad {
      #expect(throws: ZhongcaoError.self) { try policy.validate() }
      do {
        _ = try FeedComposer(policy: policy)
        Issue.record("accepted a bad policy: \(phrase)")
      } catch {
        #expect(error.code == .invalidArgument && error.message.contains(phrase), "\(error.message)")
      }
    }
    #expect(throws: Never.self) { try AdPolicy().validate(); try AdPolicy.noAds.validate() }

    let composer = FeedComposer()
    let badCandidates: [(SponsoredCandidate, String)] = [
      (SponsoredCandidate(note: "a", bid: -1), "bid"), (SponsoredCandidate(note: "a", bid: .infinity), "bid"),
      (SponsoredCandidate(note: "a", bid: 1, relevance: -0.5), "relevance"),
      (SponsoredCandidate(note: "a", bid: 1, relevance: .nan), "relevance"),
      (SponsoredCandidate(note: "a", bid: 1, trust: 1.5), "trust"), (SponsoredCandidate(note: "", bid: 1), "note id"),
    ]
    for (candidate, phrase) in badCandidates {
      do {
        _ = try composer.compose(organic: organic(5), sponsored: [ads(1)[0], candidate], length: 5)
        Issue.record("accepted a bad candidate: \(phrase)")
      } catch {
        #expect(error.code == .invalidArgument && error.message.contains(phrase) && error.message.contains("candidate 1"),
                "\(error.message)")
      }
    }
    #expect(throws: ZhongcaoError.self) { try composer.compose(organic: organic(5), sponsored: [], length: -1) }
  }

  @Test func relevanceComesFromTheFeedModel() throws {
    let (train, _) = plantedData(users: 30, notes: 60, perUser: 8, rank: 2, seed: 5)
    var configuration = ALSConfiguration()
    configuration.factors = 4
    configuration.iterations = 4
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(train))
    let user = model.users[0]
    let notes = (0..<20).map { model.notes[$0] }
    let candidates = notes.map { SponsoredCandidate(note: $0, bid: 1, relevance: 123) }
      + [SponsoredCandidate(note: "not-in-the-model", bid: 1_000)]
    let policy = open(session: 30)
    let composer = try FeedComposer(policy: policy)
    let ranking = organic(30, prefix: "organic")
    let feed = try composer.compose(organic: ranking, sponsored: candidates, length: 30, relevanceFrom: model, user: user)
    var expected: [SponsoredCandidate] = []
    for note in notes {
      let relevance = max(0, Double(try model.score(user: user, note: note)))
      if relevance > 0 { expected.append(SponsoredCandidate(note: note, bid: 1, relevance: relevance)) }
    }
    expected.sort { $0.value > $1.value || ($0.value == $1.value && $0.note < $1.note) }
    #expect(!expected.isEmpty)
    #expect(feed.ads.map(\.note) == expected.prefix(feed.adCount).map(\.note))
    #expect(feed.ads.map(\.score) == expected.prefix(feed.adCount).map(\.value))
    #expect(!feed.ads.contains { $0.note == "not-in-the-model" })
    #expect(policy.violations(in: feed) == [])
    let trusted = TrustedFeed(user: user, items: [])
    #expect(try composer.compose(organic: trusted, sponsored: candidates, length: 5, relevanceFrom: model).slots.isEmpty)
    do {
      _ = try composer.compose(organic: ranking, sponsored: candidates, length: 10, relevanceFrom: model, user: "nobody")
      Issue.record("an unknown user was accepted")
    } catch {
      #expect(error.code == .notFound && error.message.contains("nobody"))
    }
  }

  // MARK: Property test

  @Test(arguments: 0..<8)
  func randomFeedsNeverBreakThePolicy(batch: Int) throws {
    var random = SplitMix64(seed: 0xAD5 &+ UInt64(batch))
    let labels: [String?] = [nil, "", "  ", "广告", "Sponsored", "品牌合作"]
    let advertisers: [String?] = [nil, "A", "B", "C"]
    let densities = [0, 0.1, 0.2, 0.25, 0.3, 0.5, 1]
    for _ in 0..<60 {
      let policy = AdPolicy(
        maximumDensity: Bool.random(using: &random) ? densities.randomElement(using: &random)!
          : Double.random(in: 0...1, using: &random),
        densityWindow: Int.random(in: 1...12, using: &random), minimumGap: Int.random(in: 0...4, using: &random),
        firstAdSlot: Int.random(in: 1...6, using: &random), maximumAdsPerSession: Int.random(in: 0...8, using: &random),
        maximumAdsPerAdvertiser: Bool.random(using: &random) ? nil : Int.random(in: 0...3, using: &random),
        minimumAdValue: Bool.random(using: &random) ? 0 : Double.random(in: 0...0.5, using: &random))
      // Half the cases share notes between the lists and within them; the rest are disjoint and unique.
      let overlapping = Bool.random(using: &random)
      let organicNotes = overlapping
        ? (0..<Int.random(in: 0...30, using: &random)).map { _ in "n\(Int.random(in: 0..<40, using: &random))" }
        : (0..<Int.random(in: 0...30, using: &random)).map { "n\($0)" }
      let ranking = organicNotes.map { Recommendation(note: $0, score: Float.random(in: -1...1, using: &random)) }
      let candidates = (0..<Int.random(in: 0...15, using: &random)).map { index in
        SponsoredCandidate(
          note: overlapping ? "n\(Int.random(in: 0..<50, using: &random))" : "s\(index)",
          advertiser: overlapping ? advertisers.randomElement(using: &random)! : nil,
          bid: Int.random(in: 0..<5, using: &random) == 0 ? 0 : Double.random(in: 0...10, using: &random),
          relevance: Double.random(in: 0...1, using: &random),
          trust: [0, 1, Double.random(in: 0...1, using: &random)].randomElement(using: &random)!,
          label: labels.randomElement(using: &random)!)
      }
      let length = Int.random(in: 0...30, using: &random)
      let feed = try FeedComposer(policy: policy).compose(organic: ranking, sponsored: candidates, length: length)
      let context = "policy \(policy), length \(length), overlapping \(overlapping)"

      #expect(policy.violations(in: feed) == [], "\(context)")
      #expect(feed.slots.count <= length)
      #expect(feed.ads.allSatisfy { !AdPolicy.isBlank($0.label) })
      #expect(Set(feed.slots.map(\.note)).count == feed.slots.count)
      // Every ad is a valid candidate, shown with its value and bid.
      for ad in feed.ads {
        #expect(candidates.contains { $0.note == ad.note && $0.value == ad.score && $0.bid == ad.bid && $0.value > 0 })
      }
      // Organic notes come in ranking order, skipping only repeats and notes already shown as ads.
      let adNotes = Set(feed.ads.map(\.note))
      var seen = Set<String>()
      let expectedOrganic = organicNotes.filter { seen.insert($0).inserted && !adNotes.contains($0) }
      let shownOrganic = feed.slots.filter { $0.kind == .organic }.map(\.note)
      #expect(Array(expectedOrganic.prefix(shownOrganic.count)) == shownOrganic, "\(context)")
      // The feed stops early only when the ranking is used up, and then it ends on an organic note.
      if feed.slots.count < length {
        #expect(shownOrganic.count == expectedOrganic.count, "\(context)")
        #expect(feed.slots.last?.kind != .sponsored, "\(context)")
      }
      // Ads come in non-increasing value; with unique, disjoint notes they are the best ones.
      #expect(zip(feed.ads, feed.ads.dropFirst()).allSatisfy { $0.score >= $1.score }, "\(context)")
      if !overlapping {
        let best = candidates.filter { $0.value > 0 && $0.value >= policy.minimumAdValue }
          .sorted { $0.value > $1.value || ($0.value == $1.value && $0.note < $1.note) }
        #expect(feed.ads.map(\.note) == best.prefix(feed.adCount).map(\.note), "\(context)")
      }
    }
  }
}
