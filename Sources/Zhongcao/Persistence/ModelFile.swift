import Foundation
import ZhongcaoLinearAlgebra

#if !_endian(little) || !_pointerBitWidth(_64)
#error("The model file's little-endian 64-bit blocks are read into memory as they are: little-endian 64-bit hosts only.")
#endif

/// The Zhongcao model file: one self-checking binary file holding a trained model.
///
/// A model file holds the settings, the provenance of the training data, both id maps, the
/// model's parameters (ALS factors, EASE weights, item-kNN neighbours or popularity scores) and
/// the training interactions (so "exclude what was seen" needs nothing else). It is written
/// atomically (temporary file, fsync, rename) and every byte of it is covered by a checksum or a
/// check, so a truncated, corrupted, wrong-version or hostile file is
/// refused with a ``ZhongcaoError/Code-swift.struct/invalidModel`` error naming the problem,
/// never a crash or a huge allocation.
///
/// ## Layout, version 2
///
/// Integers and floats are little-endian; offsets count from the start of the file.
///
/// | Offset    | Bytes | Content                                                                 |
/// |-----------|-------|-------------------------------------------------------------------------|
/// | 0         | 8     | magic `ZHONGCAO` (ASCII)                                                |
/// | 8         | 4     | format version, `UInt32` (2)                                            |
/// | 12        | 4     | flags, `UInt32`: 0 (any other value is refused)                         |
/// | 16        | 8     | header length `H`, `UInt64`, at most 16 MiB                             |
/// | 24        | H     | header: UTF-8 JSON, keys sorted (below)                                 |
/// | 24 + H    | 8     | header checksum: XXH64 (seed 0) of bytes `0 ..< 24 + H`                 |
/// |           |       | zero bytes up to the next multiple of 64                                |
/// | …         |       | the ten sections, in the order below, each at a multiple of 64, with  |
/// |           |       | zero bytes between; the file ends where the last section ends           |
///
/// The header is `{settings, provenance, userVectorLength, noteVectorLength, userCount,
/// noteCount, seenEntries, neighbourEntries, sections}`, where `settings` is the
/// ``ModelSettings`` (`{"kind": "als"|"ease"|"itemknn"|"popularity", "configuration": {…}}`) and
/// `provenance` the ``TrainingProvenance`` as JSON (non-finite numbers as the strings `NaN`,
/// `Infinity`, `-Infinity`) and `sections` is the section table: one `{name, offset, length,
/// checksum}` per section, `checksum` being the XXH64 (seed 0) of the section's bytes as 16
/// lowercase hex digits.
///
/// With n users, m notes, vector lengths p (users) and q (notes), e seen entries and f
/// neighbour entries:
///
/// | Section            | Length          | Content                                                  |
/// |--------------------|-----------------|----------------------------------------------------------|
/// | `userIDs`          | 8(n + 1) + b    | n + 1 `UInt64` offsets (first 0, last b, non-decreasing) into the b UTF-8 bytes that follow |
/// | `noteIDs`          | 8(m + 1) + b    | the same for notes                                       |
/// | `userVectors`      | 4pn             | `Float32`, column-major p × n: user u's vector is elements `u·p ..< (u+1)·p` |
/// | `noteVectors`      | 4qm             | `Float32`, column-major q × m                            |
/// | `seenOffsets`      | 8(n + 1)        | `Int64` CSR row offsets: first 0, non-decreasing, last e |
/// | `seenIndices`      | 4e              | `Int32` note indices, strictly increasing within each user |
/// | `seenValues`       | 4e              | `Float32` summed interaction weights                     |
/// | `neighbourOffsets` | 8(m + 1) or 0   | item-kNN only: `Int64` CSR offsets of the notes × notes neighbour matrix |
/// | `neighbourIndices` | 4f              | `Int32` neighbour note indices, strictly increasing per note |
/// | `neighbourValues`  | 4f              | `Float32` similarities                                   |
///
/// By kind: ALS has p = q = the factor count; EASE p = 0, q = m (column j holds the weights from
/// note j); popularity p = 0, q = 1 (the scores); item-kNN p = q = 0 and the neighbour sections.
/// Version 1 files (ALS only, written by development builds before 0.1.0) are refused.
///
/// Factor and interaction blocks start 64-byte aligned so that they can be memory-mapped and
/// used in place: ``map(from:verification:)`` does that (``ModelStorage/memoryMapped``), and
/// the id sections are then looked up in place too (``PackedIDs``), so a model of 10⁷ users
/// needs only its id tables (4 bytes × a power of two ≥ 2 × the ids) in the heap.
///
/// ## What reading checks
///
/// Before allocating anything for a section, every count and length is checked against the
/// file's actual size with overflow-checked arithmetic; sections are then read straight into
/// their final arrays (a 10⁷ × 64 factor block is one 2.5 GB `[Float]`, hashed chunk by chunk as
/// it arrives, never copied). Then: the header checksum before the JSON is parsed; the section
/// table (exactly the ten sections, in order, at the offsets the layout implies, with the
/// lengths the counts imply); zero padding; no trailing bytes; every section checksum; id maps
/// (valid UTF-8, no duplicates, counts match); vector lengths as the kind requires; vectors and
/// weights finite; the CSR
/// invariants (offsets start at 0, never decrease, end at the entry count; note indices in
/// range and strictly increasing within each row) of the seen and neighbour matrices; and the
/// configuration's own validation.
/// So a change to any single byte is detected.
package enum ModelFile {
  /// The format version this Zhongcao writes, and the newest it reads.
  package static let currentVersion: UInt32 = 2

  /// The first 8 bytes of every model file.
  static let magic: [UInt8] = Array("ZHONGCAO".utf8)
  /// Magic, version, flags and header length.
  static let preambleLength = 24
  /// The header checksum after the header.
  static let headerChecksumLength = 8
  /// Sections start at multiples of this many bytes.
  static let alignment = 64
  /// Headers are a few kilobytes; anything larger than this is not a model file.
  static let maximumHeaderLength = 16 << 20
  /// Longest per-user vector: more factors than any model would use (``ALSConfiguration``
  /// allows 4096).
  static let maximumUserVectorLength = 1 << 16

  /// The sections of a version 2 file, in file order.
  enum Section: String, CaseIterable {
    case userIDs, noteIDs, userVectors, noteVectors, seenOffsets, seenIndices, seenValues
    case neighbourOffsets, neighbourIndices, neighbourValues
  }

  // MARK: - API

  /// Writes `contents` to `path` atomically: readers see the old file or the complete new one.
  ///
  /// Contents the reader would refuse (non-finite factors or weights, broken CSR structure, an
  /// invalid configuration) are refused here too, so every file written can be read back.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for such contents,
  ///   ``ZhongcaoError/Code-swift.struct/io`` if the directory does not exist or writing fails
  ///   (the target is then left as it was).
  /// - Complexity: O(file size); hashes the factor blocks once before writing them.
  package static func write(_ contents: ModelContents, to path: String) throws(ZhongcaoError) {
    if let problem = problem(in: contents) {
      throw ZhongcaoError(.invalidArgument, "refusing to write a model that could not be read back: \(problem)",
                          location: .init(file: path))
    }
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      try serialize(contents, into: &writer)
    }
  }

  /// Reads the model file at `path`, checking everything listed in the type's documentation.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` if the file is missing or unreadable,
  ///   ``ZhongcaoError/Code-swift.struct/invalidModel`` if it is not a valid model file.
  /// - Complexity: O(file size), reading each section straight into its final array.
  package static func read(from path: String, verification: ModelVerification = .full) throws(ZhongcaoError)
    -> ModelContents
  {
    let source: FileByteSource
    do {
      source = try FileByteSource(path: path)
    } catch {
      throw ZhongcaoError(.io, "cannot open model file: \(error.message)", location: .init(file: path))
    }
    return try decode(from: source, name: path, verification: verification)
  }

  /// Maps the model file at `path` into memory and decodes it in place: the factor, weight and
  /// interaction blocks stay in the file's pages (shared with the page cache and with every
  /// other process mapping the file) instead of being copied into the heap.
  ///
  /// The file must not be modified in place while mapped (Zhongcao never does: it replaces
  /// model files by renaming, which leaves an existing mapping on the old file).
  ///
  /// - Parameter verification: ``ModelVerification/full`` checks everything ``read(from:)``
  ///   checks (reading every page once); ``ModelVerification/structure`` skips the checksums and
  ///   finiteness checks of the dense factor blocks, so loading touches only the ids and the
  ///   interaction structure.
  /// - Throws: As ``read(from:)``.
  package static func map(from path: String, verification: ModelVerification) throws(ZhongcaoError) -> ModelContents {
    let source: MappedFileSource
    do {
      source = try MappedFileSource(path: path)
    } catch {
      throw ZhongcaoError(.io, "cannot map model file: \(error.message)", location: .init(file: path))
    }
    return try decode(from: source, name: path, verification: verification)
  }

  /// The bytes of the model file of `contents` (what ``write(_:to:)`` writes, without the
  /// contents check). A header over 16 MiB (huge provenance strings) is a programmer error.
  package static func encode(_ contents: ModelContents) -> [UInt8] {
    var sink = ByteArraySink()
    do {
      try serialize(contents, into: &sink)
    } catch {
      preconditionFailure("writing to memory cannot fail: \(error)")
    }
    return sink.bytes
  }

  /// Decodes a model file held in memory, checking everything ``read(from:)`` checks.
  ///
  /// - Parameters:
  ///   - bytes: The whole file.
  ///   - name: What to call it in errors (a path, or e.g. `<memory>`).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidModel`` if it is not a valid model file.
  package static func decode(_ bytes: [UInt8], name: String) throws(ZhongcaoError) -> ModelContents {
    try decode(from: ByteArraySource(bytes), name: name)
  }
}

