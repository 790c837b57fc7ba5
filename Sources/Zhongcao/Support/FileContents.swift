import Foundation

/// Whole-file reads.
///
/// `Data(contentsOf:)` leaks 4 KB on every read of an empty file in this toolchain's Foundation
/// (found by fuzzing the Spark-export reader under LeakSanitizer); these reads do not use it.
package enum FileContents {
  /// The bytes of the file at `path` as `Data` (for decoders that take it), through a file handle.
  /// - Throws: the Foundation error of opening or reading it.
  package static func read(_ path: String) throws -> Data {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
  }
}
