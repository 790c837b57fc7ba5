#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a read from a ``ByteSource`` failed.
package struct ByteSourceError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A category of failure.
  package enum Kind: Sendable, Equatable {
    /// The file could not be opened, examined or read.
    case io
    /// The requested range lies outside the source (for a file: it is shorter than it was).
    case outOfRange
  }

  /// The category.
  package var kind: Kind
  /// What happened, without the file name (the caller adds it).
  package var message: String

  /// An error of a kind with a message.
  package init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  package var description: String { message }
}

/// Random-access bytes (a file or an array) from which typed arrays are read straight into
/// their final storage, optionally hashed on the way while each chunk is still in cache.
///
/// The model file reads its sections through this: a 2.5 GB factor block becomes a `[Float]`
/// with one allocation and no intermediate copy. Elements are taken in host byte order.
package protocol ByteSource: ~Copyable {
  /// Total number of bytes.
  var byteCount: Int { get }

  /// Copies `destination.count` bytes starting at `offset` into `destination`.
  ///
  /// - Throws: ``ByteSourceError/Kind/outOfRange`` if the range is not inside the source,
  ///   ``ByteSourceError/Kind/io`` if reading fails.
  func copyBytes(at offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(ByteSourceError)

  /// Reads `count` elements stored contiguously at byte `offset` as a ``MappableArray``: a copy,
  /// or, from a memory-mapped source, a view of the mapping. Feeds their bytes to `hasher` unless
  /// it is nil.
  ///
  /// - Throws: ``ByteSourceError`` if the range is outside the source or reading fails.
  func mappableArray<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int, hashingInto hasher: inout XXH64Hasher?
  ) throws(ByteSourceError) -> MappableArray<Element>
}

extension ByteSource where Self: ~Copyable {
  /// Reads `count` elements stored contiguously at byte `offset`, feeding their bytes to `hasher`.
  ///
  /// The range is checked against ``byteCount`` (with overflow-checked arithmetic) before
  /// anything is allocated, so a hostile count cannot cause a huge allocation.
  ///
  /// - Parameters:
  ///   - type: The element type, e.g. `Float.self`.
  ///   - count: Number of elements, ≥ 0.
  ///   - offset: Byte offset of the first element, ≥ 0.
  ///   - hasher: Receives the bytes read, in order.
  /// - Returns: The elements.
  /// - Throws: ``ByteSourceError`` if the range is outside the source or reading fails.
  /// - Complexity: O(`count`), one allocation.
  package func read<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int, hashingInto hasher: inout XXH64Hasher
  ) throws(ByteSourceError) -> [Element] {
    let length = try checkedLength(Element.self, count: count, at: offset)
    if count == 0 { return [] }
    var failure: ByteSourceError?
    let elements = [Element](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      do throws(ByteSourceError) {
        try fill(UnsafeMutableRawBufferPointer(buffer), length: length, from: offset, hashingInto: &hasher)
        initializedCount = count
      } catch {
        failure = error
        initializedCount = 0
      }
    }
    if let failure { throw failure }
    return elements
  }

  /// Reads into an allocation of its own (what every source but a mapped file does).
  package func mappableArray<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int, hashingInto hasher: inout XXH64Hasher?
  ) throws(ByteSourceError) -> MappableArray<Element> {
    let length = try checkedLength(Element.self, count: count, at: offset)
    var failure: ByteSourceError?
    var local = hasher ?? XXH64Hasher()
    let elements = MappableArray<Element>(count: count) { buffer in
      do throws(ByteSourceError) {
        try fill(UnsafeMutableRawBufferPointer(buffer), length: length, from: offset, hashingInto: &local)
      } catch {
        failure = error
        UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
      }
    }
    if let failure { throw failure }
    if hasher != nil { hasher = local }
    return elements
  }

  /// The byte length of `count` elements at `offset`, checked against ``byteCount`` with
  /// overflow-checked arithmetic before anything is allocated.
  package func checkedLength<Element: BitwiseCopyable>(_ type: Element.Type, count: Int, at offset: Int)
    throws(ByteSourceError) -> Int
  {
    let (length, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
    guard count >= 0, offset >= 0, !overflow, offset <= byteCount, length <= byteCount - offset else {
      throw ByteSourceError(.outOfRange, "\(count) elements of \(MemoryLayout<Element>.stride) bytes at offset \(offset) "
                              + "do not fit in \(byteCount) bytes")
    }
    return length
  }

  /// Copies `length` bytes at `offset` into `destination` in 1 MiB chunks, hashing each chunk
  /// while it is still in cache.
  private func fill(_ destination: UnsafeMutableRawBufferPointer, length: Int, from offset: Int,
                    hashingInto hasher: inout XXH64Hasher) throws(ByteSourceError) {
    let chunkLength = 1 << 20
    var done = 0
    while done < length {
      let piece = UnsafeMutableRawBufferPointer(rebasing: destination[done..<done + min(chunkLength, length - done)])
      try copyBytes(at: offset + done, into: piece)
      hasher.update(UnsafeRawBufferPointer(piece))
      done += piece.count
    }
  }

  /// Reads `count` elements stored contiguously at byte `offset` (see
  /// ``read(_:count:at:hashingInto:)``), without hashing.
  package func read<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int
  ) throws(ByteSourceError) -> [Element] {
    var hasher = XXH64Hasher()
    return try read(type, count: count, at: offset, hashingInto: &hasher)
  }
}

