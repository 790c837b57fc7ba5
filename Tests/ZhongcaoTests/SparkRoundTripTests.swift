import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

private let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let sparkMovieLens = repositoryRoot
  .appendingPathComponent("../shared/data/movielens-latest-small/ratings.csv").standardized.path
private let sparkJob = repositoryRoot.appendingPathComponent("Tools/spark/train_als.py").path

/// Runs `executable arguments…` through `/usr/bin/env`; returns the exit status and stderr.
private func run(_ arguments: [String]) -> (status: Int32, errors: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  let errors = Pipe()
  process.standardError = errors
  process.standardOutput = FileHandle.nullDevice
  do { try process.run() } catch { return (-1, "\(error)") }
  let data = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Why the Spark round trip cannot run here, or nil when it can.
private let sparkMissing: String? = {
  guard FileManager.default.fileExists(atPath: sparkMovieLens) else { return "no MovieLens data at \(sparkMovieLens)" }
  guard run(["java", "-version"]).status == 0 else { return "no java on PATH" }
  guard run(["python3", "-c", "import pyspark"]).status == 0 else { return "python3 cannot import pyspark" }
  return nil
}()

/// A fresh temporary directory.
private func temporaryDirectory() -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-spark-\(UUID().uuidString)").path
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Largest |a − b| relative to max(1, ‖b‖∞).
private func relativeError(_ a: [Float], _ b: [Float]) -> Float {
  let scale = max(1, b.map(abs).max() ?? 0)
  return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

@Suite struct SparkRoundTripTests {
  /// A small matrix with string ids, a repeated pair and a zero weight.
  static func smallMatrix() throws -> InteractionMatrix {
    InteractionMatrix(try Interactions([
      ("ann", "n1", 2), ("ann", "n2", 1), ("bob", "n2", 3), ("bob", "n3", 0.5), ("cy", "n1", 1), ("cy", "n1", 4),
      ("cy", "n3", 0),
    ]))
  }

  @Test("export writes dense ids, id maps and a manifest; reading it back restores the matrix")
  func exportRoundTrip() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let matrix = try Self.smallMatrix()
    let manifest = try SparkExchange.export(matrix, source: "memory", to: directory)
    #expect(manifest.users == 3 && manifest.items == 3 && manifest.pairs == 6 && manifest.zeroWeightPairs == 1)
    #expect(manifest.totalWeight == 11.5)
    #expect(manifest.dataHash == matrix.contentHash)
    let csv = try String(contentsOfFile: directory + "/interactions.csv", encoding: .utf8)
    #expect(csv == "user,item,rating\n0,0,2.0\n0,1,1.0\n1,1,3.0\n1,2,0.5\n2,0,5.0\n2,2,0.0\n")
    let users = try String(contentsOfFile: directory + "/users.tsv", encoding: .utf8)
    #expect(users == "index\tid\n0\tann\n1\tbob\n2\tcy\n")
    let (back, backManifest) = try SparkExchange.readExport(directory)
    #expect(back == matrix)
    #expect(backManifest == manifest)

    // A changed rating no longer matches the manifest's hash.
    try csv.replacingOccurrences(of: "1,1,3.0", with: "1,1,3.5").write(toFile: directory + "/interactions.csv", atomically: true, encoding: .utf8)
    let changed = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(changed?.location?.field == "dataHash")
    try csv.replacingOccurrences(of: "1,1,3.0", with: "1,7,3.0").write(toFile: directory + "/interactions.csv", atomically: true, encoding: .utf8)
    let outOfRange = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(outOfRange?.location?.line == 4 && outOfRange?.location?.field == "item")
  }

  @Test("an export whose rows were shuffled by another tool still reads back; duplicate ids and extra rows are refused")
  func exportReordered() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let matrix = try Self.smallMatrix()
    try SparkExchange.export(matrix, source: "memory", to: directory)
    let csvPath = directory + "/interactions.csv"
    let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
    var lines = csv.split(separator: "\n").map(String.init)
    let rows = Array(lines.dropFirst())
    lines = [lines[0]] + [rows[4], rows[1], rows[5], rows[0], rows[3], rows[2]]
    try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: csvPath, atomically: true, encoding: .utf8)
    let (back, _) = try SparkExchange.readExport(directory)
    #expect(back == matrix)

    try (csv + "2,1,1.0\n").write(toFile: csvPath, atomically: true, encoding: .utf8)
    let extra = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(extra?.message.contains("7 rows, but the manifest says 6 pairs") == true)
    try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)

    let usersPath = directory + "/users.tsv"
    try "index\tid\n0\tann\n1\tbob\n2\tann\n".write(toFile: usersPath, atomically: true, encoding: .utf8)
    let duplicate = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(duplicate?.message.contains("indices 0 and 2 are both 'ann'") == true)
    try "index\tid\n0\tann\n2\tbob\n1\tcy\n".write(toFile: usersPath, atomically: true, encoding: .utf8)
    let skipped = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(skipped?.location?.line == 3 && skipped?.location?.field == "index")

    // Empty files (the fuzzer's first input; Data(contentsOf:) leaked reading them): clear errors.
    for name in ["manifest.json", "users.tsv", "items.tsv", "interactions.csv"] {
      try Data().write(to: URL(fileURLWithPath: directory + "/" + name))
    }
    let empty = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(directory) }
    #expect(empty?.message == "not valid JSON" && empty?.location?.file.hasSuffix("manifest.json") == true)
  }

  @Test("counts a manifest or a rank declare must fit in their files before memory is set aside for them")
  func declaredCountsMustFit() throws {
    let export = temporaryDirectory(), factors = temporaryDirectory()
    defer { for d in [export, factors] { try? FileManager.default.removeItem(atPath: d) } }
    try SparkExchange.export(try Self.smallMatrix(), source: "memory", to: export)
    let manifestPath = export + "/manifest.json"
    let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
    // Two billion users (16 GB of row offsets) against a 26-byte users.tsv; 30 pairs, within
    // 6 users × 6 items, against an interactions.csv with room for 10 lines.
    let cases = [("users", ["users": 2_000_000_000]), ("items", ["items": 1000]), ("pairs", ["users": 6, "items": 6, "pairs": 30])]
    for (field, values) in cases {
      var inflated = manifest
      for (name, value) in values {
        inflated = inflated.replacingOccurrences(of: #""\#(name)"\s*:\s*\d+"#, with: #""\#(name)": \#(value)"#,
                                                 options: .regularExpression)
      }
      #expect(inflated != manifest)
      try inflated.write(toFile: manifestPath, atomically: true, encoding: .utf8)
      let error = #expect(throws: ZhongcaoError.self) { try SparkExchange.readExport(export) }
      #expect(error?.location?.field == field && error?.message.contains("room for at most") == true, "\(String(describing: error))")
    }
    try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
    // Rank 4,096 for three ids: 3 × 4,096 floats set aside only if the factor file can hold them.
    try #"{"rank": 4096, "regParam": 0.1, "alpha": 1, "maxIter": 3, "seed": 1, "sparkVersion": "test", "fitSeconds": 0.5}"#
      .write(toFile: factors + "/training.json", atomically: true, encoding: .utf8)
    for name in ["user_factors.csv", "item_factors.csv"] {
      try "id,f0,f1\n0,0.1,0.2\n1,0.3,0.4\n2,0.5,0.6\n".write(toFile: factors + "/" + name, atomically: true, encoding: .utf8)
    }
    let rank = #expect(throws: ZhongcaoError.self) { try SparkExchange.importModel(export: export, factors: factors) }
    #expect(rank?.message.contains("room for at most 0 lines of rank 4096") == true, "\(String(describing: rank))")
  }

  @Test("import refuses factors with a missing id or a wrong length, naming file, line and field")
  func importErrors() throws {
    let export = temporaryDirectory(), factors = temporaryDirectory()
    defer { for d in [export, factors] { try? FileManager.default.removeItem(atPath: d) } }
    try SparkExchange.export(try Self.smallMatrix(), source: "memory", to: export)
    try #"{"rank": 2, "regParam": 0.1, "alpha": 1, "maxIter": 3, "seed": 1, "sparkVersion": "test", "fitSeconds": 0.5}"#
      .write(toFile: factors + "/training.json", atomically: true, encoding: .utf8)
    try "id,f0,f1\n0,0.1,0.2\n1,0.3,0.4\n2,0.5,0.6\n".write(toFile: factors + "/item_factors.csv", atomically: true, encoding: .utf8)
    try "id,f0,f1\n0,0.1,0.2\n2,0.5,0.6\n".write(toFile: factors + "/user_factors.csv", atomically: true, encoding: .utf8)
    let missing = #expect(throws: ZhongcaoError.self) { try SparkExchange.importModel(export: export, factors: factors) }
    #expect(missing?.message.contains("no factors for id 1") == true)
    #expect(missing?.location?.file.hasSuffix("user_factors.csv") == true)
    try "id,f0,f1\n0,0.1,0.2\n1,0.3\n2,0.5,0.6\n".write(toFile: factors + "/user_factors.csv", atomically: true, encoding: .utf8)
    let short = #expect(throws: ZhongcaoError.self) { try SparkExchange.importModel(export: export, factors: factors) }
    #expect(short?.location?.line == 3)

    try "id,f0,f1\n0,0.1,0.2\n1,0.3,0.4\n2,0.5,0.6\n".write(toFile: factors + "/user_factors.csv", atomically: true, encoding: .utf8)
    let model = try SparkExchange.importModel(export: export, factors: factors)
    let expectedHash = try Self.smallMatrix().contentHash
    #expect(model.provenance.trainingSeconds == 0.5 && model.provenance.dataHash == expectedHash)
    guard case .als(let configuration) = model.contents.settings else { Issue.record("not ALS"); return }
    #expect(configuration.regularizationConvention == .spark && configuration.factors == 2)
    let top = try model.recommendations(for: "bob", count: 1)
    #expect(top.map(\.note) == ["n1"])
    #expect(abs(top[0].score - (0.3 * 0.1 + 0.4 * 0.2)) < 1e-6)

    try #"{"rank": 2, "regParam": 0.1, "alpha": 1, "maxIter": 3, "seed": 1, "sparkVersion": "test", "fitSeconds": 0.5, "dataHash": "0123456789abcdef"}"#
      .write(toFile: factors + "/training.json", atomically: true, encoding: .utf8)
    let otherData = #expect(throws: ZhongcaoError.self) { try SparkExchange.importModel(export: export, factors: factors) }
    #expect(otherData?.location?.field == "dataHash")
  }

  @Test("model files without a regularization convention load as frequency-scaled; spark survives a save")
  func conventionPersistence() throws {
    let old = try JSONDecoder().decode(ALSConfiguration.self, from: Data(#"{"factors": 8, "alpha": 3}"#.utf8))
    #expect(old.regularizationConvention == .frequencyScaled && old.factors == 8 && old.alpha == 3)
    var configuration = ALSConfiguration()
    configuration.regularizationConvention = .spark
    let back = try JSONDecoder().decode(ALSConfiguration.self, from: JSONEncoder().encode(configuration))
    #expect(back == configuration)
    configuration.unobservedWeight = 2
    #expect(throws: ZhongcaoError.self) { try configuration.validate() }
  }

  @Test("ALS with Spark's convention: each user solves (YᵀY + Σ α·r y yᵀ + λ·n_u I) x = Σ (1 + α·r) y")
  func sparkConventionUserStep() throws {
    var configuration = ALSConfiguration()
    configuration.factors = 3
    configuration.iterations = 2
    configuration.regularization = 0.7
    configuration.alpha = 1.5
    configuration.solver = .cholesky
    configuration.regularizationConvention = .spark
    configuration.threads = 1
    let model = try ImplicitALS(configuration).train(on: InteractionMatrix(
      users: IDMap(["a", "b", "c", "d"]), notes: IDMap(["p", "q", "r", "s", "t"]),
      byUser: ImplicitALSTests.tinyProblem(users: 4, notes: 5, seed: 3)))
    let users = model.contents.userFactors, notes = model.contents.noteFactors, seen = model.contents.seen
    let k = 3
    for u in 0..<4 {
      var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k), b = [Double](repeating: 0, count: k)
      for i in 0..<5 {
        for r in 0..<k { for c in 0..<k { a[r][c] += Double(notes[r, i]) * Double(notes[c, i]) } }
      }
      let range = seen.range(ofRow: u)
      for entry in range {
        let i = Int(seen.indices[entry]), weight = Double(seen.values[entry])
        for r in 0..<k {
          for c in 0..<k { a[r][c] += 1.5 * weight * Double(notes[r, i]) * Double(notes[c, i]) }
          b[r] += (1 + 1.5 * weight) * Double(notes[r, i])
        }
      }
      for r in 0..<k { a[r][r] += 0.7 * Double(range.count) }
      let expected = denseSolve(a, b).map(Float.init)
      let trained = (0..<k).map { users[$0, u] }
      #expect(relativeError(trained, expected) < 1e-4, "user \(u): \(trained) vs \(expected)")
    }
  }

  @Test("Spark round trip on MovieLens: scores, top-K after seen-exclusion and fold-in match Spark",
        .enabled(if: sparkMissing == nil, "needs ../shared/data/movielens-latest-small, java on PATH and python3 with pyspark (pip install pyspark)"),
        .timeLimit(.minutes(10)))
  func movieLensRoundTrip() throws {
    let export = temporaryDirectory(), factors = temporaryDirectory()
    defer { for d in [export, factors] { try? FileManager.default.removeItem(atPath: d) } }
    let matrix = InteractionMatrix(try Interactions.load(contentsOf: sparkMovieLens).0)
    try SparkExchange.export(matrix, source: sparkMovieLens, to: export)
    let users = 25, count = 10
    let job = run(["python3", sparkJob, "--export", export, "--out", factors, "--rank", "10", "--reg", "0.1",
                   "--alpha", "1", "--max-iter", "5", "--seed", "7", "--master", "local[2]",
                   "--recommend-users", "\(users)", "--recommend-count", "\(count)"])
    try #require(job.status == 0, "Spark job failed: \(job.errors.suffix(2000))")
    let modelPath = factors + "/model.zcm"
    try SparkExchange.importModel(export: export, factors: factors).save(to: modelPath)
    let model = try FeedModel(contentsOf: modelPath)

    // Spark's recommendations: user, rank, item, score.
    var spark: [Int: [(item: Int, score: Float)]] = [:]
    let lines = try String(contentsOfFile: factors + "/recommendations.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    for line in lines {
      let fields = line.split(separator: ",")
      spark[Int(fields[0])!, default: []].append((Int(fields[2])!, Float(fields[3])!))
    }
    try #require(spark.count == users)
    let sparkUserFactors = model.contents.userFactors
    var worstScore: Float = 0, worstFoldIn: Float = 0, largestDefaultFoldIn: Float = 0
    for u in 0..<users {
      let user = matrix.users[u]
      let seen = Set(matrix.notes(ofUser: user).map(\.note))
      let sparkList = spark[u]!
      // (a) every score Zhongcao serves equals Spark's dot product.
      let sparkScores = Dictionary(uniqueKeysWithValues: sparkList.map { (matrix.notes[$0.item], $0.score) })
      let ours = try model.recommendations(for: user, count: count)
      for recommendation in ours {
        let theirs = try #require(sparkScores[recommendation.note], "user \(user): \(recommendation.note) not in Spark's list")
        worstScore = max(worstScore, abs(recommendation.score - theirs) / max(1, abs(theirs)))
      }
      // (b) top-K after the same seen-exclusion: the same notes in the same order (ties within
      // float noise may swap).
      let theirs = sparkList.filter { !seen.contains(matrix.notes[$0.item]) }.prefix(count)
      #expect(theirs.count == count)
      for (mine, their) in zip(ours, theirs) where mine.note != matrix.notes[their.item] {
        #expect(abs(mine.score - their.score) <= 1e-5 * max(1, abs(their.score)),
                "user \(user): Zhongcao \(mine.note) (\(mine.score)) vs Spark \(matrix.notes[their.item]) (\(their.score))")
      }
      // (c) fold-in with Spark's conventions reproduces Spark's final user vector.
      let events = matrix.notes(ofUser: user)
      let sparkVector = (0..<10).map { sparkUserFactors[$0, u] }
      worstFoldIn = max(worstFoldIn, relativeError(try model.foldIn(events: events), sparkVector))
      // Control: Zhongcao's own convention (plain λ) does not (for users with many ratings).
      var contents = model.contents
      guard case .als(var plain) = contents.settings else { Issue.record("not ALS"); return }
      plain.regularizationConvention = .frequencyScaled
      contents.settings = .als(plain)
      largestDefaultFoldIn = max(largestDefaultFoldIn, relativeError(try FeedModel(contents: contents).foldIn(events: events), sparkVector))
    }
    #expect(worstScore < 1e-5, "largest relative score difference \(worstScore)")
    #expect(worstFoldIn < 1e-4, "largest relative fold-in difference \(worstFoldIn)")
    #expect(largestDefaultFoldIn > 1e-1, "the frequency-scaled fold-in should differ from Spark's, largest difference \(largestDefaultFoldIn)")
    print("Spark round trip: \(model.provenance.blasCore) fit \(model.provenance.trainingSeconds) s")
    print("Spark round trip: score difference \(worstScore), fold-in difference \(worstFoldIn) (frequency-scaled \(largestDefaultFoldIn))")
  }
}
