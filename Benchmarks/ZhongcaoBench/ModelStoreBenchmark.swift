import Foundation
import Synchronization
import Zhongcao
import ZhongcaoLinearAlgebra

/// Serving under load while the model is swapped (`zhongcao-bench model-store [seconds] [threads]
/// [swap-interval-ms]`).
///
/// Two model files of the same ids but different factors and histories (200,000 users × 50,000
/// notes × 64 factors, 8 seen notes each) are written to a temporary directory. A
/// ``ModelStore`` serves the first, memory-mapped. `threads` request threads (default 16) call
/// top-20 feeds, similar notes and fold-in feeds in turn, each on a snapshot, while a swapper
/// thread loads the other file into the store every `swap-interval` ms (default 20). Every answer
/// is checked against the answer precomputed from the model of the snapshot's generation: an
/// answer from a half-swapped or wrong model counts as an error. Prints requests per second,
/// p50/p99 latency per operation (wall clock, including waiting for a core), swaps and errors.
enum ModelStoreBenchmark {
  /// One request thread's tallies.
  struct Tally: Sendable {
    var latencies: [[Double]] = [[], [], []]
    var errors = 0
    var failures: [String] = []
    var generationWentBack = 0
    var generations = Set<UInt64>()
  }

  /// Precomputed answers of one model: top-20 feeds of probe users, similar notes of probe
  /// notes and fold-in feeds of probe histories.
  struct Answers: Sendable {
    var feeds: [[String]]
    var similar: [[String]]
    var foldIn: [[String]]
  }

  static let operationNames = ["top-20 feed", "similar notes", "fold-in feed (5 events)"]

  static func run(_ arguments: [String]) {
    let numbers = arguments.compactMap { Double($0) }
    let seconds = numbers.first ?? 30
    let threads = Int(numbers.dropFirst().first ?? 16)
    let swapInterval = (numbers.dropFirst(2).first ?? 20) / 1000
    do {
      try measure(seconds: seconds, threads: threads, swapInterval: swapInterval)
    } catch {
      print("model-store: \(error)")
      exit(1)
    }
  }

