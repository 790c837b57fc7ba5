import Foundation
import ZhongcaoLinearAlgebra

// Reading an export and Spark's factors back. The files of a 10⁷-user model run to gigabytes
// (64 factors in text are ~1.3 KB a user), so they are read in blocks of lines (``LineBlocks``),
// parsed on all cores, and copied straight into the model's storage: memory peaks near one copy
// of the model, not the file's text plus its `String` plus the parsed values.

extension SparkExchange {
  /// Reads an export directory back: the matrix (string ids restored) and its manifest. The
  /// matrix's ``InteractionMatrix/contentHash`` must equal the manifest's.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` naming file, line and field for
  ///   anything malformed or inconsistent; ``ZhongcaoError/Code-swift.struct/io`` when unreadable.
  public static func readExport(_ directory: String) throws(ZhongcaoError) -> (matrix: InteractionMatrix, manifest: Manifest) {
    let (users, notes, byUser, manifest) = try readExportParts(directory)
    return (InteractionMatrix(users: users, notes: notes, byUser: byUser), manifest)
  }

  /// ``readExport(_:)`` without building the by-note transpose, which a served model never needs.
  static func readExportParts(_ directory: String) throws(ZhongcaoError)
    -> (users: IDMap, notes: IDMap, byUser: SparseRows, manifest: Manifest) {
    let manifestPath = path(directory, manifestFile)
    let manifest: Manifest = try decodeJSON(manifestPath)
    guard manifest.format == "zhongcao-spark-export", manifest.version == 1 else {
      throw ZhongcaoError(.invalidInput, "not a version-1 Zhongcao Spark export (format '\(manifest.format)', version \(manifest.version))",
                          location: .init(file: manifestPath))
    }
    for (count, field) in [(manifest.users, "users"), (manifest.items, "items")] where count < 0 || count > Int(Int32.max) {
      throw ZhongcaoError(.invalidInput, "\(field) must be in 0...\(Int32.max), got \(count)", location: .init(file: manifestPath, field: field))
    }
    guard manifest.pairs >= 0, manifest.pairs <= manifest.users * manifest.items else {
      throw ZhongcaoError(.invalidInput, "pairs must be in 0...users × items, got \(manifest.pairs)", location: .init(file: manifestPath, field: "pairs"))
    }
    // Declared counts set the size of arrays made before the lines are read: each must fit in
    // its file (ids at 4 bytes a line, "0\tx\n"; pairs at 6, "0,0,0\n"), so a manifest cannot
    // make the reader set aside more than a small multiple of the export's size.
    try checkRoom(path(directory, usersFile), lines: manifest.users, minimumLineLength: 4, declared: "users", in: manifestPath)
    try checkRoom(path(directory, itemsFile), lines: manifest.items, minimumLineLength: 4, declared: "items", in: manifestPath)
    try checkRoom(path(directory, interactionsFile), lines: manifest.pairs, minimumLineLength: 6, declared: "pairs", in: manifestPath)
    let users = try readIDs(path(directory, usersFile), expected: manifest.users)
    let notes = try readIDs(path(directory, itemsFile), expected: manifest.items)
    let byUser = try readPairs(path(directory, interactionsFile), users: users.count, notes: notes.count, pairs: manifest.pairs)
    let hash = InteractionMatrix.contentHash(users: users, notes: notes, byUser: byUser)
    guard hash == manifest.dataHash else {
      throw ZhongcaoError(.invalidInput, "the export's data hash is \(hash) but its manifest records \(manifest.dataHash): the files were changed or mixed up",
                          location: .init(file: manifestPath, field: "dataHash"))
    }
    return (users, notes, byUser, manifest)
  }

  /// Checks, before memory is set aside for them, that `file` is large enough to hold `lines`
  /// lines of at least `minimumLineLength` bytes, as the count `declared` in `manifest` says.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` naming the count, or
  ///   ``ZhongcaoError/Code-swift.struct/io`` when the file is missing.
  static func checkRoom(_ file: String, lines: Int, minimumLineLength: Int, declared: String, in manifest: String)
    throws(ZhongcaoError)
  {
    let size = try fileSize(file, kind: "file")
    guard lines <= size / minimumLineLength else {
      throw ZhongcaoError(.invalidInput, "\(declared) is \(lines), but \((file as NSString).lastPathComponent) has "
                          + "\(size) bytes, room for at most \(size / minimumLineLength) lines",
                          location: .init(file: manifest, field: declared))
    }
  }

