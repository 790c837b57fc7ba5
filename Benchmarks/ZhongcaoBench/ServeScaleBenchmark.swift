import Foundation
import Zhongcao
import ZhongcaoLinearAlgebra

/// Serving at Spark scale on one machine: a model of 10⁷ users × 10⁶ notes × 64 factors, loaded
/// from a memory-mapped model file.
///
///     zhongcao-bench serve-scale write PATH [users] [notes] [factors] [seen per user]
///     zhongcao-bench serve-scale serve PATH [queries] [--in-memory]
///     zhongcao-bench serve-scale spark-factors EXPORT_DIR OUT_DIR [factors]
///
/// `write` generates the model (seeded Gaussian factors scaled by 1/√k, `seen` distinct random
/// notes per user, ids `u00000000`, `n0000000`) and writes it with `ModelFile.write`, in its own
/// process so that `serve` starts with nothing in its heap. `serve` reports, each with the
/// process's resident memory split into anonymous (heap) and file-backed (mapped pages):
/// 1. the load time of `FeedModel(contentsOf:storage: .memoryMapped)`, structure-only and then
///    fully verified (which reads every page once);
/// 2. top-20 latency (p50, p99, mean) for single known users, seen notes excluded, one thread;
///    batches of 512 users on all cores (users per second); similar notes; fold-in feeds of new
///    users from 5 events;
/// 3. with `--in-memory`, the same load into the heap for comparison.
///
/// `spark-factors` writes what `Tools/spark/train_als.py` would write for the export in
/// EXPORT_DIR (`user_factors.csv`, `item_factors.csv` with 6 decimals, `training.json` with the
/// export's data hash), with seeded random factors, so that `recotrain spark import` can be
/// measured at a scale Spark in local mode would take hours to train.
enum ServeScaleBenchmark {
  static func run(_ arguments: [String]) {
    if arguments.first == "spark-factors", arguments.count >= 3 {
      do {
        try writeSparkFactors(export: arguments[1], to: arguments[2], factors: arguments.dropFirst(3).first.flatMap { Int($0) } ?? 64)
      } catch {
        print("serve-scale: \(error)")
        exit(1)
      }
      return
    }
    guard arguments.count >= 2, ["write", "serve"].contains(arguments[0]) else {
      print("usage: zhongcao-bench serve-scale write PATH [users] [notes] [factors] [seen]\n"
            + "       zhongcao-bench serve-scale serve PATH [queries] [--in-memory]")
      exit(2)
    }
    let path = arguments[1]
    let numbers = arguments.dropFirst(2).compactMap { Int($0) }
    do {
      if arguments[0] == "write" {
        try write(to: path, users: numbers.first ?? 10_000_000, notes: numbers.dropFirst().first ?? 1_000_000,
                  factors: numbers.dropFirst(2).first ?? 64, seen: numbers.dropFirst(3).first ?? 8)
      } else {
        try serve(path, queries: numbers.first ?? 1000, inMemory: arguments.contains("--in-memory"))
      }
    } catch {
      print("serve-scale: \(error)")
      exit(1)
    }
  }

  // MARK: Writing

  static func write(to path: String, users: Int, notes: Int, factors: Int, seen: Int) throws {
    print("generating \(users) users × \(notes) notes × \(factors) factors, \(seen) seen notes per user")
    var contents: ModelContents?
    let generateSeconds = seconds {
      contents = generate(users: users, notes: notes, factors: factors, seen: seen)
    }
    let writeSeconds = try timed { try ModelFile.write(contents!, to: path) }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print(String(format: "generated in %.1f s, wrote %@ (%.2f GB) in %.1f s; peak RSS %.2f GB",
                 generateSeconds, path, Double(size) / 1e9, writeSeconds, Memory.read().peakGB))
  }

