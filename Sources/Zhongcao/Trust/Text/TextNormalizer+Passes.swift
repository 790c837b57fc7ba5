import Foundation

/// The steps of ``TextNormalizer`` over the lanes of a ``NormalizerScratch``.
///
/// Step 1 decodes the UTF-8 and folds in the same pass, and notes which scalars later steps and
/// scanners act on (``TextHints``); steps whose trigger scalars are absent are skipped. Steps 3 and
/// 5 write to the other lane only when they rewrite something; step 4 always does.
extension TextNormalizer {
  typealias Lane = NormalizerScratch.Lane

  // The flag byte of a lane element: its link flag (bits 0–1) and the classes of its scalar,
  // taken by the fold so that the later steps look up no scalar twice.
  static let urlFlag: UInt8 = 1
  static let emailFlag: UInt8 = 2
  static let linkBits: UInt8 = 3
  /// ``ScalarClass/isCJK(_:)``.
  static let cjkClass: UInt8 = 4
  /// ``ScalarClass/isWordCharacter(_:)``.
  static let wordClass: UInt8 = 8
  /// ``ScalarClass/isSymbolSeparator(_:)``.
  static let separatorClass: UInt8 = 16
  /// ``ScalarClass/isSpace(_:)``.
  static let spaceClass: UInt8 = 32
  /// ``ScalarClass/isASCIILetter(_:)``.
  static let letterClass: UInt8 = 64

  /// The class bits of `value` (the ``ScalarClass`` bits cjk, word, separator and space of the
  /// table, two places up, are these).
  static func classBits(_ value: UInt32) -> UInt8 {
    var bits: UInt8 = 0
    if ScalarClass.isCJK(value) { bits |= cjkClass }
    if ScalarClass.isWordCharacter(value) { bits |= wordClass }
    if ScalarClass.isSymbolSeparator(value) { bits |= separatorClass }
    if ScalarClass.isSpace(value) { bits |= spaceClass }
    if ScalarClass.isASCIILetter(value) { bits |= letterClass }
    return bits
  }

  /// Per ASCII value: its class bits, and bit 128 when the fold has more to note about it (`.`
  /// of `www.`, the evasion triggers v w q $).
  static let asciiClasses: [UInt8] = (UInt32(0)..<0x80).map { value in
    classBits(value) | (value == 0x2E || value == 0x76 || value == 0x77 || value == 0x71 || value == 0x24 ? 128 : 0)
  }

  /// Normalizes the UTF-8 text `utf8` into `scratch`; the result borrows the scratch's buffers
  /// until its next use.
  static func normalize(utf8: UnsafeBufferPointer<UInt8>, into scratch: NormalizerScratch) -> NormalizedField {
    scratch.reserve(utf8.count)
    scratch.reserveByteOffsets(forBytes: utf8.count)
    let folded = fold(utf8, into: scratch)
    var current = scratch.first, spare = scratch.second
    var count = folded.count, hints = folded.hints, triggerCount = folded.triggerCount
    var scripts = (cjk: 0, latin: 0)
    let triggers = scratch.triggers
    let linked = count > 0 && hints.contains(.link) && markLinks(current, count: count)
    if count > 0 {
      if triggerCount > 0,
        let mapped = mapEvasions(current, count: count, triggers: triggers, triggerCount: triggerCount, into: spare)
      {
        swap(&current, &spare)
        (count, triggerCount) = (mapped.count, mapped.triggerCount)
        hints.insert(.token)
      }
      count = collapseSeparators(
        current, count: count, triggers: triggers, triggerCount: &triggerCount, scripts: &scripts)
      if triggerCount > 0,
        let mapped = mapEvasions(current, count: count, triggers: triggers, triggerCount: triggerCount, into: spare)
      {
        swap(&current, &spare)
        count = mapped.count
        scripts.cjk -= mapped.replacedScripts.cjk
        scripts.latin -= mapped.replacedScripts.latin
        hints.insert(.token)
      }
    }
    return NormalizedField(
      values: UnsafeBufferPointer(start: current.values, count: count),
      starts: UnsafeBufferPointer(start: current.starts, count: count),
      ends: UnsafeBufferPointer(start: current.ends, count: count),
      links: linked ? links(flags: current.flags, count: count) : [], originalCount: folded.originalCount,
      originalColumns: folded.originalCount + folded.wideCount, scriptCounts: scripts,
      classes: UnsafePointer(current.flags), originalByteOffsets: UnsafePointer(scratch.byteOffsets), hints: hints)
  }

  /// Links from the link flags: each run of one flag value is one link.
  static func links(flags: UnsafeMutablePointer<UInt8>, count: Int) -> [NormalizedText.Link] {
    var links: [NormalizedText.Link] = []
    var index = 0
    while index < count {
      let flag = flags[index] & linkBits
      if flag == 0 {
        index += 1
        continue
      }
      var end = index + 1
      while end < count && flags[end] & linkBits == flag { end += 1 }
      links.append(NormalizedText.Link(range: index..<end, isEmail: flag == emailFlag))
      index = end
    }
    return links
  }

