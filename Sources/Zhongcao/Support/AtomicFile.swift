import Foundation
import ZhongcaoLinearAlgebra

/// Writes files so that readers see either the old file or the complete new one, never a part:
/// the bytes go to a temporary file beside the target, are flushed to disk, the temporary file
/// is renamed over the target, and the directory is flushed so that the rename survives a power
/// failure.
///
/// A process killed mid-write (SIGKILL, a crash, a power cut) leaves the old target intact and a
/// temporary `.NAME.tmp-PID-…` beside it; the next write to the same target removes such files
/// of processes that no longer run. A file-size limit (`ulimit -f`), a full disk or a quota is
/// reported as such — provided the process ignores `SIGXFSZ` (`recotrain` does; a service that
/// wants the error rather than the default termination must too).
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
    let prefix = ".\(url.lastPathComponent).tmp-"
    removeAbandonedTemporaries(in: directory, prefix: prefix)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent("\(prefix)\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))").path
    guard FileManager.default.createFile(atPath: temporary, contents: nil),
          let handle = FileHandle(forWritingAtPath: temporary) else {
      let reason = FileManager.default.isWritableFile(atPath: directory) ? "cannot create \(temporary)" : "directory \(directory) is not writable"
      throw ZhongcaoError(.io, "cannot write \(path): \(reason)")
    }
    var writer = Writer(handle: handle, path: path)
    do throws(ZhongcaoError) {
      try body(&writer)
      try writer.flush()
      do {
        try handle.synchronize()
        try handle.close()
      } catch {
        throw ZhongcaoError(.io, "cannot write \(path): \(describe(error)) while flushing \(writer.written) bytes to disk")
      }
    } catch {
      try? handle.close()
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw ZhongcaoError(.io, "cannot move \(temporary) to \(path): \(reason)")
    }
    synchronizeDirectory(directory.isEmpty ? "." : directory)
  }

  /// A write error in words: the POSIX reason under Foundation's wrapper, with what it means
  /// for the common limits.
  static func describe(_ error: any Error) -> String {
    var posix: Int?
    let nsError = error as NSError
    if nsError.domain == NSPOSIXErrorDomain {
      posix = nsError.code
    } else if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      posix = underlying.code
    }
    switch posix.map(Int32.init) {
    case EFBIG:
      var limit = rlimit()
      if getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
        return "the file-size limit of \(limit.rlim_cur) bytes was reached (ulimit -f)"
      }
      return "the file-size limit was reached (ulimit -f)"
    case ENOSPC: return "no space left on the device"
    case EDQUOT: return "the disk quota is exhausted"
    case let code?: return String(cString: strerror(code))
    case nil: return error.localizedDescription
    }
  }

  /// Removes `prefix…` files in `directory` left by writers that were killed: those whose
  /// process id (after the prefix) no longer names a running process.
  private static func removeAbandonedTemporaries(in directory: String, prefix: String) {
    let folder = directory.isEmpty ? "." : directory
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for name in names where name.hasPrefix(prefix) {
      guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }),
            pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) != 0, errno == ESRCH else { continue }
      try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: folder).appendingPathComponent(name).path)
    }
  }

  /// Flushes a directory's entries (the rename) to disk; best effort, as not every file system
  /// supports it.
  private static func synchronizeDirectory(_ directory: String) {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    _ = close(descriptor)
  }

  /// Buffered writer handed to ``AtomicFile/write(to:_:)``.
  package struct Writer {
    fileprivate let handle: FileHandle
    fileprivate let path: String
    private var buffer: [UInt8] = []
    /// Bytes handed to the file so far.
    fileprivate private(set) var written = 0

    fileprivate init(handle: FileHandle, path: String) {
      self.handle = handle
      self.path = path
      buffer.reserveCapacity(1 << 20)
    }

    /// Appends bytes.
    package mutating func write(_ bytes: [UInt8]) throws(ZhongcaoError) {
      // Half a buffer or more goes to the file as it is, after what is buffered, without a copy.
      if bytes.count >= 1 << 19 {
        try flush()
        try hand(bytes)
        return
      }
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
      try hand(buffer)
      buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `bytes` to the file.
    private mutating func hand(_ bytes: [UInt8]) throws(ZhongcaoError) {
      do { try handle.write(contentsOf: bytes) } catch {
        throw ZhongcaoError(.io, "cannot write \(path): \(AtomicFile.describe(error))\(written > 0 ? " after \(written) bytes" : ""); \(path) was left as it was")
      }
      written += bytes.count
    }
  }
}
