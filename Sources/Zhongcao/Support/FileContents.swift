import Foundation
import ZhongcaoLinearAlgebra

/// Whole-file reads.
///
/// `Data(contentsOf:)` leaks 4 KB on every read of an empty file in this toolchain's Foundation
/// (found by fuzzing the Spark-export reader under LeakSanitizer); these reads do not use it.
package enum FileContents {
  /// The bytes of the file at `path`: a regular file is read straight into one array
  /// (``FileByteSource``), anything else (a pipe) through a file handle.
  /// - Throws: the Foundation error of opening or reading it.
  package static func bytes(_ path: String) throws -> [UInt8] {
    if let file = try? FileByteSource(path: path) {
      return try file.read(UInt8.self, count: file.byteCount, at: 0)
    }
    return [UInt8](try read(path))
  }

  /// The bytes of the file at `path` as `Data` (for decoders that take it), through a file handle.
  /// - Throws: the Foundation error of opening or reading it.
  package static func read(_ path: String) throws -> Data {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
  }
}
