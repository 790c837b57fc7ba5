import Foundation
import Testing
@testable import Zhongcao
import ZhongcaoLinearAlgebra

/// Memory-mapped model files: the same contents and the same answers as a file read into
/// memory, the same refusals of broken files, and no dependence on the file once it is replaced.
@Suite struct ModelFileMappingTests {
  @Test(arguments: [
    (users: 0, notes: 0, factors: 4), (users: 1, notes: 1, factors: 1), (users: 3, notes: 2, factors: 0),
    (users: 40, notes: 25, factors: 8),
  ])
  func mappedContentsEqualReadContents(users: Int, notes: Int, factors: Int) throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    let model = ModelFileTests.makeModel(users: users, notes: notes, factors: factors, seed: UInt64(users + 7))
    try ModelFile.write(model, to: path)
    for verification in [ModelVerification.full, .structure] {
      let mapped = try ModelFile.map(from: path, verification: verification)
      ModelFileTests.expectBitwiseEqual(mapped, model)
      #expect(mapped.userFactors.storage.isMapped && mapped.seen.indices.isMapped)
      #expect(ModelFile.encode(mapped) == ModelFile.encode(model), "a mapped model writes the same bytes")
    }
  }

  @Test(arguments: [ModelKind.als, .ease, .itemKNN, .popularity])
  func everyKindServesTheSameAnswersMapped(kind: ModelKind) throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    let trained = try kind == .als ? Self.trainedALS() : ModelKindTests.randomModel(kind, seed: 3)
    try trained.save(to: path)
    let read = try FeedModel(contentsOf: path)
    let mapped = try FeedModel(contentsOf: path, storage: .memoryMapped)
    #expect(!read.isMemoryMapped && mapped.isMemoryMapped)
    #expect(mapped.users == read.users && mapped.notes == read.notes)
    for user in read.users.ids.prefix(10) {
      #expect(try mapped.recommendations(for: user, count: 7) == read.recommendations(for: user, count: 7))
      #expect(mapped.seenNotes(of: user).elementsEqual(read.seenNotes(of: user)) { $0 == $1 })
    }
    let batch = try mapped.recommendations(for: read.users.ids + ["nobody"], count: 5, threads: 2)
    #expect(batch.unknownUsers == ["nobody"])
    let note = read.notes[3]
    if kind != .popularity {
      #expect(try mapped.similarNotes(to: note, count: 6) == read.similarNotes(to: note, count: 6))
    }
    let events: [(note: String, weight: Float)] = [(read.notes[1], 3), (read.notes[4], 1)]
    #expect(try mapped.recommendations(forEvents: events, count: 5) == read.recommendations(forEvents: events, count: 5))
    #expect(mapped.users.index(of: "nobody") == nil && mapped.notes.index(of: "") == nil)
  }

  @Test func aReplacedFileLeavesTheMappedModelAsItWas() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    try ModelFile.write(ModelFileTests.makeModel(users: 30, notes: 20, factors: 4, seed: 1), to: path)
    let mapped = try FeedModel(contentsOf: path, storage: .memoryMapped)
    let before = try mapped.recommendations(for: mapped.users[5], count: 5)
    try ModelFile.write(ModelFileTests.makeModel(users: 50, notes: 10, factors: 2, seed: 2), to: path)
    #expect(try mapped.recommendations(for: mapped.users[5], count: 5) == before)
    #expect(try FeedModel(contentsOf: path, storage: .memoryMapped).users.count == 50)
  }

  @Test func everyCorruptedByteIsRefusedWhenMapped() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    let bytes = ModelFile.encode(ModelFileTests.makeModel(users: 6, notes: 5, factors: 3, seed: 5))
    var undetected: [Int] = []
    for position in bytes.indices {
      var corrupted = bytes
      corrupted[position] ^= 0x5A
      try Data(corrupted).write(to: URL(fileURLWithPath: path))
      do {
        _ = try ModelFile.map(from: path, verification: .full)
        undetected.append(position)
      } catch {
        if error.code != .invalidModel || error.location?.file != path { undetected.append(position) }
      }
    }
    #expect(undetected.isEmpty, "corrupted bytes not detected at offsets \(undetected.prefix(20))")
  }

  /// Structure-only verification skips the factor blocks' checksums and nothing else: a flip
  /// inside a factor passes, a flip anywhere in the ids or the interactions, or a truncation,
  /// does not.
  @Test func structureVerificationSkipsOnlyTheFactorChecksums() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    let model = ModelFileTests.makeModel(users: 6, notes: 5, factors: 3, seed: 8)
    let bytes = ModelFile.encode(model)
    let factors = try ModelFileTests.section("userVectors", of: bytes)
    var flipped = bytes
    flipped[factors.offset + 5] ^= 0x01
    try Data(flipped).write(to: URL(fileURLWithPath: path))
    #expect(throws: ZhongcaoError.self) { try ModelFile.map(from: path, verification: .full) }
    #expect(try ModelFile.map(from: path, verification: .structure).userFactors != model.userFactors)
    for name in ["userIDs", "noteIDs", "seenOffsets", "seenIndices", "seenValues"] {
      let section = try ModelFileTests.section(name, of: bytes)
      var corrupted = bytes
      corrupted[section.offset + section.length / 2] ^= 0x5A
      try Data(corrupted).write(to: URL(fileURLWithPath: path))
      #expect(throws: ZhongcaoError.self, "a flip in \(name)") { try ModelFile.map(from: path, verification: .structure) }
    }
    try Data(bytes.dropLast(3)).write(to: URL(fileURLWithPath: path))
    #expect(throws: ZhongcaoError.self) { try ModelFile.map(from: path, verification: .structure) }
  }

  @Test func missingFilesAndDirectoriesAreIOErrors() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for path in [directory + "/absent.zcm", directory] {
      let error = #expect(throws: ZhongcaoError.self) { try FeedModel(contentsOf: path, storage: .memoryMapped) }
      #expect(error?.code == .io && error?.location?.file == path)
    }
    #expect(FileManager.default.createFile(atPath: directory + "/empty.zcm", contents: Data()))
    let error = #expect(throws: ZhongcaoError.self) {
      try FeedModel(contentsOf: directory + "/empty.zcm", storage: .memoryMapped)
    }
    #expect(error?.code == .invalidModel)
  }

  @Test func packedIDsFindEveryIDAndRefuseDuplicatesAndBadUTF8() throws {
    let ids = (0..<5000).map { $0 % 3 == 0 ? "用户\($0)" : "u\($0)" } + ["", "🍜 a long id with spaces and more than fifteen bytes"]
    func pack(_ ids: [[UInt8]]) throws(PackedIDs.Problem) -> PackedIDs {
      var ends: [UInt64] = [0]
      for id in ids { ends.append(ends.last! + UInt64(id.count)) }
      return try PackedIDs(ends: MappableArray(ends), bytes: MappableArray(ids.flatMap { $0 }))
    }
    let packed = try pack(ids.map { Array($0.utf8) })
    #expect(packed.count == ids.count)
    for (index, id) in ids.enumerated() {
      #expect(packed.index(of: id) == index && packed[index] == id)
    }
    #expect(packed.index(of: "u5001") == nil && packed.index(of: "u1 ") == nil)
    #expect(throws: PackedIDs.Problem.self) { try pack([Array("a".utf8), Array("b".utf8), Array("a".utf8)]) }
    #expect(throws: PackedIDs.Problem.self) { try pack([[0x61], [0xC3]]) }
    let map = IDMap(packed: packed)
    var grown = map
    #expect(grown.insert("new") == ids.count && grown.index(of: "用户3") == 3 && map.index(of: "new") == nil)
    #expect(IDMap(ids) == map)
  }

  @Test func writingToAMappedArrayCopiesItFirst() throws {
    let directory = try ModelFileTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.zcm"
    let model = ModelFileTests.makeModel(users: 4, notes: 3, factors: 2, seed: 9)
    try ModelFile.write(model, to: path)
    let mapped = try ModelFile.map(from: path, verification: .full)
    var factors = mapped.userFactors
    factors[0, 0] = 42
    #expect(!factors.storage.isMapped && factors[0, 0] == 42)
    #expect(mapped.userFactors.storage.isMapped && mapped.userFactors == model.userFactors)
  }

  /// A small trained ALS model (fold-in and cosine similarity need real factors).
  static func trainedALS() throws -> FeedModel {
    var log = Interactions()
    for user in 0..<40 {
      for note in 0..<30 where (user * 7 + note * 3) % 5 == 0 {
        try log.append(user: "u\(user)", note: "n\(note)", weight: Float(1 + (user + note) % 3))
      }
    }
    var configuration = ALSConfiguration()
    configuration.factors = 6
    configuration.iterations = 3
    configuration.regularization = 0.1
    return try ImplicitALS(configuration).train(on: InteractionMatrix(log))
  }
}