  static func measure(seconds: Double, threads: Int, swapInterval: Double) throws {
    let directory = NSTemporaryDirectory() + "/zhongcao-model-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let files = [directory + "/a.zcm", directory + "/b.zcm"]
    let (users, notes) = (200_000, 50_000)
    for (index, file) in files.enumerated() {
      try ModelFile.write(ServeScaleBenchmark.generate(users: users, notes: notes, factors: 64, seen: 8, seed: UInt64(index) * 100), to: file)
    }
    let models = try files.map { try FeedModel(contentsOf: $0, storage: .memoryMapped) }

    // Probes, and each model's answers to them.
    var generator = SplitMix64(seed: 5)
    let probeUsers = (0..<64).map { _ in models[0].users[Int(generator.next() % UInt64(users))] }
    let probeNotes = (0..<64).map { _ in models[0].notes[Int(generator.next() % UInt64(notes))] }
    let probeHistories = (0..<64).map { _ in
      (0..<5).map { _ in (note: models[0].notes[Int(generator.next() % UInt64(notes))], weight: Float(1 + generator.next() % 3)) }
    }
    let answers = try models.map { model in
      Answers(feeds: try probeUsers.map { try model.recommendations(for: $0, count: 20).map(\.note) },
              similar: try probeNotes.map { try model.similarNotes(to: $0, count: 20).map(\.note) },
              foldIn: try probeHistories.map { try model.recommendations(forEvents: $0, count: 20).map(\.note) })
    }
    precondition(answers[0].feeds != answers[1].feeds, "the two models must answer differently")

    let store = ModelStore(models[0])
    let deadline = ContinuousClock.now + .seconds(seconds)
    let tallies = Mutex<[Tally]>([])
    let swaps = Mutex((count: 0, loadSeconds: [Double](), failures: 0))
    let done = DispatchGroup()
    print("\(threads) request threads and one swapper for \(Int(seconds)) s; a swap every \(Int(swapInterval * 1000)) ms")
    print("models: \(users) users × \(notes) notes × 64 factors, memory-mapped, loaded with structure checks on each swap")

    let swapper = Thread {
      var generation: UInt64 = 0
      while ContinuousClock.now < deadline {
        Thread.sleep(forTimeInterval: swapInterval)
        let start = ContinuousClock.now
        do {
          let installed = try store.load(contentsOf: files[Int((generation + 1) % 2)], verification: .structure)
          generation = installed.generation
          let elapsed = ContinuousClock.now - start
          swaps.withLock { $0.count += 1; $0.loadSeconds.append(Self.seconds(elapsed)) }
        } catch {
          swaps.withLock { $0.failures += 1 }
        }
      }
      done.leave()
    }
    done.enter()
    swapper.start()
    for thread in 0..<threads {
      done.enter()
      Thread {
        var tally = Tally()
        var random = SplitMix64(seed: UInt64(thread) &+ 77)
        var operation = thread % 3, lastGeneration: UInt64 = 0
        while ContinuousClock.now < deadline {
          let probe = Int(random.next() % 64)
          let start = ContinuousClock.now
          let snapshot = store.snapshot()
          let model = snapshot.model
          let expected = answers[Int(snapshot.generation % 2)]
          let answer: [String], wanted: [String]
          do {
            switch operation {
            case 0:
              answer = try model.recommendations(for: probeUsers[probe], count: 20).map(\.note)
              wanted = expected.feeds[probe]
            case 1:
              answer = try model.similarNotes(to: probeNotes[probe], count: 20).map(\.note)
              wanted = expected.similar[probe]
            default:
              answer = try model.recommendations(forEvents: probeHistories[probe], count: 20).map(\.note)
              wanted = expected.foldIn[probe]
            }
          } catch {
            tally.errors += 1
            if tally.failures.count < 3 { tally.failures.append("\(error)") }
            continue
          }
          tally.latencies[operation].append(Self.seconds(ContinuousClock.now - start))
          if answer != wanted {
            tally.errors += 1
            if tally.failures.count < 3 { tally.failures.append("\(operationNames[operation]) #\(probe) differs from generation \(snapshot.generation)'s model") }
          }
          if snapshot.generation < lastGeneration { tally.generationWentBack += 1 }
          lastGeneration = snapshot.generation
          tally.generations.insert(snapshot.generation)
          operation = (operation + 1) % 3
        }
        tallies.withLock { $0.append(tally) }
        done.leave()
      }.start()
    }
    done.wait()

    let all = tallies.withLock { $0 }
    let requests = all.reduce(0) { $0 + $1.latencies.reduce(0) { $0 + $1.count } + $1.errors }
    let errors = all.reduce(0) { $0 + $1.errors }
    let wentBack = all.reduce(0) { $0 + $1.generationWentBack }
    let generations = all.reduce(into: Set<UInt64>()) { $0.formUnion($1.generations) }
    let swapped = swaps.withLock { $0 }
    print(String(format: "requests: %d in %.0f s = %.0f requests/s", requests, seconds, Double(requests) / seconds))
    for operation in 0..<3 {
      let sorted = all.flatMap { $0.latencies[operation] }.sorted()
      guard !sorted.isEmpty else { continue }
      func quantile(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] * 1000 }
      let name = operationNames[operation].padding(toLength: 24, withPad: " ", startingAt: 0)
      print("  " + name + String(format: " %7d calls  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms",
                                 sorted.count, quantile(0.5), quantile(0.99), sorted.last! * 1000))
    }
    let loads = swapped.loadSeconds.sorted()
    print(String(format: "swaps: %d (failed %d), load + swap p50 %.1f ms, max %.1f ms; %d model generations answered",
                 swapped.count, swapped.failures, (loads.isEmpty ? 0 : loads[loads.count / 2]) * 1000, (loads.last ?? 0) * 1000,
                 generations.count))
    print("errors (failed calls or answers not from the snapshot's model): \(errors); a thread saw an older generation after a newer one: \(wentBack) times")
    for failure in all.flatMap(\.failures).prefix(5) { print("  \(failure)") }
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }
}
