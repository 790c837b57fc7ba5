import Foundation
import ZhongcaoLinearAlgebra

// MARK: - Reading

extension ModelFile {
  /// A section-table row that passed the layout checks.
  private struct CheckedSection {
    /// Byte offset, inside the file.
    var offset: Int
    /// Length in bytes; `offset + length` is inside the file.
    var length: Int
    /// The expected XXH64 of the section's bytes.
    var checksum: UInt64
  }

  /// Builds the errors of one file and reads from it.
  private struct Reader {
    /// The file's path or name, for error locations.
    let name: String
    /// Whether the factor / weight blocks are hashed and checked for non-finite values (see
    /// ``ModelVerification``).
    let checksDenseBlocks: Bool

    /// An `.invalidModel` error located in the file.
    func invalid(_ message: String) -> ZhongcaoError {
      ZhongcaoError(.invalidModel, message, location: .init(file: name))
    }

    /// Reads `count` elements at `offset`, mapping source errors: a short file is invalid, a
    /// failing read is I/O.
    func read<Element: BitwiseCopyable, Source: ByteSource & ~Copyable>(
      _ type: Element.Type, count: Int, at offset: Int, from source: borrowing Source, what: String,
      hashingInto hasher: inout XXH64Hasher
    ) throws(ZhongcaoError) -> [Element] {
      do {
        return try source.read(type, count: count, at: offset, hashingInto: &hasher)
      } catch {
        throw failure(error, reading: what)
      }
    }

    /// Reads `count` elements at `offset` as a ``MappableArray`` (a view when `source` is a
    /// mapped file), hashing them into `hasher` unless it is nil.
    func array<Element: BitwiseCopyable, Source: ByteSource & ~Copyable>(
      _ type: Element.Type, count: Int, at offset: Int, from source: borrowing Source, what: String,
      hashingInto hasher: inout XXH64Hasher?
    ) throws(ZhongcaoError) -> MappableArray<Element> {
      do {
        return try source.mappableArray(type, count: count, at: offset, hashingInto: &hasher)
      } catch {
        throw failure(error, reading: what)
      }
    }

    /// A source error as the reader reports it: a short file is invalid, a failing read is I/O.
    private func failure(_ error: ByteSourceError, reading what: String) -> ZhongcaoError {
      switch error.kind {
      case .outOfRange: invalid("truncated: \(what): \(error.message)")
      case .io: ZhongcaoError(.io, "cannot read \(what): \(error.message)", location: .init(file: name))
      }
    }

    /// Compares what `hasher` saw, if anything, with the section's checksum.
    func verify(_ hasher: XXH64Hasher?, against section: CheckedSection, _ name: Section) throws(ZhongcaoError) {
      if let hasher { try verify(hasher, against: section, name) }
    }

    /// Reads `count` elements at `offset` without hashing them.
    func read<Element: BitwiseCopyable, Source: ByteSource & ~Copyable>(
      _ type: Element.Type, count: Int, at offset: Int, from source: borrowing Source, what: String
    ) throws(ZhongcaoError) -> [Element] {
      var hasher = XXH64Hasher()
      return try read(type, count: count, at: offset, from: source, what: what, hashingInto: &hasher)
    }

    /// Checks that the bytes in `range` (padding) are all zero.
    func checkPadding<Source: ByteSource & ~Copyable>(_ range: Range<Int>, in source: borrowing Source)
      throws(ZhongcaoError)
    {
      let padding: [UInt8] = try read(UInt8.self, count: range.count, at: range.lowerBound, from: source,
                                      what: "padding")
      if let index = padding.firstIndex(where: { $0 != 0 }) {
        throw invalid("nonzero padding byte at offset \(range.lowerBound + index)")
      }
    }

    /// Compares what `hasher` saw with the section's checksum.
    func verify(_ hasher: XXH64Hasher, against section: CheckedSection, _ name: Section) throws(ZhongcaoError) {
      guard hasher.finalize() == section.checksum else { throw invalid("checksum mismatch in section '\(name.rawValue)'") }
    }
  }

