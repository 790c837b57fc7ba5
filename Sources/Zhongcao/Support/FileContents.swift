import Foundation

/// Whole-file reads through `FileHandle`.
///
/// `Data(contentsOf:)` leaks 4 KB on every read of an empty file in this toolchain's Foundation
/// (found by fuzzing the Spark-export reader under LeakSanitizer); reading through a file
/// handle does not.
package enum FileContents {
  /// The bytes of the file at `path`.
  /// - Throws: the Foundation error of opening or reading it.
  package static func read(_ path: String) throws -> Data {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
  }
}