  // MARK: Step 1

  /// The NFKC case-folded form of `value` (Foundation's compatibility mapping, lowercased),
  /// invisible characters left out.
  static func compatibilityFolded(_ value: UInt32) -> [UInt32] {
    guard let scalar = Unicode.Scalar(value) else { return [] }
    let folded = String(scalar).precomposedStringWithCompatibilityMapping.lowercased()
    return folded.unicodeScalars.map(\.value).filter { !ScalarClass.isInvisible($0) }
  }

  /// The width-folded form of the full-width forms and the ideographic space, if `value` is one.
  @inline(__always)
  static func widthFolded(_ value: UInt32) -> UInt32? {
    switch value {
    case 0xFF01...0xFF5E:
      let folded = value - 0xFEE0
      return folded >= 0x41 && folded <= 0x5A ? folded + 0x20 : folded
    case 0x3000: return 0x20
    case 0xFFE5: return 0xA5
    case 0xFFE0: return 0xA2
    case 0xFFE1: return 0xA3
    case 0xFFE6: return 0x20A9
    default: return nil
    }
  }

  /// The ``ScalarClass`` bits of an astral scalar that the fold needs (CJK, invisible, folds, wide).
  static func astralBits(_ value: UInt32) -> UInt8 {
    // Pictographs and emoji (U+1F300–U+1FAFF): none is CJK or invisible or changes when folded
    // (the tests check), and they are the astral scalars notes have most.
    if value &- 0x1F300 < 0x800 { return 0 }
    var bits: UInt8 = value &- 0x20000 <= 0x1FFFD ? ScalarClass.wideBit : 0
    if ScalarClass.isCJK(value) { bits |= ScalarClass.cjkBit }
    if ScalarClass.isInvisible(value) { bits |= ScalarClass.invisibleBit }
    if let scalar = Unicode.Scalar(value), scalar.properties.changesWhenNFKCCaseFolded { bits |= ScalarClass.foldsBit }
    return bits
  }

  /// Writes folded scalars into a lane, noting their hints. (A struct, not local functions
  /// capturing the counters: those would be checked for exclusive access at run time.)
  struct FoldWriter {
    var lane: Lane
    var count = 0
    var hints: TextHints = []
    /// The positions of the evasion triggers (``isEvasionTrigger(_:)``) written, ascending.
    var triggers: UnsafeMutablePointer<Int32>
    var triggerCount = 0
    /// Per ASCII value, nonzero once ``appendASCII(_:from:to:offset:classes:)`` wrote it.
    let seen: UnsafeMutablePointer<UInt8>

    /// Records the position `value` is about to be written at if it is an evasion trigger.
    @inline(__always)
    mutating func noteTrigger(_ value: UInt32) {
      if isEvasionTrigger(value) {
        triggers[triggerCount] = Int32(count)
        triggerCount += 1
      }
    }

    /// Appends `value` with its class bits, standing for the original scalar at `offset`.
    @inline(__always)
    mutating func append(_ value: UInt32, classes: UInt8, at offset: Int32) {
      lane.values[count] = value
      lane.starts[count] = offset
      lane.ends[count] = offset + 1
      lane.flags[count] = classes
      count += 1
    }

    /// Appends the ASCII bytes from `index` on (up to the first other byte or `end`), lowercased,
    /// standing for one original scalar each from `offset` on; returns where it stopped. Their
    /// hints are taken at the end from the values seen (``allHints``), but `w.`.
    @inline(__always)
    mutating func appendASCII(
      _ bytes: UnsafePointer<UInt8>, from index: Int, to end: Int, offset: Int32, classes: UnsafePointer<UInt8>
    ) -> Int {
      let values = lane.values, starts = lane.starts, ends = lane.ends, flags = lane.flags, seen = seen
      // (Counts and offsets stay far below the integer limits: plain wrapping arithmetic.)
      var index = index, count = self.count
      let first = count
      while index < end {
        let byte = bytes[index]
        if byte >= 0x80 { break }
        let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
        seen[Int(folded)] = 1
        let bits = classes[Int(folded)]
        if bits & 128 != 0 {
          if folded == 0x2E {
            if count > 0 && values[count &- 1] == 0x77 { hints.insert(.link) }  // "w." of www.
          } else {
            triggers[triggerCount] = Int32(truncatingIfNeeded: count)
            triggerCount &+= 1
          }
        }
        values[count] = UInt32(folded)
        flags[count] = bits & 127
        count &+= 1
        index &+= 1
      }
      // One original scalar each, from `offset` on.
      var origin = offset
      for element in first..<count {
        starts[element] = origin
        ends[element] = origin &+ 1
        origin &+= 1
      }
      self.count = count
      return index
    }

