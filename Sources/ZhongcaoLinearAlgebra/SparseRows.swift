/// A compressed sparse row (CSR) matrix of single-precision values with 64-bit offsets.
///
/// Row `r` holds the column indices `indices[offsets[r]..<offsets[r+1]]`, sorted ascending and
/// unique, with their `values`. Offsets are `Int` (64-bit), so a matrix may hold more than 2³¹
/// entries; column indices are `Int32` (up to 2³¹ − 1 columns).
package struct SparseRows: Sendable, Equatable {
  /// Number of rows.
  package let rowCount: Int
  /// Number of columns.
  package let columnCount: Int
  /// `rowCount + 1` offsets into `indices` and `values`; `offsets[0] == 0`.
  package let offsets: MappableArray<Int>
  /// Column index of every stored entry, sorted within each row.
  package let indices: MappableArray<Int32>
  /// Value of every stored entry.
  package let values: MappableArray<Float>

  /// A matrix from its parts (copied); checks the CSR invariants (a programmer error if broken).
  package init(rowCount: Int, columnCount: Int, offsets: [Int], indices: [Int32], values: [Float]) {
    self.init(rowCount: rowCount, columnCount: columnCount, offsets: MappableArray(offsets),
              indices: MappableArray(indices), values: MappableArray(values))
  }

  /// A matrix from its parts (shared, not copied); checks the CSR invariants (a programmer error
  /// if broken).
  package init(rowCount: Int, columnCount: Int, offsets: MappableArray<Int>, indices: MappableArray<Int32>,
               values: MappableArray<Float>) {
    precondition(offsets.count == rowCount + 1 && offsets.first == 0 && offsets.last == indices.count
                 && indices.count == values.count, "inconsistent CSR arrays")
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.offsets = offsets
    self.indices = indices
    self.values = values
  }

  /// Number of stored entries.
  package var entryCount: Int { indices.count }

  /// Entries in row `row`.
  package func count(ofRow row: Int) -> Int { offsets[row + 1] - offsets[row] }

  /// The range of `indices`/`values` positions of row `row`.
  package func range(ofRow row: Int) -> Range<Int> { offsets[row]..<offsets[row + 1] }

  /// Builds a CSR matrix from coordinate triples, summing repeated (row, column) pairs.
  /// Runs in O(entries + rows + columns) with a counting sort; the inputs need no order.
  package init(rowCount: Int, columnCount: Int, rows: [Int32], columns: [Int32], values: [Float]) {
    precondition(rows.count == columns.count && rows.count == values.count, "coordinate arrays differ in length")
    var counts = [Int](repeating: 0, count: rowCount + 1)
    for row in rows { counts[Int(row) + 1] += 1 }
    for r in 0..<rowCount { counts[r + 1] += counts[r] }
    var cursor = counts
    var unsortedColumns = [Int32](repeating: 0, count: rows.count)
    var unsortedValues = [Float](repeating: 0, count: rows.count)
    for e in rows.indices {
      let r = Int(rows[e])
      unsortedColumns[cursor[r]] = columns[e]
      unsortedValues[cursor[r]] = values[e]
      cursor[r] += 1
    }
    // Sort each row by column and merge duplicates.
    var offsets = [Int](repeating: 0, count: rowCount + 1)
    var outColumns = [Int32](); outColumns.reserveCapacity(rows.count)
    var outValues = [Float](); outValues.reserveCapacity(rows.count)
    var order = [Int]()
    for r in 0..<rowCount {
      let start = counts[r], end = counts[r + 1]
      order.removeAll(keepingCapacity: true)
      order.append(contentsOf: start..<end)
      var sorted = true
      if end - start > 1 {
        for e in (start + 1)..<end where unsortedColumns[e] <= unsortedColumns[e - 1] { sorted = false; break }
      }
      if !sorted { order.sort { (unsortedColumns[$0], $0) < (unsortedColumns[$1], $1) } }
      for e in order {
        if let last = outColumns.last, outColumns.count > offsets[r], last == unsortedColumns[e] {
          outValues[outValues.count - 1] += unsortedValues[e]
        } else {
          outColumns.append(unsortedColumns[e])
          outValues.append(unsortedValues[e])
        }
      }
      offsets[r + 1] = outColumns.count
    }
    self.init(rowCount: rowCount, columnCount: columnCount, offsets: offsets, indices: outColumns, values: outValues)
  }

  /// The transpose (CSC of this matrix read as CSR), built with a counting sort.
  package func transposed() -> SparseRows {
    var offsets = [Int](repeating: 0, count: columnCount + 1)
    for column in indices { offsets[Int(column) + 1] += 1 }
    for c in 0..<columnCount { offsets[c + 1] += offsets[c] }
    var cursor = offsets
    var outIndices = [Int32](repeating: 0, count: entryCount)
    var outValues = [Float](repeating: 0, count: entryCount)
    for row in 0..<rowCount {
      for e in range(ofRow: row) {
        let c = Int(indices[e])
        outIndices[cursor[c]] = Int32(row)
        outValues[cursor[c]] = values[e]
        cursor[c] += 1
      }
    }
    return SparseRows(rowCount: columnCount, columnCount: rowCount, offsets: offsets,
                      indices: outIndices, values: outValues)
  }
}
