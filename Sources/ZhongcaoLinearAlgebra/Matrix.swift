/// A dense single-precision matrix in column-major order.
///
/// Element (row, column) is at `storage[row + column * rows]` (BLAS `CblasColMajor`, leading
/// dimension `rows`). Factor matrices are stored `factorCount × entityCount`, so the vector of one
/// user or note is the contiguous column `column`.
package struct Matrix: Sendable, Equatable {
  /// Number of rows (the leading dimension).
  package let rows: Int
  /// Number of columns.
  package let columns: Int
  /// Column-major elements, `rows * columns` of them: memory of the matrix's own, or a block of
  /// a memory-mapped model file.
  package var storage: MappableArray<Float>

  /// A matrix of zeros.
  package init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "negative matrix shape \(rows)×\(columns)")
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    precondition(!overflow, "matrix shape \(rows)×\(columns) overflows")
    self.rows = rows
    self.columns = columns
    self.storage = MappableArray(repeating: 0, count: count)
  }

  /// A matrix over existing column-major storage (copied).
  package init(rows: Int, columns: Int, storage: [Float]) {
    self.init(rows: rows, columns: columns, storage: MappableArray(storage))
  }

  /// A matrix over existing column-major storage (shared, not copied).
  package init(rows: Int, columns: Int, storage: MappableArray<Float>) {
    precondition(rows >= 0 && columns >= 0 && storage.count == rows * columns,
                 "storage of \(storage.count) elements does not fit \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// Element access, column-major.
  package subscript(row: Int, column: Int) -> Float {
    get { storage[row + column * rows] }
    set { storage[row + column * rows] = newValue }
  }

  /// A copy of one column.
  package func column(_ column: Int) -> [Float] {
    Array(storage[column * rows..<(column + 1) * rows])
  }

  /// Replaces one column.
  package mutating func setColumn(_ column: Int, to values: [Float]) {
    precondition(values.count == rows, "column length \(values.count) != rows \(rows)")
    let base = column * rows
    storage.withUnsafeMutableBufferPointer { buffer in
      for (offset, value) in values.enumerated() { buffer[base + offset] = value }
    }
  }

  /// True when every element is finite.
  package var isFinite: Bool {
    storage.withUnsafeBufferPointer { buffer in
      var finite = true
      for value in buffer where !value.isFinite { finite = false; break }
      return finite
    }
  }

  /// The Gram matrix `self · selfᵀ = Σ_j c_j c_jᵀ` of the columns (`rows × rows`, both triangles
  /// filled): `YᵀY` in the papers' notation for a factor matrix stored one entity per column.
  /// Computed with `ssyrk` over fixed-size column chunks, so the result does not depend on the
  /// thread count.
  package func gram() -> Matrix {
    var result = Matrix(rows: rows, columns: rows)
    BLAS.gramOfColumns(self, into: &result)
    return result
  }
}
