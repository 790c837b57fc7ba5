/// Scratch buffers of ``TextNormalizer``: two lanes of scalars, each scalar with the original
/// range it stands for and a link flag, plus room for a text built on the fly (a note's tags as
/// displayed). Reused from field to field and note to note, grown on demand, never shrunk.
///
/// Not shared between threads: each reader owns one (``NoteTextReader``).
final class NormalizerScratch {
  /// One lane: parallel buffers of ``NormalizerScratch/capacity`` elements.
  struct Lane {
    var values: UnsafeMutablePointer<UInt32>
    var starts: UnsafeMutablePointer<Int32>
    var ends: UnsafeMutablePointer<Int32>
    var flags: UnsafeMutablePointer<UInt8>

    /// Copies the elements `range` of this lane to `other`, starting at `position`.
    @inline(__always)
    func copy(_ range: Range<Int>, to other: Lane, at position: Int) {
      let count = range.count
      if count <= 0 { return }
      (other.values + position).update(from: values + range.lowerBound, count: count)
      (other.starts + position).update(from: starts + range.lowerBound, count: count)
      (other.ends + position).update(from: ends + range.lowerBound, count: count)
      (other.flags + position).update(from: flags + range.lowerBound, count: count)
    }
  }

  /// Elements per lane.
  private(set) var capacity: Int
  /// The lane the fold writes.
  private(set) var first: Lane
  /// The other lane.
  private(set) var second: Lane
  /// Positions of evasion triggers in the current lane (``TextNormalizer/fold(_:into:)``).
  private(set) var triggers: UnsafeMutablePointer<Int32>
  /// Per original scalar of the text last folded, its byte offset in the UTF-8 (and the length
  /// after the last): where evidence text is cut from.
  private(set) var byteOffsets: UnsafeMutablePointer<Int32>
  private var byteOffsetCapacity: Int
  /// Per ASCII value, whether the fold saw it (``TextNormalizer/FoldWriter/seen``); zero between texts.
  let seenASCII: UnsafeMutablePointer<UInt8>
  /// ``TextNormalizer/asciiClasses``, where the fold reads it without a lazy global.
  let asciiClasses: UnsafeMutablePointer<UInt8>
  private var storage: UnsafeMutableRawPointer
  private var text: UnsafeMutablePointer<UInt8>
  private var textCapacity: Int

  /// Bytes per lane element: value, start and end (4 each) and a flag.
  private static let elementBytes = 13