  /// Decodes a model file from any byte source; see the checks in the type's documentation.
  static func decode<Source: ByteSource & ~Copyable>(
    from source: borrowing Source, name: String, verification: ModelVerification = .full
  ) throws(ZhongcaoError) -> ModelContents {
    let reader = Reader(name: name, checksDenseBlocks: verification == .full)
    let size = source.byteCount
    let smallestFile = preambleLength + headerChecksumLength

    // Preamble: magic, version, flags, header length.
    let preamble: [UInt8] = try reader.read(UInt8.self, count: min(size, preambleLength), at: 0, from: source,
                                            what: "preamble")
    let magicSeen = min(preamble.count, magic.count)
    guard preamble[..<magicSeen].elementsEqual(magic[..<magicSeen]) else {
      throw reader.invalid("not a Zhongcao model file (bad magic)")
    }
    guard size >= smallestFile else {
      throw reader.invalid("truncated: the file has \(size) bytes, a model file has at least \(smallestFile)")
    }
    let version = UInt32(littleEndianBytes: preamble[8..<12])
    guard version <= currentVersion else {
      throw reader.invalid("model file version \(version) is newer than this Zhongcao (reads version \(currentVersion))")
    }
    guard version >= 1 else { throw reader.invalid("model file version \(version) is not a valid version") }
    guard version == currentVersion else {
      throw reader.invalid("model file version \(version) was written by a development build before Zhongcao 0.1.0; retrain the model")
    }
    let flags = UInt32(littleEndianBytes: preamble[12..<16])
    guard flags == 0 else {
      throw reader.invalid("unknown flags 0x\(String(flags, radix: 16)) in a version \(version) model file")
    }
    let declaredHeaderLength = UInt64(littleEndianBytes: preamble[16..<24])
    guard declaredHeaderLength <= UInt64(maximumHeaderLength) else {
      throw reader.invalid("header length \(declaredHeaderLength) exceeds the limit of \(maximumHeaderLength) bytes")
    }
    let headerLength = Int(declaredHeaderLength)
    let headerEnd = preambleLength + headerLength + headerChecksumLength
    guard headerEnd <= size else {
      throw reader.invalid("truncated: the header needs \(headerEnd) bytes, file has \(size)")
    }

    // Header: checksum first, then JSON.
    var headerHasher = XXH64Hasher()
    headerHasher.update(contentsOf: preamble)
    let json: [UInt8] = try reader.read(UInt8.self, count: headerLength, at: preambleLength, from: source,
                                        what: "header", hashingInto: &headerHasher)
    let storedChecksum: [UInt8] = try reader.read(UInt8.self, count: headerChecksumLength,
                                                  at: preambleLength + headerLength, from: source,
                                                  what: "header checksum")
    guard headerHasher.finalize() == UInt64(littleEndianBytes: storedChecksum[...]) else {
      throw reader.invalid("checksum mismatch in header")
    }
    let header: Header
    do {
      header = try makeHeaderDecoder().decode(Header.self, from: Data(json))
    } catch {
      throw reader.invalid("header is not valid: \(describe(error))")
    }

    // Counts and the section table, before anything large is allocated.
    let userCount = header.userCount, noteCount = header.noteCount
    let entryCount = header.seenEntries, neighbourCount = header.neighbourEntries
    guard (0...maximumUserVectorLength).contains(header.userVectorLength) else {
      throw reader.invalid("userVectorLength \(header.userVectorLength) is out of range 0...\(maximumUserVectorLength)")
    }
    let maximumIDCount = Int(Int32.max)
    guard (0...maximumIDCount).contains(userCount) else {
      throw reader.invalid("userCount \(userCount) is out of range 0...\(maximumIDCount)")
    }
    guard (0...maximumIDCount).contains(noteCount) else {
      throw reader.invalid("noteCount \(noteCount) is out of range 0...\(maximumIDCount)")
    }
    guard entryCount >= 0 else { throw reader.invalid("seenEntries \(entryCount) is negative") }
    guard neighbourCount >= 0 else { throw reader.invalid("neighbourEntries \(neighbourCount) is negative") }
    do {
      try header.settings.validate()
    } catch {
      throw reader.invalid("invalid configuration: \(error.message)")
    }
    let kind = header.settings.kind
    let expected = expectedVectorLengths(header.settings, noteCount: noteCount, factors: header.userVectorLength)
    guard header.userVectorLength == expected.user, header.noteVectorLength == expected.note else {
      throw reader.invalid("a \(kind.rawValue) model has vectors of \(expected.user) floats per user and \(expected.note) per note, "
                             + "the header says \(header.userVectorLength) and \(header.noteVectorLength)")
    }
    guard kind == .itemKNN || neighbourCount == 0 else {
      throw reader.invalid("a \(kind.rawValue) model has no neighbours, the header says \(neighbourCount)")
    }
    let sections = try checkSectionTable(header, headerEnd: headerEnd, fileSize: size, reader: reader)

    // Sections, each checked against its checksum before its content is examined.
    var position = headerEnd
    func next(_ section: Section) throws(ZhongcaoError) -> CheckedSection {
      let checked = sections[section]!
      try reader.checkPadding(position..<checked.offset, in: source)
      position = checked.offset + checked.length
      return checked
    }
    let users = try readIDs(.userIDs, next(.userIDs), count: userCount, from: source, reader: reader)
    let notes = try readIDs(.noteIDs, next(.noteIDs), count: noteCount, from: source, reader: reader)
    let userVectors = try readFactors(.userVectors, next(.userVectors), factorCount: header.userVectorLength,
                                      count: userCount, from: source, reader: reader)
    let noteVectors = try readFactors(.noteVectors, next(.noteVectors), factorCount: header.noteVectorLength,
                                      count: noteCount, from: source, reader: reader)

    let seen = try readSparse((.seenOffsets, .seenIndices, .seenValues), sections: next, rowCount: userCount,
                              columnCount: noteCount, entryCount: entryCount, what: "seen interactions",
                              from: source, reader: reader)
    let neighbourRows = kind == .itemKNN ? noteCount : -1
    let neighbours = try readSparse((.neighbourOffsets, .neighbourIndices, .neighbourValues), sections: next,
                                    rowCount: neighbourRows, columnCount: noteCount, entryCount: neighbourCount,
                                    what: "neighbours", from: source, reader: reader)
    let parameters: ModelParameters
    switch kind {
    case .als: parameters = .factors(users: userVectors, notes: noteVectors)
    case .ease: parameters = .noteWeights(noteVectors)
    case .itemKNN: parameters = .noteNeighbours(neighbours)
    case .popularity: parameters = .noteScores(Array(noteVectors.storage))
    }
    return ModelContents(settings: header.settings, provenance: header.provenance, users: users, notes: notes,
                         parameters: parameters, seen: seen)
  }

