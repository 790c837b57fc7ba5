#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the memory behind ``MappableArray`` values alive: an allocation of its own, or a
/// read-only memory-mapped file (unmapped when the last array viewing it is gone).
package final class MemoryOwner: @unchecked Sendable {
  /// How the memory is released.
  private enum Release {
    /// Allocated with `UnsafeMutableRawPointer.allocate`.
    case deallocate
    /// Mapped with `mmap`; `munmap` of the whole mapping.
    case unmap(length: Int)
  }

  /// The first byte.
  let base: UnsafeMutableRawPointer
  /// Whether arrays may write in place (owned allocations only; a mapping is read-only).
  let isWritable: Bool
  private let release: Release

  private init(base: UnsafeMutableRawPointer, isWritable: Bool, release: Release) {
    self.base = base
    self.isWritable = isWritable
    self.release = release
  }

  /// A fresh allocation of `byteCount` bytes aligned for any element type.
  static func allocate(byteCount: Int) -> MemoryOwner {
    MemoryOwner(base: .allocate(byteCount: max(byteCount, 1), alignment: 64), isWritable: true, release: .deallocate)
  }

  /// Maps the whole file at `path` read-only (shared, so the kernel's page cache is the only
  /// copy and several processes serving one file share it).
  ///
  /// - Returns: The owner and the file's length in bytes.
  /// - Throws: ``ByteSourceError/Kind/io`` naming the failing call and `errno`'s message.
  package static func mapFile(atPath path: String) throws(ByteSourceError) -> (owner: MemoryOwner, byteCount: Int) {
    // Non-blocking, so that a FIFO at `path` is refused below instead of blocking the open.
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw ByteSourceError(.io, "open: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw ByteSourceError(.io, "fstat: \(String(cString: strerror(errno)))")
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw ByteSourceError(.io, "not a regular file") }
    let length = Int(status.st_size)
    guard length > 0 else { return (allocate(byteCount: 0), 0) }
    let address = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0)
    guard let address, address != MAP_FAILED else {
      throw ByteSourceError(.io, "mmap of \(length) bytes: \(String(cString: strerror(errno)))")
    }
    return (MemoryOwner(base: address, isWritable: false, release: .unmap(length: length)), length)
  }

  /// Asks the kernel to read the mapped bytes `range` ahead (`MADV_WILLNEED`); a hint only.
  package func prefetch(_ range: Range<Int>) {
    guard case .unmap = release, !range.isEmpty else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = range.lowerBound / page * page
    _ = madvise(base + start, range.upperBound - start, MADV_WILLNEED)
  }

  deinit {
    switch release {
    case .deallocate: base.deallocate()
    case .unmap(let length): munmap(base, length)
    }
  }
}