  /// Scratch for texts of up to `capacity` scalars (more are made room for when needed).
  init(capacity: Int = 256) {
    self.capacity = max(capacity, 16)
    storage = UnsafeMutableRawPointer.allocate(byteCount: 2 * Self.elementBytes * self.capacity, alignment: 8)
    (first, second) = Self.lanes(in: storage, capacity: self.capacity)
    triggers = UnsafeMutablePointer<Int32>.allocate(capacity: self.capacity)
    byteOffsetCapacity = self.capacity
    byteOffsets = UnsafeMutablePointer<Int32>.allocate(capacity: byteOffsetCapacity)
    seenASCII = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x80)
    seenASCII.initialize(repeating: 0, count: 0x80)
    asciiClasses = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x80)
    asciiClasses.initialize(from: TextNormalizer.asciiClasses, count: 0x80)
    textCapacity = 256
    text = UnsafeMutablePointer<UInt8>.allocate(capacity: textCapacity)
  }

  deinit {
    storage.deallocate()
    triggers.deallocate()
    byteOffsets.deallocate()
    seenASCII.deallocate()
    asciiClasses.deallocate()
    text.deallocate()
  }

  /// Both lanes laid out in `storage`: the four 4-byte buffers of each, then the flags.
  private static func lanes(in storage: UnsafeMutableRawPointer, capacity: Int) -> (Lane, Lane) {
    func lane(_ index: Int) -> Lane {
      let words = storage + index * 12 * capacity
      return Lane(
        values: words.bindMemory(to: UInt32.self, capacity: capacity),
        starts: (words + 4 * capacity).bindMemory(to: Int32.self, capacity: capacity),
        ends: (words + 8 * capacity).bindMemory(to: Int32.self, capacity: capacity),
        flags: (storage + 24 * capacity + index * capacity).bindMemory(to: UInt8.self, capacity: capacity))
    }
    return (lane(0), lane(1))
  }

  /// Makes both lanes (and the triggers) hold at least `count` elements, keeping the first
  /// `kept` elements of the first lane and the first `keptTriggers` triggers.
  func reserve(_ count: Int, keeping kept: Int = 0, keepingTriggers keptTriggers: Int = 0) {
    if count <= capacity { return }
    let newCapacity = max(count, 2 * capacity)
    let newStorage = UnsafeMutableRawPointer.allocate(byteCount: 2 * Self.elementBytes * newCapacity, alignment: 8)
    let (newFirst, newSecond) = Self.lanes(in: newStorage, capacity: newCapacity)
    first.copy(0..<kept, to: newFirst, at: 0)
    storage.deallocate()
    storage = newStorage
    let newTriggers = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
    newTriggers.update(from: triggers, count: keptTriggers)
    triggers.deallocate()
    triggers = newTriggers
    capacity = newCapacity
    (first, second) = (newFirst, newSecond)
  }

  /// ``TextNormalizer/compatibilityFolded(_:)`` of the scalars met so far (Foundation's mapping
  /// takes microseconds; `…` alone is in a few percent of notes).
  private var compatibilityFolds: [UInt32: [UInt32]] = [:]

  /// ``TextNormalizer/compatibilityFolded(_:)``, remembered.
  func compatibilityFold(_ value: UInt32) -> [UInt32] {
    if let pieces = compatibilityFolds[value] { return pieces }
    let pieces = TextNormalizer.compatibilityFolded(value)
    compatibilityFolds[value] = pieces
    return pieces
  }

  /// Makes room for the byte offsets of a text of `bytes` UTF-8 bytes (at most that many
  /// scalars, and one entry more), discarding the ones there.
  func reserveByteOffsets(forBytes bytes: Int) {
    if bytes + 1 <= byteOffsetCapacity { return }
    byteOffsets.deallocate()
    byteOffsetCapacity = max(bytes + 1, 2 * byteOffsetCapacity)
    byteOffsets = UnsafeMutablePointer<Int32>.allocate(capacity: byteOffsetCapacity)
  }

  /// The UTF-8 of `tags` as ``Note/text(of:)`` displays them (`#tag1 #tag2`), in the scratch's
  /// text buffer (valid until the next call).
  func displayedTags(_ tags: [String]) -> UnsafeBufferPointer<UInt8> {
    var total = 0
    for tag in tags { total += tag.utf8.count + 2 }
    if total > textCapacity {
      text.deallocate()
      textCapacity = max(total, 2 * textCapacity)
      text = UnsafeMutablePointer<UInt8>.allocate(capacity: textCapacity)
    }
    var count = 0
    for (index, tag) in tags.enumerated() {
      if index > 0 {
        text[count] = 0x20
        count += 1
      }
      text[count] = 0x23
      count += 1
      let copied = tag.utf8.withContiguousStorageIfAvailable { bytes in
        if let source = bytes.baseAddress { (text + count).update(from: source, count: bytes.count) }
        return bytes.count
      }
      if let copied {
        count += copied
      } else {
        for byte in tag.utf8 {
          text[count] = byte
          count += 1
        }
      }
    }
    return UnsafeBufferPointer(start: text, count: count)
  }
}

/// Normalized text borrowed from buffers (a ``NormalizerScratch``'s lanes or a
/// ``NormalizedText``'s arrays): what the grader and the signal scanners read. Valid only while
/// those buffers are.
struct NormalizedField {
  /// The normalized scalar values.
  let values: UnsafeBufferPointer<UInt32>
  /// Per value, the first original scalar offset it stands for.
  let starts: UnsafeBufferPointer<Int32>
  /// Per value, the original scalar offset after the last it stands for.
  let ends: UnsafeBufferPointer<Int32>
  /// URLs and e-mail addresses.
  let links: [NormalizedText.Link]
  /// The number of scalars in the original text.
  let originalCount: Int
  /// The original text's width in display columns, a CJK or full-width character counting two
  /// (``DisclosureGrader/columns(of:before:)``), when the normalizer measured it.
  var originalColumns: Int? = nil
  /// The CJK characters and ASCII letters of the normalized text (what
  /// ``DisclosureGrader/MarkerCollection/countScripts(_:)`` counts), when the normalizer counted them.
  var scriptCounts: (cjk: Int, latin: Int)? = nil
  /// Per value, its link flag and class bits (``TextNormalizer/wordClass``…), when the
  /// normalizer kept them.
  var classes: UnsafePointer<UInt8>? = nil
  /// Per original scalar, its byte offset in the original UTF-8, and the length after the last
  /// (`originalCount + 1` entries), when the normalizer recorded them.
  var originalByteOffsets: UnsafePointer<Int32>? = nil
  /// Which rare scanners the text can need.
  let hints: TextHints