  /// Reads and checks one CSR matrix from its three sections. `rowCount` −1 means the matrix is
  /// absent: all three sections must then be empty.
  private static func readSparse<Source: ByteSource & ~Copyable>(
    _ names: (offsets: Section, indices: Section, values: Section),
    sections next: (Section) throws(ZhongcaoError) -> CheckedSection, rowCount: Int, columnCount: Int,
    entryCount: Int, what: String, from source: borrowing Source, reader: Reader
  ) throws(ZhongcaoError) -> SparseRows {
    let offsetsSection = try next(names.offsets)
    var hasher: XXH64Hasher? = XXH64Hasher()
    let offsets: MappableArray<Int> = try reader.array(Int.self, count: max(rowCount + 1, 0), at: offsetsSection.offset,
                                                       from: source, what: "section '\(names.offsets.rawValue)'",
                                                       hashingInto: &hasher)
    try reader.verify(hasher, against: offsetsSection, names.offsets)
    let indicesSection = try next(names.indices)
    hasher = XXH64Hasher()
    let indices: MappableArray<Int32> = try reader.array(Int32.self, count: entryCount, at: indicesSection.offset,
                                                         from: source, what: "section '\(names.indices.rawValue)'",
                                                         hashingInto: &hasher)
    try reader.verify(hasher, against: indicesSection, names.indices)
    let valuesSection = try next(names.values)
    hasher = XXH64Hasher()
    let values: MappableArray<Float> = try reader.array(Float.self, count: entryCount, at: valuesSection.offset,
                                                        from: source, what: "section '\(names.values.rawValue)'",
                                                        hashingInto: &hasher)
    try reader.verify(hasher, against: valuesSection, names.values)
    if rowCount < 0 {
      return SparseRows(rowCount: 0, columnCount: 0, offsets: [0], indices: MappableArray(), values: MappableArray())
    }
    if let problem = sparseProblem(offsets: offsets, indices: indices, values: values, rowCount: rowCount,
                                   columnCount: columnCount) {
      throw reader.invalid("\(what): \(problem)")
    }
    return SparseRows(rowCount: rowCount, columnCount: columnCount, offsets: offsets, indices: indices, values: values)
  }

