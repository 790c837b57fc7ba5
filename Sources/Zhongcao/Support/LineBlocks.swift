import Foundation
import ZhongcaoLinearAlgebra

/// A text file read in blocks of whole lines, so that a file of many gigabytes (a Spark factor
/// file of 10⁷ users) is parsed in bounded memory instead of being read, and decoded, whole.
struct LineBlocks {
  /// Complete lines of the file; only the file's last line may lack its line break.
  struct Block: Sendable {
    /// The lines' bytes.
    let bytes: [UInt8]
    /// The 1-based line number of the first line.
    let firstLine: Int
  }

  private let handle: FileHandle
  private let path: String
  private let kind: String
  private let blockSize: Int
  private let maximumLineLength: Int
  /// The unfinished last line of what was read so far.
  private var carry: [UInt8] = []
  private var nextLine = 1
  private var atEnd = false
  /// Bytes read from the file so far.
  private var consumed = 0
  /// A block the caller is done with (``recycle(_:)``), whose memory the next read reuses.
  private var spare: [UInt8] = []
  /// The file's size in bytes when it was opened (0 when unknown), for reserving room ahead.
  let fileSize: Int

  /// The longest line accepted by default: 64 MiB.
  static let defaultMaximumLineLength = 64 << 20

  /// Opens `path`; `kind` names the file in errors ("factor file"). A line longer than
  /// `maximumLineLength` bytes is an error as soon as that many bytes without a line break are
  /// read, so a file with no line breaks cannot make the reader hold more than that.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` saying why the file cannot be read.
  init(path: String, kind: String, blockSize: Int = 16 << 20, maximumLineLength: Int = defaultMaximumLineLength)
    throws(ZhongcaoError)
  {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    guard exists, !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
      let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
      throw ZhongcaoError(.io, "cannot read \(kind) \(path): \(reason)", location: .init(file: path))
    }
    self.handle = handle
    fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    self.path = path
    self.kind = kind
    self.blockSize = blockSize
    self.maximumLineLength = maximumLineLength
  }

  /// The next block of lines, or nil at the end of the file.
  ///
  /// Each block is one buffer: the unfinished line carried over from the last read, then up to
  /// `blockSize` bytes read straight into it (no `Data` in between, no copy of the block). The
  /// buffer is the last recycled block's when there is one (``recycle(_:)``), else a new one.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` for a line longer than the limit;
  ///   ``ZhongcaoError/Code-swift.struct/io`` when reading fails.
  mutating func next() throws(ZhongcaoError) -> Block? {
    while !atEnd {
      let carried = carry.count, descriptor = handle.fileDescriptor
      // No more than the file has left, with room should it have grown: a small file, or the
      // end of a large one, neither maps nor zeroes a whole block.
      let wanted = fileSize > 0 ? min(blockSize, max(fileSize - consumed, 0) + (64 << 10)) : blockSize
      var failure: Int32 = 0
      func fill(_ storage: UnsafeMutableBufferPointer<UInt8>, from start: Int) -> Int {
        var filled = start
        while filled < storage.count {
          let count = read(descriptor, storage.baseAddress! + filled, storage.count - filled)
          if count > 0 {
            filled += count
          } else if count == 0 || errno != EINTR {
            if count < 0 { failure = errno }
            break
          }
        }
        return filled
      }
      var buffer: [UInt8]
      if spare.capacity >= carried + wanted {
        // The recycled block's pages are already mapped: zeroing them costs less than the page
        // faults of fresh memory (a few milliseconds a block on a virtual machine).
        buffer = spare
        spare = []
        buffer.removeAll(keepingCapacity: true)
        buffer += carry
        buffer.append(contentsOf: repeatElement(0, count: wanted))
        let filled = buffer.withUnsafeMutableBufferPointer { fill($0, from: carried) }
        buffer.removeSubrange(filled...)
      } else {
        // Room for a carried line of up to 64 KiB more, so that the buffer can be recycled.
        buffer = carry.withUnsafeBufferPointer { carry in
          [UInt8](unsafeUninitializedCapacity: carried + wanted + (64 << 10)) { storage, initialized in
            if carried > 0 { _ = storage.initialize(fromContentsOf: carry) }
            initialized = fill(UnsafeMutableBufferPointer(rebasing: storage[..<(carried + wanted)]), from: carried)
          }
        }
      }
      consumed += buffer.count - carried
      if failure != 0 {
        throw ZhongcaoError(.io, "cannot read \(kind) \(path): \(String(cString: strerror(failure)))", location: .init(file: path))
      }
      if buffer.count == carried {
        atEnd = true
        break
      }
      if let lastBreak = buffer.lastIndex(of: .newline) {
        carry = Array(buffer[(lastBreak + 1)...])
        buffer.removeSubrange((lastBreak + 1)...)
        return block(of: buffer)
      }
      carry = buffer
      guard carry.count <= maximumLineLength else {
        throw ZhongcaoError(.invalidInput, "the line is longer than \(Self.describe(maximumLineLength)) "
                            + "(is the file binary, or are its line breaks missing?)",
                            location: .init(file: path, line: nextLine))
      }
    }
    guard !carry.isEmpty else { return nil }
    defer { carry = [] }
    return block(of: carry)
  }

  /// Hands back a block the caller is done with, so that the next read reuses its memory
  /// instead of mapping fresh pages. Only worth it when nothing else holds the block's bytes.
  mutating func recycle(_ block: consuming Block) {
    spare = block.bytes
  }

  private mutating func block(of lines: [UInt8]) -> Block {
    let block = Block(bytes: lines, firstLine: nextLine)
    nextLine += lines.withUnsafeBufferPointer(Self.lineBreaks)
    return block
  }

  /// The lines to reserve room for: the line breaks in `bytes` plus a last line without one; when
  /// `bytes` is the first block of a `fileSize`-byte file, scaled up to the whole file.
  static func estimatedLineCount(in bytes: [UInt8], fileSize: Int?) -> Int {
    let count = 1 + bytes.withUnsafeBufferPointer(lineBreaks)
    guard let fileSize, !bytes.isEmpty else { return count }
    return Int(Double(count) / Double(bytes.count) * Double(fileSize) * 1.02) + 16
  }

  /// `64 MiB`, `16 KiB` or `100 bytes`.
  static func describe(_ length: Int) -> String {
    if length >= 1 << 20 && length % (1 << 20) == 0 { return "\(length >> 20) MiB" }
    if length >= 1 << 10 && length % (1 << 10) == 0 { return "\(length >> 10) KiB" }
    return "\(length) bytes"
  }

  /// The number of line breaks in `bytes`.
  static func lineBreaks(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    // Sixteen bytes at a time (serial work on every block, and the compiler does not vectorise
    // the byte loop): each lane adds 1 where its byte is a line break, into byte-wide sums that
    // are emptied into the count every 255 rounds, before they could wrap.
    let raw = UnsafeRawPointer(base), newline = SIMD16<UInt8>(repeating: .newline), none = SIMD16<UInt8>()
    var count = 0, position = 0
    while position &+ 16 <= bytes.count {
      var sums = SIMD16<UInt8>()
      for _ in 0..<min((bytes.count &- position) / 16, 255) {
        let chunk = raw.loadUnaligned(fromByteOffset: position, as: SIMD16<UInt8>.self)
        sums &+= none.replacing(with: 1, where: chunk .== newline)
        position &+= 16
      }
      count &+= Int(SIMD16<UInt16>(truncatingIfNeeded: sums).wrappedSum())
    }
    while position < bytes.count {
      if bytes[position] == .newline { count &+= 1 }
      position &+= 1
    }
    return count
  }

  /// Reads the delimited-text file `path` whose first line must be `header`, parsing its lines in
  /// parts on all cores and handing the parts to `consume` in file order.
  ///
  /// `parse` gets a run of complete lines (never the header) and the line number of the first;
  /// it reports malformed lines in its result, and `consume` throws them, so the error a user
  /// sees is the first in the file.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when unreadable; ``ZhongcaoError/Code-swift.struct/invalidInput``
  ///   for an empty file or a wrong header; whatever `consume` throws.
  static func parseInParallel<Part: Sendable>(
    _ path: String, kind: String, header: String, blockSize: Int = 16 << 20,
    parse: @Sendable (UnsafeBufferPointer<UInt8>, _ firstLine: Int) -> Part,
    consume: (Part) throws(ZhongcaoError) -> Void
  ) throws(ZhongcaoError) {
    var blocks = try LineBlocks(path: path, kind: kind, blockSize: blockSize)
    let parts = max(1, ProcessorCount.active)
    var first = true
    while let block = try blocks.next() {
      var start = 0
      if first {
        first = false
        let end = block.bytes.firstIndex(of: .newline) ?? block.bytes.count
        var line = block.bytes[..<end]
        if line.last == .carriageReturn { line = line.dropLast() }
        guard line.elementsEqual(header.utf8) else {
          throw ZhongcaoError(.invalidInput, "header must be '\(header)', got \(DelimitedTextFile.quoted(line))",
                              location: .init(file: path, line: 1))
        }
        start = min(end + 1, block.bytes.count)
      }
      // Cut the block at line breaks near equal shares, one share per core.
      var cuts = [start]
      for share in 1..<parts {
        var cut = max(cuts.last!, start + (block.bytes.count - start) * share / parts)
        while cut < block.bytes.count, cut > 0, block.bytes[cut - 1] != .newline { cut += 1 }
        cuts.append(cut)
      }
      cuts.append(block.bytes.count)
      var firstLines = [block.firstLine + (start > 0 ? 1 : 0)]
      block.bytes.withUnsafeBufferPointer { bytes in
        for share in 1..<parts {
          firstLines.append(firstLines[share - 1] + lineBreaks(UnsafeBufferPointer(rebasing: bytes[cuts[share - 1]..<cuts[share]])))
        }
      }
      let results = parallelMap(count: parts, chunkSize: 1, workspace: {}) { [cuts, firstLines] _, share in
        block.bytes.withUnsafeBufferPointer { bytes in
          parse(UnsafeBufferPointer(rebasing: bytes[cuts[share]..<cuts[share + 1]]), firstLines[share])
        }
      }
      for result in results { try consume(result) }
    }
    if first { throw ZhongcaoError(.invalidInput, "the file is empty", location: .init(file: path, line: 1)) }
  }

  /// Calls `body` with each non-blank line of `bytes` (line break and a trailing carriage return
  /// removed) and its line number, until `body` returns false.
  static func forEachLine(
    _ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Bool
  ) {
    var position = 0, line = firstLine
    while position < bytes.count {
      var end = position
      while end < bytes.count, bytes[end] != .newline { end += 1 }
      var last = end
      if last > position, bytes[last - 1] == .carriageReturn { last -= 1 }
      if last > position, !body(UnsafeBufferPointer(rebasing: bytes[position..<last]), line) { return }
      position = end + 1
      line += 1
    }
  }
}
