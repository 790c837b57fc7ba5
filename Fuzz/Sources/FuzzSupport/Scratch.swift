import Foundation

/// A scratch directory in memory (`/dev/shm` when there is one) for readers that take paths.
public enum Scratch {
  /// This process's scratch directory, created on first use.
  public static let directory: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = base + "/zhongcao-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// Writes `bytes` to `name` in the scratch directory and returns its path.
  public static func file(_ name: String, _ bytes: UnsafeRawBufferPointer) -> String {
    let path = directory + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  /// The input split at `separator` lines (`\n====\n`) into at most `count` parts.
  public static func parts(_ bytes: UnsafeRawBufferPointer, count: Int) -> [UnsafeRawBufferPointer] {
    let separator = Array("\n====\n".utf8)
    var parts: [UnsafeRawBufferPointer] = []
    var start = 0, index = 0
    while index + separator.count <= bytes.count, parts.count < count - 1 {
      if bytes[index] == separator[0], (0..<separator.count).allSatisfy({ bytes[index + $0] == separator[$0] }) {
        parts.append(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        index += separator.count
        start = index
      } else {
        index += 1
      }
    }
    parts.append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    while parts.count < count { parts.append(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return parts
  }
}