/// A ``ByteSource`` over an array of bytes.
package struct ByteArraySource: ByteSource, Sendable {
  /// The bytes.
  package let bytes: [UInt8]

  /// A source over `bytes`.
  package init(_ bytes: [UInt8]) {
    self.bytes = bytes
  }

  package var byteCount: Int { bytes.count }

  package func copyBytes(at offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
    guard offset >= 0, offset <= bytes.count, destination.count <= bytes.count - offset else {
      throw ByteSourceError(.outOfRange, "\(destination.count) bytes at offset \(offset) do not fit in \(bytes.count) bytes")
    }
    guard destination.count > 0 else { return }
    bytes.withUnsafeBytes { source in
      destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + destination.count]))
    }
  }
}

/// A ``ByteSource`` over a memory-mapped regular file: arrays read from it are views of the
/// mapping (no copy), as long as their offset is aligned for their element type.
package struct MappedFileSource: ByteSource, Sendable {
  /// The mapping.
  package let owner: MemoryOwner
  /// The file's size when it was mapped.
  package let byteCount: Int

  /// Maps the regular file at `path` read-only.
  ///
  /// - Throws: ``ByteSourceError/Kind/io`` if it does not exist, cannot be opened or mapped, or
  ///   is not a regular file.
  package init(path: String) throws(ByteSourceError) {
    (owner, byteCount) = try MemoryOwner.mapFile(atPath: path)
  }

  package func copyBytes(at offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
    guard offset >= 0, offset <= byteCount, destination.count <= byteCount - offset else {
      throw ByteSourceError(.outOfRange, "\(destination.count) bytes at offset \(offset) do not fit in \(byteCount) bytes")
    }
    guard destination.count > 0 else { return }
    destination.copyMemory(from: UnsafeRawBufferPointer(start: owner.base + offset, count: destination.count))
  }

  /// A view of the mapping (a copy when `offset` is not aligned for `Element`).
  package func mappableArray<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int, hashingInto hasher: inout XXH64Hasher?
  ) throws(ByteSourceError) -> MappableArray<Element> {
    let length = try checkedLength(Element.self, count: count, at: offset)
    guard offset % MemoryLayout<Element>.alignment == 0 else {
      var copyHasher = hasher
      defer { hasher = copyHasher }
      return try copiedArray(Element.self, count: count, at: offset, hashingInto: &copyHasher)
    }
    hasher?.update(UnsafeRawBufferPointer(start: owner.base + offset, count: length))
    return MappableArray(viewing: owner, byteOffset: offset, count: count)
  }

  /// A copy of `count` elements at an unaligned `offset`.
  private func copiedArray<Element: BitwiseCopyable>(
    _ type: Element.Type, count: Int, at offset: Int, hashingInto hasher: inout XXH64Hasher?
  ) throws(ByteSourceError) -> MappableArray<Element> {
    let length = try checkedLength(Element.self, count: count, at: offset)
    let copy = MappableArray<Element>(count: count) { buffer in
      UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: owner.base + offset, count: length))
    }
    hasher?.update(contentsOf: copy)
    return copy
  }
}

/// A ``ByteSource`` over a regular file, read with `pread` (no memory mapping, no buffering).
///
/// The descriptor is closed when the value goes away.
package struct FileByteSource: ByteSource, ~Copyable {
  /// The file's path.
  package let path: String
  /// The file's size when it was opened.
  package let byteCount: Int
  private let descriptor: Int32

  /// Opens the regular file at `path` for reading.
  ///
  /// - Throws: ``ByteSourceError/Kind/io`` if it does not exist, cannot be opened, or is not a
  ///   regular file.
  package init(path: String) throws(ByteSourceError) {
    // Non-blocking, so that a FIFO at `path` is refused below instead of blocking the open.
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw ByteSourceError(.io, Self.lastErrorDescription()) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let reason = Self.lastErrorDescription()
      close(descriptor)
      throw ByteSourceError(.io, reason)
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw ByteSourceError(.io, "not a regular file")
    }
    self.path = path
    self.byteCount = Int(status.st_size)
    self.descriptor = descriptor
  }

  deinit {
    close(descriptor)
  }

  package func copyBytes(at offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
    guard offset >= 0, offset <= byteCount, destination.count <= byteCount - offset else {
      throw ByteSourceError(.outOfRange, "\(destination.count) bytes at offset \(offset) do not fit in \(byteCount) bytes")
    }
    var done = 0
    while done < destination.count {
      let result = pread(descriptor, destination.baseAddress! + done, destination.count - done, off_t(offset + done))
      if result < 0 {
        if errno == EINTR { continue }
        throw ByteSourceError(.io, Self.lastErrorDescription())
      }
      if result == 0 {
        throw ByteSourceError(.outOfRange, "the file ended at offset \(offset + done) while reading; was it truncated?")
      }
      done += result
    }
  }

  private static func lastErrorDescription() -> String {
    String(cString: strerror(errno))
  }
}

extension Array where Element == UInt8 {
  /// Appends the in-memory bytes (host byte order) of `values`, without an intermediate copy.
  package mutating func append<Value: BitwiseCopyable>(bytesOf values: ArraySlice<Value>) {
    values.withUnsafeBytes { append(contentsOf: $0) }
  }
}