// MARK: - Header

extension ModelFile {
  /// The JSON header: everything but the bulk data, plus the section table.
  struct Header: Codable, Equatable {
    /// ``ModelContents/settings``: the model's kind and hyper-parameters.
    var settings: ModelSettings
    /// ``ModelContents/provenance``.
    var provenance: TrainingProvenance
    /// Floats per user in `userVectors` (ALS: the factor count; other kinds: 0).
    var userVectorLength: Int
    /// Floats per note in `noteVectors` (ALS: the factor count; EASE: the note count;
    /// popularity: 1; item-kNN: 0).
    var noteVectorLength: Int
    /// Users (columns of the user factors, rows of the seen matrix).
    var userCount: Int
    /// Notes (columns of the note factors and of the seen matrix).
    var noteCount: Int
    /// Stored entries of the seen matrix.
    var seenEntries: Int
    /// Stored entries of the neighbour matrix (item-kNN; 0 for other kinds).
    var neighbourEntries: Int
    /// The section table, in file order.
    var sections: [SectionEntry]
  }

  /// One row of the section table.
  struct SectionEntry: Codable, Equatable {
    /// A ``Section`` raw value.
    var name: String
    /// Byte offset from the start of the file, a multiple of ``ModelFile/alignment``.
    var offset: Int
    /// Length in bytes.
    var length: Int
    /// XXH64 (seed 0) of the section's bytes, 16 lowercase hex digits.
    var checksum: String
  }