  /// The number of normalized scalars.
  var count: Int { values.count }

  /// The original scalar offsets that the normalized range `range` came from (see
  /// ``NormalizedText/originalRange(of:)``).
  static func originalRange(
    of range: Range<Int>, starts: UnsafeBufferPointer<Int32>, ends: UnsafeBufferPointer<Int32>, originalCount: Int
  ) -> Range<Int> {
    precondition(range.lowerBound >= 0 && range.upperBound <= starts.count, "range \(range) outside 0..<\(starts.count)")
    if range.isEmpty {
      let position = range.lowerBound < starts.count ? Int(starts[range.lowerBound]) : originalCount
      return position..<position
    }
    var lower = Int(starts[range.lowerBound]), upper = Int(ends[range.upperBound - 1])
    for index in range {
      lower = min(lower, Int(starts[index]))
      upper = max(upper, Int(ends[index]))
    }
    return lower..<upper
  }

  /// The original scalar offsets that the normalized range `range` came from.
  func originalRange(of range: Range<Int>) -> Range<Int> {
    Self.originalRange(of: range, starts: starts, ends: ends, originalCount: originalCount)
  }
}

/// One field of a note as the grader and the signal scanners read it: the normalized text and
/// the original UTF-8, both borrowed.
struct FieldText {
  /// Which field.
  let field: Note.Field
  /// The normalized text.
  let normalized: NormalizedField
  /// The field's text as written (``Note/text(of:)``), UTF-8.
  let original: UnsafeBufferPointer<UInt8>

  /// The normalized values.
  var values: UnsafeBufferPointer<UInt32> { normalized.values }

  /// The span of the original text that the normalized range `range` came from.
  func span(of range: Range<Int>) -> TextSpan {
    let original = normalized.originalRange(of: range)
    return TextSpan(field: field, start: original.lowerBound, end: original.upperBound)
  }

  /// The original text of `span`: its scalars that the field has.
  func originalText(_ span: TextSpan) -> String {
    if let offsets = normalized.originalByteOffsets {
      let count = normalized.originalCount
      let start = max(0, min(span.start, count)), end = max(0, min(span.end, count))
      if end <= start { return "" }
      let range = Int(offsets[start])..<Int(offsets[end])
      return String(decoding: UnsafeBufferPointer(rebasing: original[range]), as: UTF8.self)
    }
    let start = Self.advance(original, from: (0, 0), toScalar: span.start)
    let end = Self.advance(original, from: start, toScalar: span.end)
    if end.byte <= start.byte { return "" }
    return String(decoding: UnsafeBufferPointer(rebasing: original[start.byte..<end.byte]), as: UTF8.self)
  }

  /// The position of scalar `target` in `bytes` (valid UTF-8), walking from `position`: its byte
  /// offset, or the end of `bytes` (with the scalars counted) when it has fewer scalars.
  static func advance(
    _ bytes: UnsafeBufferPointer<UInt8>, from position: (byte: Int, scalar: Int), toScalar target: Int
  ) -> (byte: Int, scalar: Int) {
    var (byte, scalar) = position
    // Eight bytes at a time while all the scalars that start in them come before the target: a
    // scalar starts at every byte but continuation bytes (10xxxxxx).
    if let base = bytes.baseAddress {
      let raw = UnsafeRawPointer(base)
      while byte + 8 <= bytes.count {
        let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        let continuations = (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
        if scalar + 8 - continuations > target { break }
        scalar += 8 - continuations
        byte += 8
      }
    }
    // The last word may have ended inside a scalar already counted.
    while byte < bytes.count && bytes[byte] & 0xC0 == 0x80 { byte += 1 }
    while byte < bytes.count && scalar < target {
      byte += sequenceLength(bytes[byte])
      scalar += 1
    }
    return (byte, scalar)
  }

  /// The length of the UTF-8 sequence that starts with `lead`.
  @inline(__always)
  static func sequenceLength(_ lead: UInt8) -> Int {
    lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
  }
}

extension NormalizedNote {
  /// Calls `body` with `field` borrowed as a ``FieldText`` (with exact hints when `hinted`,
  /// every hint otherwise).
  func withFieldText<Result>(_ field: Note.Field, hinted: Bool = true, _ body: (FieldText) -> Result) -> Result {
    var original = note.text(of: field)
    return original.withUTF8 { original in
      self[field].withField(hinted: hinted) { body(FieldText(field: field, normalized: $0, original: original)) }
    }
  }
}