/// A fixed-length array of plain values that lives either in memory of its own or inside a
/// memory-mapped file, with value semantics either way.
///
/// Factor blocks and sparse matrices are stored in these, so a model file of 10⁷ users can be
/// served straight from the page cache (``MemoryOwner/mapFile(atPath:)``) without a second copy
/// in the heap, while training code writes into owned arrays exactly as it would into `[Float]`.
/// Writing to an array that shares its memory (a copy of it, or a mapped file) first copies it
/// into a fresh allocation, as `Array` does.
package struct MappableArray<Element: BitwiseCopyable>: @unchecked Sendable {
  // Sendable: the memory is written only through a uniquely referenced, writable owner.
  private var owner: MemoryOwner
  private var start: UnsafeMutablePointer<Element>
  /// Number of elements.
  package let count: Int

  /// An array of `count` copies of `value`.
  package init(repeating value: Element, count: Int) {
    precondition(count >= 0, "negative count \(count)")
    self.init(uninitializedCount: count)
    start.initialize(repeating: value, count: count)
  }

  /// An array holding the elements of `elements`.
  package init(_ elements: some Collection<Element>) {
    self.init(uninitializedCount: elements.count)
    let buffer = UnsafeMutableBufferPointer(start: start, count: count)
    let copied: Int? = elements.withContiguousStorageIfAvailable { source in
      buffer.initialize(fromContentsOf: source)
    }
    if copied == nil { _ = buffer.initialize(fromContentsOf: elements) }
  }

  /// An empty array.
  package init() {
    self.init(uninitializedCount: 0)
  }

  /// An array of `count` elements written by `initialize`, which must set every one of them.
  package init(count: Int, initializingWith initialize: (UnsafeMutableBufferPointer<Element>) throws -> Void) rethrows {
    self.init(uninitializedCount: count)
    try initialize(UnsafeMutableBufferPointer(start: start, count: count))
  }

  /// A view of `count` elements at byte `byteOffset` of a mapping, which must lie inside it and
  /// be aligned for `Element` (a programmer error otherwise: the model file checks both first).
  package init(viewing owner: MemoryOwner, byteOffset: Int, count: Int) {
    precondition(byteOffset >= 0 && count >= 0, "negative view")
    precondition(byteOffset % MemoryLayout<Element>.alignment == 0, "misaligned view at \(byteOffset)")
    self.owner = owner
    self.start = (owner.base + byteOffset).assumingMemoryBound(to: Element.self)
    self.count = count
  }

  private init(uninitializedCount count: Int) {
    let (length, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
    precondition(count >= 0 && !overflow, "array of \(count) elements is too large")
    owner = .allocate(byteCount: length)
    start = owner.base.bindMemory(to: Element.self, capacity: count)
    self.count = count
  }

  /// Whether the elements live in a memory-mapped file.
  package var isMapped: Bool { !owner.isWritable }

  /// Calls `body` with the elements.
  package func withUnsafeBufferPointer<Result, Failure: Error>(
    _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try withExtendedLifetime(owner) { () throws(Failure) -> Result in
      try body(UnsafeBufferPointer(start: start, count: count))
    }
  }

  /// Calls `body` with the elements for writing, copying them first if they are shared.
  package mutating func withUnsafeMutableBufferPointer<Result, Failure: Error>(
    _ body: (inout UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    makeUnique()
    var buffer = UnsafeMutableBufferPointer(start: start, count: count)
    return try withExtendedLifetime(owner) { () throws(Failure) -> Result in try body(&buffer) }
  }

  /// Copies the elements into an allocation of this array's own unless it already has one.
  private mutating func makeUnique() {
    if owner.isWritable && isKnownUniquelyReferenced(&owner) { return }
    let copy = MappableArray(count: count) { buffer in
      _ = buffer.initialize(fromContentsOf: UnsafeBufferPointer(start: start, count: count))
    }
    withExtendedLifetime(owner) { self = copy }
  }
}

extension MappableArray: RandomAccessCollection, MutableCollection {
  package var startIndex: Int { 0 }
  package var endIndex: Int { count }

  package subscript(position: Int) -> Element {
    get {
      precondition(position >= 0 && position < count, "index \(position) out of range 0..<\(count)")
      return start[position]
    }
    set {
      precondition(position >= 0 && position < count, "index \(position) out of range 0..<\(count)")
      makeUnique()
      start[position] = newValue
    }
  }

  package func withContiguousStorageIfAvailable<Result>(
    _ body: (UnsafeBufferPointer<Element>) throws -> Result
  ) rethrows -> Result? {
    try withExtendedLifetime(owner) { try body(UnsafeBufferPointer(start: start, count: count)) }
  }
}

extension MappableArray: ExpressibleByArrayLiteral {
  package init(arrayLiteral elements: Element...) {
    self.init(elements)
  }
}

extension MappableArray: Equatable where Element: Equatable {
  package static func == (lhs: MappableArray, rhs: MappableArray) -> Bool {
    lhs.elementsEqual(rhs)
  }
}

extension MappableArray: CustomStringConvertible {
  package var description: String { Array(self).description }
}