  /// Non-finite numbers (a diverged loss history, say) are strings in the JSON.
  private static let nonFiniteNames = (positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

  /// The header as compact JSON with sorted keys.
  static func headerJSON(_ header: Header) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: nonFiniteNames.positiveInfinity, negativeInfinity: nonFiniteNames.negativeInfinity,
      nan: nonFiniteNames.nan)
    do {
      return Array(try encoder.encode(header))
    } catch {
      preconditionFailure("the model header cannot be encoded: \(error)")
    }
  }

  /// A decoder that reads what ``headerJSON(_:)`` writes.
  static func makeHeaderDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: nonFiniteNames.positiveInfinity, negativeInfinity: nonFiniteNames.negativeInfinity,
      nan: nonFiniteNames.nan)
    return decoder
  }

  /// `value` rounded up to a multiple of ``alignment``.
  static func aligned(_ value: Int) -> Int {
    (value + alignment - 1) / alignment * alignment
  }

  /// A checksum as 16 lowercase hex digits.
  static func hex(_ checksum: UInt64) -> String {
    let digits = String(checksum, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// Appends the little-endian bytes of an integer.
  static func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
    for byte in 0..<(Value.bitWidth / 8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> (8 * byte)))
    }
  }
}

// MARK: - Writing

/// Where ``ModelFile`` serializes to: the atomic file writer, or memory.
protocol ModelFileSink {
  /// Called once before anything is written, with the length of the whole file.
  mutating func prepare(totalLength: Int)
  /// Appends bytes.
  mutating func write(_ bytes: [UInt8]) throws(ZhongcaoError)
  /// Appends the little-endian bytes of plain values (`Float32`, `Int32`, `Int` as `Int64`).
  mutating func write<Element: BitwiseCopyable>(elements: MappableArray<Element>) throws(ZhongcaoError)
}