  /// Checks the section table against the counts and the file size; returns the sections by
  /// name with parsed checksums.
  private static func checkSectionTable(_ header: Header, headerEnd: Int, fileSize: Int, reader: Reader)
    throws(ZhongcaoError) -> [Section: CheckedSection]
  {
    let names = header.sections.map(\.name)
    let expectedNames = Section.allCases.map(\.rawValue)
    guard names == expectedNames else {
      throw reader.invalid("the section table lists \(names), a version 2 file has \(expectedNames)")
    }
    func product(_ a: Int, _ b: Int, _ c: Int) -> Int? {
      let (ab, overflowAB) = a.multipliedReportingOverflow(by: b)
      let (abc, overflowABC) = ab.multipliedReportingOverflow(by: c)
      return overflowAB || overflowABC ? nil : abc
    }
    // userCount and noteCount are at most 2³¹ − 1, so the offset tables cannot overflow.
    let minimumLengths: [Section: Int?] = [
      .userIDs: 8 * (header.userCount + 1),
      .noteIDs: 8 * (header.noteCount + 1),
      .userVectors: product(header.userVectorLength, header.userCount, 4),
      .noteVectors: product(header.noteVectorLength, header.noteCount, 4),
      .seenOffsets: 8 * (header.userCount + 1),
      .seenIndices: product(header.seenEntries, 4, 1),
      .seenValues: product(header.seenEntries, 4, 1),
      .neighbourOffsets: header.settings.kind == .itemKNN ? 8 * (header.noteCount + 1) : 0,
      .neighbourIndices: product(header.neighbourEntries, 4, 1),
      .neighbourValues: product(header.neighbourEntries, 4, 1),
    ]
    var result: [Section: CheckedSection] = [:]
    var expectedOffset = aligned(headerEnd)
    var end = headerEnd
    for (section, entry) in zip(Section.allCases, header.sections) {
      let quoted = "section '\(section.rawValue)'"
      guard let required = minimumLengths[section]! else {
        throw reader.invalid("the counts in the header make \(quoted) larger than any file")
      }
      guard entry.offset == expectedOffset else {
        throw reader.invalid("\(quoted) is at offset \(entry.offset), the layout puts it at \(expectedOffset)")
      }
      let variableLength = section == .userIDs || section == .noteIDs
      guard entry.length == required || (variableLength && entry.length > required) else {
        throw reader.invalid("\(quoted) has length \(entry.length), the counts in the header require "
                               + (variableLength ? "at least " : "") + "\(required)")
      }
      guard entry.offset <= fileSize, entry.length <= fileSize - entry.offset else {
        throw reader.invalid("truncated: \(quoted) needs \(entry.length) bytes at offset \(entry.offset), "
                               + "file has \(fileSize)")
      }
      let digits = entry.checksum.utf8
      guard digits.count == 16, digits.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            let checksum = UInt64(entry.checksum, radix: 16)
      else {
        throw reader.invalid("\(quoted) has checksum '\(entry.checksum)', not 16 lowercase hex digits")
      }
      result[section] = CheckedSection(offset: entry.offset, length: entry.length, checksum: checksum)
      end = entry.offset + entry.length
      expectedOffset = aligned(end)
    }
    guard end == fileSize else {
      throw reader.invalid("\(fileSize - end) unexpected bytes after the last section")
    }
    return result
  }