  /// The size of `file` in bytes; `kind` names it in the error ("factor file").
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when it does not exist.
  private static func fileSize(_ file: String, kind: String) throws(ZhongcaoError) -> Int {
    guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else {
      throw ZhongcaoError(.io, "cannot read \(kind) \(file): no such file", location: .init(file: file))
    }
    return size
  }

  // MARK: interactions.csv

  /// The rows of one run of lines of `interactions.csv`, or the first error in it.
  private struct PairRun: Sendable {
    var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
    var error: ZhongcaoError?
  }

  /// Reads `user,item,rating` rows into a by-user matrix. Rows sorted by (user, item), as the
  /// exporter writes them, go straight into the matrix's arrays; any other order is sorted (and
  /// repeated pairs summed) afterwards, which then fails the manifest's hash unless the data is
  /// the same.
  private static func readPairs(_ file: String, users: Int, notes: Int, pairs: Int) throws(ZhongcaoError) -> SparseRows {
    var indices = MappableArray<Int32>(repeating: 0, count: pairs)
    var values = MappableArray<Float>(repeating: 0, count: pairs)
    var offsets = [Int](repeating: 0, count: users + 1)
    var filled = 0, total = 0
    var lastRow = -1, lastColumn: Int32 = -1
    var unsortedRows: [Int32]?  // set once a row is out of order: then every row's user is kept
    try LineBlocks.parseInParallel(file, kind: "interactions file", header: "user,item,rating") { bytes, firstLine in
      parsePairs(bytes, firstLine: firstLine, file: file, users: users, notes: notes)
    } consume: { run throws(ZhongcaoError) in
      indices.withUnsafeMutableBufferPointer { indices in
        values.withUnsafeMutableBufferPointer { values in
          for entry in run.rows.indices {
            total += 1
            guard filled < pairs else { continue }
            let row = Int(run.rows[entry]), column = run.columns[entry]
            if unsortedRows == nil, row < lastRow || (row == lastRow && column <= lastColumn) {
              // Out of order: remember the user of every row so far and sort at the end.
              var rows = [Int32](repeating: 0, count: pairs)
              for r in 0...lastRow {
                let end = r == lastRow ? filled : offsets[r + 1]
                for e in offsets[r]..<end { rows[e] = Int32(r) }
              }
              unsortedRows = rows
            }
            if unsortedRows != nil {
              unsortedRows![filled] = run.rows[entry]
            } else {
              while lastRow < row {
                lastRow += 1
                offsets[lastRow] = filled
              }
              lastColumn = column
            }
            indices[filled] = column
            values[filled] = run.values[entry]
            filled += 1
          }
        }
      }
      if let error = run.error { throw error }
    }
    guard total == pairs else {
      throw ZhongcaoError(.invalidInput, "\(total) rows, but the manifest says \(pairs) pairs", location: .init(file: file))
    }
    if let unsortedRows {
      return SparseRows(rowCount: users, columnCount: notes, rows: unsortedRows,
                        columns: indices.withUnsafeBufferPointer(Array.init), values: values.withUnsafeBufferPointer(Array.init))
    }
    while lastRow < users {
      lastRow += 1
      offsets[lastRow] = filled
    }
    return SparseRows(rowCount: users, columnCount: notes, offsets: MappableArray(offsets), indices: indices, values: values)
  }

  private static func parsePairs(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, file: String, users: Int, notes: Int) -> PairRun {
    var run = PairRun()
    var fields: [Range<Int>] = []
    LineBlocks.forEachLine(bytes, firstLine: firstLine) { line, number in
      split(line, separator: .comma, into: &fields, limit: 3)
      guard fields.count == 3 else {
        run.error = malformed(file, number, "expected 3 fields (user,item,rating), got \(fields.count)")
        return false
      }
      let user = index(line, fields[0], below: users), item = index(line, fields[1], below: notes)
      guard let user else {
        run.error = indexError(line, fields[0], below: users, file: file, line: number, field: "user")
        return false
      }
      guard let item else {
        run.error = indexError(line, fields[1], below: notes, file: file, line: number, field: "item")
        return false
      }
      guard let weight = FieldParsing.float(UnsafeBufferPointer(rebasing: line[fields[2]])), weight.isFinite, weight >= 0 else {
        run.error = ZhongcaoError(.invalidInput, "rating must be a finite number ≥ 0, got \(quoted(line, fields[2]))",
                                  location: .init(file: file, line: number, field: "rating"))
        return false
      }
      run.rows.append(user)
      run.columns.append(item)
      run.values.append(weight)
      return true
    }
    return run
  }