extension AtomicFile.Writer: ModelFileSink {
  /// Nothing to prepare: the writer streams through a fixed buffer.
  mutating func prepare(totalLength: Int) {}
}

/// A ``ModelFileSink`` that collects the bytes in memory.
struct ByteArraySink: ModelFileSink {
  /// Everything written so far.
  var bytes: [UInt8] = []

  mutating func prepare(totalLength: Int) { bytes.reserveCapacity(totalLength) }
  mutating func write(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }
  mutating func write<Element: BitwiseCopyable>(elements: MappableArray<Element>) {
    elements.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }
  }
}

extension ModelFile {
  /// One section's data, referenced (not copied) until it is written.
  private enum Payload {
    /// Raw bytes (the id blocks).
    case bytes([UInt8])
    /// `Float32`s.
    case floats(MappableArray<Float>)
    /// `Int32`s.
    case int32s(MappableArray<Int32>)
    /// `Int`s, written as `Int64`s.
    case int64s(MappableArray<Int>)

    /// Length in the file, in bytes.
    var length: Int {
      switch self {
      case .bytes(let values): values.count
      case .floats(let values): 4 * values.count
      case .int32s(let values): 4 * values.count
      case .int64s(let values): 8 * values.count
      }
    }

    /// XXH64 (seed 0) of the bytes as written.
    var checksum: UInt64 {
      switch self {
      case .bytes(let values): Checksum.xxh64(values)
      case .floats(let values): Self.xxh64(values)
      case .int32s(let values): Self.xxh64(values)
      case .int64s(let values): Self.xxh64(values)
      }
    }

    /// Writes the data to `sink`.
    func write(to sink: inout some ModelFileSink) throws(ZhongcaoError) {
      switch self {
      case .bytes(let values): try sink.write(values)
      case .floats(let values): try sink.write(elements: values)
      case .int32s(let values): try sink.write(elements: values)
      case .int64s(let values): try sink.write(elements: values)
      }
    }

    /// XXH64 (seed 0) of the in-memory bytes of `values`.
    private static func xxh64<Element: BitwiseCopyable>(_ values: MappableArray<Element>) -> UInt64 {
      var hasher = XXH64Hasher()
      hasher.update(contentsOf: values)
      return hasher.finalize()
    }
  }

