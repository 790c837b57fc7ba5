import Foundation
import ZhongcaoLinearAlgebra

/// Writes files so that readers see either the old file or the complete new one, never a part:
/// the bytes go to a temporary file beside the target, are flushed to disk, and the temporary file
/// is renamed over the target.
package enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  package static func write(_ bytes: some Sequence<UInt8>, to path: String) throws(ZhongcaoError) {
    try write(to: path) { handle throws(ZhongcaoError) in try handle.write(Array(bytes)) }
  }

  /// Streams content to `path` atomically: `body` writes through the ``Writer``.
  package static func write(to path: String, _ body: (inout Writer) throws(ZhongcaoError) -> Void) throws(ZhongcaoError) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
          isDirectory.boolValue else {
      throw ZhongcaoError(.io, "cannot write \(path): directory \(directory) does not exist")
    }
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))").path
    guard FileManager.default.createFile(atPath: temporary, contents: nil),
          let handle = FileHandle(forWritingAtPath: temporary) else {
      throw ZhongcaoError(.io, "cannot create \(temporary) to write \(path)")
    }
    var writer = Writer(handle: handle, path: path)
    do {
      try body(&writer)
      try writer.flush()
      try handle.synchronize()
      try handle.close()
    } catch let error as ZhongcaoError {
      try? handle.close()
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    } catch {
      try? handle.close()
      try? FileManager.default.removeItem(atPath: temporary)
      throw ZhongcaoError(.io, "cannot write \(path): \(error.localizedDescription)")
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw ZhongcaoError(.io, "cannot move \(temporary) to \(path): \(reason)")
    }
  }

  /// Buffered writer handed to ``AtomicFile/write(to:_:)``.
  package struct Writer {
    fileprivate let handle: FileHandle
    fileprivate let path: String
    private var buffer: [UInt8] = []

    fileprivate init(handle: FileHandle, path: String) {
      self.handle = handle
      self.path = path
      buffer.reserveCapacity(1 << 20)
    }

    /// Appends bytes.
    package mutating func write(_ bytes: [UInt8]) throws(ZhongcaoError) {
      buffer.append(contentsOf: bytes)
      if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends the UTF-8 of a string.
    package mutating func write(_ text: String) throws(ZhongcaoError) {
      buffer.append(contentsOf: text.utf8)
      if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends JSON text.
    package mutating func write(_ text: borrowing JSONBytes) throws(ZhongcaoError) {
      text.withBytes { buffer.append(contentsOf: $0) }
      if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends the in-memory (little-endian) bytes of plain values (the model file's factor,
    /// index and offset blocks), in chunks, without an extra whole-array copy.
    package mutating func write<Element: BitwiseCopyable>(elements: MappableArray<Element>) throws(ZhongcaoError) {
      let chunk = max((1 << 20) / MemoryLayout<Element>.stride, 1)
      var start = 0
      while start < elements.count {
        let end = min(start + chunk, elements.count)
        elements.withUnsafeBufferPointer { all in
          buffer.append(contentsOf: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[start..<end])))
        }
        if buffer.count >= 1 << 20 { try flush() }
        start = end
      }
    }

    fileprivate mutating func flush() throws(ZhongcaoError) {
      guard !buffer.isEmpty else { return }
      do { try handle.write(contentsOf: buffer) } catch {
        throw ZhongcaoError(.io, "cannot write \(path): \(error.localizedDescription)")
      }
      buffer.removeAll(keepingCapacity: true)
    }
  }
}