  // MARK: Factor files

  /// The vectors of one run of lines of a factor file, or the first error in it.
  private struct FactorRun: Sendable {
    var ids: [Int32] = [], lines: [Int] = [], values: [Float] = []
    var error: ZhongcaoError?
  }

  /// Reads `id,f0,…` rows into a `rank × count` matrix; every id in `0..<count` exactly once.
  static func readFactors(_ file: String, count: Int, rank: Int) throws(ZhongcaoError) -> Matrix {
    // Each of the `count` lines holds at least rank + 1 one-digit fields and their separators:
    // a short file cannot make the reader set aside count × rank floats.
    let size = try fileSize(file, kind: "factor file")
    guard count <= size / (2 * (rank + 1)) else {
      throw ZhongcaoError(.invalidInput, "the export has \(count) ids, but the factor file has \(size) bytes, room for "
                          + "at most \(size / (2 * (rank + 1))) lines of rank \(rank)", location: .init(file: file))
    }
    // Copied straight into the matrix's own storage: a 10⁷-user block is never held twice.
    var storage = MappableArray<Float>(repeating: 0, count: count * rank)
    var present = [Bool](repeating: false, count: count)
    let header = (["id"] + (0..<rank).map { "f\($0)" }).joined(separator: ",")
    try storage.withUnsafeMutableBufferPointer { storage throws(ZhongcaoError) in
      try LineBlocks.parseInParallel(file, kind: "factor file", header: header) { bytes, firstLine in
        parseFactors(bytes, firstLine: firstLine, file: file, count: count, rank: rank)
      } consume: { run throws(ZhongcaoError) in
        for (entry, id) in run.ids.enumerated() {
          let id = Int(id)
          guard !present[id] else {
            throw ZhongcaoError(.invalidInput, "id \(id) appears twice", location: .init(file: file, line: run.lines[entry], field: "id"))
          }
          present[id] = true
          run.values.withUnsafeBufferPointer { values in
            let source = UnsafeBufferPointer(rebasing: values[(entry * rank)..<((entry + 1) * rank)])
            _ = UnsafeMutableBufferPointer(rebasing: storage[(id * rank)..<((id + 1) * rank)]).update(fromContentsOf: source)
          }
        }
        if let error = run.error { throw error }
      }
    }
    if let missing = present.firstIndex(of: false) {
      throw ZhongcaoError(.invalidInput, "no factors for id \(missing) (of \(count)); Spark leaves out ids without ratings, so the export and the factors do not match",
                          location: .init(file: file))
    }
    return Matrix(rows: rank, columns: count, storage: storage)
  }

  private static func parseFactors(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, file: String, count: Int, rank: Int) -> FactorRun {
    var run = FactorRun()
    var fields: [Range<Int>] = []
    fields.reserveCapacity(rank + 2)
    LineBlocks.forEachLine(bytes, firstLine: firstLine) { line, number in
      split(line, separator: .comma, into: &fields, limit: rank + 1)
      guard fields.count == rank + 1 else {
        run.error = malformed(file, number, "expected id and \(rank) factors, got \(fields.count) fields")
        return false
      }
      guard let id = index(line, fields[0], below: count) else {
        run.error = indexError(line, fields[0], below: count, file: file, line: number, field: "id")
        return false
      }
      for f in 0..<rank {
        guard let value = FieldParsing.float(UnsafeBufferPointer(rebasing: line[fields[f + 1]])), value.isFinite else {
          run.error = ZhongcaoError(.invalidInput, "factor must be a finite number, got \(quoted(line, fields[f + 1]))",
                                    location: .init(file: file, line: number, field: "f\(f)"))
          run.values.removeLast(f)
          return false
        }
        run.values.append(value)
      }
      run.ids.append(id)
      run.lines.append(number)
      return true
    }
    return run
  }

  // MARK: Id maps

