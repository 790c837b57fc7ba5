import Foundation
import Testing
import Zhongcao

/// The README's usage example, verbatim (public API only), so it cannot rot.
@Suite struct ReadmeExampleTests {
  @Test func usageExampleRuns() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("feed.zcm").path

    var log = Interactions()                                   // or Interactions.load(contentsOf:)
    try log.append(user: "u1", note: "lipstick-review", weight: 4)
    try log.append(user: "u1", note: "hotpot-guide", weight: 1)
    try log.append(user: "u2", note: "lipstick-review", weight: 2)

    var configuration = ALSConfiguration()                     // 128 factors, λ 70, alpha 2, CG
    configuration.regularization = 0.1                         // a three-event log needs little
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(log))
    try model.save(to: path)                                   // atomic, checksummed

    let feed = try model.recommendations(for: "u2", count: 20) // seen notes excluded
    let similar = try model.similarNotes(to: "hotpot-guide", count: 10)
    let newcomer = try model.recommendations(forEvents: [("hotpot-guide", 4)], count: 20)
    let why = try model.explain(user: "u2", note: feed[0].note)

    #expect(feed.map(\.note) == ["hotpot-guide"])
    #expect(similar.map(\.note) == ["lipstick-review"])
    #expect(newcomer.map(\.note) == ["lipstick-review"])
    #expect(why.contributions.map(\.note) == ["lipstick-review"])
    let reloaded = try FeedModel(contentsOf: path)
    #expect(try reloaded.recommendations(for: "u2", count: 20) == feed)

    // The ModelStore paragraph.
    let store = try ModelStore(contentsOf: path)                       // memory-mapped
    let snapshot = store.snapshot()                                    // per request
    let served = try snapshot.model.recommendations(for: "u2", count: 20)
    try store.load(contentsOf: path)                                   // after `recotrain train`
    #expect(served == feed && store.snapshot().generation == 1)
  }
}