    /// The hints so far, the digit and link hints of the ASCII values seen included (and `seen`
    /// cleared of them: only these entries are ever read). The ASCII evasion triggers need no
    /// hint: their positions are recorded.
    mutating func allHints() -> TextHints {
      var all = hints
      let raw = UnsafeMutableRawPointer(seen)
      let digits = raw.loadUnaligned(fromByteOffset: 0x30, as: UInt64.self)
        | UInt64(raw.loadUnaligned(fromByteOffset: 0x38, as: UInt16.self))
      if digits != 0 { all.insert(.digit) }
      if seen[0x2F] | seen[0x40] != 0 { all.insert(.link) }  // / @
      raw.storeBytes(of: 0, toByteOffset: 0x30, as: UInt64.self)
      raw.storeBytes(of: 0, toByteOffset: 0x38, as: UInt16.self)
      seen[0x2F] = 0
      seen[0x40] = 0
      return all
    }

    /// Appends `value` and notes its hints, `w.` (of `www.`) included.
    @inline(__always)
    mutating func appendNoting(_ value: UInt32, at offset: Int32) {
      hints.formUnion(TextHints.triggers(value))
      if value == 0x2E && count > 0 && lane.values[count - 1] == 0x77 { hints.insert(.link) }
      noteTrigger(value)
      append(value, classes: classBits(value), at: offset)
    }
  }

  /// ``classBits(_:)`` of an astral scalar, without the Unicode tables for pictographs and emoji
  /// (U+1F300–U+1FAFF: separators, nothing else; the tests check).
  static func astralClassBits(_ value: UInt32) -> UInt8 {
    value &- 0x1F300 < 0x800 ? separatorClass : classBits(value)
  }