  /// The ids of one run of lines of an id map, or the first error in it.
  private struct IDRun: Sendable {
    var indices: [Int] = [], lines: [Int] = [], lengths: [Int] = [], bytes: [UInt8] = []
    var error: ZhongcaoError?
  }

  /// Reads an `index<TAB>id` map whose indices run 0, 1, 2, … into packed ids (no `String` per id).
  private static func readIDs(_ file: String, expected: Int) throws(ZhongcaoError) -> IDMap {
    var ends: [UInt64] = [0]
    ends.reserveCapacity(expected + 1)
    var text: [UInt8] = []
    try LineBlocks.parseInParallel(file, kind: "id map", header: "index\tid") { bytes, firstLine in
      var run = IDRun()
      var fields: [Range<Int>] = []
      LineBlocks.forEachLine(bytes, firstLine: firstLine) { line, number in
        split(line, separator: .tab, into: &fields, limit: 2)
        guard fields.count == 2 else {
          run.error = malformed(file, number, "expected index and id, got \(fields.count) fields")
          return false
        }
        guard let position = index(line, fields[0], below: Int(Int32.max)) else {
          run.error = ZhongcaoError(.invalidInput, "index must be a number, got \(quoted(line, fields[0]))",
                                    location: .init(file: file, line: number, field: "index"))
          return false
        }
        run.indices.append(Int(position))
        run.lines.append(number)
        run.lengths.append(fields[1].count)
        run.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[fields[1]]))
        return true
      }
      return run
    } consume: { run throws(ZhongcaoError) in
      for (entry, index) in run.indices.enumerated() {
        guard index == ends.count - 1 else {
          throw ZhongcaoError(.invalidInput, "index must be \(ends.count - 1) (indices run 0, 1, 2, …), got \(index)",
                              location: .init(file: file, line: run.lines[entry], field: "index"))
        }
        ends.append(ends[ends.count - 1] + UInt64(run.lengths[entry]))
      }
      text.append(contentsOf: run.bytes)
      if let error = run.error { throw error }
    }
    guard ends.count - 1 == expected else {
      throw ZhongcaoError(.invalidInput, "\(ends.count - 1) ids, but the manifest says \(expected)", location: .init(file: file))
    }
    do {
      return IDMap(packed: try PackedIDs(ends: MappableArray(ends), bytes: MappableArray(text)))
    } catch {
      switch error {
      case .duplicate(let first, let second):
        let id = String(decoding: text[Int(ends[first])..<Int(ends[first + 1])], as: UTF8.self)
        throw ZhongcaoError(.invalidInput, "ids are not unique: indices \(first) and \(second) are both '\(id)'",
                            location: .init(file: file, field: "id"))
      case .invalidUTF8(let index):
        throw ZhongcaoError(.invalidInput, "the id at index \(index) is not valid UTF-8", location: .init(file: file, field: "id"))
      case .offsets(let message):
        preconditionFailure("offsets built here are consistent: \(message)")
      }
    }
  }

  // MARK: Fields

  /// Splits `line` at `separator` into at most `limit + 1` field ranges (one more than
  /// expected, so that too many fields are seen without scanning them all).
  private static func split(_ line: UnsafeBufferPointer<UInt8>, separator: UInt8, into fields: inout [Range<Int>], limit: Int) {
    fields.removeAll(keepingCapacity: true)
    var start = 0
    for position in 0..<line.count where line[position] == separator {
      fields.append(start..<position)
      start = position + 1
      if fields.count > limit { return }
    }
    fields.append(start..<line.count)
  }

  /// A decimal index in `0..<count` (digits only), or nil.
  private static func index(_ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, below count: Int) -> Int32? {
    guard !field.isEmpty, field.count <= 10 else { return nil }
    var value = 0
    for position in field {
      let digit = line[position] &- 0x30
      guard digit < 10 else { return nil }
      value = value * 10 + Int(digit)
    }
    return value < count ? Int32(value) : nil
  }

  private static func indexError(_ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, below count: Int,
                                 file: String, line number: Int, field name: String) -> ZhongcaoError {
    ZhongcaoError(.invalidInput, "\(name) must be an index in 0..<\(count), got \(quoted(line, field))",
                  location: .init(file: file, line: number, field: name))
  }

  private static func quoted(_ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
    DelimitedTextFile.quoted(ArraySlice(UnsafeBufferPointer(rebasing: line[field])))
  }
}