  /// Reads and checks an id section: offsets, UTF-8, no duplicates.
  private static func readIDs<Source: ByteSource & ~Copyable>(
    _ section: Section, _ checked: CheckedSection, count: Int, from source: borrowing Source,
    reader: Reader
  ) throws(ZhongcaoError) -> IDMap {
    let quoted = "section '\(section.rawValue)'"
    let tableLength = 8 * (count + 1)
    var hasher: XXH64Hasher? = XXH64Hasher()
    let ends: MappableArray<UInt64> = try reader.array(UInt64.self, count: count + 1, at: checked.offset, from: source,
                                                       what: quoted, hashingInto: &hasher)
    let text: MappableArray<UInt8> = try reader.array(UInt8.self, count: checked.length - tableLength,
                                                      at: checked.offset + tableLength, from: source, what: quoted,
                                                      hashingInto: &hasher)
    try reader.verify(hasher, against: checked, section)
    do {
      return IDMap(packed: try PackedIDs(ends: ends, bytes: text))
    } catch {
      switch error {
      case .offsets(let problem): throw reader.invalid("\(quoted): \(problem)")
      case .invalidUTF8(let index): throw reader.invalid("\(quoted): id \(index) is not valid UTF-8")
      case .duplicate(let first, let second):
        let id = String(decoding: text[Int(ends[second])..<Int(ends[second + 1])], as: UTF8.self)
        throw reader.invalid("\(quoted): id '\(id)' appears at indices \(first) and \(second)")
      }
    }
  }

  /// Reads and checks a factor block.
  private static func readFactors<Source: ByteSource & ~Copyable>(
    _ section: Section, _ checked: CheckedSection, factorCount: Int, count: Int, from source: borrowing Source,
    reader: Reader
  ) throws(ZhongcaoError) -> Matrix {
    var hasher: XXH64Hasher? = reader.checksDenseBlocks ? XXH64Hasher() : nil
    let storage: MappableArray<Float> = try reader.array(Float.self, count: factorCount * count, at: checked.offset,
                                                         from: source, what: "section '\(section.rawValue)'",
                                                         hashingInto: &hasher)
    try reader.verify(hasher, against: checked, section)
    if reader.checksDenseBlocks, let index = firstNonFinite(storage) {
      throw reader.invalid("section '\(section.rawValue)' holds \(storage[index]) at column \(index / factorCount), "
                             + "factor \(index % factorCount)")
    }
    return Matrix(rows: factorCount, columns: count, storage: storage)
  }

  /// A short description of a JSON decoding error: the field path and what was wrong.
  private static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
      let keys = context.codingPath + (last.map { [$0] } ?? [])
      return keys.isEmpty ? "" : "'\(keys.map(\.stringValue).joined(separator: "."))': "
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(path(context, key))missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "\(path(context))\(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}

extension FixedWidthInteger {
  /// The value of little-endian bytes; `bytes.count` must be `bitWidth / 8`.
  fileprivate init(littleEndianBytes bytes: ArraySlice<UInt8>) {
    precondition(bytes.count == Self.bitWidth / 8, "need \(Self.bitWidth / 8) bytes")
    var value = Self.zero
    for (shift, byte) in bytes.enumerated() { value |= Self(byte) << (8 * shift) }
    self = value
  }
}