  /// Step 1: decodes `utf8` and folds width and case into the first lane, invisible characters
  /// dropped; also returns the original scalar count and the hints of the folded values.
  static func fold(_ utf8: UnsafeBufferPointer<UInt8>, into scratch: NormalizerScratch)
    -> (count: Int, originalCount: Int, wideCount: Int, triggerCount: Int, hints: TextHints)
  {
    guard let bytes = utf8.baseAddress else {
      scratch.byteOffsets[0] = 0
      return (0, 0, 0, 0, [])
    }
    let end = utf8.count
    let table = ScalarClass.table.bits
    let special = ScalarClass.cjkBit | ScalarClass.invisibleBit | ScalarClass.foldsBit | ScalarClass.triggerBit
    // Every step but the NFKC one writes at most one scalar per byte read, so room for `end`
    // scalars suffices until an NFKC expansion asks for more.
    var writer = FoldWriter(lane: scratch.first, triggers: scratch.triggers, seen: scratch.seenASCII)
    let asciiClasses = UnsafePointer(scratch.asciiClasses)
    let byteOffsets = scratch.byteOffsets
    // Original scalars that take two display columns (``DisclosureGrader/isWide(_:)``).
    var wideCount = 0
    var offset: Int32 = 0, index = 0
    defer { byteOffsets[Int(offset)] = Int32(truncatingIfNeeded: end) }
    while index < end {
      let lead = bytes[index]
      if lead < 0x80 {
        let next = writer.appendASCII(bytes, from: index, to: end, offset: offset, classes: asciiClasses)
        for step in 0..<(next &- index) {
          byteOffsets[Int(offset) &+ step] = Int32(truncatingIfNeeded: index &+ step)
        }
        offset += Int32(next - index)
        index = next
        continue
      }
      byteOffsets[Int(offset)] = Int32(truncatingIfNeeded: index)
      var value: UInt32
      if lead < 0xE0 {
        value = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
        index += 2
      } else if lead < 0xF0 {
        value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        index += 3
      } else {
        value = UInt32(lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
          | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
        index += 4
      }
      if ScalarClass.isUnifiedIdeograph(value) {
        if ScalarClass.mayBeIdeographTrigger(value) {
          writer.hints.formUnion(TextHints.triggers(value))
          writer.noteTrigger(value)
        }
        writer.append(value, classes: cjkClass, at: offset)
        wideCount += 1
        offset += 1
        continue
      }
      let bits: UInt8, classes: UInt8
      if value < 0x10000 {
        bits = table[Int(value)]
        classes = (bits & 15) << 2  // cjk, word, separator, space
      } else {
        bits = astralBits(value)
        classes = astralClassBits(value)
      }
      if bits & ScalarClass.wideBit != 0 { wideCount += 1 }
      if bits & special == 0 {
        writer.append(value, classes: classes, at: offset)
      } else if bits & ScalarClass.cjkBit != 0 {
        if bits & ScalarClass.triggerBit != 0 {
          writer.hints.formUnion(TextHints.triggers(value))
          writer.noteTrigger(value)
        }
        writer.append(value, classes: classes, at: offset)
      } else if bits & ScalarClass.invisibleBit != 0 {
        // Dropped.
      } else if let folded = widthFolded(value) {
        writer.appendNoting(folded, at: offset)
      } else if bits & ScalarClass.foldsBit != 0 {
        let pieces = scratch.compatibilityFold(value)
        let needed = writer.count + pieces.count + (end - index)
        if needed > scratch.capacity {
          scratch.reserve(needed, keeping: writer.count, keepingTriggers: writer.triggerCount)
          writer.lane = scratch.first
          writer.triggers = scratch.triggers
        }
        for piece in pieces { writer.appendNoting(piece, at: offset) }
      } else {
        writer.hints.formUnion(TextHints.triggers(value))
        writer.noteTrigger(value)
        writer.append(value, classes: classes, at: offset)
      }
      offset += 1
    }
    return (writer.count, Int(offset), wideCount, writer.triggerCount, writer.allHints())
  }

  // MARK: Step 2

  /// Hosts of short links that are recognised without a scheme.
  static let shortLinkHosts: [[UInt32]] = [
    "t.cn/", "bit.ly/", "amzn.to/", "b23.tv/", "dwz.cn/", "url.cn/", "m.tb.cn/", "tb.cn/", "u.jd.com/",
    "3.cn/", "xhslink.com/", "tinyurl.com/", "goo.gl/", "ow.ly/", "is.gd/", "liketk.it/", "rstyle.me/",
    "v.douyin.com/", "e.tb.cn/",
  ].map { $0.unicodeScalars.map(\.value) }

  /// The length of the longest short-link host (each ends with its `/`), at least that of
  /// `https://`.
  static let shortLinkHostLength = shortLinkHosts.reduce(8) { max($0, $1.count) }

  /// Bit per ASCII scalar (two words): some short-link host starts with it.
  static let shortLinkFirsts: (low: UInt64, high: UInt64) = shortLinkHosts.reduce((0, 0)) { masks, host in
    let first = host[0]
    precondition(first < 0x80, "short-link hosts start with ASCII")
    return first < 64 ? (masks.0 | 1 << UInt64(first), masks.1) : (masks.0, masks.1 | 1 << UInt64(first - 64))
  }

  @inline(__always)
  static func isShortLinkFirst(_ value: UInt32, masks: (low: UInt64, high: UInt64)) -> Bool {
    if value >= 0x80 { return false }
    return value < 64 ? masks.low & (1 << UInt64(value)) != 0 : masks.high & (1 << UInt64(value - 64)) != 0
  }

  static let httpLiteral: [UInt32] = "http".unicodeScalars.map(\.value)
  static let wwwLiteral: [UInt32] = "www.".unicodeScalars.map(\.value)
  static let schemeSeparator: [UInt32] = [0x3A, 0x2F, 0x2F]

  /// The first offset of `needle` in `values` (a plain loop: the generic `firstRange(of:)` is
  /// far slower on `[UInt32]`).
  static func firstIndex<Values: RandomAccessCollection<UInt32>>(of needle: [UInt32], in values: Values) -> Int?
  where Values.Index == Int {
    guard !needle.isEmpty, needle.count <= values.count else { return needle.isEmpty ? 0 : nil }
    let first = needle[0]
    for start in 0...(values.count - needle.count) where values[start] == first && hasPrefix(values, needle, at: start) {
      return start
    }
    return nil
  }

  /// Whether `values` (indexed from 0) has `prefix` at `index`.
  @inline(__always)
  static func hasPrefix<Values: RandomAccessCollection<UInt32>>(_ values: Values, _ prefix: [UInt32], at index: Int)
    -> Bool
  where Values.Index == Int {
    guard index + prefix.count <= values.count else { return false }
    for offset in 0..<prefix.count where values[index + offset] != prefix[offset] { return false }
    return true
  }

  /// Characters a URL or e-mail address runs over.
  @inline(__always)
  static func isLinkCharacter(_ value: UInt32) -> Bool {
    guard value > 0x20 && value < 0x7F else { return false }
    switch value {
    case 0x22, 0x27, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C, 0x5C, 0x5E, 0x60, 0x28, 0x29: return false
    default: return true
    }
  }

  @inline(__always)
  static func isEmailLocalCharacter(_ value: UInt32) -> Bool {
    ScalarClass.isASCIIAlphanumeric(value) || value == 0x2E || value == 0x5F || value == 0x2D || value == 0x2B
      || value == 0x25
  }

  /// Sentence punctuation that ends a sentence rather than a link: `. , ! ? ; :`.
  @inline(__always)
  static func isTrailingPunctuation(_ value: UInt32) -> Bool {
    switch value {
    case 0x2E, 0x2C, 0x21, 0x3F, 0x3B, 0x3A: true
    default: false
    }
  }

  /// Step 2: flags URLs and e-mail addresses in `lane` so the later steps copy them unchanged.
  /// Returns whether it flagged anything.
  static func markLinks(_ lane: Lane, count: Int) -> Bool {
    let values = UnsafeBufferPointer(start: lane.values, count: count), flags = lane.flags
    let http = httpLiteral, www = wwwLiteral, scheme = schemeSeparator, masks = shortLinkFirsts
    let hosts = shortLinkHosts, longestHost = shortLinkHostLength
    var flagged = false
    var index = 0
    // The first `/`, `www.` and `@` at or after `index` (once looked for). A scheme or a
    // short-link host needs a `/` close by, so a link starts only that close before a `/`, at a
    // `www.`, or (an e-mail address) is found at an `@`: the positions before the earliest of
    // these start nothing.
    var slash = -1, worldWideWeb = -1, at = -1
    while index < count {
      if slash < index {
        slash = index
        while slash < count && values[slash] != 0x2F { slash += 1 }
      }
      if worldWideWeb < index {
        worldWideWeb = index
        while worldWideWeb < count && !(values[worldWideWeb] == 0x77 && hasPrefix(values, www, at: worldWideWeb)) {
          worldWideWeb += 1
        }
      }
      if at < index {
        at = index
        while at < count && values[at] != 0x40 { at += 1 }
      }
      let earliest = min(slash < count ? slash - (longestHost - 1) : count, worldWideWeb, at)
      if earliest >= count { break }
      if index < earliest { index = earliest }
      let value = values[index]
      let boundary = index == 0 || !ScalarClass.isASCIIAlphanumeric(values[index - 1])
      if boundary && (value == 0x68 || value == 0x77 || isShortLinkFirst(value, masks: masks)) {
        let slashNear = slash - index < longestHost
        var isLink = false
        if slashNear && hasPrefix(values, http, at: index) {
          var after = index + 4
          if after < count && values[after] == 0x73 { after += 1 }
          isLink = hasPrefix(values, scheme, at: after)
        } else if hasPrefix(values, www, at: index) {
          isLink = true
        } else if slashNear {
          isLink = hosts.contains { hasPrefix(values, $0, at: index) }
        }
        if isLink {
          var end = index
          while end < count && isLinkCharacter(values[end]) { end += 1 }
          while end > index, isTrailingPunctuation(values[end - 1]) { end -= 1 }
          for position in index..<end { flags[position] |= urlFlag }
          flagged = flagged || end > index
          index = end
          continue
        }
      }
      if value == 0x40, index > 0, index + 1 < count, flags[index - 1] & linkBits == 0,
        isEmailLocalCharacter(values[index - 1]), ScalarClass.isASCIIAlphanumeric(values[index + 1])
      {
        var start = index
        while start > 0 && isEmailLocalCharacter(values[start - 1]) && flags[start - 1] & linkBits == 0 { start -= 1 }
        var end = index + 1
        var sawDot = false
        while end < count && (ScalarClass.isASCIIAlphanumeric(values[end]) || values[end] == 0x2E || values[end] == 0x2D) {
          if values[end] == 0x2E { sawDot = true }
          end += 1
        }
        while end > index + 1 && values[end - 1] == 0x2E { end -= 1 }
        if sawDot {
          for position in start..<end { flags[position] |= emailFlag }
          flagged = true
          index = end
          continue
        }
      }
      index += 1
    }
    return flagged
  }

  // MARK: Steps 3 and 5

  static let wechatLatin: [[UInt32]] = ["wechat", "weixin", "vx", "wx"].map { $0.unicodeScalars.map(\.value) }
  static let wechatCJK: [[UInt32]] = ["微信", "威信", "薇信", "徽信", "v信", "vx信"].map { $0.unicodeScalars.map(\.value) }
  static let qqCJK: [UInt32] = "扣扣".unicodeScalars.map(\.value)
  static let qqLatin: [UInt32] = [0x71, 0x71]

  /// Whether `value` is one of the currency symbols that delimit a 淘口令 (a switch: hashing is
  /// slow in the hot loop).
  @inline(__always)
  static func isTaokoulingSymbol(_ value: UInt32) -> Bool {
    switch value {
    case 0xA5, 0x24, 0x20AC, 0xA3, 0x20A4, 0xA2, 0x20B3, 0x20B4, 0x20B0, 0x2126: true
    default: false
    }
  }

  @inline(__always)
  static func isAddPrefix(_ value: UInt32) -> Bool { value == 0x52A0 || value == 0x2B || value == 0x2795 || value == 0xFF0B }

  /// Whether an evasive spelling may start with `value`: v w q $, 微 威 薇 徽 扣 and the 淘口令
  /// symbols. The fold records where these are (``FoldWriter/triggers``).
  @inline(__always)
  static func isEvasionTrigger(_ value: UInt32) -> Bool {
    switch value {
    case 0x76, 0x77, 0x71, 0x24, 0x5FAE, 0x5A01, 0x8587, 0x5FBD, 0x6263: true
    default: isTaokoulingSymbol(value)
    }
  }

  /// The evasive spelling at `index` of `values`, if one starts there: the token it stands for
  /// and its length.
  static func evasion(in values: UnsafeBufferPointer<UInt32>, at index: Int) -> (token: UInt32, length: Int)? {
    let count = values.count, value = values[index]
    let wechat = CanonicalToken.wechat.scalar.value, qq = CanonicalToken.qq.scalar.value
    let leftBoundary = index == 0 || !ScalarClass.isWordCharacter(values[index - 1])
    @inline(__always) func noLetterAt(_ index: Int) -> Bool {
      index >= count || !ScalarClass.isASCIILetter(values[index])
    }
    switch value {
    case 0x76, 0x77:  // v, w
      if value == 0x76 && leftBoundary {
        for literal in wechatCJK where hasPrefix(values, literal, at: index) { return (wechat, literal.count) }
      }
      if leftBoundary {
        for literal in wechatLatin where hasPrefix(values, literal, at: index) && noLetterAt(index + literal.count) {
          return (wechat, literal.count)
        }
      }
      let afterAdd = index > 0 && isAddPrefix(values[index - 1])
      if value == 0x76 && (leftBoundary || afterAdd) {
        // v❤ (v and a heart or other pictograph) and ➕v / +v / 加v.
        if index + 1 < count && values[index + 1] >= 0x2000 && ScalarClass.isSymbolSeparator(values[index + 1])
          && CanonicalToken(scalarValue: values[index + 1]) == nil
        {
          return (wechat, 2)
        }
        if afterAdd && noLetterAt(index + 1) { return (wechat, 1) }
      }
    case 0x71:  // q
      if leftBoundary && hasPrefix(values, qqLatin, at: index) && noLetterAt(index + 2) { return (qq, 2) }
    case 0x5FAE, 0x5A01, 0x8587, 0x5FBD:  // 微 威 薇 徽
      for literal in wechatCJK where hasPrefix(values, literal, at: index) { return (wechat, literal.count) }
      if value == 0x8587 {
        var next = index + 1
        while next < count && next < index + 3 && (values[next] == 0x20 || values[next] == 0x3A) { next += 1 }
        let beforeID = next < count && ScalarClass.isASCIIAlphanumeric(values[next])
        let afterAdd = index > 0 && isAddPrefix(values[index - 1])
        if beforeID || afterAdd { return (wechat, 1) }
      }
    case 0x6263:  // 扣
      if hasPrefix(values, qqCJK, at: index) { return (qq, 2) }
    default:
      if isTaokoulingSymbol(value) {
        var end = index + 1
        while end < count && end - index <= 15 && ScalarClass.isASCIIAlphanumeric(values[end]) { end += 1 }
        let length = end - index - 1
        if length >= 6 && length <= 14 && end < count && isTaokoulingSymbol(values[end])
          && values[(index + 1)..<end].contains(where: ScalarClass.isASCIILetter)
        {
          return (CanonicalToken.taokouling.scalar.value, end - index + 1)
        }
      }
    }
    return nil
  }

  /// Steps 3 and 5: evasive spellings to canonical tokens, read from `source` and written to
  /// `target`. Only the positions in `triggers` (ascending; every scalar an evasion can start
  /// with) are looked at; the entries that survive are rewritten to their positions in `target`,
  /// and their number returned, with the CJK characters and ASCII letters the tokens replaced.
  /// Returns nil when nothing was rewritten (`target` and `triggers` are then untouched).
  static func mapEvasions(
    _ source: Lane, count: Int, triggers: UnsafeMutablePointer<Int32>, triggerCount: Int, into target: Lane
  ) -> (count: Int, triggerCount: Int, replacedScripts: (cjk: Int, latin: Int))? {
    let values = UnsafeBufferPointer(start: source.values, count: count), flags = source.flags
    // Unchanged scalars are copied in runs, when a token is emitted and at the end.
    var tokens = TokenWriter(source: source, target: target)
    var index = 0, kept = 0
    for entry in 0..<triggerCount {
      let position = Int(triggers[entry])
      if position < index { continue }  // inside the token before
      if flags[position] & linkBits == 0, let found = evasion(in: values, at: position) {
        tokens.emit(found.token, standingFor: position..<(position + found.length))
        index = position + found.length
      } else {
        // Where it will be in `target`: after what is written, past the run not yet copied.
        triggers[kept] = Int32(tokens.written + position - tokens.copied)
        kept += 1
        index = position + 1
      }
    }
    if tokens.copied == 0 {
      // Nothing rewritten: the positions written above are the ones that were there.
      return nil
    }
    source.copy(tokens.copied..<count, to: target, at: tokens.written)
    return (tokens.written + count - tokens.copied, kept, (tokens.replacedCJK, tokens.replacedLatin))
  }

  /// Writes the tokens of ``mapEvasions(_:count:triggers:triggerCount:into:)`` and the unchanged
  /// runs before them.
  struct TokenWriter {
    let source: Lane
    let target: Lane
    /// Elements written to `target`.
    var written = 0
    /// Elements of `source` consumed (copied or replaced by a token).
    var copied = 0
    /// CJK characters and ASCII letters replaced by tokens.
    var replacedCJK = 0, replacedLatin = 0

    /// Copies the run before `range`, then writes `token` standing for `range`.
    mutating func emit(_ token: UInt32, standingFor range: Range<Int>) {
      source.copy(copied..<range.lowerBound, to: target, at: written)
      written += range.lowerBound - copied
      for position in range {
        let bits = source.flags[position]
        replacedCJK += bits & TextNormalizer.cjkClass != 0 ? 1 : 0
        replacedLatin += bits & TextNormalizer.letterClass != 0 ? 1 : 0
      }
      target.values[written] = token
      target.starts[written] = source.starts[range.lowerBound]
      target.ends[written] = source.ends[range.upperBound - 1]
      target.flags[written] = 0
      written += 1
      copied = range.upperBound
    }
  }

  // MARK: Step 4

  /// Step 4: separator runs removed between CJK characters and single letters, emoji to spaces,
  /// whitespace collapsed, in place (the output never overtakes the input, and what the rules
  /// read behind the input position is either unchanged or a space that was a separator, which
  /// they treat alike). The evasion triggers are carried along: `triggers` gets the output
  /// positions of those kept; `scripts` gets the CJK characters and ASCII letters kept. Returns
  /// the new count.
  static func collapseSeparators(
    _ lane: Lane, count: Int, triggers: UnsafeMutablePointer<Int32>, triggerCount: inout Int,
    scripts: inout (cjk: Int, latin: Int)
  ) -> Int {
    let values = UnsafeBufferPointer(start: lane.values, count: count), flags = lane.flags
    var output = CollapseWriter(lane: lane, triggers: triggers, triggerCount: triggerCount)
    defer {
      triggerCount = output.keptTriggers
      scripts = (output.cjkCount, output.latinCount)
    }
    var index = 0
    let separatorOrSpace = separatorClass | spaceClass
    /// Eight class bytes without letter, separator or space bits: eight plain scalars.
    let plainMask = UInt64(separatorOrSpace | letterClass) * 0x0101_0101_0101_0101
    @inline(__always) func isSeparator(_ position: Int) -> Bool {
      position < count && flags[position] & linkBits == 0 && flags[position] & separatorOrSpace != 0
    }
    /// The end of the separator run starting at `position` (at most 4 scalars).
    func runEnd(_ position: Int) -> Int {
      var end = position
      while end < count && end - position < 4 && isSeparator(end) { end += 1 }
      return end
    }
    /// Whether the scalar at `position` is kept as it is: flagged, or not a space, a separator or
    /// a single letter (an ASCII letter next to a word character is none; the class of the
    /// scalar before is the input's, or a space's that replaced a separator, alike).
    @inline(__always) func isPlain(_ position: Int) -> Bool {
      let bits = flags[position]
      if bits & (linkBits | separatorOrSpace | letterClass) == 0 || bits & linkBits != 0 { return true }
      if bits & separatorOrSpace != 0 { return false }
      return (position + 1 < count && flags[position + 1] & wordClass != 0)
        || (position > 0 && flags[position - 1] & wordClass != 0)
    }
    /// Whether the scalar at `position`, right after one kept as it is, is a lone space that is
    /// kept: a space, after something that is not one and before no other separator.
    @inline(__always) func isKeptSpace(_ position: Int) -> Bool {
      values[position] == 0x20 && values[position - 1] != 0x20 && flags[position] & linkBits == 0
        && !isSeparator(position + 1)
    }
    @inline(__always) func isSingleLetter(_ position: Int) -> Bool {
      guard position < count, flags[position] & (linkBits | letterClass) == letterClass else { return false }
      let before = position == 0 || flags[position - 1] & wordClass == 0
      let after = position + 1 >= count || flags[position + 1] & wordClass == 0
      return before && after
    }
    /// The position after the last letter of the run of single letters split by short separator
    /// runs that starts at `position` ("a d", "a.d", "s-p-o-n"), and the number of letters.
    func singleLetterRun(from position: Int) -> (end: Int, letters: Int) {
      var letters = 1, next = position + 1
      while true {
        let end = runEnd(next)
        guard end > next, end - next <= 2, isSingleLetter(end) else { break }
        letters += 1
        next = end + 1
      }
      return (next, letters)
    }
    while index < count {
      if isPlain(index) {
        var end = index + 1
        while end < count {
          // Eight at a time while none is a letter, a separator or a space (CJK text).
          if end + 8 <= count
            && UnsafeRawPointer(flags + end).loadUnaligned(as: UInt64.self) & plainMask == 0
          {
            end += 8
            continue
          }
          guard isPlain(end) || isKeptSpace(end) else { break }
          end += 1
        }
        output.keep(index..<end)
        index = end
        if index == count { break }
      }
      let bits = flags[index]
      if bits & linkBits != 0 {
        output.keep(index)
        index += 1
        continue
      }
      if isSingleLetter(index) {
        let run = singleLetterRun(from: index)
        if run.letters >= 2 {
          // The letters, glued: the same walk again, keeping each letter.
          output.keep(index)
          var next = index + 1
          for _ in 1..<run.letters {
            let letter = runEnd(next)
            output.keep(letter)
            next = letter + 1
          }
          index = run.end
          continue
        }
      }
      if bits & separatorOrSpace != 0 {
        let end = runEnd(index)
        var delimits = false, onlySpaces = true
        for position in index..<end {
          let isSpace = flags[position] & spaceClass != 0, separator = values[position]
          onlySpaces = onlySpaces && isSpace
          delimits = delimits || isSpace || separator == 0x7C || separator == 0x2F || separator == 0x5C
        }
        let previous = output.written > 0 && flags[output.written - 1] & cjkClass != 0
        let next = end < count && flags[end] & cjkClass != 0
        if previous && next && !delimits {
          index = end  // 广❤告 → 广告
          continue
        }
        if onlySpaces {
          if output.last != 0x20 { output.appendSpace(standingFor: index..<end) }
          index = end
          continue
        }
        if values[index] >= 0x80 {
          // Emoji and other symbols: one word boundary.
          if output.last != 0x20 { output.appendSpace(standingFor: index..<(index + 1)) }
          index += 1
          continue
        }
      }
      output.keep(index)
      index += 1
    }
    return output.written
  }

  /// Writes the output of ``collapseSeparators(_:count:triggers:triggerCount:)`` over its input,
  /// and the new positions of the evasion triggers it keeps.
  struct CollapseWriter {
    let lane: Lane
    let triggers: UnsafeMutablePointer<Int32>
    let triggerCount: Int
    /// Elements written.
    var written = 0
    /// Entries of `triggers` passed, and kept (rewritten to their new positions).
    var passedTriggers = 0
    var keptTriggers = 0
    /// CJK characters and ASCII letters kept (``NormalizedField/scriptCounts``).
    var cjkCount = 0, latinCount = 0

    /// The last scalar written so far.
    var last: UInt32? { written > 0 ? lane.values[written - 1] : nil }

    /// Keeps the triggers at positions in `range`, at their new positions from `position` on,
    /// and drops those before it.
    @inline(__always)
    mutating func moveTriggers(in range: Range<Int>, to position: Int) {
      while passedTriggers < triggerCount && Int(triggers[passedTriggers]) < range.upperBound {
        let trigger = Int(triggers[passedTriggers])
        if trigger >= range.lowerBound {
          triggers[keptTriggers] = Int32(position + trigger - range.lowerBound)
          keptTriggers += 1
        }
        passedTriggers += 1
      }
    }

    /// Keeps the elements `range` unchanged.
    @inline(__always)
    mutating func keep(_ range: Range<Int>) {
      if passedTriggers < triggerCount { moveTriggers(in: range, to: written) }
      // The class bits counted eight bytes at a time, then one by one.
      var cjk = 0, latin = 0, position = range.lowerBound
      let cjkBits = UInt64(TextNormalizer.cjkClass) * 0x0101_0101_0101_0101
      let letterBits = UInt64(TextNormalizer.letterClass) * 0x0101_0101_0101_0101
      while position &+ 8 <= range.upperBound {
        let word = UnsafeRawPointer(lane.flags + position).loadUnaligned(as: UInt64.self)
        cjk &+= (word & cjkBits).nonzeroBitCount
        latin &+= (word & letterBits).nonzeroBitCount
        position &+= 8
      }
      while position < range.upperBound {
        let bits = lane.flags[position]
        cjk &+= bits & TextNormalizer.cjkClass != 0 ? 1 : 0
        latin &+= bits & TextNormalizer.letterClass != 0 ? 1 : 0
        position &+= 1
      }
      cjkCount &+= cjk
      latinCount &+= latin
      if written != range.lowerBound {
        for position in range {
          lane.values[written] = lane.values[position]
          lane.starts[written] = lane.starts[position]
          lane.ends[written] = lane.ends[position]
          lane.flags[written] = lane.flags[position]
          written += 1
        }
      } else {
        written += range.count
      }
    }

    /// Keeps the element at `position` unchanged.
    @inline(__always)
    mutating func keep(_ position: Int) { keep(position..<(position + 1)) }

    /// One space standing for the elements `range` (the input's own space when it is one).
    mutating func appendSpace(standingFor range: Range<Int>) {
      if range.count == 1 && lane.values[range.lowerBound] == 0x20 {
        keep(range.lowerBound)
        return
      }
      if passedTriggers < triggerCount { moveTriggers(in: range.upperBound..<range.upperBound, to: written) }
      let start = lane.starts[range.lowerBound], end = lane.ends[range.upperBound - 1]
      lane.values[written] = 0x20
      lane.starts[written] = start
      lane.ends[written] = end
      lane.flags[written] = TextNormalizer.spaceClass
      written += 1
    }


  }
}