  /// Writes the whole file to `sink`, in order.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` if the header would exceed
  ///   ``maximumHeaderLength`` (the reader would refuse it); whatever `sink` throws.
  static func serialize(_ contents: ModelContents, into sink: inout some ModelFileSink) throws(ZhongcaoError) {
    let (userVectors, noteVectors, neighbours) = vectorBlocks(contents)
    let payloads: [Payload] = [
      .bytes(idBlock(contents.users)),
      .bytes(idBlock(contents.notes)),
      .floats(userVectors.storage),
      .floats(noteVectors.storage),
      .int64s(contents.seen.offsets),
      .int32s(contents.seen.indices),
      .floats(contents.seen.values),
      .int64s(neighbours?.offsets ?? []),
      .int32s(neighbours?.indices ?? []),
      .floats(neighbours?.values ?? []),
    ]
    let checksums = payloads.map { hex($0.checksum) }
    var header = Header(
      settings: contents.settings, provenance: contents.provenance, userVectorLength: userVectors.rows,
      noteVectorLength: noteVectors.rows, userCount: contents.users.count, noteCount: contents.notes.count,
      seenEntries: contents.seen.entryCount, neighbourEntries: neighbours?.entryCount ?? 0, sections: [])

    // The section offsets are in the header, whose length moves them: iterate to the fixed
    // point. The data start only grows from one round to the next, so this ends, in two or
    // three rounds.
    var json: [UInt8] = []
    var dataStart = 0
    while true {
      var offset = dataStart
      header.sections = zip(Section.allCases, zip(payloads, checksums)).map { section, payload in
        defer { offset = aligned(offset + payload.0.length) }
        return SectionEntry(name: section.rawValue, offset: offset, length: payload.0.length, checksum: payload.1)
      }
      json = headerJSON(header)
      guard json.count <= maximumHeaderLength else {
        throw ZhongcaoError(.invalidArgument, "the model header would take \(json.count) bytes, more than the "
                              + "\(maximumHeaderLength) a model file allows (is the provenance very large?)")
      }
      let end = aligned(preambleLength + json.count + headerChecksumLength)
      if end == dataStart { break }
      dataStart = end
    }

    if let last = header.sections.last { sink.prepare(totalLength: last.offset + last.length) }
    var prefix = magic
    appendLittleEndian(currentVersion, to: &prefix)
    appendLittleEndian(UInt32(0), to: &prefix)
    appendLittleEndian(UInt64(json.count), to: &prefix)
    prefix.append(contentsOf: json)
    appendLittleEndian(Checksum.xxh64(prefix), to: &prefix)
    try sink.write(prefix)
    var position = prefix.count
    for (entry, payload) in zip(header.sections, payloads) {
      if entry.offset > position { try sink.write([UInt8](repeating: 0, count: entry.offset - position)) }
      try payload.write(to: &sink)
      position = entry.offset + entry.length
    }
  }

  /// An id map as `count + 1` little-endian `UInt64` offsets followed by the UTF-8 bytes.
  private static func idBlock(_ ids: IDMap) -> [UInt8] {
    var textLength = 0
    ids.forEachUTF8 { textLength += $0.count }
    var block: [UInt8] = []
    block.reserveCapacity(8 * (ids.count + 1) + textLength)
    var end: UInt64 = 0
    appendLittleEndian(end, to: &block)
    ids.forEachUTF8 { id in
      end += UInt64(id.count)
      appendLittleEndian(end, to: &block)
    }
    ids.forEachUTF8 { block.append(contentsOf: $0) }
    return block
  }

  /// The dense per-user and per-note blocks of a model (empty matrices where a kind has none)
  /// and its neighbour matrix (item-kNN only).
  static func vectorBlocks(_ contents: ModelContents) -> (users: Matrix, notes: Matrix, neighbours: SparseRows?) {
    let userCount = contents.users.count, noteCount = contents.notes.count
    switch contents.parameters {
    case .factors(let users, let notes):
      return (users, notes, nil)
    case .noteWeights(let weights):
      return (Matrix(rows: 0, columns: userCount), weights, nil)
    case .noteNeighbours(let neighbours):
      return (Matrix(rows: 0, columns: userCount), Matrix(rows: 0, columns: noteCount), neighbours)
    case .noteScores(let scores):
      return (Matrix(rows: 0, columns: userCount), Matrix(rows: 1, columns: noteCount, storage: MappableArray(scores)), nil)
    }
  }

  /// The vector lengths a kind must have, for `noteCount` notes and, for ALS, `factors` per vector.
  static func expectedVectorLengths(_ settings: ModelSettings, noteCount: Int, factors: Int) -> (user: Int, note: Int) {
    switch settings {
    case .als: (factors, factors)
    case .ease: (0, noteCount)
    case .itemKNN: (0, 0)
    case .popularity: (0, 1)
    }
  }

