import Foundation
import Testing
@testable import Zhongcao

@Suite struct AuthorTrustTests {
  @Test func engagementNormsAreRobustAndFlagLikesWithoutSaves() {
    // 200 ordinary notes: collects ≈ 0.4 × likes, comments ≈ 0.1 × likes, with some spread;
    // 10 bought-engagement notes: many likes, almost no saves or comments.
    var notes: [Note] = []
    var random = TestRandom(seed: 3)
    for i in 0..<200 {
      let likes = 50 + Int(random.uniform() * 500)
      let collects = Int(Double(likes) * (0.3 + 0.2 * Double(random.uniform())))
      let comments = Int(Double(likes) * (0.07 + 0.06 * Double(random.uniform())))
      notes.append(Note(id: "o\(i)", author: "a", likes: likes, collects: collects, comments: comments))
    }
    for i in 0..<10 { notes.append(Note(id: "b\(i)", author: "b", likes: 2000, collects: 3, comments: 1)) }
    let norms = EngagementNorms(corpus: notes)
    #expect(norms.notes == 210)
    // The median of ln((0.4·L + 1)/(L + 1)) is near ln 0.4 whatever the 10 outliers do.
    #expect(abs(norms.collectRatioMedian - log(0.4)) < 0.1)
    let flagged = notes.filter { norms.isAnomalous($0) }.map(\.id)
    #expect(flagged.allSatisfy { $0.hasPrefix("b") } && flagged.count == 10)
    // Too few likes: not judged.
    #expect(norms.zScores(of: Note(id: "x", author: "a", likes: 3, collects: 0)).collect == nil)
    // Too small a corpus: typical norms.
    #expect(EngagementNorms(corpus: Array(notes.prefix(5))).notes == 0)
  }

  @Test func medianBySelectionEqualsTheMedianOfTheSortedValues() {
    var random = TestRandom(seed: 11)
    for count in [1, 2, 3, 4, 5, 8, 31, 64, 257, 1_000] {
      for distinct in [1, 2, 5, 1_000_000] {
        // Few distinct values give long runs of ties, the case a partition gets wrong most easily.
        let values = (0..<count).map { _ in Double(Int(Double(random.uniform()) * Double(distinct))) - Double(distinct / 2) }
        let sorted = values.sorted(), middle = count / 2
        let expected = count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        #expect(EngagementNorms.median(values) == expected, "\(count) values, \(distinct) distinct")
        var copy = values
        let rank = Int(Double(random.uniform()) * Double(count)) % count
        let selected = copy.withUnsafeMutableBufferPointer { EngagementNorms.select(rank, in: $0) }
        #expect(selected == sorted[rank])
        #expect(copy[..<rank].allSatisfy { $0 <= selected } && copy[rank...].allSatisfy { $0 >= selected })
        #expect(copy.sorted() == sorted, "selection only reorders")
      }
    }
    // Sorted and reversed input, the classic worst cases of a naive pivot.
    let ascending = (0..<10_001).map(Double.init)
    #expect(EngagementNorms.median(ascending) == 5_000)
    #expect(EngagementNorms.median(ascending.reversed()) == 5_000)
  }

  @Test func scoresFollowTheDocumentedFormula() throws {
    // An author with 3 notes: one undisclosed at p = 0.9, one disclosed at p = 0.99 (does not
    // count), one organic at p = 0.1; one note in a campaign; no anomalies.
    let facts = [
      NoteFacts(author: "a", sponsoredProbability: 0.9, disclosed: false, inCampaign: true),
      NoteFacts(author: "a", sponsoredProbability: 0.99, disclosed: true),
      NoteFacts(author: "a", sponsoredProbability: 0.1, disclosed: false),
    ]
    let trust = try #require(AuthorTrust.score(facts).first)
    let undisclosed = (0.9 + 0.1 + 3 * 0.05) / 6, campaign = 1.0 / 6, anomaly = 3 * 0.02 / 6
    #expect(abs(trust.undisclosedRate - undisclosed) < 1e-12)
    #expect(abs(trust.campaignShare - campaign) < 1e-12)
    #expect(abs(trust.engagementAnomalyShare - anomaly) < 1e-12)
    #expect(abs(trust.score - pow(1 - undisclosed, 4) * pow(1 - campaign, 2) * (1 - anomaly)) < 1e-12)
    #expect(abs(trust.disclosedShare - 1.0 / 3) < 1e-12)
  }

  @Test func hiddenPromotersRankBelowHonestOnesAndDisclosureIsNotPunished() {
    var facts: [NoteFacts] = []
    for i in 0..<20 {
      facts.append(NoteFacts(author: "honest", sponsoredProbability: 0.05, disclosed: false))
      facts.append(NoteFacts(author: "discloser", sponsoredProbability: 0.95, disclosed: i % 2 == 0))
      facts.append(NoteFacts(author: "hidden", sponsoredProbability: i % 2 == 0 ? 0.9 : 0.1, disclosed: false))
      facts.append(NoteFacts(author: "ghost", sponsoredProbability: 0.8, disclosed: false, inCampaign: true,
                             engagementAnomaly: true))
    }
    let ranking = AuthorTrust.score(facts).map(\.author)
    #expect(ranking.first == "ghost" && ranking.last == "honest")
    let byAuthor = Dictionary(uniqueKeysWithValues: AuthorTrust.score(facts).map { ($0.author, $0) })
    #expect(byAuthor["hidden"]!.score < byAuthor["honest"]!.score)
    // Half the discloser's notes are undisclosed at 0.95: worse than honest, but the disclosed
    // half costs nothing: the same as an author with only the 10 undisclosed notes' rate.
    #expect(byAuthor["discloser"]!.undisclosedRate < 0.6)
  }

  @Test func findsASuddenBrandFocus() {
    var facts: [NoteFacts] = []
    for i in 0..<20 {
      facts.append(NoteFacts(author: "a", createdAt: Double(i), sponsoredProbability: 0, disclosed: false,
                             brands: i % 7 == 0 ? ["Other"] : []))
    }
    for i in 20..<26 {
      facts.append(NoteFacts(author: "a", createdAt: Double(i), sponsoredProbability: 0, disclosed: false,
                             brands: i % 3 == 0 ? [] : ["兰蔻"]))
    }
    #expect(AuthorTrust.score(facts).first?.suddenBrandFocus == "兰蔻")
    // Judged in time order, whatever the input order; the recent notes alone are no history.
    #expect(AuthorTrust.score(facts.reversed()).first?.suddenBrandFocus == "兰蔻")
    #expect(AuthorTrust.score(Array(facts.suffix(AuthorTrust.recentNotes))).first?.suddenBrandFocus == nil)
    // A brand the author always talked about is no sudden focus.
    let steady = (0..<26).map {
      NoteFacts(author: "b", createdAt: Double($0), sponsoredProbability: 0, disclosed: false, brands: ["兰蔻"])
    }
    #expect(AuthorTrust.score(steady).first?.suddenBrandFocus == nil)
  }
}
