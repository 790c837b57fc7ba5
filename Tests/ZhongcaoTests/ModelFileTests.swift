import Foundation
import Testing
import Zhongcao
import ZhongcaoLinearAlgebra

/// The model file: exact round trips, atomic writes, and refusal of every truncated, corrupted,
/// wrong-version or hostile file with an `.invalidModel` error instead of a crash.
@Suite struct ModelFileTests {
  // MARK: Round trips

  @Test(arguments: [
    (users: 0, notes: 0, factors: 4), (users: 1, notes: 0, factors: 1), (users: 0, notes: 1, factors: 2),
    (users: 1, notes: 1, factors: 1), (users: 3, notes: 2, factors: 0), (users: 6, notes: 5, factors: 3),
    (users: 40, notes: 25, factors: 8),
  ])
  func roundTripInMemoryIsBitwiseEqual(users: Int, notes: Int, factors: Int) throws {
    let model = Self.makeModel(users: users, notes: notes, factors: factors, seed: UInt64(users * 100 + notes))
    let bytes = ModelFile.encode(model)
    let decoded = try ModelFile.decode(bytes, name: "<memory>")
    Self.expectBitwiseEqual(decoded, model)
    #expect(ModelFile.encode(decoded) == bytes, "encoding is deterministic")
  }