  /// A model of the given shape with seeded random factors and seen notes (a different `seed`
  /// gives different factors and history over the same ids).
  static func generate(users: Int, notes: Int, factors: Int, seen: Int, seed: UInt64 = 0) -> ModelContents {
    let scale = 1 / Float(factors).squareRoot()
    func gaussianBlock(columns: Int, seed: UInt64) -> Matrix {
      // Parallel over fixed chunks of columns, each with its own generator: the same factors
      // for any thread count.
      let chunk = 1 << 16
      let storage = MappableArray<Float>(count: factors * columns) { buffer in
        let shared = UnsafeSendableBuffer(base: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: (columns + chunk - 1) / chunk) { block in
          var generator = SplitMix64(seed: seed &+ UInt64(block) &* 0x9E37_79B9)
          for element in (block * chunk * factors)..<(min((block + 1) * chunk, columns) * factors) {
            // Sum of four uniforms: close enough to a Gaussian for a latency benchmark.
            var sum: Float = 0
            for _ in 0..<4 { sum += Float(generator.next() >> 40) * 0x1p-24 - 0.5 }
            shared.base[element] = sum * scale * 1.7
          }
        }
      }
      return Matrix(rows: factors, columns: columns, storage: storage)
    }
    let userFactors = gaussianBlock(columns: users, seed: seed &+ 1)
    let noteFactors = gaussianBlock(columns: notes, seed: seed &+ 2)
    var generator = SplitMix64(seed: seed &+ 3)
    let offsets = MappableArray<Int>(count: users + 1) { buffer in
      for user in 0...users { buffer[user] = user * seen }
    }
    var indices = MappableArray<Int32>(repeating: 0, count: users * seen)
    var row = [Int32](repeating: 0, count: seen)
    indices.withUnsafeMutableBufferPointer { indices in
      for user in 0..<users {
        // `seen` distinct notes: random draws, sorted, duplicates moved to the next free note.
        for slot in 0..<seen { row[slot] = Int32(generator.next() % UInt64(notes)) }
        row.sort()
        for slot in 1..<max(seen, 1) where row[slot] <= row[slot - 1] { row[slot] = row[slot - 1] + 1 }
        if let last = row.last, Int(last) >= notes {  // wrapped past the end: take the first notes
          for slot in 0..<seen { row[slot] = Int32(slot) }
        }
        for slot in 0..<seen { indices[user * seen + slot] = row[slot] }
      }
    }
    let values = MappableArray<Float>(repeating: 1, count: users * seen)
    var configuration = ALSConfiguration()
    configuration.factors = factors
    configuration.regularizationConvention = .spark
    configuration.regularization = 0.1
    configuration.alpha = 1
    let provenance = TrainingProvenance(
      dataHash: "generated", users: users, notes: notes, pairs: users * seen, trainingSeconds: 0, lossHistory: [],
      blasCore: BLASRuntime.coreName, threads: 0, zhongcaoVersion: Zhongcao.version, trainedAt: "generated")
    return ModelContents(
      configuration: configuration, provenance: provenance,
      users: IDMap(FeedGenerator.ids(prefix: "u", count: users, minimumDigits: 8)),
      notes: IDMap(FeedGenerator.ids(prefix: "n", count: notes, minimumDigits: 7)),
      userFactors: userFactors, noteFactors: noteFactors,
      seen: SparseRows(rowCount: users, columnCount: notes, offsets: offsets, indices: indices, values: values))
  }

  // MARK: Spark factors