  /// Why the reader would refuse `contents`, or nil if it would accept them.
  static func problem(in contents: ModelContents) -> String? {
    do {
      try contents.settings.validate()
    } catch {
      return "configuration: \(error.message)"
    }
    let (userVectors, noteVectors, neighbours) = vectorBlocks(contents)
    let expected = expectedVectorLengths(contents.settings, noteCount: contents.notes.count, factors: userVectors.rows)
    guard userVectors.rows == expected.user, noteVectors.rows == expected.note,
          (neighbours != nil) == (contents.kind == .itemKNN) else {
      return "a \(contents.kind.rawValue) model needs vectors of \(expected.user) floats per user and \(expected.note) per note, "
        + "it has \(userVectors.rows) and \(noteVectors.rows)"
    }
    let length = max(userVectors.rows, 1)
    if userVectors.rows > maximumUserVectorLength { return "\(userVectors.rows) factors exceed the limit of \(maximumUserVectorLength)" }
    if let index = firstNonFinite(userVectors.storage) {
      return "user vectors hold \(userVectors.storage[index]) (user \(index / length), element \(index % length))"
    }
    if let index = firstNonFinite(noteVectors.storage) {
      return "note vectors hold \(noteVectors.storage[index]) (note \(index / max(noteVectors.rows, 1)), element \(index % max(noteVectors.rows, 1)))"
    }
    let seen = contents.seen
    if let problem = sparseProblem(offsets: seen.offsets, indices: seen.indices, values: seen.values,
                                   rowCount: seen.rowCount, columnCount: seen.columnCount) {
      return problem
    }
    if let neighbours, let problem = sparseProblem(offsets: neighbours.offsets, indices: neighbours.indices,
                                                   values: neighbours.values, rowCount: neighbours.rowCount,
                                                   columnCount: neighbours.columnCount) {
      return "neighbours: \(problem)"
    }
    return nil
  }

  /// The index of the first NaN or infinity in `values`, if any.
  static func firstNonFinite(_ values: MappableArray<Float>) -> Int? {
    values.withUnsafeBufferPointer { buffer in
      // Chunk by chunk with a branch-free (vectorizable) test: a float is not finite exactly
      // when its exponent bits are all ones.
      let exponent: UInt32 = 0x7f80_0000
      var start = 0
      while start < buffer.count {
        let end = min(start + 4096, buffer.count)
        var largest: UInt32 = 0
        for index in start..<end { largest = max(largest, buffer[index].bitPattern & exponent) }
        if largest == exponent { return (start..<end).first { !buffer[$0].isFinite } }
        start = end
      }
      return nil
    }
  }

  /// What breaks the CSR invariants of the seen interactions, or nil if nothing does.
  ///
  /// Never traps, whatever the arrays hold.
  static func sparseProblem(offsets: MappableArray<Int>, indices: MappableArray<Int32>, values: MappableArray<Float>,
                            rowCount: Int, columnCount: Int) -> String? {
    guard offsets.count == rowCount + 1, indices.count == values.count else {
      return "\(offsets.count) row offsets for \(rowCount) users, \(indices.count) note indices, \(values.count) values"
    }
    guard offsets[0] == 0 else { return "seen offsets start at \(offsets[0]), not 0" }
    guard offsets[rowCount] == indices.count else {
      return "seen offsets end at \(offsets[rowCount]), not at the entry count \(indices.count)"
    }
    let structural: String? = offsets.withUnsafeBufferPointer { offsets in
      indices.withUnsafeBufferPointer { indices in
        for row in 0..<rowCount {
          let start = offsets[row], end = offsets[row + 1]
          guard start <= end, end <= indices.count else {
            return "seen offsets of user \(row) run from \(start) to \(end) (entry count \(indices.count))"
          }
          var previous: Int32 = -1
          for entry in start..<end {
            let column = indices[entry]
            guard column > previous else {
              return column < 0 ? "user \(row) has the negative note index \(column)"
                : "note indices of user \(row) are not strictly increasing (\(column) after \(previous))"
            }
            guard Int(column) < columnCount else {
              return "user \(row) has note index \(column), out of range for \(columnCount) notes"
            }
            previous = column
          }
        }
        return nil
      }
    }
    if let structural { return structural }
    if let entry = firstNonFinite(values) { return "seen value \(values[entry]) at entry \(entry) is not finite" }
    return nil
  }
}
