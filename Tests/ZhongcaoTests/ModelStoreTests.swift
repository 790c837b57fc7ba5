import Foundation
import Synchronization
import Testing
@testable import Zhongcao

@Suite("Model store: swapping the served model under load")
struct ModelStoreTests {
  @Test("requests on many threads answer from one whole model each while another thread swaps models")
  func swapsUnderConcurrentRequests() throws {
    // Same ids and history, different factors.
    let first = ModelFileTests.makeModel(users: 300, notes: 200, factors: 8, seed: 1)
    var second = first
    second.parameters = ModelFileTests.makeModel(users: 300, notes: 200, factors: 8, seed: 2).parameters
    let models = [FeedModel(contents: first), FeedModel(contents: second)]
    let users = Array(models[0].users.ids.prefix(40))
    let expected = try models.map { model in try users.map { try model.recommendations(for: $0, count: 10).map(\.note) } }
    try #require(expected[0] != expected[1])
    let store = ModelStore(models[0])
    let mismatches = Mutex(0), answered = Mutex(0), generationsSeen = Mutex(Set<UInt64>())
    let readersLeft = Mutex(4), swaps = Mutex(0)
    let done = DispatchGroup()
    done.enter()
    Thread {
      // Swaps for as long as requests run, however slowly (a sanitizer, a busy machine).
      // Generation g holds models[g % 2].
      var swap = 0
      while readersLeft.withLock({ $0 }) > 0 || swap < 10 {
        swap += 1
        store.replace(with: models[swap % 2])
        if swap % 16 == 0 { usleep(100) }
      }
      swaps.withLock { $0 = swap }
      done.leave()
    }.start()
    for worker in 0..<4 {
      done.enter()
      Thread {
        var seen = Set<UInt64>(), wrong = 0, count = 0, last: UInt64 = 0
        for request in 0..<1_500 {
          let snapshot = store.snapshot()
          if snapshot.generation < last { wrong += 1 }  // generations only grow
          last = snapshot.generation
          let user = (request * 7 + worker) % users.count
          let answer = (try? snapshot.model.recommendations(for: users[user], count: 10).map(\.note)) ?? []
          if answer != expected[Int(snapshot.generation % 2)][user] { wrong += 1 }
          seen.insert(snapshot.generation)
          count += 1
        }
        mismatches.withLock { $0 += wrong }
        answered.withLock { $0 += count }
        generationsSeen.withLock { $0.formUnion(seen) }
        readersLeft.withLock { $0 -= 1 }
        done.leave()
      }.start()
    }
    done.wait()
    #expect(mismatches.withLock { $0 } == 0)
    #expect(answered.withLock { $0 } == 6_000)
    #expect(store.snapshot().generation == UInt64(swaps.withLock { $0 }))
    // The requests overlapped the swaps (not one before and one after them all).
    #expect(generationsSeen.withLock { $0.count } > 2)
  }

  @Test("loading a file installs it as the next generation; a file that fails to load leaves the current model serving")
  func loadingAndFailedLoads() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let first = ModelFileTests.makeModel(users: 50, notes: 40, factors: 4, seed: 3)
    var second = first
    second.parameters = ModelFileTests.makeModel(users: 50, notes: 40, factors: 4, seed: 4).parameters
    try ModelFile.write(first, to: directory + "/first.zcm")
    try ModelFile.write(second, to: directory + "/second.zcm")
    let store = try ModelStore(contentsOf: directory + "/first.zcm")
    #expect(store.snapshot().generation == 0 && store.snapshot().model.isMemoryMapped)
    let installed = try store.load(contentsOf: directory + "/second.zcm", storage: .inMemory)
    #expect(installed.generation == 1 && !store.snapshot().model.isMemoryMapped)
    #expect(store.snapshot().model.userVector(second.users[3]) == FeedModel(contents: second).userVector(second.users[3]))

    try Data("not a model".utf8).write(to: URL(fileURLWithPath: directory + "/broken.zcm"))
    let failure = #expect(throws: ZhongcaoError.self) { try store.load(contentsOf: directory + "/broken.zcm") }
    #expect(failure?.code == .invalidModel)
    #expect(throws: ZhongcaoError.self) { try store.load(contentsOf: directory + "/absent.zcm") }
    #expect(store.snapshot().generation == 1)
    #expect(store.snapshot().model.userVector(second.users[3]) == FeedModel(contents: second).userVector(second.users[3]))
  }
}
