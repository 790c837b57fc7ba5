import Foundation
import Testing
@testable import Zhongcao

/// End to end on planted ground truth: the generator plants low-rank tastes, the split holds
/// out events, and the learned models must find them far better than popularity does.
@Suite struct EvaluatorTests {
  @Test func alsAndEASEBeatPopularityOnPlantedTastes() throws {
    var configuration = FeedGenerator.Configuration()
    configuration.users = 1_500
    configuration.notes = 400
    configuration.interactions = 45_000
    configuration.seed = 11
    let log = FeedGenerator(configuration).generate().interactions
    let split = try log.split(.holdout(fraction: 0.2), seed: 3)
    let evaluator = Evaluator(split: split, cutoffs: [10], bootstrapSamples: 200)
    var als = ALSConfiguration()
    als.factors = 32
    als.iterations = 10
    als.regularization = 30
    let ease = EASEConfiguration()
    let scores = try [ModelSettings.als(als), .ease(ease), .popularity(PopularityConfiguration())].map { settings in
      let report = try evaluator.evaluate(settings).report
      return try #require(report.metrics["ndcg@10"])
    }
    let (alsScore, easeScore, popularityScore) = (scores[0], scores[1], scores[2])
    // "A wide margin": the learned models' lower interval bound clears 1.3× popularity's mean.
    #expect(try #require(alsScore.low) > 1.3 * (try #require(popularityScore.mean)), "ALS \(alsScore), popularity \(popularityScore)")
    #expect(try #require(easeScore.low) > 1.3 * (try #require(popularityScore.mean)), "EASE \(easeScore), popularity \(popularityScore)")
  }

  @Test func heldOutUsersAreFoldedIn() throws {
    var configuration = FeedGenerator.Configuration()
    configuration.users = 800
    configuration.notes = 300
    configuration.interactions = 24_000
    let log = FeedGenerator(configuration).generate().interactions
    let split = try log.split(.heldOutUsers(count: 100), seed: 5)
    #expect(split.foldInHistory?.count == split.testUsers.count)
    let evaluator = Evaluator(split: split, cutoffs: [10], bootstrapSamples: 0)
    var als = ALSConfiguration()
    als.factors = 16
    als.iterations = 8
    als.regularization = 10
    let learned = try #require(try evaluator.evaluate(.als(als)).report.metrics["ndcg@10"]?.mean)
    let popular = try #require(try evaluator.evaluate(.popularity(PopularityConfiguration())).report.metrics["ndcg@10"]?.mean)
    #expect(learned > popular, "fold-in ALS \(learned) vs popularity \(popular)")
    // Lists never contain a user's fold-in history.
    let model = try ModelTrainer(.als(als)).train(on: InteractionMatrix(split.train))
    let lists = try evaluator.rank(model)
    for (list, history) in zip(lists, split.foldInHistory!) {
      #expect(Set(list).isDisjoint(with: history.map(\.note)))
    }
  }
}