  @Test func layoutMatchesTheDocumentation() throws {
    let model = Self.makeModel(users: 6, notes: 5, factors: 3, seed: 11)
    let bytes = ModelFile.encode(model)
    #expect(Array(bytes[0..<8]) == Array("ZHONGCAO".utf8))
    #expect(Self.littleEndian(bytes, at: 8, count: 4) == UInt64(ModelFile.currentVersion))
    #expect(Self.littleEndian(bytes, at: 12, count: 4) == 0)
    let headerLength = Int(Self.littleEndian(bytes, at: 16, count: 8))
    #expect(Self.littleEndian(bytes, at: 24 + headerLength, count: 8) == Checksum.xxh64(bytes[..<(24 + headerLength)]))
    let header = try Self.header(of: bytes)
    let sections = try #require(header["sections"] as? [[String: Any]])
    #expect(sections.map { $0["name"] as? String } == [
      "userIDs", "noteIDs", "userVectors", "noteVectors", "seenOffsets", "seenIndices", "seenValues",
      "neighbourOffsets", "neighbourIndices", "neighbourValues",
    ])
    for section in sections {
      let offset = try #require(section["offset"] as? Int), length = try #require(section["length"] as? Int)
      #expect(offset % 64 == 0, "\(section)")
      #expect(section["checksum"] as? String == Self.hex(Checksum.xxh64(bytes[offset..<offset + length])))
    }
    let userFactors = try #require(sections.first { $0["name"] as? String == "userVectors" })
    let offset = try #require(userFactors["offset"] as? Int)
    #expect(userFactors["length"] as? Int == 4 * 3 * 6)
    #expect(UInt32(Self.littleEndian(bytes, at: offset + 4 * 4, count: 4)) == model.userFactors[1, 1].bitPattern)
    #expect(header["userCount"] as? Int == 6)
    #expect(header["noteCount"] as? Int == 5)
    #expect(header["userVectorLength"] as? Int == 3)
    #expect(header["noteVectorLength"] as? Int == 3)
    #expect(header["seenEntries"] as? Int == model.seen.entryCount)
  }

  @Test func roundTripThroughAFile() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zhongcao"
    let first = Self.makeModel(users: 30, notes: 20, factors: 5, seed: 1)
    try ModelFile.write(first, to: path)
    Self.expectBitwiseEqual(try ModelFile.read(from: path), first)
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == ModelFile.encode(first))

    let second = Self.makeModel(users: 7, notes: 9, factors: 2, seed: 2)
    try ModelFile.write(second, to: path)
    Self.expectBitwiseEqual(try ModelFile.read(from: path), second)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.zhongcao"],
            "no temporary file is left behind")
  }

  @Test func nonFiniteProvenanceNumbersRoundTrip() throws {
    var model = Self.makeModel(users: 2, notes: 2, factors: 2, seed: 3)
    model.provenance.lossHistory = [.nan, .infinity, -.infinity, 0.25]
    model.provenance.trainingSeconds = .infinity
    let decoded = try ModelFile.decode(ModelFile.encode(model), name: "<memory>")
    #expect(decoded.provenance.lossHistory[0].isNaN)
    #expect(Array(decoded.provenance.lossHistory[1...]) == [.infinity, -.infinity, 0.25])
    #expect(decoded.provenance.trainingSeconds == .infinity)
  }

  // MARK: Truncation and corruption

  @Test func everyTruncationIsRejected() {
    let bytes = ModelFile.encode(Self.makeModel(users: 6, notes: 5, factors: 3, seed: 4))
    var wronglyHandled: [Int] = []
    for length in 0..<bytes.count where !Self.isRejectedAsInvalid(Array(bytes[..<length])) {
      wronglyHandled.append(length)
    }
    #expect(wronglyHandled.isEmpty, "truncations not rejected as invalid: \(wronglyHandled.prefix(20))")
  }

  @Test func everyPositionDetectsACorruptedByte() {
    let bytes = ModelFile.encode(Self.makeModel(users: 6, notes: 5, factors: 3, seed: 5))
    var undetected: [Int] = []
    for position in bytes.indices {
      var corrupted = bytes
      corrupted[position] ^= 0x5A
      if !Self.isRejectedAsInvalid(corrupted) { undetected.append(position) }
    }
    #expect(undetected.isEmpty, "corrupted bytes not detected at offsets \(undetected.prefix(20))")
  }

  @Test func randomSingleByteFlipsAreRejected() {
    let bytes = ModelFile.encode(Self.makeModel(users: 9, notes: 7, factors: 4, seed: 6))
    var generator = SplitMix64(seed: 2024)
    var undetected: [(position: Int, mask: UInt8)] = []
    for _ in 0..<2000 {
      let position = Int.random(in: bytes.indices, using: &generator)
      let mask = UInt8.random(in: 1...255, using: &generator)
      var corrupted = bytes
      corrupted[position] ^= mask
      if !Self.isRejectedAsInvalid(corrupted) { undetected.append((position, mask)) }
    }
    #expect(undetected.isEmpty, "flips not detected: \(undetected.prefix(20))")
  }

  @Test func corruptionIsReportedWhereItIs() throws {
    let bytes = ModelFile.encode(Self.makeModel(users: 6, notes: 5, factors: 3, seed: 7))
    let (offset, _) = try Self.section("noteVectors", of: bytes)
    var section = bytes
    section[offset + 5] ^= 1
    #expect(Self.invalidModelMessage(section) == "checksum mismatch in section 'noteVectors'")

    var header = bytes
    header[40] ^= 1
    #expect(Self.invalidModelMessage(header) == "checksum mismatch in header")

    let (userIDsOffset, userIDsLength) = try Self.section("userIDs", of: bytes)
    let paddingOffset = userIDsOffset + userIDsLength
    try #require(paddingOffset % 64 != 0, "the fixture has padding after userIDs")
    var padding = bytes
    padding[paddingOffset] = 1
    #expect(Self.invalidModelMessage(padding) == "nonzero padding byte at offset \(paddingOffset)")

    #expect(Self.invalidModelMessage(bytes + [0]) == "1 unexpected bytes after the last section")
    #expect(Self.invalidModelMessage(Array(bytes.dropLast(3)))?.hasPrefix("truncated: section '") == true)
  }

  // MARK: Wrong files and versions

  @Test func badMagicIsRejected() {
    var bytes = ModelFile.encode(Self.makeModel(users: 2, notes: 2, factors: 2, seed: 8))
    bytes[3] = UInt8(ascii: "X")
    #expect(Self.invalidModelMessage(bytes) == "not a Zhongcao model file (bad magic)")
    #expect(Self.invalidModelMessage(Array("user\tnote\nu1\tn1\n".utf8)) == "not a Zhongcao model file (bad magic)")
    #expect(Self.invalidModelMessage([]) == "truncated: the file has 0 bytes, a model file has at least 32")
    #expect(Self.invalidModelMessage(Array("ZHONG".utf8))?.hasPrefix("truncated") == true)
  }

  @Test func otherVersionsAndFlagsAreRejected() {
    let bytes = ModelFile.encode(Self.makeModel(users: 2, notes: 2, factors: 2, seed: 9))
    var future = bytes
    future[8] = 7
    #expect(Self.invalidModelMessage(future) == "model file version 7 is newer than this Zhongcao (reads version 2)")
    var zero = bytes
    zero[8] = 0
    #expect(Self.invalidModelMessage(zero) == "model file version 0 is not a valid version")
    var flagged = bytes
    flagged[12] = 2
    #expect(Self.invalidModelMessage(flagged) == "unknown flags 0x2 in a version 2 model file")
  }

  @Test func headerLengthsBeyondTheFileAreRejected() {
    let bytes = ModelFile.encode(Self.makeModel(users: 2, notes: 2, factors: 2, seed: 10))
    var pastEnd = bytes
    Self.store(UInt64(bytes.count), into: &pastEnd, at: 16)
    #expect(Self.invalidModelMessage(pastEnd) == "truncated: the header needs \(bytes.count + 32) bytes, file has \(bytes.count)")
    var huge = bytes
    Self.store(UInt64.max, into: &huge, at: 16)
    #expect(Self.invalidModelMessage(huge) == "header length \(UInt64.max) exceeds the limit of 16777216 bytes")
  }

  /// Headers with valid checksums but hostile content: refused before any large allocation.
  @Test func hostileHeadersAreRejected() throws {
    let bytes = ModelFile.encode(Self.makeModel(users: 6, notes: 5, factors: 3, seed: 12))
    // The helper itself keeps a file valid when it changes nothing.
    Self.expectBitwiseEqual(try ModelFile.decode(Self.reheadered(bytes) { _ in }, name: "<memory>"),
                            Self.makeModel(users: 6, notes: 5, factors: 3, seed: 12))

    let cases: [(String, (inout [String: Any]) -> Void)] = [
      ("userCount 1152921504606846976 is out of range 0...2147483647", { $0["userCount"] = 1 << 60 }),
      ("noteCount -1 is out of range 0...2147483647", { $0["noteCount"] = -1 }),
      ("seenEntries -5 is negative", { $0["seenEntries"] = -5 }),
      ("userVectorLength 1099511627776 is out of range 0...65536", { $0["userVectorLength"] = 1 << 40 }),
      ("the counts in the header make section 'seenIndices' larger than any file", { $0["seenEntries"] = 1 << 62 }),
      ("section 'userIDs' has length", { $0["userCount"] = Int(Int32.max) }),
      ("a als model has vectors of 6 floats per user and 6 per note, the header says 6 and 3", { $0["userVectorLength"] = 6 }),
      ("section 'userVectors' has length 72, the counts in the header require 144", { header in
        header["userVectorLength"] = 6
        header["noteVectorLength"] = 6
      }),
      ("header is not valid: 'userCount': missing", { $0["userCount"] = nil }),
      ("header is not valid", { $0["noteCount"] = "five" }),
      ("header is not valid", { $0["seenEntries"] = 1e300 }),
      ("invalid configuration: factors must be in 1...4096", { header in
        var settings = header["settings"] as! [String: Any]
        var configuration = settings["configuration"] as! [String: Any]
        configuration["factors"] = 0
        settings["configuration"] = configuration
        header["settings"] = settings
      }),
      ("a popularity model has vectors of 0 floats per user and 1 per note, the header says 3 and 3", { header in
        header["settings"] = ["kind": "popularity", "configuration": ["measure": "users"]]
      }),
      ("the section table lists", { header in
        var sections = header["sections"] as! [[String: Any]]
        sections.swapAt(2, 3)
        header["sections"] = sections
      }),
      ("the section table lists", { header in
        header["sections"] = Array((header["sections"] as! [[String: Any]]).dropLast())
      }),
      ("section 'noteIDs' is at offset", { header in
        var sections = header["sections"] as! [[String: Any]]
        sections[1]["offset"] = (sections[1]["offset"] as! Int) + 64
        header["sections"] = sections
      }),
      ("section 'userVectors' has checksum '+0000000000000ff', not 16 lowercase hex digits", { header in
        var sections = header["sections"] as! [[String: Any]]
        sections[2]["checksum"] = "+0000000000000ff"
        header["sections"] = sections
      }),
      ("truncated: section 'seenIndices' needs 4398046511104 bytes at offset", { header in
        // Consistent counts and lengths for a 4 TB interaction block: refused by size, unallocated.
        header["seenEntries"] = 1 << 40
        var sections = header["sections"] as! [[String: Any]]
        sections[5]["length"] = 1 << 42
        sections[6]["length"] = 1 << 42
        sections[6]["offset"] = (sections[5]["offset"] as! Int) + (1 << 42)
        header["sections"] = sections
      }),
    ]
    for (expected, mutate) in cases {
      let message = Self.invalidModelMessage(try Self.reheadered(bytes, mutate))
      #expect(message?.hasPrefix(expected) == true, "expected '\(expected)…', got \(message ?? "success")")
    }

    let notJSON = try Self.reheadered(bytes, rawHeader: Array("{\"algorithm\": [".utf8))
    #expect(Self.invalidModelMessage(notJSON)?.hasPrefix("header is not valid") == true)
    // Deep nesting must not exhaust the stack.
    let nested = try Self.reheadered(bytes, rawHeader: [UInt8](repeating: UInt8(ascii: "["), count: 200_000),
                                     shift: 200_064)
    #expect(Self.invalidModelMessage(nested)?.hasPrefix("header is not valid") == true)
  }

  // MARK: Content checks behind valid checksums

  @Test func invalidContentIsRejectedOnReadAndOnWrite() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let base = Self.makeModel(users: 3, notes: 4, factors: 2, seed: 13)
    func withSeen(_ offsets: [Int], _ indices: [Int32], _ values: [Float]) -> ModelContents {
      var model = base
      model.seen = SparseRows(rowCount: 3, columnCount: 4, offsets: offsets, indices: indices, values: values)
      return model
    }
    var nanFactor = base
    nanFactor.userFactors[1, 2] = .nan
    var infiniteNoteFactor = base
    infiniteNoteFactor.noteFactors[0, 3] = -.infinity
    let cases: [(ModelContents, String)] = [
      (nanFactor, "section 'userVectors' holds nan at column 2, factor 1"),
      (infiniteNoteFactor, "section 'noteVectors' holds -inf at column 3, factor 0"),
      (withSeen([0, 2, 2, 3], [3, 1, 0], [1, 1, 1]),
       "seen interactions: note indices of user 0 are not strictly increasing (1 after 3)"),
      (withSeen([0, 2, 2, 3], [1, 1, 0], [1, 1, 1]),
       "seen interactions: note indices of user 0 are not strictly increasing (1 after 1)"),
      (withSeen([0, 1, 1, 2], [0, 4], [1, 1]), "seen interactions: user 2 has note index 4, out of range for 4 notes"),
      (withSeen([0, 1, 1, 2], [0, -2], [1, 1]), "seen interactions: user 2 has the negative note index -2"),
      (withSeen([0, 1, 1, 2], [0, 2], [1, .infinity]), "seen interactions: seen value inf at entry 1 is not finite"),
    ]
    for (model, expected) in cases {
      #expect(Self.invalidModelMessage(ModelFile.encode(model)) == expected)
      let path = directory + "/bad.zhongcao"
      #expect {
        try ModelFile.write(model, to: path)
      } throws: { error in
        (error as? ZhongcaoError)?.code == .invalidArgument
      }
      #expect(!FileManager.default.fileExists(atPath: path))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
  }

  @Test func brokenIDMapsAreRejected() throws {
    var model = Self.makeModel(users: 2, notes: 3, factors: 2, seed: 14)
    model.notes = IDMap(["n0", "n1", "n2"])
    let bytes = ModelFile.encode(model)
    let tableLength = 8 * 4

    let duplicate = try Self.rewritingSection("noteIDs", of: bytes) { $0[tableLength + 3] = UInt8(ascii: "0") }
    #expect(Self.invalidModelMessage(duplicate) == "section 'noteIDs': id 'n0' appears at indices 0 and 1")

    let invalidUTF8 = try Self.rewritingSection("noteIDs", of: bytes) { $0[tableLength + 4] = 0xFF }
    #expect(Self.invalidModelMessage(invalidUTF8) == "section 'noteIDs': id 2 is not valid UTF-8")

    let decreasing = try Self.rewritingSection("noteIDs", of: bytes) { $0[8] = 5 }  // ends: 0, 5, 4, 6
    #expect(Self.invalidModelMessage(decreasing) == "section 'noteIDs': id offsets decrease at id 1")

    let wrongEnd = try Self.rewritingSection("noteIDs", of: bytes) { $0[24] = 5 }
    #expect(Self.invalidModelMessage(wrongEnd) == "section 'noteIDs': id offsets run from 0 to 5, not 0 to 6")

    let hugeOffset = try Self.rewritingSection("noteIDs", of: bytes) { $0[15] = 0xFF }
    #expect(Self.invalidModelMessage(hugeOffset) == "section 'noteIDs': id offsets decrease at id 1")
  }

  @Test func headersOverTheLimitAreRefusedOnWrite() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var model = Self.makeModel(users: 2, notes: 2, factors: 2, seed: 17)
    model.provenance.dataHash = String(repeating: "f", count: 16 << 20)
    #expect {
      try ModelFile.write(model, to: directory + "/huge.zhongcao")
    } throws: { error in
      let error = error as? ZhongcaoError
      return error?.code == .invalidArgument && error?.message.contains("more than the 16777216") == true
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
  }

  // MARK: Files and atomic writes

  @Test func missingFilesAndDirectoriesAreIOErrors() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect {
      try ModelFile.read(from: directory + "/absent.zhongcao")
    } throws: { error in
      let error = error as? ZhongcaoError
      return error?.code == .io && error?.location?.file == directory + "/absent.zhongcao"
    }
    #expect {
      try ModelFile.read(from: directory)
    } throws: { error in
      (error as? ZhongcaoError)?.code == .io
    }
  }

  @Test func failedWritesLeaveTheTargetAndNoTemporaryFile() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zhongcao"
    let original = Self.makeModel(users: 4, notes: 3, factors: 2, seed: 15)
    try ModelFile.write(original, to: path)
    let replacement = Self.makeModel(users: 5, notes: 5, factors: 2, seed: 16)

    // The target's directory is missing: nothing is written anywhere.
    #expect {
      try ModelFile.write(replacement, to: directory + "/missing/model.zhongcao")
    } throws: { error in
      (error as? ZhongcaoError)?.code == .io
    }
    // The target is a non-empty directory: the rename fails, the temporary file goes away.
    let blocked = directory + "/blocked"
    try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
    #expect {
      try ModelFile.write(replacement, to: blocked)
    } throws: { error in
      (error as? ZhongcaoError)?.code == .io
    }
    // Contents the reader would refuse: the old file stays.
    var invalid = replacement
    invalid.noteFactors[0, 0] = .nan
    #expect(throws: ZhongcaoError.self) { try ModelFile.write(invalid, to: path) }

    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blocked", "model.zhongcao"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: blocked) == ["inside"])
    Self.expectBitwiseEqual(try ModelFile.read(from: path), original)
  }

  // MARK: - Helpers

  /// A random model with awkward ids (empty, CJK, emoji) and awkward floats (−0, subnormals,
  /// extremes), so that the round trip must be exact.
  static func makeModel(users: Int, notes: Int, factors: Int, seed: UInt64) -> ModelContents {
    var generator = SplitMix64(seed: seed)
    func id(_ prefix: String, _ index: Int) -> String {
      switch index % 4 {
      case 0: index == 0 ? "" : "\(prefix)\(index)"
      case 1: "用户·\(prefix)\(index)"
      case 2: "🍜\(index)\(prefix)"
      default: "\(prefix)-\(generator.next() % 1_000_000)-\(index)"
      }
    }
    func float() -> Float {
      switch generator.next() % 10 {
      case 0: -0.0
      case 1: .leastNonzeroMagnitude * Float(generator.next() % 1000 + 1)
      case 2: generator.next() % 2 == 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
      default: Float.random(in: -3...3, using: &generator)
      }
    }
    var configuration = ALSConfiguration()
    configuration.factors = max(factors, 1)
    configuration.iterations = Int(generator.next() % 50)
    configuration.regularization = Float.random(in: 0.001...1, using: &generator)
    configuration.alpha = Float.random(in: 0...40, using: &generator)
    configuration.solver = generator.next() % 2 == 0 ? .cholesky : .conjugateGradient
    configuration.seed = UInt64.max - generator.next() % 1000
    configuration.computeLoss = true
    let provenance = TrainingProvenance(
      dataHash: String(generator.next(), radix: 16), users: users, notes: notes, pairs: users * notes / 2,
      trainingSeconds: Double.random(in: 0...1000, using: &generator),
      lossHistory: [0.1, 1e-300, .greatestFiniteMagnitude, .infinity, Double.random(in: 0...1, using: &generator)],
      blasCore: "Haswell", threads: 2, zhongcaoVersion: "0.1.0", trainedAt: "2025-01-02T03:04:05Z")
    var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
    for user in 0..<users {
      for note in 0..<notes where generator.next() % 3 == 0 {
        rows.append(Int32(user))
        columns.append(Int32(note))
        values.append(Float.random(in: 0.5...20, using: &generator))
      }
    }
    return ModelContents(
      algorithm: "als", configuration: configuration, provenance: provenance,
      users: IDMap((0..<users).map { id("u", $0) }), notes: IDMap((0..<notes).map { id("n", $0) }),
      userFactors: Matrix(rows: factors, columns: users, storage: (0..<factors * users).map { _ in float() }),
      noteFactors: Matrix(rows: factors, columns: notes, storage: (0..<factors * notes).map { _ in float() }),
      seen: SparseRows(rowCount: users, columnCount: notes, rows: rows, columns: columns, values: values))
  }

  /// Equal, and equal bit for bit where `==` on floats is looser (−0 vs 0).
  static func expectBitwiseEqual(_ actual: ModelContents, _ expected: ModelContents,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
    #expect(actual.userFactors.storage.map(\.bitPattern) == expected.userFactors.storage.map(\.bitPattern),
            sourceLocation: sourceLocation)
    #expect(actual.noteFactors.storage.map(\.bitPattern) == expected.noteFactors.storage.map(\.bitPattern),
            sourceLocation: sourceLocation)
    #expect(actual.seen.values.map(\.bitPattern) == expected.seen.values.map(\.bitPattern),
            sourceLocation: sourceLocation)
    #expect(actual.settings == expected.settings, sourceLocation: sourceLocation)
  }

  /// True when decoding throws `.invalidModel` (anything else, including success, is false).
  static func isRejectedAsInvalid(_ bytes: [UInt8]) -> Bool {
    do {
      _ = try ModelFile.decode(bytes, name: "<memory>")
      return false
    } catch {
      return error.code == .invalidModel && error.location?.file == "<memory>"
    }
  }

  /// The message of the `.invalidModel` error decoding throws, or nil.
  static func invalidModelMessage(_ bytes: [UInt8]) -> String? {
    do {
      _ = try ModelFile.decode(bytes, name: "<memory>")
      return nil
    } catch {
      return error.code == .invalidModel ? error.message : "unexpected \(error.code): \(error.message)"
    }
  }

  static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
    (0..<count).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
  }

  static func store(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
    for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
  }

  static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  static func header(of bytes: [UInt8]) throws -> [String: Any] {
    let length = Int(littleEndian(bytes, at: 16, count: 8))
    return try #require(JSONSerialization.jsonObject(with: Data(bytes[24..<24 + length])) as? [String: Any])
  }

  static func section(_ name: String, of bytes: [UInt8]) throws -> (offset: Int, length: Int) {
    let sections = try #require(header(of: bytes)["sections"] as? [[String: Any]])
    let section = try #require(sections.first { $0["name"] as? String == name })
    return (try #require(section["offset"] as? Int), try #require(section["length"] as? Int))
  }

  /// The file with its header replaced by `mutate(header)` and a valid header checksum. The
  /// data moves 1 KiB further, the section offsets move with it, and the JSON is padded with
  /// spaces to fill the header, so the layout stays valid unless `mutate` breaks it.
  static func reheadered(_ bytes: [UInt8], _ mutate: (inout [String: Any]) -> Void) throws -> [UInt8] {
    var header = try header(of: bytes)
    let shift = 1024
    var sections = try #require(header["sections"] as? [[String: Any]])
    for index in sections.indices { sections[index]["offset"] = (sections[index]["offset"] as! Int) + shift }
    header["sections"] = sections
    mutate(&header)
    return try reheadered(bytes, rawHeader: Array(JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])),
                          shift: shift)
  }

  static func reheadered(_ bytes: [UInt8], rawHeader: [UInt8], shift: Int = 1024) throws -> [UInt8] {
    let dataStart = try section("userIDs", of: bytes).offset
    let headerLength = dataStart + shift - 24 - 8
    try #require(rawHeader.count <= headerLength)
    var file = Array(bytes[0..<16])
    for index in 0..<8 { file.append(UInt8(truncatingIfNeeded: UInt64(headerLength) >> (8 * index))) }
    file += rawHeader + [UInt8](repeating: UInt8(ascii: " "), count: headerLength - rawHeader.count)
    let checksum = Checksum.xxh64(file)
    for index in 0..<8 { file.append(UInt8(truncatingIfNeeded: checksum >> (8 * index))) }
    return file + bytes[dataStart...]
  }

  /// The file with one section's bytes changed by `transform` and every checksum made valid
  /// again: only the content checks can catch the change.
  static func rewritingSection(_ name: String, of bytes: [UInt8], _ transform: (inout [UInt8]) -> Void) throws
    -> [UInt8]
  {
    let (offset, length) = try section(name, of: bytes)
    var content = Array(bytes[offset..<offset + length])
    let oldChecksum = Array(hex(Checksum.xxh64(content)).utf8)
    transform(&content)
    let newChecksum = Array(hex(Checksum.xxh64(content)).utf8)
    var file = bytes
    file.replaceSubrange(offset..<offset + length, with: content)
    let headerLength = Int(littleEndian(bytes, at: 16, count: 8))
    let headerStart = try #require((24...(24 + headerLength - 16)).first { Array(file[$0..<$0 + 16]) == oldChecksum })
    file.replaceSubrange(headerStart..<headerStart + 16, with: newChecksum)
    store(Checksum.xxh64(file[..<(24 + headerLength)]), into: &file, at: 24 + headerLength)
    return file
  }

  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "/zhongcao-modelfile-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}