  static func writeSparkFactors(export: String, to directory: String, factors: Int) throws {
    let manifestURL = URL(fileURLWithPath: export).appendingPathComponent(SparkExchange.manifestFile)
    let manifest = try JSONDecoder().decode(SparkExchange.Manifest.self, from: Data(contentsOf: manifestURL))
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let start = ContinuousClock.now
    for (file, count, seed) in [(SparkExchange.userFactorsFile, manifest.users, UInt64(1)),
                                (SparkExchange.itemFactorsFile, manifest.items, 2)] {
      let path = URL(fileURLWithPath: directory).appendingPathComponent(file).path
      guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        throw CocoaError(.fileWriteUnknown)
      }
      var buffer: [UInt8] = Array(("id," + (0..<factors).map { "f\($0)" }.joined(separator: ",") + "\n").utf8)
      var generator = SplitMix64(seed: seed)
      for id in 0..<count {
        buffer.append(contentsOf: String(id).utf8)
        for _ in 0..<factors {
          // Uniform in ±0.25 with 6 decimals, formatted by hand (Float's description is slow).
          let micro = Int(generator.next() % 500_001) - 250_000
          buffer.append(UInt8(ascii: ","))
          if micro < 0 { buffer.append(UInt8(ascii: "-")) }
          let magnitude = abs(micro)
          buffer.append(UInt8(ascii: "0"))
          buffer.append(UInt8(ascii: "."))
          var divisor = 100_000
          while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
          }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count > 1 << 22 {
          try handle.write(contentsOf: buffer)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      try handle.write(contentsOf: buffer)
      try handle.close()
    }
    let training: [String: Any] = ["rank": factors, "regParam": 0.1, "alpha": 1.0, "maxIter": 10, "seed": 1,
                                   "sparkVersion": "generated", "fitSeconds": 0.0, "dataHash": manifest.dataHash]
    try JSONSerialization.data(withJSONObject: training).write(to: URL(fileURLWithPath: directory).appendingPathComponent(SparkExchange.trainingFile))
    let elapsed = ContinuousClock.now - start
    print("wrote factors for \(manifest.users) users and \(manifest.items) items × \(factors) to \(directory) in \(elapsed)")
  }

  // MARK: Serving

  static func serve(_ path: String, queries: Int, inMemory: Bool) throws {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print(String(format: "model file %@: %.2f GB", path, Double(size) / 1e9))
    print("before loading:            \(Memory.read())")
    var model: FeedModel?
    let structureSeconds = try timed { model = try FeedModel(contentsOf: path, storage: .memoryMapped, verification: .structure) }
    print(String(format: "mapped, structure checked: %.2f s   ", structureSeconds) + "\(Memory.read())")
    let mapped = model!
    let fullSeconds = try timed { model = try FeedModel(contentsOf: path, storage: .memoryMapped, verification: .full) }
    print(String(format: "mapped, fully verified:    %.2f s   ", fullSeconds) + "\(Memory.read())")
    precondition(model!.isMemoryMapped && mapped.users.count == model!.users.count)
    model = nil
    print("  \(mapped.users.count) users × \(mapped.notes.count) notes × \(mapped.factorCount) factors")

    var generator = SplitMix64(seed: 11)
    let users = (0..<queries).map { _ in mapped.users[Int(generator.next() % UInt64(mapped.users.count))] }
    let notes = (0..<queries).map { _ in mapped.notes[Int(generator.next() % UInt64(mapped.notes.count))] }
    _ = try mapped.recommendations(for: users[0], count: 20)  // first touch of the note factors
    report("top-20 for one user (1 thread)", try latencies(users) { user in
      _ = try mapped.recommendations(for: user, count: 20)
    })
    let batch = Array(users.prefix(512))
    var batchSeconds = Double.infinity
    for _ in 0..<3 {
      batchSeconds = min(batchSeconds, try timed { _ = try mapped.recommendations(for: batch, count: 20, threads: 0) })
    }
    print(String(format: "top-20 for batches of %d users (all cores): %.0f users/s", batch.count,
                 Double(batch.count) / batchSeconds))
    report("similar notes, top 20", try latencies(notes.prefix(max(queries / 4, 1))) { note in
      _ = try mapped.similarNotes(to: note, count: 20)
    })
    let histories = (0..<max(queries / 4, 1)).map { _ in
      (0..<5).map { _ in (note: notes[Int(generator.next() % UInt64(notes.count))], weight: Float(1 + generator.next() % 3)) }
    }
    report("fold-in feed of a new user (5 events)", try latencies(histories) { events in
      _ = try mapped.recommendations(forEvents: events, count: 20)
    })
    print("after serving:             \(Memory.read())")
    if inMemory {
      let memorySeconds = try timed { model = try FeedModel(contentsOf: path) }
      print(String(format: "read into memory (for comparison): %.2f s   ", memorySeconds) + "\(Memory.read())")
    }
  }

  /// Per-call seconds of `body` over `inputs`, sorted.
  static func latencies<Input>(_ inputs: some Sequence<Input>, _ body: (Input) throws -> Void) throws -> [Double] {
    var result: [Double] = []
    for input in inputs { result.append(try timed { try body(input) }) }
    return result.sorted()
  }

  static func report(_ what: String, _ sorted: [Double]) {
    func quantile(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] * 1000 }
    let mean = sorted.reduce(0, +) / Double(sorted.count) * 1000
    print(String(format: "%@: p50 %.2f ms, p99 %.2f ms, mean %.2f ms (%d calls)", what, quantile(0.5), quantile(0.99),
                 mean, sorted.count))
  }

  static func timed(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }
}

/// The process's memory from `/proc/self/status`.
struct Memory: CustomStringConvertible {
  var residentGB = 0.0, anonymousGB = 0.0, fileGB = 0.0, peakGB = 0.0

  static func read() -> Memory {
    var memory = Memory()
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
    for line in status.split(separator: "\n") {
      let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard parts.count >= 2, let kilobytes = Double(parts[1]) else { continue }
      let gigabytes = kilobytes * 1024 / 1e9
      switch parts[0] {
      case "VmRSS:": memory.residentGB = gigabytes
      case "RssAnon:": memory.anonymousGB = gigabytes
      case "RssFile:": memory.fileGB = gigabytes
      case "VmHWM:": memory.peakGB = gigabytes
      default: break
      }
    }
    return memory
  }

  var description: String {
    String(format: "RSS %.2f GB (heap %.2f GB, mapped file pages %.2f GB), peak %.2f GB", residentGB, anonymousGB,
           fileGB, peakGB)
  }
}

/// A pointer shared by the workers of `concurrentPerform`, each writing its own elements.
struct UnsafeSendableBuffer: @unchecked Sendable {
  let base: UnsafeMutablePointer<Float>
}
