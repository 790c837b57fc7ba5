import Foundation
import Testing
@testable import Zhongcao

@Suite struct TrustAwareFeedTests {
  private static let model: FeedModel = {
    let (train, _) = plantedData(users: 60, notes: 200, perUser: 12, rank: 3, seed: 21)
    var configuration = ALSConfiguration()
    configuration.factors = 8
    configuration.iterations = 6
    configuration.regularization = 0.5
    return try! ImplicitALS(configuration).train(on: InteractionMatrix(train))
  }()

  /// Brute force: every candidate's score through the policy, full sort, top `count`.
  private func bruteForce(_ model: FeedModel, user: String, count: Int, trust: [String: NoteTrust],
                          policy: TrustPolicy) throws -> [String] {
    let all = try model.recommendations(for: user, count: model.notes.count)
    return all.enumerated()
      .compactMap { position, candidate -> (Int, String, Float)? in
        let factor = policy.factor(for: trust[candidate.note]?.verdict ?? .organic)
        if factor == 0 { return nil }
        return (position, candidate.note, candidate.score - Float(1 - factor) * abs(candidate.score))
      }
      .sorted { $0.2 > $1.2 || ($0.2 == $1.2 && $0.0 < $1.0) }
      .prefix(count).map(\.1)
  }

  @Test(arguments: [(0.5, 1.0, 10), (0.0, 1.0, 10), (0.1, 0.5, 25), (1.0, 1.0, 5), (0.3, 0.0, 150)])
  func equalsRescoringEveryNote(undisclosed: Double, selfPromotion: Double, count: Int) throws {
    let model = Self.model
    var random = TestRandom(seed: UInt64(count))
    var trust: [String: NoteTrust] = [:]
    for i in 0..<model.notes.count {
      let draw = random.uniform()
      let verdict: TrustVerdict = draw < 0.25 ? .suspectedUndisclosedPromotion : draw < 0.35 ? .disclosedAd
        : draw < 0.4 ? .businessSelfPromotion : .organic
      trust[model.notes[i]] = NoteTrust(verdict: verdict, probability: Double(draw))
    }
    var policy = TrustPolicy()
    policy.undisclosedDemotion = undisclosed
    policy.selfPromotionDemotion = selfPromotion
    for user in ["u3", "u17", "u42"] {
      let feed = try model.trustedRecommendations(for: user, count: count, trust: trust, policy: policy)
      #expect(feed.items.map(\.note) == (try bruteForce(model, user: user, count: count, trust: trust, policy: policy)))
      #expect(feed.items.map(\.rank) == Array(1...max(1, feed.items.count)).prefix(feed.items.count).map { $0 })
      for item in feed.items {
        #expect(item.label == trust[item.note]!.verdict)
        #expect(item.score <= item.modelScore)
      }
      if undisclosed == 0 { #expect(!feed.items.contains { $0.label == .suspectedUndisclosedPromotion }) }
    }
  }

  @Test func demotionPushesSuspectedPromotionDown() throws {
    let model = Self.model
    let plain = try model.recommendations(for: "u5", count: 10)
    let flagged = plain[0].note
    let feed = try model.trustedRecommendations(
      for: "u5", count: 10, trust: [flagged: NoteTrust(verdict: .suspectedUndisclosedPromotion, probability: 0.9)])
    let position = feed.items.firstIndex { $0.note == flagged }
    #expect(position == nil || position! > 0)
    #expect(feed.items.first?.note == plain[1].note)
  }

  @Test func sharesAndPerceivedAdLoad() {
    func item(_ label: TrustVerdict) -> TrustedFeedItem {
      TrustedFeedItem(note: "n", rank: 1, score: 0, modelScore: 0, label: label, probability: nil)
    }
    let feed = TrustedFeed(user: "u", items: [item(.organic), item(.disclosedAd), item(.organic),
                                               item(.suspectedUndisclosedPromotion), item(.businessSelfPromotion)])
    #expect(feed.sponsoredShare == 3.0 / 5)
    #expect(feed.perceivedAdLoad() == 3.0 / 5)
    #expect(feed.perceivedAdLoad(paidSlots: 3) == 6.0 / 8)
    #expect(TrustedFeed(user: "u", items: []).sponsoredShare == 0)
    #expect(TrustedFeed(user: "u", items: []).perceivedAdLoad() == 0)
  }

  @Test func badPoliciesAndUnknownUsersThrow() {
    var policy = TrustPolicy()
    policy.undisclosedDemotion = 1.5
    #expect(throws: ZhongcaoError.self) { try Self.model.trustedRecommendations(for: "u1", trust: [:], policy: policy) }
    #expect(throws: ZhongcaoError.self) { try Self.model.trustedRecommendations(for: "nobody", trust: [:]) }
  }
}
